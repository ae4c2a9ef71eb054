/**
 * The copies line of `npm run bench`: from the source being available to every copy available, when bake-ami
 * copies to all regions at once and waits for them together (one waiter, each region paced on its own), against
 * doing the same regions one after another (copy, wait, next), as a script around `aws ec2 copy-image` and
 * `aws ec2 wait` would. The same waiter and the same simulated copies on both sides, on virtual time.
 */
import { waitForImages } from '../src/wait/index.js'
import { seededRandom } from './random.js'
import { quantile } from './stats.js'
import { makeTimeline, TimelineSource, VirtualClock, type Timeline } from './timeline.js'

const REGIONS = ['us-east-1', 'us-west-2', 'ap-southeast-2']
const VARIATIONS = 100
/** A copy's length: from 6 minutes (a small image, a near region) to 30 (a large one, far away). */
const COPY_MINUTES = { min: 6, max: 30 }
const TIMEOUT_MS = 4 * 60 * 60_000

function copyTimeline(random: () => number, variation: number): Timeline {
  const minutes = COPY_MINUTES.min + (COPY_MINUTES.max - COPY_MINUTES.min) * random()
  return makeTimeline({ name: 'copy', shape: 'linear', durationMs: minutes * 60_000 }, random, variation)
}

/** Waits for the images on their timelines, all at once; returns when the last was seen available, and the calls. */
async function waitTogether(timelines: readonly Timeline[], seed: number): Promise<{ ms: number; calls: number }> {
  const clock = new VirtualClock()
  const sources = new Map(timelines.map((timeline, i) => [REGIONS[i], new TimelineSource(timeline, clock)]))
  const results = await waitForImages(
    timelines.map((_, i) => ({ region: REGIONS[i], imageId: `ami-0copy${i}` })),
    { clock, sourceFor: region => sources.get(region)!, timeoutMs: TIMEOUT_MS, random: seededRandom(seed) }
  )
  if (results.some(result => result.verdict !== 'available')) throw new Error('bench: a simulated copy did not end available')
  const calls = results.reduce((n, result) => n + result.calls.describeImages + result.calls.describeSnapshots, 0)
  return { ms: Math.max(...results.map(result => result.elapsedMs)), calls }
}

export async function copiesLine(): Promise<string> {
  const together: number[] = []
  const inTurn: number[] = []
  let calls = 0
  for (let v = 0; v < VARIATIONS; v++) {
    const random = seededRandom(0xc0_9e5 + v)
    const timelines = REGIONS.map(() => copyTimeline(random, v))
    const parallel = await waitTogether(timelines, v + 1)
    together.push(parallel.ms)
    calls += parallel.calls
    let total = 0
    for (const timeline of timelines) total += (await waitTogether([timeline], v + 1)).ms
    inTurn.push(total)
  }
  const minutes = (values: number[], q: number): string => (quantile(values, q) / 60_000).toFixed(1)
  return (
    `INFO  copies to ${REGIONS.length} regions (each ${COPY_MINUTES.min}-${COPY_MINUTES.max} min, ${VARIATIONS} variations), source available -> all copies available: ` +
    `bake-ami in parallel p50 ${minutes(together, 0.5)} / p95 ${minutes(together, 0.95)} min (${(calls / VARIATIONS).toFixed(0)} calls), ` +
    `one region after another p50 ${minutes(inTurn, 0.5)} / p95 ${minutes(inTurn, 0.95)} min`
  )
}
