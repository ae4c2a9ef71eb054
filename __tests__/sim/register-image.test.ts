import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  RegisterImageCommand,
  type EC2Client,
  type RegisterImageCommandInput
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startSim, type Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, staticCredentials, useSimEnv } from './helpers.js'

// RegisterImage from a user's snapshot: EC2's checks one row per rule, what DescribeImages shows of the registered
// image, and that deregistering it leaves the snapshot alone unless DeleteAssociatedSnapshots is asked for.

const clock = manualClock()
let sim: Sim
let restoreEnv: () => void
let ec2: EC2Client
let snapshot: string
let names = 0

beforeAll(async () => {
  sim = await startSim({ clock: clock.now, bake: { durationMs: 300 } })
  restoreEnv = useSimEnv(sim)
  ec2 = ec2Client(staticCredentials(sim))
  snapshot = sim.addSnapshot({ sizeGiB: 10 })
})

afterAll(async () => {
  ec2.destroy()
  restoreEnv()
  await sim.close()
})

/** A valid request from `snapshot` under a fresh name, with `change` on top. */
function request(change: Partial<RegisterImageCommandInput> = {}): RegisterImageCommandInput {
  return {
    Name: `registered-${++names}`,
    RootDeviceName: '/dev/xvda',
    VirtualizationType: 'hvm',
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshot, VolumeType: 'gp3', DeleteOnTermination: true } }],
    ...change
  }
}

/** The root mapping from `snapshot` with `ebs` on top; a table row calls it when it runs, once `snapshot` exists. */
const root = (ebs: Record<string, unknown>) => ({ BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshot, ...ebs } }] })

describe('RegisterImage validation', () => {
  it.each<[string, Partial<RegisterImageCommandInput> | (() => Partial<RegisterImageCommandInput>), string, string]>([
    ['a missing name', { Name: '' }, 'MissingParameter', 'The request must contain the parameter Name'],
    ['a malformed name', { Name: 'app:1' }, 'InvalidAMIName.Malformed', 'between 3 and 128 characters'],
    ['an unknown architecture', { Architecture: 'sparc' as 'arm64' }, 'InvalidParameterValue', 'parameter architecture'],
    ['an unknown boot mode', { BootMode: 'bios' as 'uefi' }, 'InvalidParameterValue', 'parameter bootMode'],
    ['an unknown virtualization type', { VirtualizationType: 'pv' }, 'InvalidParameterValue', 'parameter virtualizationType'],
    ['TPM without a boot mode', { TpmSupport: 'v2.0' }, 'InvalidParameterCombination', 'requires the boot mode uefi'],
    ['TPM with uefi-preferred', { TpmSupport: 'v2.0', BootMode: 'uefi-preferred' }, 'InvalidParameterCombination', 'requires the boot mode uefi'],
    ['tags for the snapshots', { TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'k', Value: 'v' }] }] }, 'InvalidParameterValue', "'snapshot' is not a valid taggable resource type"],
    ['no mapping for the root device', { RootDeviceName: '/dev/sda1' }, 'InvalidBlockDeviceMapping', 'The root device /dev/sda1 needs a block device mapping'],
    ['a malformed snapshot id', root({ SnapshotId: 'snap-nothex' }), 'InvalidSnapshotID.Malformed', 'snap-nothex'],
    ['an unknown snapshot', root({ SnapshotId: 'snap-0123456789abcdef0' }), 'InvalidSnapshot.NotFound', "The snapshot 'snap-0123456789abcdef0' does not exist."],
    ['a snapshot in another region', () => root({ SnapshotId: sim.addSnapshot({ region: 'eu-west-1' }) }), 'InvalidSnapshot.NotFound', 'does not exist'],
    ['a pending snapshot', () => root({ SnapshotId: sim.addSnapshot({ state: 'pending', progress: 40 }) }), 'IncorrectState', "is not 'completed' (it is 'pending')"],
    ['a snapshot in error', () => root({ SnapshotId: sim.addSnapshot({ state: 'error' }) }), 'IncorrectState', "(it is 'error')"],
    ['a root volume smaller than the snapshot', () => root({ VolumeSize: 9 }), 'InvalidBlockDeviceMapping', 'expect size >= 10GiB'],
    ['an st1 root volume', () => root({ VolumeType: 'st1' }), 'InvalidBlockDeviceMapping', 'cannot boot from st1 or sc1'],
    ['an sc1 root volume', () => root({ VolumeType: 'sc1' }), 'InvalidBlockDeviceMapping', 'cannot boot from st1 or sc1']
  ])('refuses %s', async (_, change, code, message) => {
    const before = sim.images().length
    const error = await rejection(ec2.send(new RegisterImageCommand(request(typeof change === 'function' ? change() : change))))
    expect({ name: error.name, status: error.$metadata?.httpStatusCode }).toEqual({ name: code, status: 400 })
    expect(error.message).toContain(message)
    expect(sim.images()).toHaveLength(before)
  })

  it('refuses a name already in use, by CreateImage or RegisterImage', async () => {
    const first = request()
    await ec2.send(new RegisterImageCommand(first))
    const error = await rejection(ec2.send(new RegisterImageCommand(request({ Name: first.Name }))))
    expect(error.name).toBe('InvalidAMIName.Duplicate')
    expect(error.message).toMatch(new RegExp(`AMI name ${first.Name} is already in use by AMI ami-[0-9a-f]{17}`))
  })

  it('answers a permitted DryRun with DryRunOperation and makes nothing', async () => {
    const before = sim.images().length
    const error = await rejection(ec2.send(new RegisterImageCommand(request({ DryRun: true }))))
    expect({ name: error.name, status: error.$metadata?.httpStatusCode }).toEqual({ name: 'DryRunOperation', status: 412 })
    expect(sim.images()).toHaveLength(before)
  })
})

describe('a registered image', () => {
  it('goes over the wire with the parameters the SDK sends, and shows them in DescribeImages', async () => {
    const { ImageId } = await ec2.send(
      new RegisterImageCommand({
        Name: 'arm-uefi',
        Description: 'from a builder',
        Architecture: 'arm64',
        RootDeviceName: '/dev/xvda',
        VirtualizationType: 'hvm',
        BootMode: 'uefi',
        EnaSupport: true,
        TpmSupport: 'v2.0',
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshot, VolumeType: 'gp3', VolumeSize: 20, DeleteOnTermination: true } },
          { DeviceName: '/dev/sdb', Ebs: { VolumeSize: 50, VolumeType: 'gp2' } }
        ],
        TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'app', Value: 'web' }] }]
      })
    )
    expect(sim.calls.at(-1)?.params).toEqual({
      Version: '2016-11-15',
      Name: 'arm-uefi',
      Description: 'from a builder',
      Architecture: 'arm64',
      RootDeviceName: '/dev/xvda',
      VirtualizationType: 'hvm',
      BootMode: 'uefi',
      EnaSupport: 'true',
      TpmSupport: 'v2.0',
      'BlockDeviceMapping.1.DeviceName': '/dev/xvda',
      'BlockDeviceMapping.1.Ebs.SnapshotId': snapshot,
      'BlockDeviceMapping.1.Ebs.VolumeType': 'gp3',
      'BlockDeviceMapping.1.Ebs.VolumeSize': '20',
      'BlockDeviceMapping.1.Ebs.DeleteOnTermination': 'true',
      'BlockDeviceMapping.2.DeviceName': '/dev/sdb',
      'BlockDeviceMapping.2.Ebs.VolumeSize': '50',
      'BlockDeviceMapping.2.Ebs.VolumeType': 'gp2',
      'TagSpecification.1.ResourceType': 'image',
      'TagSpecification.1.Tag.1.Key': 'app',
      'TagSpecification.1.Tag.1.Value': 'web'
    })

    // Pending on the bake timeline, with its mappings at once: the snapshot existed before the image.
    const describe = async () => (await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images?.[0]
    expect(await describe()).toMatchObject({
      State: 'pending',
      Architecture: 'arm64',
      BootMode: 'uefi',
      TpmSupport: 'v2.0',
      EnaSupport: true,
      VirtualizationType: 'hvm',
      RootDeviceName: '/dev/xvda',
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { SnapshotId: snapshot, VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true, Iops: 3000, Throughput: 125 } },
        { DeviceName: '/dev/sdb', Ebs: { VolumeSize: 50, VolumeType: 'gp2', DeleteOnTermination: true } }
      ],
      Tags: [{ Key: 'app', Value: 'web' }]
    })
    expect((await describe())?.SourceInstanceId).toBeUndefined()
    clock.advance(300)
    expect(await describe()).toMatchObject({ State: 'available' })
    expect(sim.images().find((image) => image.imageId === ImageId)).toMatchObject({
      madeBy: 'RegisterImage',
      instanceId: undefined,
      architecture: 'arm64',
      bootMode: 'uefi',
      tpmSupport: 'v2.0',
      enaSupport: true,
      snapshotIds: []
    })
    // The user's snapshot is not the image's: it has no imageId and keeps its state.
    expect(sim.snapshots().find((s) => s.snapshotId === snapshot)).toMatchObject({ imageId: undefined, state: 'completed', progress: 100, deleted: false })
  })

  it('fails on its bake timeline like a made one', async () => {
    sim.nextBake({ durationMs: 400, fail: { afterMs: 100, code: 'Client.InvalidSnapshot', message: 'bad disk' } })
    const { ImageId } = await ec2.send(new RegisterImageCommand(request()))
    clock.advance(100)
    const [image] = (await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))).Images ?? []
    expect(image).toMatchObject({ State: 'failed', StateReason: { Code: 'Client.InvalidSnapshot', Message: 'bad disk' } })
  })

  it('holds its snapshot while registered: DeleteSnapshot is InUse', async () => {
    const own = sim.addSnapshot()
    const { ImageId } = await ec2.send(new RegisterImageCommand(request(root({ SnapshotId: own }))))
    const error = await rejection(ec2.send(new DeleteSnapshotCommand({ SnapshotId: own })))
    expect(error.name).toBe('InvalidSnapshot.InUse')
    expect(error.message).toContain(ImageId!)
  })

  it('leaves the snapshot in place when deregistered without DeleteAssociatedSnapshots', async () => {
    const own = sim.addSnapshot()
    const { ImageId } = await ec2.send(new RegisterImageCommand(request(root({ SnapshotId: own }))))
    await ec2.send(new DeregisterImageCommand({ ImageId }))
    const { Snapshots } = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [own] }))
    expect(Snapshots?.map((s) => s.State)).toEqual(['completed'])
  })

  it('deletes the snapshot it was registered from when DeregisterImage asks for DeleteAssociatedSnapshots, as AWS does', async () => {
    const own = sim.addSnapshot()
    const { ImageId } = await ec2.send(new RegisterImageCommand(request(root({ SnapshotId: own }))))
    const result = await ec2.send(new DeregisterImageCommand({ ImageId, DeleteAssociatedSnapshots: true }))
    expect(result.DeleteSnapshotResults).toEqual([{ SnapshotId: own, ReturnCode: 'success' }])
    expect(sim.snapshots().find((s) => s.snapshotId === own)).toMatchObject({ deleted: true })
  })
})
