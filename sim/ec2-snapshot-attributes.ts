import { snapshotArn, type Ec2Action } from './ec2-call.js'
import { invalidValue } from './ec2-create-image.js'
import { assertIdFormat } from './ec2-id-format.js'
import { applyGrantChanges, grantsXml, readGrantChanges } from './ec2-share.js'
import { requireParam, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { leaf } from './xml.js'

// Who else may create volumes from a snapshot: what an account that is given an image must also be given
// for the image's snapshots, to copy the image or to restore its volumes. The only attribute modelled is
// createVolumePermission (productCodes are read-only on AWS too).

const CREATE_VOLUME_KINDS = ['UserId', 'Group'] as const

function readSnapshotId(params: Params): string {
  const snapshotId = requireParam(params, 'SnapshotId')
  assertIdFormat('snap', snapshotId)
  return snapshotId
}

function checkAttribute(attribute: string | undefined): void {
  if (attribute !== undefined && attribute !== 'createVolumePermission') {
    throw invalidValue(`Value (${attribute}) for parameter attribute is invalid. This endpoint handles createVolumePermission only`)
  }
}

export const modifySnapshotAttribute: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const snapshotId = readSnapshotId(params)
  checkAttribute(params.Attribute)
  const changes = readGrantChanges(params, 'CreateVolumePermission', CREATE_VOLUME_KINDS, 'InvalidParameterValue')
  if (changes.add.length + changes.remove.length === 0) {
    throw new ServiceError(400, 'MissingParameter', 'The request must contain the parameter CreateVolumePermission (or OperationType with UserId.N or UserGroup.N)')
  }
  call.authorize(snapshotArn(region, snapshotId))

  const snapshot = state.visibleSnapshot(region, snapshotId, now)
  // Another account could not decrypt it: EC2 refuses to share a snapshot under the account's AWS managed key, in
  // words other than ModifyImageAttribute's ("OperationNotPermitted: Encrypted snapshots with EBS default key cannot be
  // shared", as hashicorp/packer#7499 quotes it).
  if (changes.add.length > 0 && call.kms.keyByArn(snapshot.kmsKeyId)?.keyManager === 'AWS') {
    throw new ServiceError(400, 'OperationNotPermitted', 'Encrypted snapshots with EBS default key cannot be shared')
  }
  applyGrantChanges(snapshot.createVolumePermissions, changes)
  return leaf('return', true)
}

export const describeSnapshotAttribute: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const snapshotId = readSnapshotId(params)
  const attribute = requireParam(params, 'Attribute')
  checkAttribute(attribute)
  call.authorize(snapshotArn(region, snapshotId))

  const snapshot = state.visibleSnapshot(region, snapshotId, now)
  return leaf('snapshotId', snapshotId) + grantsXml('createVolumePermission', snapshot.createVolumePermissions)
}
