import { describe, expect, it } from '@jest/globals'
import { imagePhase, progressAt, snapshotPhase, timeline } from '../../sim/bake-timeline.js'

describe('bake timeline', () => {
  const t0 = 1_000_000

  it('defaults to one second with snapshots from 10% on, listed at once', () => {
    expect(timeline({}, t0)).toEqual({ startedAt: t0, durationMs: 1000, snapshotDelayMs: 100, listLagMs: 0, progress: 'linear', fail: undefined })
  })

  it('keeps the image pending until durationMs, and the snapshots unmade until snapshotDelayMs', () => {
    const t = timeline({ durationMs: 1000, snapshotDelayMs: 200 }, t0)
    expect([0, 199, 200, 999, 1000].map((ms) => [imagePhase(t, t0 + ms), snapshotPhase(t, t0 + ms)])).toEqual([
      ['pending', { exists: false, state: 'pending', progress: 0 }],
      ['pending', { exists: false, state: 'pending', progress: 0 }],
      ['pending', { exists: true, state: 'pending', progress: 0 }],
      ['pending', { exists: true, state: 'pending', progress: 99 }],
      ['available', { exists: true, state: 'completed', progress: 100 }]
    ])
    expect(snapshotPhase(t, t0 + 600).progress).toBe(50)
  })

  it('never ends a bake of durationMs Infinity: pending for good, its snapshots at 0 %', () => {
    const t = timeline({ durationMs: Infinity, snapshotDelayMs: 0 }, t0)
    expect([imagePhase(t, t0 + 1e12), snapshotPhase(t, t0 + 1e12)]).toEqual(['pending', { exists: true, state: 'pending', progress: 0 }])
    // Its default snapshotDelayMs (10 % of forever) holds the snapshots back until sim.startSnapshots.
    expect(snapshotPhase(timeline({ durationMs: Infinity }, t0), t0 + 1e12).exists).toBe(false)
  })

  it.each([
    ['linear', [0, 25, 50, 75, 99]],
    ['jumps', [0, 25, 50, 75, 75]],
    ['stall', [0, 41, 82, 99, 99]]
  ] as const)('maps %s progress over fractions 0, .25, .5, .75, .999', (curve, expected) => {
    expect([0, 0.25, 0.5, 0.75, 0.999].map((f) => progressAt(curve, f))).toEqual(expected)
  })

  it('jumps rather than creeps', () => {
    expect([0.1, 0.2, 0.3].map((f) => progressAt('jumps', f))).toEqual([0, 0, 25])
  })

  it('takes a custom curve, clamped to 0-99 while pending', () => {
    expect([0, 0.5, 1].map((f) => progressAt((x) => x * 300 - 10, f))).toEqual([0, 99, 99])
  })

  it('fails the image at fail.afterMs for good, and errors the snapshots still pending', () => {
    const t = timeline({ durationMs: 1000, snapshotDelayMs: 100, fail: { afterMs: 550 } }, t0)
    expect(imagePhase(t, t0 + 549)).toBe('pending')
    expect(imagePhase(t, t0 + 550)).toBe('failed')
    expect(imagePhase(t, t0 + 5000)).toBe('failed')
    expect(snapshotPhase(t, t0 + 5000)).toEqual({ exists: true, state: 'error', progress: 50 })
    expect(t.fail).toEqual({ afterMs: 550, code: 'Server.InternalError', message: 'An internal error has occurred' })
  })

  it('never makes snapshots when the failure comes first, and completes them when it comes after', () => {
    const early = timeline({ durationMs: 1000, snapshotDelayMs: 300, fail: { afterMs: 200, code: 'Client.Bad', message: 'bad' } }, t0)
    expect(snapshotPhase(early, t0 + 5000).exists).toBe(false)
    const late = timeline({ durationMs: 1000, fail: { afterMs: 1500 } }, t0)
    expect(snapshotPhase(late, t0 + 1200)).toEqual({ exists: true, state: 'completed', progress: 100 })
    expect(imagePhase(late, t0 + 1200)).toBe('pending')
    expect(imagePhase(late, t0 + 1500)).toBe('failed')
  })
})
