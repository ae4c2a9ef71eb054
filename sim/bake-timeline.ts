import type { BakeScript, ProgressCurve } from './types.js'

// An image's life computed from timestamps on demand, so the sim needs no timers: whatever the clock
// says when a Describe call arrives is the state.

export interface Timeline {
  /** epoch ms of CreateImage */
  startedAt: number
  durationMs: number
  snapshotDelayMs: number
  /** How long after its snapshots exist DescribeSnapshots still cannot see them (BakeScript.snapshotListLagMs). */
  listLagMs: number
  progress: ProgressCurve
  fail?: { afterMs: number; code: string; message: string }
}

export interface SnapshotPhase {
  exists: boolean
  state: 'pending' | 'completed' | 'error'
  progress: number
}

const DEFAULT_DURATION_MS = 1000

export function timeline(script: BakeScript, startedAt: number): Timeline {
  const durationMs = script.durationMs ?? DEFAULT_DURATION_MS
  return {
    startedAt,
    durationMs,
    snapshotDelayMs: script.snapshotDelayMs ?? durationMs / 10,
    listLagMs: script.snapshotListLagMs ?? 0,
    progress: script.progress ?? 'linear',
    fail: script.fail && {
      afterMs: script.fail.afterMs,
      code: script.fail.code ?? 'Server.InternalError',
      message: script.fail.message ?? 'An internal error has occurred'
    }
  }
}

/** A failing script never makes the image available: it is pending until fail.afterMs, then failed. */
export function imagePhase(t: Timeline, now: number): 'pending' | 'available' | 'failed' {
  const elapsed = now - t.startedAt
  if (t.fail) return elapsed >= t.fail.afterMs ? 'failed' : 'pending'
  return elapsed >= t.durationMs ? 'available' : 'pending'
}

/** Progress (0-100) of a pending snapshot, `fraction` of the way from its creation to done. */
export function progressAt(curve: ProgressCurve, fraction: number): number {
  const f = Math.min(1, Math.max(0, fraction))
  let percent: number
  if (typeof curve === 'function') percent = curve(f)
  else if (curve === 'jumps') percent = Math.floor(f * 4) * 25
  else if (curve === 'stall') percent = f >= 0.6 ? 99 : (f / 0.6) * 99
  else percent = f * 100
  // 100% belongs to a completed snapshot; a pending one shows at most 99%.
  return Math.min(99, Math.max(0, Math.floor(percent)))
}

export function snapshotPhase(t: Timeline, now: number): SnapshotPhase {
  const elapsed = now - t.startedAt
  // A failure before the snapshots were started means they never were.
  const failAt = t.fail?.afterMs ?? Infinity
  const exists = elapsed >= t.snapshotDelayMs && failAt > t.snapshotDelayMs
  const span = t.durationMs - t.snapshotDelayMs
  const fractionAt = (ms: number): number => (span <= 0 ? 1 : (ms - t.snapshotDelayMs) / span)
  if (elapsed >= t.durationMs && failAt >= t.durationMs) return { exists, state: 'completed', progress: 100 }
  if (elapsed >= failAt) return { exists, state: 'error', progress: progressAt(t.progress, fractionAt(failAt)) }
  return { exists, state: 'pending', progress: progressAt(t.progress, fractionAt(elapsed)) }
}
