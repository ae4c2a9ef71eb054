import { randomBytes, randomUUID } from 'node:crypto'

// Identifier shapes as AWS issues them, so that the action's own id checks and log masking see the real thing.

/** ami-, snap-, vol-, i-, r- (reservation), lt- (launch template) followed by 17 lowercase hex digits. */
export function resourceId(prefix: 'ami' | 'snap' | 'vol' | 'i' | 'r' | 'lt'): string {
  return `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** AKIA (IAM user), ASIA (STS session), AROA (role), AIDA (user id) and 16 or 17 base-32 characters. */
export function keyId(prefix: 'AKIA' | 'ASIA' | 'AROA' | 'AIDA', length = 16): string {
  return prefix + Array.from(randomBytes(length), (b) => BASE32[b % 32]).join('')
}

/** 40 characters from the base-64 alphabet, like a real secret access key. */
export function secretAccessKey(): string {
  return randomBytes(30).toString('base64')
}

/** Real session tokens are several hundred base-64 characters; length matters to anything that masks or logs them. */
export function sessionToken(): string {
  return 'IQoJb3JpZ2luX2Vj' + randomBytes(300).toString('base64')
}

/** A hex string of `bytes` random bytes (commit SHAs, run ids). */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex')
}

export function requestId(): string {
  return randomUUID()
}
