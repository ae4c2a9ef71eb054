/**
 * A cancelled job: the runner sends SIGINT (then SIGTERM), and runs the post step with main's state. By the end,
 * nothing this run made is left, and nothing it did not make was touched. After a good bake, post does nothing.
 */
import { describe, expect, it } from '@jest/globals'
import { ec2Calls, errorMessages, expectSuccess, type Harness, withHarness } from './harness.js'

/** The ids DeregisterImage and DeleteSnapshot were called on. */
function removalsAsked(h: Harness): string[] {
  return ec2Calls(h.sim).flatMap(call =>
    call.action === 'DeregisterImage' ? [call.params.ImageId] : call.action === 'DeleteSnapshot' ? [call.params.SnapshotId] : []
  )
}

describe('cancelled bake', () => {
  it.concurrent('SIGINT during the wait, then post: nothing of this run is left, and another image is untouched', () =>
    // A bake that never ends, so the image is pending when the cancel comes however slowly the step runs.
    withHarness({ volumes: 2, bake: { durationMs: Infinity, snapshotDelayMs: 0 } }, async h => {
      // Another release's image, made earlier from the same instance, with its own snapshots.
      // A bake of 0 ms, so that its state at the end is 'available' whatever the timing of the run in between.
      h.nextBake({ durationMs: 0, snapshotDelayMs: 0 })
      const other = await h.main({ name: 'web earlier release', wait: 'false' })
      expectSuccess(other)
      const otherId = other.outputs['image-id']

      const main = await h.main({}, { cancel: { when: /Waiting for /, thenAfterMs: 7500 } })
      expect(main.exitCode).toBe(1)
      expect(errorMessages(main)).toEqual([expect.stringMatching(/cancel/i)])
      const imageId = main.outputs['image-id']
      expect(imageId).toMatch(/^ami-/)
      const post = await h.post(main)
      expect(post.exitCode).toBe(0)

      expect(await h.leftovers([imageId])).toEqual({ images: [], snapshots: [] })
      const mine = new Set([imageId, ...h.sim.snapshots().filter(snapshot => snapshot.imageId === imageId).map(snapshot => snapshot.snapshotId)])
      expect(mine.size).toBe(3)
      expect(removalsAsked(h).filter(id => !mine.has(id))).toEqual([])
      const theirs = h.sim.snapshots().filter(snapshot => snapshot.imageId === otherId)
      expect(h.sim.images().find(image => image.imageId === otherId)?.state).toBe('available')
      expect(theirs.map(snapshot => snapshot.deleted)).toEqual([false, false])
    })
  )

  it.concurrent('SIGINT right after CreateImage, before the snapshots exist: the snapshots that appear later are deleted too', () =>
    // The snapshots are held back until the test starts them, after main has deregistered the image.
    withHarness({ volumes: 2, bake: { durationMs: Infinity, snapshotDelayMs: Infinity } }, async h => {
      const main = await h.main({}, { cancel: { when: /Created image/, thenAfterMs: 7500 } })
      expect(main.exitCode).toBe(1)
      const imageId = main.outputs['image-id']
      expect(imageId).toMatch(/^ami-/)
      const [deregister] = ec2Calls(h.sim).filter(call => call.action === 'DeregisterImage')
      expect(deregister?.params.ImageId).toBe(imageId)
      expect(h.sim.snapshots()).toEqual([])

      // EC2 goes on making the snapshots of an image deregistered while pending: post has to find them.
      h.sim.startSnapshots(imageId)
      expect(h.sim.snapshots()).toHaveLength(2)
      const post = await h.post(main)
      expect(post.exitCode).toBe(0)
      expect(await h.leftovers()).toEqual({ images: [], snapshots: [] })
      expect(h.sim.snapshots().map(snapshot => [snapshot.imageId, snapshot.deleted])).toEqual([
        [imageId, true],
        [imageId, true]
      ])
    })
  )
})

describe('post after a good bake', () => {
  it.concurrent('makes no AWS call and leaves the image', () =>
    withHarness({ bake: { durationMs: 300 } }, async h => {
      const main = await h.main()
      expectSuccess(main)
      const before = h.sim.calls.length
      const post = await h.post(main)
      expect({ exitCode: post.exitCode, errors: post.errors }).toEqual({ exitCode: 0, errors: [] })
      expect(h.sim.calls.slice(before)).toEqual([])
      expect(h.sim.images().map(image => image.state)).toEqual(['available'])
      expect(await h.leftovers()).toEqual({ images: [main.outputs['image-id']], snapshots: h.sim.images()[0].snapshotIds })
    })
  )
})
