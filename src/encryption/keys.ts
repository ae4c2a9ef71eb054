/**
 * The keys of an encrypted release, checked before anything is made, in every region they will be used: each must
 * exist, be enabled and encrypt symmetrically, and an image that is shared must not use an AWS managed key, which the
 * accounts it is shared with cannot use. A bake that would fail at its end fails here, in seconds, with nothing made.
 */
import type { Aws } from '../aws.js'
import { AwsError, awsErrorCode, describeClause } from '../errors.js'
import type { KeyFacts, Kms } from '../kms.js'
import type { Encryption } from '../settings.js'

/** The key one region's image is encrypted with. */
export interface RegionKey {
  readonly region: string
  /** Its ARN: what CopyImage is given, and what each snapshot of the image must show. */
  readonly arn: string
  /** How a person knows it: its alias where it has one (`alias/release`), else its ARN. */
  readonly label: string
}

/** `sharedWith`: who the image is shared with ("2 accounts"), or undefined when it is not shared. */
export async function checkKeys(
  aws: Aws,
  regions: readonly string[],
  encryption: Encryption,
  sharedWith: string | undefined
): Promise<Map<string, RegionKey>> {
  const outcomes = await Promise.allSettled(regions.map(region => checkKey(aws, region, encryption.keys.get(region), sharedWith)))
  const problems = outcomes.flatMap(outcome => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []))
  if (problems.length > 0) {
    const sentence = problems.map(problem => describeClause(problem)).join('. ')
    throw new AwsError('DescribeKey', awsErrorCode(problems[0]), `${sentence}. Nothing was made.`, problems[0])
  }
  return new Map(outcomes.map(outcome => (outcome as PromiseFulfilledResult<RegionKey>).value).map(key => [key.region, key]))
}

async function checkKey(aws: Aws, region: string, asked: string | undefined, sharedWith: string | undefined): Promise<RegionKey> {
  const { key, label, which } = await describeKeyIn(aws, region, asked)
  const refuse = (why: string) => new AwsError('DescribeKey', 'InvalidKey', `In ${region}, the KMS key ${which} ${why}`)
  if (key.state !== 'Enabled') {
    const fix =
      key.state === 'PendingDeletion'
        ? `cancel its deletion (aws kms cancel-key-deletion --region ${region} --key-id ${key.arn}) and enable it`
        : `enable it (aws kms enable-key --region ${region} --key-id ${key.arn})`
    throw refuse(`is ${key.state}: EBS cannot encrypt with it. ${capitalise(fix)}, or name another key`)
  }
  if (key.spec !== 'SYMMETRIC_DEFAULT' || key.usage !== 'ENCRYPT_DECRYPT') {
    throw refuse(`is a ${key.spec} key for ${key.usage}: EBS encrypts only with symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT). Name another key`)
  }
  if (key.manager === 'AWS' && sharedWith !== undefined) {
    throw refuse(
      `is an AWS managed key, and the image is shared with ${sharedWith}: accounts you share with cannot use an AWS managed key, ` +
        `so EC2 would refuse to share the image's snapshots and those accounts could not launch it. Name a customer managed key ` +
        `whose key policy lets them use it, in 'kms-key-id' or, for a copy region, 'copy-kms-key-ids' (README: Encrypted releases)`
    )
  }
  return { region, arn: key.arn, label }
}

/** A key as the checks see it, and as a person knows it: `label` its alias or ARN, `which` both, and whether it is the default. */
export interface DescribedKey {
  readonly key: KeyFacts
  readonly label: string
  readonly which: string
}

/** The key asked for in `region`, or with none its default EBS key (which the account may have set, else aws/ebs), described. */
export async function describeKeyIn(aws: Aws, region: string, asked: string | undefined): Promise<DescribedKey> {
  const keyId = asked ?? (await aws.ec2(region).defaultKmsKeyId())
  const keys = await aws.kms(region)
  const key = await keys.describeKey(keyId)
  const label = keyId.includes('alias/') ? keyId.slice(keyId.indexOf('alias/')) : ((await aliasOf(keys, key)) ?? key.arn)
  const which = `${label === key.arn ? key.arn : `${label} (${key.arn})`}${asked === undefined ? `, the default EBS key of ${region}` : ''}`
  return { key, label, which }
}

/** The key's first alias, for the summary; none when it has none or the role may not list them (only a label is lost). */
async function aliasOf(keys: Kms, key: KeyFacts): Promise<string | undefined> {
  return (await keys.aliasesOf(key.arn).catch(() => []))[0]
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
