/**
 * Waits for a list of images, each to its own verdict, under one deadline and one abort signal.
 *
 * Same shape as smithy's util-waiter (behind `waitUntilImageAvailable`): a pure check maps what was seen to a
 * verdict, options are checked before the first call, one deadline, an abort signal. What it adds: the cadence
 * (`cadence.ts`) decides when to look at what; requests are paced per region (each region has its own EC2
 * throttling bucket), at most one a second, and further apart while EC2 throttles; the last look lands at the
 * deadline; throttling never ends a wait, any other error does (the caller translates it).
 */
import type { Clock } from '../clock.js'
import { isThrottling } from '../errors.js'
import type { ImageObservation, SnapshotObservation } from '../observations.js'
import { afterImageLook, afterSnapshotRead, afterThrottle, CADENCE, nextLook, NOTHING_SEEN, type Seen, type Tuning } from './cadence.js'
import { ProgressLog, type Verdict } from './progress-log.js'

export interface ImageRef {
  readonly region: string
  readonly imageId: string
}

/** What the waiter asks EC2 in one region; `Ec2` is one. */
export interface ImageSource {
  /** DescribeImages for one image; undefined when EC2 does not show it (not yet, or not any more). */
  describeImage(imageId: string): Promise<ImageObservation | undefined>
  describeSnapshots(snapshotIds: readonly string[]): Promise<SnapshotObservation[]>
}

export interface WaitOptions {
  readonly clock: Clock
  /** The EC2 calls of each region the images live in. */
  readonly sourceFor: (region: string) => ImageSource
  readonly timeoutMs: number
  readonly signal?: AbortSignal
  /** Progress lines for a person, each naming its image. */
  readonly log?: (line: string) => void
  /** Jitter for throttling backoff; default Math.random. */
  readonly random?: () => number
  readonly tuning?: Tuning
}

export interface ImageResult extends ImageRef {
  readonly verdict: Verdict
  /** The last DescribeImages answer that showed the image. */
  readonly image?: ImageObservation
  readonly snapshots: readonly SnapshotObservation[]
  readonly elapsedMs: number
  readonly calls: { readonly describeImages: number; readonly describeSnapshots: number }
}

/** Never two requests to one region less than this apart. */
const REGION_SPACING_MS = 1_000
/**
 * While a region throttles: wait this long after the first throttled request, doubling each time, up to the cap
 * (each of our requests is already several of the SDK's attempts, spread over up to a minute by its own backoff).
 */
const THROTTLE_BACKOFF_MS = { first: 2_000, cap: 15_000 }

const FAILED_STATES = new Set(['failed', 'error', 'invalid', 'disabled'])

/** Pure: what was seen of one image, as a verdict, or undefined to keep looking. */
export function checkImage(seen: Seen, now: number, tuning: Tuning = CADENCE): Exclude<Verdict, 'timeout' | 'aborted'> | undefined {
  if (seen.misses >= tuning.goneMisses && (seen.image !== undefined || now >= tuning.unseenGraceMs)) return 'gone'
  if (seen.misses > 0) return undefined
  if (seen.image?.state === 'available') return 'available'
  if (seen.image?.state === 'deregistered') return 'gone'
  if (FAILED_STATES.has(seen.image?.state ?? '')) return 'failed'
  return undefined
}

export function validateWaitOptions(images: readonly ImageRef[], options: WaitOptions): void {
  if (!Array.isArray(images) || images.some(image => typeof image?.region !== 'string' || typeof image?.imageId !== 'string')) {
    throw new Error('waitForImages: images must be a list of { region, imageId }')
  }
  if (new Set(images.map(image => `${image.region}/${image.imageId}`)).size !== images.length) {
    throw new Error('waitForImages: an image is listed twice')
  }
  const { timeoutMs } = options
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`waitForImages: timeoutMs must be a finite number of milliseconds greater than 0, got ${String(timeoutMs)}`)
  }
  for (const name of ['sourceFor', 'log', 'random'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new Error(`waitForImages: ${name} must be a function, got ${typeof options[name]}`)
    }
  }
}

interface Waiting {
  readonly ref: ImageRef
  readonly log: ProgressLog
  seen: Seen
  calls: { describeImages: number; describeSnapshots: number }
  result?: ImageResult
}

interface Region {
  readonly source: ImageSource
  lastCallAt: number
  pausedUntil: number
  throttled: number
}

export async function waitForImages(images: readonly ImageRef[], options: WaitOptions): Promise<ImageResult[]> {
  validateWaitOptions(images, options)
  const { clock, signal, timeoutMs: deadline, tuning = CADENCE } = options
  const random = options.random ?? Math.random
  const start = clock.now()
  const elapsed = (): number => clock.now() - start
  const several = new Set(images.map(image => image.region)).size > 1
  const regions = new Map<string, Region>()
  const waits: Waiting[] = images.map(ref => {
    if (!regions.has(ref.region)) {
      regions.set(ref.region, { source: options.sourceFor(ref.region), lastCallAt: -Infinity, pausedUntil: -Infinity, throttled: 0 })
    }
    const label = several ? `${ref.imageId} (${ref.region})` : ref.imageId
    const log = new ProgressLog(label, line => options.log?.(line))
    return { ref, log, seen: NOTHING_SEEN, calls: { describeImages: 0, describeSnapshots: 0 } }
  })

  const finish = (wait: Waiting, verdict: Verdict): void => {
    const { seen, calls } = wait
    wait.result = { ...wait.ref, verdict, image: seen.image, snapshots: seen.snapshots, elapsedMs: elapsed(), calls: { ...calls } }
    wait.log.finished(verdict, seen, elapsed(), `${calls.describeImages} DescribeImages, ${calls.describeSnapshots} DescribeSnapshots`)
  }

  if (!signal?.aborted) for (const wait of waits) wait.log.started(deadline)
  for (;;) {
    const pending = waits.filter(wait => !wait.result)
    if (pending.length === 0) break
    if (signal?.aborted) {
      pending.forEach(wait => finish(wait, 'aborted'))
      break
    }
    // The look due first, among every image: its own cadence, then its region's pace.
    const now = elapsed()
    let next: { wait: Waiting; at: number; kind: 'image' | 'snapshots'; last: boolean } | undefined
    for (const wait of pending) {
      const region = regions.get(wait.ref.region)!
      const look = nextLook(wait.seen, now, tuning)
      let at = Math.max(look.at, region.lastCallAt + REGION_SPACING_MS, region.pausedUntil)
      const last = at >= deadline
      // Whatever the cadence or a backoff say, one last look at the image at the deadline, not before it.
      if (last) at = Math.max(deadline, region.lastCallAt + REGION_SPACING_MS)
      if (!next || at < next.at) next = { wait, at: Math.ceil(at), kind: last ? 'image' : look.kind, last }
    }
    const { wait, at, kind, last } = next!
    if (at > now) await clock.sleep(at - now, signal)
    if (signal?.aborted) continue

    const region = regions.get(wait.ref.region)!
    const lookedAt = elapsed()
    region.lastCallAt = lookedAt
    try {
      if (kind === 'image') {
        wait.calls.describeImages++
        wait.seen = afterImageLook(wait.seen, lookedAt, await region.source.describeImage(wait.ref.imageId))
      } else {
        wait.calls.describeSnapshots++
        wait.seen = afterSnapshotRead(wait.seen, lookedAt, await region.source.describeSnapshots(wait.seen.image?.snapshotIds ?? []))
      }
      region.throttled = 0
    } catch (error) {
      if (!isThrottling(error)) throw error
      wait.seen = afterThrottle(wait.seen)
      region.throttled++
      const ceiling = Math.min(THROTTLE_BACKOFF_MS.cap, THROTTLE_BACKOFF_MS.first * 2 ** (region.throttled - 1))
      const backoff = ceiling / 2 + (random() * ceiling) / 2
      region.pausedUntil = elapsed() + backoff
      const operation = kind === 'image' ? 'DescribeImages' : 'DescribeSnapshots'
      wait.log.throttled(operation, wait.ref.region, backoff, elapsed(), region.throttled === 1)
    }
    if (signal?.aborted) continue
    const verdict = checkImage(wait.seen, elapsed(), tuning)
    if (verdict) finish(wait, verdict)
    else if (last && elapsed() >= deadline) finish(wait, 'timeout')
    else wait.log.looked(wait.seen, elapsed())
  }
  return waits.map(wait => wait.result!)
}
