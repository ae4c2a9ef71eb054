/**
 * `npm run bench`: replays simulated bakes on virtual time through our waiter, a fixed poller at our request rate,
 * and the schedules of the AWS CLI, the AWS SDK v3 and Packer; prints one table and whether each target of issue 8
 * is met; then copies to several regions at once against one after another; then times the bundled action's
 * failing cold start.
 *
 * `npm run bench -- --timelines FILE [--json]`: runs the waiter (one image, wait-timeout 4h) on each timeline of
 * FILE (format in `timeline.ts`) and prints one result per timeline; with `--json`, only a JSON array on stdout.
 *
 * A p95 of 100 variations rests on its five worst: it moves by a few tenths of a second from one sample to another.
 * `BENCH_SEED=n` replays another sample of the same shapes, `BENCH_VARIATIONS=n` a larger one, to tell a change's
 * effect from the sample's.
 */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { waitForImages } from '../src/wait/index.js'
import { awsCli, awsSdk, fixedPoller, packer, runSchedule, type Schedule } from './baselines.js'
import { coldStartLine } from './cold-start.js'
import { copiesLine } from './copies.js'
import { seededRandom } from './random.js'
import { formatTable, peakInWindow, quantile, summarise, type RunRecord, type Summary } from './stats.js'
import { expectedVerdict, makeTimeline, QUICK_TIMELINES, TIMELINES, TimelineSource, VirtualClock, type Timeline, type TimelineSpec } from './timeline.js'

/** Enough for a p95 per row within a few tenths of a second, with the whole bench well under a minute of simulation. */
const VARIATIONS = Number(process.env.BENCH_VARIATIONS ?? 100)
/** 0 replays the sample every earlier figure was measured on. */
const SEED = Number(process.env.BENCH_SEED ?? 0)
const OUR_TIMEOUT_MS = 4 * 60 * 60_000
const BASELINES = ['aws-cli', 'aws-sdk', 'packer'] as const

interface OurRun extends RunRecord {
  verdict: string
}

async function runOurs(timeline: Timeline, seed: number): Promise<OurRun> {
  const clock = new VirtualClock()
  const source = new TimelineSource(timeline, clock)
  const [result] = await waitForImages([{ region: 'us-east-1', imageId: 'ami-0bench' }], {
    clock,
    sourceFor: () => source,
    timeoutMs: OUR_TIMEOUT_MS,
    random: seededRandom(seed)
  })
  const finalMs = timeline.image.finalAtS * 1000
  return {
    verdict: result.verdict,
    latencyMs: result.verdict === expectedVerdict(timeline) ? result.elapsedMs - finalMs : undefined,
    describeImages: result.calls.describeImages,
    describeSnapshots: result.calls.describeSnapshots,
    elapsedMs: result.elapsedMs,
    callTimes: source.callTimes
  }
}

function runBaseline(timeline: Timeline, schedule: Schedule): RunRecord {
  const run = runSchedule(timeline, schedule)
  return {
    latencyMs: run.seenAt === undefined ? undefined : run.seenAt - timeline.image.finalAtS * 1000,
    describeImages: run.callTimes.length,
    describeSnapshots: 0,
    elapsedMs: run.elapsedMs,
    callTimes: run.callTimes
  }
}

interface Row {
  spec: TimelineSpec
  ours: Summary
  /** A DescribeImages every 1/(our mean rate on this row) seconds. */
  fixed: Summary
  baselines: Record<(typeof BASELINES)[number], Summary>
}

async function benchRow(spec: TimelineSpec, index: number): Promise<Row> {
  const timelines = Array.from({ length: VARIATIONS }, (_, v) => makeTimeline(spec, seededRandom((index + 1) * 100_003 + v + SEED * 7919), v))
  const ours: RunRecord[] = []
  for (const [v, timeline] of timelines.entries()) ours.push(await runOurs(timeline, ((index + 1) * 100_003 + v) ^ 0x5bd1e995))
  const ourSummary = summarise(ours)
  const period = 1000 / ourSummary.rateMean
  const baseline = (make: (v: number) => Schedule): Summary => summarise(timelines.map((t, v) => runBaseline(t, make(v))))
  return {
    spec,
    ours: ourSummary,
    fixed: baseline(() => fixedPoller(period)),
    baselines: {
      'aws-cli': baseline(() => awsCli()),
      // No maxWaitTime for the SDK, so the comparison of calls is not cut short (bake-ami's default is 60 min).
      'aws-sdk': baseline(v => awsSdk(seededRandom(((index + 1) * 100_003 + v) ^ 0x27d4eb2f))),
      packer: baseline(() => packer())
    }
  }
}

const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : '-')

interface Target {
  name: string
  pass: boolean
  detail: string
}

const FAILING_SHAPES = new Set(['fail', 'fail-anywhere', 'vanish'])
const endsAvailable = (row: Row): boolean => !FAILING_SHAPES.has(row.spec.shape)

function worst(rows: Row[], pick: (row: Row) => number): { value: number; name: string } {
  return rows.reduce((w, row) => (pick(row) > w.value || Number.isNaN(pick(row)) ? { value: pick(row), name: row.spec.name } : w), {
    value: -Infinity,
    name: ''
  })
}

function targets(rows: Row[]): Target[] {
  // Issue 8 found that jumps cannot be read closely enough on short bakes within the request limits (issue 15).
  const smooth = rows.filter(r => r.spec.shape === 'linear' || (r.spec.shape === 'jumps' && r.spec.durationMs >= 20 * 60_000))
  // The quick rows have a target of their own; no request-rate target applies to a wait under a minute.
  const bakes = rows.filter(r => r.spec.shape !== 'quick')
  const other = bakes.filter(r => endsAvailable(r) && !smooth.includes(r))
  const failing = rows.filter(r => !endsAvailable(r))
  const p95 = (r: Row): number => r.ours.latencyP95
  const a = worst(smooth, p95)
  const b = worst(other, p95)
  const c = worst(failing, p95)
  const quick = rows.find(r => r.spec.name === 'quick 1s')!
  const rate = worst(
    rows.filter(r => Number.isFinite(r.ours.rateMax)),
    r => r.ours.rateMax
  )
  const rateLong = worst(
    rows.filter(r => Number.isFinite(r.ours.rateMaxLong)),
    r => r.ours.rateMaxLong
  )
  const peak = worst(rows, r => r.ours.peak10s)
  const peak1 = worst(rows, r => r.ours.peak1s)
  const gaveUp = rows.reduce((n, r) => n + r.ours.gaveUp, 0)
  const threeHours = rows.filter(r => r.spec.durationMs >= 180 * 60_000).reduce((n, r) => n + r.ours.gaveUp, 0)
  const behind = worst(bakes.filter(endsAvailable), r => r.ours.latencyP95 - r.fixed.latencyP95)
  return [
    {
      name: 'available noticed p95 <= 2 s (linear, and jumps from 20 min)',
      pass: a.value <= 2,
      detail: `worst ${fmt(a.value, 2)} s (${a.name})`
    },
    { name: 'available noticed p95 <= 10 s (every other shape of 3 min or more)', pass: b.value <= 10, detail: `worst ${fmt(b.value, 2)} s (${b.name})` },
    {
      name: 'an image EC2 finishes 1 s after CreateImage is noticed within 3 s (p95)',
      pass: quick.ours.elapsedP95 <= 3,
      detail: `${fmt(quick.ours.elapsedP95, 2)} s (quick 1s)`
    },
    { name: 'failed or vanished noticed p95 <= 30 s', pass: c.value <= 30, detail: `worst ${fmt(c.value, 2)} s (${c.name})` },
    { name: 'average <= 0.2 req/s over every wait of 1 min or more', pass: rate.value <= 0.2, detail: `worst ${fmt(rate.value, 3)} (${rate.name})` },
    { name: 'average <= 0.15 req/s over waits >= 10 min', pass: rateLong.value <= 0.15, detail: `worst ${fmt(rateLong.value, 3)} (${rateLong.name})` },
    {
      name: '<= 10 requests in any 10 s (and <= 1 in any 1 s)',
      pass: peak.value <= 10 && peak1.value <= 1,
      detail: `worst ${peak.value}/10 s (${peak.name}), ${peak1.value}/1 s`
    },
    {
      name: 'never gives up before the deadline; 3h bakes complete',
      pass: gaveUp === 0 && threeHours === 0,
      detail: `${gaveUp} gave up or misjudged (${threeHours} of them 3h)`
    },
    {
      name: 'available p95 never > 1 s behind a fixed poller at our rate (bakes of 3 min or more)',
      pass: behind.value <= 1,
      detail: `worst ${behind.value > 0 ? '+' : ''}${fmt(behind.value, 2)} s (${behind.name})`
    }
  ]
}

async function bench(): Promise<void> {
  const started = performance.now()
  const rows: Row[] = []
  // Seeded by their place in the list, the longer rows first, so that their variations stay those of earlier runs.
  const specs = [...TIMELINES, ...QUICK_TIMELINES]
  for (const [index, spec] of specs.entries()) rows.push(await benchRow(spec, index))
  rows.unshift(...rows.splice(TIMELINES.length))
  const lat = (s: Summary): string => `${fmt(s.latencyP50)} / ${fmt(s.latencyP95)}`
  const table = rows.map(r => [
    r.spec.name,
    lat(r.ours),
    `${fmt(r.ours.describeImages, 0)}+${fmt(r.ours.describeSnapshots, 0)}`,
    fmt(r.ours.rateMean, 3),
    fmt(r.ours.rateMax, 3),
    String(r.ours.peak10s),
    String(r.ours.gaveUp),
    lat(r.fixed),
    ...BASELINES.flatMap(b => [lat(r.baselines[b]), fmt(r.baselines[b].calls, 0) + (r.baselines[b].gaveUp ? ` (${r.baselines[b].gaveUp} gave up)` : '')])
  ])
  console.log(
    `${VARIATIONS} variations per row; bake-ami wait-timeout 4h; aws-sdk without maxWaitTime. latency = verdict - final state, ` +
      `p50 / p95 in s. calls: DescribeImages+DescribeSnapshots. max: the highest req/s of a wait of 1 min or more. ` +
      `fixed: DescribeImages every 1/(bake-ami's mean req/s) s.\n`
  )
  console.log(
    formatTable(
      ['row', 'bake-ami lat', 'calls', 'req/s', 'max', 'peak/10s', 'gave up', 'fixed lat', 'aws-cli lat', 'calls', 'aws-sdk lat', 'calls', 'packer lat', 'calls'],
      table
    )
  )
  console.log('')
  const verdicts = targets(rows)
  for (const t of verdicts) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.detail}`)
  console.log(`targets: ${verdicts.filter(t => t.pass).length}/${verdicts.length} PASS`)
  const failBehind = worst(rows.filter(r => !endsAvailable(r)), r => r.ours.latencyP95 - r.fixed.latencyP95)
  console.log(`INFO  failed/vanished p95 vs the fixed poller: worst +${fmt(failBehind.value)} s (${failBehind.name}); the floor thins to save credit while the finish is far`)
  console.log(await copiesLine())
  console.log(`simulation took ${((performance.now() - started) / 1000).toFixed(1)} s`)
  console.log('')
  console.log(coldStartLine())
}

/** Replays outside timelines (CloudTrail, say) through the waiter. */
async function replay(file: string, json: boolean): Promise<void> {
  const timelines = JSON.parse(readFileSync(file, 'utf8')) as Timeline[]
  if (!Array.isArray(timelines)) throw new Error(`${file}: expected a JSON array of timelines`)
  const results = []
  for (const [i, timeline] of timelines.entries()) {
    const run = await runOurs(timeline, i + 1)
    results.push({
      name: timeline.name,
      outcome: run.verdict,
      latencyS: run.latencyMs === undefined ? null : Math.round(run.latencyMs) / 1000,
      calls: run.describeImages + run.describeSnapshots,
      waitS: Math.round(run.elapsedMs) / 1000,
      maxCallsIn10s: peakInWindow(run.callTimes, 10_000)
    })
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
    return
  }
  const rows = results.map(r => [r.name, r.outcome, fmt(r.latencyS ?? NaN, 2), String(r.calls), fmt(r.waitS), String(r.maxCallsIn10s)])
  console.log(formatTable(['timeline', 'outcome', 'latency s', 'calls', 'wait s', 'max/10s'], rows))
  const latencies = results.flatMap(r => (r.latencyS === null ? [] : [r.latencyS]))
  console.log(`latency p50 ${fmt(quantile(latencies, 0.5), 2)} s, p95 ${fmt(quantile(latencies, 0.95), 2)} s`)
}

const args = process.argv.slice(2)
const at = args.indexOf('--timelines')
if (at >= 0) {
  if (!args[at + 1]) throw new Error('--timelines needs a file: npm run bench -- --timelines FILE [--json]')
  await replay(args[at + 1], args.includes('--json'))
} else {
  await bench()
}
