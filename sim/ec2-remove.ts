import { imageArn, snapshotArn, type Ec2Action } from './ec2-call.js'
import { assertIdFormat } from './ec2-id-format.js'
import { assertDeregistrable } from './ec2-protection.js'
import { readBoolean, requireParam } from './query-params.js'
import { ServiceError } from './service-error.js'
import { itemSet, leaf } from './xml.js'

// DeregisterImage and DeleteSnapshot, the two halves of cleaning up a bake. Deregistering does not stop
// snapshots that are still being made: they appear later with no image, as on AWS, so a cleaner has to
// go looking for them.

export const deregisterImage: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const imageId = requireParam(params, 'ImageId')
  assertIdFormat('ami', imageId)
  const deleteSnapshots = readBoolean(params, 'DeleteAssociatedSnapshots', 'deleteAssociatedSnapshots') ?? false
  call.authorize(imageArn(region, imageId))

  const image = state.image(region, imageId)
  if (!image) throw new ServiceError(400, 'InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`)
  if (image.deregisteredAt !== undefined) {
    throw new ServiceError(400, 'InvalidAMIID.Unavailable', `The image ID '${imageId}' is no longer available`)
  }
  assertDeregistrable(image, now)
  image.deregisteredAt = now
  if (!deleteSnapshots) return leaf('return', true)

  // Only snapshots that exist by now can be deleted; the ones still to come are made regardless. For a
  // registered image these are the snapshots it was registered from, however long they existed before.
  const results = state
    .associatedSnapshots(image, now)
    .filter((snapshot) => snapshot.deletedAt === undefined)
    .map((snapshot) => {
      const allowed = call.isAllowed('DeleteSnapshot')
      if (allowed) snapshot.deletedAt = now
      return leaf('snapshotId', snapshot.snapshotId) + leaf('returnCode', allowed ? 'success' : 'missing-permissions')
    })
  return leaf('return', true) + itemSet('deleteSnapshotResultSet', results)
}

export const deleteSnapshot: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const snapshotId = requireParam(params, 'SnapshotId')
  assertIdFormat('snap', snapshotId)
  call.authorize(snapshotArn(region, snapshotId))

  const snapshot = state.visibleSnapshots(region, now).find((s) => s.snapshotId === snapshotId)
  if (!snapshot) throw new ServiceError(400, 'InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`)
  const user = state.imageUsing(snapshot)
  if (user) {
    throw new ServiceError(400, 'InvalidSnapshot.InUse', `The snapshot ${snapshotId} is currently in use by ${user.imageId}`)
  }
  snapshot.deletedAt = now
  return leaf('return', true)
}
