/**
 * Simulated bakes, as timelines in the format anyone can feed to `npm run bench -- --timelines FILE` (issue 8,
 * appendix): what DescribeImages and DescribeSnapshots would say at each moment of one CreateImage. Times are
 * seconds after CreateImage returned (when the waiter starts).
 *
 * The format, and two optional extensions the bench's own rows use:
 *   [{ "name": "...", "image": { "finalAtS": 512.3, "finalState": "available" | "failed",
 *      "visibleAtS"?: 1.2 },
 *      "snapshots": [{ "appearsAtS": 74, "progress": [[74, 0], [180.5, 0], [470.1, 99], [480.2, 100]] }] }]
 * - The image is `pending` until `finalAtS`, then `finalState`. Extension: `finalState` "deregistered" means EC2
 *   stops showing the image at `finalAtS` (InvalidAMIID.NotFound), as when someone else deregisters it; and
 *   `visibleAtS` (default 0) is when EC2 first shows the new image.
 * - A snapshot is listed in the image's block device mappings from `appearsAtS` on. Its progress at t is the
 *   percent of its last point at or before t (0 before the first); it reads `completed` at 100 %, `error` once
 *   the image has failed, and `pending` otherwise.
 */
import type { Clock } from '../src/clock.js'
import type { ImageObservation, SnapshotObservation } from '../src/observations.js'
import type { ImageSource } from '../src/wait/index.js'

export interface Timeline {
  name: string
  image: { finalAtS: number; finalState: 'available' | 'failed' | 'deregistered'; visibleAtS?: number }
  snapshots: { appearsAtS: number; progress: [number, number][] }[]
}

export type Shape =
  | 'linear'
  | 'jumps'
  | 'stall'
  | 'fail'
  | 'late-snapshots'
  | 'zero-then-rise'
  | 'registration-lag'
  | 'small-root-big-data'
  | 'wobble'
  | 'incremental'
  | 'stuck-99'
  | 'fail-anywhere'
  | 'vanish'
  | 'quick'

export interface TimelineSpec {
  name: string
  shape: Shape
  /** Nominal bake length: when the slowest snapshot reaches 100 %, before the random shift. */
  durationMs: number
}

const MINUTE = 60_000
const label = (minutes: number): string => (minutes < 60 ? `${minutes}m` : `${minutes / 60}h`)

/** The issue's bench shapes at 3 to 180 minutes, EC2's other behaviours at 3, 8, 20 and 60. */
export const TIMELINES: TimelineSpec[] = [
  ...(['linear', 'jumps', 'stall', 'fail'] as const).flatMap(shape => [3, 8, 20, 60, 180].map(m => ({ shape, m }))),
  ...(
    [
      'late-snapshots',
      'zero-then-rise',
      'registration-lag',
      'small-root-big-data',
      'wobble',
      'incremental',
      'stuck-99',
      'fail-anywhere',
      'vanish'
    ] as const
  ).flatMap(shape => [3, 8, 20, 60].map(m => ({ shape, m })))
].map(({ shape, m }) => ({ name: `${shape} ${label(m)}`, shape, durationMs: m * MINUTE }))

/**
 * Images EC2 finishes in seconds: registered from a completed snapshot, or a re-run's image that was nearly done. No
 * request-rate target applies to a wait this short; what counts is how soon it is noticed.
 */
export const QUICK_TIMELINES: TimelineSpec[] = [1, 5, 15, 40].map(s => ({ name: `quick ${s}s`, shape: 'quick', durationMs: s * 1000 }))

/** What the image should end as, and so what a waiter should notice. */
export function expectedVerdict(timeline: Timeline): 'available' | 'failed' | 'gone' {
  return timeline.image.finalState === 'deregistered' ? 'gone' : timeline.image.finalState
}

type Curve = (fraction: number) => number

const linearCurve: Curve = f => 100 * f
/** Slow start, fast middle, slow end. */
const sCurve: Curve = f => (100 * (1 / (1 + Math.exp(-10 * (f - 0.5))) - 1 / (1 + Math.exp(5)))) / (1 - 2 / (1 + Math.exp(5)))

/** Points at each whole percent of `curve` from `start` to `end` (seconds), 100 exactly at `end`. */
function rising(start: number, end: number, curve: Curve = linearCurve, steps = 2_000): [number, number][] {
  const points: [number, number][] = [[start, 0]]
  let last = 0
  for (let i = 1; i < steps; i++) {
    const level = Math.min(99, Math.floor(curve(i / steps)))
    if (level > last) points.push([start + ((end - start) * i) / steps, (last = level)])
  }
  points.push([end, 100])
  return points
}

/** A few big steps: the value catches up with the steady pace only now and then. */
function jumpy(start: number, end: number, random: () => number): [number, number][] {
  const steps = 3 + Math.floor(random() * 4)
  const slot = (end - start) / steps
  const points: [number, number][] = [[start, 0]]
  for (let i = 0; i < steps; i++) {
    const at = start + (i + random()) * slot
    points.push([at, Math.min(99, Math.floor((100 * (at - start)) / (end - start)))])
  }
  points.push([end, 100])
  return points
}

/** Readings that wobble by a few points and now and then step back. */
function wobbly(start: number, end: number, random: () => number): [number, number][] {
  return rising(start, end).map(([at, level]): [number, number] =>
    level === 0 || level === 100 ? [at, level] : [at, Math.max(1, Math.min(99, level + Math.round((random() - 0.5) * 8)))]
  )
}

/**
 * One variation of a row. The finish moves by ±15 %; 1-3 snapshots, the others faster than the slowest; EC2 shows
 * the image after up to 2 s and its snapshots 1-9 s later; the image turns available 0-20 s after the last snapshot
 * completes. Each shape changes one of these, as EC2 does.
 */
export function makeTimeline(spec: TimelineSpec, random: () => number, variation: number): Timeline {
  if (spec.shape === 'quick') return quickTimeline(spec, random, variation)
  const finish = (spec.durationMs / 1000) * (0.85 + 0.3 * random())
  const visibleAtS = 2 * random()
  const appearsAtS = spec.shape === 'late-snapshots' ? 30 + 90 * random() : visibleAtS + 1 + 8 * random()
  const count = spec.shape === 'small-root-big-data' ? 2 : random() < 0.4 ? 1 : random() < 0.6 ? 2 : 3
  const snapshots: Timeline['snapshots'] = []
  let lastDone = 0
  for (let i = 0; i < count; i++) {
    const start = appearsAtS + 10 * random()
    const end = i === 0 ? finish : start + (finish - start) * (0.5 + 0.45 * random())
    let progress: [number, number][]
    switch (spec.shape) {
      case 'jumps':
        progress = jumpy(start, end, random)
        break
      case 'stall': {
        const reach99 = finish * (0.6 + 0.2 * random())
        progress = i === 0 ? [...rising(start, reach99).slice(0, -1), [reach99, 99], [end, 100]] : rising(start, end)
        break
      }
      case 'zero-then-rise': {
        const rise = start + (end - start) * (0.2 + 0.2 * random())
        progress = [[start, 0], ...rising(rise, end)]
        break
      }
      case 'small-root-big-data':
        progress = i === 0 ? rising(start, end, sCurve) : rising(start, start + (end - start) * 0.1)
        break
      case 'wobble':
        progress = wobbly(start, end, random)
        break
      case 'incremental':
        progress = rising(start, start + 2 + 8 * random())
        break
      case 'stuck-99':
        progress = i === 0 ? rising(start, end).slice(0, -1) : rising(start, end)
        break
      default:
        progress = rising(start, end)
    }
    lastDone = Math.max(lastDone, i === 0 && spec.shape === 'stuck-99' ? end : progress.at(-1)![0])
    snapshots.push({ appearsAtS, progress })
  }
  const lag = spec.shape === 'registration-lag' ? 5 + 55 * random() : 20 * random()
  const name = `${spec.name} #${variation}`
  switch (spec.shape) {
    case 'fail':
      return { name, image: { finalAtS: finish * 0.8, finalState: 'failed', visibleAtS }, snapshots }
    case 'fail-anywhere':
      return { name, image: { finalAtS: Math.max(visibleAtS, finish * random()), finalState: 'failed', visibleAtS }, snapshots }
    case 'vanish':
      return { name, image: { finalAtS: visibleAtS + 1 + (finish - visibleAtS) * random(), finalState: 'deregistered', visibleAtS }, snapshots }
    case 'incremental':
      // The snapshots are done in seconds; the image stays pending for the whole bake.
      return { name, image: { finalAtS: Math.max(lastDone, finish) + lag, finalState: 'available', visibleAtS }, snapshots }
    default:
      return { name, image: { finalAtS: lastDone + lag, finalState: 'available', visibleAtS }, snapshots }
  }
}

/** Done in seconds: shown at once, one snapshot that completes at 80 % of the way, available at the finish (±15 %). */
function quickTimeline(spec: TimelineSpec, random: () => number, variation: number): Timeline {
  const finish = (spec.durationMs / 1000) * (0.85 + 0.3 * random())
  const visibleAtS = Math.min(0.5, finish / 2) * random()
  const appearsAtS = visibleAtS + (finish * 0.8 - visibleAtS) * random()
  const snapshots = [{ appearsAtS, progress: rising(appearsAtS, Math.max(appearsAtS, finish * 0.8)) }]
  return { name: `${spec.name} #${variation}`, image: { finalAtS: finish, finalState: 'available', visibleAtS }, snapshots }
}

const snapshotId = (index: number): string => `snap-0${index.toString(16).padStart(16, '0')}`

/** The percent of the last point at or before t. */
function levelAt(points: [number, number][], t: number): number {
  let lo = 0
  let hi = points.length - 1
  if (points.length === 0 || t < points[0][0]) return 0
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (points[mid][0] <= t) lo = mid
    else hi = mid - 1
  }
  return points[lo][1]
}

/** What EC2 shows of a timeline at `ms` after CreateImage. */
export function imageAt(timeline: Timeline, ms: number): ImageObservation | undefined {
  const t = ms / 1000
  const { finalAtS, finalState, visibleAtS = 0 } = timeline.image
  if (t < visibleAtS || (finalState === 'deregistered' && t >= finalAtS)) return undefined
  const snapshotIds = timeline.snapshots.flatMap((s, i) => (t >= s.appearsAtS ? [snapshotId(i)] : []))
  if (t < finalAtS || finalState === 'deregistered') return { state: 'pending', snapshotIds }
  return finalState === 'failed'
    ? { state: 'failed', stateReason: { code: 'Server.InternalError', message: 'Snapshot creation failed' }, snapshotIds }
    : { state: 'available', snapshotIds }
}

export function snapshotsAt(timeline: Timeline, ms: number, ids: readonly string[]): SnapshotObservation[] {
  const t = ms / 1000
  const failed = timeline.image.finalState === 'failed' && t >= timeline.image.finalAtS
  return timeline.snapshots.flatMap((s, i) => {
    const id = snapshotId(i)
    if (!ids.includes(id) || t < s.appearsAtS) return []
    const progress = levelAt(s.progress, t)
    return [{ snapshotId: id, state: progress === 100 ? 'completed' : failed ? 'error' : 'pending', progress }]
  })
}

/** EC2 in one region over a timeline on virtual time, recording when each request was made. */
export class TimelineSource implements ImageSource {
  readonly callTimes: number[] = []
  constructor(
    private readonly timeline: Timeline,
    private readonly clock: Clock
  ) {}

  async describeImage(): Promise<ImageObservation | undefined> {
    this.callTimes.push(this.clock.now())
    return imageAt(this.timeline, this.clock.now())
  }

  async describeSnapshots(ids: readonly string[]): Promise<SnapshotObservation[]> {
    this.callTimes.push(this.clock.now())
    return snapshotsAt(this.timeline, this.clock.now(), ids)
  }
}

/** Virtual time: sleeping moves the clock, nothing waits. */
export class VirtualClock implements Clock {
  t = 0
  now(): number {
    return this.t
  }
  async sleep(ms: number): Promise<void> {
    this.t += Math.max(0, ms)
  }
}
