/**
 * Issue 18, end to end against dist/ and the local endpoint: retention and `if-exists: replace` never retire what is
 * still launched. (Ownership, grants and EC2's limits are in safety.test.ts; two files so that they run side by side.)
 */
import { describe, expect, it, jest } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { callsTo, expectFailure, expectSuccess, type Harness, warningMessages, withHarness } from './harness.js'

// The family of 500 makes about 1,500 requests.
jest.setTimeout(120_000)

const FAMILY_TAG = 'bake-ami:family'
const DAY_MS = 24 * 60 * 60_000
const ACCOUNT = '123456789012'

/** An image of the family from before the run, made `daysAgo` days before the sim started, as a release makes one. */
function released(h: Harness, name: string, daysAgo: number, extra: Partial<Parameters<Sim['addImage']>[0]> = {}): string {
  return h.sim.addImage({ region: h.region, name, tags: { [FAMILY_TAG]: 'web' }, createdAt: -daysAgo * DAY_MS, madeBy: 'CreateImage', ...extra })
}

function stateOf(h: Harness, imageId: string): string | undefined {
  return h.sim.images().find(image => image.imageId === imageId)?.state
}

function snapshotsMadeFor(h: Harness, imageId: string) {
  return h.sim.snapshots().filter(snapshot => snapshot.madeFor === imageId)
}

const RETAIN = { family: 'web', 'keep-latest': '1' }

// The family of 500 first: jest starts at most five tests of a file at once, in the order they are written.
describe('retention asks EC2 what is in use', () => {
  it.concurrent('retires a family of 500 old images in one run', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const older = Array.from({ length: 500 }, (_, i) => released(h, `web ${i}`, 1000 - i))
      const main = await h.main(RETAIN)
      expectSuccess(main)
      expect(JSON.parse(main.outputs['removed-image-ids'])).toHaveLength(500)
      expect(older.every(id => stateOf(h, id) === 'deregistered')).toBe(true)
      expect(older.every(id => snapshotsMadeFor(h, id).every(snapshot => snapshot.deleted))).toBe(true)
      // Within EC2's limits: 10 images a reference check, 200 values a filter.
      for (const call of callsTo(h.sim, 'DescribeImageReferences')) expect(call.status).toBe(200)
      expect(callsTo(h.sim, 'DescribeImageReferences').length).toBeGreaterThanOrEqual(50)
    })
  )

  it.concurrent('keeps each referenced, recently launched and protected image, names why, and removes the others', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const inTemplate = released(h, 'web 1', 9)
      const previousVersion = released(h, 'web 2', 8)
      const inParameter = released(h, 'web 3', 7)
      const launchedFrom = released(h, 'web 4', 6)
      const launchedLately = released(h, 'web 5', 5, { lastLaunchedAt: -2 * DAY_MS })
      const protectedImage = released(h, 'web 6', 4, { deregistrationProtection: 'enabled-with-cooldown' })
      const free = released(h, 'web 7', 3)
      const launchedLongAgo = released(h, 'web 8', 2, { lastLaunchedAt: -60 * DAY_MS })
      const template = h.sim.addLaunchTemplate({ region: h.region, name: 'web-asg', versions: [previousVersion, inTemplate], defaultVersion: 2 })
      const parameter = h.sim.putParameter({ region: h.region, name: '/images/web/latest', value: inParameter, dataType: 'aws:ec2:image' })
      h.sim.addInstance({ region: h.region, imageId: launchedFrom, state: 'stopped' })

      const main = await h.main({ ...RETAIN, 'keep-launched-within': '30d' })
      expectSuccess(main)
      const gone = [free, launchedLongAgo]
      expect(JSON.parse(main.outputs['removed-image-ids']).sort()).toEqual([...gone].sort())
      for (const id of gone) {
        expect(stateOf(h, id)).toBe('deregistered')
        expect(snapshotsMadeFor(h, id).every(snapshot => snapshot.deleted)).toBe(true)
      }
      for (const id of [inTemplate, previousVersion, inParameter, launchedFrom, launchedLately, protectedImage]) expect(stateOf(h, id)).toBe('available')
      // Never sent to DeregisterImage: a protected image is kept by retention itself, not by EC2's refusal.
      expect(callsTo(h.sim, 'DeregisterImage').map(call => call.params.ImageId).sort()).toEqual([...gone].sort())
      // The log and the summary say what holds each.
      const templateArn = `arn:aws:ec2:${h.region}:${ACCOUNT}:launch-template/${template}`
      for (const text of [main.stdout, main.summary]) {
        expect(text).toContain(`${inTemplate} (web 1) in ${h.region}: ${templateArn} refers to it`)
        expect(text).toContain(`${parameter} refers to it`)
        expect(text).toMatch(new RegExp(`${launchedFrom} .*instance/i-`))
        expect(text).toContain(`${protectedImage} (web 6) in ${h.region}: it is protected from deregistration`)
        expect(text).toContain(`${launchedLately} (web 5) in ${h.region}: it was launched at`)
      }
    })
  )

  it.concurrent('removes nothing in a region where the reference check is denied, and says which permission', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const older = [released(h, 'web 1', 3), released(h, 'web 2', 2)]
      h.sim.deny({ action: 'ec2:DescribeImageReferences' })
      const main = await h.main(RETAIN)
      expectSuccess(main)
      expect(main.outputs['removed-image-ids']).toBe('[]')
      for (const id of older) expect(stateOf(h, id)).toBe('available')
      expect(callsTo(h.sim, 'DeregisterImage')).toEqual([])
      expect(warningMessages(main)).toEqual([expect.stringMatching(/retention removed nothing.*ec2:DescribeImageReferences.*AmazonEC2ImageReferencesAccessPolicy/s)])
    })
  )

  it.concurrent('retires nothing newer on a rollback re-run that reuses an old release', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const v0 = released(h, 'web v0', 4)
      const v1 = released(h, 'web v1', 3)
      const v2 = released(h, 'web v2', 2)
      const v3 = released(h, 'web v3', 1)
      const main = await h.main({ name: 'web v1', 'if-exists': 'reuse', family: 'web', 'keep-latest': '2' })
      expectSuccess(main)
      expect(main.outputs['image-id']).toBe(v1)
      expect(callsTo(h.sim, 'CreateImage')).toEqual([])
      // The two newest stay, and the reused release on top of them; only what is older than all of them goes.
      expect(JSON.parse(main.outputs['removed-image-ids'])).toEqual([v0])
      for (const id of [v1, v2, v3]) expect(stateOf(h, id)).toBe('available')
    })
  )

})

describe('if-exists: replace removes only a free image', () => {
  it.concurrent('refuses an image a launch template launches, before CreateImage, and removes nothing', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const held = released(h, 'web v1.2.3', 3)
      const template = h.sim.addLaunchTemplate({ region: h.region, name: 'web-asg', versions: [held] })
      const main = await h.main({ 'if-exists': 'replace' })
      expectFailure(main, held, `launch-template/${template}`, 'replace')
      expect(main.outputs['image-id']).toBeUndefined()
      expect(callsTo(h.sim, 'CreateImage')).toEqual([])
      expect(callsTo(h.sim, 'DeregisterImage')).toEqual([])
      expect(stateOf(h, held)).toBe('available')
    })
  )
})
