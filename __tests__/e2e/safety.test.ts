/**
 * Issue 18, end to end against dist/ and the local endpoint: never delete what is not the run's, take back what a
 * failed run shared, keep within EC2's limits. (Retention and replace are in retention.test.ts.)
 *
 * @slow: a bake of 24 s whose snapshots DescribeSnapshots does not show yet.
 */
import { describe, expect, it, jest } from '@jest/globals'
import { EC2Client, ModifySnapshotAttributeCommand } from '@aws-sdk/client-ec2'
import { callsTo, expectFailure, expectSuccess, type Harness, withHarness } from './harness.js'

// A test here waits once or twice.
jest.setTimeout(120_000)

const PARTNERS = ['111122223333', '444455556666']

function stateOf(h: Harness, imageId: string): string | undefined {
  return h.sim.images().find(image => image.imageId === imageId)?.state
}

function snapshotsMadeFor(h: Harness, imageId: string) {
  return h.sim.snapshots().filter(snapshot => snapshot.madeFor === imageId)
}

/** A client of the endpoint with the account's static keys, to set up what a user did before the run. */
function userClient(h: Harness): EC2Client {
  return new EC2Client({ region: h.region, endpoint: h.sim.env().AWS_ENDPOINT_URL_EC2, credentials: h.sim.staticKeys })
}

// The longest waits first: jest starts at most five tests of a file at once, in the order they are written.
describe('limits and consistency', () => {
  it.concurrent('does not fail a bake whose snapshots DescribeSnapshots cannot see yet', () =>
    // Listed in the image from the start, invisible to DescribeSnapshots for longer than the bake: progress unknown.
    // The waiter first reads snapshots about 15 s in: the sim's clock waits for that read half a second into the bake.
    withHarness({ bake: { durationMs: 1000, snapshotDelayMs: 0, snapshotListLagMs: 60_000 }, holdClockUntil: { action: 'DescribeSnapshots', atMs: 500 } }, async h => {
      const main = await h.main()
      expectSuccess(main)
      expect(main.outputs.state).toBe('available')
      expect(callsTo(h.sim, 'DescribeSnapshots').length).toBeGreaterThan(0)
    })
  )

  it.concurrent('protects the image and every copy from deregistration as the last step', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const main = await h.main({ 'copy-to-regions': 'eu-west-1', 'deregistration-protection': 'on-with-cooldown' })
      expectSuccess(main)
      const images = Object.values(JSON.parse(main.outputs.images) as Record<string, string>)
      expect(images).toHaveLength(2)
      for (const id of images) expect(h.sim.images().find(image => image.imageId === id)?.deregistrationProtection).toBe('enabled-with-cooldown')
    })
  )
})

describe('ownership: a failed run deletes only what EC2 made for its images', () => {
  for (const [how, options] of [
    ['the wait times out', { inputs: { 'wait-timeout': '6s' }, run: {} }],
    ['the job is cancelled', { inputs: {}, run: { cancel: { when: /Waiting for /, thenAfterMs: 2500 } } }]
  ] as const) {
    it.concurrent(`keeps the user's snapshot mapped as a data volume when ${how}`, () =>
      withHarness({ bake: { durationMs: 60_000, snapshotDelayMs: 0 } }, async h => {
        const data = h.sim.addSnapshot({ region: h.region, description: 'customer data, nightly' })
        const mappings = [{ DeviceName: '/dev/sdf', Ebs: { SnapshotId: data } }]
        const main = await h.main({ 'block-device-mappings': JSON.stringify(mappings), ...options.inputs }, options.run)
        expect(main.exitCode).toBe(1)
        const imageId = main.outputs['image-id']
        const post = await h.post(main)
        expect(post.exitCode).toBe(0)

        // The image maps the user's snapshot, as EC2 does, and the run removed the image and only its own snapshot.
        const image = h.sim.images().find(found => found.imageId === imageId)!
        expect(image.state).toBe('deregistered')
        expect(h.sim.snapshots().find(snapshot => snapshot.snapshotId === data)).toMatchObject({ deleted: false })
        const own = snapshotsMadeFor(h, imageId)
        expect(own).toHaveLength(1)
        expect(own.every(snapshot => snapshot.deleted)).toBe(true)
        expect(callsTo(h.sim, 'DeleteSnapshot').map(call => call.params.SnapshotId)).not.toContain(data)
      })
    )
  }
})

describe('grants: a failed run takes back what it shared, and only that', () => {
  it.concurrent("leaves the source snapshot's create-volume permissions exactly as they were", () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const source = h.sim.addSnapshot({ region: h.region })
      // The user had already shared the snapshot with the first partner.
      await userClient(h).send(
        new ModifySnapshotAttributeCommand({ SnapshotId: source, Attribute: 'createVolumePermission', OperationType: 'add', CreateVolumePermission: { Add: [{ UserId: PARTNERS[0] }] } })
      )
      h.sim.deny({ action: 'ec2:EnableImageDeprecation' })
      const main = await h.main({
        'instance-id': '',
        'snapshot-id': source,
        'share-with-accounts': PARTNERS.join(','),
        'deprecate-after': '30d'
      })
      expectFailure(main, 'ec2:EnableImageDeprecation')
      // The run shared the snapshot with the second partner before the deprecation failed, then took that back.
      expect(callsTo(h.sim, 'ModifySnapshotAttribute').map(call => call.params.OperationType)).toEqual(['add', 'add', 'remove'])
      expect(h.sim.snapshots().find(snapshot => snapshot.snapshotId === source)).toMatchObject({
        deleted: false,
        createVolumePermissions: [{ UserId: PARTNERS[0] }]
      })
      expect(stateOf(h, main.outputs['image-id'])).toBe('deregistered')
    })
  )
})
