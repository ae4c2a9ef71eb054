/**
 * A shared image that is not to be encrypted keeps its source's encryption, and its copies, made from an encrypted
 * image, take each region's default EBS key. Accounts an image is shared with cannot use an AWS managed key (aws/ebs,
 * the usual key of EBS encryption by default), and EC2 refuses to share an image that uses one: found here, before the
 * bake, rather than once the image and its copies are made. A source that is not encrypted needs no look at any key.
 * The user did not ask for encryption, so what the role may not read here is a warning, never a failure.
 */
import type { Aws } from '../aws.js'
import { AwsError, describeClause } from '../errors.js'
import type { Settings } from '../settings.js'
import { sourceKeys } from './encrypt.js'
import { describeKeyIn } from './keys.js'

/** Throws, naming each region and key, when the shared image or a copy would use an AWS managed key; returns warnings. */
export async function checkSharedSource(aws: Aws, settings: Settings, sharedWith: string): Promise<string[]> {
  const unchecked = (what: string, error: unknown) =>
    `Could not check ${what} (${describeClause(error)}). If it is an AWS managed key (aws/ebs), sharing the image will fail once it is made: ` +
    `the README's Encrypted releases section lists the permissions this check needs.`
  let encrypted: { readonly id: string; readonly kmsKeyId?: string }[]
  try {
    encrypted = (await sourceKeys(aws.ec2(settings.region), settings)).filter(volume => volume.kmsKeyId !== undefined)
  } catch (error) {
    return [unchecked(`how the source of the shared image is encrypted`, error)]
  }
  if (encrypted.length === 0) return []

  const byKey = new Map<string, string[]>()
  for (const { id, kmsKeyId } of encrypted) byKey.set(kmsKeyId!, [...(byKey.get(kmsKeyId!) ?? []), id])
  const lookups = [
    ...[...byKey].map(([keyArn, ids]) => ({ region: settings.region, asked: keyArn as string | undefined, what: `${ids.join(', ')}, which the image is made from, are` })),
    ...settings.distribution.copyToRegions.map(region => ({ region, asked: undefined, what: `the copy would be` }))
  ]
  const warnings: string[] = []
  const problems: string[] = []
  await Promise.all(
    lookups.map(async ({ region, asked, what }) => {
      try {
        const { key, which } = await describeKeyIn(aws, region, asked)
        if (key.manager === 'AWS') problems.push(`In ${region}, ${what} encrypted with ${which}, an AWS managed key`)
      } catch (error) {
        warnings.push(unchecked(asked ? `the key ${asked} in ${region}` : `the default EBS key of ${region}`, error))
      }
    })
  )
  if (problems.length > 0) {
    throw new AwsError(
      'DescribeKey',
      'AwsManagedKey',
      `${problems.join('. ')}. The image is shared with ${sharedWith}, and accounts you share with cannot use an AWS managed key: EC2 would ` +
        `refuse to share the image and they could not launch it. Set 'encrypt: true' and name a customer managed key whose key policy ` +
        `lets them use it in 'kms-key-id' (and 'copy-kms-key-ids' for a copy region): the image is then copied with that key (README: ` +
        `Encrypted releases). Nothing was made.`
    )
  }
  return warnings
}
