import {
  CopyImageCommand,
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DisableImageDeprecationCommand,
  EnableImageDeprecationCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  type CopyImageCommandInput,
  type EC2Client,
  type Filter
} from '@aws-sdk/client-ec2'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, staticCredentials, type ManualClock } from './helpers.js'

// What distributing an image takes (issue 10), through the real SDK in two regions: copies with snapshots
// of their own on their own timelines, sharing an image and its snapshots, deprecation, IMDSv2, and what a
// retention pass sees of the account's earlier images.

const EAST = 'us-east-1'
const WEST = 'eu-west-1'
const ACCOUNT = '123456789012'
const OTHER_ACCOUNT = '210987654321'

const sims = simPerTest()
let clock: ManualClock
let sim: Sim
let east: EC2Client
let west: EC2Client

beforeEach(async () => {
  clock = manualClock()
  sim = await sims.start({ clock: clock.now, bake: { durationMs: 1000, snapshotDelayMs: 100 } })
  east = ec2Client(staticCredentials(sim), { region: EAST })
  west = ec2Client(staticCredentials(sim), { region: WEST })
})

afterEach(() => {
  east.destroy()
  west.destroy()
})

/** An available image in us-east-1, made by CreateImage from a two-volume instance. */
async function bakedImage(tags: Record<string, string> = { Application: 'web' }): Promise<string> {
  const instanceId = sim.addInstance({ volumes: 2 })
  const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }))
  const { ImageId } = await east.send(
    new CreateImageCommand({ InstanceId: instanceId, Name: `source-${Object.keys(tags).length}`, TagSpecifications: [{ ResourceType: 'image', Tags }] })
  )
  clock.advance(1000)
  return ImageId!
}

function copyRequest(sourceImageId: string, change: Partial<CopyImageCommandInput> = {}): CopyImageCommandInput {
  return { SourceRegion: EAST, SourceImageId: sourceImageId, Name: 'web-copy', ...change }
}

async function describeOne(client: EC2Client, imageId: string) {
  const { Images } = await client.send(new DescribeImagesCommand({ ImageIds: [imageId] }))
  return Images![0]
}

describe('CopyImage', () => {
  it('makes a pending copy in the target region with new, tagged snapshots that follow its own timeline', async () => {
    const sourceId = await bakedImage()
    sim.nextBake({ durationMs: 500, snapshotDelayMs: 50 }, { region: WEST })
    const copiedAt = clock.now()
    const { ImageId } = await west.send(
      new CopyImageCommand(
        copyRequest(sourceId, {
          Description: 'web, copied',
          TagSpecifications: [
            { ResourceType: 'image', Tags: [{ Key: 'Release', Value: 'v2' }] },
            { ResourceType: 'snapshot', Tags: [{ Key: 'Release', Value: 'v2-disk' }] }
          ]
        })
      )
    )
    const copyId = ImageId!

    // Only the target region has it; before its snapshots exist it shows no mappings.
    expect(await describeOne(west, copyId)).toMatchObject({
      State: 'pending',
      Name: 'web-copy',
      Description: 'web, copied',
      OwnerId: ACCOUNT,
      SourceImageId: sourceId,
      SourceImageRegion: EAST,
      Tags: [{ Key: 'Release', Value: 'v2' }],
      BlockDeviceMappings: []
    })
    expect((await rejection(east.send(new DescribeImagesCommand({ ImageIds: [copyId] })))).name).toBe('InvalidAMIID.NotFound')

    clock.advance(50)
    const mappings = (await describeOne(west, copyId)).BlockDeviceMappings!
    const sourceSnapshots = (await describeOne(east, sourceId)).BlockDeviceMappings!.map((m) => m.Ebs!.SnapshotId)
    const copySnapshots = mappings.map((m) => m.Ebs!.SnapshotId!)
    expect(mappings.map((m) => m.DeviceName)).toEqual(['/dev/xvda', '/dev/xvdb'])
    expect(copySnapshots).toHaveLength(2)
    expect(copySnapshots.filter((id) => sourceSnapshots.includes(id))).toEqual([])
    const { Snapshots } = await west.send(new DescribeSnapshotsCommand({ SnapshotIds: copySnapshots }))
    expect(Snapshots!.map((s) => [s.SnapshotId, s.State, s.VolumeId, s.Tags])).toEqual(
      copySnapshots.map((id) => [id, 'pending', 'vol-ffffffff', [{ Key: 'Release', Value: 'v2-disk' }]])
    )
    // EC2 ends the description with the copy task's start, in epoch ms with thousands separators.
    const taskCreated = copiedAt.toLocaleString('en-US')
    expect(Snapshots![0].Description).toBe(`Copied for DestinationAmi ${copyId} from SourceAmi ${sourceId} for SourceSnapshot ${sourceSnapshots[0]}. Task created on ${taskCreated}.`)

    clock.advance(450)
    expect((await describeOne(west, copyId)).State).toBe('available')
    expect(sim.images().find((i) => i.imageId === copyId)).toMatchObject({
      madeBy: 'CopyImage',
      region: WEST,
      sourceImageId: sourceId,
      sourceRegion: EAST,
      snapshotIds: copySnapshots,
      launchPermissions: []
    })
    expect(sim.snapshots().filter((s) => s.imageId === copyId).map((s) => s.state)).toEqual(['completed', 'completed'])
  })

  it('carries the source tags only when asked to, under the tags given', async () => {
    const sourceId = await bakedImage({ Application: 'web', Release: 'v1' })
    const { ImageId: plain } = await west.send(new CopyImageCommand(copyRequest(sourceId, { Name: 'plain' })))
    const { ImageId: tagged } = await west.send(
      new CopyImageCommand(copyRequest(sourceId, { Name: 'tagged', CopyImageTags: true, TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'Release', Value: 'v2' }] }] }))
    )
    expect((await describeOne(west, plain!)).Tags).toBeUndefined()
    expect((await describeOne(west, tagged!)).Tags).toEqual([
      { Key: 'Application', Value: 'web' },
      { Key: 'Release', Value: 'v2' }
    ])
  })

  it('gives each region its own queued timeline, so one copy can fail while another completes', async () => {
    const sourceId = await bakedImage()
    sim.nextBake({ durationMs: 600, snapshotDelayMs: 100, fail: { afterMs: 300, code: 'Client.CopyFailed', message: 'copy failed' } }, { region: WEST })
    sim.nextBake({ durationMs: 200, snapshotDelayMs: 0 }, { region: EAST })
    const { ImageId: westCopy } = await west.send(new CopyImageCommand(copyRequest(sourceId)))
    const { ImageId: eastCopy } = await east.send(new CopyImageCommand(copyRequest(sourceId, { SourceRegion: EAST })))
    // Nothing is queued for us-east-1 any more: the next image there takes the sim's default.
    const { ImageId: later } = await east.send(new CopyImageCommand(copyRequest(sourceId, { Name: 'later' })))

    clock.advance(300)
    const states = async () => [await describeOne(west, westCopy!), await describeOne(east, eastCopy!), await describeOne(east, later!)].map((i) => [i.State, i.StateReason])
    expect(await states()).toEqual([
      ['failed', { Code: 'Client.CopyFailed', Message: 'copy failed' }],
      ['available', undefined],
      ['pending', undefined]
    ])
    expect(sim.snapshots().filter((s) => s.imageId === westCopy).map((s) => s.state)).toEqual(['error', 'error'])
    clock.advance(700)
    expect((await states())[2]).toEqual(['available', undefined])
  })

  it('answers a retried request with the same ClientToken with the copy it already made', async () => {
    const sourceId = await bakedImage()
    const first = await west.send(new CopyImageCommand(copyRequest(sourceId, { ClientToken: 'release-v2-eu' })))
    const again = await west.send(new CopyImageCommand(copyRequest(sourceId, { ClientToken: 'release-v2-eu' })))
    expect(again.ImageId).toBe(first.ImageId)
    expect(sim.images().filter((i) => i.madeBy === 'CopyImage')).toHaveLength(1)
    const mismatch = await rejection(west.send(new CopyImageCommand(copyRequest(sourceId, { Name: 'other', ClientToken: 'release-v2-eu' }))))
    expect(mismatch.name).toBe('IdempotentParameterMismatch')
  })

  it.each<[string, (source: string) => Partial<CopyImageCommandInput>, string, string]>([
    ['an unknown source', () => ({ SourceImageId: 'ami-0123456789abcdef0' }), 'InvalidAMIID.NotFound', "The image id '[ami-0123456789abcdef0]' does not exist"],
    ['the wrong source region', () => ({ SourceRegion: WEST }), 'InvalidAMIID.NotFound', 'does not exist'],
    ['a malformed source id', () => ({ SourceImageId: 'ami-xyz' }), 'InvalidAMIID.Malformed', 'ami-xyz'],
    ['a malformed source region', () => ({ SourceRegion: 'useast1' }), 'InvalidParameterValue', 'sourceRegion'],
    ['a malformed name', () => ({ Name: 'web:copy' }), 'InvalidAMIName.Malformed', 'between 3 and 128 characters'],
    ['tags on anything but images and snapshots', () => ({ TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'k', Value: 'v' }] }] }), 'InvalidParameterValue', "'volume' is not a valid taggable resource type"],
    ['a name taken in the target region', () => ({ Name: 'taken' }), 'InvalidAMIName.Duplicate', 'AMI name taken is already in use by AMI ami-']
  ])('refuses %s', async (_, change, code, message) => {
    const sourceId = await bakedImage()
    sim.addImage({ name: 'taken', region: WEST })
    const before = sim.images().length
    const error = await rejection(west.send(new CopyImageCommand(copyRequest(sourceId, change(sourceId)))))
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, 400])
    expect(error.message).toContain(message)
    expect(sim.images()).toHaveLength(before)
  })

  it('refuses to copy a source that is still pending, or failed, and copies it once available', async () => {
    const instanceId = sim.addInstance()
    const { ImageId } = await east.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'still-baking' }))
    const pending = await rejection(west.send(new CopyImageCommand(copyRequest(ImageId!))))
    expect([pending.name, pending.message]).toEqual(['InvalidAMIID.Unavailable', `The AMI ID '${ImageId}' is currently pending and may not be used for this operation`])
    const failed = sim.addImage({ name: 'broken', state: 'failed' })
    expect((await rejection(west.send(new CopyImageCommand(copyRequest(failed))))).message).toContain('is currently failed')

    clock.advance(1000)
    await expect(west.send(new CopyImageCommand(copyRequest(ImageId!)))).resolves.toMatchObject({ ImageId: expect.stringMatching(/^ami-[0-9a-f]{17}$/) })
  })

  it('goes through permissions, DryRun and faults like every other action', async () => {
    const sourceId = await bakedImage()
    const dryRun = await rejection(west.send(new CopyImageCommand(copyRequest(sourceId, { DryRun: true }))))
    expect([dryRun.name, dryRun.$metadata?.httpStatusCode]).toEqual(['DryRunOperation', 412])

    sim.fault({ action: 'CopyImage', kind: 'throttle' })
    expect((await rejection(west.send(new CopyImageCommand(copyRequest(sourceId))))).name).toBe('RequestLimitExceeded')

    sim.deny({ action: 'ec2:CopyImage' })
    const denied = await rejection(west.send(new CopyImageCommand(copyRequest(sourceId))))
    expect([denied.name, denied.message]).toEqual(['UnauthorizedOperation', expect.stringContaining(`ec2:CopyImage on resource: arn:aws:ec2:${EAST}::image/${sourceId}`)])
    expect(sim.images().filter((i) => i.madeBy === 'CopyImage')).toEqual([])
  })
})

/** The image the ModifyImageAttribute table refuses to change, made afresh for each row. */
let shared: string

function sendLaunchPermission(grant: { UserId?: string; Group?: 'all'; OrganizationArn?: string }, imageId = shared) {
  return east.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [grant] } }))
}

describe('sharing', () => {
  it('adds and removes launch permissions, and reads them back with DescribeImageAttribute', async () => {
    const imageId = await bakedImage()
    await east.send(
      new ModifyImageAttributeCommand({
        ImageId: imageId,
        LaunchPermission: {
          Add: [
            { UserId: OTHER_ACCOUNT },
            { UserId: '333344445555' },
            { OrganizationArn: 'arn:aws:organizations::111122223333:organization/o-abcdefghij' },
            { OrganizationalUnitArn: 'arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh34' }
          ]
        }
      })
    )
    await east.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: OTHER_ACCOUNT }], Remove: [{ UserId: '333344445555' }] } }))
    const expected = [
      { UserId: OTHER_ACCOUNT },
      { OrganizationArn: 'arn:aws:organizations::111122223333:organization/o-abcdefghij' },
      { OrganizationalUnitArn: 'arn:aws:organizations::111122223333:ou/o-abcdefghij/ou-ab12-cdefgh34' }
    ]
    const read = await east.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }))
    expect([read.ImageId, read.LaunchPermissions]).toEqual([imageId, expected])
    expect(sim.images()[0].launchPermissions).toEqual(expected)
  })

  it.each<[string, () => Promise<unknown>, string, string]>([
    ['an account id that is not 12 digits', () => sendLaunchPermission({ UserId: '12345' }), 'InvalidAMIAttributeItemValue', 'Invalid attribute item value "12345" for userId'],
    ['a group other than all', () => sendLaunchPermission({ Group: 'everyone' as 'all' }), 'InvalidAMIAttributeItemValue', 'for group item type'],
    ['a malformed organization ARN', () => sendLaunchPermission({ OrganizationArn: 'o-abcdefghij' }), 'InvalidAMIAttributeItemValue', 'for organizationArn'],
    ['an unknown image', () => east.send(new ModifyImageAttributeCommand({ ImageId: 'ami-0123456789abcdef0', LaunchPermission: { Add: [{ UserId: OTHER_ACCOUNT }] } })), 'InvalidAMIID.NotFound', "'[ami-0123456789abcdef0]' does not exist"],
    ['an ImdsSupport other than v2.0', () => east.send(new ModifyImageAttributeCommand({ ImageId: shared, ImdsSupport: { Value: 'v1.0' } })), 'InvalidParameterValue', 'The only value is v2.0'],
    ['two attributes at once', () => east.send(new ModifyImageAttributeCommand({ ImageId: shared, ImdsSupport: { Value: 'v2.0' }, LaunchPermission: { Add: [{ UserId: OTHER_ACCOUNT }] } })), 'InvalidParameterCombination', 'only one attribute'],
    ['nothing to modify', () => east.send(new ModifyImageAttributeCommand({ ImageId: shared })), 'MissingParameter', 'LaunchPermission, ImdsSupport or Description']
  ])('ModifyImageAttribute refuses %s', async (_, send, code, message) => {
    shared = sim.addImage({ name: 'shared' })
    const error = await rejection(send())
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, 400])
    expect(error.message).toContain(message)
    expect(sim.images()[0]).toMatchObject({ launchPermissions: [], imdsSupport: undefined })
  })

  it('will not share an image that is still pending', async () => {
    const imageId = sim.addImage({ name: 'baking', state: 'pending' })
    const error = await rejection(sendLaunchPermission({ UserId: OTHER_ACCOUNT }, imageId))
    expect([error.name, error.message]).toEqual(['InvalidAMIID.Unavailable', `The AMI ID '${imageId}' is currently pending and may not be used for this operation`])
  })

  it('shares a snapshot with createVolumePermission and reads it back', async () => {
    const imageId = sim.addImage({ name: 'to-share', region: WEST })
    const snapshotId = sim.snapshots()[0].snapshotId
    await west.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: snapshotId,
        Attribute: 'createVolumePermission',
        OperationType: 'add',
        CreateVolumePermission: { Add: [{ UserId: OTHER_ACCOUNT }] }
      })
    )
    const read = await west.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }))
    expect([read.SnapshotId, read.CreateVolumePermissions]).toEqual([snapshotId, [{ UserId: OTHER_ACCOUNT }]])
    expect(sim.snapshots()[0].createVolumePermissions).toEqual([{ UserId: OTHER_ACCOUNT }])

    const bad = await rejection(west.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, CreateVolumePermission: { Add: [{ UserId: 'not-an-account' }] } })))
    expect([bad.name, bad.message]).toEqual(['InvalidParameterValue', expect.stringContaining('"not-an-account" for userId')])
    const elsewhere = await rejection(east.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, CreateVolumePermission: { Add: [{ UserId: OTHER_ACCOUNT }] } })))
    expect(elsewhere.name).toBe('InvalidSnapshot.NotFound')
    expect(imageId).toMatch(/^ami-/)
  })

  it('checks permission per action', async () => {
    const imageId = sim.addImage({ name: 'guarded' })
    sim.deny({ action: 'ec2:ModifyImageAttribute' })
    sim.deny({ action: 'ec2:ModifySnapshotAttribute' })
    const image = await rejection(sendLaunchPermission({ UserId: OTHER_ACCOUNT }, imageId))
    expect([image.name, image.message]).toEqual(['UnauthorizedOperation', expect.stringContaining(`ec2:ModifyImageAttribute on resource: arn:aws:ec2:${EAST}::image/${imageId}`)])
    const snapshotId = sim.snapshots()[0].snapshotId
    const snapshot = await rejection(east.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, CreateVolumePermission: { Add: [{ UserId: OTHER_ACCOUNT }] } })))
    expect(snapshot.name).toBe('UnauthorizedOperation')
    await expect(east.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }))).resolves.toMatchObject({ LaunchPermissions: [] })
  })
})

describe('image settings', () => {
  it('sets ImdsSupport v2.0, shows it in DescribeImages and DescribeImageAttribute, and copies carry it', async () => {
    const imageId = await bakedImage()
    const unset = await east.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'imdsSupport' }))
    expect(unset.ImdsSupport?.Value).toBeUndefined()
    await east.send(new ModifyImageAttributeCommand({ ImageId: imageId, ImdsSupport: { Value: 'v2.0' } }))
    expect((await describeOne(east, imageId)).ImdsSupport).toBe('v2.0')
    const set = await east.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'imdsSupport' }))
    expect(set.ImdsSupport).toEqual({ Value: 'v2.0' })
    const { ImageId: copyId } = await west.send(new CopyImageCommand(copyRequest(imageId)))
    expect((await describeOne(west, copyId!)).ImdsSupport).toBe('v2.0')
  })

  it('deprecates at the minute nearest the time asked for, refuses the past, and can be undone', async () => {
    const imageId = sim.addImage({ name: 'ageing' })
    const minute = Math.ceil((clock.now() + 3_600_000) / 60_000) * 60_000
    await east.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: new Date(minute + 40_000) }))
    const expected = new Date(minute + 60_000).toISOString()
    expect((await describeOne(east, imageId)).DeprecationTime).toBe(expected)
    expect(sim.images()[0].deprecationTime).toBe(expected)
    await east.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: new Date(minute + 20_000) }))
    expect((await describeOne(east, imageId)).DeprecationTime).toBe(new Date(minute).toISOString())

    const past = await rejection(east.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: new Date(clock.now() - 60_000) })))
    expect([past.name, past.message]).toEqual(['InvalidParameterValue', expect.stringContaining('cannot be in the past')])
    const unknown = await rejection(east.send(new EnableImageDeprecationCommand({ ImageId: 'ami-0123456789abcdef0', DeprecateAt: new Date(minute) })))
    expect(unknown.name).toBe('InvalidAMIID.NotFound')

    await east.send(new DisableImageDeprecationCommand({ ImageId: imageId }))
    expect((await describeOne(east, imageId)).DeprecationTime).toBeUndefined()
  })
})

describe('what a retention pass sees', () => {
  /** The names DescribeImages answers with, sorted. */
  async function names(filters: Filter[], owners?: string[], client = east): Promise<string[]> {
    const { Images } = await client.send(new DescribeImagesCommand({ Owners: owners, Filters: filters }))
    return Images!.map((i) => i.Name!).sort()
  }

  beforeEach(() => {
    sim.addImage({ name: 'web-2026-01', tags: { App: 'web', Env: 'prod' }, createdAt: -86_400_000 })
    sim.addImage({ name: 'web-2026-02', tags: { App: 'web', Env: 'staging' }, state: 'pending' })
    // Look-alikes: a longer name and tag value, a name and tag key that differ only in case.
    sim.addImage({ name: 'webapp-2026-01', tags: { App: 'webapp' } })
    sim.addImage({ name: 'Web-2026-03', tags: { app: 'web' } })
    sim.addImage({ name: 'web-2026-01', region: WEST, tags: { App: 'web' } })
  })

  it.each<[string, Filter[], string[]]>([
    ['a name with *', [{ Name: 'name', Values: ['web-*'] }], ['web-2026-01', 'web-2026-02']],
    ['a name with ?', [{ Name: 'name', Values: ['web-2026-0?'] }], ['web-2026-01', 'web-2026-02']],
    ['either of two names (values are OR)', [{ Name: 'name', Values: ['web-2026-01', 'webapp-*'] }], ['web-2026-01', 'webapp-2026-01']],
    ['tag:App=web', [{ Name: 'tag:App', Values: ['web'] }], ['web-2026-01', 'web-2026-02']],
    ['tag:App=web*', [{ Name: 'tag:App', Values: ['web*'] }], ['web-2026-01', 'web-2026-02', 'webapp-2026-01']],
    ['tag-key App', [{ Name: 'tag-key', Values: ['App'] }], ['web-2026-01', 'web-2026-02', 'webapp-2026-01']],
    ['state available', [{ Name: 'state', Values: ['available'] }], ['Web-2026-03', 'web-2026-01', 'webapp-2026-01']],
    [
      'a name, a tag and a state together (filters are AND)',
      [
        { Name: 'name', Values: ['web-*'] },
        { Name: 'tag:Env', Values: ['prod', 'staging'] },
        { Name: 'state', Values: ['pending'] }
      ],
      ['web-2026-02']
    ]
  ])('filters on %s', async (_, filters, expected) => {
    await expect(names(filters, ['self'])).resolves.toEqual(expected)
  })

  it('selects by owner: self or the account id, and no other account', async () => {
    const all = ['Web-2026-03', 'web-2026-01', 'web-2026-02', 'webapp-2026-01']
    await expect(names([], ['self'])).resolves.toEqual(all)
    await expect(names([], [ACCOUNT])).resolves.toEqual(all)
    await expect(names([], [OTHER_ACCOUNT])).resolves.toEqual([])
    await expect(names([], ['self'], west)).resolves.toEqual(['web-2026-01'])
  })

  it('shows each image with its creation date, tags, owner and snapshots tagged like it', async () => {
    const { Images } = await east.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: ['web-2026-01'] }] }))
    const [image] = Images!
    const startedAt = clock.now()
    expect(image).toMatchObject({
      CreationDate: new Date(startedAt - 86_400_000).toISOString(),
      OwnerId: ACCOUNT,
      State: 'available',
      Tags: [
        { Key: 'App', Value: 'web' },
        { Key: 'Env', Value: 'prod' }
      ]
    })
    expect(image.DeprecationTime).toBeUndefined()
    const snapshotId = image.BlockDeviceMappings![0].Ebs!.SnapshotId!
    const { Snapshots } = await east.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))
    expect(Snapshots!.map((s) => [s.SnapshotId, s.State, s.Tags])).toEqual([[snapshotId, 'completed', image.Tags]])
  })
})

describe('seeded images and their snapshots', () => {
  it('keeps a snapshot two images share until both are deregistered', async () => {
    const first = sim.addImage({ name: 'first', snapshots: [{ tags: { Disk: 'root' } }, {}] })
    const [rootSnapshot, dataSnapshot] = sim.snapshots()
    expect([rootSnapshot.tags, dataSnapshot.tags]).toEqual([{ Disk: 'root' }, {}])
    const second = sim.addImage({ name: 'second', snapshots: [{ snapshotId: rootSnapshot.snapshotId }] })
    expect(sim.snapshots()).toHaveLength(2)

    const inUse = await rejection(east.send(new DeleteSnapshotCommand({ SnapshotId: rootSnapshot.snapshotId })))
    expect([inUse.name, inUse.message]).toEqual(['InvalidSnapshot.InUse', `The snapshot ${rootSnapshot.snapshotId} is currently in use by ${first}`])
    await east.send(new DeregisterImageCommand({ ImageId: first }))
    const stillInUse = await rejection(east.send(new DeleteSnapshotCommand({ SnapshotId: rootSnapshot.snapshotId })))
    expect(stillInUse.message).toBe(`The snapshot ${rootSnapshot.snapshotId} is currently in use by ${second}`)
    await expect(east.send(new DeleteSnapshotCommand({ SnapshotId: dataSnapshot.snapshotId }))).resolves.toBeDefined()

    await east.send(new DeregisterImageCommand({ ImageId: second }))
    await expect(east.send(new DeleteSnapshotCommand({ SnapshotId: rootSnapshot.snapshotId }))).resolves.toBeDefined()
    expect(sim.snapshots().map((s) => s.deleted)).toEqual([true, true])
  })

  it('refuses a seed EC2 could not hold', () => {
    sim.addImage({ name: 'once' })
    expect(() => sim.addImage({ name: 'once' })).toThrow("addImage: the name 'once' is already used by ami-")
    expect(() => sim.addImage({ name: 'reuse', snapshots: [{ snapshotId: 'snap-0123456789abcdef0' }] })).toThrow('no snapshot snap-0123456789abcdef0 in us-east-1')
    expect(() => sim.addImage({ name: 'none', snapshots: 0 })).toThrow('from 1 to 26 snapshots, got 0')
  })
})

describe('DescribeInstances', () => {
  it('filters on image-id (values are OR) and instance-state-name (AND)', async () => {
    const a = sim.addInstance({ imageId: 'ami-0aaaaaaaaaaaaaaaa' })
    const b = sim.addInstance({ imageId: 'ami-0bbbbbbbbbbbbbbbb', state: 'stopped' })
    sim.addInstance()
    const ids = async (filters: Filter[]) => {
      const { Reservations } = await east.send(new DescribeInstancesCommand({ Filters: filters }))
      return Reservations!.flatMap((r) => r.Instances!.map((i) => [i.InstanceId, i.ImageId]))
    }
    await expect(ids([{ Name: 'image-id', Values: ['ami-0aaaaaaaaaaaaaaaa'] }])).resolves.toEqual([[a, 'ami-0aaaaaaaaaaaaaaaa']])
    await expect(ids([{ Name: 'image-id', Values: ['ami-0aaaaaaaaaaaaaaaa', 'ami-0bbbbbbbbbbbbbbbb'] }])).resolves.toEqual([
      [a, 'ami-0aaaaaaaaaaaaaaaa'],
      [b, 'ami-0bbbbbbbbbbbbbbbb']
    ])
    await expect(
      ids([
        { Name: 'image-id', Values: ['ami-0aaaaaaaaaaaaaaaa', 'ami-0bbbbbbbbbbbbbbbb'] },
        { Name: 'instance-state-name', Values: ['running'] }
      ])
    ).resolves.toEqual([[a, 'ami-0aaaaaaaaaaaaaaaa']])
  })
})
