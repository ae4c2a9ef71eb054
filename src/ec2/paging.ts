/** Lists too long for one call: batches within EC2's limits, and the loops that read every page. */
import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client, type Filter, type Snapshot } from '@aws-sdk/client-ec2'
import type { CallContext } from '../errors.js'
import type { Call } from './calls.js'
import { ownedImage } from './shapes.js'
import type { OwnedImage } from './types.js'

/** EC2 takes at most this many values in one filter. */
export const FILTER_VALUES_MAX = 200
/** DescribeImageReferences takes at most this many image ids a call. */
export const IMAGE_REFERENCES_IDS_MAX = 10

/** `items` in lists of at most `size`, in order; none for none. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const lists: T[][] = []
  for (let i = 0; i < items.length; i += size) lists.push(items.slice(i, i + size))
  return lists
}

/**
 * DescribeSnapshots of the account's own snapshots among these, every page, through a `snapshot-id` filter (at most
 * 200 values a call): a snapshot gone, or not shown yet, is left out instead of failing the call
 * (InvalidSnapshot.NotFound).
 */
export async function ownSnapshots(call: Call, client: EC2Client, snapshotIds: readonly string[]): Promise<Snapshot[]> {
  const found: Snapshot[] = []
  for (const batch of batches(snapshotIds, FILTER_VALUES_MAX)) {
    let NextToken: string | undefined
    do {
      const output = await call('DescribeSnapshots', {}, () =>
        client.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id', Values: batch }], NextToken }))
      )
      found.push(...(output.Snapshots ?? []))
      NextToken = output.NextToken
    } while (NextToken)
  }
  return found
}

/** DescribeImages of the account's own images, every page, keeping those `exact` accepts (filters take wildcards). */
export async function findImages(
  call: Call,
  client: EC2Client,
  where: Partial<CallContext>,
  Filters: Filter[],
  exact: (image: OwnedImage) => boolean
): Promise<OwnedImage[]> {
  const found: OwnedImage[] = []
  let NextToken: string | undefined
  do {
    const output = await call('DescribeImages', where, () => client.send(new DescribeImagesCommand({ Owners: ['self'], Filters, NextToken })))
    found.push(...(output.Images ?? []).map(ownedImage).filter(exact))
    NextToken = output.NextToken
  } while (NextToken)
  return found
}
