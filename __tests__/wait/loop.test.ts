/**
 * The loop on a virtual clock: several images in two regions, each to its own verdict; the deadline both ways;
 * abort; throttling through the real error wrapper; gone as a verdict.
 */
import { describe, expect, it } from '@jest/globals'
import { explainEc2Error } from '../../src/errors.js'
import type { ImageObservation, SnapshotObservation } from '../../src/observations.js'
import { checkImage, validateWaitOptions, waitForImages, type ImageSource } from '../../src/wait/loop.js'
import { afterImageLook, CADENCE, NOTHING_SEEN } from '../../src/wait/cadence.js'

const S = 1000

class VirtualClock {
  t = 0
  now(): number {
    return this.t
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return
    this.t += Math.max(0, ms)
  }
}

interface Script {
  /** What DescribeImages says at t (ms since the start); undefined: not shown. */
  image(t: number): ImageObservation | undefined
  snapshots?(t: number): SnapshotObservation[]
}

/** One region's EC2 over scripted images, recording each call and when. */
function region(clock: VirtualClock, scripts: Record<string, Script>, fault?: (t: number, action: string) => unknown) {
  const calls: { action: string; imageId?: string; at: number }[] = []
  const source: ImageSource = {
    async describeImage(imageId) {
      calls.push({ action: 'DescribeImages', imageId, at: clock.now() })
      const error = fault?.(clock.now(), 'DescribeImages')
      if (error) throw error
      return scripts[imageId].image(clock.now())
    },
    async describeSnapshots(ids) {
      calls.push({ action: 'DescribeSnapshots', at: clock.now() })
      const error = fault?.(clock.now(), 'DescribeSnapshots')
      if (error) throw error
      const script = Object.values(scripts).find(s => ids.every(id => s.image(clock.now())?.snapshotIds.includes(id)))
      return script?.snapshots?.(clock.now()) ?? []
    }
  }
  return { source, calls }
}

const pendingUntil = (at: number, final: string, snapshotIds = ['snap-0a']): Script => ({
  image: t => ({ state: t >= at ? final : 'pending', snapshotIds }),
  snapshots: t => snapshotIds.map(snapshotId => ({ snapshotId, state: t >= at ? 'completed' : 'pending', progress: Math.min(100, t / 600) }))
})

const gapsOf = (times: number[]): number[] => times.slice(1).map((t, i) => t - times[i])

describe('waitForImages', () => {
  it('waits for several images in two regions, each to its own verdict and with its own lines', async () => {
    const clock = new VirtualClock()
    const east = region(clock, {
      'ami-0east1': pendingUntil(40 * S, 'available'),
      'ami-0east2': pendingUntil(70 * S, 'failed'),
      'ami-0east3': pendingUntil(25 * S, 'deregistered')
    })
    const west = region(clock, {
      'ami-0west1': pendingUntil(90 * S, 'available'),
      'ami-0west2': { image: t => (t < 30 * S ? { state: 'pending', snapshotIds: [] } : undefined) }
    })
    const lines: string[] = []
    const results = await waitForImages(
      [
        { region: 'us-east-1', imageId: 'ami-0east1' },
        { region: 'us-east-1', imageId: 'ami-0east2' },
        { region: 'us-east-1', imageId: 'ami-0east3' },
        { region: 'eu-west-1', imageId: 'ami-0west1' },
        { region: 'eu-west-1', imageId: 'ami-0west2' }
      ],
      { clock, timeoutMs: 3600 * S, sourceFor: r => (r === 'us-east-1' ? east.source : west.source), log: line => lines.push(line) }
    )
    expect(results.map(r => [r.region, r.imageId, r.verdict])).toEqual([
      ['us-east-1', 'ami-0east1', 'available'],
      ['us-east-1', 'ami-0east2', 'failed'],
      ['us-east-1', 'ami-0east3', 'gone'],
      ['eu-west-1', 'ami-0west1', 'available'],
      ['eu-west-1', 'ami-0west2', 'gone']
    ])
    // Each verdict comes within the thin floor of the fact (the images share their region's spacing), a vanished
    // image's after its confirming looks too.
    const [east1, east2, east3, west1, west2] = results
    const floor = CADENCE.farImageGapMs + 3 * S
    expect(east1.elapsedMs - 40 * S).toBeLessThanOrEqual(floor)
    expect(east2.elapsedMs - 70 * S).toBeLessThanOrEqual(floor)
    expect(east3.elapsedMs - 25 * S).toBeLessThanOrEqual(floor)
    expect(west1.elapsedMs - 90 * S).toBeLessThanOrEqual(floor)
    expect(west2.elapsedMs - 30 * S).toBeLessThanOrEqual(floor + (CADENCE.goneMisses - 1) * CADENCE.missGapMs)
    // One second apart at least within a region, whichever image is looked at.
    for (const { calls } of [east, west]) expect(Math.min(...gapsOf(calls.map(c => c.at)))).toBeGreaterThanOrEqual(1000)
    // Every line names its image and region.
    for (const id of ['ami-0east1 (us-east-1)', 'ami-0west2 (eu-west-1)']) {
      expect(lines.filter(line => line.includes(id)).length).toBeGreaterThanOrEqual(2)
    }
    expect(lines).toContain(`ami-0west2 (eu-west-1) is gone after ${Math.round(west2.elapsedMs / S)}s: EC2 no longer shows it (${west2.calls.describeImages} DescribeImages, 0 DescribeSnapshots)`)
  })

  it.each([6, 90, 3601])('never gives up before a %s s deadline, and looks last at the deadline itself', async seconds => {
    const clock = new VirtualClock()
    const ec2 = region(clock, { 'ami-0slow': pendingUntil(Infinity, 'available') })
    const [result] = await waitForImages([{ region: 'us-east-1', imageId: 'ami-0slow' }], {
      clock,
      timeoutMs: seconds * S,
      sourceFor: () => ec2.source
    })
    expect(result.verdict).toBe('timeout')
    expect(result.elapsedMs).toBeGreaterThanOrEqual(seconds * S)
    expect(ec2.calls.at(-1)).toEqual({ action: 'DescribeImages', imageId: 'ami-0slow', at: seconds * S })
  })

  it('sees available at the very last look', async () => {
    const clock = new VirtualClock()
    const ec2 = region(clock, { 'ami-0late': pendingUntil(6 * S, 'available') })
    const [result] = await waitForImages([{ region: 'us-east-1', imageId: 'ami-0late' }], { clock, timeoutMs: 6 * S, sourceFor: () => ec2.source })
    expect(result).toMatchObject({ verdict: 'available', elapsedMs: 6 * S })
  })

  it('stops at once when aborted, before the start or while asleep', async () => {
    const clock = new VirtualClock()
    const ec2 = region(clock, { 'ami-0slow': pendingUntil(Infinity, 'available') })
    const before = new AbortController()
    before.abort()
    const [early] = await waitForImages([{ region: 'us-east-1', imageId: 'ami-0slow' }], { clock, timeoutMs: 60 * S, signal: before.signal, sourceFor: () => ec2.source })
    expect(early.verdict).toBe('aborted')
    expect(ec2.calls).toEqual([])

    const during = new AbortController()
    const sleep = clock.sleep.bind(clock)
    clock.sleep = async (ms, signal) => {
      if (clock.t > 30 * S) during.abort()
      return sleep(ms, signal)
    }
    const results = await waitForImages(
      [
        { region: 'us-east-1', imageId: 'ami-0slow' },
        { region: 'us-east-1', imageId: 'ami-0other' }
      ],
      { clock, timeoutMs: 3600 * S, signal: during.signal, sourceFor: () => region(clock, { 'ami-0slow': pendingUntil(Infinity, 'x'), 'ami-0other': pendingUntil(Infinity, 'x') }).source }
    )
    expect(results.map(r => r.verdict)).toEqual(['aborted', 'aborted'])
  })

  it('carries on through a throttling storm that comes through the real error wrapper, backing off further', async () => {
    const clock = new VirtualClock()
    const throttle = Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' })
    const where = { region: 'us-east-1', principal: 'role bake-ami' }
    const ec2 = region(clock, { 'ami-0storm': pendingUntil(200 * S, 'available') }, (t, action) =>
      t >= 20 * S && t < 140 * S ? explainEc2Error(action, throttle, where) : undefined
    )
    const lines: string[] = []
    const [result] = await waitForImages([{ region: 'us-east-1', imageId: 'ami-0storm' }], {
      clock,
      timeoutMs: 3600 * S,
      sourceFor: () => ec2.source,
      log: line => lines.push(line),
      random: () => 0.5
    })
    expect(result.verdict).toBe('available')
    const storm = ec2.calls.filter(c => c.at >= 20 * S && c.at < 140 * S).map(c => c.at)
    // Backing off: further apart as the storm goes on, up to 15 s (at least 7.5 s with the jitter), so far fewer
    // requests than once a second over two minutes.
    expect(storm.length).toBeLessThanOrEqual(20)
    expect(gapsOf(storm).at(-1)).toBeGreaterThan(gapsOf(storm)[0])
    expect(lines.some(line => /EC2 throttled Describe(Images|Snapshots) in us-east-1, looking again in \d+s/.test(line))).toBe(true)
  })

  it('lets any other error end the wait, unchanged', async () => {
    const clock = new VirtualClock()
    const denied = explainEc2Error('DescribeImages', Object.assign(new Error('no'), { name: 'UnauthorizedOperation' }), {
      region: 'us-east-1',
      principal: 'role bake-ami'
    })
    const ec2 = region(clock, { 'ami-0x': pendingUntil(Infinity, 'available') }, () => denied)
    await expect(waitForImages([{ region: 'us-east-1', imageId: 'ami-0x' }], { clock, timeoutMs: 60 * S, sourceFor: () => ec2.source })).rejects.toBe(denied)
  })

  it('takes a new image EC2 does not show yet in its stride', async () => {
    const clock = new VirtualClock()
    const ec2 = region(clock, { 'ami-0new': { image: t => (t < 12 * S ? undefined : { state: t < 20 * S ? 'pending' : 'available', snapshotIds: [] }) } })
    const [result] = await waitForImages([{ region: 'us-east-1', imageId: 'ami-0new' }], { clock, timeoutMs: 3600 * S, sourceFor: () => ec2.source })
    expect(result.verdict).toBe('available')
  })
})

describe('checkImage', () => {
  const shown = (state: string) => afterImageLook(NOTHING_SEEN, 0, { state, snapshotIds: [] })
  const missing = (seen: typeof NOTHING_SEEN, times: number, at: number) =>
    Array.from({ length: times }).reduce<typeof NOTHING_SEEN>(s => afterImageLook(s, at, undefined), seen)
  it.each([
    ['pending', shown('pending'), 10 * S, undefined],
    ['available', shown('available'), 10 * S, 'available'],
    ['failed', shown('failed'), 10 * S, 'failed'],
    ['error', shown('error'), 10 * S, 'failed'],
    ['invalid', shown('invalid'), 10 * S, 'failed'],
    ['deregistered', shown('deregistered'), 10 * S, 'gone'],
    ['shown, then missing twice', missing(shown('pending'), 2, 10 * S), 10 * S, undefined],
    ['shown, then missing three times', missing(shown('pending'), 3, 10 * S), 10 * S, 'gone'],
    ['never shown, 59 s in', missing(NOTHING_SEEN, 8, 59 * S), 59 * S, undefined],
    ['never shown, 60 s in', missing(NOTHING_SEEN, 8, 60 * S), 60 * S, 'gone']
  ])('%s', (_title, seen, now, verdict) => {
    expect(checkImage(seen, now)).toBe(verdict)
  })
})

describe('validateWaitOptions', () => {
  const clock = new VirtualClock()
  const sourceFor = () => ({}) as ImageSource
  it.each<[string, unknown, unknown, string]>([
    ['images not a list', 'ami-1', { clock, sourceFor, timeoutMs: 1 }, 'images must be a list'],
    ['an image listed twice', [{ region: 'r', imageId: 'a' }, { region: 'r', imageId: 'a' }], { clock, sourceFor, timeoutMs: 1 }, 'listed twice'],
    ['timeout 0', [], { clock, sourceFor, timeoutMs: 0 }, 'timeoutMs must be'],
    ['timeout not finite', [], { clock, sourceFor, timeoutMs: Infinity }, 'timeoutMs must be'],
    ['log not a function', [], { clock, sourceFor, timeoutMs: 1, log: 'x' }, 'log must be a function']
  ])('rejects %s', (_title, images, options, message) => {
    expect(() => validateWaitOptions(images as never, options as never)).toThrow(message)
  })
})
