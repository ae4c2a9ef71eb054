/**
 * `if-exists`: what to do when an image with the rendered name is already in the account and region, as on
 * a re-run of a release whose name has no `{{ run_attempt }}`. `fail` needs no look-up (CreateImage refuses
 * the name, and the refusal names the image); `reuse` carries on with that image; `replace` removes it and
 * the snapshots EC2 made for it, then makes a new one, but only if nothing holds it: an image still pending
 * (another run may be making it), protected from deregistration, or referred to by an instance, a launch
 * template, an SSM parameter or a recipe is refused, before anything is made or removed.
 */
import { removeImage } from './cleanup.js'
import type { Clock } from './clock.js'
import { Inputs } from './constants.js'
import type { Ec2, OwnedImage } from './ec2/index.js'
import { AwsError, awsErrorCode } from './errors.js'
import type { IfExists } from './settings.js'

/** States in which an image may still become (or is) available: one to reuse. */
const REUSABLE = ['pending', 'available']
/** EC2 lists a name seconds after another run took it: the look-ups after a refusal, about 15 s in all. */
const LOOK_AGAIN_MS = [0, 1_000, 2_000, 4_000, 8_000]

/**
 * Before making the image: the image to reuse, or undefined to make one (after removing the one named so, for
 * `replace`). `afterRefusal`: CreateImage just said the name is taken though the first look-up found nothing
 * (another run took it in between), so look again, allowing for EC2's eventual consistency.
 */
export async function settleExisting(
  ec2: Ec2,
  name: string,
  policy: IfExists,
  clock: Clock,
  log: (line: string) => void,
  afterRefusal = false
): Promise<OwnedImage | undefined> {
  if (policy === 'fail') return undefined
  const existing = await findNamed(ec2, name, clock, afterRefusal ? LOOK_AGAIN_MS : [0])
  if (!existing) return undefined
  if (policy === 'reuse') {
    if (!REUSABLE.includes(existing.state)) {
      throw new AwsError(
        'DescribeImages',
        'InvalidAMIName.Duplicate',
        `An AMI named '${name}' already exists in ${ec2.region} (${existing.imageId}), and it is '${existing.state}', so it cannot be reused. ` +
          `Set '${Inputs.IfExists}: replace' to deregister it and make a new one.`
      )
    }
    log(`Reusing ${existing.imageId} (${existing.state}), which already holds the name '${name}' in ${ec2.region} ('${Inputs.IfExists}: reuse')`)
    return existing
  }
  await refuseIfHeld(ec2, existing, name)
  log(`Replacing ${existing.imageId}, which holds the name '${name}' in ${ec2.region} ('${Inputs.IfExists}: replace')`)
  // Only the snapshots EC2 made for it (`ownership.ts`): one it was registered from, or that it maps, is the user's.
  const removal = { imageId: existing.imageId, ownsSnapshots: true, snapshotIds: existing.snapshotIds, state: existing.state }
  const { left } = await removeImage(ec2, removal, clock, { lookForSnapshotsMs: 0, log })
  const stillThere = left.find(({ id }) => id === existing.imageId)
  if (stillThere) {
    throw new AwsError(
      'DeregisterImage',
      'InvalidAMIName.Duplicate',
      `'${Inputs.IfExists}: replace' could not deregister ${existing.imageId}, which holds the name '${name}' in ${ec2.region}: ${stillThere.reason}`
    )
  }
  for (const { id, reason } of left) log(`Left snapshot ${id} of the replaced image: ${reason}`)
  return undefined
}

/** `replace` removes only a free image: throws, naming what holds it, for one pending, protected or referred to. */
async function refuseIfHeld(ec2: Ec2, existing: OwnedImage, name: string): Promise<void> {
  const refuse = (why: string, what: string) =>
    new AwsError(
      'DeregisterImage',
      'InvalidAMIName.Duplicate',
      `'${Inputs.IfExists}: replace' will not remove ${existing.imageId}, which holds the name '${name}' in ${ec2.region}: ${why}. ` +
        `${what} Nothing was made or removed.`
    )
  if (existing.state === 'pending') {
    throw refuse('it is still pending (another run may be making it)', 'Wait for that run, or give this release another name.')
  }
  if (existing.deregistrationProtection !== 'disabled') {
    throw refuse(`it is protected from deregistration (${existing.deregistrationProtection})`, 'Disable the protection first if it really is to go, or give this release another name.')
  }
  const references = (await ec2.imageReferences([existing.imageId])).get(existing.imageId) ?? []
  if (references.length > 0) {
    throw refuse(`${references.join(', ')} ${references.length === 1 ? 'refers' : 'refer'} to it`, 'Point them at another image first, or give this release another name.')
  }
}

/**
 * Makes an image with `make` under `if-exists`: first settles an image that already holds the name; then, if `make`
 * is refused the name (another run took it after the look-up), settles that one and, for `replace`, makes once more,
 * a second refusal being final.
 */
export async function makeUnlessExists<T>(
  ec2: Ec2,
  name: string,
  policy: IfExists,
  clock: Clock,
  log: (line: string) => void,
  make: () => Promise<T>
): Promise<{ made: T } | { reused: OwnedImage }> {
  const existing = await settleExisting(ec2, name, policy, clock, log)
  if (existing) return { reused: existing }
  try {
    return { made: await make() }
  } catch (error) {
    if (awsErrorCode(error) !== 'InvalidAMIName.Duplicate') throw error
    const taken = await settleExisting(ec2, name, policy, clock, log, true)
    if (taken) return { reused: taken }
    if (policy !== 'replace') throw error
    return { made: await make() }
  }
}

async function findNamed(ec2: Ec2, name: string, clock: Clock, pauses: readonly number[]): Promise<OwnedImage | undefined> {
  for (const pause of pauses) {
    if (pause > 0) await clock.sleep(pause)
    const [found] = await ec2.findImagesNamed(name)
    if (found) return found
  }
  return undefined
}
