/**
 * Where the action's AWS credentials come from: the default chain, or GitHub OIDC and AssumeRoleWithWebIdentity,
 * renewed with a fresh token when a session dies mid-bake; and how it fails when the job or the trust policy is
 * not set up for it.
 *
 * @slow: 30 s sessions renewed through an outage, about 40 s (scripts/jest-sequencer.js starts it first).
 */
import { describe, expect, it } from '@jest/globals'
import type { SimCall } from '../../sim/index.js'
import { callsTo, ec2Calls, expectFailure, expectIssuedSecretsMasked, expectSuccess, ROLE_ARN, TOKEN_SUB, withHarness, type Harness } from './harness.js'

/** The first call to `action` the sim records while `step` runs; fails if the step ends without one. */
async function firstCallTo(h: Harness, action: string, step: Promise<unknown>): Promise<SimCall> {
  let ended = false
  void step.finally(() => (ended = true))
  for (;;) {
    const call = callsTo(h.sim, action)[0]
    if (call) return call
    if (ended) throw new Error(`the step ended without calling ${action}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

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

  // 30 s sessions, whose Expiration is the real one. The first session is issued at sim time A (the first
  // AssumeRoleWithWebIdentity) and ends at A + 30 s; its Expiration is floored to the second, so the action
  // sees at least 29 s, and its renewal window (a quarter of that) opens by A + 22.75 s. The token endpoint
  // answers 500 from A + 12 s to A + 26 s: the window opens inside the outage, which ends at least 3 s before
  // the session does. Renewal retries never sleep past expiry, so one comes between the end of the outage and
  // the expiry, and gets through: success is the design's, not the timing's. The outage is placed once A is
  // known (startMs), not by guessing when the child process gets there. The bake (34 s) outlives session 1.
  it.concurrent(
    'rides out a 14 s token-endpoint outage during renewal on 30 s sessions, with one renewal per session',
    () =>
      withHarness({ credentials: { lifetimeMs: 30_000 }, bake: { durationMs: 34_000 } }, async h => {
        const running = h.main()
        const first = await firstCallTo(h, 'AssumeRoleWithWebIdentity', running)
        const outage = { from: first.at + 12_000, to: first.at + 26_000 }
        h.sim.fault({ service: 'oidc', action: 'token', kind: 'server-error', startMs: outage.from, forMs: outage.to - outage.from })
        const main = await running
        expectSuccess(main)
        expect(main.outputs.state).toBe('available')

        // The outage met the renewal: token requests failed once the window was open, and then one got through.
        const tokens = callsTo(h.sim, 'token')
        const failed = tokens.filter(call => call.status === 500)
        expect(failed.length).toBeGreaterThan(0)
        expect(failed.every(call => call.at >= outage.from && call.at < outage.to)).toBe(true)
        expect(failed.some(call => call.at >= first.at + 21_000)).toBe(true)
        expect(tokens.some(call => call.status === 200 && call.at >= outage.to)).toBe(true)

        // The held credentials served whatever EC2 calls the waiter made during the outage.
        const during = ec2Calls(h.sim).filter(call => call.at >= outage.from && call.at < outage.to)
        expect(during.map(call => call.status)).toEqual(during.map(() => 200))
        // The bake outlived the first session: its last call was made on renewed credentials, and worked.
        const last = ec2Calls(h.sim).at(-1)!
        expect(last.status).toBe(200)
        expect(last.at).toBeGreaterThan(first.at + 30_000)

        // A few assumes, each a session's one renewal: none before the window of the session before it.
        const assumes = callsTo(h.sim, 'AssumeRoleWithWebIdentity')
        expect(assumes.map(call => call.status)).toEqual(assumes.map(() => 200))
        expect(assumes.length).toBeGreaterThanOrEqual(2)
        expect(assumes.length).toBeLessThanOrEqual(3)
        for (let i = 1; i < assumes.length; i++) expect(assumes[i].at - assumes[i - 1].at).toBeGreaterThanOrEqual(21_000)
        expect(new Set(assumes.map(call => call.params.WebIdentityToken)).size).toBe(assumes.length)
        expectIssuedSecretsMasked(h.sim, h.runs)
      }),
    120_000
  )

  // ID tokens that expire within 5 s (4 s and more, as `exp` is in whole seconds: ample for the step to present
  // each one it fetched, however slowly it starts), sessions that die every 1.5 s, and a bake of 8 s: a renewal
  // that reused the first token after it expired would get ExpiredTokenException.
  it.concurrent('asks GitHub for a new token at each renewal, so short-lived ID tokens are fine', () =>
    withHarness(
      { oidc: { tokenLifetimeMs: 5000 }, credentials: { lifetimeMs: 1500, reportedExpiration: 'requested' }, bake: { durationMs: 8000 } },
      async h => {
        const main = await h.main()
        expectSuccess(main)
        expect(main.outputs.state).toBe('available')
        const assumes = callsTo(h.sim, 'AssumeRoleWithWebIdentity')
        expect(assumes.length).toBeGreaterThan(1)
        // The case the test is about happened: a renewal after the first token had expired.
        expect(assumes.at(-1)!.at).toBeGreaterThan(callsTo(h.sim, 'token')[0].at + 5000)
        expect(assumes.map(call => call.errorCode ?? 'ok')).toEqual(assumes.map(() => 'ok'))
        expect(callsTo(h.sim, 'token').length).toBeGreaterThanOrEqual(assumes.length)
      }
    )
  )
})
