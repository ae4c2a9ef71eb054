/**
 * The first step of an image's journey: make it, with CreateImage from an instance or RegisterImage from an
 * EBS snapshot, or reuse the one that holds its name (`if-exists`). Everything after (announce, wait, report,
 * undo) is the same for all; what differs is kept here, and in the ledger entry's `madeBy`, which tells cleanup
 * whether the image's snapshots are ours.
 */
import * as core from '@actions/core'
import type { Clock } from './clock.js'
import { FAMILY_TAG_KEY, Inputs } from './constants.js'
import type { Ec2, ImageRequest, RegisterRequest } from './ec2/index.js'
import { InputError, WaitError } from './errors.js'
import { makeUnlessExists } from './existing-image.js'
import type { InstanceSource, Settings, SnapshotSource, Tag } from './settings.js'
import type { LedgerEntry } from './state.js'

export type MadeBy = NonNullable<LedgerEntry['madeBy']>

export interface MadeImage {
  readonly imageId: string
  /** 'reused': the image held the name before the run (`if-exists: reuse`); it is not the run's to remove. */
  readonly madeBy: MadeBy | 'reused'
  /** A reused image's state when found; a new image is pending. */
  readonly state: string
}

/** The EC2 call that makes the image, for messages. */
export function makingCall(settings: Settings): MadeBy {
  return settings.source.kind === 'instance' ? 'CreateImage' : 'RegisterImage'
}

/** The name, description and tags of the image made: the release's, or an intermediate's to be encrypted (`encryption/`). */
export interface Identity {
  readonly name: string
  readonly description: string
  /** False: no tags at all, on the image or its snapshots. */
  readonly tagged: boolean
}

/**
 * `signal`: the job's cancellation; once aborted, nothing is made (a look-up or `replace` may have run before).
 * `if-exists` always settles the release's name; `as` is what the image made is called, when not the release.
 */
export async function makeImage(ec2: Ec2, settings: Settings, clock: Clock, signal?: AbortSignal, as?: Identity): Promise<MadeImage> {
  const outcome = await makeUnlessExists(ec2, settings.name, settings.ifExists, clock, line => core.info(line), () => {
    if (signal?.aborted) throw new WaitError('aborted', `The job was cancelled before ${makingCall(settings)}: nothing was made.`)
    return make(ec2, as ? renamed(settings, as) : settings)
  })
  if ('made' in outcome) return outcome.made
  const { imageId, state } = outcome.reused
  return { imageId, madeBy: 'reused', state }
}

async function make(ec2: Ec2, settings: Settings): Promise<MadeImage & { madeBy: MadeBy }> {
  const { source } = settings
  if (source.kind === 'instance') return { imageId: await ec2.createImage(imageRequest(settings, source)), madeBy: 'CreateImage', state: 'pending' }
  await checkSourceSnapshot(ec2, source)
  core.info(`Registering ${source.snapshotId} as an image (${source.architecture}, root ${source.rootDeviceName})`)
  return { imageId: await ec2.registerImage(registerRequest(settings, source)), madeBy: 'RegisterImage', state: 'pending' }
}

/** Dry run: whether the image could be made; returns the sentence to log. Throws the translated refusal. */
export async function checkMakeImage(ec2: Ec2, settings: Settings): Promise<string> {
  const { source } = settings
  if (source.kind === 'instance') {
    await ec2.checkCreateImage(imageRequest(settings, source))
    return `Dry run: ${ec2.principal} may call ec2:CreateImage on ${source.instanceId} in ${settings.region}. Nothing was made.`
  }
  await checkSourceSnapshot(ec2, source)
  await ec2.checkRegisterImage(registerRequest(settings, source))
  return `Dry run: ${ec2.principal} may call ec2:RegisterImage with ${source.snapshotId} in ${settings.region}, which is completed. Nothing was made.`
}

/**
 * The snapshots the image is known to use before EC2 describes it: none yet for CreateImage, which makes its
 * own; for RegisterImage the source and any snapshot the user mapped.
 */
export function knownSnapshotIds(settings: Settings): string[] {
  return settings.source.kind === 'instance' ? [] : usersSnapshotIds(settings)
}

/** Snapshots the inputs name (`snapshot-id`, and any in `block-device-mappings`): the user's, never the run's. */
export function usersSnapshotIds(settings: Settings): string[] {
  const mapped = settings.blockDeviceMappings.flatMap(mapping => (mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : []))
  return settings.source.kind === 'snapshot' ? [settings.source.snapshotId, ...mapped] : mapped
}

/**
 * Tags for the snapshots the run makes (CreateImage's and CopyImage's): the image's with `tag-snapshots`, else
 * only the family tag, by which retention later knows them as the family's.
 */
export function snapshotTags(settings: Settings): Tag[] {
  return settings.tags.filter(tag => settings.tagSnapshots || tag.key === FAMILY_TAG_KEY)
}

function renamed(settings: Settings, { name, description, tagged }: Identity): Settings {
  return { ...settings, name, description, tags: tagged ? settings.tags : [], tagSnapshots: tagged && settings.tagSnapshots }
}

function imageRequest(settings: Settings, source: InstanceSource): ImageRequest {
  const { name, description, noReboot, tags, blockDeviceMappings, snapshotLocation } = settings
  return { instanceId: source.instanceId, name, description, noReboot, tags, snapshotTags: snapshotTags(settings), blockDeviceMappings, snapshotLocation }
}

function registerRequest(settings: Settings, source: SnapshotSource): RegisterRequest {
  const { name, description, tags, blockDeviceMappings } = settings
  const { snapshotId, architecture, rootDeviceName, virtualizationType, bootMode, enaSupport, tpmSupport, rootVolumeSize, rootVolumeType } = source
  return {
    snapshotId,
    architecture,
    rootDeviceName,
    virtualizationType,
    bootMode,
    enaSupport,
    tpmSupport,
    rootVolumeSize,
    rootVolumeType,
    name,
    description,
    tags,
    blockDeviceMappings
  }
}

/**
 * RegisterImage needs a completed snapshot, and a root volume that holds it. Checked first, so that either
 * problem is a sentence about the input, with no image made, rather than EC2's error after the fact.
 */
async function checkSourceSnapshot(ec2: Ec2, source: SnapshotSource): Promise<void> {
  const { snapshotId } = source
  const snapshot = await ec2.describeSourceSnapshot(snapshotId)
  if (snapshot.state === 'pending') {
    throw new InputError(
      Inputs.SnapshotId,
      snapshotId,
      `snapshot ${snapshotId} in ${ec2.region} is still pending (${snapshot.progress}% done), and RegisterImage needs a completed snapshot. ` +
        `Wait for it before this step (aws ec2 wait snapshot-completed --region ${ec2.region} --snapshot-ids ${snapshotId}). Nothing was registered.`
    )
  }
  if (snapshot.state !== 'completed') {
    throw new InputError(
      Inputs.SnapshotId,
      snapshotId,
      `snapshot ${snapshotId} in ${ec2.region} is in state '${snapshot.state}': EC2 could not complete it, so it cannot be registered. ` +
        `Make the snapshot again. Nothing was registered.`
    )
  }
  if (source.rootVolumeSize !== undefined && source.rootVolumeSize < snapshot.sizeGiB) {
    throw new InputError(
      Inputs.RootVolumeSize,
      String(source.rootVolumeSize),
      `snapshot ${snapshotId} is ${snapshot.sizeGiB} GiB, and the root volume must hold it: set ${snapshot.sizeGiB} or more, ` +
        `or leave '${Inputs.RootVolumeSize}' empty for the snapshot's size. Nothing was registered.`
    )
  }
}
