/**
 * Simulated bakes: what DescribeImages and DescribeSnapshots would say at each moment of one CreateImage.
 * Times are ms since CreateImage returned (when the waiter starts).
 */
import type { Clock } from '../src/clock.js'
import type { ImageObservation, ImageProbe, SnapshotObservation } from '../src/wait.js'

export type Shape = 'linear' | 'jumps' | 'stall' | 'fail'

export interface TimelineSpec {
  name: string
  shape: Shape
  /** Nominal bake length: when the slowest snapshot reaches 100%, before the random shift. */
  durationMs: number
}

export interface Bake {
  /** When the image turned available, or failed: the moment a waiter should notice. */
  doneAt: number
  outcome: 'available' | 'failed'
  imageAt(t: number): ImageObservation | undefined
  snapshotsAt(t: number, ids: readonly string[]): SnapshotObservation[]
}

interface Track {
  id: string
  /** When the snapshot reaches 100% and turns completed (unless the bake fails first). */
  end: number
  progressAt(t: number): number
}

const MINUTE = 60_000

export const TIMELINES: TimelineSpec[] = (['linear', 'jumps', 'stall', 'fail'] as const).flatMap(shape =>
  [2, 10, 30, 60, 180].map(minutes => ({
    name: `${shape} ${minutes < 60 ? `${minutes}m` : `${minutes / 60}h`}`,
    shape,
    durationMs: minutes * MINUTE
  }))
)

function linear(start: number, end: number, top = 100): (t: number) => number {
  return t => (t >= end ? 100 : t <= start ? 0 : Math.min(99, Math.floor((top * (t - start)) / (end - start))))
}

/**
 * Progress reported in a few big steps (3-6): the value catches up with a steady underlying pace only now and
 * then, at one random moment in each of as many equal slots of the snapshot's run.
 */
function jumps(start: number, end: number, random: () => number): (t: number) => number {
  const steps = 3 + Math.floor(random() * 4)
  const underlying = linear(start, end)
  const slot = (end - start) / steps
  const updates = Array.from({ length: steps }, (_, i) => start + (i + random()) * slot).map(at => ({
    at,
    value: underlying(at)
  }))
  return t => {
    if (t >= end) return 100
    let value = 0
    for (const u of updates) if (u.at <= t) value = u.value
    return value
  }
}

/** Linear to 99%, then sits there until `end`. */
function stall(start: number, reach99: number, end: number): (t: number) => number {
  const toward = linear(start, reach99, 99)
  return t => (t >= end ? 100 : t >= reach99 ? 99 : toward(t))
}

/**
 * One variation of a timeline. The finish moves by ±15%; 1-3 snapshots, the others faster than the slowest;
 * the image is not visible for up to 2 s and shows no snapshot ids for up to 10 s; after the last snapshot
 * completes the image flips to available 0-20 s later.
 */
export function makeBake(spec: TimelineSpec, random: () => number, variation: number): Bake {
  const finish = spec.durationMs * (0.85 + 0.3 * random())
  const visibleAt = 2_000 * random()
  const idsAt = visibleAt + 1_000 + 8_000 * random()
  const count = random() < 0.4 ? 1 : random() < 0.6 ? 2 : 3
  const tracks: Track[] = []
  for (let i = 0; i < count; i++) {
    const start = idsAt + 10_000 * random()
    const end = i === 0 ? finish : start + (finish - start) * (0.5 + 0.45 * random())
    let progressAt: (t: number) => number
    if (spec.shape === 'jumps') progressAt = jumps(start, end, random)
    else if (spec.shape === 'stall' && i === 0) progressAt = stall(start, finish - finish * (0.2 + 0.2 * random()), end)
    else progressAt = linear(start, end)
    tracks.push({ id: `snap-0${variation.toString(16).padStart(4, '0')}${i}${'a5f3c'.slice(i)}`, end, progressAt })
  }
  const ids = tracks.map(t => t.id)
  const failedAt = spec.shape === 'fail' ? finish * 0.8 : undefined
  const availableAt = failedAt === undefined ? finish + 20_000 * random() : undefined
  const frozen = (t: number): number => (failedAt !== undefined && t >= failedAt ? failedAt : t)

  return {
    doneAt: failedAt ?? (availableAt as number),
    outcome: failedAt === undefined ? 'available' : 'failed',
    imageAt(t) {
      if (t < visibleAt) return undefined
      const snapshotIds = t >= idsAt ? ids : []
      if (failedAt !== undefined && t >= failedAt) {
        return { state: 'failed', stateReason: { code: 'Server.InternalError', message: 'Snapshot creation failed' }, snapshotIds }
      }
      return { state: availableAt !== undefined && t >= availableAt ? 'available' : 'pending', snapshotIds }
    },
    snapshotsAt(t, wanted) {
      return tracks
        .filter(track => wanted.includes(track.id))
        .map(track => {
          const progress = track.progressAt(frozen(t))
          const state = progress === 100 ? 'completed' : failedAt !== undefined && t >= failedAt ? 'error' : 'pending'
          return { snapshotId: track.id, state, progress }
        })
    }
  }
}

/** A probe over a bake on virtual time, recording when each request was made. */
export class FakeProbe implements ImageProbe {
  readonly callTimes: number[] = []
  constructor(
    private readonly bake: Bake,
    private readonly clock: Clock
  ) {}

  async describeImage(): Promise<ImageObservation | undefined> {
    this.callTimes.push(this.clock.now())
    return this.bake.imageAt(this.clock.now())
  }

  async describeSnapshots(snapshotIds: string[]): Promise<SnapshotObservation[]> {
    this.callTimes.push(this.clock.now())
    return this.bake.snapshotsAt(this.clock.now(), snapshotIds)
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
