/**
 * The waiter on a real clock, against images whose state the sim computes from wall time: it notices `available`
 * soon after it happens without polling hard, and takes a new image EC2 does not show yet in its stride. Generous
 * bounds: this proves behaviour; `npm run bench` measures.
 */
import { describe, expect, it } from '@jest/globals'
import { callsTo, ec2Calls, expectSuccess, withHarness } from './harness.js'

const DURATION_MS = 4000

describe('waiting for available', () => {
  // EC2 lists a new image's snapshots in its block device mappings almost at once; the sim's default shows them
  // after 10% of the bake, which a first look right after CreateImage misses. With them listed, the waiter reads
  // their progress, which is what it is built around.
  it.concurrent.each([
    ['snapshots listed after 10% of the bake', { durationMs: DURATION_MS, progress: 'linear' as const }],
    ['snapshots listed from the first look', { durationMs: DURATION_MS, progress: 'linear' as const, snapshotDelayMs: 0 }]
  ])('notices available within 2 s or as soon as its 0.2 requests/s budget allows, never above 1 request/s (%s)', (_title, bake) =>
    withHarness({ volumes: 2, bake }, async h => {
      const main = await h.main()
      expectSuccess(main)
      expect(main.outputs.state).toBe('available')

      const [image] = h.sim.images()
      expect(image.snapshotIds).toHaveLength(2)
      const availableAt = image.createdAt + DURATION_MS
      const [create] = callsTo(h.sim, 'CreateImage')
      const looks = ec2Calls(h.sim).filter(call => call.action === 'DescribeImages' || call.action === 'DescribeSnapshots')
      // The action stops looking once it sees available: its last look is the one that saw it.
      const seen = looks.at(-1)!
      expect(seen.action).toBe('DescribeImages')
      expect(seen.at).toBeGreaterThanOrEqual(availableAt)
      const late = seen.at - availableAt
      // A real bake takes minutes, and the waiter keeps to 0.2 requests/s on average over any wait: a bake of
      // seconds affords 1 + 0.2/s looks, so a late notice is fine only if the waiter spent all it could.
      const waited = (seen.at - create.at) / 1000
      const spentItsBudget = looks.length >= 0.2 * waited
      // Shaped so that a failure shows when each look was made (ms after CreateImage).
      const timeline = looks.map(call => `${call.action} +${call.at - create.at}`)
      const verdict = late <= 2000 || spentItsBudget ? 'in time' : `${late} ms after available (+${availableAt - create.at}) with looks to spare`
      expect({ verdict, timeline }).toEqual({ verdict: 'in time', timeline })
      // Calls at least a second apart (n calls span n - 1 gaps), as seen by the sim, less some network jitter.
      expect(looks.length).toBeLessThanOrEqual(1 + waited)
      for (const [i, look] of looks.entries()) if (i > 0) expect(look.at - looks[i - 1].at).toBeGreaterThanOrEqual(900)
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
})
