/**
 * Issue 9: after InvalidAMIName.Duplicate the step adopts an image only when an earlier attempt of its own
 * CreateImage may have made it (its answer was lost). Another run's image of the same name, from the same
 * instance and made moments before, is never taken: the step fails naming it, and it stays, snapshots and all.
 */
import { describe, expect, it } from '@jest/globals'
import { callsTo, ec2Calls, expectFailure, expectSuccess, withHarness } from './harness.js'

/** What each CreateImage request met: the fault the sim applied, and the error code EC2 gave (if any). */
function createImageCalls(calls: ReturnType<typeof callsTo>): [string | undefined, string | undefined][] {
  return calls.map(call => [call.fault, call.errorCode])
}

describe('a duplicate name after a retried CreateImage', () => {
  it.concurrent('after a throttled first attempt: fails naming the other run’s image, which keeps its snapshots', () =>
    withHarness({ volumes: 2 }, async h => {
      // Another run, a moment earlier, baked the same instance under the same name. Its image stays pending
      // for as long as this test runs, with both snapshots made, and its step has ended (wait: false).
      h.nextBake({ durationMs: Infinity, snapshotDelayMs: 0 })
      const other = await h.main({ wait: 'false' })
      expectSuccess(other)
      const otherImage = other.outputs['image-id']
      const otherSnapshots = h.sim.snapshots().map(snapshot => snapshot.snapshotId)
      expect(otherSnapshots).toHaveLength(2)

      // This run's first CreateImage is throttled, so EC2 makes nothing for it; the SDK's retry meets the
      // other image. A short wait-timeout: were the image taken, the run would give up on it (and remove it)
      // within the test.
      h.sim.fault({ action: 'CreateImage', kind: 'throttle' })
      const callsBefore = h.sim.calls.length
      const main = await h.main({ 'wait-timeout': '3s' })
      expectFailure(main, `already exists in ${h.region} (${otherImage})`)
      expect(main.outputs['image-id']).toBeUndefined()
      expect(createImageCalls(callsTo(h.sim, 'CreateImage'))).toEqual([
        [undefined, undefined],
        ['throttle', 'RequestLimitExceeded'],
        [undefined, 'InvalidAMIName.Duplicate']
      ])
      // It did not even look for an image to take.
      expect(callsTo(h.sim, 'DescribeImages')).toEqual([])

      // Post finds nothing of this run to undo, and asks EC2 nothing.
      const callsAfterMain = h.sim.calls.length
      expect(callsAfterMain).toBeGreaterThan(callsBefore)
      const post = await h.post(main)
      expect(post.exitCode).toBe(0)
      expect(h.sim.calls).toHaveLength(callsAfterMain)

      expect(h.sim.images().map(image => [image.imageId, image.state])).toEqual([[otherImage, 'pending']])
      expect(await h.leftovers()).toEqual({ images: [otherImage], snapshots: otherSnapshots })
      expect(ec2Calls(h.sim).filter(call => call.action === 'DeregisterImage' || call.action === 'DeleteSnapshot')).toEqual([])
    })
  )

  it.concurrent('after a lost answer (the image was made, the connection dropped): adopts it, the only image', () =>
    // A bake of 0 ms: the image is available the moment it exists, so the wait has nothing to race.
    withHarness({ volumes: 2, bake: { durationMs: 0 } }, async h => {
      h.sim.fault({ action: 'CreateImage', kind: 'reset-after-processing' })
      const main = await h.main()
      expectSuccess(main)
      expect(createImageCalls(callsTo(h.sim, 'CreateImage'))).toEqual([
        ['reset-after-processing', undefined],
        [undefined, 'InvalidAMIName.Duplicate']
      ])
      const imageId = main.outputs['image-id']
      expect(h.sim.images().map(image => [image.imageId, image.state])).toEqual([[imageId, 'available']])
      expect(main.outputs.state).toBe('available')
      expect(h.sim.snapshots().map(snapshot => [snapshot.imageId, snapshot.deleted])).toEqual([
        [imageId, false],
        [imageId, false]
      ])
      expect(ec2Calls(h.sim).filter(call => call.action === 'DeregisterImage' || call.action === 'DeleteSnapshot')).toEqual([])
    })
  )
})
