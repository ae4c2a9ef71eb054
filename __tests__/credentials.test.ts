/**
 * `fromWebToken` builds its own STS client inside the SDK, so the module is replaced before
 * credentials.ts is imported (ESM mocks must come before a dynamic import).
 */
import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { AwsCredentialIdentity } from '@smithy/types'

type WebTokenInit = {
  roleArn: string
  roleSessionName?: string
  durationSeconds?: number
  webIdentityToken: string
  clientConfig?: { region?: string; maxAttempts?: number }
}
const fromWebToken = jest.fn<(init: WebTokenInit) => () => Promise<AwsCredentialIdentity>>()
jest.unstable_mockModule('@aws-sdk/credential-providers', () => ({ fromWebToken }))

const { explainAssumeRoleError, roleCredentials, tokenClaims } = await import('../src/credentials.js')
const { AwsError } = await import('../src/errors.js')

const SETTINGS = {
  kind: 'oidc',
  roleArn: 'arn:aws:iam::123456789012:role/bake-ami',
  sessionName: 'bake-ami',
  durationSeconds: 3600,
  audience: 'sts.amazonaws.com'
} as const
const SUB = 'repo:acme/images:ref:refs/heads/main'
const HOUR_MS = 3_600_000
const MARGIN_MS = 5 * 60_000

/** A JWT-shaped token; only the payload matters here. */
function jwt(payload: Record<string, unknown>, signature = 'c2lnbmF0dXJl'): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.${signature}`
}

function sdkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: 400 } })
}

/** Fake deps with a virtual clock; every token and every mask is recorded in `log`. */
function fakeDeps() {
  const deps = {
    t: 1_000_000,
    tokens: [] as string[],
    log: [] as string[],
    canRequest: true,
    tokenFailure: undefined as unknown,
    async getIDToken(audience: string): Promise<string> {
      deps.log.push(`token:${audience}`)
      if (deps.tokenFailure !== undefined) throw deps.tokenFailure
      const token = jwt({ sub: SUB, aud: audience, jti: `token-${deps.tokens.length + 1}` })
      deps.tokens.push(token)
      return token
    },
    mask(secret: string): void {
      deps.log.push(`mask:${secret}`)
    },
    now(): number {
      return deps.t
    },
    async sleep(ms: number): Promise<void> {
      deps.log.push(`sleep:${ms}`)
      deps.t += ms
    },
    canRequestIdToken(): boolean {
      return deps.canRequest
    }
  }
  return deps
}

/** Each assume hands out numbered credentials that expire `lifetimeMs` after the fake clock's now (null: never). */
function issueCredentials(deps: ReturnType<typeof fakeDeps>, lifetimeMs: number | null = HOUR_MS): void {
  let issued = 0
  fromWebToken.mockImplementation(() => async () => {
    issued++
    return {
      accessKeyId: `ASIA${issued}`,
      secretAccessKey: `secret-${issued}`,
      sessionToken: `session-${issued}`,
      expiration: lifetimeMs === null ? undefined : new Date(deps.t + lifetimeMs)
    }
  })
}

beforeEach(() => {
  fromWebToken.mockReset()
})

describe('roleCredentials', () => {
  it('fetches a token for the audience and assumes the role with it in the region', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    const { provider } = roleCredentials({ ...SETTINGS, audience: 'sts.amazonaws.com.cn' }, 'cn-north-1', deps)
    await provider()
    expect(deps.log[0]).toBe('token:sts.amazonaws.com.cn')
    expect(fromWebToken.mock.calls).toStrictEqual([
      [
        {
          roleArn: SETTINGS.roleArn,
          roleSessionName: 'bake-ami',
          durationSeconds: 3600,
          webIdentityToken: deps.tokens[0],
          clientConfig: { region: 'cn-north-1', maxAttempts: 8 }
        }
      ]
    ])
  })

  it('masks all three parts of the credentials before returning them', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const credentials = await provider()
    deps.log.push('returned')
    expect(credentials).toMatchObject({ accessKeyId: 'ASIA1', secretAccessKey: 'secret-1', sessionToken: 'session-1' })
    expect(deps.log).toStrictEqual([
      'token:sts.amazonaws.com',
      'mask:ASIA1',
      'mask:secret-1',
      'mask:session-1',
      'returned'
    ])
  })

  it('says it memoizes, so the SDK calls it for every request', () => {
    expect(roleCredentials(SETTINGS, 'eu-west-1', fakeDeps()).provider.memoized).toBe(true)
  })

  it('hands out the same credentials while they are fresh', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const first = await provider()
    deps.t += HOUR_MS - MARGIN_MS
    const second = await provider()
    expect(second).toBe(first)
    expect(deps.tokens).toHaveLength(1)
    expect(fromWebToken).toHaveBeenCalledTimes(1)
  })

  it('shares one assume between concurrent requests', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const [a, b] = await Promise.all([provider(), provider()])
    expect(b).toBe(a)
    expect(fromWebToken).toHaveBeenCalledTimes(1)
  })

  it('assumes again with a new token within 5 minutes of expiry', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    await provider()
    deps.t += HOUR_MS - MARGIN_MS + 1
    const renewed = await provider()
    expect(renewed.accessKeyId).toBe('ASIA2')
    expect(deps.tokens).toHaveLength(2)
    expect(fromWebToken.mock.calls.map(([init]) => init.webIdentityToken)).toStrictEqual(deps.tokens)
    expect(deps.log.filter(line => line.startsWith('mask:'))).toHaveLength(6)
    // The renewed credentials are then held in their turn.
    await expect(provider()).resolves.toBe(renewed)
    expect(fromWebToken).toHaveBeenCalledTimes(2)
  })

  it('keeps credentials without an expiry', async () => {
    const deps = fakeDeps()
    issueCredentials(deps, null)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const first = await provider()
    deps.t += 100 * HOUR_MS
    await expect(provider()).resolves.toBe(first)
  })

  it('assumes again with a new token after renew()', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    const role = roleCredentials(SETTINGS, 'eu-west-1', deps)
    await role.provider()
    role.renew()
    await expect(role.provider()).resolves.toMatchObject({ accessKeyId: 'ASIA2' })
    expect(deps.tokens).toHaveLength(2)
    expect(deps.tokens[1]).not.toBe(deps.tokens[0])
    expect(fromWebToken).toHaveBeenCalledTimes(2)
  })

  it('does not keep a failed assume: the next request tries again', async () => {
    const deps = fakeDeps()
    issueCredentials(deps)
    fromWebToken.mockImplementationOnce(() => async () => {
      throw sdkError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity')
    })
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const error = await provider().catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(AwsError)
    expect(error).toMatchObject({ operation: 'AssumeRoleWithWebIdentity', code: 'AccessDenied' })
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'ASIA1' })
    expect(deps.tokens).toHaveLength(2)
    expect(deps.log.filter(line => line.startsWith('mask:'))).toStrictEqual(['mask:ASIA1', 'mask:secret-1', 'mask:session-1'])
  })

  it('says to grant id-token: write, without asking for a token, when the job cannot get one', async () => {
    const deps = fakeDeps()
    deps.canRequest = false
    issueCredentials(deps)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const error = await provider().catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(AwsError)
    expect(error).toMatchObject({ code: 'MissingIdTokenPermission' })
    expect((error as Error).message).toContain("'permissions: id-token: write'")
    expect(deps.log).toStrictEqual([])
    expect(fromWebToken).not.toHaveBeenCalled()
  })

  it('tries the token request 4 times with backoff, then explains the failure', async () => {
    const deps = fakeDeps()
    deps.tokenFailure = new Error('Failed to get ID Token. Error Code : 500')
    issueCredentials(deps)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    const error = await provider().catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(AwsError)
    expect(error).toMatchObject({ operation: 'GetIDToken', code: 'IdTokenRequestFailed' })
    expect((error as Error).message).toBe(
      "Could not get a GitHub OIDC token for audience 'sts.amazonaws.com' after 4 attempts: Failed to get ID Token. Error Code : 500. " +
        "Check that the job has 'permissions: id-token: write'."
    )
    expect(deps.log).toStrictEqual([
      'token:sts.amazonaws.com',
      'sleep:1000',
      'token:sts.amazonaws.com',
      'sleep:2000',
      'token:sts.amazonaws.com',
      'sleep:4000',
      'token:sts.amazonaws.com'
    ])
    expect(fromWebToken).not.toHaveBeenCalled()
  })

  it('carries on when a token request fails once', async () => {
    const deps = fakeDeps()
    const getIDToken = deps.getIDToken
    let calls = 0
    deps.getIDToken = async audience => {
      if (++calls === 1) throw new Error('Failed to get ID Token. Error Code : 429')
      return getIDToken(audience)
    }
    issueCredentials(deps)
    const { provider } = roleCredentials(SETTINGS, 'eu-west-1', deps)
    await expect(provider()).resolves.toMatchObject({ accessKeyId: 'ASIA1' })
    expect(deps.log.filter(line => line.startsWith('sleep:'))).toStrictEqual(['sleep:1000'])
  })
})

describe('explainAssumeRoleError', () => {
  const token = jwt({ sub: SUB, aud: 'sts.amazonaws.com', iss: 'https://token.actions.githubusercontent.com' })
  const trust =
    `The role's trust policy must allow sts:AssumeRoleWithWebIdentity for the federated principal ` +
    `token.actions.githubusercontent.com with "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" and ` +
    `"token.actions.githubusercontent.com:sub" matching "${SUB}" (README: IAM trust policy).`

  it.each([
    [
      'AccessDenied',
      'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      `Could not assume ${SETTINGS.roleArn}: Not authorized to perform sts:AssumeRoleWithWebIdentity. ${trust}`
    ],
    [
      'InvalidIdentityToken',
      'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
      `AWS rejected GitHub's OIDC token for ${SETTINGS.roleArn}: No OpenIDConnect provider found in your account for ` +
        'https://token.actions.githubusercontent.com. Check that the account has the IAM OIDC identity provider ' +
        `token.actions.githubusercontent.com with audience "sts.amazonaws.com" (input 'audience'). ${trust}`
    ],
    [
      'ExpiredTokenException',
      'Token expired: current date/time 1795854942 must be before the expiration date/time 1795854900',
      "GitHub's OIDC token expired before AWS accepted it (Token expired: current date/time 1795854942 must be before " +
        "the expiration date/time 1795854900). Re-run the job; if it keeps happening, check the runner's clock."
    ],
    [
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role',
      `Could not assume ${SETTINGS.roleArn} for 3600 seconds: The requested DurationSeconds exceeds the MaxSessionDuration ` +
        "set for this role. Lower 'role-duration-seconds' or raise the role's maximum session duration."
    ],
    [
      'IDPCommunicationError',
      'Could not reach the identity provider',
      `Could not assume ${SETTINGS.roleArn} with GitHub's OIDC token: IDPCommunicationError: Could not reach the identity provider.`
    ]
  ])('explains %s', (code, message, sentence) => {
    const cause = sdkError(code, message)
    const error = explainAssumeRoleError(cause, SETTINGS, token)
    expect(error).toBeInstanceOf(AwsError)
    expect([error.operation, error.code, error.message, error.cause]).toStrictEqual([
      'AssumeRoleWithWebIdentity',
      code,
      sentence,
      cause
    ])
    expect(error.message).not.toContain(token)
    expect(error.message).not.toContain(token.split('.')[1])
  })

  it('falls back to the configured audience and an unknown sub when the token cannot be read', () => {
    const error = explainAssumeRoleError(sdkError('AccessDenied', 'denied'), SETTINGS, 'not-a-jwt')
    expect(error.message).toContain('"token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"')
    expect(error.message).toContain('"token.actions.githubusercontent.com:sub" matching "unknown"')
    expect(error.message).not.toContain('not-a-jwt')
  })
})

describe('tokenClaims', () => {
  it.each([
    ['sub and aud', jwt({ sub: SUB, aud: 'sts.amazonaws.com' }), { sub: SUB, aud: 'sts.amazonaws.com' }],
    ['a list of audiences', jwt({ sub: SUB, aud: ['a', 'b'] }), { sub: SUB, aud: 'a, b' }],
    ['claims of the wrong type', jwt({ sub: 42, aud: { x: 1 } }), { sub: undefined, aud: undefined }],
    ['no claims', jwt({}), { sub: undefined, aud: undefined }]
  ])('reads %s', (_, token, claims) => {
    expect(tokenClaims(token)).toStrictEqual(claims)
  })

  it.each([
    ['no dots', 'not-a-jwt'],
    ['a payload that is not JSON', `x.${Buffer.from('{oops').toString('base64url')}.y`],
    ['a null payload', `x.${Buffer.from('null').toString('base64url')}.y`],
    ['an empty string', '']
  ])('reads nothing from %s', (_, token) => {
    expect(tokenClaims(token)).toStrictEqual({})
  })
})
