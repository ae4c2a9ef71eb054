import {
  CreateImageCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type EC2Client
} from '@aws-sdk/client-ec2'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, staticCredentials, type ManualClock } from './helpers.js'

// What a cleaner meets: snapshots held by their image, images that vanish from Describe once
// deregistered, and snapshots that turn up after the image that was to own them is gone.

const sims = simPerTest({ quiet: false })
let clock: ManualClock
let sim: Sim
let ec2: EC2Client
let instanceId: string

beforeEach(async () => {
  // Each test moves the sim's clock itself, so what a cleaner meets is what the test set, not how fast it ran.
  clock = manualClock()
  sim = await sims.start({ clock: clock.now, bake: { durationMs: 200, snapshotDelayMs: 20 } })
  ec2 = ec2Client(staticCredentials(sim))
  instanceId = sim.addInstance()
})

afterEach(() => {
  ec2.destroy()
})

async function snapshotsFor(imageId: string) {
  const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'description', Values: [`* for ${imageId} from *`] }] }))
  return Snapshots ?? []
}

describe('cleanup', () => {
  it('holds a snapshot while its image is registered, then lets it go', async () => {
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'to-clean' }))
    clock.advance(20)
    const [snapshot] = await snapshotsFor(ImageId!)
    const snapshotId = snapshot.SnapshotId!

    const inUse = await rejection(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })))
    expect([inUse.name, inUse.message]).toEqual(['InvalidSnapshot.InUse', `The snapshot ${snapshotId} is currently in use by ${ImageId}`])

    await expect(ec2.send(new DeregisterImageCommand({ ImageId }))).resolves.toMatchObject({ Return: true })
    const gone = await rejection(ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })))
    expect([gone.name, gone.message]).toEqual(['InvalidAMIID.NotFound', `The image id '[${ImageId}]' does not exist`])
    await expect(ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).resolves.toMatchObject({ Images: [] })
    const twice = await rejection(ec2.send(new DeregisterImageCommand({ ImageId })))
    expect(twice.name).toBe('InvalidAMIID.Unavailable')

    await expect(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } })
    const deleted = await rejection(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })))
    expect([deleted.name, deleted.message]).toEqual(['InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`])
    const described = await rejection(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })))
    expect(described.name).toBe('InvalidSnapshot.NotFound')

    expect(sim.images()).toEqual([expect.objectContaining({ imageId: ImageId, state: 'deregistered' })])
    expect(sim.snapshots()).toEqual([expect.objectContaining({ snapshotId, imageId: ImageId, deleted: true })])
  })

  it('deletes the associated snapshots when DeregisterImage is asked to', async () => {
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: sim.addInstance({ volumes: 2 }), Name: 'with-snaps' }))
    clock.advance(20)
    expect(await snapshotsFor(ImageId!)).toHaveLength(2)
    const result = await ec2.send(new DeregisterImageCommand({ ImageId, DeleteAssociatedSnapshots: true }))
    expect(result.DeleteSnapshotResults?.map((r) => r.ReturnCode)).toEqual(['success', 'success'])
    expect(await snapshotsFor(ImageId!)).toEqual([])
    expect(sim.snapshots().map((s) => s.deleted)).toEqual([true, true])
  })

  it('still makes the snapshots of an image deregistered while pending, with no image to hold them', async () => {
    sim.nextBake({ durationMs: 600, snapshotDelayMs: 300 })
    const { ImageId } = await ec2.send(
      new CreateImageCommand({ InstanceId: instanceId, Name: 'abandoned', TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'bake', Value: 'abandoned' }] }] })
    )
    clock.advance(299)
    const result = await ec2.send(new DeregisterImageCommand({ ImageId, DeleteAssociatedSnapshots: true }))
    expect(result.DeleteSnapshotResults ?? []).toEqual([])
    expect(await snapshotsFor(ImageId!)).toEqual([])

    // The snapshot turns up at 300 ms all the same, pending, with the tags CreateImage asked for.
    clock.advance(1)
    const [orphan, ...others] = await snapshotsFor(ImageId!)
    expect(others).toEqual([])
    expect(orphan).toMatchObject({ State: 'pending', Progress: '0%', Tags: [{ Key: 'bake', Value: 'abandoned' }] })
    const { Snapshots: byTag } = await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:bake', Values: ['aband*'] }] }))
    expect(byTag?.map((s) => s.SnapshotId)).toEqual([orphan.SnapshotId])

    // Deleted half way, it stays as it was then: pending at 50 %, though its bake would have ended by now.
    clock.advance(150)
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: orphan.SnapshotId }))
    clock.advance(1000)
    expect(sim.snapshots()).toEqual([expect.objectContaining({ snapshotId: orphan.SnapshotId, imageId: ImageId, deleted: true, state: 'pending', progress: 50 })])
  })

  it('shows a failed bake with its reason, its snapshots in error and still held', async () => {
    sim.nextBake({ durationMs: 400, snapshotDelayMs: 20, fail: { afterMs: 120, code: 'Client.InvalidSnapshot', message: 'snapshot could not be made' } })
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'doomed' }))
    const look = () => ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'name', Values: ['doom?d'] }] }))
    clock.advance(119)
    expect((await look()).Images?.map((i) => [i.State, i.StateReason])).toEqual([['pending', undefined]])
    expect((await snapshotsFor(ImageId!)).map((s) => [s.State, s.Progress])).toEqual([['pending', '26%']])

    // It fails at 120 ms, and its snapshot stops where it was: (120 - 20) / (400 - 20) of the way, 26 %.
    clock.advance(1)
    expect((await look()).Images?.[0]).toMatchObject({ State: 'failed', StateReason: { Code: 'Client.InvalidSnapshot', Message: 'snapshot could not be made' } })
    clock.advance(1000)
    const [snapshot] = await snapshotsFor(ImageId!)
    expect([snapshot.State, snapshot.Progress]).toEqual(['error', '26%'])
    expect((await rejection(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot.SnapshotId })))).name).toBe('InvalidSnapshot.InUse')
    expect(sim.images()[0].stateReason).toEqual({ code: 'Client.InvalidSnapshot', message: 'snapshot could not be made' })
  })

  it('finds images by tag and state once tagged, and refuses malformed ids', async () => {
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'tag-me' }))
    // Keys that are also Object.prototype members must behave like any other key.
    await ec2.send(new CreateTagsCommand({ Resources: [ImageId!], Tags: [{ Key: 'bake-ami:run', Value: '42' }, { Key: 'constructor', Value: 'c' }] }))
    const { Images } = await ec2.send(
      new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:bake-ami:run', Values: ['42'] }, { Name: 'state', Values: ['pending', 'available'] }] })
    )
    expect(Images?.map((i) => i.ImageId)).toEqual([ImageId])
    expect(Images?.[0].Tags).toEqual([{ Key: 'bake-ami:run', Value: '42' }, { Key: 'constructor', Value: 'c' }])
    const { Images: untagged } = await ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'tag:toString', Values: ['*'] }] }))
    expect(untagged).toEqual([])
    const { Images: none } = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))
    expect(none).toEqual([])

    expect((await rejection(ec2.send(new DescribeImagesCommand({ ImageIds: ['ami-12'] })))).name).toBe('InvalidAMIID.Malformed')
    expect((await rejection(ec2.send(new DeleteSnapshotCommand({ SnapshotId: 'snap-xyz' })))).name).toBe('InvalidSnapshotID.Malformed')
    expect((await rejection(ec2.send(new DescribeImagesCommand({ Filters: [{ Name: 'colour', Values: ['red'] }] })))).name).toBe('InvalidParameterValue')
  })
})
