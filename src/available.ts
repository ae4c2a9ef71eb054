/**
 * Waits until a list of images (the source, or its copies) is available, through the one waiter, and turns any
 * other verdict into the sentence that fails the step, naming each image that did not make it by region.
 */
import * as core from '@actions/core'
import type { Aws } from './aws.js'
import type { Clock } from './clock.js'
import { formatDuration } from './duration.js'
import { WaitError } from './errors.js'
import type { ImageObservation } from './observations.js'
import type { BakeState } from './state.js'
import { waitForImages, type ImageRef, type ImageResult } from './wait/index.js'

export interface AvailableImage extends ImageRef {
  readonly image: ImageObservation
  /** How long the wait for this image took. */
  readonly waitedMs: number
}

export interface WaitSettings {
  readonly clock: Clock
  readonly signal: AbortSignal
  readonly timeoutMs: number
}

/** Each image, once all are available; throws a WaitError naming every image that is not. */
export async function waitUntilAvailable(
  aws: Aws,
  images: readonly ImageRef[],
  state: BakeState,
  { clock, signal, timeoutMs }: WaitSettings
): Promise<AvailableImage[]> {
  const ids = images.map(image => image.imageId).join(', ')
  if (signal.aborted) throw new WaitError('aborted', `The job was cancelled before waiting for ${ids}.`)
  const results = await waitForImages(images, {
    clock,
    timeoutMs,
    signal,
    log: line => core.info(line),
    sourceFor: region => {
      const ec2 = aws.ec2(region)
      return {
        describeImage: async imageId => {
          const image = await ec2.describeImage(imageId)
          // Snapshot ids go to state as soon as they are known, so that post can remove them (if they are ours).
          if (image && state.holds(imageId)) state.observe(imageId, image)
          return image
        },
        describeSnapshots: snapshotIds => ec2.describeSnapshots(snapshotIds)
      }
    }
  })
  const failures = results.filter(result => result.verdict !== 'available')
  if (failures.length === 0) return results.map(result => ({ ...placed(result), image: result.image!, waitedMs: result.elapsedMs }))
  // One verdict decides the kind of failure: a cancel, then a timeout, then what EC2 did.
  const outcome = (['aborted', 'timeout', 'gone', 'failed'] as const).find(kind => failures.some(result => result.verdict === kind))!
  throw new WaitError(outcome, failures.map(result => explainVerdict(result, timeoutMs)).join(' '))
}

function placed(result: ImageResult): ImageRef {
  return { region: result.region, imageId: result.imageId }
}

/** One sentence on why an image is not available. */
function explainVerdict(result: ImageResult, timeoutMs: number): string {
  const { imageId, region } = result
  const waited = formatDuration(result.elapsedMs)
  switch (result.verdict) {
    case 'failed':
      return `Image ${imageId} in ${region} ended '${result.image?.state}' after ${waited}: ${stateReason(result.image)}`
    case 'gone':
      return (
        `Image ${imageId} in ${region} was deregistered outside this step ${waited} into the wait: EC2 no longer shows it. ` +
        `Find who deregistered it in CloudTrail (DeregisterImage), stop that, and re-run the job.`
      )
    case 'timeout':
      return (
        `Image ${imageId} in ${region} was still '${result.image?.state ?? 'pending'}' when 'wait-timeout' (${formatDuration(timeoutMs)}) ran out. ` +
        `Raise 'wait-timeout' for large volumes, or set 'wait: false' and wait in a later job.`
      )
    case 'aborted':
      return `The job was cancelled while waiting for ${imageId} in ${region} (${waited} in).`
    case 'available':
      return `Image ${imageId} in ${region} is available.`
  }
}

/** EC2's StateReason as `code: message`; EC2 often starts the message with the code already. */
function stateReason(image: ImageObservation | undefined): string {
  const { code, message } = image?.stateReason ?? {}
  if (!code && !message) return 'EC2 gave no reason'
  if (!code || message?.startsWith(code)) return message!
  return message ? `${code}: ${message}` : code
}
