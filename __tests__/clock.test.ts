import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { idle, realClock } from '../src/clock.js'

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

describe('idle', () => {
  afterEach(() => {
    jest.useRealTimers()
  })

  it('sleeps the full time, or resolves early and clears its timer when the signal aborts', async () => {
    jest.useFakeTimers()
    let done = false
    const sleeping = idle(5 * SECOND).then(() => {
      done = true
    })
    await jest.advanceTimersByTimeAsync(4_999)
    expect(done).toBe(false)
    await jest.advanceTimersByTimeAsync(1)
    await sleeping
    expect(done).toBe(true)

    const controller = new AbortController()
    const aborted = idle(60 * SECOND, controller.signal)
    expect(jest.getTimerCount()).toBe(1)
    controller.abort()
    await aborted
    expect(jest.getTimerCount()).toBe(0)
  })

  it('does not keep the process alive, unlike realClock.sleep', async () => {
    const timers = (): number => process.getActiveResourcesInfo().filter(resource => resource === 'Timeout').length
    const controller = new AbortController()
    const before = timers()
    const background = idle(60 * SECOND, controller.signal)
    expect(timers()).toBe(before)
    const foreground = realClock.sleep(60 * SECOND, controller.signal)
    expect(timers()).toBe(before + 1)
    controller.abort()
    await Promise.all([background, foreground])
  })

  it('resolves at once for nothing to wait, or a signal already aborted', async () => {
    jest.useFakeTimers()
    await idle(0)
    await idle(SECOND, AbortSignal.abort())
    expect(jest.getTimerCount()).toBe(0)
  })
})
