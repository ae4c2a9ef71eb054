/**
 * An encrypted release: the image made (or reused) is the release if every snapshot of it is encrypted with the
 * region's key; otherwise it is made under an intermediate name, copied in its own region with the key, and removed
 * once the encrypted copy is available. Which of the two is decided before the bake, from the instance's volumes (or
 * the snapshot to register), since an AMI's name cannot change and the copy must take the release's.
 */
import { randomBytes } from 'node:crypto'
import type { Aws } from '../aws.js'
import { removeImage, manualCleanup } from '../cleanup.js'
import type { Clock } from '../clock.js'
import type { Ec2 } from '../ec2/index.js'
import { AwsError } from '../errors.js'
import type { Identity } from '../make-image.js'
import type { Settings } from '../settings.js'
import { ownsSnapshots, type BakeState } from '../state.js'
import type { ImageRef } from '../wait/index.js'
import type { RegionKey } from './keys.js'

/**
 * How the image is made: under the release's name, or under an intermediate one to be copied with the key. The
 * intermediate carries no tags: neither the family's (retention must never count it) nor the user's.
 */
export interface Making extends Identity {
  readonly intermediate: boolean
}

/** AMI names are at most 128 characters. */
const NAME_MAX = 128

/**
 * Before the bake: whether the image made from the source will already be encrypted with `key`. Only the volumes
 * the source has are known: a mapping that adds or changes an EBS volume makes it an intermediate, to be sure.
 */
export async function planMaking(ec2: Ec2, settings: Settings, key: RegionKey | undefined): Promise<Making> {
  const release: Making = { name: settings.name, description: settings.description, tagged: true, intermediate: false }
  if (!key || (await madeWithKey(ec2, settings, key.arn))) return release
  const suffix = ` unencrypted ${randomBytes(4).toString('hex')}`
  return {
    name: `${settings.name.slice(0, NAME_MAX - suffix.length)}${suffix}`,
    description: `Unencrypted image of '${settings.name}', removed by bake-ami once its copy encrypted with ${key.label} is available`,
    tagged: false,
    intermediate: true
  }
}

async function madeWithKey(ec2: Ec2, settings: Settings, keyArn: string): Promise<boolean> {
  if (settings.blockDeviceMappings.some(mapping => mapping.Ebs !== undefined)) return false
  const volumes = await sourceKeys(ec2, settings)
  return volumes.length > 0 && volumes.every(volume => volume.kmsKeyId === keyArn)
}

/**
 * What the image is made from, each with the key it is encrypted with (none: not encrypted): the snapshot to register,
 * or the instance's EBS volumes but those `block-device-mappings` leaves out (`NoDevice`).
 */
export async function sourceKeys(ec2: Ec2, settings: Settings): Promise<{ readonly id: string; readonly kmsKeyId?: string }[]> {
  const { source } = settings
  if (source.kind === 'snapshot') {
    const { kmsKeyId } = await ec2.describeSourceSnapshot(source.snapshotId)
    return [{ id: source.snapshotId, kmsKeyId }]
  }
  const left = new Set(settings.blockDeviceMappings.flatMap(mapping => (mapping.NoDevice !== undefined ? [mapping.DeviceName] : [])))
  const volumes = (await ec2.instanceVolumes(source.instanceId)).filter(volume => !left.has(volume.device))
  return volumes.map(volume => ({ id: volume.volumeId, kmsKeyId: volume.kmsKeyId }))
}

/**
 * After the image is available: throws unless every snapshot of an image made (or reused) under the release's name
 * is encrypted with `key`. The ones that are not are named.
 */
export async function checkEncrypted(ec2: Ec2, image: ImageRef & { snapshotIds: readonly string[] }, key: RegionKey, reused: boolean): Promise<void> {
  const found = await ec2.describeOwnSnapshots(image.snapshotIds)
  const wrong = image.snapshotIds.filter(id => found.find(snapshot => snapshot.snapshotId === id)?.kmsKeyId !== key.arn)
  if (wrong.length === 0) return
  const what = wrong.map(id => `${id} (${describeKeyOf(found.find(snapshot => snapshot.snapshotId === id)?.kmsKeyId)})`).join(', ')
  const fix = reused
    ? `It was reused ('if-exists: reuse'): set 'if-exists: replace' to make the release again, encrypted.`
    : `Its volumes were encrypted with the key before the bake; something changed them meanwhile. Run the job again.`
  throw new AwsError(
    'DescribeSnapshots',
    'NotEncryptedWithKey',
    `Image ${image.imageId} in ${image.region} is to be encrypted with ${key.label}, but its snapshots ${what} are not. ${fix}`
  )
}

function describeKeyOf(kmsKeyId: string | undefined): string {
  return kmsKeyId === undefined ? 'not encrypted, or not readable' : `encrypted with ${kmsKeyId}`
}

export interface DiscardOptions {
  readonly state: BakeState
  readonly clock: Clock
  readonly log: (line: string) => void
}

/**
 * Removes the intermediate image and its snapshots once its encrypted copy is available. The release stands either
 * way: what cannot be removed is a warning with the commands that remove it.
 */
export async function discardIntermediate(aws: Aws, image: ImageRef, { state, clock, log }: DiscardOptions): Promise<string | undefined> {
  const entry = state.entries().find(held => held.imageId === image.imageId)
  if (!entry) return undefined
  const removal = { ...entry, ownsSnapshots: ownsSnapshots(entry) }
  const { left } = await removeImage(aws.ec2(image.region), removal, clock, { lookForSnapshotsMs: 0, log, theUsers: state.usersSnapshots })
  if (left.length > 0) return `Could not remove the unencrypted image ${image.imageId} in ${image.region}; remove it by hand:\n${manualCleanup(image.region, left)}`
  state.record({ ...entry, removed: true })
  return undefined
}
