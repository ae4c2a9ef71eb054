/**
 * Bakes that go wrong: the image fails, the wait runs out, the name is taken, the role may not CreateImage. The
 * step says what happened in one error, keeps `image-id` when there is an image, and (unless told to keep it)
 * removes the image and its snapshots itself, in main.
 */
import { describe, expect, it } from '@jest/globals'
import { callsTo, ec2Calls, expectFailure, expectSuccess, ROLE_ARN, warningMessages, withHarness } from './harness.js'

const FAILURE = { code: 'Client.InternalError', message: 'Client.InternalError: Snapshot of /dev/xvdb failed' }
const FAILING_BAKE = { durationMs: 1500, snapshotDelayMs: 100, fail: { afterMs: 600, ...FAILURE } }

describe('a failed bake', () => {
  it.concurrent('reports the StateReason, keeps image-id, and removes the image and its snapshots', () =>
    withHarness({ volumes: 2, bake: FAILING_BAKE }, async h => {
      const main = await h.main()
      const [image] = h.sim.images()
      expectFailure(main, image.imageId, FAILURE.code, FAILURE.message)
      expect(main.outputs['image-id']).toBe(image.imageId)

      // Both snapshots were made, and main removed them and the image: nothing is left.
      expect(h.sim.images()).toHaveLength(1)
      expect(h.sim.snapshots().map(snapshot => snapshot.imageId)).toEqual([image.imageId, image.imageId])
      expect(await h.leftovers()).toEqual({ images: [], snapshots: [] })
      expect(h.sim.images()[0].state).toBe('deregistered')
      expect(callsTo(h.sim, 'DeregisterImage').map(call => call.params.ImageId)).toEqual([image.imageId])
    })
  )

  it.concurrent("with cleanup-on-failure: false leaves the image and its snapshots and lists their ids in a warning", () =>
    withHarness({ volumes: 2, bake: FAILING_BAKE }, async h => {
      const main = await h.main({ 'cleanup-on-failure': 'false' })
      const [image] = h.sim.images()
      expectFailure(main, image.imageId, FAILURE.code, FAILURE.message)
      expect(main.outputs['image-id']).toBe(image.imageId)

      const snapshotIds = h.sim.snapshots().map(snapshot => snapshot.snapshotId)
      expect(snapshotIds).toHaveLength(2)
      const warnings = warningMessages(main)
      const listing = warnings.find(warning => warning.includes(image.imageId))
      expect(listing).toBeDefined()
      for (const id of snapshotIds) expect(listing).toContain(id)

      // Post keeps them too: it was told to.
      const post = await h.post(main)
      expect(post.exitCode).toBe(0)
      expect(await h.leftovers()).toEqual({ images: [image.imageId], snapshots: snapshotIds })
      expect(h.sim.images()[0].state).toBe('failed')
      expect(ec2Calls(h.sim).filter(call => call.action === 'DeregisterImage' || call.action === 'DeleteSnapshot')).toEqual([])
    })
  )

  it.concurrent('stops at wait-timeout, names the image and the timeout, and removes the image and its snapshots', () =>
    // A bake that never ends, so the wait runs out however slowly the step runs; the snapshots, made at 200 ms,
    // exist once it has (the wait starts after CreateImage and lasts 2 s).
    withHarness({ volumes: 2, bake: { durationMs: Infinity, snapshotDelayMs: 200 } }, async h => {
      const main = await h.main({ 'wait-timeout': '2' })
      const [image] = h.sim.images()
      expectFailure(main, image.imageId, "'wait-timeout'", /\b2s\b/)
      expect(main.outputs['image-id']).toBe(image.imageId)
      expect(h.sim.snapshots()).toHaveLength(2)
      expect(await h.leftovers()).toEqual({ images: [], snapshots: [] })
    })
  )
})

describe('CreateImage refused', () => {
  it.concurrent('a name already taken (a re-run): names the AMI that has it and suggests {{ run_attempt }}, and touches nothing', () =>
    // A bake of 0 ms: the first image is available the moment it exists, so its state below is set by the
    // test, not by how fast two processes start on a busy machine.
    withHarness({ bake: { durationMs: 0 } }, async h => {
      const first = await h.main({ wait: 'false' })
      expectSuccess(first)
      const rerun = await h.main({ wait: 'false' })
      expectFailure(rerun, first.outputs['image-id'], '{{ run_attempt }}')
      expect(rerun.outputs['image-id']).toBeUndefined()
      expect(callsTo(h.sim, 'CreateImage').map(call => call.errorCode)).toEqual([undefined, 'InvalidAMIName.Duplicate'])
      // The image that holds the name is not this run's to remove.
      expect(h.sim.images().map(image => [image.imageId, image.state])).toEqual([[first.outputs['image-id'], 'available']])
      expect(ec2Calls(h.sim).filter(call => call.action === 'DeregisterImage' || call.action === 'DeleteSnapshot')).toEqual([])
    })
  )

  it.concurrent('UnauthorizedOperation: names ec2:CreateImage and the role', () =>
    withHarness({}, async h => {
      h.sim.deny({ action: 'ec2:CreateImage' })
      const main = await h.main()
      expectFailure(main, 'ec2:CreateImage', ROLE_ARN)
      expect(h.sim.images()).toEqual([])
      expect(callsTo(h.sim, 'CreateImage').map(call => call.errorCode)).toEqual(['UnauthorizedOperation'])
      expect(main.outputs['image-id']).toBeUndefined()
    })
  )
})

describe('dry run', () => {
  it.concurrent('allowed: sends CreateImage with DryRun=true, makes nothing, and succeeds', () =>
    withHarness({}, async h => {
      const main = await h.main({ 'dry-run': 'true' })
      expectSuccess(main)
      expect(ec2Calls(h.sim).map(call => [call.action, call.params.DryRun, call.errorCode])).toEqual([['CreateImage', 'true', 'DryRunOperation']])
      expect(h.sim.images()).toEqual([])
      expect(main.outputs['image-id']).toBeUndefined()
    })
  )

  it.concurrent('denied: fails naming ec2:CreateImage, and makes nothing', () =>
    withHarness({}, async h => {
      h.sim.deny({ action: 'ec2:CreateImage' })
      const main = await h.main({ 'dry-run': 'true' })
      expectFailure(main, 'ec2:CreateImage', ROLE_ARN)
      expect(ec2Calls(h.sim).map(call => [call.action, call.params.DryRun, call.errorCode])).toEqual([['CreateImage', 'true', 'UnauthorizedOperation']])
      expect(h.sim.images()).toEqual([])
    })
  )
})
