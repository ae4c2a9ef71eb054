/**
 * Makes available images ready for use, the same in every region: IMDSv2 required, launch permission for the
 * accounts, organizations and OUs, the snapshots shared with the accounts, and deprecation scheduled.
 */
import type { Aws } from '../aws.js'
import type { LaunchAudience } from '../ec2.js'
import { AwsError, awsErrorCode, describeClause } from '../errors.js'
import type { ImageRef } from '../wait/index.js'

export interface Publication {
  readonly audience: LaunchAudience
  /** Also give the accounts CreateVolumePermission on each snapshot, so that they can copy the image. */
  readonly shareSnapshots: boolean
  readonly deprecateAt?: Date
  readonly requireImdsV2: boolean
}

/** An available image and the snapshots it is made of. */
export interface ReadyImage extends ImageRef {
  readonly snapshotIds: readonly string[]
}

/** Whether a publication asks for anything at all. */
function publishes(publication: Publication): boolean {
  const { audience, deprecateAt, requireImdsV2 } = publication
  return requireImdsV2 || deprecateAt !== undefined || audience.accounts.length + audience.organizations.length + audience.ous.length > 0
}

/** Applies `publication` to every image at once; throws naming each image (by region) that could not take it all. */
export async function publish(aws: Aws, images: readonly ReadyImage[], publication: Publication, log: (line: string) => void): Promise<void> {
  if (!publishes(publication)) return
  const outcomes = await Promise.allSettled(images.map(image => publishOne(aws, image, publication, log)))
  const failures = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ image: images[i], error: outcome.reason as unknown }] : []))
  if (failures.length > 0) {
    const what = failures.map(({ image, error }) => `${image.imageId} in ${image.region}: ${describeClause(error)}`).join('; ')
    throw new AwsError('ModifyImageAttribute', awsErrorCode(failures[0].error), `Could not publish ${what}.`, failures[0].error)
  }
}

async function publishOne(aws: Aws, image: ReadyImage, publication: Publication, log: (line: string) => void): Promise<void> {
  const ec2 = aws.ec2(image.region)
  const { audience, shareSnapshots, deprecateAt, requireImdsV2 } = publication
  // Before anyone may launch it: an instance launched from a shared image must not get IMDSv1 in between.
  if (requireImdsV2) {
    await ec2.requireImdsV2(image.imageId)
    log(`${image.imageId} in ${image.region} requires IMDSv2`)
  }
  const audiences = describeAudience(audience)
  if (audiences) {
    await ec2.shareImage(image.imageId, audience)
    log(`Shared ${image.imageId} in ${image.region} with ${audiences}`)
  }
  if (shareSnapshots && audience.accounts.length > 0) {
    for (const snapshotId of image.snapshotIds) await ec2.shareSnapshot(snapshotId, audience.accounts)
    if (image.snapshotIds.length > 0) log(`Shared snapshots ${image.snapshotIds.join(', ')} in ${image.region} with ${plural(audience.accounts.length, 'account')}`)
  }
  if (deprecateAt) {
    await ec2.deprecateImage(image.imageId, deprecateAt)
    log(`${image.imageId} in ${image.region} is deprecated from ${deprecateAt.toISOString()}`)
  }
}

/** "2 accounts, 1 organization" or '' for nobody. */
export function describeAudience(audience: LaunchAudience): string {
  return [
    plural(audience.accounts.length, 'account'),
    plural(audience.organizations.length, 'organization'),
    plural(audience.ous.length, 'organizational unit')
  ]
    .filter(Boolean)
    .join(', ')
}

function plural(count: number, noun: string): string {
  return count === 0 ? '' : `${count} ${noun}${count === 1 ? '' : 's'}`
}
