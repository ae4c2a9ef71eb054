/** EC2's answers as our shapes, and our shapes as EC2's items. */
import type { Image, Tag as SdkTag } from '@aws-sdk/client-ec2'
import type { ImageObservation } from '../observations.js'
import type { LaunchAudience, OwnedImage } from './types.js'

/** An audience as ModifyImageAttribute's LaunchPermission items. */
export function permissionItems(audience: LaunchAudience) {
  return [
    ...audience.accounts.map(UserId => ({ UserId })),
    ...audience.organizations.map(OrganizationArn => ({ OrganizationArn })),
    ...audience.ous.map(OrganizationalUnitArn => ({ OrganizationalUnitArn }))
  ]
}

export function tagRecord(tags: SdkTag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).flatMap(tag => (tag.Key === undefined ? [] : [[tag.Key, tag.Value ?? '']])))
}

export function ownedImage(image: Image): OwnedImage {
  return {
    imageId: image.ImageId ?? '',
    name: image.Name ?? '',
    state: image.State ?? 'pending',
    creationDate: image.CreationDate ?? '',
    snapshotIds: snapshotIdsOf(image),
    tags: tagRecord(image.Tags),
    deregistrationProtection: image.DeregistrationProtection ?? 'disabled',
    lastLaunchedTime: image.LastLaunchedTime
  }
}

/** The key a snapshot or volume is encrypted with, as `kmsKeyId`; nothing when it is not encrypted. */
export function keyOf(encrypted: { Encrypted?: boolean; KmsKeyId?: string }): { kmsKeyId?: string } {
  return encrypted.Encrypted ? { kmsKeyId: encrypted.KmsKeyId ?? 'unknown' } : {}
}

function snapshotIdsOf(image: Image): string[] {
  return (image.BlockDeviceMappings ?? []).flatMap(mapping => (mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : []))
}

export function observeImage(image: Image): ImageObservation {
  return {
    state: image.State ?? 'pending',
    stateReason: image.StateReason && { code: image.StateReason.Code, message: image.StateReason.Message },
    snapshotIds: snapshotIdsOf(image)
  }
}
