/**
 * The lines a person reads while an image is waited for: one when the wait starts, one on each change of what
 * EC2 shows (and at least one a minute otherwise), a notice when EC2 throttles, and the verdict.
 */
import { formatDuration } from '../duration.js'
import type { SnapshotObservation } from '../observations.js'
import { estimateFinish, type Seen } from './cadence.js'

/** A quiet minute in a log looks like a hang; more often is noise. */
const HEARTBEAT_MS = 60_000

export type Verdict = 'available' | 'failed' | 'gone' | 'timeout' | 'aborted'

export class ProgressLog {
  private lastLineAt = -Infinity
  private lastKey = ''

  constructor(
    private readonly label: string,
    private readonly write: (line: string) => void
  ) {}

  started(timeoutMs: number): void {
    this.write(`Waiting for ${this.label} to become available (timeout ${formatDuration(timeoutMs)})`)
    this.lastLineAt = 0
  }

  /** After a look: a line when what EC2 shows changed, or when the last line is a minute old. */
  looked(seen: Seen, now: number): void {
    const key = [seen.image?.state, seen.misses > 0, seen.completeAt !== undefined, seen.snapshots.some(s => s.state === 'error')].join('/')
    if (key === this.lastKey && now - this.lastLineAt < HEARTBEAT_MS) return
    this.lastKey = key
    this.lastLineAt = now
    const left = timeLeft(seen, now)
    this.write(`Waiting for ${this.label}: ${status(seen)}, ${formatDuration(now)} elapsed${left ? `, ${left}` : ''}`)
  }

  throttled(operation: string, region: string, backoffMs: number, now: number, first: boolean): void {
    if (!first && now - this.lastLineAt < HEARTBEAT_MS / 2) return
    this.lastLineAt = now
    this.write(`Waiting for ${this.label}: EC2 throttled ${operation} in ${region}, looking again in ${formatDuration(backoffMs)}`)
  }

  finished(verdict: Verdict, seen: Seen, now: number, calls: string): void {
    const took = formatDuration(now)
    const reason = seen.image?.stateReason?.message ?? seen.image?.stateReason?.code
    const lines: Record<Verdict, string> = {
      available: `${this.label} is available after ${took} (${calls})`,
      failed: `${this.label} is ${seen.image?.state ?? 'failed'} after ${took}${reason ? `: ${reason}` : ''} (${calls})`,
      gone: `${this.label} is gone after ${took}: EC2 no longer shows it (${calls})`,
      timeout: `${this.label} is still ${seen.image?.state ?? 'not shown by EC2'} after ${took}, giving up (${calls})`,
      aborted: `Stopped waiting for ${this.label} after ${took} (${calls})`
    }
    this.write(lines[verdict])
  }
}

function status(seen: Seen): string {
  if (!seen.image) return 'not shown by EC2 yet'
  if (seen.misses > 0) return `not shown by EC2 any more (${seen.misses} looks)`
  if (seen.completeAt !== undefined) return `${seen.image.state}, all snapshots complete`
  const percent = (s: SnapshotObservation): string => `${s.state === 'completed' ? 100 : Math.floor(s.progress)}%${s.state === 'error' ? ' (error)' : ''}`
  const snapshots = seen.snapshots.map(s => `${s.snapshotId} ${percent(s)}`)
  return snapshots.length > 0 ? `${seen.image.state}, ${snapshots.join(' ')}` : seen.image.state
}

function timeLeft(seen: Seen, now: number): string {
  if (seen.completeAt !== undefined) return 'any moment now'
  const finish = estimateFinish(seen)
  if (!finish || finish.hi < now) return ''
  return `about ${formatDuration(Math.max(0, (finish.lo + finish.hi) / 2 - now))} left`
}
