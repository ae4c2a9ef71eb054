/**
 * The waiter in the bundled action, against the sim with the real SDK: it ends only once the image is available,
 * rides out throttling storms, fails soon (naming the image) when someone else deregisters it, and never gives up
 * before `wait-timeout`. Every assertion is about what happened and in what order, on the sim's own record of the
 * calls, never about how fast this machine is: `npm run bench` measures speed.
 *
 * @slow: 30 s throttling storms, about a minute (scripts/jest-sequencer.js starts it first).
 */
import { DeregisterImageCommand, EC2Client } from '@aws-sdk/client-ec2'
import { describe, expect, it } from '@jest/globals'
import { callsTo, ec2Calls, expectFailure, expectSuccess, withHarness, type Harness } from './harness.js'

/** Both kinds of look the waiter makes, in the order the sim got them. */
const looksOf = (h: Harness) => ec2Calls(h.sim).filter(call => call.action === 'DescribeImages' || call.action === 'DescribeSnapshots')

describe('waiting for available', () => {
  it.concurrent('ends only once the image is available, at most one request a second', () =>
    withHarness({ volumes: 2, bake: { durationMs: 4000, progress: 'linear', snapshotDelayMs: 0 } }, async h => {
      const main = await h.main()
      expectSuccess(main)
      expect(main.outputs.state).toBe('available')

      const [image] = h.sim.images()
      const looks = looksOf(h)
      // The action stops looking once it sees available: its last look is the one that saw it.
      const seen = looks.at(-1)!
      expect(seen).toMatchObject({ action: 'DescribeImages', status: 200 })
      expect(seen.at).toBeGreaterThanOrEqual(image.createdAt + 4000)
      // n looks at least a second apart span n - 1 seconds; a little slack for the network.
      expect(looks.length - 1).toBeLessThanOrEqual((seen.at - looks[0].at + 500) / 1000)
    })
  )

  it.concurrent('carries on when DescribeImages says InvalidAMIID.NotFound right after CreateImage', () =>
    withHarness({ bake: { durationMs: 300 } }, async h => {
      h.sim.fault({
        action: 'DescribeImages',
        kind: { status: 400, code: 'InvalidAMIID.NotFound', message: "The image id '[ami-0123456789abcdef0]' does not exist" },
        times: 2
      })
      const main = await h.main()
      expectSuccess(main)
      expect(main.outputs.state).toBe('available')
      const looks = callsTo(h.sim, 'DescribeImages')
      expect(looks.slice(0, 2).map(call => call.errorCode)).toEqual(['InvalidAMIID.NotFound', 'InvalidAMIID.NotFound'])
      expect(looks.at(-1)).toMatchObject({ status: 200 })
      expect(h.sim.images().map(image => [image.imageId, image.state])).toEqual([[main.outputs['image-id'], 'available']])
      expect(ec2Calls(h.sim).filter(call => call.action === 'DeregisterImage' || call.action === 'DeleteSnapshot')).toEqual([])
    })
  )

  // One storm per call, side by side. Two storms in one wait came one after the other, each 30 s from its first hit
  // (the waiter retries the throttled call before it makes the other), so that test took 80 to 100 s; and a
  // success resets the waiter's backoff, so the second storm met the same waiter as the first.
  it.concurrent(
    'rides out a 30 s throttling storm on DescribeImages',
    () =>
      // The bake outlasts the first look (about 1 s in) by far, so that look sees the image pending.
      withHarness({ volumes: 2, bake: { durationMs: 30_000, snapshotDelayMs: 0 } }, async h => {
        // The first look shows the image and its snapshots; from the next one on, DescribeImages is throttled for 30 s.
        h.sim.fault({ action: 'DescribeImages', kind: 'throttle', skip: 1, forMs: 30_000 })
        const main = await h.main()
        expectSuccess(main)
        expect(main.outputs.state).toBe('available')

        const looks = callsTo(h.sim, 'DescribeImages')
        expect(looks[0]).toMatchObject({ status: 200 })
        const stormStart = looks.find(call => call.errorCode === 'RequestLimitExceeded')!.at
        // It looked again once the storm was over, and saw the image available.
        expect(looks.at(-1)).toMatchObject({ status: 200 })
        expect(looks.at(-1)!.at).toBeGreaterThanOrEqual(stormStart + 30_000)
        expect(callsTo(h.sim, 'DeregisterImage')).toEqual([])
      }),
    // The storm, then up to eight SDK attempts with their own backoff (up to 20 s), then ours (up to 15 s).
    120_000
  )

  it.concurrent(
    'rides out a 30 s throttling storm on DescribeSnapshots',
    () =>
      // Snapshots listed from the first look, and a bake that outlasts the first read (about 15 s in) by far, so
      // that the waiter reads their progress.
      withHarness({ volumes: 2, bake: { durationMs: 40_000, snapshotDelayMs: 0 } }, async h => {
        // From the first read on, DescribeSnapshots is throttled for 30 s.
        h.sim.fault({ action: 'DescribeSnapshots', kind: 'throttle', forMs: 30_000 })
        const main = await h.main()
        expectSuccess(main)
        expect(main.outputs.state).toBe('available')

        expect(callsTo(h.sim, 'DescribeSnapshots')[0]).toMatchObject({ errorCode: 'RequestLimitExceeded' })
        // It carried on past the throttled reads, and its last look saw the image available.
        expect(looksOf(h).at(-1)).toMatchObject({ action: 'DescribeImages', status: 200 })
        expect(callsTo(h.sim, 'DeregisterImage')).toEqual([])
      }),
    120_000
  )

  it.concurrent(
    'fails soon, naming the image, when someone else deregisters it mid-wait',
    () =>
      withHarness({ bake: { durationMs: 600_000, snapshotDelayMs: 0 } }, async h => {
        let deregistered: Promise<unknown> | undefined
        // Once the step has seen the image pending, someone else deregisters it.
        const main = await h.main(
          {},
          {
            onOutput: {
              when: /Waiting for ami-\w+: pending/,
              then: () => {
                const imageId = h.sim.images()[0].imageId
                const { accessKeyId, secretAccessKey } = h.sim.staticKeys
                const client = new EC2Client({ region: h.region, endpoint: h.sim.env().AWS_ENDPOINT_URL_EC2, credentials: { accessKeyId, secretAccessKey } })
                deregistered = client.send(new DeregisterImageCommand({ ImageId: imageId }))
              }
            }
          }
        )
        await deregistered
        const [image] = h.sim.images()
        expectFailure(main, `Image ${image.imageId} in us-east-1 was deregistered outside this step`, 'CloudTrail')

        // Three looks that did not find it (a lagging replica is not enough), then the verdict: within 30 s
        // by the sim's clock, which no load on this machine can stretch by much.
        const [theirs] = callsTo(h.sim, 'DeregisterImage')
        const after = callsTo(h.sim, 'DescribeImages').filter(call => call.at > theirs.at)
        expect(after.map(call => call.errorCode)).toEqual(['InvalidAMIID.NotFound', 'InvalidAMIID.NotFound', 'InvalidAMIID.NotFound'])
        expect(after.at(-1)!.at - theirs.at).toBeLessThanOrEqual(30_000)
        // The snapshots CreateImage made for it are ours: they are removed.
        expect(await h.leftovers()).toEqual({ images: [], snapshots: [] })
      }),
    90_000
  )

  it.concurrent('with a 6 s wait-timeout, fails no earlier than 6 s, having looked at the deadline', () =>
    withHarness({ bake: { durationMs: 600_000, snapshotDelayMs: 0 } }, async h => {
      const main = await h.main({ 'wait-timeout': '6s' })
      expectFailure(main, "was still 'pending' when 'wait-timeout' (6s) ran out")
      const [create] = callsTo(h.sim, 'CreateImage')
      // The waiter's clock starts once CreateImage has returned, so its last look, at the deadline, reaches the
      // sim at least 6 s after CreateImage did.
      expect(callsTo(h.sim, 'DescribeImages').at(-1)!.at - create.at).toBeGreaterThanOrEqual(6000)
      expect(await h.leftovers()).toEqual({ images: [], snapshots: [] })
    })
  )
})
