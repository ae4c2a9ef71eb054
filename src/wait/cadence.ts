/**
 * When to look at one image next, and at what: a pure function of what was seen so far and the time.
 *
 * The guarantee comes first and holds whatever the snapshots say:
 * - a floor: the image itself is looked at every `imageGapMs` (every `farImageGapMs` while its snapshots' progress
 *   clearly puts the finish minutes away), so `available`, `failed` and a vanished image are seen within that gap;
 * - a budget: a look is made only while the image's credit allows it, and a snapshot read must leave one look's
 *   credit behind, so the budget delays an image look by at most 1/`budget.perS`.
 * Progress only moves looks within those bounds: the credit saved while the finish is far is spent on dense looks
 * around the predicted finish, and right after the last snapshot completes.
 *
 * Times are ms since the wait started.
 */
import type { ImageObservation, SnapshotObservation } from '../observations.js'

/** All the tuning. Each value trades one thing against another; the bench (`npm run bench`) measures both sides. */
export const CADENCE = {
  /**
   * Looks allowed by second t of a wait: the first at once, then `min(earlyPerS·t, perS·t + extra)`. More looks
   * notice sooner but share EC2's per-region throttling bucket with everything else the account does: this keeps
   * every wait under 0.2 requests/s on average, and under 0.15 once it lasts 10 minutes or more, whenever it ends.
   * `perS` is also the slowest the credit ever grows: the floor below needs at least 1/`imageGapMs`.
   */
  budget: { earlyPerS: 0.195, perS: 0.14, extra: 5.5 },
  /**
   * The floor while progress says nothing useful: how late `available` can be noticed when snapshots give no clue
   * (done in seconds, stuck at 99 %). The floor is the gap of a plain poller spending the whole budget so far
   * (never above this cap), so such a poller is no quicker; lower starves the snapshot reads that save credit.
   */
  imageGapMs: 7_500,
  /**
   * The floor while progress clearly puts the finish minutes away: bounds how late a failed or deregistered image
   * is noticed (the target is 30 s, confirming a vanished one takes `goneMisses` looks more); longer saves credit.
   */
  farImageGapMs: 20_000,
  /** Progress puts the finish at least this far ahead, at the fastest pace it allows, before the floor thins. */
  farAheadMs: 30_000,
  /** Closest reads while closing in on the earliest finish: closer pins it better, at a read each. */
  approachReadGapMs: 3_000,
  /**
   * The densest looks, around the finish: seen within this once the image flips. Shorter needs more saved credit
   * (a short bake has little); the per-region spacing of 1 s is the hard limit.
   */
  denseGapMs: 1_500,
  /** Right after CreateImage the image has no snapshots yet: look this soon, then 1.5 times later each time. */
  discoverGapMs: 2_000,
  /** A shown image went missing: confirm this soon. Shorter notices sooner; longer rides out a lagging replica. */
  missGapMs: 3_000,
  /** Consecutive "not found" looks that make an image gone: fewer notices sooner, more tolerates eventual consistency. */
  goneMisses: 3,
  /** An image never shown is gone only after this long: EC2 may not show a new id for a while. */
  unseenGraceMs: 60_000,
  /** Snapshot reads when progress gives no estimate: each one costs an image look's worth of credit. */
  idleReadGapMs: 60_000,
  /** A snapshot has moved but one level gives no pace: read again this soon, to learn whether the finish is far. */
  paceReadGapMs: 15_000,
  /** Snapshot reads while the finish is far: a third of the time left, within these bounds. */
  farReadGapMs: { min: 20_000, max: 60_000 },
  /** How much faster or slower than measured the rest may go: wider spends more credit on a wider window. */
  paceSlack: 1.25,
  /**
   * After the last snapshot completes, the image flips within seconds to a minute: dense looks this long, then the
   * floor. Longer catches late registrations sooner but needs more credit.
   */
  flipSpanMs: 25_000,
  /** Credit the window before the finish leaves for the looks after it, where the flip happens (at most half). */
  flipReserve: 12
} as const

export type Tuning = typeof CADENCE

export interface SnapshotTrack {
  readonly state: string
  /** Highest percent read so far: a reading that steps back does not move it. */
  readonly level: number
  /** The first read that showed `level`, and the read before it: the level was reached in between. */
  readonly levelAt: number
  readonly levelAfter: number
  /** The same for the first level above 0: with `level`, it gives the pace. */
  readonly first?: { readonly level: number; readonly at: number; readonly after: number }
}

/** What was seen of one image so far. */
export interface Seen {
  /** Requests made for this image, throttled ones included: the budget counts them. */
  readonly calls: number
  readonly imageLooks: number
  readonly lastImageAt: number
  readonly lastReadAt: number
  /** The last DescribeImages answer that showed the image. */
  readonly image?: ImageObservation
  /** Consecutive DescribeImages answers without the image. */
  readonly misses: number
  readonly tracks: Readonly<Record<string, SnapshotTrack>>
  /** The first read that showed every snapshot complete, and the read before it. */
  readonly complete?: { readonly at: number; readonly after: number }
  readonly snapshots: readonly SnapshotObservation[]
}

export const NOTHING_SEEN: Seen = { calls: 0, imageLooks: 0, lastImageAt: -Infinity, lastReadAt: -Infinity, misses: 0, tracks: {}, snapshots: [] }

export function afterImageLook(seen: Seen, now: number, image: ImageObservation | undefined): Seen {
  return {
    ...seen,
    calls: seen.calls + 1,
    imageLooks: seen.imageLooks + 1,
    lastImageAt: now,
    image: image ?? seen.image,
    misses: image ? 0 : seen.misses + 1
  }
}

export function afterSnapshotRead(seen: Seen, now: number, read: readonly SnapshotObservation[]): Seen {
  const tracks = { ...seen.tracks }
  for (const snapshot of read) {
    const level = snapshot.state === 'completed' ? 100 : Math.max(0, Math.min(100, Math.floor(snapshot.progress)))
    const old = tracks[snapshot.snapshotId]
    if (old && level <= old.level) {
      tracks[snapshot.snapshotId] = { ...old, state: snapshot.state }
      continue
    }
    const after = old ? seen.lastReadAt : -Infinity
    const first = old?.first ?? (level > 0 && level < 100 ? { level, at: now, after } : undefined)
    tracks[snapshot.snapshotId] = { state: snapshot.state, level, levelAt: now, levelAfter: after, first }
  }
  const ids = seen.image?.snapshotIds ?? []
  const done = ids.length > 0 && ids.every(id => tracks[id]?.level === 100)
  return {
    ...seen,
    calls: seen.calls + 1,
    lastReadAt: now,
    tracks,
    snapshots: read,
    complete: seen.complete ?? (done ? { at: now, after: seen.lastReadAt } : undefined)
  }
}

/** A throttled request still counts against the budget. */
export function afterThrottle(seen: Seen): Seen {
  return { ...seen, calls: seen.calls + 1 }
}

/** Looks the budget allows by `at`: so a wait that ends at any moment after its first look has kept to the rate. */
export function allowance(at: number, t: Tuning = CADENCE): number {
  const s = Math.max(0, at) / 1000
  const { earlyPerS, perS, extra } = t.budget
  return Math.max(1, Math.min(earlyPerS * s, perS * s + extra))
}

/** The first moment the budget allows `looks` looks in all. */
function allowedFrom(looks: number, t: Tuning): number {
  const { earlyPerS, perS, extra } = t.budget
  if (looks <= 1) return 0
  const early = looks / earlyPerS
  return 1000 * (early <= extra / (earlyPerS - perS) ? early : (looks - extra) / perS)
}

/** When the slowest unfinished snapshot reaches 100 %: no sooner than `lo`, no later than `hi`. */
export interface Finish {
  readonly lo: number
  readonly hi: number
}

/**
 * Undefined while some snapshot has no pace yet (unread, at 0 %, or one level seen) or all are complete. A level
 * was reached between the read that first showed it and the one before: the middle of that span, give or take
 * half of it, and the pace from the first level above 0 to the current one, give or take `paceSlack`.
 */
export function estimateFinish(seen: Seen, t: Tuning = CADENCE): Finish | undefined {
  let lo = -Infinity
  let hi = -Infinity
  for (const id of seen.image?.snapshotIds ?? []) {
    const track = seen.tracks[id]
    if (track?.level === 100) continue
    const first = track?.first
    if (!first || track.level <= first.level) return undefined
    const reached = (track.levelAt + track.levelAfter) / 2
    // Seen at the first read, the first level was reached at `at` or before: a pace that errs fast, finish early.
    const firstReached = Number.isFinite(first.after) ? (first.at + first.after) / 2 : first.at
    const msPerPercent = (reached - firstReached) / (track.level - first.level)
    const left = (100 - track.level) * msPerPercent
    const doubt = (track.levelAt - track.levelAfter) / 2 + left * (t.paceSlack - 1)
    lo = Math.max(lo, reached + left - doubt)
    hi = Math.max(hi, reached + left + doubt)
  }
  return Number.isFinite(hi) ? { lo, hi } : undefined
}

export type Phase =
  /** The image not shown yet, or shown without snapshots. */
  | 'discover'
  /** A shown image went missing, or a snapshot failed: look at the image now. */
  | 'confirm'
  /** Snapshots listed but not read yet. */
  | 'unread'
  /** Every snapshot complete: the image flips any moment. */
  | 'flip'
  /** The finish minutes away: thin looks, saving credit. */
  | 'far'
  /** Closing in on the earliest possible finish. */
  | 'approach'
  /** Between the earliest and latest possible finish. */
  | 'near'
  /** No estimate: progress at 0 %, not moving, or past every prediction. */
  | 'idle'

export interface Look {
  readonly at: number
  readonly kind: 'image' | 'snapshots'
  readonly phase: Phase
}

export function phaseOf(seen: Seen, now: number, t: Tuning = CADENCE): { phase: Phase; finish?: Finish } {
  const ids = seen.image?.snapshotIds ?? []
  if (seen.misses > 0 && seen.image) return { phase: 'confirm' }
  if (ids.length === 0) return { phase: 'discover' }
  if (seen.snapshots.some(s => s.state === 'error') && seen.lastImageAt < seen.lastReadAt) return { phase: 'confirm' }
  if (ids.some(id => !seen.tracks[id])) return { phase: 'unread' }
  if (seen.complete) return { phase: 'flip' }
  const finish = estimateFinish(seen, t)
  if (!finish || now > finish.hi) return { phase: 'idle', finish }
  if (finish.lo - now > t.farAheadMs) return { phase: 'far', finish }
  return { phase: now < finish.lo ? 'approach' : 'near', finish }
}

/** The next look at one image: a DescribeImages, or a DescribeSnapshots of its snapshots. */
export function nextLook(seen: Seen, now: number, t: Tuning = CADENCE): Look {
  const { phase, finish } = phaseOf(seen, now, t)
  const credit = allowance(now, t) - seen.calls
  // The gap of a poller that spends the budget (less a tenth, for the snapshot reads that tell the finish is far):
  // early in a wait the budget allows more than `perS`.
  const floor = Math.min(t.imageGapMs, Math.max(t.denseGapMs, (1.1 * now) / allowance(now, t)))
  /** The gap that spends the credit above `keep` evenly until `until`, within [denseGapMs, cap]. */
  const spread = (until: number, keep: number, cap: number): number =>
    Math.min(cap, Math.max(t.denseGapMs, (until - now) / Math.max(1e-3, credit - keep)))

  let imageAt: number
  let readAt: number | undefined
  let reserve = 1
  switch (phase) {
    case 'discover':
      imageAt = seen.lastImageAt + Math.min(floor, t.discoverGapMs * 1.5 ** Math.max(0, seen.imageLooks - 1))
      break
    case 'confirm':
      imageAt = seen.misses > 0 ? seen.lastImageAt + t.missGapMs : now
      break
    case 'unread':
      imageAt = seen.lastImageAt + floor
      readAt = now
      reserve = 0
      break
    case 'flip': {
      const end = seen.complete!.at + t.flipSpanMs
      imageAt = seen.lastImageAt + (now < end ? spread(end, 0, floor) : floor)
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
      readAt = seen.lastReadAt + Math.max(t.approachReadGapMs, (finish!.lo - seen.lastReadAt) / 2)
      break
    case 'near':
      imageAt = seen.lastImageAt + floor
      readAt = seen.lastReadAt + spread(finish!.hi, Math.min(t.flipReserve, credit / 2), t.idleReadGapMs)
      break
    case 'idle': {
      // A level above 0 but no pace yet: one more read tells whether the finish is far, and lets the floor thin.
      const moving = !finish && Object.values(seen.tracks).some(track => track.level > 0 && track.level < 100)
      imageAt = seen.lastImageAt + floor
      readAt = seen.lastReadAt + (moving ? t.paceReadGapMs : t.idleReadGapMs)
      if (moving) reserve = 0
      break
    }
  }
  // The budget: an image look needs one look's credit; a snapshot read leaves one behind for the image (but the
  // reads that tell whether the finish is far go first).
  const image = Math.max(now, imageAt, allowedFrom(seen.calls + 1, t))
  const read = readAt === undefined ? Infinity : Math.max(now, readAt, allowedFrom(seen.calls + 1 + reserve, t))
  return read < image || (reserve === 0 && read === image) ? { at: read, kind: 'snapshots', phase } : { at: image, kind: 'image', phase }
}
