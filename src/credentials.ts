/**
 * AWS credentials for the bake: GitHub OIDC token -> STS AssumeRoleWithWebIdentity, renewed with a
 * fresh OIDC token whenever they near expiry or AWS says they expired (a runner's ID tokens live
 * minutes, a bake can take hours). Every secret is masked the moment it exists.
 */
import { fromWebToken } from '@aws-sdk/credential-providers'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import { AwsError, awsErrorCode, describeClause } from './errors.js'
import type { CredentialSettings } from './settings.js'

type OidcSettings = Extract<CredentialSettings, { kind: 'oidc' }>

export interface OidcDeps {
  /** `core.getIDToken`: fetches and masks a GitHub OIDC token for the audience. */
  getIDToken(audience: string): Promise<string>
  /** `core.setSecret`. */
  mask(secret: string): void
  now(): number
  sleep(ms: number): Promise<void>
  /** Whether the runner gave this job an ID-token endpoint (`permissions: id-token: write`). */
  canRequestIdToken(): boolean
}

/**
 * A credentials provider the SDK uses as is (`memoized`), so that `renew()` really makes the next call
 * assume the role again.
 */
export interface RoleCredentials {
  readonly provider: AwsCredentialIdentityProvider & { memoized: true }
  /** Forget the current credentials: the next request assumes the role again with a new OIDC token. */
  renew(): void
}

/** Attempts at STS (throttling, 5xx, dropped connections; the SDK's retry strategy) and at the OIDC token. */
export const MAX_ATTEMPTS = 8
const TOKEN_ATTEMPTS = 4

/** Renew this long before the credentials expire, as the SDK's own providers do. */
const EXPIRY_MARGIN_MS = 5 * 60 * 1000

export function roleCredentials(settings: OidcSettings, region: string, deps: OidcDeps): RoleCredentials {
  let current: Promise<AwsCredentialIdentity> | undefined

  const assume = async (): Promise<AwsCredentialIdentity> => {
    if (!deps.canRequestIdToken()) {
      throw new AwsError(
        'AssumeRoleWithWebIdentity',
        'MissingIdTokenPermission',
        `'role-to-assume' is set but this job cannot request a GitHub OIDC token. ` +
          `Give the job 'permissions: id-token: write' (and 'contents: read') in the workflow.`
      )
    }
    const token = await fetchToken(settings.audience, deps)
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
      return credentials
    } catch (error) {
      throw explainAssumeRoleError(error, settings, token)
    }
  }

  const start = (): Promise<AwsCredentialIdentity> => {
    const attempt = assume()
    // A failed attempt is not kept: the next request tries again.
    attempt.catch(() => {
      if (current === attempt) current = undefined
    })
    current = attempt
    return attempt
  }

  const provider = Object.assign(
    async (): Promise<AwsCredentialIdentity> => {
      const held = await (current ?? start())
      return expiresSoon(held, deps.now()) ? start() : held
    },
    { memoized: true as const }
  )
  return { provider, renew: () => (current = undefined) }
}

function expiresSoon(credentials: AwsCredentialIdentity, now: number): boolean {
  return credentials.expiration !== undefined && credentials.expiration.getTime() - now < EXPIRY_MARGIN_MS
}

/**
 * `getIDToken` retries only 502-504; a 429, a 500 or a dropped connection from GitHub's token endpoint
 * is as passing, so try a few times with backoff before giving up.
 */
async function fetchToken(audience: string, deps: OidcDeps): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.getIDToken(audience)
    } catch (error) {
      if (attempt < TOKEN_ATTEMPTS) {
        await deps.sleep(1000 * 2 ** (attempt - 1))
        continue
      }
      throw new AwsError(
        'GetIDToken',
        'IdTokenRequestFailed',
        `Could not get a GitHub OIDC token for audience '${audience}' after ${TOKEN_ATTEMPTS} attempts: ${describeClause(error)}. ` +
          `Check that the job has 'permissions: id-token: write'.`,
        error
      )
    }
  }
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
