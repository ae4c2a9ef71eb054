import * as core from '@actions/core'
import { fromWebToken } from '@aws-sdk/credential-providers'
import { describe, expect, it } from '@jest/globals'
import type { Sim, SimOptions } from '../../sim/index.js'
import { manualClock, REGION, rejection, simPerTest, type ManualClock } from './helpers.js'

// The ID-token endpoint as @actions/core uses it, and AssumeRoleWithWebIdentity's checks of that token,
// through the SDK's own web-identity provider (whose nested STS client finds the sim via AWS_ENDPOINT_URL_STS).

const ROLE = 'arn:aws:iam::123456789012:role/bake-ami'

const sims = simPerTest()
let clock: ManualClock
let sim: Sim

/** A sim on a manual clock, so that a test knows the very ms a session was issued. */
async function start(options: SimOptions = {}): Promise<void> {
  clock = manualClock()
  sim = await sims.start({ clock: clock.now, ...options })
}

/** STS gives Expiration in whole seconds. */
const wholeSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000

const claimsOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'))

function assume(token: string, options: { roleArn?: string; durationSeconds?: number } = {}) {
  return fromWebToken({
    roleArn: options.roleArn ?? ROLE,
    roleSessionName: 'oidc-test',
    webIdentityToken: token,
    durationSeconds: options.durationSeconds,
    clientConfig: { region: REGION, maxAttempts: 1 }
  })()
}

describe('GitHub ID-token endpoint', () => {
  it('refuses a wrong or missing bearer token', async () => {
    await start()
    process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'not-the-runtime-token'
    await expect(core.getIDToken('sts.amazonaws.com')).rejects.toThrow(/Error Code : 403/)
    const response = await fetch(`${sim.env().ACTIONS_ID_TOKEN_REQUEST_URL}&audience=x`)
    expect(response.status).toBe(401)
    expect(sim.calls.map((c) => [c.action, c.status, c.errorCode])).toEqual([
      ['token', 403, 'Forbidden'],
      ['token', 401, 'Unauthorized']
    ])
  })

  it("uses the repository owner's URL when no audience is asked for, and derives repository and ref from sub", async () => {
    await start({ oidc: { sub: 'repo:acme/app:ref:refs/heads/main', claims: { environment: 'prod' } } })
    const claims = claimsOf(await core.getIDToken())
    expect(claims).toMatchObject({ aud: 'https://github.com/acme', repository: 'acme/app', ref: 'refs/heads/main', ref_type: 'branch', environment: 'prod' })
    expect(claims.sha).toMatch(/^[0-9a-f]{40}$/)
  })
})

describe('AssumeRoleWithWebIdentity', () => {
  it('issues session credentials for the role, expiring as reported', async () => {
    await start()
    const token = await core.getIDToken('sts.amazonaws.com')
    const credentials = await assume(token, { durationSeconds: 900 })
    expect(credentials).toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/), accountId: '123456789012' })
    expect(credentials.secretAccessKey).toHaveLength(40)
    expect(credentials.sessionToken!.length).toBeGreaterThan(300)
    expect(credentials.expiration?.getTime()).toBe(wholeSeconds(clock.now() + 900_000))
    expect(sim.calls.at(-1)).toMatchObject({
      service: 'sts',
      action: 'AssumeRoleWithWebIdentity',
      status: 200,
      principal: 'arn:aws:sts::123456789012:assumed-role/bake-ami/oidc-test',
      params: expect.objectContaining({ RoleArn: ROLE, RoleSessionName: 'oidc-test', DurationSeconds: '900' })
    })
  })

  it('honours a role with its own audience, subject pattern and longer sessions', async () => {
    const role = 'arn:aws:iam::123456789012:role/path/deploy'
    await start({ roles: [{ arn: role, audience: 'custom-aud', subPattern: 'repo:octo-org/*:ref:refs/tags/v?.*', maxSessionSeconds: 7200 }] })
    const credentials = await assume(await core.getIDToken('custom-aud'), { roleArn: role, durationSeconds: 7200 })
    expect(credentials.expiration?.getTime()).toBe(wholeSeconds(clock.now() + 7200_000))
    expect(sim.calls.at(-1)?.principal).toBe('arn:aws:sts::123456789012:assumed-role/deploy/oidc-test')
  })

  it.each<[string, SimOptions, (token: string) => Promise<unknown>, string, string]>([
    ['a token for another audience', {}, async () => assume(await core.getIDToken('api://other')), 'InvalidIdentityTokenException', 'Incorrect token audience'],
    ['a subject outside the trust policy', { oidc: { sub: 'repo:evil/fork:ref:refs/heads/main' } }, async (t) => assume(t), 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity'],
    ['an unknown role', {}, async (t) => assume(t, { roleArn: 'arn:aws:iam::123456789012:role/other' }), 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity'],
    ['an expired token', { oidc: { tokenLifetimeMs: 0 } }, async (t) => assume(t), 'ExpiredTokenException', 'Token expired: current date/time'],
    ['a session longer than the role allows', {}, async (t) => assume(t, { durationSeconds: 7200 }), 'ValidationError', 'exceeds the MaxSessionDuration'],
    ['a session shorter than 15 minutes', {}, async (t) => assume(t, { durationSeconds: 600 }), 'ValidationError', "at 'durationSeconds'"],
    ['a token from another issuer', { oidc: { claims: { iss: 'https://evil.example' } } }, async (t) => assume(t), 'InvalidIdentityTokenException', 'No OpenIDConnect provider found in your account for https://evil.example'],
    [
      'a token whose claims were edited after signing',
      {},
      async (t) => {
        const [header, , signature] = t.split('.')
        const forged = Buffer.from(JSON.stringify({ ...claimsOf(t), sub: 'repo:octo-org/octo-repo:ref:refs/tags/v9.9.9' })).toString('base64url')
        return assume(`${header}.${forged}.${signature}`)
      },
      'InvalidIdentityTokenException',
      'signature could not be verified'
    ],
    ['something that is not a JWT', {}, async () => assume('not.a.jwt'), 'InvalidIdentityTokenException', 'not a valid JWT']
  ])('refuses %s', async (_case, options, attempt, name, fragment) => {
    await start(options)
    const error = await rejection(attempt(await core.getIDToken('sts.amazonaws.com')))
    expect(error.name).toBe(name)
    expect(error.message).toContain(fragment)
    expect(sim.calls.at(-1)).toMatchObject({ action: 'AssumeRoleWithWebIdentity', status: error.$metadata?.httpStatusCode, principal: undefined })
    expect(sim.secrets().filter((s) => s.startsWith('IQoJ'))).toEqual([sim.env().ACTIONS_ID_TOKEN_REQUEST_TOKEN])
  })
})
