/**
 * Fault injection, issue 4: every AWS call a bake makes is throttled, answered with a 5xx, or has its connection
 * dropped, twice and then served normally; CreateImage also has its answer lost after the image was made. After the
 * job (main, then post as a runner runs it), either the step succeeded with exactly one available image, or it
 * failed with one clear error and left no image and no snapshot. It never succeeds without an image.
 *
 * The cases run side by side (each with its own sim) and each test awaits its own; a table of what happened is
 * printed at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import type { BakeScript, FaultKind, SimService } from '../../sim/index.js'
import { errorMessages, expectFailure, expectNoSecretLeak, Harness, limiter, ROLE_ARN, type StepRun } from './harness.js'

type Call = 'token' | 'AssumeRoleWithWebIdentity' | 'CreateImage' | 'DescribeImages' | 'DescribeSnapshots' | 'DeregisterImage' | 'DeleteSnapshot'
type Kind = Extract<FaultKind, string>

interface Case {
  readonly call: Call
  readonly kind: Kind
  /** The image fails, so that the cleanup calls are made. */
  readonly failing: boolean
}

const SERVICE: Record<Call, SimService> = {
  token: 'oidc',
  AssumeRoleWithWebIdentity: 'sts',
  CreateImage: 'ec2',
  DescribeImages: 'ec2',
  DescribeSnapshots: 'ec2',
  DeregisterImage: 'ec2',
  DeleteSnapshot: 'ec2'
}

/** What a clear error about a failed call names: the call, not just what the SDK said. */
const NAMES: Record<Call, RegExp> = {
  token: /OIDC token/,
  AssumeRoleWithWebIdentity: new RegExp(`assume ${ROLE_ARN}`, 'i'),
  CreateImage: /CreateImage/,
  DescribeImages: /DescribeImages/,
  DescribeSnapshots: /DescribeSnapshots/,
  DeregisterImage: /DeregisterImage/,
  DeleteSnapshot: /DeleteSnapshot/
}

/** The SDK's own words for these faults: an error that is only this is not a sentence for a person. */
const BARE_SDK = /^(?:AWS SDK error wrapper|socket hang up|read ECONNRESET|Request limit exceeded|An internal error|Rate exceeded|Internal server error|Too many requests|UnknownError)/i

const KINDS: readonly Kind[] = ['throttle', 'server-error', 'reset']
const BAKE_CALLS: readonly Call[] = ['token', 'AssumeRoleWithWebIdentity', 'CreateImage', 'DescribeImages', 'DescribeSnapshots']
const CLEANUP_CALLS: readonly Call[] = ['DeregisterImage', 'DeleteSnapshot']

const CASES: readonly Case[] = [
  ...BAKE_CALLS.flatMap(call => KINDS.map(kind => ({ call, kind, failing: false }))),
  { call: 'CreateImage', kind: 'reset-after-processing', failing: false },
  ...CLEANUP_CALLS.flatMap(call => KINDS.map(kind => ({ call, kind, failing: true })))
]

const FAILURE = { code: 'Client.InternalError', message: 'Client.InternalError: Snapshot failed' }

function bakeFor(c: Case): BakeScript {
  // The image fails at once, with its snapshots made, so the cleanup is all there is to it.
  if (c.failing) return { durationMs: 1000, snapshotDelayMs: 0, fail: { afterMs: 1, ...FAILURE } }
  // Snapshots listed from the first look; the image stays pending until the waiter has read them (`runCase`).
  if (c.call === 'DescribeSnapshots') return { durationMs: 1000, snapshotDelayMs: 0 }
  return { durationMs: 300 }
}

interface Outcome {
  readonly harness: Harness
  readonly main: StepRun
  readonly post?: StepRun
  readonly left: { images: string[]; snapshots: string[] }
  readonly faultsHit: number
  /** Seconds from the start of main to the end of the job. */
  readonly took: number
}

interface Row {
  fault: string
  call: string
  outcome: string
  imagesLeft: number | string
  snapshotsLeft: number | string
  callsMade: string
  took: string
  check: string
}

async function runCase(c: Case): Promise<Outcome> {
  // The waiter's first read comes about 15 s in: the sim's clock waits for it half a second into the bake.
  const holdClockUntil = c.call === 'DescribeSnapshots' && !c.failing ? { action: 'DescribeSnapshots', atMs: 500 } : undefined
  const harness = await Harness.start({ volumes: 2, bake: bakeFor(c), holdClockUntil })
  try {
    harness.sim.fault({ service: SERVICE[c.call], action: c.call, kind: c.kind, times: 2 })
    const started = Date.now()
    // A bound on the wait, so that a case that goes wrong ends well within the test's timeout.
    const main = await harness.main({ 'wait-timeout': '40s' })
    // As a runner does (post-if: always()); after a good bake post does nothing (cancel.test.ts), so skip it there.
    const post = main.exitCode === 0 ? undefined : await harness.post(main)
    const took = (Date.now() - started) / 1000
    const left = await harness.leftovers()
    return { harness, main, post, left, took, faultsHit: harness.sim.calls.filter(call => call.fault !== undefined).length }
  } finally {
    await harness.close()
  }
}

const caseName = (c: Case): string => `${c.kind} on ${c.call}${c.failing ? ' (failed image)' : ''}`
const results = new Map<string, Promise<Outcome | Error>>()
const rows = new Map<string, Row>()

beforeAll(() => {
  // All cases start now, at most 8 at a time (they wait on the sim's clock, but each step also takes about a
  // CPU-second to load the SDK); each test awaits its own. A case never rejects: its test reports what went wrong.
  const limit = limiter(8)
  for (const c of CASES) {
    results.set(
      caseName(c),
      limit(() => runCase(c)).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
    )
  }
})

afterAll(() => {
  const table: Row[] = CASES.map(c => rows.get(caseName(c)) ?? { fault: c.kind, call: c.call, outcome: 'not run', imagesLeft: '-', snapshotsLeft: '-', callsMade: '-', took: '-', check: '-' })
  const header: Row = { fault: 'fault', call: 'call', outcome: 'outcome', imagesLeft: 'images left', snapshotsLeft: 'snapshots left', callsMade: 'calls made', took: 'took', check: 'check' }
  const columns = Object.keys(header) as (keyof Row)[]
  const widths = columns.map(column => Math.max(...[header, ...table].map(row => String(row[column]).length)))
  const line = (row: Row): string => columns.map((column, i) => String(row[column]).padEnd(widths[i])).join(' | ')
  console.log(['Fault injection (times: 2, then normal)', line(header), widths.map(w => '-'.repeat(w)).join('-|-'), ...table.map(line)].join('\n'))
})

describe('fault injection', () => {
  it.each(CASES.map(c => [caseName(c), c] as const))(
    '%s',
    async (name, c) => {
      const result = await results.get(name)!
      if (result instanceof Error) {
        rows.set(name, { fault: c.kind, call: c.call, outcome: `harness error: ${result.message}`, imagesLeft: '?', snapshotsLeft: '?', callsMade: '?', took: '?', check: 'FAIL' })
        throw result
      }
      const { harness: h, main, post, left, faultsHit, took } = result
      const error = errorMessages(main)[0]
      const row: Row = {
        fault: c.kind,
        call: c.call + (c.failing ? ' (failed image)' : ''),
        outcome:
          main.exitCode === 0
            ? `exit 0, ${main.outputs.state ?? 'no state'}`
            : `exit ${main.exitCode}: ${error === undefined ? 'no ::error::' : error.length > 90 ? `${error.slice(0, 90)}…` : error}`,
        imagesLeft: left.images.length,
        snapshotsLeft: left.snapshots.length,
        callsMade: `${h.sim.calls.length} (${c.call} ×${h.sim.calls.filter(call => call.action === c.call).length}, faulted ×${faultsHit})`,
        took: `${took.toFixed(1)} s`,
        check: 'FAIL'
      }
      rows.set(name, row)

      // The fault was met: the case tested something.
      expect(faultsHit).toBeGreaterThan(0)
      // Post reports rather than fails.
      if (post) expect(post.exitCode).toBe(0)
      if (c.failing) {
        expectFailure(main, FAILURE.code, FAILURE.message)
        expect(left).toEqual({ images: [], snapshots: [] })
      } else if (main.exitCode === 0) {
        expect(errorMessages(main)).toEqual([])
        expect(h.sim.images().map(image => [image.imageId, image.state])).toEqual([[main.outputs['image-id'], 'available']])
        expect(main.outputs.state).toBe('available')
      } else {
        const message = expectFailure(main, NAMES[c.call])
        expect(message).not.toMatch(BARE_SDK)
        expect(left).toEqual({ images: [], snapshots: [] })
      }
      expectNoSecretLeak(h.sim, h.runs)
      row.check = 'ok'
    },
    60_000
  )
})
