/**
 * The one rule of ownership: which snapshots are the run's to delete. A snapshot is the run's only if EC2 made it
 * for an image of the run, and EC2 says so in the description it writes: CreateImage's `Created by
 * CreateImage(i-…) for ami-… from vol-…`, CopyImage's `Copied for DestinationAmi ami-… from SourceAmi ami-…`. A
 * snapshot named in `block-device-mappings` or `snapshot-id` existed before the image, so its description cannot
 * name it; it is refused by name as well, whatever the mappings say. Undo, `if-exists: replace` and retention all
 * ask here before they delete a snapshot.
 */
import type { Ec2 } from './ec2/index.js'

/** Whether EC2 wrote `description` on a snapshot it made for `imageId` (CreateImage or CopyImage). */
export function madeFor(description: string, imageId: string): boolean {
  const id = escape(imageId)
  return new RegExp(`^Created by CreateImage\\(i-[0-9a-f]+\\) for ${id}( |$)`).test(description) || new RegExp(`^Copied for DestinationAmi ${id}( |$)`).test(description)
}

/**
 * Of `candidates` (the image's mappings as seen, and what a search by description found), the snapshots EC2 made
 * for `imageId`, read afresh; never one of `theUsers`. Throws when the snapshots cannot be read: nothing unread is
 * deleted.
 */
export async function snapshotsMadeFor(ec2: Ec2, imageId: string, candidates: Iterable<string>, theUsers: ReadonlySet<string> = new Set()): Promise<string[]> {
  const ids = [...new Set(candidates)].filter(id => !theUsers.has(id))
  if (ids.length === 0) return []
  const snapshots = await ec2.describeOwnSnapshots(ids)
  return snapshots.filter(snapshot => madeFor(snapshot.description, imageId)).map(snapshot => snapshot.snapshotId)
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
