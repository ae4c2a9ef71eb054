/**
 * The cadence, phase by phase from tables, on what was seen built with the same reducers the loop uses; then its
 * guarantee: whatever the snapshots say, the image itself is looked at often enough, within the budget.
 */
import { describe, expect, it } from '@jest/globals'
import type { ImageObservation, SnapshotObservation } from '../../src/observations.js'
import {
  afterImageLook,
  afterSnapshotRead,
  afterThrottle,
  allowance,
  allowedFrom,
  CADENCE,
  estimateFinish,
  nextLook,
  NOTHING_SEEN,
  phaseOf,
  type Seen
} from '../../src/wait/cadence.js'
import { seededRandom } from '../../bench/random.js'

const S = 1000
/** The phases and the steady budget on their own, without the quick looks every wait starts with. */
const STEADY: typeof CADENCE = { ...CADENCE, quickLooksMs: [] }
const IDS = ['snap-0aaaaaaaaaaaaaaaa', 'snap-0bbbbbbbbbbbbbbbb']
const pending = (snapshotIds: readonly string[] = IDS): ImageObservation => ({ state: 'pending', snapshotIds })
const at = (progress: number, state = progress === 100 ? 'completed' : 'pending'): SnapshotObservation[] =>
  IDS.map(snapshotId => ({ snapshotId, state, progress }))

/** What was seen after these looks: [second, image] or [second, snapshot readings]. */
function seenAfter(...looks: [number, ImageObservation | undefined | SnapshotObservation[]][]): Seen {
  return looks.reduce<Seen>(
    (seen, [second, what]) => (Array.isArray(what) ? afterSnapshotRead(seen, second * S, what) : afterImageLook(seen, second * S, what)),
    NOTHING_SEEN
  )
}

/** A snapshot moving 1 % every 6 s from 0 s, read every 30 s: finishes at 600 s. */
const steady = (until: number): Seen =>
  seenAfter([0, pending()], ...Array.from({ length: Math.floor(until / 30) }, (_, i): [number, SnapshotObservation[]] => [(i + 1) * 30, at(5 * (i + 1))]))

describe('phaseOf', () => {
  it.each<[string, string, Seen, number]>([
    ['nothing seen yet', 'discover', NOTHING_SEEN, 0],
    ['not shown yet', 'discover', seenAfter([0, undefined]), 1 * S],
    ['shown without snapshots', 'discover', seenAfter([0, pending([])]), 5 * S],
    ['snapshots listed, not read', 'unread', seenAfter([0, pending()]), 5 * S],
    ['shown, then missing', 'confirm', seenAfter([0, pending()], [10, undefined]), 11 * S],
    ['a snapshot failed', 'confirm', seenAfter([0, pending()], [10, at(40, 'error')]), 11 * S],
    ['at 0 %', 'idle', seenAfter([0, pending()], [10, at(0)]), 11 * S],
    ['one level, no pace yet', 'idle', seenAfter([0, pending()], [10, at(7)]), 11 * S],
    ['pace known, finish minutes away', 'far', steady(120), 121 * S],
    ['pace known, finish under half a minute away', 'approach', steady(570), 571 * S],
    ['inside the finish window', 'near', steady(570), 595 * S],
    ['past every prediction', 'idle', steady(570), 700 * S],
    ['every snapshot complete', 'flip', seenAfter([0, pending()], [10, at(100)]), 11 * S]
  ])('%s: %s', (_title, phase, seen, now) => {
    expect(phaseOf(seen, now, STEADY).phase).toBe(phase)
  })
})

describe('nextLook, phase by phase', () => {
  // [title, seen, now (s), kind, earliest (s), latest (s)]
  it.each<[string, Seen, number, 'image' | 'snapshots', number, number]>([
    ['the first look is at once', NOTHING_SEEN, 0, 'image', 0, 0],
    ['not shown: soon, as the budget allows', seenAfter([0, undefined]), 0.1, 'image', 2, 10.3],
    ['snapshots listed: read them next', seenAfter([0, pending()], [10.3, pending()]), 10.3, 'snapshots', 10.3, 15.4],
    ['shown, then missing: confirm within a few seconds', seenAfter([0, pending()], [30, undefined]), 30, 'image', 33, 33],
    ['a snapshot failed: the image at once', seenAfter([0, pending()], [30, at(40, 'error')]), 30, 'image', 30, 30],
    ['far: the image every 20 s, the snapshots less often', seenAfter([0, pending()], [30, at(5)], [60, at(10)], [61, pending()]), 61, 'image', 81, 81],
    ['far: the next read 20 s on at least, a third of the way to the finish', afterImageLook(steady(540), 541 * S, pending()), 541, 'snapshots', 560, 560],
    ['approach: a read before the earliest finish', afterImageLook(steady(570), 571 * S, pending()), 571, 'snapshots', 575, 593],
    ['near: dense reads while the credit lasts', afterImageLook(steady(570), 595 * S, pending()), 595, 'snapshots', 595, 596.5],
    ['idle at 0 %: the floor, reads every minute', seenAfter([0, pending()], [30, at(0)], [31, pending()]), 31, 'image', 36, 38.5],
    ['complete: the image at once', seenAfter([0, pending()], [30, at(100)]), 30, 'image', 30, 30],
    ['complete: then dense looks', seenAfter([0, pending()], [100, at(100)], [101, pending()]), 101, 'image', 102.5, 103]
  ])('%s', (_title, seen, now, kind, earliest, latest) => {
    const look = nextLook(seen, now * S, STEADY)
    expect(look.kind).toBe(kind)
    expect(look.at).toBeGreaterThanOrEqual(earliest * S)
    expect(look.at).toBeLessThanOrEqual(latest * S)
  })

  it('spends the credit saved while the finish was far on the minute after every snapshot completed', () => {
    const saved = afterImageLook(afterSnapshotRead(steady(570), 600 * S, at(100)), 600 * S, pending())
    const looks: number[] = []
    let seen = saved
    for (let now = 600 * S; now < 700 * S; ) {
      const look = nextLook(seen, now)
      now = Math.max(look.at, now + 1000)
      looks.push(now)
      seen = afterImageLook(seen, now, pending())
    }
    const within = (from: number, to: number) => looks.filter(t => t >= from * S && t < to * S).length
    expect(within(600, 600 + CADENCE.flipSpanMs / S)).toBeGreaterThanOrEqual(CADENCE.flipSpanMs / CADENCE.denseGapMs - 1)
    expect(within(650, 700)).toBeLessThanOrEqual(50 / (CADENCE.imageGapMs / S) + 1)
  })
})

describe('estimateFinish', () => {
  it('puts a steady snapshot finish inside its window', () => {
    const finish = estimateFinish(steady(300))!
    expect(finish.lo).toBeLessThanOrEqual(600 * S)
    expect(finish.hi).toBeGreaterThanOrEqual(600 * S)
  })

  it('reads a smooth rise live: the window is a few steps wide, however far the finish', () => {
    const finish = estimateFinish(steady(300))!
    expect(finish.hi - finish.lo).toBeLessThanOrEqual(4 * 6 * S)
  })

  it('reads a rise in jumps as such: the window holds the finish, and ends by the steady pace its readings allow', () => {
    // The progress is t/5 s (finish at 500 s), but the readings jump to it only at 100 s and 250 s; read every 30 s.
    const reading = (second: number): number => (second >= 250 ? 50 : second >= 100 ? 20 : 0)
    const seen = seenAfter([0, pending()], ...Array.from({ length: 10 }, (_, i): [number, SnapshotObservation[]] => [(i + 1) * 30, at(reading((i + 1) * 30))]))
    const finish = estimateFinish(seen)!
    expect(finish.lo).toBeLessThanOrEqual(500 * S)
    expect(finish.hi).toBeGreaterThanOrEqual(500 * S)
    // 50 % first read at 270 s: a steady pace that started after the wait reaches 100 % by 540 s at the latest.
    expect(finish.hi).toBeLessThanOrEqual(540 * S)
  })

  it.each<[string, Seen]>([
    ['no snapshots read', seenAfter([0, pending()])],
    ['at 0 %', seenAfter([0, pending()], [10, at(0)], [40, at(0)])],
    ['one level', seenAfter([0, pending()], [10, at(12)], [40, at(12)])],
    ['all complete', seenAfter([0, pending()], [10, at(100)])]
  ])('has none with %s', (_title, seen) => {
    expect(estimateFinish(seen)).toBeUndefined()
  })

  it('ignores a reading that steps back', () => {
    const back = afterSnapshotRead(steady(300), 330 * S, at(20))
    expect(back.tracks[IDS[0]].level).toBe(50)
  })
})

describe('the quick looks', () => {
  it('look at the image 1, 2 and 4 s into the wait, whatever was seen', () => {
    const looks: number[] = []
    let seen = NOTHING_SEEN
    for (const shown of [pending(), pending(), pending()]) {
      const look = nextLook(seen, looks.at(-1) ?? 0)
      expect(look).toMatchObject({ kind: 'image', phase: 'quick' })
      looks.push(look.at)
      seen = afterImageLook(seen, look.at, shown)
    }
    expect(looks).toEqual([1 * S, 2 * S, 4 * S])
    expect(nextLook(seen, 4 * S).phase).not.toBe('quick')
  })

  it('come first, before a read of snapshots listed at the first look', () => {
    const seen = afterImageLook(NOTHING_SEEN, 1 * S, pending())
    expect(nextLook(seen, 1.1 * S)).toMatchObject({ at: 2 * S, kind: 'image' })
  })

  it('are followed by one more look at the image, as soon as the credit allows, before any read', () => {
    const seen = [1, 2, 4].reduce((seen, second) => afterImageLook(seen, second * S, pending()), NOTHING_SEEN)
    expect(nextLook(seen, 4 * S)).toMatchObject({ at: allowedFrom(4), kind: 'image' })
    expect(allowedFrom(4)).toBeLessThan(11 * S)
  })

  it('give way to confirming an image that went missing', () => {
    const seen = afterImageLook(afterImageLook(NOTHING_SEEN, 1 * S, pending()), 2 * S, undefined)
    expect(nextLook(seen, 2 * S).phase).toBe('confirm')
  })

  it('are lent on top of the budget, paid back by a minute in, and lent again where the rate targets leave room', () => {
    expect(allowance(0)).toBe(1)
    expect(allowance(1 * S)).toBe(1)
    expect(allowance(2 * S)).toBe(2)
    expect(allowance(4 * S)).toBe(3)
    expect(allowance(10 * S)).toBeCloseTo(3.95, 5)
    for (const second of [30, 50, 59]) expect(allowance(second * S)).toBeLessThanOrEqual(allowance(60 * S, STEADY) + 1e-9)
    // At a minute the steady budget is already what the 0.2 requests/s target allows: nothing is left to lend.
    for (const second of [60, 61]) expect(allowance(second * S)).toBeCloseTo(allowance(second * S, STEADY), 9)
    // Later the rate targets leave room for the loan (less one request's spare): a short bake's finish gets it back.
    expect(allowance(180 * S)).toBeGreaterThan(allowance(180 * S, STEADY) + 1)
    // Before the 0.15 target begins at 10 minutes, it is paid back at the floor's pace: no gap opens.
    expect(allowance(600 * S)).toBeCloseTo(0.15 * 600 - 1, 9)
    for (let second = 60; second < 600; second++) {
      expect(allowance((second + 7.5) * S) - allowance(second * S)).toBeGreaterThanOrEqual(1 - 1e-9)
    }
    for (const second of [120, 180, 600, 3600]) {
      expect(allowance(second * S)).toBeGreaterThanOrEqual(allowance(second * S, STEADY))
      expect(allowance(second * S)).toBeLessThanOrEqual(allowance(second * S, STEADY) + 2 + 1e-9)
    }
  })
})

describe('the budget', () => {
  it.each([
    [0, 1],
    [10, 1.95],
    [120, 7 + 0.136 * 120],
    // From about 10 minutes on, the whole long-wait rate: a bake's dense end is not starved by the head start's pace.
    [600, 0.148 * 600],
    [1200, 0.148 * 1200]
  ])('allows %s s into a wait %s looks, before the quick looks', (second, looks) => {
    expect(allowance(second * S, STEADY)).toBeCloseTo(looks, 5)
  })

  it.each([1.5, 2, 3, 4, 10, 11.7, 12, 23, 24, 80, 88.7, 88.9, 200, 500])('lets look %s go at the first moment the budget allows it', looks => {
    for (const tuning of [CADENCE, STEADY]) {
      const from = allowedFrom(looks, tuning)
      expect(allowance(from, tuning)).toBeGreaterThanOrEqual(looks - 1e-6)
      expect(allowance(from - 10, tuning)).toBeLessThan(looks)
    }
  })

  it.each([60, 120, 180, 599])('keeps a wait ending at %s s at or under 0.2 requests/s', second => {
    expect(allowance(second * S) / second).toBeLessThanOrEqual(0.2)
  })

  it.each([600, 1200, 3600, 10_800])('keeps a wait ending at %s s at or under 0.15 requests/s', second => {
    expect(allowance(second * S) / second).toBeLessThanOrEqual(0.15)
  })

  it('never starves a read at 0 %: the floor spends nearly all of the steady rate, yet a read comes every minute or so', () => {
    let seen = seenAfter([0, pending()])
    let now = 1000
    const reads: number[] = []
    while (now < 3600 * S) {
      const look = nextLook(seen, now)
      now = Math.max(look.at, now + 1000)
      if (look.kind === 'snapshots') reads.push(now)
      seen = look.kind === 'image' ? afterImageLook(seen, now, pending()) : afterSnapshotRead(seen, now, at(0))
    }
    const gaps = reads.slice(1).map((t, i) => t - reads[i])
    expect(Math.max(...gaps)).toBeLessThanOrEqual(CADENCE.idleReadGapMs + CADENCE.imageGapMs + 1000)
  })

  it('never starves the image while EC2 lists snapshots that DescribeSnapshots does not show yet', () => {
    let seen = NOTHING_SEEN
    let now = 0
    const images: number[] = []
    while (now < 120 * S) {
      const look = nextLook(seen, now)
      now = Math.max(look.at, now + 1000)
      if (look.kind === 'image') images.push(now)
      seen = look.kind === 'image' ? afterImageLook(seen, now, pending()) : afterSnapshotRead(seen, now, [])
    }
    // Once the first read is made, the floor holds: a read never takes the image's turn again.
    const later = images.filter(t => t >= 20 * S)
    expect(later.length).toBeGreaterThanOrEqual(100 / 8.5)
    const gaps = later.slice(1).map((t, i) => t - later[i])
    expect(Math.max(...gaps)).toBeLessThanOrEqual(CADENCE.imageGapMs + 1000)
  })

  it('counts a throttled request', () => {
    expect(afterThrottle(NOTHING_SEEN).calls).toBe(1)
  })
})

/**
 * The guarantee, from the cadence alone: snapshot readings that are random, stuck, stepping back or absent never
 * hold back a look at the image by more than the thin floor (plus the region's one-second spacing), and the looks
 * keep to the budget.
 */
describe('whatever the snapshots say', () => {
  const liars: [string, (random: () => number, t: number) => SnapshotObservation[]][] = [
    ['random readings', random => IDS.map(snapshotId => ({ snapshotId, state: 'pending', progress: Math.floor(random() * 100) }))],
    ['stuck at 99 %', () => at(99)],
    ['a steady pace that never ends', (_r, t) => at(Math.min(99, Math.floor(t / 3000)))],
    ['complete at once', () => at(100)],
    ['nothing', () => []],
    ['fast, then stuck', (_r, t) => at(Math.min(60, Math.floor(t / 1000)))]
  ]

  it.each(liars)('%s: the image is looked at often enough, within the budget', (_title, liar) => {
    const random = seededRandom(7)
    let seen = NOTHING_SEEN
    let now = 0
    let lastCall = -Infinity
    let lastImage = 0
    let worstGap = 0
    while (now < 3 * 3600 * S) {
      const look = nextLook(seen, now)
      now = Math.max(look.at, lastCall + 1000)
      lastCall = now
      if (look.kind === 'image') {
        worstGap = Math.max(worstGap, now - lastImage)
        lastImage = now
        seen = afterImageLook(seen, now, pending())
      } else {
        seen = afterSnapshotRead(seen, now, liar(random, now))
      }
      expect(seen.calls).toBeLessThanOrEqual(allowance(now) + 1e-9)
    }
    expect(worstGap).toBeLessThanOrEqual(CADENCE.farImageGapMs + 1000)
  })
})
