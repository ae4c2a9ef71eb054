/**
 * Deregistration protection, the last step of a release: EnableImageDeregistrationProtection on every image, once
 * everything else has succeeded. The release stands whatever happens here, so each failure is a warning naming the
 * image and how to protect it by hand.
 */
import type { Aws } from '../aws.js'
import { describeClause } from '../errors.js'
import type { DeregistrationProtection } from '../settings.js'
import type { ImageRef } from '../wait/index.js'

export interface ProtectOptions {
  readonly log: (line: string) => void
  /** The job's cancellation: once aborted, nothing is protected (the release stands all the same). */
  readonly signal: AbortSignal
}

/** Protects each image; returns one sentence per image that could not be protected. */
export async function protect(aws: Aws, images: readonly ImageRef[], protection: DeregistrationProtection, { log, signal }: ProtectOptions): Promise<string[]> {
  if (protection === 'off') return []
  if (signal.aborted) return [`The job was cancelled before ${images.map(image => image.imageId).join(', ')} could be protected from deregistration. The release stands.`]
  const withCooldown = protection === 'on-with-cooldown'
  const outcomes = await Promise.allSettled(images.map(({ region, imageId }) => aws.ec2(region).protectImage(imageId, withCooldown)))
  const problems: string[] = []
  for (const [i, outcome] of outcomes.entries()) {
    const { region, imageId } = images[i]
    if (outcome.status === 'fulfilled') {
      log(`${imageId} in ${region} is protected from deregistration${withCooldown ? ', with a 24-hour cooldown' : ''}`)
      continue
    }
    problems.push(
      `Could not protect ${imageId} in ${region} from deregistration: ${describeClause(outcome.reason)}. The release stands; protect it by hand: ` +
        `aws ec2 enable-image-deregistration-protection --region ${region} --image-id ${imageId}${withCooldown ? ' --with-cooldown' : ''}`
    )
  }
  return problems
}
