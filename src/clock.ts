/** Time, as everything that waits sees it: injected, so tests and the bench run on virtual time. */

export interface Clock {
  now(): number
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** Date.now and a timer that is cleared on abort, so an aborted wait does not keep the process alive. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => timer(ms, signal, true)
}

/**
 * A sleep for background work (credential renewal): like `realClock.sleep`, but its timer does not keep
 * the process alive, so a step whose work is done ends at once, whatever the background had planned.
 */
export function idle(ms: number, signal?: AbortSignal): Promise<void> {
  return timer(ms, signal, false)
}

function timer(ms: number, signal: AbortSignal | undefined, keepsAlive: boolean): Promise<void> {
  return new Promise<void>(resolve => {
    if (signal?.aborted || !(ms > 0)) {
      resolve()
      return
    }
    const done = (): void => {
      clearTimeout(handle)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const handle = setTimeout(done, ms)
    if (!keepsAlive) handle.unref()
    signal?.addEventListener('abort', done, { once: true })
  })
}
