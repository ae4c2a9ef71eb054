/**
 * Makes available images ready for use, the same in every region: IMDSv2 required, launch permission for the
 * accounts, organizations and OUs, the snapshots shared with the accounts, and deprecation scheduled.
 */
import type { Aws } from '../aws.js'
import type { Ec2, LaunchAudience } from '../ec2/index.js'
import { AwsError, awsErrorCode, describeClause, WaitError } from '../errors.js'
import type { BakeState } from '../state.js'
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

export interface PublishOptions {
  /** Where each grant is recorded before it is made, so that undo can take it back. */
  readonly state: BakeState
  readonly log: (line: string) => void
  /** The job's cancellation: no change starts once it is aborted. */
  readonly signal: AbortSignal
}

/** Applies `publication` to every image at once; throws naming each image (by region) that could not take it all. */
export async function publish(aws: Aws, images: readonly ReadyImage[], publication: Publication, options: PublishOptions): Promise<void> {
  if (!publishes(publication)) return
  const outcomes = await Promise.allSettled(images.map(image => publishOne(aws, image, publication, options)))
  const failures = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ image: images[i], error: outcome.reason as unknown }] : []))
  if (failures.length > 0) {
    const what = failures.map(({ image, error }) => `${image.imageId} in ${image.region}: ${describeClause(error)}`).join('; ')
    throw new AwsError('ModifyImageAttribute', awsErrorCode(failures[0].error), `Could not publish ${what}.`, failures[0].error)
  }
}

async function publishOne(aws: Aws, image: ReadyImage, publication: Publication, { state, log, signal }: PublishOptions): Promise<void> {
  const ec2 = aws.ec2(image.region)
  const { region, imageId } = image
  const { audience, shareSnapshots, deprecateAt, requireImdsV2 } = publication
  const unlessCancelled = (what: string) => {
    if (signal.aborted) throw new WaitError('aborted', `The job was cancelled before ${what} ${imageId} in ${region}.`)
  }
  // Before anyone may launch it: an instance launched from a shared image must not get IMDSv1 in between.
  if (requireImdsV2) {
    unlessCancelled('requiring IMDSv2 on')
    await ec2.requireImdsV2(imageId)
    log(`${imageId} in ${region} requires IMDSv2`)
  }
  const audiences = describeAudience(audience)
  if (audiences) {
    unlessCancelled('sharing')
    const added = without(audience, await ec2.launchPermissions(imageId))
    if (added.accounts.length + added.organizations.length + added.ous.length > 0) state.recordGrant({ region, kind: 'launch', resourceId: imageId, added })
    await ec2.shareImage(imageId, audience)
    log(`Shared ${imageId} in ${region} with ${audiences}`)
  }
  if (shareSnapshots && audience.accounts.length > 0) {
    for (const snapshotId of image.snapshotIds) {
      unlessCancelled(`sharing snapshot ${snapshotId} of`)
      await shareSnapshot(ec2, state, snapshotId, audience.accounts)
    }
    if (image.snapshotIds.length > 0) log(`Shared snapshots ${image.snapshotIds.join(', ')} in ${region} with ${plural(audience.accounts.length, 'account')}`)
  }
  if (deprecateAt) {
    unlessCancelled('deprecating')
    await ec2.deprecateImage(imageId, deprecateAt)
    log(`${image.imageId} in ${image.region} is deprecated from ${deprecateAt.toISOString()}`)
  }
}

/** Create-volume permission for the accounts, recording first what the snapshot did not already allow. */
async function shareSnapshot(ec2: Ec2, state: BakeState, snapshotId: string, accounts: readonly string[]): Promise<void> {
  const had = new Set(await ec2.volumePermissions(snapshotId))
  const added = { accounts: accounts.filter(account => !had.has(account)), organizations: [], ous: [] }
  if (added.accounts.length === 0) return
  state.recordGrant({ region: ec2.region, kind: 'create-volume', resourceId: snapshotId, added })
  await ec2.shareSnapshot(snapshotId, added.accounts)
}

/** What `audience` adds to what `had` already allowed. */
function without(audience: LaunchAudience, had: LaunchAudience): LaunchAudience {
  const minus = (wanted: readonly string[], present: readonly string[]) => wanted.filter(item => !present.includes(item))
  return { accounts: minus(audience.accounts, had.accounts), organizations: minus(audience.organizations, had.organizations), ous: minus(audience.ous, had.ous) }
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
