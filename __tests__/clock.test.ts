import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { realClock } from '../src/clock.js'

const SECOND = 1_000

describe('realClock', () => {
  afterEach(() => {
    jest.useRealTimers()
  })

  it('resolves early and clears its timer when the signal aborts', async () => {
    jest.useFakeTimers()
    const controller = new AbortController()
    let done = false
    const sleeping = realClock.sleep(60 * SECOND, controller.signal).then(() => {
      done = true
    })
    expect(jest.getTimerCount()).toBe(1)
    controller.abort()
    await sleeping
    expect(done).toBe(true)
    expect(jest.getTimerCount()).toBe(0)
  })

  it('sleeps the full time without a signal', async () => {
    jest.useFakeTimers()
    let done = false
    const sleeping = realClock.sleep(5 * SECOND).then(() => {
      done = true
    })
    await jest.advanceTimersByTimeAsync(4_999)
    expect(done).toBe(false)
    await jest.advanceTimersByTimeAsync(1)
    await sleeping
    expect(done).toBe(true)
  })
})
