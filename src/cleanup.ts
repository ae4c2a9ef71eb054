/**
 * Removes an image this run made, and its snapshots, and nothing else. Idempotent: what is already
 * gone counts as removed, so main and post can both try. A registered image is only deregistered: its
 * snapshots were the user's before the run and stay theirs.
 */
import * as core from '@actions/core'
import type { Aws } from './aws.js'
import type { Ec2 } from './ec2.js'
import { AwsError, describeError } from './errors.js'
import { ownsSnapshots, type BakeState, type LedgerEntry } from './state.js'
import type { Clock } from './clock.js'

export interface CleanupOptions {
  /**
   * How long to keep looking for snapshots of an image deregistered while pending: EC2 goes on making
   * them, and only then can they be deleted.
   */
  readonly lookForSnapshotsMs: number
  readonly log: (line: string) => void
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

export async function removeImage(
  ec2: Ec2,
  entry: LedgerEntry,
  clock: Clock,
  options: CleanupOptions
): Promise<CleanupResult> {
  const removed: string[] = []
  const left: { id: string; reason: string }[] = []

  const owned = ownsSnapshots(entry) ? entry.snapshotIds : []
  try {
    // Never DeleteAssociatedSnapshots: for a registered image it would delete the user's snapshot.
    const deregistered = await ec2.deregisterImage(entry.imageId)
    removed.push(entry.imageId)
    options.log(deregistered ? `Deregistered ${entry.imageId} in ${ec2.region}` : `${entry.imageId} was already deregistered`)
  } catch (error) {
    // Without deregistering, its snapshots cannot be deleted either.
    left.push({ id: entry.imageId, reason: describeError(error) }, ...owned.map(id => ({ id, reason: `belongs to ${entry.imageId}` })))
    return { removed, left, snapshotsUnseen: false }
  }
  // No search by CreateImage's description either: RegisterImage made no snapshot to find.
  if (!ownsSnapshots(entry)) return { removed, left, snapshotsUnseen: false }

  const snapshots = new Set(owned)
  const makesNoMore = entry.state === 'failed'
  const deadline = clock.now() + (makesNoMore ? 0 : options.lookForSnapshotsMs)
  for (;;) {
    try {
      for (const id of await ec2.findSnapshotsOf(entry.imageId)) snapshots.add(id)
    } catch (error) {
      options.log(`Could not look for snapshots of ${entry.imageId}: ${describeError(error)}`)
    }
    // A pending image may be deregistered before EC2 has made its snapshots: keep looking until some exist.
    if (snapshots.size > 0 || clock.now() >= deadline) break
    await clock.sleep(LOOK_INTERVAL_MS)
  }

  for (const id of snapshots) {
    const outcome = await deleteSnapshot(ec2, id, clock)
    if (outcome === true) {
      removed.push(id)
      options.log(`Deleted snapshot ${id}`)
    } else {
      left.push({ id, reason: outcome })
    }
  }
  return { removed, left, snapshotsUnseen: snapshots.size === 0 && !makesNoMore }
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
    const { removed, left, snapshotsUnseen } = await removeImage(aws.ec2(entry.region), entry, clock, {
      lookForSnapshotsMs,
      log: line => core.info(line)
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
  if (!state.cleanupOnFailure || state.entries().every(held => held.removed)) state.markFinished()
}
