import {
  CopyImageCommand,
  CreateImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  GetEbsDefaultKmsKeyIdCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  RegisterImageCommand,
  type CopyImageCommandInput,
  type EC2Client
} from '@aws-sdk/client-ec2'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, staticCredentials, type ManualClock } from './helpers.js'

// EBS encryption through the real EC2 client: encrypted instance volumes, the snapshots CreateImage makes of them,
// RegisterImage of an encrypted snapshot, CopyImage's Encrypted / KmsKeyId / SnapshotCopyCompletionDurationMinutes,
// the EBS default key, and the sharing EC2 refuses for snapshots under the AWS managed key.

const ACCOUNT = '123456789012'
const EAST = 'us-east-1'
const WEST = 'eu-west-1'
const PARTNER = '111122223333'
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

/** An available image CreateImage made in us-east-1 of an instance whose volumes use `kmsKeyId` (or none). */
async function bakedImage(kmsKeyId?: string): Promise<string> {
  const instanceId = sim.addInstance({ volumes: 2, kmsKeyId })
  const { ImageId } = await east.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'source' }))
  clock.advance(1000)
  return ImageId!
}

async function copy(client: EC2Client, sourceImageId: string, change: Partial<CopyImageCommandInput> = {}): Promise<string> {
  const { ImageId } = await client.send(new CopyImageCommand({ SourceRegion: EAST, SourceImageId: sourceImageId, Name: 'copy', ...change }))
  return ImageId!
}

/** Each snapshot of an image as DescribeSnapshots shows it: [Encrypted, KmsKeyId]. */
async function snapshotKeys(client: EC2Client, imageId: string): Promise<[boolean | undefined, string | undefined][]> {
  const { Snapshots } = await client.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))
  const ids = sim.images().find((i) => i.imageId === imageId)!.snapshotIds
  return Snapshots!.filter((s) => ids.includes(s.SnapshotId!)).map((s) => [s.Encrypted, s.KmsKeyId])
}

describe('GetEbsDefaultKmsKeyId', () => {
  it('answers alias/aws/ebs until the account sets a key, then that key as it was set, per region', async () => {
    await expect(east.send(new GetEbsDefaultKmsKeyIdCommand({}))).resolves.toMatchObject({ KmsKeyId: 'alias/aws/ebs' })
    const key = sim.addKey({ aliases: ['alias/release'] })
    sim.setEbsDefaultKmsKey(EAST, key.arn)
    await expect(east.send(new GetEbsDefaultKmsKeyIdCommand({}))).resolves.toMatchObject({ KmsKeyId: key.arn })
    await expect(west.send(new GetEbsDefaultKmsKeyIdCommand({}))).resolves.toMatchObject({ KmsKeyId: 'alias/aws/ebs' })
    // Reading it makes no key.
    expect(sim.keys()).toHaveLength(1)
  })

  it('is refused to a caller denied ec2:GetEbsDefaultKmsKeyId', async () => {
    sim.deny({ action: 'ec2:GetEbsDefaultKmsKeyId' })
    const refused = await rejection(east.send(new GetEbsDefaultKmsKeyIdCommand({})))
    expect([refused.name, refused.message]).toEqual(['UnauthorizedOperation', expect.stringContaining('ec2:GetEbsDefaultKmsKeyId')])
  })
})

describe('DescribeVolumes', () => {
  it("shows an instance's volumes, encrypted with its key, by id and by attachment.instance-id", async () => {
    const key = sim.addKey({ aliases: ['alias/release'] })
    const instanceId = sim.addInstance({ volumes: 2, kmsKeyId: 'alias/release' })
    sim.addInstance()
    const { Volumes } = await east.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }))
    expect(Volumes).toHaveLength(2)
    expect(Volumes![0]).toMatchObject({
      Size: 8,
      AvailabilityZone: 'us-east-1a',
      State: 'in-use',
      VolumeType: 'gp3',
      Encrypted: true,
      KmsKeyId: key.arn,
      Attachments: [{ InstanceId: instanceId, Device: '/dev/xvda', State: 'attached', DeleteOnTermination: true, VolumeId: Volumes![0].VolumeId }]
    })
    const byId = await east.send(new DescribeVolumesCommand({ VolumeIds: [Volumes![1].VolumeId!] }))
    expect(byId.Volumes!.map((v) => v.Attachments![0].Device)).toEqual(['/dev/xvdb'])
    // The same ids every time: they belong to the instance.
    const again = await east.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }))
    expect(again.Volumes!.map((v) => v.VolumeId)).toEqual(Volumes!.map((v) => v.VolumeId))
    const all = await east.send(new DescribeVolumesCommand({}))
    expect(all.Volumes!.filter((v) => !v.Encrypted)).toHaveLength(1)
  })

  it('refuses an unknown volume and a caller denied ec2:DescribeVolumes', async () => {
    await expect(rejection(east.send(new DescribeVolumesCommand({ VolumeIds: ['vol-0123456789abcdef0'] })))).resolves.toMatchObject({ name: 'InvalidVolume.NotFound' })
    sim.deny({ action: 'ec2:DescribeVolumes' })
    await expect(rejection(east.send(new DescribeVolumesCommand({})))).resolves.toMatchObject({ name: 'UnauthorizedOperation' })
  })

  it('will not seed an instance with a key that is not there', () => {
    expect(() => sim.addInstance({ kmsKeyId: 'alias/nope' })).toThrow("addInstance: no KMS key 'alias/nope' in us-east-1")
  })
})

describe('encrypted images', () => {
  it("gives CreateImage's snapshots their volume's key; DescribeImages shows them encrypted", async () => {
    const key = sim.addKey({})
    const imageId = await bakedImage(key.keyId)
    await expect(snapshotKeys(east, imageId)).resolves.toEqual([
      [true, key.arn],
      [true, key.arn]
    ])
    const { Images } = await east.send(new DescribeImagesCommand({ ImageIds: [imageId] }))
    expect(Images![0].BlockDeviceMappings!.map((m) => m.Ebs?.Encrypted)).toEqual([true, true])
    expect(sim.snapshots().map((s) => [s.encrypted, s.kmsKeyId])).toEqual([
      [true, key.arn],
      [true, key.arn]
    ])
  })

  it('leaves an unencrypted instance unencrypted', async () => {
    const imageId = await bakedImage()
    await expect(snapshotKeys(east, imageId)).resolves.toEqual([
      [false, undefined],
      [false, undefined]
    ])
  })

  it("registers an image from an encrypted snapshot of the user's, keeping its encryption", async () => {
    const key = sim.addKey({ aliases: ['alias/builder'] })
    const snapshotId = sim.addSnapshot({ kmsKeyId: 'alias/builder' })
    const { ImageId } = await east.send(
      new RegisterImageCommand({ Name: 'registered', RootDeviceName: '/dev/xvda', BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshotId } }] })
    )
    const { Images } = await east.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))
    expect(Images![0].BlockDeviceMappings![0].Ebs).toMatchObject({ SnapshotId: snapshotId, Encrypted: true })
    const { Snapshots } = await east.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))
    expect(Snapshots![0]).toMatchObject({ Encrypted: true, KmsKeyId: key.arn })
  })
})

describe('CopyImage with encryption', () => {
  it('encrypts the copy with KmsKeyId resolved in the destination region, and records what was asked', async () => {
    const sourceId = await bakedImage()
    const westKey = sim.addKey({ region: WEST, aliases: ['alias/release'] })
    sim.addKey({ region: EAST, aliases: ['alias/release'] })
    const copyId = await copy(west, sourceId, { Encrypted: true, KmsKeyId: 'alias/release', SnapshotCopyCompletionDurationMinutes: 60 })
    clock.advance(1000)
    await expect(snapshotKeys(west, copyId)).resolves.toEqual([
      [true, westKey.arn],
      [true, westKey.arn]
    ])
    const copied = sim.images().find((i) => i.imageId === copyId)!
    expect(copied).toMatchObject({ state: 'available', copy: { encrypted: true, kmsKeyId: westKey.arn, completionMinutes: 60 } })
    expect(sim.snapshots().filter((s) => s.imageId === copyId).map((s) => s.description)).toEqual([
      expect.stringMatching(new RegExp(`^Copied for DestinationAmi ${copyId} from SourceAmi ${sourceId} for SourceSnapshot snap-`)),
      expect.stringMatching(/^Copied for DestinationAmi/)
    ])
    expect(sim.calls.find((c) => c.action === 'CopyImage')?.params).toMatchObject({ Encrypted: 'true', KmsKeyId: 'alias/release', SnapshotCopyCompletionDurationMinutes: '60' })
  })

  it('takes every form of key identifier, a multi-Region replica included', async () => {
    const sourceId = await bakedImage()
    const key = sim.addKey({ multiRegion: true, replicaRegions: [WEST], aliases: ['alias/mrk'] })
    const westArn = `arn:aws:kms:${WEST}:${ACCOUNT}:key/${key.keyId}`
    for (const [i, KmsKeyId] of [key.keyId, westArn].entries()) {
      const copyId = await copy(west, sourceId, { Name: `copy-${i}`, Encrypted: true, KmsKeyId })
      clock.advance(1000)
      expect(sim.images().find((image) => image.imageId === copyId)).toMatchObject({ state: 'available', copy: { kmsKeyId: westArn } })
    }
    // The alias is in us-east-1 only; an alias ARN works where the alias is.
    const sameRegion = await copy(east, sourceId, { Name: 'in-place', Encrypted: true, KmsKeyId: `arn:aws:kms:${EAST}:${ACCOUNT}:alias/mrk` })
    clock.advance(1000)
    expect(sim.images().find((image) => image.imageId === sameRegion)).toMatchObject({ state: 'available', sourceRegion: EAST, copy: { kmsKeyId: key.arn } })
  })

  it("encrypts with the destination's EBS default key when no key is named, making alias/aws/ebs's key if need be", async () => {
    const sourceId = await bakedImage()
    const copyId = await copy(west, sourceId, { Encrypted: true })
    clock.advance(1000)
    const managed = sim.keys().find((k) => k.region === WEST && k.keyManager === 'AWS')!
    expect(managed.aliases).toEqual(['alias/aws/ebs'])
    await expect(snapshotKeys(west, copyId)).resolves.toEqual([
      [true, managed.arn],
      [true, managed.arn]
    ])
    const chosen = sim.addKey({ region: WEST })
    sim.setEbsDefaultKmsKey(WEST, chosen.keyId)
    const second = await copy(west, sourceId, { Name: 'copy-2', Encrypted: true })
    expect(sim.images().find((i) => i.imageId === second)?.copy).toEqual({ encrypted: true, kmsKeyId: chosen.arn, completionMinutes: undefined })
  })

  it('keeps an encrypted source encrypted, and leaves an unencrypted one unencrypted without Encrypted', async () => {
    const key = sim.addKey({})
    const encryptedId = await bakedImage(key.arn)
    const copyId = await copy(west, encryptedId)
    clock.advance(1000)
    const managed = sim.keys().find((k) => k.region === WEST && k.keyManager === 'AWS')!
    await expect(snapshotKeys(west, copyId)).resolves.toEqual([
      [true, managed.arn],
      [true, managed.arn]
    ])
    const plainId = sim.addImage({ name: 'plain' })
    const plainCopy = await copy(west, plainId, { Name: 'plain-copy' })
    expect(sim.images().find((i) => i.imageId === plainCopy)?.copy).toEqual({ encrypted: false, kmsKeyId: undefined, completionMinutes: undefined })
  })

  it.each([
    [{ KmsKeyId: 'alias/release' }, 'InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.'],
    [{ KmsKeyId: 'alias/release', Encrypted: false }, 'InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.'],
    [{ SnapshotCopyCompletionDurationMinutes: 10 }, 'InvalidParameterValue', 'snapshotCopyCompletionDurationMinutes'],
    [{ SnapshotCopyCompletionDurationMinutes: 2895 }, 'InvalidParameterValue', 'snapshotCopyCompletionDurationMinutes'],
    [{ SnapshotCopyCompletionDurationMinutes: 50 }, 'InvalidParameterValue', 'Expected a multiple of 15 from 15 to 2880']
  ])('refuses %j with %s', async (change, code, message) => {
    const sourceId = await bakedImage()
    const refused = await rejection(copy(west, sourceId, change))
    expect([refused.name, refused.message]).toEqual([code, expect.stringContaining(message)])
    expect(sim.images()).toHaveLength(1)
  })

  it('refuses an unencrypted copy of an encrypted image', async () => {
    const sourceId = await bakedImage(sim.addKey({}).keyId)
    const refused = await rejection(copy(west, sourceId, { Encrypted: false }))
    expect([refused.name, refused.message]).toEqual([
      'InvalidRequest',
      expect.stringMatching(/^Snapshot snap-[0-9a-f]{17} is encrypted\. Creating unencrypted copy from an encrypted snapshot is not supported\.$/)
    ])
  })

  it.each([
    ['a key that is not in the destination region', () => sim.addKey({ region: EAST }).arn],
    ['an unknown alias', () => 'alias/typo'],
    ['a disabled key', () => sim.addKey({ region: WEST, state: 'Disabled' }).keyId],
    ['a key pending deletion', () => sim.addKey({ region: WEST, state: 'PendingDeletion' }).keyId],
    ['an asymmetric key', () => sim.addKey({ region: WEST, keySpec: 'RSA_2048' }).keyId]
  ])('accepts %s, then fails the copy before it makes any snapshot', async (_, keyOf) => {
    const sourceId = await bakedImage()
    const KmsKeyId = keyOf()
    const copyId = await copy(west, sourceId, { Encrypted: true, KmsKeyId })
    clock.advance(1000)
    const { Images } = await west.send(new DescribeImagesCommand({ ImageIds: [copyId] }))
    expect(Images![0]).toMatchObject({ State: 'failed', StateReason: { Code: 'Server.InternalError', Message: 'Copy image failed with an internal error.' } })
    expect(sim.snapshots().filter((s) => s.region === WEST)).toEqual([])
  })
})

describe('sharing what the AWS managed key encrypts', () => {
  it('refuses to share a snapshot under the AWS managed key, and allows one under a customer managed key', async () => {
    const managed = sim.addSnapshot({ kmsKeyId: 'alias/aws/ebs' })
    const refused = await rejection(east.send(new ModifySnapshotAttributeCommand({ SnapshotId: managed, CreateVolumePermission: { Add: [{ UserId: PARTNER }] } })))
    expect([refused.name, refused.message, refused.$metadata?.httpStatusCode]).toEqual([
      'OperationNotPermitted',
      'Encrypted snapshots with EBS default key cannot be shared',
      400
    ])
    // Taking a grant back is never refused.
    await east.send(new ModifySnapshotAttributeCommand({ SnapshotId: managed, CreateVolumePermission: { Remove: [{ UserId: PARTNER }] } }))
    const own = sim.addSnapshot({ kmsKeyId: sim.addKey({}).keyId })
    await east.send(new ModifySnapshotAttributeCommand({ SnapshotId: own, CreateVolumePermission: { Add: [{ UserId: PARTNER }] } }))
    expect(sim.snapshots().find((s) => s.snapshotId === own)?.createVolumePermissions).toEqual([{ UserId: PARTNER }])
  })

  it('refuses to share an image whose snapshots use the AWS managed key', async () => {
    const imageId = await bakedImage('alias/aws/ebs')
    const refused = await rejection(east.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: PARTNER }] } })))
    expect([refused.name, refused.message]).toEqual(['InvalidParameter', "Snapshots encrypted with the AWS Managed CMK can't be shared. Specify another snapshot."])
    const customer = sim.addKey({})
    const copyId = await copy(east, imageId, { Name: 're-encrypted', Encrypted: true, KmsKeyId: customer.keyId })
    clock.advance(1000)
    await east.send(new ModifyImageAttributeCommand({ ImageId: copyId, LaunchPermission: { Add: [{ UserId: PARTNER }] } }))
    expect(sim.images().find((i) => i.imageId === copyId)?.launchPermissions).toEqual([{ UserId: PARTNER }])
  })
})
