/**
 * Throttling through the real path: the real SDK and the real `ec2/` wrapper against the in-repo endpoint, a
 * storm longer than the SDK's own retries, and the waiter on a virtual clock. It must back off and carry on to
 * its deadline rather than fail the bake.
 */
import { EC2Client } from '@aws-sdk/client-ec2'
import { ConfiguredRetryStrategy } from '@smithy/core/retry'
import { describe, expect, it } from '@jest/globals'
import { ec2 } from '../../src/ec2/index.js'
import { waitForImages } from '../../src/wait/index.js'
import { REGION, simPerTest, staticCredentials } from '../sim/helpers.js'

const S = 1000

class VirtualClock {
  t = 0
  now(): number {
    return this.t
  }
  async sleep(ms: number): Promise<void> {
    this.t += Math.max(0, ms)
  }
}

describe('a throttling storm longer than the SDK retries', () => {
  const sims = simPerTest()

  it('is ridden out: the waiter backs off and carries on to its deadline', async () => {
    // The image stays pending, its snapshots listed at once: the waiter reads both.
    const sim = await sims.start({ bake: { durationMs: 3_600_000, snapshotDelayMs: 0 } })
    const instanceId = sim.addInstance({ volumes: 2 })
    // Two attempts per call: each storm below outlasts the SDK's retries five times over. The SDK's retry strategy
    // as ever but for its backoff, which slept 8 s of real time between the attempts and told this test nothing:
    // the waiter runs on the virtual clock.
    const client = new EC2Client({ region: REGION, credentials: staticCredentials(sim), retryStrategy: new ConfiguredRetryStrategy(2, 0) })
    const calls = ec2({ region: 'us-east-1', principal: 'user release', client })
    const imageId = await calls.createImage({
      instanceId,
      name: 'storm',
      description: '',
      noReboot: true,
      tags: [],
      snapshotTags: [],
      blockDeviceMappings: [],
      snapshotLocation: undefined
    })
    // Let the first look and read through, then throttle the next ten of each.
    sim.fault({ action: 'DescribeImages', kind: 'throttle', skip: 1, times: 10 })
    sim.fault({ action: 'DescribeSnapshots', kind: 'throttle', skip: 1, times: 10 })

    const clock = new VirtualClock()
    const lines: string[] = []
    const [result] = await waitForImages([{ region: 'us-east-1', imageId }], {
      clock,
      timeoutMs: 30 * 60 * S,
      sourceFor: () => calls,
      log: line => lines.push(line),
      // The backoff's jitter, fixed: the same looks at the same moments on every run.
      random: () => 0.5
    })

    // The last look at the deadline, never before it; at most one region spacing (1 s) after it, when the look
    // before came within a second of the deadline.
    expect(result.verdict).toBe('timeout')
    expect(result.elapsedMs).toBeGreaterThanOrEqual(30 * 60 * S)
    expect(result.elapsedMs).toBeLessThanOrEqual(30 * 60 * S + S)
    const throttled = sim.calls.filter(call => call.errorCode === 'RequestLimitExceeded').map(call => call.action)
    expect(throttled.filter(action => action === 'DescribeImages')).toHaveLength(10)
    expect(throttled.filter(action => action === 'DescribeSnapshots')).toHaveLength(10)
    // The storm is over and the waiter looked again, with success, until the deadline.
    expect(sim.calls.at(-1)).toMatchObject({ action: 'DescribeImages', status: 200 })
    expect(lines.some(line => line.includes(`Waiting for ${imageId}: EC2 throttled`))).toBe(true)
  })
})
