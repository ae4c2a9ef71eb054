/** Summaries of many runs of one waiter on one row, and the plain-text table. */

export interface RunRecord {
  /** ms from the image's final state to the waiter's verdict; undefined when it gave up or got it wrong. */
  latencyMs?: number
  describeImages: number
  describeSnapshots: number
  elapsedMs: number
  callTimes: number[]
}

export interface Summary {
  latencyP50: number
  latencyP95: number
  describeImages: number
  describeSnapshots: number
  calls: number
  rateMean: number
  /** Highest rate over the waits of a minute or more (NaN when there are none): the rate targets' measure. */
  rateMax: number
  /** Highest rate over the waits of 10 minutes or more (NaN when there are none). */
  rateMaxLong: number
  /** Most requests in any 10-s window, over all variations. */
  peak10s: number
  /** Most requests in any 1-s window, over all variations. */
  peak1s: number
  /** The wait's length at its verdict, p95, in s. */
  elapsedP95: number
  gaveUp: number
  runs: number
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const low = Math.floor(pos)
  const high = Math.ceil(pos)
  return sorted[low] + (sorted[high] - sorted[low]) * (pos - low)
}

/** Most call times in any half-open window [t, t + width). */
export function peakInWindow(times: number[], width: number): number {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  let j = 0
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= width) j++
    best = Math.max(best, i - j + 1)
  }
  return best
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)

/** Requests per second over a wait; the first look of a wait that ends at once counts over one second. */
export const rateOf = (r: RunRecord): number => (r.describeImages + r.describeSnapshots) / Math.max(1, r.elapsedMs / 1000)

export function summarise(records: RunRecord[]): Summary {
  const seen = records.flatMap(r => (r.latencyMs === undefined ? [] : [r.latencyMs / 1000]))
  const rates = records.map(rateOf)
  // The request-rate targets hold over waits of a minute or more: a shorter one may spend its quick looks.
  const minute = records.filter(r => r.elapsedMs >= 60_000).map(rateOf)
  const long = records.filter(r => r.elapsedMs >= 600_000).map(rateOf)
  return {
    latencyP50: quantile(seen, 0.5),
    latencyP95: quantile(seen, 0.95),
    describeImages: mean(records.map(r => r.describeImages)),
    describeSnapshots: mean(records.map(r => r.describeSnapshots)),
    calls: mean(records.map(r => r.describeImages + r.describeSnapshots)),
    rateMean: mean(rates),
    rateMax: minute.length ? Math.max(...minute) : NaN,
    rateMaxLong: long.length ? Math.max(...long) : NaN,
    peak10s: Math.max(...records.map(r => peakInWindow(r.callTimes, 10_000))),
    peak1s: Math.max(...records.map(r => peakInWindow(r.callTimes, 1_000))),
    elapsedP95: quantile(records.map(r => r.elapsedMs / 1000), 0.95),
    gaveUp: records.length - seen.length,
    runs: records.length
  }
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const line = (cells: string[]): string => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd()
  return [line(header), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)].join('\n')
}
