import { imageArn, type Ec2Action } from './ec2-call.js'
import { assertIdFormat } from './ec2-id-format.js'
import { isoTime } from './ec2-render.js'
import type { ImageRecord } from './ec2-state.js'
import { readBoolean, requireParam, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { leaf } from './xml.js'

// Deregistration protection: while it is on, DeregisterImage refuses the image whoever asks. Turned on "with
// cooldown", it holds for 24 hours after it is turned off. Everything is computed from the sim's clock when asked.

export const COOLDOWN_MS = 24 * 60 * 60 * 1000

/** An image's protection; `protectedUntil` (epoch ms) is the end of a cooldown started by turning it off. */
export interface Protection {
  enabled: boolean
  withCooldown: boolean
  protectedUntil?: number
}

export const UNPROTECTED: Protection = { enabled: false, withCooldown: false }

/**
 * What DescribeImages shows as DeregistrationProtection (and Enable/Disable answer as `return`):
 * `enabled-without-cooldown`, `enabled-with-cooldown`, `disabled-until <ISO time>` during a cooldown, or `disabled`.
 */
export function protectionState(image: ImageRecord, now: number): string {
  const { enabled, withCooldown, protectedUntil } = image.protection
  if (enabled) return withCooldown ? 'enabled-with-cooldown' : 'enabled-without-cooldown'
  if (protectedUntil !== undefined && now < protectedUntil) return `disabled-until ${isoTime(protectedUntil)}`
  return 'disabled'
}

/** DeregisterImage's refusal of a protected image, or nothing. */
export function assertDeregistrable(image: ImageRecord, now: number): void {
  const { enabled, protectedUntil } = image.protection
  if (enabled) {
    throw new ServiceError(
      400,
      'OperationNotPermitted',
      `The image '${image.imageId}' has deregistration protection enabled and cannot be deregistered. Disable deregistration protection first.`
    )
  }
  if (protectedUntil !== undefined && now < protectedUntil) {
    throw new ServiceError(
      400,
      'OperationNotPermitted',
      `The image '${image.imageId}' cannot be deregistered until ${isoTime(protectedUntil)}: its deregistration protection was enabled with a 24-hour cooldown.`
    )
  }
}

function readImageId(params: Params): string {
  const imageId = requireParam(params, 'ImageId')
  assertIdFormat('ami', imageId)
  return imageId
}

export const enableImageDeregistrationProtection: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const imageId = readImageId(params)
  const withCooldown = readBoolean(params, 'WithCooldown', 'withCooldown') ?? false
  call.authorize(imageArn(region, imageId))

  const image = state.liveImage(region, imageId)
  // A cooldown already running keeps running: turning protection back on never shortens it.
  image.protection = { ...image.protection, enabled: true, withCooldown }
  return leaf('return', protectionState(image, now))
}

export const disableImageDeregistrationProtection: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const imageId = readImageId(params)
  call.authorize(imageArn(region, imageId))

  const image = state.liveImage(region, imageId)
  const { enabled, withCooldown, protectedUntil } = image.protection
  if (enabled) {
    // The later of a cooldown already running and the one this starts.
    const ends = [protectedUntil, withCooldown ? now + COOLDOWN_MS : undefined].filter((end): end is number => end !== undefined)
    image.protection = { enabled: false, withCooldown: false, protectedUntil: ends.length > 0 ? Math.max(...ends) : undefined }
  }
  return leaf('return', protectionState(image, now))
}
