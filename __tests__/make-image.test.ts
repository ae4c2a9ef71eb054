import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Ec2, ImageRequest, RegisterRequest, SourceSnapshot } from '../src/ec2/index.js'
import { AwsError, InputError } from '../src/errors.js'
import { checkMakeImage, knownSnapshotIds, makeImage, makingCall } from '../src/make-image.js'
import type { Settings, SnapshotSource } from '../src/settings.js'
import { refuseDistribution } from './fakes/ec2.js'

const SNAPSHOT_ID = 'snap-0123456789abcdef0'
const clock = { now: () => 0, sleep: async () => undefined }
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
  distribution: { copyToRegions: [], shareWithAccounts: [], shareWithOrganizations: [], shareWithOus: [], shareSnapshots: false, deregistrationProtection: 'off' },
  handOff: { launchTemplateDefault: true },
  ifExists: 'fail',
  encryption: { encrypt: false, keys: new Map() }
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
    ...refuseDistribution(),
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
    await expect(makeImage(fake.ec2, BASE, clock)).resolves.toStrictEqual({ imageId: IMAGE_ID, madeBy: 'CreateImage', state: 'pending' })
    expect(fake.calls).toStrictEqual(['CreateImage'])
    expect(fake.created).toStrictEqual([
      {
        instanceId: 'i-0123456789abcdef0',
        name: 'web-main',
        description: 'web',
        noReboot: true,
        tags: [{ key: 'Team', value: 'images' }],
        snapshotTags: [{ key: 'Team', value: 'images' }],
        blockDeviceMappings: [],
        snapshotLocation: undefined
      }
    ])
  })

  it('registers a completed snapshot with RegisterImage, after describing it', async () => {
    const fake = fakeEc2()
    await expect(makeImage(fake.ec2, FROM_SNAPSHOT, clock)).resolves.toStrictEqual({ imageId: IMAGE_ID, madeBy: 'RegisterImage', state: 'pending' })
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
    const error = await makeImage(fake.ec2, { ...FROM_SNAPSHOT, source: { ...SNAPSHOT, ...source } }, clock).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).input).toBe(input)
    expect((error as Error).message).toContain(fragment)
    expect((error as Error).message).toContain('Nothing was registered.')
    expect(fake.calls).toStrictEqual([`DescribeSnapshots ${SNAPSHOT_ID}`])
  })

  it('accepts a root volume exactly the size of the snapshot', async () => {
    const fake = fakeEc2({ sizeGiB: 30 })
    await makeImage(fake.ec2, { ...FROM_SNAPSHOT, source: { ...SNAPSHOT, rootVolumeSize: 30 } }, clock)
    expect(fake.registered.map(request => request.rootVolumeSize)).toStrictEqual([30])
  })
})

describe('makeImage with if-exists', () => {
  const taken = new AwsError('CreateImage', 'InvalidAMIName.Duplicate', "An AMI named 'web-main' already exists in eu-west-1 (ami-0other).")
  const existing = { imageId: 'ami-0other', name: 'web-main', state: 'available', creationDate: '2026-12-01T00:00:00.000Z', snapshotIds: [], tags: {}, deregistrationProtection: 'disabled' }

  /** CreateImage refuses the name `refusals` times; the look-ups see nothing, then the image once `seenFrom` looks were made. */
  function racingEc2(refusals: number, seenFrom: number) {
    const fake = fakeEc2()
    let looks = 0
    let creates = 0
    fake.ec2.findImagesNamed = async () => {
      fake.calls.push('DescribeImages name')
      return ++looks >= seenFrom ? [existing] : []
    }
    fake.ec2.createImage = async () => {
      fake.calls.push('CreateImage')
      if (++creates <= refusals) throw taken
      return IMAGE_ID
    }
    fake.ec2.deregisterImage = async id => {
      fake.calls.push(`DeregisterImage ${id}`)
      return true
    }
    fake.ec2.findSnapshotsOf = async () => []
    fake.ec2.imageReferences = async () => new Map()
    return fake
  }

  it('fail: no look-up, and the refusal of CreateImage is the error', async () => {
    const fake = racingEc2(1, 1)
    await expect(makeImage(fake.ec2, BASE, clock)).rejects.toBe(taken)
    expect(fake.calls).toStrictEqual(['CreateImage'])
  })

  it('reuse: takes the image that holds the name, with no CreateImage', async () => {
    const fake = racingEc2(0, 1)
    await expect(makeImage(fake.ec2, { ...BASE, ifExists: 'reuse' }, clock)).resolves.toStrictEqual({ imageId: 'ami-0other', madeBy: 'reused', state: 'available' })
    expect(fake.calls).toStrictEqual(['DescribeImages name'])
  })

  it('reuse, in the race: the look-up sees nothing, CreateImage says the name is taken, the look-up again finds the image', async () => {
    const fake = racingEc2(1, 3)
    await expect(makeImage(fake.ec2, { ...BASE, ifExists: 'reuse' }, clock)).resolves.toStrictEqual({ imageId: 'ami-0other', madeBy: 'reused', state: 'available' })
    expect(fake.calls).toStrictEqual(['DescribeImages name', 'CreateImage', 'DescribeImages name', 'DescribeImages name'])
  })

  it('replace, in the race: removes the image that took the name, then makes one', async () => {
    const fake = racingEc2(1, 2)
    await expect(makeImage(fake.ec2, { ...BASE, ifExists: 'replace' }, clock)).resolves.toStrictEqual({ imageId: IMAGE_ID, madeBy: 'CreateImage', state: 'pending' })
    expect(fake.calls).toStrictEqual(['DescribeImages name', 'CreateImage', 'DescribeImages name', 'DeregisterImage ami-0other', 'CreateImage'])
  })

  it('makes nothing once the job is cancelled, even after replace removed the image that held the name', async () => {
    const fake = racingEc2(0, 1)
    const cancelled = new AbortController()
    cancelled.abort()
    await expect(makeImage(fake.ec2, { ...BASE, ifExists: 'replace' }, clock, cancelled.signal)).rejects.toThrow('cancelled before CreateImage')
    expect(fake.calls).not.toContain('CreateImage')
  })

  it('replace: a second refusal is final', async () => {
    const fake = racingEc2(2, 2)
    await expect(makeImage(fake.ec2, { ...BASE, ifExists: 'replace' }, clock)).rejects.toBe(taken)
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
