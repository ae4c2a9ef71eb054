/**
 * When will a snapshot reach 100%? Estimated from its DescribeSnapshots progress over time. Pure: the
 * waiter feeds it what it has seen and plans its looks around the answer.
 */

/** Snapshot progress started no earlier than this before the wait (CreateImage returned just before it). */
const START_SLACK_MS = 60_000

/**
 * Progress is a whole percent, so each look (t, p) says the snapshot's true progress line crossed p at or before
 * t and, read strictly (progress that moves continuously), had not crossed p+1 at t. With crossing times
 * T(x) = a + b·x, every such fact is linear in (a, b), so the lines that fit all looks form a convex polygon,
 * and its extent in T(k) is when percent k can tick, T(100) being the finish. The moments a percent ticks pin
 * the line down, so looks at varied phases locate the finish to seconds (a vernier), and a look at the middle of
 * the window of the next tick halves it (a bisection).
 */
export interface TickWindow {
  /** Earliest and latest time (ms since the wait began) percent k can tick; hi may be Infinity. */
  lo: number
  hi: number
  /** A slope (ms per percent) in the middle of the feasible ones. */
  msPerPercent: number
}

/** One snapshot's progress: a value and the first and last time it was seen. */
export interface ProgressRun {
  progress: number
  first: number
  last: number
}

/** T(level) ≤ t (atMost) or T(level) > t (after). */
interface Fact {
  t: number
  level: number
}

interface Line {
  t: number
  k: number
}

const BETA_MAX = 1e8

function lowestOf(lines: Line[], b: number): number {
  let v = Infinity
  for (const l of lines) v = Math.min(v, l.t + b * l.k)
  return v
}

function highestOf(lines: Line[], b: number): number {
  let v = -Infinity
  for (const l of lines) v = Math.max(v, l.t + b * l.k)
  return v
}

/** y ≤ every upper line, y > every lower line, slopes ≥ 0: the range of y over feasible b ≥ 0. */
function solveWindow(upper: Line[], lower: Line[]): TickWindow | undefined {
  const slack = (b: number): number => lowestOf(upper, b) - highestOf(lower, b)
  // slack is concave (min of lines minus max of lines): ternary search for its peak.
  let a = 0
  let c = BETA_MAX
  for (let i = 0; i < 60; i++) {
    const m1 = a + (c - a) / 3
    const m2 = c - (c - a) / 3
    if (slack(m1) < slack(m2)) a = m1
    else c = m2
  }
  const peak = (a + c) / 2
  if (!(slack(peak) >= 0)) return undefined
  const edge = (inside: number, outside: number): number => {
    for (let i = 0; i < 45; i++) {
      const mid = (inside + outside) / 2
      if (slack(mid) >= 0) inside = mid
      else outside = mid
    }
    return inside
  }
  // Both envelopes rise with b, so the earliest T is at the smallest feasible b and the latest at the largest.
  const bMin = slack(0) >= 0 ? 0 : edge(peak, 0)
  const unbounded = slack(BETA_MAX) >= 0
  const bMax = unbounded ? BETA_MAX : edge(peak, BETA_MAX)
  return {
    lo: highestOf(lower, bMin),
    hi: unbounded ? Infinity : lowestOf(upper, bMax),
    msPerPercent: peak
  }
}

export class ProgressLine {
  constructor(
    private readonly atMost: readonly Fact[],
    private readonly after: readonly Fact[],
    /** Highest level any fact speaks of: windows are for later ticks only. */
    readonly top: number,
    /** Every tick was seen as it came: false when progress jumps, and the window of one tick says little. */
    readonly strict: boolean
  ) {}

  /** When percent `level` (above every level seen) can tick, or undefined when no line fits the looks. */
  window(level: number): TickWindow | undefined {
    // Facts about later ticks would bend the envelopes the wrong way; leaving them out only widens the window.
    const toLines = (facts: readonly Fact[]): Line[] =>
      facts.filter(f => f.level <= level).map(f => ({ t: f.t, k: level - f.level }))
    return solveWindow(toLines(this.atMost), toLines(this.after))
  }
}

/**
 * The line through one snapshot's looks. The strict reading holds for progress that moves continuously; where
 * looks contradict it (progress that jumps and then sits, a change of pace), fall back to facts that always
 * hold: progress ≥ p at every look, and a change seen between two looks happened after the first. Undefined
 * when even those fit no line (a stall) or the snapshot is complete.
 */
export function fitProgress(runs: readonly ProgressRun[]): ProgressLine | undefined {
  if (runs.length === 0 || runs.some(r => r.progress >= 100)) return undefined
  const attempts: Array<[readonly ProgressRun[], boolean]> = [
    [runs, true],
    [runs, false],
    [runs.slice(-4), false]
  ]
  for (const [window, strict] of attempts) {
    // 0% may mean "not started": it says nothing about when the line crossed 0.
    const atMost = window.filter(r => r.progress > 0).map(r => ({ t: r.first, level: r.progress }))
    const latest = window[window.length - 1]
    const after: Fact[] = [
      // Progress started after CreateImage was called, shortly before the wait began.
      { t: -START_SLACK_MS, level: 0 },
      // Not complete at the latest look.
      { t: latest.last, level: 100 }
    ]
    window.forEach((r, i) => {
      if (strict) after.push({ t: r.last, level: r.progress + 1 })
      else if (i > 0) after.push({ t: window[i - 1].last, level: r.progress + 1 })
    })
    const line = new ProgressLine(atMost, after, latest.progress, strict)
    if (line.window(100)) return line
  }
  return undefined
}

/** When a snapshot with these looks can reach 100%. */
export function estimateFinish(runs: readonly ProgressRun[]): TickWindow | undefined {
  return fitProgress(runs)?.window(100)
}
