/**
 * Copies of the image in other regions: CopyImage in each target region at once. Each copy enters the ledger
 * the moment EC2 names it, so that a later failure, a cancel or the post step removes it with the rest.
 */
import type { Aws } from '../aws.js'
import type { CopyRequest } from '../ec2.js'
import { AwsError, awsErrorCode, describeClause } from '../errors.js'
import type { BakeState } from '../state.js'
import type { ImageRef } from '../wait/index.js'

/**
 * CopyImage of `source` into each region, in parallel. Every call is let finish before a failure is thrown, so
 * that no copy EC2 made is missing from the ledger.
 */
export async function copyToRegions(
  aws: Aws,
  source: ImageRef,
  regions: readonly string[],
  copy: Omit<CopyRequest, 'sourceRegion' | 'sourceImageId'>,
  state: BakeState,
  log: (line: string) => void
): Promise<ImageRef[]> {
  const outcomes = await Promise.allSettled(
    regions.map(async (region): Promise<ImageRef> => {
      const imageId = await aws.ec2(region).copyImage({ ...copy, sourceRegion: source.region, sourceImageId: source.imageId })
      state.record({ region, imageId, madeBy: 'CopyImage', snapshotIds: [] })
      log(`Copying ${source.imageId} to ${region} as ${imageId}`)
      return { region, imageId }
    })
  )
  const failures = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ region: regions[i], error: outcome.reason as unknown }] : []))
  if (failures.length > 0) {
    const what = failures.map(({ region, error }) => `to ${region}: ${describeClause(error)}`).join('; ')
    throw new AwsError('CopyImage', awsErrorCode(failures[0].error), `Could not copy ${source.imageId} ${what}.`, failures[0].error)
  }
  return outcomes.map(outcome => (outcome as PromiseFulfilledResult<ImageRef>).value)
}
