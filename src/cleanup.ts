/**
 * Removes an image this run made, and the snapshots EC2 made for it (`ownership.ts`), and nothing else; takes back
 * the permissions the run granted. Idempotent: what is already gone counts as removed, so main and post can both
 * try. A registered image is only deregistered: its snapshots were the user's before the run and stay theirs.
 */
import * as core from '@actions/core'
import type { Aws } from './aws.js'
import type { Ec2 } from './ec2/index.js'
import { AwsError, describeError } from './errors.js'
import { snapshotsMadeFor } from './ownership.js'
import { restoreHandOffs } from './restore-hand-off.js'
import { ownsSnapshots, type BakeState, type Grant } from './state.js'
import type { Clock } from './clock.js'

/** An image to remove, and what is known of it. */
export interface Removal {
  readonly imageId: string
  /** Whether EC2 made snapshots for it (CreateImage, CopyImage); a registered image has none of its own. */
  readonly ownsSnapshots: boolean
  /** Snapshots seen in its mappings; only those EC2 made for it are deleted. */
  readonly snapshotIds: readonly string[]
  /** Its last known state; once 'failed', EC2 makes no more snapshots for it. */
  readonly state?: string
}

export interface CleanupOptions {
  /**
   * How long to keep looking for snapshots of an image deregistered while pending: EC2 goes on making
   * them, and only then can they be deleted.
   */
  readonly lookForSnapshotsMs: number
  readonly log: (line: string) => void
  /** Snapshots the inputs name: never deleted, whatever an image maps. */
  readonly theUsers?: ReadonlySet<string>
}

export interface CleanupResult {
  /** Ids removed (or found already gone). */
  readonly removed: readonly string[]
  /** Ids that could not be removed, each with why. */
  readonly left: readonly { id: string; reason: string }[]
  /**
   * No snapshot of a pending image appeared while we looked: EC2 may still make some, so the image is
   * not known to be fully removed.
   */
  readonly snapshotsUnseen: boolean
}

const LOOK_INTERVAL_MS = 2000
const IN_USE_RETRIES = 5

export async function removeImage(ec2: Ec2, image: Removal, clock: Clock, options: CleanupOptions): Promise<CleanupResult> {
  const removed: string[] = []
  const left: { id: string; reason: string }[] = []
  const { imageId } = image
  try {
    // Never DeleteAssociatedSnapshots: it would delete a snapshot of the user's that the image maps.
    const deregistered = await ec2.deregisterImage(imageId)
    removed.push(imageId)
    options.log(deregistered ? `Deregistered ${imageId} in ${ec2.region}` : `${imageId} was already deregistered`)
  } catch (error) {
    // Without deregistering, its snapshots cannot be deleted either.
    left.push({ id: imageId, reason: describeError(error) })
    return { removed, left, snapshotsUnseen: false }
  }
  // No search by CreateImage's description either: RegisterImage made no snapshot to find.
  if (!image.ownsSnapshots) return { removed, left, snapshotsUnseen: false }

  const candidates = new Set(image.snapshotIds)
  const makesNoMore = image.state === 'failed'
  const deadline = clock.now() + (makesNoMore ? 0 : options.lookForSnapshotsMs)
  for (;;) {
    try {
      for (const id of await ec2.findSnapshotsOf(imageId)) candidates.add(id)
    } catch (error) {
      options.log(`Could not look for snapshots of ${imageId}: ${describeError(error)}`)
    }
    // A pending image may be deregistered before EC2 has made its snapshots: keep looking until some exist.
    if (candidates.size > 0 || clock.now() >= deadline) break
    await clock.sleep(LOOK_INTERVAL_MS)
  }

  let owned: string[]
  try {
    owned = await snapshotsMadeFor(ec2, imageId, candidates, options.theUsers)
  } catch (error) {
    // What cannot be read is not deleted: it may be the user's.
    const reason = `could not read its description to check that EC2 made it for ${imageId}: ${describeError(error)}`
    left.push(...[...candidates].map(id => ({ id, reason })))
    return { removed, left, snapshotsUnseen: false }
  }
  for (const id of owned) {
    const outcome = await deleteSnapshot(ec2, id, clock)
    if (outcome === true) {
      removed.push(id)
      options.log(`Deleted snapshot ${id}`)
    } else {
      left.push({ id, reason: outcome })
    }
  }
  return { removed, left, snapshotsUnseen: candidates.size === 0 && !makesNoMore }
}

/** true, or why the snapshot could not be deleted. */
export async function deleteSnapshot(ec2: Ec2, id: string, clock: Clock): Promise<true | string> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ec2.deleteSnapshot(id)
      return true
    } catch (error) {
      // Right after DeregisterImage, EC2 may still see the snapshot as in use for a moment.
      const inUse = error instanceof AwsError && error.code === 'InvalidSnapshot.InUse'
      if (!inUse || attempt >= IN_USE_RETRIES) return describeError(error)
      await clock.sleep(LOOK_INTERVAL_MS * attempt)
    }
  }
}

/** One line per id left behind, with the command that removes it by hand. */
export function manualCleanup(region: string, left: CleanupResult['left']): string {
  return left
    .map(({ id, reason }) =>
      id.startsWith('ami-')
        ? `${id} (${reason}): aws ec2 deregister-image --region ${region} --image-id ${id}`
        : `${id} (${reason}): aws ec2 delete-snapshot --region ${region} --snapshot-id ${id}`
    )
    .join('\n')
}

/**
 * Removes every image in the ledger that is not removed yet, or, with cleanup-on-failure off, says what
 * is left and how to remove it. Marks the state finished once nothing is left for post to do.
 */
export async function undo(aws: Aws, state: BakeState, clock: Clock, lookForSnapshotsMs: number): Promise<void> {
  // First what outlives the run (a user's snapshot, a reused image): it must not stay shared. Even with
  // cleanup-on-failure off: an image kept for inspection is not kept for other accounts.
  for (const grant of state.grants()) await revoke(aws, state, grant)
  // Then what points at the images (a parameter, a launch template), before the images go: nothing may launch a
  // removed image.
  if (state.cleanupOnFailure) for (const problem of await restoreHandOffs(aws, state, line => core.info(line))) core.warning(problem)
  for (const entry of state.entries().filter(held => !held.removed)) {
    if (!state.cleanupOnFailure) {
      const kept = [entry.imageId, ...(ownsSnapshots(entry) ? entry.snapshotIds : [])].map(id => ({ id, reason: 'kept' }))
      core.warning(
        `Left image ${entry.imageId} in ${entry.region} for inspection ('cleanup-on-failure: false'). ` +
          `Remove it when done:\n${manualCleanup(entry.region, kept)}`
      )
      continue
    }
    core.info(`Cleaning up ${entry.imageId} in ${entry.region}`)
    const removal = { ...entry, ownsSnapshots: ownsSnapshots(entry) }
    const { removed, left, snapshotsUnseen } = await removeImage(aws.ec2(entry.region), removal, clock, {
      lookForSnapshotsMs,
      log: line => core.info(line),
      theUsers: state.usersSnapshots
    })
    if (snapshotsUnseen) {
      // Not marked removed, so that post looks again.
      core.warning(
        `No snapshot of ${entry.imageId} appeared within ${Math.round(lookForSnapshotsMs / 1000)} s of deregistering it; EC2 may still make some. ` +
          `Find them with: aws ec2 describe-snapshots --region ${entry.region} --owner-ids self --filters 'Name=description,Values=*${entry.imageId}*'`
      )
    } else if (left.length === 0) {
      state.record({ ...entry, removed: true })
      core.info(`Removed ${removed.join(', ')}`)
    } else {
      // Post tries again; this says what is still there in case it cannot either.
      core.warning(`Could not remove everything this run made in ${entry.region}:\n${manualCleanup(entry.region, left)}`)
    }
  }
  const done =
    state.grants().length === 0 && (!state.cleanupOnFailure || (state.handOffs().length === 0 && state.entries().every(held => held.removed)))
  if (done) state.markFinished()
}

/** Takes back one grant: removes exactly the permissions the run added; a resource already gone has none left. */
async function revoke(aws: Aws, state: BakeState, grant: Grant): Promise<void> {
  const ec2 = aws.ec2(grant.region)
  const { resourceId, added } = grant
  try {
    if (grant.kind === 'launch') await ec2.unshareImage(resourceId, added)
    else await ec2.unshareSnapshot(resourceId, added.accounts)
    state.revoked(grant)
    core.info(`Took back the ${grant.kind} permission this run gave on ${resourceId} in ${grant.region}`)
  } catch (error) {
    if (error instanceof AwsError && /NotFound$/.test(error.code)) {
      state.revoked(grant)
      return
    }
    const how =
      grant.kind === 'launch'
        ? `aws ec2 modify-image-attribute --region ${grant.region} --image-id ${resourceId} --launch-permission 'Remove=[${describeRemove(added)}]'`
        : `aws ec2 modify-snapshot-attribute --region ${grant.region} --snapshot-id ${resourceId} --attribute createVolumePermission --operation-type remove --user-ids ${added.accounts.join(' ')}`
    core.warning(`Could not take back the ${grant.kind} permission this run gave on ${resourceId} in ${grant.region}: ${describeError(error)} Take it back by hand:\n${how}`)
  }
}

function describeRemove(added: Grant['added']): string {
  return [
    ...added.accounts.map(id => `{UserId=${id}}`),
    ...added.organizations.map(arn => `{OrganizationArn=${arn}}`),
    ...added.ous.map(arn => `{OrganizationalUnitArn=${arn}}`)
  ].join(',')
}
