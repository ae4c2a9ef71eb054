/**
 * What became of each attempt the SDK made of one call, so that a later `InvalidAMIName.Duplicate` can be
 * told apart: our own lost CreateImage, or another run's image that happens to bear the same name.
 *
 * CreateImage takes no client token, so EC2 cannot tell us that a retry is a repeat; we have to know whether
 * an earlier attempt may have done the work without our hearing so.
 */
import { isThrottling } from './errors.js'

/** One attempt on the wire, on our clock. */
export interface Attempt {
  readonly sentAt: number
  /** When its answer, or the lack of one, came back. */
  readonly endedAt: number
  /** The service may have done the work: we did not hear that it refused. */
  readonly mayHaveActed: boolean
}

/**
 * How far EC2's CreationDate may fall outside the span of the attempt that made the image, beyond the clock
 * skew the SDK measured. The SDK takes its `systemClockOffset` from the Date header of each answer, in whole
 * seconds, and EC2 gives CreationDate in whole seconds too: two seconds of rounding, and some for the time
 * an answer takes to arrive.
 */
export const CREATION_SLACK_MS = 5_000

/**
 * Connection failures that mean the request never left this machine, so EC2 cannot have acted on it.
 * A reset or timeout on an open connection is different: the request may have been processed.
 */
const NEVER_SENT = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']

/**
 * 503 codes by which EC2 turns a request away before doing anything: "the server is overloaded and cannot
 * handle the request". Throttling codes are the same kind of answer.
 */
const TURNED_AWAY = ['Unavailable', 'ServiceUnavailable']

/**
 * Whether a failed attempt may still have done its work. Only an answer that says "no" proves it did not:
 * a client error (4xx), throttling, EC2's overload refusal, or a connection that was never made. A dropped
 * connection or a timeout leaves the outcome unknown, and so does a 5xx without a code (a proxy or load
 * balancer answered, not EC2).
 *
 * A 5xx that carries EC2's `InternalError` counts as unknown too: AWS documents that a mutating EC2 call
 * may "time out or encounter other server issues" after it has acted, which is why many of them take a
 * client token; CreateImage takes none. Adopting is still bounded by the image's name, its instance and its
 * CreationDate, so an image of another run is taken only if it was made while that very attempt was in
 * flight.
 */
export function mayHaveActed(error: unknown): boolean {
  const { name, code, $metadata } = (error ?? {}) as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } }
  const status = $metadata?.httpStatusCode
  if (status === undefined) return !NEVER_SENT.includes(code ?? '')
  // A 2xx that failed to parse still did its work.
  if (status < 300) return true
  if (status < 500) return false
  return !(isThrottling(error) || TURNED_AWAY.includes(name ?? ''))
}

/** Every attempt of one call, across the SDK's retries and our own renewal of credentials. */
export class AttemptLog {
  readonly attempts: Attempt[] = []

  /** `now` is Date.now unless a test says otherwise: the SDK measures EC2's clock against it. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Runs one attempt and records what became of it; a caller places this inside the SDK's retries. */
  async record<T>(attempt: () => Promise<T>): Promise<T> {
    const sentAt = this.now()
    try {
      const result = await attempt()
      this.attempts.push({ sentAt, endedAt: this.now(), mayHaveActed: true })
      return result
    } catch (error) {
      this.attempts.push({ sentAt, endedAt: this.now(), mayHaveActed: mayHaveActed(error) })
      throw error
    }
  }

  /** Some attempt may have done its work: it failed in a way that leaves that open. */
  someMayHaveActed(): boolean {
    return this.attempts.some(attempt => attempt.mayHaveActed)
  }

  /**
   * Whether a resource the service stamped with `createdAt` (its own clock, ms) can be the work of one of
   * our attempts that may have acted: made while that attempt was in flight, given that the service's clock
   * runs `clockOffsetMs` ahead of ours (the SDK's `systemClockOffset`).
   */
  couldHaveMade(createdAt: number, clockOffsetMs: number): boolean {
    return this.attempts.some(
      attempt =>
        attempt.mayHaveActed &&
        createdAt >= attempt.sentAt + clockOffsetMs - CREATION_SLACK_MS &&
        createdAt <= attempt.endedAt + clockOffsetMs + CREATION_SLACK_MS
    )
  }
}
