import type { Identities, Identity } from './identities.js'
import { parseAmzDate, parseAuthorization, signatureMatches, type SignedRequest } from './sigv4.js'

// Who signed a request, or why nobody believably did. The endpoints turn each problem into their own
// service's error code (EC2 AuthFailure vs STS SignatureDoesNotMatch, and so on).

export type AuthProblem =
  | 'missing' //         no Authorization header
  | 'malformed' //       not a SigV4 header, or no X-Amz-Date
  | 'wrong-service' //   scoped to another service
  | 'unknown-key' //     access key id never issued
  | 'bad-signature' //   signature does not match the secret
  | 'bad-token' //       X-Amz-Security-Token missing, wrong, or sent with a user's key
  | 'expired' //         session credentials past their lifetime
  | 'skewed' //          X-Amz-Date more than 15 minutes off

export type AuthOutcome =
  | { ok: true; identity: Identity; region: string }
  | { ok: false; problem: AuthProblem; region?: string; accessKeyId?: string }

/** AWS refuses signatures dated more than 15 minutes away from its own clock. */
const MAX_SKEW_MS = 15 * 60 * 1000

export function authenticate(request: SignedRequest, service: string, identities: Identities, now: number): AuthOutcome {
  const header = request.headers.authorization
  if (!header) return { ok: false, problem: 'missing' }
  const auth = parseAuthorization(header)
  const amzDate = request.headers['x-amz-date']
  const signedAt = typeof amzDate === 'string' ? parseAmzDate(amzDate) : undefined
  if (!auth || typeof amzDate !== 'string' || signedAt === undefined || !amzDate.startsWith(auth.date)) {
    return { ok: false, problem: 'malformed', region: auth?.region }
  }
  const { region, accessKeyId } = auth
  if (auth.service !== service) return { ok: false, problem: 'wrong-service', region, accessKeyId }
  const identity = identities.lookup(accessKeyId)
  if (!identity) return { ok: false, problem: 'unknown-key', region, accessKeyId }
  if (!signatureMatches(request, auth, amzDate, identity.secretAccessKey)) {
    return { ok: false, problem: 'bad-signature', region, accessKeyId }
  }
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) return { ok: false, problem: 'skewed', region, accessKeyId }
  const token = request.headers['x-amz-security-token']
  // A session key works only with its own token, and a user's key only without one.
  if (token !== identity.sessionToken) {
    return { ok: false, problem: 'bad-token', region, accessKeyId }
  }
  if (identity.expiresAt !== undefined && now >= identity.expiresAt) {
    return { ok: false, problem: 'expired', region, accessKeyId }
  }
  return { ok: true, identity, region }
}
