import {
  CreateImageCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type CreateImageCommandInput,
  type EC2Client
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startSim, type Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, staticCredentials, useSimEnv } from './helpers.js'

// CreateImage's checks, one row per rule, through the real EC2 client signing with the static user's keys.

const clock = manualClock()
let sim: Sim
let restoreEnv: () => void
let ec2: EC2Client
let running: string

beforeAll(async () => {
  // Snapshots (and so the image's EBS mappings) from 30 ms on, when a test moves the clock there.
  sim = await startSim({ clock: clock.now, bake: { durationMs: 300 } })
  restoreEnv = useSimEnv(sim)
  ec2 = ec2Client(staticCredentials(sim))
  running = sim.addInstance({ volumes: 2 })
})

afterAll(async () => {
  ec2.destroy()
  restoreEnv()
  await sim.close()
})

const tags = (count: number, make = (i: number) => ({ Key: `k${i}`, Value: 'v' })) => Array.from({ length: count }, (_, i) => make(i))

describe('CreateImage validation', () => {
  it.each<[string, Partial<CreateImageCommandInput> | (() => Partial<CreateImageCommandInput>), string, string]>([
    ['a missing name', { Name: '' }, 'MissingParameter', 'The request must contain the parameter Name'],
    ['a malformed instance id', { InstanceId: 'i-nothex' }, 'InvalidInstanceID.Malformed', 'Invalid id: "i-nothex"'],
    ['an unknown instance', { InstanceId: 'i-0123456789abcdef0' }, 'InvalidInstanceID.NotFound', "The instance ID 'i-0123456789abcdef0' does not exist"],
    ['an instance in another region', () => ({ InstanceId: sim.addInstance({ region: 'eu-west-1' }) }), 'InvalidInstanceID.NotFound', 'does not exist'],
    ['a pending instance', () => ({ InstanceId: sim.addInstance({ state: 'pending' }) }), 'IncorrectInstanceState', 'is not in a state from which it can be imaged'],
    ['a stopping instance', () => ({ InstanceId: sim.addInstance({ state: 'stopping' }) }), 'IncorrectInstanceState', 'stopping'],
    ['a terminated instance', () => ({ InstanceId: sim.addInstance({ state: 'terminated' }) }), 'IncorrectInstanceState', 'terminated'],
    ['a two-character name', { Name: 'ab' }, 'InvalidAMIName.Malformed', 'between 3 and 128 characters'],
    ['a 129-character name', { Name: 'a'.repeat(129) }, 'InvalidAMIName.Malformed', 'between 3 and 128 characters'],
    ['a colon in the name', { Name: 'app:1.2.3' }, 'InvalidAMIName.Malformed', 'may contain letters'],
    ['a 256-character description', { Description: 'd'.repeat(256) }, 'InvalidParameterValue', 'Length exceeds maximum of 255'],
    ['an unknown snapshot location', { SnapshotLocation: 'nowhere' as 'regional' }, 'InvalidParameterValue', 'snapshotLocation'],
    ['an untaggable resource type', { TagSpecifications: [{ ResourceType: 'instance', Tags: tags(1) }] }, 'InvalidParameterValue', "'instance' is not a valid taggable resource type"],
    ['one resource type tagged twice', { TagSpecifications: [{ ResourceType: 'image', Tags: tags(1) }, { ResourceType: 'image', Tags: tags(1) }] }, 'InvalidParameterValue', 'more than once'],
    ['51 tags', { TagSpecifications: [{ ResourceType: 'image', Tags: tags(51) }] }, 'InvalidParameterValue', 'exceeds the limit of 50'],
    ['an aws: tag key', { TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'AWS:owner', Value: 'x' }] }] }, 'InvalidParameterValue', "starting with 'aws:' are reserved"],
    ['a 128-character tag key', { TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'k'.repeat(128), Value: 'x' }] }] }, 'InvalidParameterValue', '1 to 127 characters'],
    ['a 257-character tag value', { TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }] }, 'InvalidParameterValue', 'at most 256 characters'],
    ['a bad device name', { BlockDeviceMappings: [{ DeviceName: '/dev/hda1', Ebs: { VolumeSize: 20 } }] }, 'InvalidBlockDeviceMapping', 'Invalid device name /dev/hda1'],
    ['one device mapped twice', { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20 } }, { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 30 } }] }, 'InvalidBlockDeviceMapping', 'more than one'],
    ['a volume smaller than the source', { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 4 } }] }, 'InvalidBlockDeviceMapping', 'smaller than the 8GiB volume'],
    ['an unknown volume type', { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeType: 'gp9' as 'gp3' } }] }, 'InvalidParameterValue', 'volumeType'],
    ['the root device suppressed', { BlockDeviceMappings: [{ DeviceName: '/dev/xvda', NoDevice: '' }] }, 'InvalidBlockDeviceMapping', 'root device'],
    ['a new volume without a size', { BlockDeviceMappings: [{ DeviceName: '/dev/sdf', Ebs: { VolumeType: 'gp3' } }] }, 'InvalidBlockDeviceMapping', 'size']
  ])('refuses %s', async (_case, change, code, fragment) => {
    const input = { InstanceId: running, Name: 'valid-name', ...(typeof change === 'function' ? change() : change) }
    const error = await rejection(ec2.send(new CreateImageCommand(input)))
    expect(error.name).toBe(code)
    expect(error.message).toContain(fragment)
    expect(error.$metadata?.httpStatusCode).toBe(400)
    expect(sim.calls.at(-1)).toMatchObject({ action: 'CreateImage', status: 400, errorCode: code })
    expect(sim.images()).toEqual([])
  })
})

describe('CreateImage', () => {
  it('answers a DryRun with DryRunOperation (412) and makes nothing', async () => {
    const error = await rejection(ec2.send(new CreateImageCommand({ InstanceId: running, Name: 'dry', DryRun: true })))
    expect(error.name).toBe('DryRunOperation')
    expect(error.message).toBe('Request would have succeeded, but DryRun flag is set.')
    expect(error.$metadata?.httpStatusCode).toBe(412)
    expect(sim.images()).toEqual([])
  })

  it('refuses a name in use until the image holding it is deregistered', async () => {
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: running, Name: 'taken', NoReboot: true }))
    const error = await rejection(ec2.send(new CreateImageCommand({ InstanceId: running, Name: 'taken' })))
    expect(error.name).toBe('InvalidAMIName.Duplicate')
    expect(error.message).toBe(`AMI name taken is already in use by AMI ${ImageId}`)

    await ec2.send(new DeregisterImageCommand({ ImageId }))
    const again = await ec2.send(new CreateImageCommand({ InstanceId: running, Name: 'taken' }))
    expect(again.ImageId).not.toBe(ImageId)
    expect(sim.images().find((i) => i.imageId === ImageId)).toMatchObject({ state: 'deregistered', noReboot: true })
  })

  it('applies block device mappings: resized, suppressed and added volumes; only instance volumes get snapshots', async () => {
    const { ImageId } = await ec2.send(
      new CreateImageCommand({
        InstanceId: running,
        Name: 'mapped',
        SnapshotLocation: 'regional',
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp2', DeleteOnTermination: false } },
          { DeviceName: '/dev/xvdb', NoDevice: '' },
          { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 50 } },
          { DeviceName: '/dev/sdg', VirtualName: 'ephemeral0' }
        ]
      })
    )
    const lookUp = () => ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] }))
    expect((await lookUp()).Images?.[0].BlockDeviceMappings).toEqual([])
    clock.advance(30)
    const { Images } = await lookUp()
    const image = sim.images().find((i) => i.imageId === ImageId)!
    expect(image.snapshotIds).toHaveLength(1)
    expect(image.snapshotLocation).toBe('regional')
    expect(Images![0].BlockDeviceMappings).toEqual([
      { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false, SnapshotId: image.snapshotIds[0], VolumeSize: 20, VolumeType: 'gp2', Encrypted: false } },
      { DeviceName: '/dev/sdf', Ebs: { DeleteOnTermination: true, Iops: 3000, VolumeSize: 50, VolumeType: 'gp3', Throughput: 125, Encrypted: false } },
      { DeviceName: '/dev/sdg', VirtualName: 'ephemeral0' }
    ])
    expect(image.blockDeviceMappings).toEqual(Images![0].BlockDeviceMappings)
  })

  it('keeps each region apart: the signing region decides where the instance is looked up and the image lives', async () => {
    const instanceId = sim.addInstance({ region: 'eu-west-1' })
    const eu = ec2Client(staticCredentials(sim), { region: 'eu-west-1' })
    try {
      const { Reservations } = await eu.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))
      expect(Reservations?.[0].Instances?.[0]).toMatchObject({ InstanceId: instanceId, State: { Name: 'running', Code: 16 } })
      const { ImageId } = await eu.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'mapped' }))
      expect(sim.images().find((i) => i.imageId === ImageId)?.region).toBe('eu-west-1')
      const error = await rejection(ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })))
      expect(error.name).toBe('InvalidAMIID.NotFound')
    } finally {
      eu.destroy()
    }
  })
})
