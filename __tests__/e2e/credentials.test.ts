/**
 * Where the action's AWS credentials come from: the default chain, or GitHub OIDC and AssumeRoleWithWebIdentity,
 * renewed with a fresh token when a session dies mid-bake; and how it fails when the job or the trust policy is
 * not set up for it.
 */
import { describe, expect, it } from '@jest/globals'
import { callsTo, ec2Calls, expectFailure, expectIssuedSecretsMasked, expectSuccess, ROLE_ARN, TOKEN_SUB, withHarness } from './harness.js'

describe('credentials', () => {
  it.concurrent('uses the default credential chain when role-to-assume is empty: no OIDC, no STS', () =>
    withHarness({ region: 'us-west-2', bake: { durationMs: 800 } }, async h => {
      const main = await h.main({}, { credentials: 'default-chain' })
      expectSuccess(main)
      expect(h.sim.calls.filter(call => call.service !== 'ec2')).toEqual([])
      expect(ec2Calls(h.sim).map(call => call.action)).toContain('CreateImage')
      expect(new Set(ec2Calls(h.sim).map(call => call.principal))).toEqual(new Set([h.sim.staticKeys.arn]))
      expect(main.outputs.state).toBe('available')
      expect(h.sim.images()).toEqual([expect.objectContaining({ imageId: main.outputs['image-id'], state: 'available' })])
    })
  )

  it.concurrent("fails before any request when the job cannot get an OIDC token, naming 'id-token: write'", () =>
    withHarness({}, async h => {
      const main = await h.main({}, { unset: ['ACTIONS_ID_TOKEN_REQUEST_URL'] })
      const error = expectFailure(main, 'id-token: write')
      // No EC2 call was made, so the sentence must not say one failed.
      expect(error).not.toMatch(/ec2:\w+ failed/)
      expect(h.sim.calls).toEqual([])
      expect(main.outputs).toEqual({})
    })
  )

  it.concurrent("fails without EC2 calls when the role's trust policy does not match the token, showing its sub and aud", () =>
    withHarness({ roles: [{ arn: ROLE_ARN, subPattern: 'repo:octo-org/octo-repo:environment:production' }] }, async h => {
      const main = await h.main()
      const error = expectFailure(main, ROLE_ARN, TOKEN_SUB, 'sts.amazonaws.com')
      expect(error).not.toMatch(/ec2:\w+ failed/)
      expect(ec2Calls(h.sim)).toEqual([])
      // AccessDenied is not worth retrying: one token, one refusal.
      expect(h.sim.calls.map(call => [call.action, call.errorCode])).toEqual([
        ['token', undefined],
        ['AssumeRoleWithWebIdentity', 'AccessDenied']
      ])
    })
  )

  // STS says the session lasts DurationSeconds, but it dies after 1.5 s: the next EC2 call is refused as expired,
  // and the action has to assume the role again, with a new token, and carry on.
  it.concurrent('renews credentials that expire mid-bake, with a fresh OIDC token each time', () =>
    withHarness({ volumes: 2, credentials: { lifetimeMs: 1500, reportedExpiration: 'requested' }, bake: { durationMs: 4000 } }, async h => {
      const main = await h.main()
      expectSuccess(main)
      expect(main.outputs.state).toBe('available')
      expect(h.sim.images()).toEqual([expect.objectContaining({ imageId: main.outputs['image-id'], state: 'available' })])

      const assumes = callsTo(h.sim, 'AssumeRoleWithWebIdentity')
      const tokens = callsTo(h.sim, 'token')
      expect(assumes.length).toBeGreaterThan(1)
      expect(tokens.length).toBeGreaterThan(1)
      expect(assumes.every(call => call.status === 200)).toBe(true)
      // Each AssumeRoleWithWebIdentity presented a token of its own.
      const presented = assumes.map(call => call.params.WebIdentityToken)
      expect(new Set(presented).size).toBe(assumes.length)
      expect(tokens.length).toBeGreaterThanOrEqual(assumes.length)
      // The only refusals were for the expired session, and every one was followed by a renewal.
      const refused = ec2Calls(h.sim).filter(call => call.status !== 200)
      expect(refused.length).toBeGreaterThan(0)
      expect(new Set(refused.map(call => call.errorCode))).toEqual(new Set(['RequestExpired']))
      for (const call of refused) expect(assumes.some(assume => assume.at >= call.at)).toBe(true)
      expectIssuedSecretsMasked(h.sim, h.runs)
    })
  )

  // ID tokens that expire within 2 s: a renewal that reused the first token would get ExpiredTokenException.
  it.concurrent('asks GitHub for a new token at each renewal, so short-lived ID tokens are fine', () =>
    withHarness(
      { oidc: { tokenLifetimeMs: 2000 }, credentials: { lifetimeMs: 1500, reportedExpiration: 'requested' }, bake: { durationMs: 4000 } },
      async h => {
        const main = await h.main()
        expectSuccess(main)
        expect(main.outputs.state).toBe('available')
        const assumes = callsTo(h.sim, 'AssumeRoleWithWebIdentity')
        expect(assumes.length).toBeGreaterThan(1)
        expect(assumes.map(call => call.errorCode ?? 'ok')).toEqual(assumes.map(() => 'ok'))
        expect(callsTo(h.sim, 'token').length).toBeGreaterThanOrEqual(assumes.length)
      }
    )
  )
})
