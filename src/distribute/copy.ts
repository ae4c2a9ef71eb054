/**
 * Copies of the image in other regions: CopyImage in each target region at once. Each copy enters the ledger
 * the moment EC2 names it, so that a later failure, a cancel or the post step removes it with the rest. A region
 * that already holds an image of the name (a re-run of a half-finished release), or whose name another run takes
 * meanwhile, is settled by `if-exists` as the source region is: fail, reuse that copy, or replace it.
 */
import { randomUUID } from 'node:crypto'
import type { Aws } from '../aws.js'
import type { Clock } from '../clock.js'
import type { CopyRequest } from '../ec2/index.js'
import { AwsError, awsErrorCode, describeClause, WaitError } from '../errors.js'
import { makeUnlessExists } from '../existing-image.js'
import type { IfExists } from '../settings.js'
import type { BakeState } from '../state.js'
import type { ImageRef } from '../wait/index.js'

export interface CopyOptions {
  readonly ifExists: IfExists
  readonly state: BakeState
  readonly clock: Clock
  readonly log: (line: string) => void
  /** The job's cancellation: no CopyImage starts once it is aborted. */
  readonly signal: AbortSignal
}

/** What each copy is asked for; `kmsKeyIds`: the key each region's copy is encrypted with (an ARN), else the source's encryption. */
export type CopyAsked = Omit<CopyRequest, 'sourceRegion' | 'sourceImageId' | 'clientToken' | 'kmsKeyId'> & {
  readonly kmsKeyIds?: ReadonlyMap<string, string>
}

/**
 * CopyImage of `source` into each region, in parallel. Every call is let finish before a failure is thrown, so
 * that no copy EC2 made is missing from the ledger.
 */
export async function copyToRegions(
  aws: Aws,
  source: ImageRef,
  regions: readonly string[],
  copy: CopyAsked,
  { ifExists, state, clock, log, signal }: CopyOptions
): Promise<ImageRef[]> {
  const { kmsKeyIds, ...request } = copy
  const outcomes = await Promise.allSettled(
    regions.map(async (region): Promise<ImageRef> => {
      const ec2 = aws.ec2(region)
      // One token for the region's copy, whatever sends it again: EC2 then makes at most one.
      const clientToken = randomUUID()
      const outcome = await makeUnlessExists(ec2, request.name, ifExists, clock, log, () => {
        if (signal.aborted) throw new WaitError('aborted', `The job was cancelled before CopyImage to ${region}: no copy was made there.`)
        return ec2.copyImage({ ...request, sourceRegion: source.region, sourceImageId: source.imageId, clientToken, kmsKeyId: kmsKeyIds?.get(region) })
      })
      // Reused, not made: it is not the run's to remove.
      if ('reused' in outcome) return { region, imageId: outcome.reused.imageId }
      const imageId = outcome.made
      state.record({ region, imageId, madeBy: 'CopyImage', snapshotIds: [] })
      log(`Copying ${source.imageId} to ${region} as ${imageId}${kmsKeyIds?.has(region) ? `, encrypted with ${kmsKeyIds.get(region)}` : ''}`)
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
