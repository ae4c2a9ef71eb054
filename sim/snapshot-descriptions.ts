// The descriptions EC2 gives the snapshots it makes for an image. They are the only place EC2 records which image
// a snapshot was made for, so a cleaner tells an image's own snapshots from the user's by them.

/** EC2 gives a copied snapshot this volume id: the volume it came from is in another region. */
export const COPIED_VOLUME = 'vol-ffffffff'

/** CreateImage's: one per instance volume it snapshots. */
export function createImageDescription(instanceId: string, imageId: string, volumeId: string): string {
  return `Created by CreateImage(${instanceId}) for ${imageId} from ${volumeId}`
}

/**
 * CopyImage's: one per snapshot of the source, ending with the copy task's start in epoch ms written with thousands
 * separators, as EC2 writes it ("… Task created on 1,629,998,298,383.").
 */
export function copyImageDescription(destinationImageId: string, sourceImageId: string, sourceSnapshotId: string, createdAt: number): string {
  const grouped = String(Math.trunc(createdAt)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `Copied for DestinationAmi ${destinationImageId} from SourceAmi ${sourceImageId} for SourceSnapshot ${sourceSnapshotId}. Task created on ${grouped}.`
}
