import * as core from '@actions/core'
import { CreateImageCommand, DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { fromWebToken } from '@aws-sdk/credential-providers'
import { afterEach, describe, expect, it } from '@jest/globals'
import type { Sim, SimOptions } from '../../sim/index.js'
import { ec2Client, manualClock, REGION, rejection, signedStsCall, simPerTest, staticCredentials, xmlValue, type ManualClock } from './helpers.js'

// The sim's clock option: the real clock unless a test brings its own, and then everything the sim computes from
// time follows that clock alone, whatever the wall clock does meanwhile.

const ROLE = 'arn:aws:iam::123456789012:role/bake-ami'

const sims = simPerTest()
let sim: Sim
let clock: ManualClock
let ec2: EC2Client | undefined

async function start(options: SimOptions = {}): Promise<void> {
  sim = await sims.start(options)
  ec2 = ec2Client(staticCredentials(sim))
}

afterEach(() => {
  ec2?.destroy()
  ec2 = undefined
})

const claimsOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'))
/** STS gives Expiration in whole seconds. */
const wholeSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000

function assume(token: string, durationSeconds?: number) {
  return fromWebToken({ roleArn: ROLE, roleSessionName: 'clock-test', webIdentityToken: token, durationSeconds, clientConfig: { region: REGION, maxAttempts: 1 } })()
}

describe('the default clock', () => {
  it('is the real one: an image is created, and a token issued, between the readings of Date.now around the call', async () => {
    await start()
    const before = Date.now()
    const { ImageId } = await ec2!.send(new CreateImageCommand({ InstanceId: sim.addInstance(), Name: 'real-time' }))
    const token = await core.getIDToken('sts.amazonaws.com')
    const after = Date.now()

    const { Images } = await ec2!.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))
    const created = Date.parse(Images![0].CreationDate!)
    expect(created).toBeGreaterThanOrEqual(before)
    expect(created).toBeLessThanOrEqual(after)
    const { iat } = claimsOf(token) as { iat: number }
    expect(iat).toBeGreaterThanOrEqual(Math.floor(before / 1000))
    expect(iat).toBeLessThanOrEqual(Math.floor(after / 1000))
  })
})

describe('a manual clock', () => {
  it('sets when an image was made and when each call came, in ms since the sim started', async () => {
    clock = manualClock()
    const startedAt = clock.now()
    await start({ clock: clock.now })
    clock.advance(1234)
    const { ImageId } = await ec2!.send(new CreateImageCommand({ InstanceId: sim.addInstance(), Name: 'set-time' }))
    clock.advance(766)
    const { Images } = await ec2!.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))

    expect(Images![0].CreationDate).toBe(new Date(startedAt + 1234).toISOString())
    expect(sim.images()).toEqual([expect.objectContaining({ imageId: ImageId, createdAt: 1234 })])
    expect(sim.calls.map((c) => [c.action, c.at])).toEqual([
      ['CreateImage', 1234],
      ['DescribeImages', 2000]
    ])
  })

  it('drives a bake however long the test really takes: pending until the last ms, then available', async () => {
    clock = manualClock()
    await start({ clock: clock.now, bake: { durationMs: 60_000 } })
    const { ImageId } = await ec2!.send(new CreateImageCommand({ InstanceId: sim.addInstance(), Name: 'a-minute' }))
    const state = async (): Promise<string | undefined> => (await ec2!.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images?.[0].State
    clock.advance(59_999)
    expect(await state()).toBe('pending')
    clock.advance(1)
    expect(await state()).toBe('available')
  })

  it('leaves a bake of durationMs Infinity pending however far it moves', async () => {
    clock = manualClock()
    await start({ clock: clock.now, bake: { durationMs: Infinity, snapshotDelayMs: 0 } })
    const { ImageId } = await ec2!.send(new CreateImageCommand({ InstanceId: sim.addInstance(), Name: 'forever' }))
    clock.advance(10 * 60_000)
    const { Images } = await ec2!.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))
    const { Snapshots } = await ec2!.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))
    expect([Images?.[0].State, Snapshots?.map((s) => [s.State, s.Progress])]).toEqual(['pending', [['pending', '0%']]])
  })

  it('dates ID tokens by it, and STS refuses one from the second its exp is reached', async () => {
    clock = manualClock()
    await start({ clock: clock.now, oidc: { tokenLifetimeMs: 10_000 } })
    const token = await core.getIDToken('sts.amazonaws.com')
    const { iat, nbf, exp } = claimsOf(token) as { iat: number; nbf: number; exp: number }
    expect([iat, nbf, exp]).toEqual([Math.floor(clock.now() / 1000), iat, Math.floor((clock.now() + 10_000) / 1000)])

    clock.advance(exp * 1000 - 1 - clock.now())
    await expect(assume(token)).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) })
    clock.advance(1)
    const error = await rejection(assume(token))
    expect([error.name, error.message]).toEqual(['ExpiredTokenException', `Token expired: current date/time ${exp} must be before the expiration date/time${exp}`])
  })

  // Credentials that last 3 s: a test cannot move the clock by a whole session of 15 minutes or more, as that
  // would take it past the skew the sim allows (see below).
  it('issues session credentials by it: they report its time plus their lifetime, and stop working then', async () => {
    clock = manualClock()
    await start({ clock: clock.now, credentials: { lifetimeMs: 3000 } })
    const issuedAt = clock.now()
    const session = await assume(await core.getIDToken('sts.amazonaws.com'), 900)
    expect(session.expiration?.getTime()).toBe(wholeSeconds(issuedAt + 3000))

    clock.advance(2999)
    const alive = await signedStsCall(sim, session, { Action: 'GetCallerIdentity' })
    expect([alive.status, xmlValue(alive.body, 'Arn')]).toEqual([200, 'arn:aws:sts::123456789012:assumed-role/bake-ami/clock-test'])
    clock.advance(1)
    const expired = await signedStsCall(sim, session, { Action: 'GetCallerIdentity' })
    expect([expired.status, xmlValue(expired.body, 'Code')]).toEqual([403, 'ExpiredToken'])
  })

  it('times a forMs outage: every request for exactly that long from the first it hits, then none', async () => {
    clock = manualClock()
    await start({ clock: clock.now })
    sim.fault({ action: 'DescribeImages', kind: 'throttle', forMs: 5000 })
    const status = (): Promise<number | undefined> =>
      ec2!.send(new DescribeImagesCommand({})).then(
        (answer) => answer.$metadata.httpStatusCode,
        (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode
      )
    clock.advance(1000)
    const seen = [await status()]
    for (const step of [0, 2000, 2999, 1]) {
      clock.advance(step)
      seen.push(await status())
    }
    expect(seen).toEqual([503, 503, 503, 503, 200])
    expect(sim.calls.map((c) => [c.at, c.fault])).toEqual([
      [1000, 'throttle'],
      [1000, 'throttle'],
      [3000, 'throttle'],
      [5999, 'throttle'],
      [6000, undefined]
    ])
  })

  // Requests are signed with the real clock, and the sim, as AWS, refuses a signature more than 15 minutes off its
  // own clock: a test's clock has to stay within that of the real one. The minute's margin either side of the
  // bound is far beyond the time a test takes (jest stops one after 30 s).
  it('keeps to the 15-minute skew AWS allows between the signature and its clock', async () => {
    clock = manualClock(Date.now() + 14 * 60_000)
    await start({ clock: clock.now })
    await expect(ec2!.send(new DescribeImagesCommand({}))).resolves.toMatchObject({ Images: [] })
    clock.advance(2 * 60_000)
    const error = await rejection(ec2!.send(new DescribeImagesCommand({})))
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual(['RequestExpired', 'Request has expired.', 400])
  })

  it('only moves forward', () => {
    clock = manualClock(0)
    expect(() => clock.advance(-1)).toThrow(/0 or more/)
    expect(() => clock.advance(Infinity)).toThrow(/finite/)
    clock.advance(0)
    expect(clock.now()).toBe(0)
  })
})
