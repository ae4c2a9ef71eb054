import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Ec2, ImageRequest, RegisterRequest, SourceSnapshot } from '../src/ec2.js'
import { InputError } from '../src/errors.js'
import { checkMakeImage, knownSnapshotIds, makeImage, makingCall } from '../src/make-image.js'
import type { Settings, SnapshotSource } from '../src/settings.js'

const SNAPSHOT_ID = 'snap-0123456789abcdef0'
const IMAGE_ID = 'ami-0fedcba9876543210'

const BASE: Settings = {
  source: { kind: 'instance', instanceId: 'i-0123456789abcdef0' },
  name: 'web-main',
  description: 'web',
  noReboot: true,
  tags: [{ key: 'Team', value: 'images' }],
  tagSnapshots: true,
  blockDeviceMappings: [],
  snapshotLocation: undefined,
  region: 'eu-west-1',
  credentials: { kind: 'default-chain' },
  wait: true,
  waitTimeoutMs: 60_000,
  cleanupOnFailure: true,
  dryRun: false,
  distribution: { copyToRegions: [], shareWithAccounts: [], shareWithOrganizations: [], shareWithOus: [], shareSnapshots: false },
  ifExists: 'fail'
}

const SNAPSHOT: SnapshotSource = {
  kind: 'snapshot',
  snapshotId: SNAPSHOT_ID,
  architecture: 'arm64',
  rootDeviceName: '/dev/xvda',
  virtualizationType: 'hvm',
  bootMode: 'uefi',
  enaSupport: true,
  tpmSupport: 'v2.0',
  rootVolumeSize: undefined,
  rootVolumeType: 'gp3'
}

const FROM_SNAPSHOT: Settings = { ...BASE, source: SNAPSHOT, noReboot: false, tagSnapshots: false }

/** An Ec2 that records each call; the source snapshot is as `snapshot` says. */
function fakeEc2(snapshot: Partial<SourceSnapshot> = {}) {
  const calls: string[] = []
  const registered: RegisterRequest[] = []
  const created: ImageRequest[] = []
  const unexpected = (name: string) => async (): Promise<never> => {
    throw new Error(`unexpected call to ${name}`)
  }
  const ec2: Ec2 = {
    region: 'eu-west-1',
    principal: 'the credentials from the default chain',
    async createImage(request) {
      calls.push('CreateImage')
      created.push(request)
      return IMAGE_ID
    },
    async checkCreateImage(request) {
      calls.push('CreateImage(DryRun)')
      created.push(request)
    },
    async registerImage(request) {
      calls.push('RegisterImage')
      registered.push(request)
      return IMAGE_ID
    },
    async checkRegisterImage(request) {
      calls.push('RegisterImage(DryRun)')
      registered.push(request)
    },
    async describeSourceSnapshot(snapshotId) {
      calls.push(`DescribeSnapshots ${snapshotId}`)
      return { snapshotId, state: 'completed', progress: 100, sizeGiB: 8, ...snapshot }
    },
    describeImage: unexpected('describeImage'),
    describeSnapshots: unexpected('describeSnapshots'),
    findSnapshotsOf: unexpected('findSnapshotsOf'),
    deregisterImage: unexpected('deregisterImage'),
    deleteSnapshot: unexpected('deleteSnapshot')
  }
  return { ec2, calls, registered, created }
}

beforeEach(() => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true)
})

afterEach(() => {
  jest.restoreAllMocks()
})

describe('makeImage', () => {
  it('makes an instance image with CreateImage, and no snapshot check', async () => {
    const fake = fakeEc2()
    await expect(makeImage(fake.ec2, BASE)).resolves.toStrictEqual({ imageId: IMAGE_ID, madeBy: 'CreateImage' })
    expect(fake.calls).toStrictEqual(['CreateImage'])
    expect(fake.created).toStrictEqual([
      {
        instanceId: 'i-0123456789abcdef0',
        name: 'web-main',
        description: 'web',
        noReboot: true,
        tags: [{ key: 'Team', value: 'images' }],
        tagSnapshots: true,
        blockDeviceMappings: [],
        snapshotLocation: undefined
      }
    ])
  })

  it('registers a completed snapshot with RegisterImage, after describing it', async () => {
    const fake = fakeEc2()
    await expect(makeImage(fake.ec2, FROM_SNAPSHOT)).resolves.toStrictEqual({ imageId: IMAGE_ID, madeBy: 'RegisterImage' })
    expect(fake.calls).toStrictEqual([`DescribeSnapshots ${SNAPSHOT_ID}`, 'RegisterImage'])
    expect(fake.registered).toStrictEqual([
      {
        snapshotId: SNAPSHOT_ID,
        architecture: 'arm64',
        rootDeviceName: '/dev/xvda',
        virtualizationType: 'hvm',
        bootMode: 'uefi',
        enaSupport: true,
        tpmSupport: 'v2.0',
        rootVolumeSize: undefined,
        rootVolumeType: 'gp3',
        name: 'web-main',
        description: 'web',
        tags: [{ key: 'Team', value: 'images' }],
        blockDeviceMappings: []
      }
    ])
  })

  it.each<[string, Partial<SourceSnapshot>, Partial<SnapshotSource>, string, string]>([
    ['a pending snapshot', { state: 'pending', progress: 45 }, {}, 'snapshot-id', `snapshot ${SNAPSHOT_ID} in eu-west-1 is still pending (45% done)`],
    ['a pending snapshot, with the command that waits for it', { state: 'pending' }, {}, 'snapshot-id', `aws ec2 wait snapshot-completed --region eu-west-1 --snapshot-ids ${SNAPSHOT_ID}`],
    ['a snapshot in error', { state: 'error' }, {}, 'snapshot-id', "is in state 'error': EC2 could not complete it"],
    ['a root volume smaller than the snapshot', { sizeGiB: 30 }, { rootVolumeSize: 29 }, 'root-volume-size', `snapshot ${SNAPSHOT_ID} is 30 GiB, and the root volume must hold it: set 30 or more`]
  ])('refuses %s before RegisterImage', async (_, snapshot, source, input, fragment) => {
    const fake = fakeEc2(snapshot)
    const error = await makeImage(fake.ec2, { ...FROM_SNAPSHOT, source: { ...SNAPSHOT, ...source } }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).input).toBe(input)
    expect((error as Error).message).toContain(fragment)
    expect((error as Error).message).toContain('Nothing was registered.')
    expect(fake.calls).toStrictEqual([`DescribeSnapshots ${SNAPSHOT_ID}`])
  })

  it('accepts a root volume exactly the size of the snapshot', async () => {
    const fake = fakeEc2({ sizeGiB: 30 })
    await makeImage(fake.ec2, { ...FROM_SNAPSHOT, source: { ...SNAPSHOT, rootVolumeSize: 30 } })
    expect(fake.registered.map(request => request.rootVolumeSize)).toStrictEqual([30])
  })
})

describe('checkMakeImage', () => {
  it('checks CreateImage for an instance', async () => {
    const fake = fakeEc2()
    await expect(checkMakeImage(fake.ec2, BASE)).resolves.toBe(
      'Dry run: the credentials from the default chain may call ec2:CreateImage on i-0123456789abcdef0 in eu-west-1. Nothing was made.'
    )
    expect(fake.calls).toStrictEqual(['CreateImage(DryRun)'])
  })

  it('checks the snapshot and RegisterImage for a snapshot', async () => {
    const fake = fakeEc2()
    await expect(checkMakeImage(fake.ec2, FROM_SNAPSHOT)).resolves.toBe(
      `Dry run: the credentials from the default chain may call ec2:RegisterImage with ${SNAPSHOT_ID} in eu-west-1, which is completed. Nothing was made.`
    )
    expect(fake.calls).toStrictEqual([`DescribeSnapshots ${SNAPSHOT_ID}`, 'RegisterImage(DryRun)'])
  })

  it('refuses a pending snapshot in a dry run too', async () => {
    const fake = fakeEc2({ state: 'pending' })
    await expect(checkMakeImage(fake.ec2, FROM_SNAPSHOT)).rejects.toThrow('is still pending')
    expect(fake.calls).toStrictEqual([`DescribeSnapshots ${SNAPSHOT_ID}`])
  })
})

describe('knownSnapshotIds', () => {
  it('is empty for an instance, whose snapshots EC2 has still to make', () => {
    expect(knownSnapshotIds(BASE)).toStrictEqual([])
  })

  it('is the source snapshot, then any mapped, for a snapshot', () => {
    const mapped = { ...FROM_SNAPSHOT, blockDeviceMappings: [{ DeviceName: '/dev/sdb', Ebs: { SnapshotId: 'snap-0aaaaaaaaaaaaaaaa' } }, { DeviceName: '/dev/sdc', Ebs: { VolumeSize: 8 } }] }
    expect(knownSnapshotIds(mapped)).toStrictEqual([SNAPSHOT_ID, 'snap-0aaaaaaaaaaaaaaaa'])
  })
})

describe('makingCall', () => {
  it('names the call that makes the image', () => {
    expect([makingCall(BASE), makingCall(FROM_SNAPSHOT)]).toStrictEqual(['CreateImage', 'RegisterImage'])
  })
})
