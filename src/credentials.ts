/**
 * AWS credentials for the bake: GitHub OIDC token -> STS AssumeRoleWithWebIdentity, renewed with a
 * fresh OIDC token before they expire or when AWS says they expired (a runner's ID tokens live
 * minutes, a bake can take hours). Every secret is masked the moment it exists.
 *
 * Renewal never throws good credentials away. From the moment a quarter of the session is left (at
 * most 5 minutes before expiry) it is tried in the background, with backoff and jitter, while every
 * request keeps signing with the credentials held. Only a request that finds them expired waits, and
 * the step fails only if renewal still fails then. So a token endpoint that is down for less than the
 * renewal window costs nothing, and however many requests come in meanwhile, each session is renewed
 * by one exchange at a time (the SDK would otherwise ask for every request in its refresh window).
 */
import { fromWebToken } from '@aws-sdk/credential-providers'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import { formatDuration } from './duration.js'
import { AwsError, awsErrorCode, describeClause, describeError } from './errors.js'
import type { CredentialSettings } from './settings.js'

type OidcSettings = Extract<CredentialSettings, { kind: 'oidc' }>

export interface OidcDeps {
  /** `core.getIDToken`: fetches and masks a GitHub OIDC token for the audience. */
  getIDToken(audience: string): Promise<string>
  /** `core.setSecret`. */
  mask(secret: string): void
  /** `core.info`: a line of the story (renewals, and renewal trouble while the held credentials last). */
  info(line: string): void
  now(): number
  /** Waits while a request is held up for credentials; ends early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /**
   * Waits before and between background renewal attempts; ends early when `signal` aborts. Unlike `sleep`
   * it must not keep the process alive: once the bake is done the step ends, whatever renewal had planned.
   */
  idle(ms: number, signal?: AbortSignal): Promise<void>
  /** In [0, 1): spreads retries, so that the jobs one outage hit do not all retry in step. */
  random(): number
  /** Whether the runner gave this job an ID-token endpoint (`permissions: id-token: write`). */
  canRequestIdToken(): boolean
  /** The job's cancellation: stops renewal, and a request held up for credentials stops retrying. */
  readonly signal?: AbortSignal
}

/** A credentials provider the SDK uses as is (`memoized`): the SDK asks it for every request it signs. */
export interface RoleCredentials {
  readonly provider: AwsCredentialIdentityProvider & { memoized: true }
  /**
   * AWS refused a call as expired. The credentials held when that call started (`since`, on `now()`'s
   * clock; default: whatever is held) are dead, and the next request waits for new ones. Credentials
   * obtained after `since` are kept: the refused call did not sign with them.
   */
  renew(since?: number): void
}

/** Attempts at STS (throttling, 5xx, dropped connections; the SDK's retry strategy). */
export const MAX_ATTEMPTS = 8
/** Exchanges (token, then AssumeRoleWithWebIdentity) a request that holds no valid credentials waits for. */
const ACQUIRE_ATTEMPTS = 4
/** Renewal starts when this share of the session is left, */
const RENEW_SHARE = 1 / 4
/** and at most this long before expiry, as the SDK's own providers do. */
const RENEW_LEAD_MAX_MS = 5 * 60 * 1000
const BACKOFF_BASE_MS = 1000
const BACKOFF_CAP_MS = 30_000

interface Session {
  readonly credentials: AwsCredentialIdentity
  readonly obtainedAt: number
  /** When they stop working; undefined: not known, AWS will say (RequestExpired). renew() brings it forward. */
  expiresAt: number | undefined
  /** When background renewal starts; undefined: never. */
  readonly renewAt: number | undefined
  /** Stops this session's background renewal. */
  readonly stop: AbortController
}

export function roleCredentials(settings: OidcSettings, region: string, deps: OidcDeps): RoleCredentials {
  let held: Session | undefined
  /** The one exchange in flight: background renewal and held-up requests share it. */
  let exchange: Promise<Session> | undefined
  /** Requests held up for credentials share one acquisition. */
  let acquiring: Promise<AwsCredentialIdentity> | undefined
  /** Exchanges tried since the last success, and since when: for the sentence if renewal fails. */
  let tries = 0
  let triesSince = 0

  const obtain = async (): Promise<Session> => {
    if (!deps.canRequestIdToken()) {
      throw new AwsError(
        'AssumeRoleWithWebIdentity',
        'MissingIdTokenPermission',
        `'role-to-assume' is set but this job cannot request a GitHub OIDC token. ` +
          `Give the job 'permissions: id-token: write' (and 'contents: read') in the workflow.`
      )
    }
    const token = await deps.getIDToken(settings.audience).catch((error: unknown) => {
      throw new AwsError('GetIDToken', 'IdTokenRequestFailed', describeTokenFailure(error), error)
    })
    try {
      const credentials = await fromWebToken({
        roleArn: settings.roleArn,
        roleSessionName: settings.sessionName,
        durationSeconds: settings.durationSeconds,
        webIdentityToken: token,
        clientConfig: { region, maxAttempts: MAX_ATTEMPTS }
      })()
      for (const secret of [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]) {
        if (secret) deps.mask(secret)
      }
      return newSession(credentials, deps.now())
    } catch (error) {
      throw explainAssumeRoleError(error, settings, token)
    }
  }

  const install = (session: Session): void => {
    const renewed = held !== undefined
    held?.stop.abort()
    held = session
    if (renewed) {
      const until = session.expiresAt === undefined ? '' : `, valid until ${isoSeconds(session.expiresAt)}`
      deps.info(`Renewed the AWS credentials of ${settings.roleArn}${tries > 1 ? ` after ${tries} attempts` : ''}${until}.`)
    }
    tries = 0
    void renewInBackground(session)
  }

  /** Starts an exchange, or joins the one in flight; whoever started it, its credentials are installed once. */
  const exchangeOnce = (): Promise<Session> => {
    if (exchange) return exchange
    if (tries++ === 0) triesSince = deps.now()
    const current = obtain()
    exchange = current
    // Registered before any caller awaits it, so the new session is held before they carry on.
    current.then(
      session => {
        exchange = undefined
        install(session)
      },
      () => (exchange = undefined)
    )
    return current
  }

  const renewInBackground = async (session: Session): Promise<void> => {
    if (session.renewAt === undefined || deps.signal?.aborted) return
    const { signal } = session.stop
    const cancel = (): void => session.stop.abort()
    deps.signal?.addEventListener('abort', cancel, { once: true })
    try {
      await deps.idle(session.renewAt - deps.now(), signal)
      for (let attempt = 1; !signal.aborted; attempt++) {
        try {
          await exchangeOnce()
          return
        } catch (error) {
          const left = (session.expiresAt ?? Infinity) - deps.now()
          if (attempt === 1) {
            const until = session.expiresAt === undefined ? '' : ` (until ${isoSeconds(session.expiresAt)})`
            deps.info(`Could not renew the AWS credentials yet: ${describeClause(error)}. The held ones are used meanwhile${until}.`)
          }
          // Past expiry the requests that need credentials take over (acquire); a lasting failure can wait for them.
          if (!isPassing(error) || !(left > 0)) return
          // Never sleeps past expiry, so that the last try comes no later than the moment it is needed.
          await deps.idle(Math.min(backoff(attempt, deps.random()), left), signal)
        }
      }
    } finally {
      deps.signal?.removeEventListener('abort', cancel)
    }
  }

  const acquire = async (): Promise<AwsCredentialIdentity> => {
    const expired = held
    // From here renewal is this request's business; an exchange in flight is joined, not repeated.
    expired?.stop.abort()
    const fail = (error: unknown): AwsError => explainFailure(error, settings, expired, { tries, forMs: deps.now() - triesSince })
    for (let attempt = 1; ; attempt++) {
      try {
        return (await exchangeOnce()).credentials
      } catch (error) {
        if (!isPassing(error) || attempt >= ACQUIRE_ATTEMPTS || deps.signal?.aborted) throw fail(error)
        await deps.sleep(backoff(attempt, deps.random()), deps.signal)
        if (deps.signal?.aborted) throw fail(error)
      }
    }
  }

  const provider = Object.assign(
    async (): Promise<AwsCredentialIdentity> => {
      if (held && isValid(held, deps.now())) return held.credentials
      // A failed acquisition is not kept: the next request tries again.
      acquiring ??= acquire().finally(() => (acquiring = undefined))
      return acquiring
    },
    { memoized: true as const }
  )

  const renew = (since = Infinity): void => {
    if (!held || held.obtainedAt > since) return
    held.expiresAt = Math.min(held.expiresAt ?? Infinity, deps.now())
  }

  return { provider, renew }
}

function newSession(credentials: AwsCredentialIdentity, obtainedAt: number): Session {
  const expiresAt = credentials.expiration?.getTime()
  const stop = new AbortController()
  // An Expiration already past by our clock says our clock is off rather than the session: rely on AWS
  // to say when it ends (RequestExpired), or every request would assume the role again.
  if (expiresAt === undefined || !(expiresAt > obtainedAt)) {
    return { credentials, obtainedAt, expiresAt: undefined, renewAt: undefined, stop }
  }
  const lead = Math.min((expiresAt - obtainedAt) * RENEW_SHARE, RENEW_LEAD_MAX_MS)
  return { credentials, obtainedAt, expiresAt, renewAt: expiresAt - lead, stop }
}

function isValid(session: Session, now: number): boolean {
  return session.expiresAt === undefined || now < session.expiresAt
}

/** Exponential, capped, with "equal jitter": at least half the step, so that retries never bunch up at zero. */
function backoff(attempt: number, random: number): number {
  const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1))
  return step / 2 + (step / 2) * random
}

/** STS codes that a later try (with a new token) can get past. */
const PASSING_STS_CODES = [
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'IDPCommunicationError',
  'ExpiredTokenException'
]

/** Whether a failed exchange is worth another try: a passing problem, not a trust policy or a missing permission. */
function isPassing(error: unknown): boolean {
  if (!(error instanceof AwsError)) return false
  if (error.code === 'IdTokenRequestFailed') {
    const status = tokenStatus(error.cause)
    return status === undefined || status >= 500 || status === 408 || status === 429
  }
  if (error.operation !== 'AssumeRoleWithWebIdentity' || error.code === 'MissingIdTokenPermission') return false
  const cause = error.cause as { $metadata?: { httpStatusCode?: number } } | undefined
  const status = cause?.$metadata?.httpStatusCode
  if (PASSING_STS_CODES.includes(error.code)) return true
  // STS could not fetch GitHub's signing keys: trouble at GitHub, not a trust problem.
  if (error.code === 'InvalidIdentityToken' && /verification key/i.test(describeError(error.cause))) return true
  return status === undefined || status >= 500
}

/** The HTTP status in `getIDToken`'s error (`… Error Code : 500 …`); undefined when no answer came. */
function tokenStatus(error: unknown): number | undefined {
  const status = /Error Code : (\d{3})\b/.exec(describeError(error))?.[1]
  return status === undefined ? undefined : Number(status)
}

/** What went wrong with the token request, as a clause: the endpoint's status, or why no answer came. */
export function describeTokenFailure(error: unknown): string {
  const status = tokenStatus(error)
  if (status !== undefined) return `GitHub's OIDC token endpoint answered HTTP ${status}`
  const text = describeError(error)
  const reason = /Error Message: (.+)/.exec(text)?.[1] ?? text.replace(/^Error message: /, '')
  return `the request to GitHub's OIDC token endpoint failed: ${describeClause(reason.trim())}`
}

/** The sentence for a failed acquisition: what failed, and, when held credentials expired, since when renewal did. */
function explainFailure(
  error: unknown,
  settings: OidcSettings,
  expired: Session | undefined,
  tried: { tries: number; forMs: number }
): AwsError {
  const failure = error instanceof AwsError ? error : explainAssumeRoleError(error, settings, '')
  if (failure.code === 'MissingIdTokenPermission') return failure
  const attempts = `${tried.tries} attempt${tried.tries === 1 ? '' : 's'} in ${formatDuration(tried.forMs)}`
  const expiry =
    expired &&
    `The AWS credentials of ${settings.roleArn} expired at ${isoSeconds(expired.expiresAt ?? expired.obtainedAt)} and could not be renewed`
  if (failure.operation === 'GetIDToken') {
    // Not a permission problem: without 'id-token: write' the runner gives no token endpoint at all.
    const advice = `This is on GitHub's side: re-run the job later (https://www.githubstatus.com shows outages).`
    const sentence = expiry
      ? `${expiry}: ${failure.message} (${attempts}). ${advice}`
      : `Could not get a GitHub OIDC token for audience '${settings.audience}': ${failure.message} (${attempts}). ${advice}`
    return new AwsError('GetIDToken', failure.code, sentence, failure.cause)
  }
  if (!expiry) return failure
  return new AwsError(failure.operation, failure.code, `${expiry} (${attempts}): ${failure.message}`, failure.cause)
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The token's `sub` and `aud` claims, which the role's trust policy has to match; never the token. */
export function tokenClaims(token: string): { sub?: string; aud?: string } {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>
    const aud = Array.isArray(payload.aud) ? payload.aud.join(', ') : payload.aud
    return { sub: typeof payload.sub === 'string' ? payload.sub : undefined, aud: typeof aud === 'string' ? aud : undefined }
  } catch {
    return {}
  }
}

export function explainAssumeRoleError(error: unknown, settings: OidcSettings, token: string): AwsError {
  const code = awsErrorCode(error)
  const detail = describeClause(error)
  const { sub = 'unknown', aud = settings.audience } = tokenClaims(token)
  const trust =
    `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal ` +
    `token.actions.githubusercontent.com with "token.actions.githubusercontent.com:aud" = "${aud}" and ` +
    `"token.actions.githubusercontent.com:sub" matching "${sub}" (README: IAM trust policy).`
  const sentence = ((): string => {
    switch (code) {
      case 'AccessDenied':
        return `Could not assume ${settings.roleArn}: ${detail}. ${trust}`
      case 'InvalidIdentityToken':
        return (
          `AWS rejected GitHub's OIDC token for ${settings.roleArn}: ${detail}. Check that the account has the IAM ` +
          `OIDC identity provider token.actions.githubusercontent.com with audience "${aud}" (input 'audience'). ${trust}`
        )
      case 'ExpiredTokenException':
        return `GitHub's OIDC token expired before AWS accepted it (${detail}). Re-run the job; if it keeps happening, check the runner's clock.`
      case 'ValidationError':
        return (
          `Could not assume ${settings.roleArn} for ${settings.durationSeconds} seconds: ${detail}. ` +
          `Lower 'role-duration-seconds' or raise the role's maximum session duration.`
        )
      default:
        return `Could not assume ${settings.roleArn} with GitHub's OIDC token: ${code}: ${detail}.`
    }
  })()
  return new AwsError('AssumeRoleWithWebIdentity', code, sentence, error)
}
