/** Waiting for a list of images: the one waiter over fake regions, and the sentence when one is not available. */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Aws } from '../src/aws.js'
import { waitUntilAvailable } from '../src/available.js'
import type { Ec2 } from '../src/ec2/index.js'
import { WaitError } from '../src/errors.js'
import type { ImageObservation } from '../src/observations.js'
import { BakeState } from '../src/state.js'
import { refuseDistribution, noParameterStore, noKeyService } from './fakes/ec2.js'
import { memoryStore } from './fakes/state.js'

/** Virtual time: sleeping moves the clock. */
function virtualClock() {
  let t = 0
  return { now: () => t, sleep: async (ms: number) => void (t += Math.max(0, ms)) }
}

/** Each region's image is pending for its first `pendingLooks` looks, then ends as `final` (undefined: gone). */
function fakeAws(images: Record<string, { pendingLooks: number; final?: ImageObservation }>): Aws {
  const looks = new Map<string, number>()
  return {
    ssm: noParameterStore,
    kms: noKeyService,
    ec2(region) {
      const ec2: Ec2 = {
        ...({} as Ec2),
        ...refuseDistribution(),
        region,
        async describeImage(imageId) {
          const { pendingLooks, final } = images[region]
          const n = (looks.get(imageId) ?? 0) + 1
          looks.set(imageId, n)
          return n <= pendingLooks ? { state: 'pending', snapshotIds: [`snap-${region}`] } : final
        },
        async describeSnapshots(ids) {
          return ids.map(snapshotId => ({ snapshotId, state: 'pending', progress: 10 }))
        }
      }
      return ec2
    }
  }
}

const AVAILABLE: ImageObservation = { state: 'available', snapshotIds: ['snap-a'] }
const FAILED: ImageObservation = { state: 'failed', stateReason: { code: 'Server.InternalError', message: 'Server.InternalError: copy failed' }, snapshotIds: [] }
const IMAGES = [
  { region: 'us-east-1', imageId: 'ami-source' },
  { region: 'eu-west-1', imageId: 'ami-copy' }
]

beforeEach(() => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})

afterEach(() => {
  jest.restoreAllMocks()
})

describe('waitUntilAvailable', () => {
  it('returns every image once all are available, and records the snapshots of those the run made', async () => {
    const state = new BakeState(memoryStore())
    state.record({ region: 'eu-west-1', imageId: 'ami-copy', madeBy: 'CopyImage', snapshotIds: [] })
    const aws = fakeAws({ 'us-east-1': { pendingLooks: 1, final: AVAILABLE }, 'eu-west-1': { pendingLooks: 2, final: AVAILABLE } })
    const ready = await waitUntilAvailable(aws, IMAGES, state, { clock: virtualClock(), signal: new AbortController().signal, timeoutMs: 600_000 })
    expect(ready.map(image => [image.region, image.imageId, image.image.state])).toEqual([
      ['us-east-1', 'ami-source', 'available'],
      ['eu-west-1', 'ami-copy', 'available']
    ])
    // Only the copy is the run's; the source (reused here) never enters the ledger.
    expect(state.entries()).toEqual([{ region: 'eu-west-1', imageId: 'ami-copy', madeBy: 'CopyImage', snapshotIds: ['snap-a'], state: 'available' }])
  })

  it('names each image that is not available, by region, with EC2’s reason', async () => {
    const aws = fakeAws({ 'us-east-1': { pendingLooks: 1, final: AVAILABLE }, 'eu-west-1': { pendingLooks: 1, final: FAILED } })
    const error = await waitUntilAvailable(aws, IMAGES, new BakeState(memoryStore()), {
      clock: virtualClock(),
      signal: new AbortController().signal,
      timeoutMs: 600_000
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WaitError)
    expect((error as WaitError).outcome).toBe('failed')
    expect((error as Error).message).toMatch(/^Image ami-copy in eu-west-1 ended 'failed' after \d+s: Server\.InternalError: copy failed$/)
  })

  it('reports a timeout before a failure when both happen, naming both images', async () => {
    const aws = fakeAws({ 'us-east-1': { pendingLooks: Infinity }, 'eu-west-1': { pendingLooks: 1, final: FAILED } })
    const error = await waitUntilAvailable(aws, IMAGES, new BakeState(memoryStore()), {
      clock: virtualClock(),
      signal: new AbortController().signal,
      timeoutMs: 60_000
    }).catch((e: unknown) => e)
    expect((error as WaitError).outcome).toBe('timeout')
    expect((error as Error).message).toContain("Image ami-source in us-east-1 was still 'pending' when 'wait-timeout' (1m00s) ran out.")
    expect((error as Error).message).toContain("Image ami-copy in eu-west-1 ended 'failed'")
  })

  it('does not start when the job is already cancelled', async () => {
    const cancelled = new AbortController()
    cancelled.abort()
    await expect(
      waitUntilAvailable(fakeAws({}), IMAGES, new BakeState(memoryStore()), { clock: virtualClock(), signal: cancelled.signal, timeoutMs: 60_000 })
    ).rejects.toThrow('The job was cancelled before waiting for ami-source, ami-copy.')
  })
})
