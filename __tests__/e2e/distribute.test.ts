/**
 * An image's whole journey end to end, dist/index.js against the local endpoint in several regions: copies,
 * shares, deprecation and IMDSv2 in every region; a copy that fails, and the cleanup of everything the run made;
 * retention of a family's old images (and of nothing else); and each `if-exists` policy, including the race where
 * another run takes the name between the look-up and CreateImage.
 */
import { describe, expect, it, jest } from '@jest/globals'
import type { Sim, SimImage } from '../../sim/index.js'
import { callsTo, expectFailure, expectSuccess, type Harness, warningMessages, withHarness } from './harness.js'

// A test here waits two or three times (the source, the copies, a second run), each wait some seconds of the waiter's
// request budget even for a short bake: on a busy 2-core machine that can pass the default 30 s.
jest.setTimeout(120_000)

const ACCOUNTS = ['111122223333', '444455556666']
const ORGANIZATION = 'arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5'
const OU = 'arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-cdef3456'
const FAMILY_TAG = 'bake-ami:family'
const DAY_MS = 24 * 60 * 60_000

function imageIn(sim: Sim, region: string, madeBy?: SimImage['madeBy']): SimImage {
  const found = sim.images().filter(image => image.region === region && (madeBy === undefined || image.madeBy === madeBy))
  expect(found).toHaveLength(1)
  return found[0]
}

function snapshotsOf(sim: Sim, imageId: string) {
  return sim.snapshots().filter(snapshot => snapshot.imageId === imageId)
}

/** Resolves once the sim has answered a call that matches. */
async function untilCall(h: Harness, matches: (action: string, params: Record<string, string>) => boolean): Promise<void> {
  while (!h.sim.calls.some(call => call.status > 0 && matches(call.action, call.params))) await new Promise(resolve => setTimeout(resolve, 5))
}

/** An image of the account from before the run, made by CreateImage `daysAgo` days before the sim started. */
function oldImage(h: Harness, region: string, name: string, daysAgo: number, tags: Record<string, string>, extra: Parameters<Sim['addImage']>[0] extends infer O ? Partial<O> : never = {}) {
  return h.sim.addImage({ region, name, tags, createdAt: -daysAgo * DAY_MS, madeBy: 'CreateImage', ...extra })
}

describe('copies, shares, deprecation and IMDSv2', () => {
  it.concurrent('copies to two regions with the tags, and shares, deprecates and requires IMDSv2 everywhere', () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      const main = await h.main({
        'copy-to-regions': 'eu-west-1,\nap-south-1, us-east-1',
        tags: 'Application=web',
        'share-with-accounts': ACCOUNTS.join('\n'),
        'share-with-organizations': ORGANIZATION,
        'share-with-ous': OU,
        'deprecate-after': '90d',
        'imds-support': 'v2.0',
        family: 'web'
      })
      expectSuccess(main)

      const source = imageIn(h.sim, 'us-east-1')
      const copies = ['eu-west-1', 'ap-south-1'].map(region => imageIn(h.sim, region, 'CopyImage'))
      expect(JSON.parse(main.outputs.images)).toEqual({ 'us-east-1': source.imageId, 'eu-west-1': copies[0].imageId, 'ap-south-1': copies[1].imageId })
      expect(main.outputs['image-id']).toBe(source.imageId)
      expect(main.outputs['removed-image-ids']).toBe('[]')
      // Each copy was asked for in its own region (the source region listed is skipped), of the source once available.
      expect(callsTo(h.sim, 'CopyImage').map(call => [call.region, call.params.SourceRegion, call.params.SourceImageId])).toEqual(
        expect.arrayContaining([
          ['eu-west-1', 'us-east-1', source.imageId],
          ['ap-south-1', 'us-east-1', source.imageId]
        ])
      )
      expect(callsTo(h.sim, 'CopyImage')).toHaveLength(2)

      const tags = { Application: 'web', [FAMILY_TAG]: 'web' }
      const deprecation = Date.parse(source.deprecationTime ?? '')
      expect(Math.abs(deprecation - (Date.now() + 90 * DAY_MS))).toBeLessThan(5 * 60_000)
      for (const image of [source, ...copies]) {
        expect(image).toMatchObject({ state: 'available', name: source.name, tags, imdsSupport: 'v2.0', deprecationTime: source.deprecationTime })
        expect(image.launchPermissions).toEqual(
          expect.arrayContaining([{ UserId: ACCOUNTS[0] }, { UserId: ACCOUNTS[1] }, { OrganizationArn: ORGANIZATION }, { OrganizationalUnitArn: OU }])
        )
        expect(image.launchPermissions).toHaveLength(4)
        const snapshots = snapshotsOf(h.sim, image.imageId)
        expect(snapshots.length).toBeGreaterThan(0)
        for (const snapshot of snapshots) {
          expect(snapshot.tags).toEqual(tags)
          expect(snapshot.createVolumePermissions).toEqual(expect.arrayContaining(ACCOUNTS.map(UserId => ({ UserId }))))
        }
      }
      for (const copy of copies) expect(copy).toMatchObject({ sourceImageId: source.imageId, sourceRegion: 'us-east-1' })

      // IMDSv2 before anyone may launch it, in each region.
      for (const image of [source, ...copies]) {
        const modify = callsTo(h.sim, 'ModifyImageAttribute').filter(call => call.params.ImageId === image.imageId)
        expect(modify[0].params['ImdsSupport.Value']).toBe('v2.0')
      }

      for (const shown of ['us-east-1', 'eu-west-1', 'ap-south-1', source.imageId, copies[0].imageId, copies[1].imageId, '2 accounts, 1 organization, 1 organizational unit']) {
        expect(main.summary).toContain(shown)
      }
      const post = await h.post(main)
      expect(post.stdout).toContain('Nothing to clean up')
    })
  )

  it.concurrent('names the region of a copy that failed, and removes the source, every copy and their snapshots', () =>
    withHarness({ bake: { durationMs: 600 } }, async h => {
      h.sim.nextBake({ durationMs: 1500, fail: { afterMs: 400, code: 'Server.InternalError', message: 'Server.InternalError: Internal error' } }, { region: 'ap-south-1' })
      const main = await h.main({ 'copy-to-regions': 'eu-west-1, ap-south-1', family: 'web' })
      const source = imageIn(h.sim, 'us-east-1')
      const failed = imageIn(h.sim, 'ap-south-1', 'CopyImage')
      expectFailure(main, `Image ${failed.imageId} in ap-south-1 ended 'failed'`, 'Internal error')
      expect(main.outputs['image-id']).toBe(source.imageId)

      expect(await h.leftovers()).toEqual({ images: [], snapshots: [] })
      expect(h.sim.images().map(image => [image.region, image.state])).toEqual(
        expect.arrayContaining([
          ['us-east-1', 'deregistered'],
          ['eu-west-1', 'deregistered'],
          ['ap-south-1', 'deregistered']
        ])
      )
      const post = await h.post(main)
      expect(post.stdout).toContain('Nothing to clean up')
    })
  )

  it.concurrent('SIGINT while the copies are pending, then post: the source, both copies and all their snapshots are gone', () =>
    withHarness({ bake: { durationMs: 300 } }, async h => {
      // Copies that never finish, so they are pending when the cancel comes however slowly the step runs.
      for (const region of ['eu-west-1', 'ap-south-1']) h.sim.nextBake({ durationMs: Infinity, snapshotDelayMs: 0 }, { region })
      const main = await h.main({ 'copy-to-regions': 'eu-west-1, ap-south-1' }, { cancel: { when: /Waiting for ami-\w+ \(ap-south-1\)/, thenAfterMs: 7500 } })
      expect(main.exitCode).toBe(1)
      const post = await h.post(main)
      expect(post.exitCode).toBe(0)
      const made = h.sim.images().map(image => image.imageId)
      expect(made).toHaveLength(3)
      expect(h.sim.snapshots().filter(snapshot => snapshot.imageId !== undefined).length).toBeGreaterThanOrEqual(3)
      expect(await h.leftovers(made)).toEqual({ images: [], snapshots: [] })
    })
  )

  it.concurrent('names each region where CopyImage is refused, and removes what the run made', () =>
    withHarness({ bake: { durationMs: 400 } }, async h => {
      h.sim.fault({ action: 'CopyImage', kind: { status: 400, code: 'OptInRequired', message: 'You are not subscribed to this service.' }, times: 2 })
      const main = await h.main({ 'copy-to-regions': 'eu-west-1, ap-south-1' })
      expectFailure(main, 'to eu-west-1: ', 'to ap-south-1: ', 'OptInRequired')
      expect(await h.leftovers()).toEqual({ images: [], snapshots: [] })
    })
  )
})

describe('retention', () => {
  it.concurrent('keeps the newest N of the family in each region, and touches nothing else', () =>
    withHarness({ bake: { durationMs: 400 } }, async h => {
      const family = { [FAMILY_TAG]: 'web' }
      const old: Record<string, string> = {}
      for (const region of ['us-east-1', 'eu-west-1']) {
        // Newest first: the two newest stay with the new image (keep-latest 3).
        old[`${region} 1d`] = oldImage(h, region, 'web 1d', 1, family)
        old[`${region} 2d`] = oldImage(h, region, 'web 2d', 2, family)
        old[`${region} 3d`] = oldImage(h, region, 'web 3d', 3, family)
        old[`${region} 4d`] = oldImage(h, region, 'web 4d', 4, family)
        old[`${region} api`] = oldImage(h, region, 'api 9d', 9, { [FAMILY_TAG]: 'api' })
        old[`${region} untagged`] = oldImage(h, region, 'web 9d', 9, {})
        old[`${region} look-alike`] = oldImage(h, region, 'web-old 9d', 9, { [FAMILY_TAG]: 'web-old', Family: 'web' })
        old[`${region} pending`] = oldImage(h, region, 'web pending', 8, family, { state: 'pending' })
      }
      // Launched from, in us-east-1: kept, and the log says by what.
      const instance = h.sim.addInstance({ region: 'us-east-1', imageId: old['us-east-1 3d'] })
      // eu-west-1's oldest shares a family snapshot with an image that stays, and has a user's (untagged) one.
      const kept = h.sim.images().find(image => image.imageId === old['eu-west-1 1d'])!
      const shared = h.sim.snapshots().find(snapshot => kept.blockDeviceMappings.some(mapping => JSON.stringify(mapping).includes(snapshot.snapshotId)))!
      const user = h.sim.addSnapshot({ region: 'eu-west-1' })
      const oldest = oldImage(h, 'eu-west-1', 'web 5d', 5, family, { snapshots: [{ tags: family }, { snapshotId: shared.snapshotId }, { snapshotId: user }] })

      const main = await h.main({ 'copy-to-regions': 'eu-west-1', family: 'web', 'keep-latest': '3' })
      expectSuccess(main)

      const removed = [old['us-east-1 4d'], old['eu-west-1 3d'], old['eu-west-1 4d'], oldest]
      expect(JSON.parse(main.outputs['removed-image-ids']).sort()).toEqual([...removed].sort())
      const live = new Set(h.sim.images().filter(image => image.state !== 'deregistered').map(image => image.imageId))
      for (const id of removed) expect(live.has(id)).toBe(false)
      for (const [what, id] of Object.entries(old)) if (!removed.includes(id)) expect({ what, live: live.has(id) }).toEqual({ what, live: true })

      // The removed images' family snapshots are gone; a snapshot another image uses and a user's stay.
      const snapshot = (id: string) => h.sim.snapshots().find(found => found.snapshotId === id)!
      const ownSnapshot = h.sim.images().find(image => image.imageId === oldest)!.blockDeviceMappings.map(mapping => JSON.stringify(mapping))
      const deletedIds = h.sim.snapshots().filter(found => found.deleted).map(found => found.snapshotId)
      expect(deletedIds).toHaveLength(4)
      expect(ownSnapshot.some(mapping => deletedIds.some(id => mapping.includes(id)))).toBe(true)
      expect(snapshot(shared.snapshotId).deleted).toBe(false)
      expect(snapshot(user).deleted).toBe(false)

      expect(warningMessages(main)).toEqual([])
      expect(main.stdout).toContain(`Retention keeps ${old['us-east-1 3d']} (web 3d) in us-east-1: arn:aws:ec2:us-east-1:123456789012:instance/${instance} refers to it`)
      expect(main.summary).toContain('Retention')
      for (const id of removed) expect(main.summary).toContain(`Removed ${id}`)
      // EC2 is asked what refers to the older images, once per region here (10 images a call at most).
      expect(callsTo(h.sim, 'DescribeImageReferences').map(call => call.region).sort()).toEqual(['eu-west-1', 'us-east-1'])
    })
  )

  it.concurrent('with dry-run lists what it would remove and removes nothing', () =>
    withHarness({ bake: { durationMs: 400 } }, async h => {
      const family = { [FAMILY_TAG]: 'web' }
      const older = oldImage(h, 'us-east-1', 'web 2d', 2, family)
      oldImage(h, 'us-east-1', 'web 1d', 1, family)
      const main = await h.main({ family: 'web', 'keep-latest': '2', 'dry-run': 'true' })
      expectSuccess(main)
      expect(main.stdout).toContain(`Dry run: retention would deregister ${older} (web 2d`)
      expect(h.sim.images().filter(image => image.state === 'deregistered')).toEqual([])
      expect(callsTo(h.sim, 'DeregisterImage')).toEqual([])
      expect(callsTo(h.sim, 'DeleteSnapshot')).toEqual([])
      expect(callsTo(h.sim, 'CreateImage').map(call => call.params.DryRun)).toEqual(['true'])
    })
  )

  it.concurrent('is a warning when it may not deregister, and the release goes on', () =>
    withHarness({ bake: { durationMs: 400 } }, async h => {
      const older = oldImage(h, 'us-east-1', 'web 2d', 2, { [FAMILY_TAG]: 'web' })
      h.sim.deny({ action: 'ec2:DeregisterImage' })
      const main = await h.main({ family: 'web', 'keep-latest': '1' })
      expectSuccess(main)
      expect(warningMessages(main)).toEqual([expect.stringMatching(new RegExp(`^Retention: Could not deregister ${older} .*ec2:DeregisterImage.*The new image is not affected\\.$`, 's'))])
      expect(main.outputs['removed-image-ids']).toBe('[]')
    })
  )
})

describe('if-exists', () => {
  const NAME = 'web v1.2.3'

  it.concurrent('fail (the default) names the image that holds the name and what to do', () =>
    withHarness({ bake: { durationMs: 400 } }, async h => {
      const existing = oldImage(h, 'us-east-1', NAME, 1, {})
      const main = await h.main()
      expectFailure(main, `An AMI named '${NAME}' already exists in us-east-1 (${existing})`, '{{ run_attempt }}', 'if-exists: reuse')
      expect(h.sim.images().find(image => image.imageId === existing)?.state).toBe('available')
    })
  )

  it.concurrent('reuse waits for the pending image that holds the name, makes none, and never removes it when the wait fails', () =>
    withHarness({ bake: { durationMs: 400 } }, async h => {
      const existing = oldImage(h, 'us-east-1', NAME, 0, {}, { state: 'pending' })
      const main = await h.main({ 'if-exists': 'reuse', 'copy-to-regions': 'eu-west-1', 'wait-timeout': '3s' })
      // The seeded image stays pending, so the wait times out; the step never removes an image it reused.
      expectFailure(main, `Image ${existing} in us-east-1 was still 'pending'`)
      expect(callsTo(h.sim, 'CreateImage')).toEqual([])
      expect(callsTo(h.sim, 'DeregisterImage')).toEqual([])
      expect(main.outputs['image-id']).toBe(existing)
    })
  )

  it.concurrent('reuse carries on with an available image: copies, shares, and outputs it', () =>
    withHarness({ bake: { durationMs: 400 } }, async h => {
      const existing = oldImage(h, 'us-east-1', NAME, 0, { [FAMILY_TAG]: 'web' })
      const main = await h.main({ 'if-exists': 'reuse', 'copy-to-regions': 'eu-west-1', 'share-with-accounts': ACCOUNTS[0], family: 'web' })
      expectSuccess(main)
      const copy = imageIn(h.sim, 'eu-west-1', 'CopyImage')
      expect(JSON.parse(main.outputs.images)).toEqual({ 'us-east-1': existing, 'eu-west-1': copy.imageId })
      expect(callsTo(h.sim, 'CreateImage')).toEqual([])
      expect(h.sim.images().find(image => image.imageId === existing)?.launchPermissions).toEqual([{ UserId: ACCOUNTS[0] }])
      expect(main.stdout).toContain(`Reusing image ${existing}`)
    })
  )

  it.concurrent('reuse with wait: false outputs the image found, in the state it was found', () =>
    withHarness({ bake: { durationMs: 400 } }, async h => {
      const existing = oldImage(h, 'us-east-1', NAME, 0, {})
      const main = await h.main({ 'if-exists': 'reuse', wait: 'false' })
      expectSuccess(main)
      expect(main.outputs).toMatchObject({ 'image-id': existing, state: 'available', images: JSON.stringify({ 'us-east-1': existing }) })
      expect(callsTo(h.sim, 'CreateImage')).toEqual([])
    })
  )

  it.concurrent('reuse completes a half-finished release: the copy an earlier run made is reused, the missing one made', () =>
    withHarness({ bake: { durationMs: 400 } }, async h => {
      const source = oldImage(h, 'us-east-1', NAME, 0, { [FAMILY_TAG]: 'web' })
      const earlierCopy = oldImage(h, 'eu-west-1', NAME, 0, { [FAMILY_TAG]: 'web' })
      const main = await h.main({ 'if-exists': 'reuse', 'copy-to-regions': 'eu-west-1, ap-south-1', 'imds-support': 'v2.0', family: 'web' })
      expectSuccess(main)
      const copy = imageIn(h.sim, 'ap-south-1', 'CopyImage')
      expect(JSON.parse(main.outputs.images)).toEqual({ 'us-east-1': source, 'eu-west-1': earlierCopy, 'ap-south-1': copy.imageId })
      expect(callsTo(h.sim, 'CopyImage').map(call => call.region)).toEqual(['ap-south-1'])
      for (const id of [source, earlierCopy, copy.imageId]) expect(h.sim.images().find(image => image.imageId === id)?.imdsSupport).toBe('v2.0')
    })
  )

  it.concurrent('replace deregisters the image that holds the name, deletes the snapshots made for it, and bakes anew', () =>
    withHarness({ bake: { durationMs: 400 } }, async h => {
      // An earlier run's image, made by CreateImage (its snapshot is the image's own).
      const first = await h.main({ 'if-exists': 'replace' })
      expectSuccess(first)
      const old = first.outputs['image-id']
      const oldSnapshots = snapshotsOf(h.sim, old).map(snapshot => snapshot.snapshotId)
      const main = await h.main({ 'if-exists': 'replace' })
      expectSuccess(main)
      expect(main.outputs['image-id']).not.toBe(old)
      expect(h.sim.images().find(image => image.imageId === old)?.state).toBe('deregistered')
      for (const id of oldSnapshots) expect(h.sim.snapshots().find(snapshot => snapshot.snapshotId === id)?.deleted).toBe(true)
      expect(h.sim.images().find(image => image.imageId === main.outputs['image-id'])).toMatchObject({ name: NAME, state: 'available' })
    })
  )

  describe('in the race: the look-up sees no image, then CreateImage says the name is taken', () => {
    /** Runs main; once its look-up has been answered (nothing), another run's image takes the name. */
    async function race(h: Harness, ifExists: string): Promise<{ main: Awaited<ReturnType<Harness['main']>>; other: string }> {
      let other = ''
      const taking = untilCall(h, (action, params) => action === 'DescribeImages' && Object.values(params).includes(NAME)).then(() => {
        other = oldImage(h, 'us-east-1', NAME, 0, {})
      })
      h.sim.fault({ action: 'CreateImage', times: 1, kind: { status: 400, code: 'InvalidAMIName.Duplicate', message: `AMI name ${NAME} is already in use by AMI ami-0racing0000000000` } })
      const main = await h.main({ 'if-exists': ifExists })
      await taking
      return { main, other }
    }

    it.concurrent('reuse takes the image that won the race', () =>
      withHarness({ bake: { durationMs: 400 } }, async h => {
        const { main, other } = await race(h, 'reuse')
        expectSuccess(main)
        expect(main.outputs['image-id']).toBe(other)
        expect(callsTo(h.sim, 'CreateImage')).toHaveLength(1)
      })
    )

    it.concurrent('replace removes the image that won the race, and makes its own', () =>
      withHarness({ bake: { durationMs: 400 } }, async h => {
        const { main, other } = await race(h, 'replace')
        expectSuccess(main)
        expect(h.sim.images().find(image => image.imageId === other)?.state).toBe('deregistered')
        expect(callsTo(h.sim, 'CreateImage')).toHaveLength(2)
        expect(h.sim.images().find(image => image.imageId === main.outputs['image-id'])).toMatchObject({ name: NAME, state: 'available' })
      })
    )
  })
})
