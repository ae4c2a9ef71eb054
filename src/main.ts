/**
 * The story of a bake, once `run.ts` has read valid inputs: credentials, the keys, make the image (or reuse it), wait,
 * encrypt it, copy to other regions, publish, hand off, report, and retire the family's old images; and undo what the
 * run made when it goes wrong.
 */
import * as core from '@actions/core'
import type { Aws } from './aws.js'
import { waitUntilAvailable, type AvailableImage, type WaitSettings } from './available.js'
import { undo } from './cleanup.js'
import {
  checkHandOff,
  checkLaunchTemplate,
  copyToRegions,
  describeAudience,
  type CopyAsked,
  type CopyOptions,
  handOff,
  protect,
  publish,
  retire,
  type HandedOff,
  type Publication,
  type RetirementReport
} from './distribute/index.js'
import { checkEncrypted, checkKeys, checkSharedSource, discardIntermediate, planMaking, type Making, type RegionKey } from './encryption/index.js'
import type { LaunchAudience } from './ec2/index.js'
import { checkMakeImage, knownSnapshotIds, makeImage, snapshotTags, usersSnapshotIds } from './make-image.js'
import { announceImage, announceRegions, reportImages, type BakedImage } from './report.js'
import type { Deps } from './run.js'
import type { Settings } from './settings.js'
import { BakeState } from './state.js'
import type { ImageRef } from './wait/index.js'

/** How long main keeps looking for the snapshots of an image it deregistered while pending. */
const LOOK_FOR_SNAPSHOTS_MS = 60_000
/** When cancelled, the runner kills the step about 10 s after SIGINT; post finishes what main cannot. */
const LOOK_FOR_SNAPSHOTS_CANCELLED_MS = 5_000

/** The bake of valid settings (`run.ts` reads them), from `started`; throws what fails it. */
export async function bake(settings: Settings, started: number, deps: Deps): Promise<void> {
  const state = new BakeState(deps.state)
  state.begin(settings.credentials, settings.cleanupOnFailure)
  state.recordUsersSnapshots(usersSnapshotIds(settings))
  const aws = await deps.connect(settings.credentials, settings.region)

  if (settings.dryRun) {
    core.info(await checkMakeImage(aws.ec2(settings.region), settings))
    const keys = await releaseKeys(aws, settings)
    for (const key of keys?.values() ?? []) core.info(`Dry run: ${key.region} encrypts with ${key.label} (${key.arn}), which is enabled and usable.`)
    await checkHandOff(aws, settings.region, settings.handOff, line => core.info(line))
    await retireOldImages(aws, settings, [], deps)
    state.markFinished()
    return
  }

  // Nothing to hand the image to, or a key that cannot be used, is a mistake best found before the bake, not after it.
  await checkLaunchTemplate(aws, settings.region, settings.handOff)
  const keys = await releaseKeys(aws, settings)
  const making = await planMaking(aws.ec2(settings.region), settings, keys?.get(settings.region))
  const { imageId, madeBy, state: found } = await makeImage(aws.ec2(settings.region), settings, deps.clock, deps.signal, making)
  const source: ImageRef = { region: settings.region, imageId }
  // The ledger learns the image's snapshots as EC2 shows them, and only if they are the run's to delete.
  if (madeBy !== 'reused') state.record({ ...source, madeBy, snapshotIds: [] })
  const encrypting = keys && { keys, making: madeBy === 'reused' ? undefined : making }
  // An intermediate is not the release: `image-id` waits for its encrypted copy.
  if (encrypting?.making?.intermediate) core.info(`Created the unencrypted image ${imageId} (${making.name}) in ${settings.region}, to copy encrypted`)
  else announceImage(settings.region, imageId, settings.name, madeBy === 'reused')

  let images: BakedImage[]
  let handed: HandedOff | undefined
  try {
    ;({ images, handed } = settings.wait
      ? await release(aws, source, settings, state, deps, started, encrypting)
      : { images: [notWaitedFor(source, found, settings)] })
    // The last step, once everything else has succeeded: a failure is a warning, and the release stands.
    const unprotected = await protect(aws, images, settings.distribution.deregistrationProtection, { log: line => core.info(line), signal: deps.signal })
    unprotected.forEach(problem => core.warning(problem))
    state.markFinished()
  } catch (error) {
    await undo(aws, state, deps.clock, deps.signal.aborted ? LOOK_FOR_SNAPSHOTS_CANCELLED_MS : LOOK_FOR_SNAPSHOTS_MS)
    throw error
  }
  // The release is good from here on: nothing below fails the step or removes what it made.
  const retirement = await retireOldImages(aws, settings, images, deps)
  await reportImages(images, retirement, handed)
}

/**
 * The keys of an encrypted release, checked in every region of the run; undefined without `encrypt`, when a shared
 * image's own encryption is checked instead.
 */
async function releaseKeys(aws: Aws, settings: Settings): Promise<Map<string, RegionKey> | undefined> {
  // Empty for nobody: then an AWS managed key will do.
  const sharedWith = describeAudience(audienceOf(settings)) || undefined
  if (settings.encryption.encrypt) return checkKeys(aws, [settings.region, ...settings.distribution.copyToRegions], settings.encryption, sharedWith)
  if (sharedWith) for (const warning of await checkSharedSource(aws, settings, sharedWith)) core.warning(warning)
  return undefined
}

/** How the release is encrypted: each region's key, and how the image was made (undefined: reused). */
interface Encrypting {
  readonly keys: Map<string, RegionKey>
  readonly making?: Making
}

/** The image available (encrypted), copied to every region, published in all of them, and handed to what launches it. */
async function release(
  aws: Aws,
  made: ImageRef,
  settings: Settings,
  state: BakeState,
  deps: Deps,
  started: number,
  encrypting: Encrypting | undefined
): Promise<{ images: BakedImage[]; handed: HandedOff }> {
  const waiting = { clock: deps.clock, signal: deps.signal, timeoutMs: settings.waitTimeoutMs }
  const log = (line: string) => core.info(line)
  const { distribution } = settings
  const { name, description, tags } = settings
  const request = { name, description, tags, snapshotTags: snapshotTags(settings), completionMinutes: settings.encryption.copyCompletionMinutes }
  const copying = { ifExists: settings.ifExists, state, clock: deps.clock, log, signal: deps.signal }
  const [bakedImage] = await waitUntilAvailable(aws, [made], state, waiting)
  const available = [encrypting ? await encrypted(aws, bakedImage, encrypting, { request, copying, waiting }) : bakedImage]
  const [source] = available

  if (distribution.copyToRegions.length > 0) {
    const kmsKeyIds = encrypting && new Map([...encrypting.keys.values()].map(key => [key.region, key.arn]))
    const copies = await copyToRegions(aws, source, distribution.copyToRegions, { ...request, kmsKeyIds }, copying)
    announceRegions([source, ...copies])
    available.push(...(await waitUntilAvailable(aws, copies, state, waiting)))
  }

  const publication = publicationOf(settings, started)
  await publish(aws, available.map(image => ({ ...image, snapshotIds: image.image.snapshotIds })), publication, { state, log, signal: deps.signal })
  const handing = { state, clock: deps.clock, log, signal: deps.signal }
  const handed = await handOff(aws, available, settings.name, settings.handOff, handing)
  handed.warnings.forEach(warning => core.warning(warning))
  const sharedWith = describeAudience(publication.audience)
  const deprecateAt = publication.deprecateAt?.toISOString()
  const key = (region: string) => encrypting?.keys.get(region)?.label
  return { images: available.map(image => ({ ...baked(image, settings), sharedWith, deprecateAt, key: key(image.region) })), handed }
}

/**
 * The release encrypted with its region's key: the image itself when made (or reused) so, else its copy in its own
 * region with the key, which then takes `image-id`, once available the unencrypted image removed.
 */
async function encrypted(
  aws: Aws,
  image: AvailableImage,
  { keys, making }: Encrypting,
  { request, copying, waiting }: { request: CopyAsked; copying: CopyOptions; waiting: WaitSettings }
): Promise<AvailableImage> {
  const key = keys.get(image.region)!
  if (!making?.intermediate) {
    await checkEncrypted(aws.ec2(image.region), { ...image, snapshotIds: image.image.snapshotIds }, key, making === undefined)
    return image
  }
  const kmsKeyIds = new Map([[image.region, key.arn]])
  const [copy] = await copyToRegions(aws, image, [image.region], { ...request, kmsKeyIds }, copying)
  announceImage(copy.region, copy.imageId, request.name)
  const [release] = await waitUntilAvailable(aws, [copy], copying.state, waiting)
  const left = await discardIntermediate(aws, image, copying)
  if (left) core.warning(left)
  // The release took as long as both waits.
  return { ...release, waitedMs: image.waitedMs + release.waitedMs }
}

/** Retention, when asked for: a warning for each problem, never a failure. */
async function retireOldImages(aws: Aws, settings: Settings, images: readonly ImageRef[], deps: Deps): Promise<RetirementReport | undefined> {
  const { family, keepLatest, keepLaunchedWithinMs } = settings.distribution
  if (family === undefined || keepLatest === undefined) return undefined
  const regions = [settings.region, ...settings.distribution.copyToRegions]
  const ours = new Set(images.map(image => image.imageId))
  const retention = { family, keepLatest, keepLaunchedWithinMs, dryRun: settings.dryRun }
  const report = await retire(aws, regions, ours, retention, { clock: deps.clock, log: line => core.info(line), signal: deps.signal })
  for (const problem of report.problems) core.warning(`Retention: ${problem} The new image is not affected.`)
  return report
}

/** What to apply to every image; deprecation counts from the step's start, the same moment for every region. */
function publicationOf(settings: Settings, started: number): Publication {
  const { shareSnapshots, deprecateAfterMs, imdsSupport } = settings.distribution
  return {
    audience: audienceOf(settings),
    shareSnapshots,
    deprecateAt: deprecateAfterMs === undefined ? undefined : new Date(started + deprecateAfterMs),
    requireImdsV2: imdsSupport === 'v2.0'
  }
}

/** Who the image is shared with: `share-with-accounts`, `-organizations` and `-ous`. */
function audienceOf(settings: Settings): LaunchAudience {
  const { shareWithAccounts, shareWithOrganizations, shareWithOus } = settings.distribution
  return { accounts: shareWithAccounts, organizations: shareWithOrganizations, ous: shareWithOus }
}

function baked(image: AvailableImage, settings: Settings): BakedImage {
  const { region, imageId, waitedMs } = image
  return { region, imageId, name: settings.name, state: image.image.state, snapshotIds: image.image.snapshotIds, tags: settings.tags, availableAfterMs: waitedMs }
}

/** With `wait: false`: the state when made (pending) or found (a reused image). */
function notWaitedFor(source: ImageRef, state: string, settings: Settings): BakedImage {
  return { ...source, name: settings.name, state, snapshotIds: knownSnapshotIds(settings), tags: settings.tags }
}
