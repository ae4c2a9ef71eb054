/**
 * The waiters we compare with, as schedules of DescribeImages calls: each answers "how long to sleep before
 * attempt n" or gives up. Like them, a baseline looks at the image state only.
 */
import { imageAt, type Timeline } from './timeline.js'

export interface Schedule {
  name: string
  /** Delay in ms before attempt `attempt` (1 = the second call), or undefined to give up. `now` is ms since start. */
  delayBefore(attempt: number, now: number): number | undefined
}

/** botocore's waiter as used by `aws ec2 wait image-available`: every 15 s, 40 attempts, then exit 255. */
export function awsCli(): Schedule {
  return { name: 'aws-cli', delayBefore: attempt => (attempt < 40 ? 15_000 : undefined) }
}

/** Packer amazon-ebs: the SDK's ImageAvailable waiter at 15 s with max attempts raised to 120 (30 min). */
export function packer(): Schedule {
  return { name: 'packer', delayBefore: attempt => (attempt < 120 ? 15_000 : undefined) }
}

/**
 * @aws-sdk/client-ec2 waitUntilImageAvailable: smithy util-waiter's runPolling with minDelay 15 s and maxDelay
 * 120 s, `exponentialBackoffWithJitter` copied exactly, Math.random replaced by a seeded one. maxWaitTime is in
 * seconds, as in the SDK; Infinity means the comparison never gives up.
 */
export function awsSdk(random: () => number, maxWaitTime = Infinity): Schedule {
  const minDelayMs = 15_000
  const maxDelayMs = 120_000
  const waitUntil = maxWaitTime * 1000
  const randomInRange = (min: number, max: number): number => min + random() * (max - min)
  const exponentialBackoffWithJitter = (attempt: number, now: number): number => {
    const attemptCountCeiling = Math.log(maxDelayMs / minDelayMs) / Math.log(2) + 1
    if (attempt > attemptCountCeiling) return maxDelayMs
    const delay = minDelayMs * 2 ** (attempt - 1)
    const capped = Math.min(delay, maxDelayMs)
    const waitFor = randomInRange(minDelayMs, capped)
    if (now + waitFor > waitUntil) return Math.max(0, waitUntil - now - 500)
    return waitFor
  }
  return {
    name: 'aws-sdk',
    delayBefore(attempt, now) {
      const delayMs = exponentialBackoffWithJitter(attempt, now)
      return now + delayMs > waitUntil ? undefined : delayMs
    }
  }
}

export interface ScheduleRun {
  /** When the waiter saw the image available, failed or gone; undefined when it gave up first. */
  seenAt?: number
  elapsedMs: number
  callTimes: number[]
}

/**
 * Poll the timeline's image on a schedule. Not shown yet counts as "try again" (EC2's eventual consistency right
 * after CreateImage); not shown once it was, ends the wait (the SDK's waiter throws on an error it has no acceptor for).
 */
export function runSchedule(timeline: Timeline, schedule: Schedule): ScheduleRun {
  const callTimes: number[] = []
  let now = 0
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) {
      const delay = schedule.delayBefore(attempt, now)
      if (delay === undefined) return { elapsedMs: now, callTimes }
      now += delay
    }
    callTimes.push(now)
    const image = imageAt(timeline, now)
    const gone = image === undefined && now >= (timeline.image.visibleAtS ?? 0) * 1000
    if (gone || image?.state === 'available' || image?.state === 'failed') return { seenAt: now, elapsedMs: now, callTimes }
  }
}

/** A plain DescribeImages every `periodMs` from the start: when it would notice the timeline's final state. */
export function fixedPoller(periodMs: number): Schedule {
  return { name: 'fixed', delayBefore: () => periodMs }
}
