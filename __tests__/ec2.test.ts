import {
  CopyImageCommand,
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeImageReferencesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  RegisterImageCommand
} from '@aws-sdk/client-ec2'
import { ConfiguredRetryStrategy } from '@smithy/core/retry'
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mockClient } from 'aws-sdk-client-mock'
import { Readable } from 'node:stream'
import { CREATION_SLACK_MS } from '../src/attempts.js'
import { ec2, type Ec2, type ImageRequest, type RegisterRequest } from '../src/ec2/index.js'
import { AwsError } from '../src/errors.js'

const REGION = 'eu-west-1'
const PRINCIPAL = 'role arn:aws:iam::123456789012:role/bake-ami (session bake-ami)'
const IMAGE_ID = 'ami-0fedcba9876543210'

const REQUEST: ImageRequest = {
  instanceId: 'i-0123456789abcdef0',
  name: 'web-main-42',
  description: 'web image from main',
  noReboot: true,
  tags: [
    { key: 'Team', value: 'images' },
    { key: 'Commit', value: 'a1b2c3d' }
  ],
  snapshotTags: [
    { key: 'Team', value: 'images' },
    { key: 'Commit', value: 'a1b2c3d' }
  ],
  blockDeviceMappings: [{ DeviceName: '/dev/sdb', Ebs: { VolumeSize: 100, VolumeType: 'gp3' } }],
  snapshotLocation: 'local'
}

/** The minimum: no tags, no mappings, no description. */
const BARE: ImageRequest = {
  instanceId: 'i-0123456789abcdef0',
  name: 'web-main-42',
  description: '',
  noReboot: false,
  tags: [],
  snapshotTags: [],
  blockDeviceMappings: []
}

/** An error shaped like the SDK's: the code in `name`. */
function sdkError(code: string, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: 400 } })
}

const mock = mockClient(EC2Client)
let renewals: number

function connect(renew = true): Ec2 {
  return ec2({
    region: REGION,
    principal: PRINCIPAL,
    client: new EC2Client({ region: REGION, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }),
    renewCredentials: renew ? () => void renewals++ : undefined
  })
}

/** Awaits a promise that must reject with an `AwsError`, and returns it. */
async function awsError(promise: Promise<unknown>): Promise<AwsError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown
  )
  expect(error).toBeInstanceOf(AwsError)
  return error as AwsError
}

beforeEach(() => {
  mock.reset()
  renewals = 0
})

describe('createImage', () => {
  it('maps every field of the request, tagging the image and its snapshots', async () => {
    mock.on(CreateImageCommand).resolvesOnce({ ImageId: IMAGE_ID })
    await expect(connect().createImage(REQUEST)).resolves.toBe(IMAGE_ID)
    const tags = [
      { Key: 'Team', Value: 'images' },
      { Key: 'Commit', Value: 'a1b2c3d' }
    ]
    expect(mock.commandCalls(CreateImageCommand).map(call => call.args[0].input)).toEqual([
      {
        InstanceId: 'i-0123456789abcdef0',
        Name: 'web-main-42',
        Description: 'web image from main',
        NoReboot: true,
        TagSpecifications: [
          { ResourceType: 'image', Tags: tags },
          { ResourceType: 'snapshot', Tags: tags }
        ],
        BlockDeviceMappings: [{ DeviceName: '/dev/sdb', Ebs: { VolumeSize: 100, VolumeType: 'gp3' } }],
        SnapshotLocation: 'local'
      }
    ])
  })

  it('tags only the image when there are no snapshot tags', async () => {
    mock.on(CreateImageCommand).resolvesOnce({ ImageId: IMAGE_ID })
    await connect().createImage({ ...REQUEST, snapshotTags: [] })
    expect(mock.commandCalls(CreateImageCommand)[0].args[0].input.TagSpecifications).toStrictEqual([
      {
        ResourceType: 'image',
        Tags: [
          { Key: 'Team', Value: 'images' },
          { Key: 'Commit', Value: 'a1b2c3d' }
        ]
      }
    ])
  })

  it('leaves out tags, mappings, description, location and DryRun when there are none', async () => {
    mock.on(CreateImageCommand).resolvesOnce({ ImageId: IMAGE_ID })
    await connect().createImage(BARE)
    const input = mock.commandCalls(CreateImageCommand)[0].args[0].input
    expect(input).toEqual({ InstanceId: 'i-0123456789abcdef0', Name: 'web-main-42', NoReboot: false })
    expect(Object.entries(input).filter(([, value]) => value !== undefined).map(([key]) => key)).toStrictEqual([
      'InstanceId',
      'Name',
      'NoReboot'
    ])
  })

  it('fails when EC2 answers without an image id', async () => {
    mock.on(CreateImageCommand).resolvesOnce({})
    await expect(connect().createImage(BARE)).rejects.toThrow('CreateImage in eu-west-1 answered without an image id')
  })

  it('translates a duplicate name, naming the image name and region', async () => {
    mock.on(CreateImageCommand).rejectsOnce(sdkError('InvalidAMIName.Duplicate', 'AMI name web-main-42 is already in use by AMI ami-0aaa1111bbbb22223'))
    const error = await awsError(connect().createImage(BARE))
    expect([error.operation, error.code]).toStrictEqual(['CreateImage', 'InvalidAMIName.Duplicate'])
    expect(error.message).toContain("An AMI named 'web-main-42' already exists in eu-west-1 (ami-0aaa1111bbbb22223)")
  })

  it('translates an unknown instance, naming the instance and region', async () => {
    mock.on(CreateImageCommand).rejectsOnce(sdkError('InvalidInstanceID.NotFound'))
    const error = await awsError(connect().createImage(BARE))
    expect(error.message).toContain('Instance i-0123456789abcdef0 was not found in eu-west-1.')
    expect(mock.commandCalls(CreateImageCommand)).toHaveLength(1)
  })
})

const SNAPSHOT_ID = 'snap-0123456789abcdef0'

const REGISTER: RegisterRequest = {
  snapshotId: SNAPSHOT_ID,
  architecture: 'arm64',
  rootDeviceName: '/dev/xvda',
  virtualizationType: 'hvm',
  bootMode: 'uefi',
  enaSupport: true,
  tpmSupport: 'v2.0',
  rootVolumeSize: 20,
  rootVolumeType: 'gp3',
  name: 'web-main-42',
  description: 'web image from main',
  tags: [{ key: 'Team', value: 'images' }],
  blockDeviceMappings: [{ DeviceName: '/dev/sdb', Ebs: { VolumeSize: 100, VolumeType: 'gp3' } }]
}

describe('registerImage', () => {
  it('sends the root mapping from the snapshot, then the given mappings, and tags only the image', async () => {
    mock.on(RegisterImageCommand).resolvesOnce({ ImageId: IMAGE_ID })
    await expect(connect().registerImage(REGISTER)).resolves.toBe(IMAGE_ID)
    expect(mock.commandCalls(RegisterImageCommand).map(call => call.args[0].input)).toEqual([
      {
        Name: 'web-main-42',
        Description: 'web image from main',
        Architecture: 'arm64',
        RootDeviceName: '/dev/xvda',
        VirtualizationType: 'hvm',
        BootMode: 'uefi',
        EnaSupport: true,
        TpmSupport: 'v2.0',
        BlockDeviceMappings: [
          { DeviceName: '/dev/xvda', Ebs: { SnapshotId: SNAPSHOT_ID, VolumeType: 'gp3', VolumeSize: 20, DeleteOnTermination: true } },
          { DeviceName: '/dev/sdb', Ebs: { VolumeSize: 100, VolumeType: 'gp3' } }
        ],
        TagSpecifications: [{ ResourceType: 'image', Tags: [{ Key: 'Team', Value: 'images' }] }]
      }
    ])
  })

  it('leaves out what is not set: description, boot mode, TPM, root size, tags, DryRun', async () => {
    mock.on(RegisterImageCommand).resolvesOnce({ ImageId: IMAGE_ID })
    const bare = { ...REGISTER, description: '', bootMode: undefined, tpmSupport: undefined, rootVolumeSize: undefined, tags: [], blockDeviceMappings: [] }
    await connect().registerImage(bare)
    const [call] = mock.commandCalls(RegisterImageCommand)
    expect(JSON.parse(JSON.stringify(call.args[0].input))).toEqual({
      Name: 'web-main-42',
      Architecture: 'arm64',
      RootDeviceName: '/dev/xvda',
      VirtualizationType: 'hvm',
      EnaSupport: true,
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { SnapshotId: SNAPSHOT_ID, VolumeType: 'gp3', DeleteOnTermination: true } }]
    })
  })

  it('translates an unknown snapshot, naming the snapshot and the region', async () => {
    mock.on(RegisterImageCommand).rejectsOnce(sdkError('InvalidSnapshot.NotFound', `The snapshot '${SNAPSHOT_ID}' does not exist.`))
    const error = await connect().registerImage(REGISTER).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AwsError)
    expect(error).toMatchObject({ operation: 'RegisterImage', code: 'InvalidSnapshot.NotFound' })
    expect((error as Error).message).toContain(`Snapshot ${SNAPSHOT_ID} was not found in ${REGION}. Check 'snapshot-id' and 'aws-region'`)
  })

  it('names ec2:RegisterImage when it is denied', async () => {
    mock.on(RegisterImageCommand).rejectsOnce(sdkError('UnauthorizedOperation', 'You are not authorized to perform this operation.'))
    await expect(connect().registerImage(REGISTER)).rejects.toThrow(`${PRINCIPAL} is not allowed to call ec2:RegisterImage in ${REGION}`)
  })

  it('says which inputs make the block device mappings EC2 refused', async () => {
    mock.on(RegisterImageCommand).rejectsOnce(sdkError('InvalidBlockDeviceMapping', 'Volume of size 4GiB is smaller than snapshot'))
    await expect(connect().registerImage(REGISTER)).rejects.toThrow("the root from 'snapshot-id', 'root-volume-size' and 'root-volume-type', then 'block-device-mappings'")
  })
})

describe('checkRegisterImage', () => {
  it('sends the same request with DryRun and resolves on DryRunOperation', async () => {
    mock.on(RegisterImageCommand).rejectsOnce(sdkError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.'))
    await expect(connect().checkRegisterImage(REGISTER)).resolves.toBeUndefined()
    expect(mock.commandCalls(RegisterImageCommand)[0].args[0].input).toMatchObject({ DryRun: true, Name: 'web-main-42', TpmSupport: 'v2.0' })
  })
})

describe('describeSourceSnapshot', () => {
  it('gives its state, progress and size', async () => {
    mock.on(DescribeSnapshotsCommand).resolvesOnce({ Snapshots: [{ SnapshotId: SNAPSHOT_ID, State: 'pending', Progress: '45%', VolumeSize: 16 }] })
    await expect(connect().describeSourceSnapshot(SNAPSHOT_ID)).resolves.toStrictEqual({ snapshotId: SNAPSHOT_ID, state: 'pending', progress: 45, sizeGiB: 16 })
    expect(mock.commandCalls(DescribeSnapshotsCommand)[0].args[0].input).toEqual({ SnapshotIds: [SNAPSHOT_ID] })
  })

  it.each([
    ['EC2 answers NotFound', () => mock.on(DescribeSnapshotsCommand).rejectsOnce(sdkError('InvalidSnapshot.NotFound', `The snapshot '${SNAPSHOT_ID}' does not exist.`))],
    ['EC2 lists nothing', () => mock.on(DescribeSnapshotsCommand).resolvesOnce({ Snapshots: [] })]
  ])('says the snapshot was not found in the region when %s', async (_, answer) => {
    answer()
    const error = await connect().describeSourceSnapshot(SNAPSHOT_ID).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AwsError)
    expect((error as AwsError).code).toBe('InvalidSnapshot.NotFound')
    expect((error as Error).message).toBe(
      `Snapshot ${SNAPSHOT_ID} was not found in ${REGION}. Check 'snapshot-id' and 'aws-region': the snapshot must be in the region the action uses, ` +
        `owned by or shared with the account of ${PRINCIPAL}. Nothing was registered.`
    )
  })
})

describe('checkCreateImage', () => {
  it('sends the same request with DryRun and resolves on DryRunOperation', async () => {
    mock.on(CreateImageCommand).rejectsOnce(sdkError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.'))
    await expect(connect().checkCreateImage(REQUEST)).resolves.toBeUndefined()
    const input = mock.commandCalls(CreateImageCommand)[0].args[0].input
    expect(input.DryRun).toBe(true)
    expect(input.InstanceId).toBe('i-0123456789abcdef0')
    expect(input.TagSpecifications).toHaveLength(2)
  })

  it('throws the translated denial on UnauthorizedOperation', async () => {
    mock.on(CreateImageCommand).rejectsOnce(sdkError('UnauthorizedOperation', 'You are not authorized to perform this operation.'))
    const error = await awsError(connect().checkCreateImage(REQUEST))
    expect([error.operation, error.code]).toStrictEqual(['CreateImage', 'UnauthorizedOperation'])
    expect(error.message).toBe(
      `${PRINCIPAL} is not allowed to call ec2:CreateImage in eu-west-1. ` +
        `Add "ec2:CreateImage" to the Action list of the role's permission policy (README: IAM permissions).`
    )
  })
})

describe('describeImage', () => {
  it('maps state, state reason and the snapshot ids of EBS mappings', async () => {
    mock.on(DescribeImagesCommand).resolvesOnce({
      Images: [
        {
          ImageId: IMAGE_ID,
          State: 'failed',
          StateReason: { Code: 'Client.InternalError', Message: 'snapshot failed' },
          BlockDeviceMappings: [
            { DeviceName: '/dev/xvda', Ebs: { SnapshotId: 'snap-0aaa' } },
            { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' },
            { DeviceName: '/dev/sdc', Ebs: { VolumeSize: 8 } },
            { DeviceName: '/dev/sdd', Ebs: { SnapshotId: 'snap-0bbb' } }
          ]
        }
      ]
    })
    await expect(connect().describeImage(IMAGE_ID)).resolves.toStrictEqual({
      state: 'failed',
      stateReason: { code: 'Client.InternalError', message: 'snapshot failed' },
      snapshotIds: ['snap-0aaa', 'snap-0bbb']
    })
    expect(mock.commandCalls(DescribeImagesCommand)[0].args[0].input).toStrictEqual({ ImageIds: [IMAGE_ID] })
  })

  it('calls an image without a state pending and without mappings snapshot-less', async () => {
    mock.on(DescribeImagesCommand).resolvesOnce({ Images: [{ ImageId: IMAGE_ID }] })
    await expect(connect().describeImage(IMAGE_ID)).resolves.toStrictEqual({
      state: 'pending',
      stateReason: undefined,
      snapshotIds: []
    })
  })

  it('returns undefined on InvalidAMIID.NotFound', async () => {
    mock.on(DescribeImagesCommand).rejectsOnce(sdkError('InvalidAMIID.NotFound'))
    await expect(connect().describeImage(IMAGE_ID)).resolves.toBeUndefined()
  })

  it('returns undefined when EC2 lists no image', async () => {
    mock.on(DescribeImagesCommand).resolvesOnce({ Images: [] })
    await expect(connect().describeImage(IMAGE_ID)).resolves.toBeUndefined()
  })

  it('translates other errors', async () => {
    mock.on(DescribeImagesCommand).rejectsOnce(sdkError('UnauthorizedOperation'))
    const error = await awsError(connect().describeImage(IMAGE_ID))
    expect(error.message).toContain('not allowed to call ec2:DescribeImages in eu-west-1')
  })
})

describe('imageReferences', () => {
  it('asks for at most 10 images a call, reads every page, and gathers the ARNs by image', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `ami-${String(i).padStart(17, '0')}`)
    const arn = (n: number) => `arn:aws:ec2:eu-west-1:123456789012:instance/i-${n}`
    mock
      .on(DescribeImageReferencesCommand)
      .resolvesOnce({ ImageReferences: [{ ImageId: ids[0], Arn: arn(1), ResourceType: 'ec2:Instance' }], NextToken: 'more' })
      .resolvesOnce({ ImageReferences: [{ ImageId: ids[0], Arn: arn(2), ResourceType: 'ec2:Instance' }] })
      .resolvesOnce({ ImageReferences: [] })
      .resolvesOnce({ ImageReferences: [{ ImageId: ids[24], Arn: arn(3), ResourceType: 'ec2:Instance' }] })
    const references = await connect().imageReferences(ids)
    expect([...references]).toStrictEqual([
      [ids[0], [arn(1), arn(2)]],
      [ids[24], [arn(3)]]
    ])
    const sent = mock.commandCalls(DescribeImageReferencesCommand).map(call => call.args[0].input)
    expect(sent.map(input => [input.ImageIds?.length, input.IncludeAllResourceTypes, input.NextToken])).toStrictEqual([
      [10, true, undefined],
      [10, true, 'more'],
      [10, true, undefined],
      [5, true, undefined]
    ])
  })
})

describe('describeSnapshots', () => {
  it('parses state and progress', async () => {
    mock.on(DescribeSnapshotsCommand).resolvesOnce({
      Snapshots: [
        { SnapshotId: 'snap-0aaa', State: 'pending', Progress: '45%' },
        { SnapshotId: 'snap-0bbb', State: 'completed', Progress: '100%' },
        { SnapshotId: 'snap-0ccc' }
      ]
    })
    await expect(connect().describeSnapshots(['snap-0aaa', 'snap-0bbb', 'snap-0ccc'])).resolves.toStrictEqual([
      { snapshotId: 'snap-0aaa', state: 'pending', progress: 45 },
      { snapshotId: 'snap-0bbb', state: 'completed', progress: 100 },
      { snapshotId: 'snap-0ccc', state: 'pending', progress: 0 }
    ])
    // A filter, not SnapshotIds: a snapshot EC2 lists in the image but does not show yet is progress unknown, not an error.
    expect(mock.commandCalls(DescribeSnapshotsCommand)[0].args[0].input).toStrictEqual({
      OwnerIds: ['self'],
      Filters: [{ Name: 'snapshot-id', Values: ['snap-0aaa', 'snap-0bbb', 'snap-0ccc'] }],
      NextToken: undefined
    })
  })

  it('asks for at most 200 snapshots a call, as EC2 allows in one filter', async () => {
    mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] })
    const ids = Array.from({ length: 450 }, (_, i) => `snap-${i}`)
    await connect().describeSnapshots(ids)
    const sent = mock.commandCalls(DescribeSnapshotsCommand).map(call => call.args[0].input.Filters?.[0].Values?.length)
    expect(sent).toStrictEqual([200, 200, 50])
  })

  it('asks nothing for no snapshots', async () => {
    await expect(connect().describeSnapshots([])).resolves.toStrictEqual([])
    expect(mock.calls()).toHaveLength(0)
  })
})

describe('findSnapshotsOf', () => {
  it('filters own snapshots by the description CreateImage or CopyImage gives them', async () => {
    mock.on(DescribeSnapshotsCommand).resolvesOnce({ Snapshots: [{ SnapshotId: 'snap-0aaa' }, {}, { SnapshotId: 'snap-0bbb' }] })
    await expect(connect().findSnapshotsOf(IMAGE_ID)).resolves.toStrictEqual(['snap-0aaa', 'snap-0bbb'])
    expect(mock.commandCalls(DescribeSnapshotsCommand)[0].args[0].input).toStrictEqual({
      OwnerIds: ['self'],
      Filters: [{ Name: 'description', Values: [`*for ${IMAGE_ID} *`, `*for ${IMAGE_ID}`, `*DestinationAmi ${IMAGE_ID} *`] }]
    })
  })

  it('finds none when EC2 lists none', async () => {
    mock.on(DescribeSnapshotsCommand).resolvesOnce({})
    await expect(connect().findSnapshotsOf(IMAGE_ID)).resolves.toStrictEqual([])
  })
})

describe('deregisterImage', () => {
  it('returns true when it deregistered the image', async () => {
    mock.on(DeregisterImageCommand).resolvesOnce({})
    await expect(connect().deregisterImage(IMAGE_ID)).resolves.toBe(true)
    expect(mock.commandCalls(DeregisterImageCommand)[0].args[0].input).toStrictEqual({ ImageId: IMAGE_ID })
  })

  // Unavailable: deregistered a short while ago (main did it, post tries again); NotFound: long gone.
  it.each(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'])('returns false when the image was already gone (%s)', async code => {
    mock.on(DeregisterImageCommand).rejectsOnce(sdkError(code))
    await expect(connect().deregisterImage(IMAGE_ID)).resolves.toBe(false)
  })

  it('translates other errors', async () => {
    mock.on(DeregisterImageCommand).rejectsOnce(sdkError('UnauthorizedOperation'))
    const error = await awsError(connect().deregisterImage(IMAGE_ID))
    expect([error.operation, error.code]).toStrictEqual(['DeregisterImage', 'UnauthorizedOperation'])
  })
})

describe('deleteSnapshot', () => {
  it('returns true when it deleted the snapshot', async () => {
    mock.on(DeleteSnapshotCommand).resolvesOnce({})
    await expect(connect().deleteSnapshot('snap-0aaa')).resolves.toBe(true)
    expect(mock.commandCalls(DeleteSnapshotCommand)[0].args[0].input).toStrictEqual({ SnapshotId: 'snap-0aaa' })
  })

  it('returns false when the snapshot was already gone', async () => {
    mock.on(DeleteSnapshotCommand).rejectsOnce(sdkError('InvalidSnapshot.NotFound'))
    await expect(connect().deleteSnapshot('snap-0aaa')).resolves.toBe(false)
  })

  it('keeps the InvalidSnapshot.InUse code, which cleanup retries on', async () => {
    mock.on(DeleteSnapshotCommand).rejectsOnce(sdkError('InvalidSnapshot.InUse', 'The snapshot snap-0aaa is currently in use by ami-0fedcba9876543210'))
    const error = await awsError(connect().deleteSnapshot('snap-0aaa'))
    expect([error.operation, error.code]).toStrictEqual(['DeleteSnapshot', 'InvalidSnapshot.InUse'])
  })
})

describe('expired credentials', () => {
  it.each(['RequestExpired', 'ExpiredToken', 'ExpiredTokenException'])('renews once on %s and tries again', async code => {
    mock.on(CreateImageCommand).rejectsOnce(sdkError(code)).resolvesOnce({ ImageId: IMAGE_ID })
    await expect(connect().createImage(BARE)).resolves.toBe(IMAGE_ID)
    expect(renewals).toBe(1)
    expect(mock.commandCalls(CreateImageCommand)).toHaveLength(2)
  })

  it('sends a copy again with the same ClientToken, so that EC2 makes at most one', async () => {
    mock.on(CopyImageCommand).rejectsOnce(sdkError('ExpiredToken')).resolvesOnce({ ImageId: IMAGE_ID })
    const request = { sourceRegion: 'us-east-1', sourceImageId: 'ami-0source', name: 'web', description: '', tags: [], snapshotTags: [], clientToken: 'token-1' }
    await expect(connect().copyImage(request)).resolves.toBe(IMAGE_ID)
    expect(mock.commandCalls(CopyImageCommand).map(call => call.args[0].input.ClientToken)).toStrictEqual(['token-1', 'token-1'])
  })

  it('gives up after one renewal', async () => {
    mock.on(DescribeImagesCommand).rejects(sdkError('RequestExpired', 'Request has expired.'))
    const error = await awsError(connect().describeImage(IMAGE_ID))
    expect(renewals).toBe(1)
    expect(mock.commandCalls(DescribeImagesCommand)).toHaveLength(2)
    expect(error.code).toBe('RequestExpired')
    expect(error.message).toBe(
      `The AWS credentials of ${PRINCIPAL} expired during ec2:DescribeImages and could not be renewed: Request has expired.`
    )
  })

  it('translates the error of the second try', async () => {
    mock
      .on(DeregisterImageCommand)
      .rejectsOnce(sdkError('RequestExpired'))
      .rejectsOnce(sdkError('UnauthorizedOperation'))
    const error = await awsError(connect().deregisterImage(IMAGE_ID))
    expect(error.code).toBe('UnauthorizedOperation')
  })

  it('still treats not-found after a renewal as already gone', async () => {
    mock.on(DeleteSnapshotCommand).rejectsOnce(sdkError('RequestExpired')).rejectsOnce(sdkError('InvalidSnapshot.NotFound'))
    await expect(connect().deleteSnapshot('snap-0aaa')).resolves.toBe(false)
    expect(renewals).toBe(1)
  })

  it('does not retry without a way to renew', async () => {
    mock.on(CreateImageCommand).rejectsOnce(sdkError('RequestExpired')).resolvesOnce({ ImageId: IMAGE_ID })
    const error = await awsError(connect(false).createImage(BARE))
    expect(error.code).toBe('RequestExpired')
    expect(mock.commandCalls(CreateImageCommand)).toHaveLength(1)
  })

  it('says when the refused call started, so that credentials renewed since are kept', async () => {
    const since: number[] = []
    let sentAt = 0
    const before = Date.now()
    mock
      .on(DescribeImagesCommand)
      .callsFakeOnce(() => {
        sentAt = Date.now()
        throw sdkError('RequestExpired')
      })
      .resolvesOnce({ Images: [] })
    const client = ec2({
      region: REGION,
      principal: PRINCIPAL,
      client: new EC2Client({ region: REGION, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }),
      renewCredentials: at => void since.push(at)
    })
    await expect(client.describeImage(IMAGE_ID)).resolves.toBeUndefined()
    expect(since).toHaveLength(1)
    expect(since[0]).toBeGreaterThanOrEqual(before)
    expect(since[0]).toBeLessThanOrEqual(sentAt)
  })

  it('does not renew on other errors', async () => {
    mock.on(CreateImageCommand).rejectsOnce(sdkError('AuthFailure'))
    const error = await awsError(connect().createImage(BARE))
    expect(error.code).toBe('AuthFailure')
    expect(renewals).toBe(0)
  })
})

describe('createImage after a lost answer', () => {
  // These tests run the real client (retries, signing, parsing) over a scripted wire, so that what the action
  // learns of each CreateImage attempt is what the SDK really shows it. DescribeImages stays with the mock.
  // The clock stands still: when each attempt went out, and what EC2's clock read, is exact.
  const NOW = Date.parse('2026-12-02T11:00:00.000Z')
  const OTHER_IMAGE = 'ami-0aaa1111bbbb22223'

  /** What the wire does with one CreateImage attempt: EC2's answer, or none at all. */
  type Answer = { status: number; code?: string; imageId?: string; date?: number } | { lost: string }
  const reset: Answer = { lost: 'ECONNRESET' }
  const duplicateOf = (imageId: string, date?: number): Answer => ({ status: 400, code: 'InvalidAMIName.Duplicate', imageId, date })
  let wire: Answer[]

  const requestHandler = {
    async handle() {
      const answer = wire.shift()
      if (!answer) throw new Error('the test scripted no answer for this CreateImage attempt')
      if ('lost' in answer) {
        throw answer.lost === 'TimeoutError'
          ? Object.assign(new Error('Connection timed out'), { name: 'TimeoutError' })
          : Object.assign(new Error('socket hang up'), { code: answer.lost })
      }
      const body =
        answer.code === undefined
          ? answer.status < 300
            ? `<CreateImageResponse><requestId>r-1</requestId><imageId>${answer.imageId}</imageId></CreateImageResponse>`
            : '<html><body>Bad gateway</body></html>'
          : `<Response><Errors><Error><Code>${answer.code}</Code><Message>${
              answer.code === 'InvalidAMIName.Duplicate' ? `AMI name web-main-42 is already in use by AMI ${answer.imageId}` : `${answer.code} happened`
            }</Message></Error></Errors><RequestID>r-1</RequestID></Response>`
      const headers: Record<string, string> = { 'content-type': 'text/xml;charset=UTF-8' }
      if (answer.date !== undefined) headers.date = new Date(answer.date).toUTCString()
      return { response: { statusCode: answer.status, headers, body: Readable.from([Buffer.from(body)]) } }
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({})
  }

  /** An EC2 client on the scripted wire, retrying as the SDK does by default but without waiting. */
  function connectToWire(): Ec2 {
    return ec2({
      region: REGION,
      principal: PRINCIPAL,
      client: new EC2Client({
        region: REGION,
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
        requestHandler,
        retryStrategy: new ConfiguredRetryStrategy(8, () => 0)
      }),
      renewCredentials: () => void renewals++,
      sleep: async ms => void pauses.push(ms)
    })
  }
  let pauses: number[]

  /** DescribeImages lists one image of that name: by default, made from our instance just now. */
  const listed = (overrides: Record<string, string> = {}) => ({
    Images: [
      {
        ImageId: IMAGE_ID,
        Name: 'web-main-42',
        SourceInstanceId: REQUEST.instanceId,
        CreationDate: new Date(NOW).toISOString(),
        ...overrides
      }
    ]
  })

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] })
    wire = []
    pauses = []
    // CreateImage goes to the real send, and so over the wire; what the tests set with `mock.on` stays mocked.
    mock.send.callThrough()
  })

  afterEach(() => {
    jest.useRealTimers()
  })

  it.each([
    ['a dropped connection', reset],
    ['a timeout', { lost: 'TimeoutError' }],
    ['a 5xx without an error code', { status: 502 }],
    ["EC2's InternalError", { status: 500, code: 'InternalError' }]
  ] as [string, Answer][])('adopts the image made by an attempt whose answer was lost to %s', async (_, lost) => {
    wire = [lost, duplicateOf(IMAGE_ID)]
    mock.on(DescribeImagesCommand).resolves(listed())
    await expect(connectToWire().createImage(REQUEST)).resolves.toBe(IMAGE_ID)
    expect(wire).toStrictEqual([])
    expect(mock.commandCalls(DescribeImagesCommand).map(call => call.args[0].input)).toStrictEqual([
      { Owners: ['self'], Filters: [{ Name: 'name', Values: ['web-main-42'] }] }
    ])
  })

  it.each([
    ['throttled', { status: 503, code: 'RequestLimitExceeded' }],
    ['turned away by an overloaded EC2', { status: 503, code: 'Unavailable' }]
  ] as [string, Answer][])('never adopts when every earlier attempt was %s: the image is another run’s', async (_, refused) => {
    wire = [refused, refused, duplicateOf(OTHER_IMAGE)]
    // Even an image that looks like ours in every other way.
    mock.on(DescribeImagesCommand).resolves(listed({ ImageId: OTHER_IMAGE }))
    const error = await awsError(connectToWire().createImage(REQUEST))
    expect([error.operation, error.code]).toStrictEqual(['CreateImage', 'InvalidAMIName.Duplicate'])
    expect(error.message).toContain(`An AMI named 'web-main-42' already exists in eu-west-1 (${OTHER_IMAGE})`)
    expect(wire).toStrictEqual([])
    expect(mock.commandCalls(DescribeImagesCommand)).toHaveLength(0)
  })

  it('reports a duplicate on the first attempt as a duplicate, without looking', async () => {
    wire = [duplicateOf(OTHER_IMAGE)]
    const error = await awsError(connectToWire().createImage(REQUEST))
    expect(error.code).toBe('InvalidAMIName.Duplicate')
    expect(mock.commandCalls(DescribeImagesCommand)).toHaveLength(0)
  })

  it.each([
    ['made from another instance', { SourceInstanceId: 'i-0aaaaaaaaaaaaaaaa' }],
    ['created before the first send, beyond the few seconds of slack', { CreationDate: new Date(NOW - CREATION_SLACK_MS - 1000).toISOString() }],
    ['created after the lost attempt ended', { CreationDate: new Date(NOW + CREATION_SLACK_MS + 1000).toISOString() }],
    ['with another name (a wildcard match)', { Name: 'web-main-42-old' }]
  ])('never adopts an image %s', async (_, overrides) => {
    wire = [reset, duplicateOf(OTHER_IMAGE)]
    mock.on(DescribeImagesCommand).resolves(listed({ ImageId: OTHER_IMAGE, ...overrides }))
    const error = await awsError(connectToWire().createImage(REQUEST))
    expect(error.code).toBe('InvalidAMIName.Duplicate')
    expect(error.message).toContain(`(${OTHER_IMAGE})`)
  })

  it('decides at the first look that lists the image holding the name: names are unique', async () => {
    wire = [reset, duplicateOf(OTHER_IMAGE)]
    mock.on(DescribeImagesCommand).resolves(listed({ ImageId: OTHER_IMAGE, SourceInstanceId: 'i-0aaaaaaaaaaaaaaaa' }))
    await awsError(connectToWire().createImage(REQUEST))
    expect(mock.commandCalls(DescribeImagesCommand)).toHaveLength(1)
    expect(pauses).toStrictEqual([])
  })

  it('looks again while EC2 does not list the image yet (eventual consistency)', async () => {
    wire = [reset, duplicateOf(IMAGE_ID)]
    mock.on(DescribeImagesCommand).resolvesOnce({ Images: [] }).resolvesOnce({}).resolves(listed())
    await expect(connectToWire().createImage(REQUEST)).resolves.toBe(IMAGE_ID)
    expect(pauses).toStrictEqual([1000, 2000])
  })

  it('gives up after about 15 s of not seeing the image, and reports the duplicate', async () => {
    wire = [reset, duplicateOf(IMAGE_ID)]
    mock.on(DescribeImagesCommand).resolves({ Images: [] })
    const error = await awsError(connectToWire().createImage(REQUEST))
    expect(error.code).toBe('InvalidAMIName.Duplicate')
    expect(error.message).toContain(`(${IMAGE_ID})`)
    expect(pauses).toStrictEqual([1000, 2000, 4000, 8000])
    expect(mock.commandCalls(DescribeImagesCommand)).toHaveLength(5)
  })

  // EC2's clock is ten minutes off ours, and its answers say so in their Date header, which the SDK measures.
  const OFF = 10 * 60_000
  it.each([
    { clock: 'ahead of', offset: OFF, created: 'then on its clock', createdAt: NOW + OFF, adopted: true },
    { clock: 'ahead of', offset: OFF, created: 'then on our clock', createdAt: NOW, adopted: false },
    { clock: 'behind', offset: -OFF, created: 'then on its clock', createdAt: NOW - OFF, adopted: true },
    { clock: 'behind', offset: -OFF, created: 'then on our clock', createdAt: NOW, adopted: false }
  ])("reads CreationDate on EC2's clock ($clock ours): an image created $created is adopted: $adopted", async ({ offset, createdAt, adopted }) => {
    const ec2Now = NOW + offset
    // Throttled first, so that the SDK has measured EC2's clock before the lost attempt.
    wire = [{ status: 503, code: 'RequestLimitExceeded', date: ec2Now }, reset, duplicateOf(IMAGE_ID, ec2Now)]
    mock.on(DescribeImagesCommand).resolves(listed({ CreationDate: new Date(createdAt).toISOString() }))
    const made = connectToWire().createImage(REQUEST)
    if (adopted) await expect(made).resolves.toBe(IMAGE_ID)
    else expect((await awsError(made)).code).toBe('InvalidAMIName.Duplicate')
    expect(wire).toStrictEqual([])
  })

  it('counts the attempts made before credentials were renewed', async () => {
    // Lost, then refused as expired (the SDK does not retry that); renewed, the call meets its image.
    wire = [reset, { status: 400, code: 'RequestExpired' }, duplicateOf(IMAGE_ID)]
    mock.on(DescribeImagesCommand).resolves(listed())
    await expect(connectToWire().createImage(REQUEST)).resolves.toBe(IMAGE_ID)
    expect(renewals).toBe(1)
    expect(wire).toStrictEqual([])
  })

  it('names ec2:DescribeImages, not ec2:CreateImage, when looking for the image is denied', async () => {
    wire = [reset, duplicateOf(IMAGE_ID)]
    mock.on(DescribeImagesCommand).rejects(sdkError('UnauthorizedOperation', 'You are not authorized to perform this operation.'))
    const error = await awsError(connectToWire().createImage(REQUEST))
    expect([error.operation, error.code]).toStrictEqual(['DescribeImages', 'UnauthorizedOperation'])
    expect(error.message).toBe(
      `${PRINCIPAL} is not allowed to call ec2:DescribeImages in eu-west-1. ` +
        `Add "ec2:DescribeImages" to the Action list of the role's permission policy (README: IAM permissions).`
    )
  })
})

describe('a denied call', () => {
  const denied = sdkError(
    'UnauthorizedOperation',
    'You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/bake-ami/bake-ami is not authorized to perform: ec2:CreateImage. Encoded authorization failure message: ENCODED-BLOB'
  )
  const withDecoder = (decode: (encoded: string) => Promise<string | undefined>) =>
    ec2({ region: REGION, principal: PRINCIPAL, client: new EC2Client({ region: REGION }), decodeAuthorization: decode })

  it('says why, from the decoded authorization message', async () => {
    mock.on(CreateImageCommand).rejects(denied)
    const asked: string[] = []
    const client = withDecoder(async encoded => {
      asked.push(encoded)
      return JSON.stringify({
        allowed: false,
        explicitDeny: false,
        context: { action: 'ec2:CreateImage', resource: 'arn:aws:ec2:eu-west-1::image/*' }
      })
    })
    const error = await awsError(client.checkCreateImage(REQUEST))
    expect(asked).toStrictEqual(['ENCODED-BLOB'])
    expect(error.message).toBe(
      `${PRINCIPAL} is not allowed to call ec2:CreateImage in eu-west-1. Add "ec2:CreateImage" to the Action list of the role's permission policy (README: IAM permissions). ` +
        'AWS says no policy allows ec2:CreateImage on arn:aws:ec2:eu-west-1::image/*.'
    )
  })

  it('names an explicit deny and its statement', async () => {
    mock.on(CreateImageCommand).rejects(denied)
    const client = withDecoder(async () =>
      JSON.stringify({ explicitDeny: true, matchedStatements: { items: [{ statementId: 'NoImages' }] }, context: { action: 'ec2:CreateImage', resource: 'r' } })
    )
    const error = await awsError(client.createImage(REQUEST))
    expect(error.message).toContain('AWS says an explicit Deny (statement NoImages) blocks ec2:CreateImage on r')
  })

  it('says how to decode it when STS will not', async () => {
    mock.on(CreateImageCommand).rejects(denied)
    const client = withDecoder(async () => {
      throw sdkError('AccessDenied', 'not authorized to perform sts:DecodeAuthorizationMessage')
    })
    const error = await awsError(client.createImage(REQUEST))
    expect(error.message).toContain('aws sts decode-authorization-message --encoded-message ENCODED-BLOB')
  })
})

describe('a credentials failure inside a call', () => {
  it('reaches the caller as explained by credentials, not as an EC2 failure', async () => {
    const explained = new AwsError('AssumeRoleWithWebIdentity', 'AccessDenied', 'Could not assume arn:aws:iam::123456789012:role/bake-ami: …')
    mock.on(CreateImageCommand).rejects(explained)
    const error = await awsError(connect().createImage(REQUEST))
    expect(error).toBe(explained)
  })
})
