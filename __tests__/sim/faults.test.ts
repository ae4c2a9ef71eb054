import * as core from '@actions/core'
import { CreateImageCommand, DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { fromWebToken } from '@aws-sdk/credential-providers'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { FaultQueue } from '../../sim/faults.js'
import { startSim, type FaultRule, type Sim } from '../../sim/index.js'
import { ec2Client, manualClock, REGION, rejection, simPerTest, staticCredentials, useSimEnv } from './helpers.js'

// Each fault kind as a client sees it. Clients run with maxAttempts 1 to see the raw fault, except where
// the point is what the SDK's own retries make of it.

const sims = simPerTest()
let sim: Sim
let ec2: EC2Client
let instanceId: string

beforeEach(async () => {
  // The sim's clock stands still unless a test moves it: an image made in a test is pending for all of it.
  sim = await sims.start({ clock: manualClock().now, bake: { durationMs: 300 } })
  ec2 = ec2Client(staticCredentials(sim))
  instanceId = sim.addInstance()
})

afterEach(() => {
  ec2.destroy()
})

describe('EC2 faults', () => {
  it.each([
    ['throttle', 'RequestLimitExceeded', 'Request limit exceeded.', 503],
    ['server-error', 'InternalError', 'An internal error has occurred', 500]
  ] as const)('%s answers %s without doing the work', async (kind, code, message, status) => {
    sim.fault({ action: 'CreateImage', kind })
    const error = await rejection(ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'faulted' })))
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual([code, message, status])
    expect(sim.images()).toEqual([])
    expect(sim.calls).toEqual([expect.objectContaining({ service: 'ec2', action: 'CreateImage', status, errorCode: code, fault: kind, principal: sim.staticKeys.arn })])
  })

  it('answers a custom fault as given, e.g. the not-yet-visible image EC2 sometimes reports', async () => {
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'fresh' }))
    sim.fault({ action: 'DescribeImages', kind: { status: 400, code: 'InvalidAMIID.NotFound', message: `The image id '[${ImageId}]' does not exist` } })
    const error = await rejection(ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })))
    expect([error.name, error.message]).toEqual(['InvalidAMIID.NotFound', `The image id '[${ImageId}]' does not exist`])
    await expect(ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).resolves.toMatchObject({ Images: [{ ImageId }] })
    expect(sim.calls.map((c) => c.fault)).toEqual([undefined, 'custom', undefined])
  })

  it('reset drops the connection before doing anything', async () => {
    sim.fault({ service: 'ec2', action: 'CreateImage', kind: 'reset' })
    const error = await rejection(ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'reset' })))
    // The SDK's retry layer wraps the socket error: 'AWS SDK error wrapper for TimeoutError: socket hang up'.
    expect(error.message).toMatch(/socket hang up|ECONNRESET/)
    expect(sim.images()).toEqual([])
    expect(sim.calls).toEqual([expect.objectContaining({ action: 'CreateImage', status: 0, fault: 'reset' })])
  })

  it('reset-after-processing makes the image, then drops the connection: a retry then finds the name taken', async () => {
    sim.fault({ action: 'CreateImage', kind: 'reset-after-processing' })
    const error = await rejection(ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'made-anyway' })))
    expect(error.message).toMatch(/socket hang up|ECONNRESET/)
    expect(sim.images()).toEqual([expect.objectContaining({ name: 'made-anyway', state: 'pending' })])
    expect(sim.calls).toEqual([expect.objectContaining({ action: 'CreateImage', status: 200, fault: 'reset-after-processing' })])

    // The SDK retries a dropped connection on its own, and CreateImage is not idempotent.
    sim.fault({ action: 'CreateImage', kind: 'reset-after-processing' })
    const retrying = ec2Client(staticCredentials(sim), { maxAttempts: 3 })
    try {
      const duplicate = await rejection(retrying.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'second' })))
      expect(duplicate.name).toBe('InvalidAMIName.Duplicate')
      expect(duplicate.message).toBe(`AMI name second is already in use by AMI ${sim.images()[1].imageId}`)
    } finally {
      retrying.destroy()
    }
  })

  it('skips and repeats as told, and the SDK retries its way through a transient 500', async () => {
    sim.fault({ action: 'DescribeImages', kind: 'server-error', skip: 1, times: 2 })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      statuses.push(await ec2.send(new DescribeImagesCommand({})).then((r) => r.$metadata.httpStatusCode!, (e) => e.$metadata.httpStatusCode))
    }
    expect(statuses).toEqual([200, 500, 500, 200])

    sim.fault({ action: '*', kind: 'server-error' })
    const retrying = ec2Client(staticCredentials(sim), { maxAttempts: 2 })
    try {
      const { $metadata } = await retrying.send(new DescribeImagesCommand({}))
      expect($metadata.attempts).toBe(2)
    } finally {
      retrying.destroy()
    }
  })

  it('leaves other services alone', async () => {
    sim.fault({ service: 'sts', action: '*', kind: 'throttle', times: 5 })
    await expect(ec2.send(new DescribeImagesCommand({}))).resolves.toBeDefined()
    expect(sim.calls[0].fault).toBeUndefined()
  })
})

describe('STS and OIDC faults', () => {
  it.each([
    ['throttle', 'Throttling', 400],
    ['server-error', 'InternalFailure', 500]
  ] as const)('STS %s answers %s', async (kind, code, status) => {
    const token = await core.getIDToken('sts.amazonaws.com')
    sim.fault({ service: 'sts', action: 'AssumeRoleWithWebIdentity', kind })
    const provider = fromWebToken({ roleArn: 'arn:aws:iam::123456789012:role/bake-ami', webIdentityToken: token, clientConfig: { region: REGION, maxAttempts: 1 } })
    const error = await rejection(provider())
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, status])
    expect(sim.secrets().some((s) => s.startsWith('IQoJ') && s !== sim.env().ACTIONS_ID_TOKEN_REQUEST_TOKEN)).toBe(false)
  })

  it.each([
    ['throttle', /Error Code : 429/],
    ['server-error', /Error Code : 500/],
    ['reset', /socket hang up|ECONNRESET/]
  ] as const)('the ID-token endpoint fails getIDToken on %s', async (kind, message) => {
    sim.fault({ service: 'oidc', action: 'token', kind })
    await expect(core.getIDToken('sts.amazonaws.com')).rejects.toThrow(message)
    expect(sim.calls).toEqual([expect.objectContaining({ service: 'oidc', action: 'token', fault: kind })])
  })

  it("lets getIDToken's own retries ride out a 503", async () => {
    sim.fault({ service: 'oidc', action: 'token', kind: { status: 503, code: 'ServiceUnavailable', message: 'busy' }, times: 2 })
    await expect(core.getIDToken('sts.amazonaws.com')).resolves.toMatch(/^eyJ/)
    expect(sim.calls.map((c) => c.status)).toEqual([503, 503, 200])
  })
})

describe('a fault for a while (forMs)', () => {
  it('hits every matching request from the first one it hits until forMs has passed, then none', () => {
    let now = 1_000
    const faults = new FaultQueue(() => now)
    faults.add({ action: 'DescribeImages', kind: 'throttle', forMs: 30_000, skip: 1 })
    const seen: (string | undefined)[] = []
    const ask = (at: number, action = 'DescribeImages'): void => {
      now = at
      seen.push(faults.take('ec2', action) as string | undefined)
    }
    // Skipped, then hit from 5 s on (whatever `times` would say), other actions untouched, over at 35 s.
    ask(2_000)
    ask(5_000)
    ask(6_000, 'DescribeSnapshots')
    for (const at of [7_000, 8_000, 9_000, 20_000, 34_999]) ask(at)
    ask(35_000)
    ask(90_000)
    expect(seen).toEqual([undefined, 'throttle', undefined, 'throttle', 'throttle', 'throttle', 'throttle', 'throttle', undefined, undefined])
  })

  it('refuses a length that is not above 0', () => {
    expect(() => new FaultQueue(() => 0).add({ action: '*', kind: 'throttle', forMs: 0 })).toThrow(/forMs/)
  })
})

describe('a fault from a given sim time (startMs)', () => {
  function queue(rule: Omit<FaultRule, 'action' | 'kind'>) {
    let now = 0
    const faults = new FaultQueue(() => now)
    faults.add({ service: 'oidc', action: 'token', kind: 'server-error', ...rule })
    return (at: number, action = 'token'): string | undefined => {
      now = at
      return faults.take('oidc', action) as string | undefined
    }
  }

  it('runs an outage from startMs for forMs, however late its first request comes', () => {
    const ask = queue({ startMs: 10_000, forMs: 14_000 })
    // Nothing before 10 s; the first request at 20 s is inside the outage, which still ends at 24 s.
    expect([0, 9_999, 20_000, 23_999, 24_000, 30_000].map(at => ask(at))).toEqual([
      undefined,
      undefined,
      'server-error',
      'server-error',
      undefined,
      undefined
    ])
  })

  it('hits nothing at all when no request comes during the outage', () => {
    const ask = queue({ startMs: 10_000, forMs: 1_000 })
    expect([9_000, 11_000, 12_000].map(at => ask(at))).toEqual([undefined, undefined, undefined])
  })

  it('counts skip and times only from startMs on', () => {
    const ask = queue({ startMs: 5_000, skip: 1, times: 2 })
    expect([1_000, 2_000, 5_000, 6_000, 7_000, 8_000].map(at => ask(at))).toEqual([
      undefined,
      undefined,
      undefined,
      'server-error',
      'server-error',
      undefined
    ])
  })

  it('refuses a start before the sim started', () => {
    expect(() => new FaultQueue(() => 0).add({ action: '*', kind: 'throttle', startMs: -1 })).toThrow(/startMs/)
  })

  it('reads startMs on the clock of sim.calls', async () => {
    // A sim of its own on a clock this test moves (the file's sim is on a clock that stands still).
    const clock = manualClock()
    const timed = await startSim({ clock: clock.now })
    const restoreEnv = useSimEnv(timed)
    const client = ec2Client(staticCredentials(timed))
    try {
      clock.advance(5_000)
      await client.send(new DescribeImagesCommand({}))
      const first = timed.calls[0]
      expect(first.at).toBe(5_000)
      timed.fault({ action: 'DescribeImages', kind: 'server-error', startMs: first.at + 10_000, forMs: 1_000 })
      const statuses: number[] = []
      for (const step of [9_999, 1, 999, 1]) {
        clock.advance(step)
        statuses.push(await client.send(new DescribeImagesCommand({})).then((r) => r.$metadata.httpStatusCode!, (e) => e.$metadata.httpStatusCode))
      }
      expect(statuses).toEqual([200, 500, 500, 200])
    } finally {
      client.destroy()
      restoreEnv()
      await timed.close()
    }
  })
})
