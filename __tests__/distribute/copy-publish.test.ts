/** Copies and publishing on fake EC2s, one per region: what is asked of each region, and what a failure names. */
import { describe, expect, it } from '@jest/globals'
import type { Aws } from '../../src/aws.js'
import { copyToRegions, publish, type Publication } from '../../src/distribute/index.js'
import type { CopyRequest, Ec2, LaunchAudience } from '../../src/ec2/index.js'
import { AwsError } from '../../src/errors.js'
import { BakeState } from '../../src/state.js'
import { refuseDistribution, noParameterStore, noKeyService } from '../fakes/ec2.js'
import { memoryStore } from '../fakes/state.js'

/** Fake regions that record each call as `region: call`; `failIn` makes every call in that region fail. */
function fakeAws(failIn?: string, holdsName?: string) {
  const calls: string[] = []
  const copies: (CopyRequest & { region: string })[] = []
  const aws: Aws = {
    ssm: noParameterStore,
    kms: noKeyService,
    ec2(region) {
      const fail = (what: string) => {
        if (region === failIn) throw new AwsError('CopyImage', 'UnauthorizedOperation', `not allowed to call ${what} in ${region}`)
      }
      const ec2: Ec2 = {
        ...({} as Ec2),
        ...refuseDistribution(),
        region,
        async findImagesNamed(name) {
          calls.push(`${region}: DescribeImages ${name}`)
          return region === holdsName ? [{ imageId: `ami-earlier-${region}`, name, state: 'available', creationDate: '', snapshotIds: [], tags: {}, deregistrationProtection: 'disabled' }] : []
        },
        async copyImage(request) {
          calls.push(`${region}: CopyImage ${request.sourceRegion}/${request.sourceImageId}`)
          fail('ec2:CopyImage')
          copies.push({ ...request, region })
          return `ami-copy-${region}`
        },
        async requireImdsV2(imageId) {
          calls.push(`${region}: ImdsSupport ${imageId}`)
          fail('ec2:ModifyImageAttribute')
        },
        async shareImage(imageId, audience: LaunchAudience) {
          calls.push(`${region}: LaunchPermission ${imageId} ${[...audience.accounts, ...audience.organizations, ...audience.ous].join(',')}`)
        },
        async shareSnapshot(snapshotId, accounts) {
          calls.push(`${region}: CreateVolumePermission ${snapshotId} ${accounts.join(',')}`)
        },
        async launchPermissions() {
          return { accounts: [], organizations: [], ous: [] }
        },
        async volumePermissions(snapshotId) {
          // The user's snapshot already allows one of the accounts: not the run's to take back.
          return snapshotId === 'snap-user' ? ['111122223333'] : []
        },
        async deprecateImage(imageId, at) {
          calls.push(`${region}: EnableImageDeprecation ${imageId} ${at.toISOString()}`)
        }
      }
      return ec2
    }
  }
  return { aws, calls, copies }
}

const SOURCE = { region: 'us-east-1', imageId: 'ami-source' }
const COPY = { name: 'web-42', description: 'web', tags: [{ key: 'bake-ami:family', value: 'web' }], snapshotTags: [{ key: 'bake-ami:family', value: 'web' }] }

const NOT_CANCELLED = new AbortController().signal
const options = (state: BakeState, ifExists: 'fail' | 'reuse' = 'fail', signal = NOT_CANCELLED) => ({
  ifExists,
  state,
  clock: { now: () => 0, sleep: async () => undefined },
  log: () => undefined,
  signal
})
const publishing = (state = new BakeState(memoryStore()), signal = NOT_CANCELLED) => ({ state, log: () => undefined, signal })

describe('copyToRegions', () => {
  it('copies to every region with the same name, description and tags, and records each copy for cleanup', async () => {
    const { aws, copies } = fakeAws()
    const state = new BakeState(memoryStore())
    const made = await copyToRegions(aws, SOURCE, ['eu-west-1', 'ap-south-1'], COPY, options(state))
    expect(made).toEqual([
      { region: 'eu-west-1', imageId: 'ami-copy-eu-west-1' },
      { region: 'ap-south-1', imageId: 'ami-copy-ap-south-1' }
    ])
    expect(copies).toEqual([
      { ...COPY, sourceRegion: 'us-east-1', sourceImageId: 'ami-source', region: 'eu-west-1', clientToken: expect.any(String) },
      { ...COPY, sourceRegion: 'us-east-1', sourceImageId: 'ami-source', region: 'ap-south-1', clientToken: expect.any(String) }
    ])
    expect(copies[0].clientToken).not.toBe(copies[1].clientToken)
    expect(state.entries()).toEqual([
      { region: 'eu-west-1', imageId: 'ami-copy-eu-west-1', madeBy: 'CopyImage', snapshotIds: [] },
      { region: 'ap-south-1', imageId: 'ami-copy-ap-south-1', madeBy: 'CopyImage', snapshotIds: [] }
    ])
  })

  it('with if-exists reuse, takes a copy an earlier run made in a region rather than copying again, and never records it', async () => {
    const { aws, calls } = fakeAws(undefined, 'eu-west-1')
    const state = new BakeState(memoryStore())
    const made = await copyToRegions(aws, SOURCE, ['eu-west-1', 'ap-south-1'], COPY, options(state, 'reuse'))
    expect(made).toEqual([
      { region: 'eu-west-1', imageId: 'ami-earlier-eu-west-1' },
      { region: 'ap-south-1', imageId: 'ami-copy-ap-south-1' }
    ])
    expect(calls.filter(call => call.includes('CopyImage'))).toEqual(['ap-south-1: CopyImage us-east-1/ami-source'])
    expect(state.entries().map(entry => entry.imageId)).toEqual(['ami-copy-ap-south-1'])
  })

  it('with if-exists reuse, takes the copy another run made in a region between the look-up and CopyImage', async () => {
    const { aws, calls } = fakeAws()
    const ec2 = aws.ec2('eu-west-1')
    let looks = 0
    const racing = {
      ssm: noParameterStore,
      kms: noKeyService,
      ec2(region: string) {
        if (region !== 'eu-west-1') return aws.ec2(region)
        return {
          ...ec2,
          async findImagesNamed(name: string) {
            calls.push(`eu-west-1: DescribeImages ${name}`)
            return looks++ === 0 ? [] : [{ imageId: 'ami-other-run', name, state: 'pending', creationDate: '', snapshotIds: [], tags: {}, deregistrationProtection: 'disabled' }]
          },
          async copyImage() {
            calls.push('eu-west-1: CopyImage')
            throw new AwsError('CopyImage', 'InvalidAMIName.Duplicate', 'the name is taken')
          }
        }
      }
    }
    const state = new BakeState(memoryStore())
    const made = await copyToRegions(racing, SOURCE, ['eu-west-1'], COPY, options(state, 'reuse'))
    expect(made).toEqual([{ region: 'eu-west-1', imageId: 'ami-other-run' }])
    expect(calls).toEqual(['eu-west-1: DescribeImages web-42', 'eu-west-1: CopyImage', 'eu-west-1: DescribeImages web-42'])
    expect(state.entries()).toEqual([])
  })

  it('starts no copy once the job is cancelled', async () => {
    const { aws, calls } = fakeAws()
    const cancelled = new AbortController()
    cancelled.abort()
    const copying = copyToRegions(aws, SOURCE, ['eu-west-1'], COPY, options(new BakeState(memoryStore()), 'fail', cancelled.signal))
    await expect(copying).rejects.toThrow('cancelled before CopyImage to eu-west-1')
    expect(calls.filter(call => call.includes('CopyImage'))).toEqual([])
  })

  it('names the region that failed, after recording the copies that were made', async () => {
    const { aws } = fakeAws('ap-south-1')
    const state = new BakeState(memoryStore())
    const copying = copyToRegions(aws, SOURCE, ['ap-south-1', 'eu-west-1'], COPY, options(state))
    await expect(copying).rejects.toThrow('Could not copy ami-source to ap-south-1: not allowed to call ec2:CopyImage in ap-south-1.')
    expect(state.entries().map(entry => entry.imageId)).toEqual(['ami-copy-eu-west-1'])
  })
})

describe('publish', () => {
  const IMAGES = [
    { region: 'us-east-1', imageId: 'ami-source', snapshotIds: ['snap-s1', 'snap-s2'] },
    { region: 'eu-west-1', imageId: 'ami-copy', snapshotIds: ['snap-c1'] }
  ]
  const EVERYTHING: Publication = {
    audience: { accounts: ['111122223333'], organizations: ['arn:aws:organizations::111122223333:organization/o-abcdefghij'], ous: [] },
    shareSnapshots: true,
    deprecateAt: new Date('2027-03-05T00:00:00.000Z'),
    requireImdsV2: true
  }

  it('requires IMDSv2 first, then shares the image and its snapshots, then deprecates, in every region', async () => {
    const { aws, calls } = fakeAws()
    await publish(aws, IMAGES, EVERYTHING, publishing())
    for (const { region, imageId, snapshotIds } of IMAGES) {
      expect(calls.filter(call => call.startsWith(`${region}:`))).toEqual([
        `${region}: ImdsSupport ${imageId}`,
        `${region}: LaunchPermission ${imageId} 111122223333,arn:aws:organizations::111122223333:organization/o-abcdefghij`,
        ...snapshotIds.map(id => `${region}: CreateVolumePermission ${id} 111122223333`),
        `${region}: EnableImageDeprecation ${imageId} 2027-03-05T00:00:00.000Z`
      ])
    }
  })

  it('shares no snapshot without accounts or with share-snapshots off, and makes no call when nothing is asked', async () => {
    const { aws, calls } = fakeAws()
    await publish(aws, IMAGES, { ...EVERYTHING, shareSnapshots: false, deprecateAt: undefined, requireImdsV2: false }, publishing())
    expect(calls.some(call => call.includes('CreateVolumePermission'))).toBe(false)
    calls.length = 0
    await publish(aws, IMAGES, { audience: { accounts: [], organizations: [], ous: [] }, shareSnapshots: true, requireImdsV2: false }, publishing())
    expect(calls).toEqual([])
  })

  it('records what it grants before granting it, and only what was not there before', async () => {
    const { aws } = fakeAws()
    const state = new BakeState(memoryStore())
    const images = [{ region: 'us-east-1', imageId: 'ami-source', snapshotIds: ['snap-user', 'snap-s1'] }]
    await publish(aws, images, { ...EVERYTHING, audience: { ...EVERYTHING.audience, accounts: ['111122223333', '444455556666'] } }, publishing(state))
    const none = { organizations: [], ous: [] }
    expect(state.grants()).toEqual([
      { region: 'us-east-1', kind: 'launch', resourceId: 'ami-source', added: { accounts: ['111122223333', '444455556666'], organizations: EVERYTHING.audience.organizations, ous: [] } },
      { region: 'us-east-1', kind: 'create-volume', resourceId: 'snap-user', added: { accounts: ['444455556666'], ...none } },
      { region: 'us-east-1', kind: 'create-volume', resourceId: 'snap-s1', added: { accounts: ['111122223333', '444455556666'], ...none } }
    ])
  })

  it('shares nothing once the job is cancelled', async () => {
    const { aws, calls } = fakeAws()
    const cancelled = new AbortController()
    cancelled.abort()
    await expect(publish(aws, IMAGES, EVERYTHING, publishing(undefined, cancelled.signal))).rejects.toThrow('cancelled')
    expect(calls).toEqual([])
  })

  it('names the image and region that could not be published', async () => {
    const { aws } = fakeAws('eu-west-1')
    await expect(publish(aws, IMAGES, EVERYTHING, publishing())).rejects.toThrow(
      'Could not publish ami-copy in eu-west-1: not allowed to call ec2:ModifyImageAttribute in eu-west-1.'
    )
  })
})
