import { describe, expect, it } from '@jest/globals'
import { estimateFinish, fitProgress } from '../src/finish-estimate.js'

describe('estimateFinish', () => {
  it('locates the finish of linear progress to seconds from a few looks at varied phases', () => {
    // 18 s per percent from t = 10 s: 100% at 1810 s.
    const percentAt = (t: number): number => Math.floor((t - 10_000) / 18_000)
    const looks = [60_000, 400_000, 1_000_000, 1_500_000, 1_640_000, 1_717_000].map(t => ({ progress: percentAt(t), first: t, last: t }))
    const window = estimateFinish(looks)
    expect(window).toBeDefined()
    expect(window!.lo).toBeLessThanOrEqual(1_810_000)
    expect(window!.hi).toBeGreaterThanOrEqual(1_810_000)
    expect(window!.hi - window!.lo).toBeLessThan(20_000)
  })

  it('finds no line through a long stall at 99%', () => {
    const looks = [
      { progress: 50, first: 300_000, last: 300_000 },
      { progress: 99, first: 600_000, last: 1_500_000 }
    ]
    expect(estimateFinish(looks)).toBeUndefined()
  })
})

describe('fitProgress', () => {
  it('reads progress that moves a percent at a time strictly', () => {
    const looks = [10, 20, 30].map((progress, i) => ({ progress, first: (i + 1) * 60_000, last: (i + 1) * 60_000 }))
    expect(fitProgress(looks)?.strict).toBe(true)
  })

  it('falls back to the facts that always hold when progress jumps and then sits', () => {
    // 20% from 100 s to 300 s, then 45% at 310 s: no line ticks one percent at a time through that.
    const looks = [
      { progress: 20, first: 100_000, last: 300_000 },
      { progress: 45, first: 310_000, last: 310_000 }
    ]
    const line = fitProgress(looks)
    expect(line?.strict).toBe(false)
    expect(line?.top).toBe(45)
  })

  it('has nothing to say about a complete snapshot', () => {
    expect(fitProgress([{ progress: 100, first: 1_000, last: 1_000 }])).toBeUndefined()
  })
})
