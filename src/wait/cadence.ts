/**
 * When to look at one image next, and at what: a pure function of what was seen so far and the time (ms since
 * the wait started). The guarantee holds whatever the snapshots say:
 * - a floor: the image itself is looked at every `imageGapMs` at most (`farImageGapMs` while progress clearly puts
 *   the finish minutes away), so `available`, `failed` and a vanished image are seen within that gap;
 * - a budget: a look is made only while the credit allows, and a snapshot read leaves one look's credit for the
 *   image (but for the reads that tell whether the finish is far), so the budget delays an image look by at most
 *   1/`budget.perS`.
 * Progress only moves looks between them: credit saved while the finish is far buys dense looks around it.
 */
import type { ImageObservation, SnapshotObservation } from '../observations.js'

/** All the tuning; each value trades one thing against another, and `npm run bench` measures both sides. */
export const CADENCE = {
  /**
   * Looks allowed by second t: the first at once, then `min(earlyPerS·t, max(first + perS·t, longPerS·t))`. More
   * notice sooner, but share the region's throttling bucket with the whole account: this keeps any wait under 0.2
   * requests/s, and under 0.15 from 10 minutes on (`first`/600 + `perS` <= 0.148, then `longPerS`), whenever it
   * ends. `first` is a head start, used up two minutes in: with a floor that does not grow with it, it pays for the
   * reads and the dense looks that end a short bake. More of it starves less but would let the floor fall behind a
   * plain poller at our rate on a short wait that spends it all. From about 10 minutes on (where `longPerS·t` passes
   * the head start's line) a long wait gets the whole rate its target allows: a `perS` kept low for the head start's
   * sake would take looks from the dense end of every long bake. `perS` must exceed 1/`imageGapMs`, or the floor
   * would leave no credit for a read.
   */
  budget: { earlyPerS: 0.195, first: 7, perS: 0.136, longPerS: 0.148 },
  /**
   * A wait starts with looks at the image at these moments, whatever else the cadence would do: a registered image,
   * or one that was nearly done, is available within seconds, and a release should not wait ten for nothing. They are
   * lent on top of the budget, as far as `ceiling` allows. Sooner or more looks notice a fast image sooner, and take
   * looks from the first minute of every longer wait.
   */
  quickLooksMs: [1_000, 2_000, 4_000] as readonly number[],
  /**
   * The request-rate targets, which the loan never takes a wait past, whenever it ends: `perS` over any wait of
   * `fromMs` or more, less `spare` requests for a throttled one's retry. The budget of the first minute is already
   * what the first target allows at its end: the loan is paid back before it, at the floor's pace, so that no gap
   * opens; it is lent again where the target leaves room (a short bake's finish), and paid back the same way before
   * the next target begins.
   */
  ceiling: {
    targets: [
      { fromMs: 60_000, perS: 0.2 },
      { fromMs: 600_000, perS: 0.15 }
    ],
    spare: 1
  },
  /**
   * The floor when progress says nothing useful (done in seconds, stuck at 99 %): a fixed gap, just over 1/`perS`, so
   * the head start is saved for reads and dense looks rather than spent on the floor, and a plain poller at our rate
   * is no quicker. Lower notices sooner on those shapes, but starves the reads that save credit.
   */
  imageGapMs: 7_500,
  /** The floor while the finish is far: bounds how late a failure or a vanished image is seen; longer saves credit. */
  farImageGapMs: 20_000,
  /** The finish is far when even at the fastest pace progress allows it is this far off: less thins sooner, riskier. */
  farAheadMs: 30_000,
  /** The densest looks, around the finish: how late a flip is seen then; shorter needs more saved credit. */
  denseGapMs: 1_500,
  /** Reads closing in on the earliest finish halve the way there, down to this: closer pins it, at a read each. */
  approachReadGapMs: 3_000,
  /** Snapshot reads while the finish is far: a third of the time left, within these; rarer saves, later corrects. */
  farReadGapMs: { min: 20_000, max: 60_000 },
  /**
   * Reads with no estimate: a third of the time since a level last moved, within these (each costs an image look);
   * `paceReadGapMs` too once a snapshot moved, to learn its pace. Rarer saves; sooner learns that the finish is far.
   */
  idleReadGapMs: 60_000,
  paceReadGapMs: 15_000,
  /** Readings that jump: how much faster or slower the rest may go. Wider spends on a wider window; narrower misses. */
  paceSlack: 1.25,
  /** After the last snapshot completes the image flips within seconds to a minute: dense looks this long, then the floor. */
  flipSpanMs: 25_000,
  /** Credit the window before the finish leaves for the flip after it (at most half): more for one, less for the other. */
  flipReserve: 12,
  /** Before the snapshots are listed: look this soon, then `discoverGrowth` times later each time, up to the floor. */
  discoverGapMs: 2_000,
  discoverGrowth: 1.5,
  /** A shown image went missing: confirm this soon, this many times. Sooner notices sooner; later rides out a lagging replica. */
  missGapMs: 3_000,
  goneMisses: 3,
  /** An image never shown is gone only after this long: EC2 may not show a new id for a while. */
  unseenGraceMs: 60_000
} as const

export type Tuning = typeof CADENCE

/** One snapshot's highest level so far (a reading that steps back does not count), first read at `at`, after `after`. */
export interface SnapshotTrack {
  readonly level: number
  readonly at: number
  readonly after: number
  /** The last read that still showed `level`. */
  readonly until: number
  /** The same for its first level above 0: with `level`, it gives the pace. */
  readonly first?: { readonly level: number; readonly at: number; readonly after: number }
}

/** What was seen of one image so far. `calls` counts throttled requests too; `misses`, looks in a row without it. */
export interface Seen {
  readonly calls: number
  readonly imageLooks: number
  readonly lastImageAt: number
  readonly lastReadAt: number
  /** The last DescribeImages answer that showed the image, and the last DescribeSnapshots answer. */
  readonly image?: ImageObservation
  readonly snapshots: readonly SnapshotObservation[]
  readonly misses: number
  readonly tracks: Readonly<Record<string, SnapshotTrack>>
  /** When a read first showed every snapshot complete. */
  readonly completeAt?: number
}

export const NOTHING_SEEN: Seen = { calls: 0, imageLooks: 0, lastImageAt: -Infinity, lastReadAt: -Infinity, snapshots: [], misses: 0, tracks: {} }

export function afterImageLook(seen: Seen, now: number, image: ImageObservation | undefined): Seen {
  const looks = { calls: seen.calls + 1, imageLooks: seen.imageLooks + 1, lastImageAt: now }
  return { ...seen, ...looks, image: image ?? seen.image, misses: image ? 0 : seen.misses + 1 }
}

export function afterSnapshotRead(seen: Seen, now: number, read: readonly SnapshotObservation[]): Seen {
  const tracks = { ...seen.tracks }
  for (const snapshot of read) {
    const level = snapshot.state === 'completed' ? 100 : Math.max(0, Math.min(100, Math.floor(snapshot.progress)))
    const old = tracks[snapshot.snapshotId]
    if (old && level <= old.level) {
      tracks[snapshot.snapshotId] = { ...old, until: now }
      continue
    }
    const after = old ? seen.lastReadAt : -Infinity
    const first = old?.first ?? (level > 0 && level < 100 ? { level, at: now, after } : undefined)
    tracks[snapshot.snapshotId] = { level, at: now, after, until: now, first }
  }
  const ids = seen.image?.snapshotIds ?? []
  const done = ids.length > 0 && ids.every(id => tracks[id]?.level === 100)
  const completeAt = seen.completeAt ?? (done ? now : undefined)
  return { ...seen, calls: seen.calls + 1, lastReadAt: now, tracks, snapshots: read, completeAt }
}

/** A throttled request still counts against the budget. */
export function afterThrottle(seen: Seen): Seen {
  return { ...seen, calls: seen.calls + 1 }
}

/**
 * Looks the budget allows by `at`: the steady budget, and each quick look lent on top of it as it falls due (the first
 * takes the place of the steady budget's look at once), as far as the rate targets allow (`ceiling`).
 */
export function allowance(at: number, t: Tuning = CADENCE): number {
  const steady = steadyAllowance(at, t)
  const lent = Math.max(0, t.quickLooksMs.filter(due => due <= at).length - 1)
  return Math.max(steady, Math.min(steady + lent, loanLimit(at, t)))
}

/** The first moment the budget allows `looks` looks in all. */
export function allowedFrom(looks: number, t: Tuning = CADENCE): number {
  const steady = steadyFrom(looks, t)
  if (looks <= 1) return steady
  // The loan only brings a look sooner, by at most as many looks as were lent: search for it between the two.
  let [lo, hi] = [steadyFrom(Math.max(1, looks - t.quickLooksMs.length), t), steady]
  if (allowance(lo, t) >= looks) return lo
  while (hi - lo > 1) {
    const mid = (lo + hi) / 2
    if (allowance(mid, t) >= looks) hi = mid
    else lo = mid
  }
  // The budget steps up at each quick look: the moment is then that look's own.
  const step = t.quickLooksMs.find(due => due > lo && due <= hi)
  return step !== undefined && allowance(step, t) >= looks ? step : hi
}

/**
 * How far the loan may take the budget by `at`: under each rate target in force, less the spare; and before a target
 * begins, no further above what it will allow than the floor's pace pays back by then.
 */
function loanLimit(at: number, t: Tuning): number {
  const { targets, spare } = t.ceiling
  return Math.min(
    ...targets.map(({ fromMs, perS }) => {
      if (at >= fromMs) return (perS * at) / 1000 - spare
      const allowedThen = Math.max(steadyAllowance(fromMs, t), (perS * fromMs) / 1000 - spare)
      return allowedThen - (fromMs - at) / t.imageGapMs
    })
  )
}

/** The steady budget: the first look at once, then `min(earlyPerS·t, max(first + perS·t, longPerS·t))`. */
function steadyAllowance(at: number, t: Tuning): number {
  const s = Math.max(0, at) / 1000
  const { earlyPerS, first, perS, longPerS } = t.budget
  return Math.max(1, Math.min(earlyPerS * s, Math.max(first + perS * s, longPerS * s)))
}

function steadyFrom(looks: number, t: Tuning): number {
  const { earlyPerS, first, perS, longPerS } = t.budget
  if (looks <= 1) return 0
  return 1000 * Math.max(looks / earlyPerS, Math.min((looks - first) / perS, looks / longPerS))
}

/**
 * When the slowest unfinished snapshot reaches 100 %, no sooner than `lo` and no later than `hi`; undefined while one
 * has no pace yet (unread, at 0 %, one level seen) or all are complete. The pace runs from its first level above 0 to
 * its latest, and the readings are taken one of two ways:
 * - live, while no level has stood still for more than two steps of that pace (a smooth rise): a reading is the
 *   progress at its read, to within a step, so the window is about a step wide however far the finish is;
 * - in jumps, once one has (it stands still, then jumps): a level was reached between the read that first showed it
 *   and the one before, the middle give or take half, and the rest may go `paceSlack` faster or slower.
 */
export function estimateFinish(seen: Seen, t: Tuning = CADENCE): { lo: number; hi: number } | undefined {
  let lo = -Infinity
  let hi = -Infinity
  for (const id of seen.image?.snapshotIds ?? []) {
    const track = seen.tracks[id]
    if (track?.level === 100) continue
    const first = track?.first
    if (!first || track.level <= first.level) return undefined
    const pace = (track.at - first.at) / (track.level - first.level)
    const k = (100 - track.level) / (track.level - first.level)
    if (track.until - track.at <= 2 * pace) {
      // Each level was reached within a step before its read: the earliest finish has both as late as that allows.
      lo = Math.max(lo, track.at - pace + k * (track.at - pace - first.at))
      hi = Math.max(hi, track.at + k * (track.at - first.at + pace))
      continue
    }
    const reached = (track.at + track.after) / 2
    const firstReached = Number.isFinite(first.after) ? (first.at + first.after) / 2 : first.at
    const left = (reached - firstReached) * k
    const doubt = (track.at - track.after) / 2 + left * (t.paceSlack - 1)
    // A reading is at most the steady pace's level at its read, and the snapshot started after the wait did (the
    // wait starts as CreateImage returns): that pace reaches 100 % by `100 * read / level` at the latest. Costs no
    // read; where readings run ahead of a steady pace (an S-curve, a stall at 99 %) the window only ends sooner,
    // and the floor takes over.
    const latest = Math.min(reached + left + doubt, (100 * track.at) / track.level, (100 * first.at) / first.level)
    lo = Math.max(lo, Math.min(latest, reached + left - doubt))
    hi = Math.max(hi, latest)
  }
  return Number.isFinite(hi) ? { lo, hi } : undefined
}

/**
 * quick: the first looks of a wait (`quickLooksMs`) · discover: no snapshots listed yet · confirm: a shown image went missing, or a snapshot failed · unread: snapshots
 * listed, not read · flip: all complete · far: the finish minutes away · approach: closing in on the earliest finish
 * · near: between the earliest and latest finish · idle: no estimate (0 %, one level, past every prediction).
 */
export type Phase = 'quick' | 'discover' | 'confirm' | 'unread' | 'flip' | 'far' | 'approach' | 'near' | 'idle'

export interface Look {
  readonly at: number
  readonly kind: 'image' | 'snapshots'
  readonly phase: Phase
}

export function phaseOf(seen: Seen, now: number, t: Tuning = CADENCE): { phase: Exclude<Phase, 'quick'>; finish?: { lo: number; hi: number } } {
  const ids = seen.image?.snapshotIds ?? []
  if (seen.misses > 0 && seen.image) return { phase: 'confirm' }
  if (ids.length === 0) return { phase: 'discover' }
  if (seen.snapshots.some(s => s.state === 'error') && seen.lastImageAt < seen.lastReadAt) return { phase: 'confirm' }
  if (ids.some(id => !seen.tracks[id])) return { phase: 'unread' }
  if (seen.completeAt !== undefined) return { phase: 'flip' }
  const finish = estimateFinish(seen, t)
  if (!finish || now > finish.hi) return { phase: 'idle', finish }
  if (finish.lo - now > t.farAheadMs) return { phase: 'far', finish }
  return { phase: now < finish.lo ? 'approach' : 'near', finish }
}

/** The next look at one image: a DescribeImages, or a DescribeSnapshots of its snapshots. */
export function nextLook(seen: Seen, now: number, t: Tuning = CADENCE): Look {
  // The quick looks come first, at the image itself: it is what tells that a fast image is done. Only a shown image
  // gone missing is confirmed sooner.
  const quick = t.quickLooksMs[seen.imageLooks]
  if (quick !== undefined && !(seen.misses > 0 && seen.image)) {
    return { at: Math.max(now, quick, allowedFrom(seen.calls + 1, t)), kind: 'image', phase: 'quick' }
  }
  const { phase, finish } = phaseOf(seen, now, t)
  const credit = allowance(now, t) - seen.calls
  // A poller's gap spending the budget so far, less the reads' share: early on, the budget allows more than `perS`.
  const floor = t.imageGapMs
  // The gap that spends the credit above `keep` evenly until `until`, within [denseGapMs, cap], counting the credit
  // that accrues until then (less what the floor takes from it, for looks made beside the floor).
  const spread = (until: number, keep: number, cap: number, besideFloor: boolean): number => {
    const accrues = allowance(until, t) - allowance(now, t) - (besideFloor ? (until - now) / floor : 0)
    return Math.min(cap, Math.max(t.denseGapMs, (until - now) / Math.max(1e-3, credit + Math.max(0, accrues) - keep)))
  }

  let imageAt: number
  let readAt: number | undefined
  let reserve = 1
  switch (phase) {
    case 'discover':
      imageAt = seen.lastImageAt + Math.min(floor, t.discoverGapMs * t.discoverGrowth ** Math.max(0, seen.imageLooks - 1))
      break
    case 'confirm':
      imageAt = seen.misses > 0 ? seen.lastImageAt + t.missGapMs : now
      break
    case 'unread': {
      imageAt = seen.lastImageAt + floor
      // A snapshot never read is read at once. One a read did not show (EC2 lists it in the image before
      // DescribeSnapshots sees it) is read again beside the floor, never instead of it.
      const again = Number.isFinite(seen.lastReadAt)
      readAt = again ? seen.lastReadAt + t.paceReadGapMs : now
      reserve = again ? 1 : 0
      break
    }
    case 'flip': {
      const end = seen.completeAt! + t.flipSpanMs
      imageAt = seen.lastImageAt + (now < end ? spread(end, 0, floor, false) : floor)
      break
    }
    case 'far': {
      const ahead = finish!.lo - now
      imageAt = seen.lastImageAt + t.farImageGapMs
      readAt = seen.lastReadAt + Math.min(t.farReadGapMs.max, Math.max(t.farReadGapMs.min, ahead / 3))
      break
    }
    case 'approach':
      // Nothing can finish before the earliest finish: the floor stays thin until then. Each read halves the way
      // there, refining the estimate as it closes in.
      imageAt = seen.lastImageAt + Math.min(t.farImageGapMs, Math.max(floor, finish!.lo - seen.lastImageAt))
      if (finish!.hi - finish!.lo > 2 * t.approachReadGapMs) readAt = seen.lastReadAt + Math.max(t.approachReadGapMs, (finish!.lo - seen.lastReadAt) / 2)
      break
    case 'near':
      imageAt = seen.lastImageAt + floor
      readAt = seen.lastReadAt + spread(finish!.hi, Math.min(t.flipReserve, credit / 2), t.idleReadGapMs, true)
      break
    case 'idle': {
      // A level above 0 but no pace yet: one more read tells whether the finish is far, and lets the floor thin.
      // Otherwise reads grow rarer the longer nothing moves (at 0 %, stuck at 99 %, readings that fit no pace).
      const moving = !finish && Object.values(seen.tracks).some(track => track.level > 0 && track.level < 100)
      imageAt = seen.lastImageAt + floor
      const still = now - Math.max(...Object.values(seen.tracks).map(track => track.at))
      readAt = seen.lastReadAt + (moving ? t.paceReadGapMs : Math.min(t.idleReadGapMs, Math.max(t.paceReadGapMs, still / 3)))
      // At 0 % or one level in, only a read can tell whether the finish is far: it may take the floor's credit, or
      // the floor, which spends nearly all of `perS`, would starve it.
      if (moving || Object.values(seen.tracks).every(track => track.level === 0 || track.level === 100)) reserve = 0
      break
    }
  }
  // The look after the quick ones is the image's too, as soon as the credit allows: a bake done in seconds is then
  // seen at once rather than after a read, and a floor's gap later.
  if (seen.imageLooks === t.quickLooksMs.length && phase !== 'confirm') {
    imageAt = Math.min(imageAt, seen.lastImageAt)
    reserve = Math.max(reserve, 1)
  }
  // The budget: an image look needs one look's credit. A read goes first only if the image look still has its
  // credit when it is due: the floor is never held back by a read (reads that decide the phase may use that credit).
  const image = Math.max(now, imageAt, allowedFrom(seen.calls + 1, t))
  const read = readAt === undefined ? Infinity : Math.max(now, readAt, allowedFrom(seen.calls + 1 + reserve, t))
  return read <= image ? { at: read, kind: 'snapshots', phase } : { at: image, kind: 'image', phase }
}
