/** The keys of an encrypted release, checked on fake EC2 and KMS clients before anything is made. */
import { describe, expect, it } from '@jest/globals'
import type { Aws } from '../../src/aws.js'
import type { Ec2 } from '../../src/ec2/index.js'
import { checkKeys } from '../../src/encryption/index.js'
import { AwsError } from '../../src/errors.js'
import type { KeyFacts, Kms } from '../../src/kms.js'
import { noParameterStore, refuseDistribution } from '../fakes/ec2.js'

const ACCOUNT = '111122223333'
const arn = (region: string, id: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${id}`
const customer = (region: string, id: string): KeyFacts => ({ arn: arn(region, id), manager: 'CUSTOMER', state: 'Enabled', spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT' })

/** Keys by region and by every name they answer to; `aws/ebs` is each region's default. */
function fakeAws(keys: Record<string, Record<string, KeyFacts>>, aliases: Record<string, string[]> = {}) {
  const calls: string[] = []
  const aws: Aws = {
    ssm: noParameterStore,
    ec2: region =>
      ({
        ...refuseDistribution(),
        region,
        async defaultKmsKeyId() {
          calls.push(`${region}: GetEbsDefaultKmsKeyId`)
          return 'alias/aws/ebs'
        }
      }) as Ec2,
    kms: async region =>
      ({
        region,
        async describeKey(keyId: string) {
          calls.push(`${region}: DescribeKey ${keyId}`)
          const key = keys[region]?.[keyId]
          if (!key) throw new AwsError('DescribeKey', 'NotFoundException', `The KMS key '${keyId}' does not exist in ${region}`)
          return key
        },
        async aliasesOf(keyId: string) {
          return aliases[keyId] ?? []
        }
      }) as Kms
  }
  return { aws, calls }
}

const encryption = (keys: Record<string, string>) => ({ encrypt: true, keys: new Map(Object.entries(keys)) })

describe('checkKeys', () => {
  it('checks the key of every region, the default where none is named, and labels each by its alias', async () => {
    const release = customer('us-east-1', '1234abcd-12ab-34cd-56ef-1234567890ab')
    const { aws, calls } = fakeAws(
      {
        'us-east-1': { 'alias/release': release },
        'eu-west-1': { 'alias/aws/ebs': { ...customer('eu-west-1', 'default'), manager: 'AWS' } }
      },
      {}
    )
    const keys = await checkKeys(aws, ['us-east-1', 'eu-west-1'], encryption({ 'us-east-1': 'alias/release' }), undefined)
    expect([...keys.values()]).toEqual([
      { region: 'us-east-1', arn: release.arn, label: 'alias/release' },
      { region: 'eu-west-1', arn: arn('eu-west-1', 'default'), label: 'alias/aws/ebs' }
    ])
    // The regions are checked side by side: the order between them is not fixed.
    expect(calls.filter(call => call.startsWith('us-east-1'))).toEqual(['us-east-1: DescribeKey alias/release'])
    expect(calls.filter(call => call.startsWith('eu-west-1'))).toEqual(['eu-west-1: GetEbsDefaultKmsKeyId', 'eu-west-1: DescribeKey alias/aws/ebs'])
  })

  it('refuses an AWS managed key for a shared image, naming the region and the key, and says nothing was made', async () => {
    const { aws } = fakeAws({ 'eu-west-1': { 'alias/aws/ebs': { ...customer('eu-west-1', 'default'), manager: 'AWS' } } })
    await expect(checkKeys(aws, ['eu-west-1'], encryption({}), '1 account')).rejects.toThrow(
      new RegExp(
        `^In eu-west-1, the KMS key alias/aws/ebs \\(${arn('eu-west-1', 'default')}\\), the default EBS key of eu-west-1 is an AWS managed key, ` +
          `and the image is shared with 1 account: accounts you share with cannot use an AWS managed key.*Nothing was made\\.$`
      )
    )
  })

  it('allows an AWS managed key for an image that is not shared', async () => {
    const { aws } = fakeAws({ 'eu-west-1': { 'alias/aws/ebs': { ...customer('eu-west-1', 'default'), manager: 'AWS' } } })
    await expect(checkKeys(aws, ['eu-west-1'], encryption({}), undefined)).resolves.toBeDefined()
  })

  it.each([
    ['Disabled', 'is Disabled: EBS cannot encrypt with it. Enable it (aws kms enable-key --region us-east-1 --key-id'],
    ['PendingDeletion', 'is PendingDeletion: EBS cannot encrypt with it. Cancel its deletion (aws kms cancel-key-deletion']
  ])('refuses a key that is %s, with the command that fixes it', async (state, message) => {
    const key = { ...customer('us-east-1', 'k1'), state }
    const { aws } = fakeAws({ 'us-east-1': { k1: key } }, { [key.arn]: ['alias/old'] })
    await expect(checkKeys(aws, ['us-east-1'], encryption({ 'us-east-1': 'k1' }), undefined)).rejects.toThrow(
      `In us-east-1, the KMS key alias/old (${key.arn}) ${message}`
    )
  })

  it('refuses an asymmetric key', async () => {
    const { aws } = fakeAws({ 'us-east-1': { k1: { ...customer('us-east-1', 'k1'), spec: 'RSA_2048', usage: 'SIGN_VERIFY' } } })
    await expect(checkKeys(aws, ['us-east-1'], encryption({ 'us-east-1': 'k1' }), undefined)).rejects.toThrow(
      'is a RSA_2048 key for SIGN_VERIFY: EBS encrypts only with symmetric encryption keys'
    )
  })

  it('names every region whose key cannot be used, in one error', async () => {
    const { aws } = fakeAws({ 'us-east-1': { k1: { ...customer('us-east-1', 'k1'), state: 'Disabled' } } })
    const checking = checkKeys(aws, ['us-east-1', 'eu-west-1'], encryption({ 'us-east-1': 'k1', 'eu-west-1': 'alias/release' }), undefined)
    await expect(checking).rejects.toThrow(/In us-east-1, .* is Disabled.*\. The KMS key 'alias\/release' does not exist in eu-west-1\. Nothing was made\.$/)
  })

  it('passes on a denied DescribeKey as the error it is, never a silent skip', async () => {
    const { aws } = fakeAws({})
    aws.kms = async region =>
      ({
        region,
        describeKey: async () => {
          throw new AwsError('DescribeKey', 'AccessDeniedException', `role may not call kms:DescribeKey on the key 'alias/release' in ${region}`)
        },
        aliasesOf: async () => []
      }) as Kms
    await expect(checkKeys(aws, ['us-east-1'], encryption({ 'us-east-1': 'alias/release' }), undefined)).rejects.toMatchObject({
      code: 'AccessDeniedException',
      message: "role may not call kms:DescribeKey on the key 'alias/release' in us-east-1. Nothing was made."
    })
  })
})
