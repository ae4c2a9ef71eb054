import { describe, expect, it } from '@jest/globals'
import type { Clock } from '../src/clock.js'
import {
  checkImage,
  waitForImage,
  type ImageObservation,
  type ImageProbe,
  type SnapshotObservation,
  type WaitOptions
} from '../src/wait.js'

const SECOND = 1_000
const MINUTE = 60 * SECOND

/** Virtual time: sleeping moves the clock; an abort can be scheduled at a moment of virtual time. */
class VirtualClock implements Clock {
  t = 0
  slept: number[] = []
  private abortAt?: { at: number; controller: AbortController }

  now(): number {
    return this.t
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.slept.push(ms)
    const pending = this.abortAt
    if (pending && signal === pending.controller.signal && !signal.aborted && this.t + ms >= pending.at) {
      this.t = pending.at
      pending.controller.abort()
      return
    }
    this.t += ms
  }

  abortAfter(at: number): AbortSignal {
    const controller = new AbortController()
    this.abortAt = { at, controller }
    return controller.signal
  }
}

interface Moment {
  image?: ImageObservation
  snapshots?: SnapshotObservation[]
}

/** A probe whose answers depend on the virtual time, recording every call. */
function probeOver(clock: VirtualClock, at: (t: number) => Moment) {
  const calls: Array<{ t: number; kind: 'images' | 'snapshots' }> = []
  const probe: ImageProbe = {
    async describeImage() {
      calls.push({ t: clock.now(), kind: 'images' })
      return at(clock.now()).image
    },
    async describeSnapshots(ids) {
      calls.push({ t: clock.now(), kind: 'snapshots' })
      return (at(clock.now()).snapshots ?? []).filter(s => ids.includes(s.snapshotId))
    }
  }
  return { probe, calls }
}

/** A probe that answers DescribeImages from a list, one entry per call (the last one repeats). */
function scriptedImages(clock: VirtualClock, answers: Array<ImageObservation | undefined | Error>) {
  const calls: number[] = []
  const probe: ImageProbe = {
    async describeImage() {
      calls.push(clock.now())
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)]
      if (answer instanceof Error) throw answer
      return answer
    },
    async describeSnapshots() {
      throw new Error('not expected')
    }
  }
  return { probe, calls }
}

const pending = (snapshotIds: string[] = []): ImageObservation => ({ state: 'pending', snapshotIds })

/**
 * A bake: snapshots progress linearly from `start` to their `end` (or to 99% at `reach99` and sit there), the
 * image flips `flipMs` after the last one completes.
 */
function bake(opts: {
  snapshots: Array<{ id: string; start: number; end: number; reach99?: number }>
  idsAt?: number
  flipMs?: number
}) {
  const idsAt = opts.idsAt ?? 5 * SECOND
  const finish = Math.max(...opts.snapshots.map(s => s.end))
  const availableAt = finish + (opts.flipMs ?? 3 * SECOND)
  const progress = (s: { start: number; end: number; reach99?: number }, t: number): number => {
    if (t >= s.end) return 100
    const toward = s.reach99 ?? s.end
    const top = s.reach99 === undefined ? 100 : 99
    if (t >= toward) return 99
    return Math.max(0, Math.min(99, Math.floor((top * (t - s.start)) / (toward - s.start))))
  }
  const at = (t: number): Moment => ({
    image: { state: t >= availableAt ? 'available' : 'pending', snapshotIds: t >= idsAt ? opts.snapshots.map(s => s.id) : [] },
    snapshots: opts.snapshots.map(s => {
      const p = progress(s, t)
      return { snapshotId: s.id, state: p === 100 ? 'completed' : 'pending', progress: p }
    })
  })
  return { at, availableAt }
}

function peakInWindow(times: number[], width: number): number {
  let best = 0
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= width) j++
    best = Math.max(best, i - j + 1)
  }
  return best
}

const options = (extra: Partial<WaitOptions> = {}): WaitOptions => ({ timeoutMs: 4 * 60 * MINUTE, random: () => 0.5, ...extra })

describe('checkImage', () => {
  it.each([
    [undefined, 'RETRY'],
    ['pending', 'RETRY'],
    ['transient', 'RETRY'],
    ['available', 'SUCCESS'],
    ['failed', 'FAILURE'],
    ['error', 'FAILURE'],
    ['invalid', 'FAILURE'],
    ['deregistered', 'FAILURE'],
    ['disabled', 'FAILURE']
  ])('maps %s to %s', (state, verdict) => {
    expect(checkImage(state === undefined ? undefined : { state, snapshotIds: [] })).toBe(verdict)
  })
})

describe('waitForImage outcomes', () => {
  it.each([
    { name: 'available after 4 polls', answers: [pending(), pending(), pending(), { state: 'available', snapshotIds: [] }], outcome: 'available', polls: 4 },
    { name: 'not found, then visible, then available', answers: [undefined, undefined, pending(), { state: 'available', snapshotIds: [] }], outcome: 'available', polls: 4 },
    {
      name: 'failed with its reason',
      answers: [pending(), { state: 'failed', stateReason: { code: 'Server.InternalError', message: 'Snapshot creation failed' }, snapshotIds: [] }],
      outcome: 'failed',
      polls: 2
    },
    { name: 'deregistered', answers: [pending(), { state: 'deregistered', snapshotIds: [] }], outcome: 'failed', polls: 2 },
    { name: 'invalid at once', answers: [{ state: 'invalid', snapshotIds: [] }], outcome: 'failed', polls: 1 }
  ])('$name', async ({ answers, outcome, polls }) => {
    const clock = new VirtualClock()
    const { probe, calls } = scriptedImages(clock, answers)
    const result = await waitForImage(probe, clock, options())
    expect(result.outcome).toBe(outcome)
    expect(result.calls).toEqual({ describeImages: polls, describeSnapshots: 0 })
    expect(result.image).toEqual(answers[polls - 1])
    expect(result.elapsedMs).toBe(calls[calls.length - 1])
    for (let i = 1; i < calls.length; i++) expect(calls[i] - calls[i - 1]).toBeGreaterThanOrEqual(SECOND)
  })

  it('keeps the last image when EC2 briefly stops showing it', async () => {
    const clock = new VirtualClock()
    const { probe } = scriptedImages(clock, [pending(), undefined, { state: 'failed', snapshotIds: [] }])
    const result = await waitForImage(probe, clock, options())
    expect(result.outcome).toBe('failed')
    expect(result.calls.describeImages).toBe(3)
  })

  it('backs off on throttling, counts the throttled calls, then carries on', async () => {
    const clock = new VirtualClock()
    const throttle = Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' })
    const answers = [pending(), ...Array<Error>(6).fill(throttle), { state: 'available', snapshotIds: [] }]
    const { probe, calls } = scriptedImages(clock, answers)
    const lines: string[] = []
    const result = await waitForImage(probe, clock, options({ log: line => lines.push(line) }))
    expect(result.outcome).toBe('available')
    expect(result.calls.describeImages).toBe(8)
    // Backoff ceilings 2, 4, 8, 16, 32, 60 s with jitter between half and all of it (random() = 0.5 gives 3/4);
    // the early ones hide behind the ordinary schedule (at most 15 s apart before the snapshot ids show).
    const gaps = calls.slice(1).map((t, i) => t - calls[i])
    expect(gaps.slice(-2)).toEqual([24_000, 45_000])
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1])
    expect(lines.some(l => l.includes('throttled'))).toBe(true)
  })

  it('uses the isThrottle option to tell throttling apart', async () => {
    const clock = new VirtualClock()
    const busy = Object.assign(new Error('slow down'), { name: 'SlowDown' })
    const { probe } = scriptedImages(clock, [busy, { state: 'available', snapshotIds: [] }])
    const result = await waitForImage(probe, clock, options({ isThrottle: e => (e as Error).name === 'SlowDown' }))
    expect(result.outcome).toBe('available')
  })

  it('lets any other error through unchanged', async () => {
    const clock = new VirtualClock()
    const denied = Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' })
    const { probe, calls } = scriptedImages(clock, [pending(), denied])
    await expect(waitForImage(probe, clock, options())).rejects.toBe(denied)
    expect(calls).toHaveLength(2)
  })

  it('goes to DescribeImages at once when a snapshot turns error, and reports the failure', async () => {
    const clock = new VirtualClock()
    const failedAt = 5 * MINUTE
    const { probe, calls } = probeOver(clock, t => ({
      image: t >= failedAt ? { state: 'failed', stateReason: { message: 'boom' }, snapshotIds: ['snap-1'] } : pending(['snap-1']),
      snapshots: [{ snapshotId: 'snap-1', state: t >= failedAt ? 'error' : 'pending', progress: Math.min(40, Math.floor(t / (3 * SECOND))) }]
    }))
    const result = await waitForImage(probe, clock, options())
    expect(result.outcome).toBe('failed')
    expect(result.image?.stateReason?.message).toBe('boom')
    const firstError = calls.find(c => c.kind === 'snapshots' && c.t >= failedAt)
    expect(result.elapsedMs - (firstError?.t ?? Infinity)).toBeLessThanOrEqual(SECOND)
  })
})

describe('waitForImage deadline and abort', () => {
  it('makes one last poll just before the deadline, then times out', async () => {
    const clock = new VirtualClock()
    const timeoutMs = 30 * MINUTE
    // Slow progress: the schedule sleeps up to minutes at a time.
    const { probe, calls } = probeOver(clock, t => ({
      image: pending(['snap-1']),
      snapshots: [{ snapshotId: 'snap-1', state: 'pending', progress: Math.floor(t / (3 * MINUTE)) }]
    }))
    const result = await waitForImage(probe, clock, options({ timeoutMs }))
    expect(result.outcome).toBe('timeout')
    const last = calls[calls.length - 1]
    expect(last.kind).toBe('images')
    expect(last.t).toBeGreaterThanOrEqual(timeoutMs - SECOND)
    expect(last.t).toBeLessThan(timeoutMs)
    expect(result.elapsedMs).toBeLessThan(timeoutMs)
  })

  it('sees an image that turned available in the last seconds before the deadline', async () => {
    const clock = new VirtualClock()
    const timeoutMs = 30 * MINUTE
    const { probe } = probeOver(clock, t => ({
      image: { state: t >= timeoutMs - 3 * SECOND ? 'available' : 'pending', snapshotIds: ['snap-1'] },
      snapshots: [{ snapshotId: 'snap-1', state: 'pending', progress: Math.floor(t / (3 * MINUTE)) }]
    }))
    const result = await waitForImage(probe, clock, options({ timeoutMs }))
    expect(result.outcome).toBe('available')
  })

  it('ends promptly when aborted in the middle of a sleep', async () => {
    const clock = new VirtualClock()
    const signal = clock.abortAfter(30 * SECOND)
    const { probe, calls } = scriptedImages(clock, [pending()])
    const result = await waitForImage(probe, clock, options({ signal }))
    expect(result.outcome).toBe('aborted')
    expect(result.elapsedMs).toBe(30 * SECOND)
    expect(calls.every(t => t < 30 * SECOND)).toBe(true)
  })

  it('makes no call when the signal is already aborted', async () => {
    const clock = new VirtualClock()
    const { probe, calls } = scriptedImages(clock, [pending()])
    const result = await waitForImage(probe, clock, options({ signal: AbortSignal.abort() }))
    expect(result.outcome).toBe('aborted')
    expect(calls).toHaveLength(0)
  })

  it.each([
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ timeoutMs: -5 }, 'timeoutMs'],
    [{ timeoutMs: Number.NaN }, 'timeoutMs'],
    [{ timeoutMs: Infinity }, 'timeoutMs'],
    [{ timeoutMs: '60000' }, 'timeoutMs'],
    [{}, 'timeoutMs'],
    [{ timeoutMs: 1000, random: 0.5 }, 'random'],
    [{ timeoutMs: 1000, log: 'yes' }, 'log'],
    [{ timeoutMs: 1000, isThrottle: true }, 'isThrottle'],
    [{ timeoutMs: 1000, signal: {} }, 'signal']
  ])('rejects %j before any call, naming %s', async (bad, name) => {
    const clock = new VirtualClock()
    const { probe, calls } = scriptedImages(clock, [pending()])
    await expect(waitForImage(probe, clock, bad as unknown as WaitOptions)).rejects.toThrow(name)
    expect(calls).toHaveLength(0)
  })
})

describe('waitForImage schedule', () => {
  it('never makes more than one request a second, and stays within 0.2 requests/s, on a fast bake', async () => {
    const clock = new VirtualClock()
    const { at, availableAt } = bake({
      snapshots: [
        { id: 'snap-a', start: 8 * SECOND, end: 100 * SECOND },
        { id: 'snap-b', start: 9 * SECOND, end: 70 * SECOND }
      ],
      flipMs: 12 * SECOND
    })
    const { probe, calls } = probeOver(clock, at)
    const result = await waitForImage(probe, clock, options())
    expect(result.outcome).toBe('available')
    const times = calls.map(c => c.t)
    expect(peakInWindow(times, SECOND)).toBe(1)
    expect(peakInWindow(times, 10 * SECOND)).toBeLessThanOrEqual(10)
    expect(times.length / (result.elapsedMs / SECOND)).toBeLessThanOrEqual(0.2)
    expect(result.elapsedMs - availableAt).toBeLessThanOrEqual(2 * SECOND)
    expect(result.snapshots.map(s => s.progress)).toEqual([100, 100])
  })

  it('polls rarely while a long bake progresses and sees the finish within seconds', async () => {
    const clock = new VirtualClock()
    const { at, availableAt } = bake({ snapshots: [{ id: 'snap-a', start: 10 * SECOND, end: 60 * MINUTE }], flipMs: 7 * SECOND })
    const { probe, calls } = probeOver(clock, at)
    const result = await waitForImage(probe, clock, options())
    expect(result.outcome).toBe('available')
    expect(result.elapsedMs - availableAt).toBeLessThanOrEqual(2 * SECOND)
    // The SDK's waiter makes about 34 calls in an hour; at most 1.5 times that.
    expect(calls.length).toBeLessThanOrEqual(51)
    // Never longer than 140 s between two looks while the finish is far off, so a failure shows within that.
    const gaps = calls.slice(1).map((c, i) => c.t - calls[i].t)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(140 * SECOND)
    // A look now and then is at the image itself, in place of a progress read.
    expect(calls.filter(c => c.kind === 'images' && c.t > MINUTE && c.t < 50 * MINUTE).length).toBeGreaterThanOrEqual(4)
  })

  it.each([12, 23, 37, 44, 51])('notices a failure %i minutes into an hour-long bake within 141 s', async minutes => {
    const clock = new VirtualClock()
    const failedAt = minutes * MINUTE + 13 * SECOND
    const { probe, calls } = probeOver(clock, t => ({
      image: t >= failedAt ? { state: 'failed', snapshotIds: ['snap-1'] } : pending(['snap-1']),
      snapshots: [{ snapshotId: 'snap-1', state: t >= failedAt ? 'error' : 'pending', progress: Math.floor(Math.min(t, failedAt) / (36 * SECOND)) }]
    }))
    const result = await waitForImage(probe, clock, options())
    expect(result.outcome).toBe('failed')
    expect(result.elapsedMs - failedAt).toBeLessThanOrEqual(141 * SECOND)
    expect(calls[calls.length - 1].kind).toBe('images')
  })

  it('waits out a long stall at 99% on a budget and still notices the finish within seconds', async () => {
    const clock = new VirtualClock()
    const { at, availableAt } = bake({
      snapshots: [{ id: 'snap-a', start: 10 * SECOND, reach99: 10 * MINUTE, end: 30 * MINUTE }],
      flipMs: 4 * SECOND
    })
    const { probe, calls } = probeOver(clock, at)
    const result = await waitForImage(probe, clock, options())
    expect(result.outcome).toBe('available')
    expect(result.elapsedMs - availableAt).toBeLessThanOrEqual(5 * SECOND)
    const times = calls.map(c => c.t)
    expect(times.length / (result.elapsedMs / SECOND)).toBeLessThanOrEqual(0.2)
    expect(peakInWindow(times, 10 * SECOND)).toBeLessThanOrEqual(10)
    // Twenty minutes at 99%: nowhere near one request a second.
    const inStall = times.filter(t => t > 11 * MINUTE && t < 30 * MINUTE).length
    expect(inStall).toBeLessThan(0.2 * 19 * 60)
    expect(calls.some(c => c.kind === 'images' && c.t > 11 * MINUTE && c.t < 30 * MINUTE)).toBe(true)
  })

  describe('after a short bake whose progress jumps, seen complete some seconds after it completed', () => {
    // One snapshot reporting 35% at 30 s, 70% at 70 s, then 100% at 105 s; the image flips `flipMs` later.
    const jumpyBake = (flipMs: number) => {
      const availableAt = 105 * SECOND + flipMs
      const progress = (t: number): number => (t >= 105 * SECOND ? 100 : t >= 70 * SECOND ? 70 : t >= 30 * SECOND ? 35 : 0)
      return {
        availableAt,
        at: (t: number): Moment => ({
          image: { state: t >= availableAt ? 'available' : 'pending', snapshotIds: t >= 5 * SECOND ? ['snap-a'] : [] },
          snapshots: [{ snapshotId: 'snap-a', state: progress(t) === 100 ? 'completed' : 'pending', progress: progress(t) }]
        })
      }
    }
    // The last read at 70% is at 102.084 s, the 100% is seen at 106.514 s, the image looked at once at 107.514 s.
    const progressReads = [10_527, 21_054, 42_108, 47_110, 58_888, 73_610, 78_487, 83_326, 88_120, 92_856, 97_519, 102_084, 106_514]

    it('spends its credit by 25 s after the last read short of 100%, not after the 100% was seen', async () => {
      const clock = new VirtualClock()
      const { at, availableAt } = jumpyBake(17 * SECOND)
      const { probe, calls } = probeOver(clock, at)
      const result = await waitForImage(probe, clock, options())
      expect(result.outcome).toBe('available')
      expect(calls.filter(c => c.kind === 'snapshots').map(c => c.t)).toEqual(progressReads)
      // 16 calls by 107.514 s leave 5.43 of credit; with 0.19/s more over the 19.57 s to 127.084 s, a look every
      // 2.14 s (counted from the 100% seen, 25 s would give 2.40 s).
      const flipLooks = calls.filter(c => c.t > 106_514).map(c => c.t)
      expect(flipLooks).toEqual([107_514, 109_654, 111_794, 113_934, 116_074, 118_214, 120_354, 122_494])
      expect(result.elapsedMs - availableAt).toBe(494)
    })

    it('keeps looking at the budget rate when the flip takes longer than that', async () => {
      const clock = new VirtualClock()
      const { at, availableAt } = jumpyBake(45 * SECOND)
      const { probe, calls } = probeOver(clock, at)
      const result = await waitForImage(probe, clock, options())
      expect(result.outcome).toBe('available')
      const flipLooks = calls.filter(c => c.t > 106_514).map(c => c.t)
      // Credit spent by 127.084 s; then one look each time the budget allows one (every 1/0.19 s), no 30 s pause.
      expect(flipLooks).toEqual([
        107_514, 109_654, 111_794, 113_934, 116_074, 118_214, 120_354, 122_494, 124_633, 126_772, 131_579, 136_843, 142_106,
        147_369, 152_632
      ])
      expect(result.elapsedMs - availableAt).toBe(2_632)
      const times = calls.map(c => c.t)
      expect(times.length / (result.elapsedMs / SECOND)).toBeLessThanOrEqual(0.2)
      expect(peakInWindow(times, SECOND)).toBe(1)
    })
  })

  it('logs at the start, on each change of state, and otherwise at most once every 30 s', async () => {
    const clock = new VirtualClock()
    const { at } = bake({ snapshots: [{ id: 'snap-a', start: 10 * SECOND, end: 5 * MINUTE }], idsAt: 3 * SECOND, flipMs: 10 * SECOND })
    const { probe } = probeOver(clock, t => (t < 2 * SECOND ? {} : at(t)))
    const lines: Array<{ t: number; line: string }> = []
    const result = await waitForImage(probe, clock, options({ label: 'ami-0123', log: line => lines.push({ t: clock.now(), line }) }))
    expect(result.outcome).toBe('available')
    expect(lines[0]).toEqual({ t: 0, line: 'Waiting for ami-0123 to become available (timeout 4h00m00s)' })
    const progress = lines.filter(l => /^Waiting for ami-0123: /.test(l.line))
    expect(progress.some(l => /pending, snapshots snap-a \d+%, \d+m\d\ds elapsed, about .* left/.test(l.line))).toBe(true)
    // A change of state gets its line at once, even right after another line.
    const complete = progress.find(l => l.line.includes('all snapshots complete'))
    expect(complete).toBeDefined()
    expect((complete?.t ?? 0) - 5 * MINUTE).toBeLessThanOrEqual(2 * SECOND)
    expect(lines[lines.length - 1].line).toMatch(/^ami-0123 is available after 5m\d\ds \(\d+ DescribeImages, \d+ DescribeSnapshots\)$/)
    // Lines that are not about a change of state are at least 30 s apart.
    const heartbeats = progress.filter(l => l !== complete && !l.line.startsWith('Waiting for ami-0123: not visible') && l.t > 5 * SECOND)
    for (let i = 1; i < heartbeats.length; i++) expect(heartbeats[i].t - heartbeats[i - 1].t).toBeGreaterThanOrEqual(30 * SECOND)
    // ...and there is one at least every minute or so while waiting.
    expect(heartbeats.length).toBeGreaterThanOrEqual(4)
  })
})
