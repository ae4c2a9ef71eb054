import {
  CreateImageCommand,
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  type CreateImageCommandInput,
  type EC2Client
} from '@aws-sdk/client-ec2'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, staticCredentials, type ManualClock } from './helpers.js'

// What tells a run's snapshots from the user's (issue 18): a snapshot the user maps into CreateImage stays the
// user's, and each snapshot EC2 makes for an image says so in its description.

const sims = simPerTest()
let clock: ManualClock
let sim: Sim
let ec2: EC2Client

beforeEach(async () => {
  clock = manualClock()
  sim = await sims.start({ clock: clock.now, bake: { durationMs: 1000, snapshotDelayMs: 100 } })
  ec2 = ec2Client(staticCredentials(sim))
})

afterEach(() => {
  ec2.destroy()
})

async function mappingsOf(imageId: string) {
  const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))
  return Images![0].BlockDeviceMappings!
}

describe('CreateImage with a snapshot of the user mapped in', () => {
  it('refers to the user snapshot as it is, makes none for that device, and never counts it as the image’s', async () => {
    const dataSnapshot = sim.addSnapshot({ description: 'customer data', sizeGiB: 20 })
    const instanceId = sim.addInstance()
    const { ImageId } = await ec2.send(
      new CreateImageCommand({ InstanceId: instanceId, Name: 'with-data', BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { SnapshotId: dataSnapshot } }] })
    )
    const imageId = ImageId!
    expect(await mappingsOf(imageId)).toEqual([])

    clock.advance(100)
    const [root, data] = await mappingsOf(imageId)
    const image = sim.images().find((i) => i.imageId === imageId)!
    expect(image.snapshotIds).toEqual([root.Ebs!.SnapshotId])
    expect(data).toEqual({ DeviceName: '/dev/sdf', Ebs: { DeleteOnTermination: true, Iops: 3000, SnapshotId: dataSnapshot, VolumeSize: 20, VolumeType: 'gp3', Throughput: 125, Encrypted: false } })

    // The user's snapshot keeps its description and is never shown as made for the image.
    const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'description', Values: [`*for ${imageId}*`] }] }))
    expect(Snapshots!.map((s) => s.SnapshotId)).toEqual([root.Ebs!.SnapshotId])
    expect(sim.snapshots().find((s) => s.snapshotId === dataSnapshot)).toMatchObject({ imageId: undefined, madeFor: undefined, description: 'customer data' })
    expect(sim.snapshots().filter((s) => s.imageId === imageId).map((s) => [s.snapshotId, s.madeFor])).toEqual([[root.Ebs!.SnapshotId, imageId]])

    // While the image is registered, it holds the user's snapshot.
    const inUse = await rejection(ec2.send(new DeleteSnapshotCommand({ SnapshotId: dataSnapshot })))
    expect([inUse.name, inUse.message]).toEqual(['InvalidSnapshot.InUse', `The snapshot ${dataSnapshot} is currently in use by ${imageId}`])
  })

  it.each<[string, () => Partial<CreateImageCommandInput>, string, string]>([
    [
      'a snapshot that does not exist',
      () => ({ BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { SnapshotId: 'snap-0123456789abcdef0' } }] }),
      'InvalidSnapshot.NotFound',
      "The snapshot 'snap-0123456789abcdef0' does not exist."
    ],
    [
      'a snapshot in another region',
      () => ({ BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { SnapshotId: sim.addSnapshot({ region: 'eu-west-1' }) } }] }),
      'InvalidSnapshot.NotFound',
      'does not exist'
    ],
    [
      'a snapshot still pending',
      () => ({ BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { SnapshotId: sim.addSnapshot({ state: 'pending' }) } }] }),
      'IncorrectState',
      "is not 'completed' (it is 'pending')"
    ],
    [
      'a volume smaller than the snapshot',
      () => ({ BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { SnapshotId: sim.addSnapshot({ sizeGiB: 20 }), VolumeSize: 10 } }] }),
      'InvalidBlockDeviceMapping',
      'expect size >= 20GiB'
    ],
    [
      'a snapshot on a device that holds an instance volume',
      () => ({ BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: sim.addSnapshot() } }] }),
      'InvalidBlockDeviceMapping',
      'holds the instance'
    ]
  ])('refuses %s', async (_, change, code, fragment) => {
    const error = await rejection(ec2.send(new CreateImageCommand({ InstanceId: sim.addInstance(), Name: 'refused', ...change() })))
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, 400])
    expect(error.message).toContain(fragment)
    expect(sim.images()).toEqual([])
  })
})

describe('seeded images say how EC2 made them', () => {
  /** The image's snapshots, in device order. */
  async function snapshotsOf(imageId: string) {
    const ids = (await mappingsOf(imageId)).map((m) => m.Ebs!.SnapshotId!)
    const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ids }))
    return ids.map((id) => Snapshots!.find((s) => s.SnapshotId === id)!)
  }

  it('by CreateImage: fresh snapshots name the instance, the image and the volume; a reused one keeps its own words', async () => {
    const kept = sim.addSnapshot({ description: 'golden data' })
    const imageId = sim.addImage({ name: 'release-1', madeBy: 'CreateImage', snapshots: [{}, { snapshotId: kept }] })
    const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))
    const instanceId = Images![0].SourceInstanceId!
    expect(instanceId).toMatch(/^i-[0-9a-f]{17}$/)

    const [root, data] = await snapshotsOf(imageId)
    expect(root.Description).toBe(`Created by CreateImage(${instanceId}) for ${imageId} from ${root.VolumeId}`)
    expect(data.Description).toBe('golden data')
    const { Snapshots: found } = await ec2.send(
      new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'description', Values: [`*for ${imageId} *`] }] })
    )
    expect(found!.map((s) => s.SnapshotId)).toEqual([root.SnapshotId])

    // It was there before the run: no imageId (never a leftover), but madeFor says which image EC2 made it for.
    expect(sim.snapshots().map((s) => [s.snapshotId, s.imageId, s.madeFor])).toEqual([
      [kept, undefined, undefined],
      [root.SnapshotId, undefined, imageId]
    ])
    expect(sim.images()[0]).toMatchObject({ madeBy: 'CreateImage', instanceId, snapshotIds: [root.SnapshotId] })
  })

  it('by CopyImage: fresh snapshots name the copy, its source and the source snapshot, with the task time', async () => {
    const sourceImageId = sim.addImage({ name: 'release-1', region: 'eu-west-1' })
    const imageId = sim.addImage({ name: 'release-1', madeBy: 'CopyImage', sourceImageId, sourceRegion: 'eu-west-1', createdAt: -1000 })
    const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))
    expect(Images![0]).toMatchObject({ SourceImageId: sourceImageId, SourceImageRegion: 'eu-west-1' })

    const [snapshot] = await snapshotsOf(imageId)
    const taskCreated = (clock.now() - 1000).toLocaleString('en-US')
    expect(snapshot.Description).toMatch(
      new RegExp(`^Copied for DestinationAmi ${imageId} from SourceAmi ${sourceImageId} for SourceSnapshot snap-[0-9a-f]{17}\\. Task created on ${taskCreated}\\.$`)
    )
    expect(snapshot.VolumeId).toBe('vol-ffffffff')
    expect(sim.images().find((i) => i.imageId === imageId)).toMatchObject({ madeBy: 'CopyImage', sourceImageId, sourceRegion: 'eu-west-1' })
    expect(sim.snapshots().find((s) => s.snapshotId === snapshot.SnapshotId)).toMatchObject({ imageId: undefined, madeFor: imageId })
  })

  it('by RegisterImage, the default: from snapshots of the user that say nothing of the image', async () => {
    const imageId = sim.addImage({ name: 'registered' })
    const [snapshot] = await snapshotsOf(imageId)
    expect(snapshot.Description).toBe('')
    expect(sim.snapshots()).toEqual([expect.objectContaining({ imageId: undefined, madeFor: undefined })])
    expect(sim.images()[0]).toMatchObject({ madeBy: 'RegisterImage', instanceId: undefined, snapshotIds: [] })
  })

  it('refuses a seed EC2 could not hold', () => {
    expect(() => sim.addImage({ name: 'odd', sourceImageId: 'ami-0123456789abcdef0' })).toThrow("give them with madeBy 'CopyImage'")
    expect(() => sim.addImage({ name: 'odd', madeBy: 'ImportImage' as 'CopyImage' })).toThrow("madeBy is 'RegisterImage'")
  })
})

describe('DescribeSnapshots behind DescribeImages', () => {
  it('cannot see a new snapshot for snapshotListLagMs after the image lists it, by id or by filter', async () => {
    sim.nextBake({ durationMs: 1000, snapshotDelayMs: 100, snapshotListLagMs: 300 })
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: sim.addInstance(), Name: 'lagging' }))
    clock.advance(100)
    const [root] = await mappingsOf(ImageId!)
    const snapshotId = root.Ebs!.SnapshotId!

    const byFilter = () =>
      ec2.send(
        new DescribeSnapshotsCommand({
          OwnerIds: ['self'],
          Filters: [
            { Name: 'snapshot-id', Values: [snapshotId] },
            { Name: 'description', Values: [`*for ${ImageId} *`] }
          ]
        })
      )
    const missing = await rejection(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })))
    expect([missing.name, missing.message]).toEqual(['InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`])
    expect((await byFilter()).Snapshots).toEqual([])
    // The sim's own view, and every other call, see it: it exists, only the listing lags.
    expect(sim.snapshots()).toEqual([expect.objectContaining({ snapshotId, imageId: ImageId, state: 'pending' })])
    expect((await rejection(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })))).name).toBe('InvalidSnapshot.InUse')

    clock.advance(299)
    expect((await byFilter()).Snapshots).toEqual([])
    clock.advance(1)
    expect((await byFilter()).Snapshots!.map((s) => [s.SnapshotId, s.State, s.Progress])).toEqual([[snapshotId, 'pending', '33%']])
    await expect(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).resolves.toMatchObject({ Snapshots: [{ SnapshotId: snapshotId }] })
  })

  it('does not lag unless a scenario asks for it', async () => {
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: sim.addInstance(), Name: 'prompt' }))
    clock.advance(100)
    const [root] = await mappingsOf(ImageId!)
    await expect(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [root.Ebs!.SnapshotId!] }))).resolves.toMatchObject({ Snapshots: [{ State: 'pending' }] })
  })
})
