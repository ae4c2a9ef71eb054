import { imageArn, type Ec2Action } from './ec2-call.js'
import { invalidValue, readNameAndDescription } from './ec2-create-image.js'
import { assertIdFormat } from './ec2-id-format.js'
import type { ImageMapping, ImageRecord, SnapshotRecord } from './ec2-state.js'
import { readTagSpecifications } from './ec2-tags.js'
import { UNPROTECTED } from './ec2-protection.js'
import { resourceId } from './ids.js'
import { COPIED_VOLUME, copyImageDescription } from './snapshot-descriptions.js'
import { readBoolean, requireParam } from './query-params.js'
import { ServiceError } from './service-error.js'
import { leaf } from './xml.js'

// CopyImage, sent to the DESTINATION region (the SigV4 scope) and naming the source region. Checked in
// EC2's order: request syntax, then permission (and DryRun), then the source image, then the name. The copy
// is a new image with new snapshots of its own, pending and then available on its own bake timeline, as a
// CreateImage is. What a copy keeps of its source: the platform, the root device, the mappings (pointing at
// the new snapshots), ImdsSupport, and with CopyImageTags its tags. Launch permissions and deprecation stay
// behind, as on AWS.

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/

export const copyImage: Ec2Action = (call) => {
  const { params, region, state, now } = call
  requireParam(params, 'Name')
  const sourceImageId = requireParam(params, 'SourceImageId')
  const sourceRegion = requireParam(params, 'SourceRegion')
  assertIdFormat('ami', sourceImageId)
  if (!REGION_PATTERN.test(sourceRegion)) throw invalidValue(`Value (${sourceRegion}) for parameter sourceRegion is invalid. Expected a region such as us-east-1`)
  const { name, description } = readNameAndDescription(params)
  const copyTags = readBoolean(params, 'CopyImageTags', 'copyImageTags') ?? false
  readBoolean(params, 'DryRun', 'dryRun')
  const tagSpecs = readTagSpecifications(params, ['image', 'snapshot'] as const)
  const clientToken = params.ClientToken

  call.authorize(imageArn(sourceRegion, sourceImageId))

  // The same ClientToken answers with the copy it made the first time, so a retried request makes no second copy.
  const earlier = clientToken === undefined ? undefined : state.liveImages(region).find((i) => i.clientToken === clientToken)
  if (earlier) {
    if (earlier.source?.imageId !== sourceImageId || earlier.source.region !== sourceRegion || earlier.name !== name) {
      throw new ServiceError(400, 'IdempotentParameterMismatch', `The client token ${clientToken} was already used for a different CopyImage request`)
    }
    return leaf('imageId', earlier.imageId)
  }
  const source = state.availableImage(sourceRegion, sourceImageId, now)
  const taken = state.liveImages(region).find((image) => image.name === name)
  if (taken) throw new ServiceError(400, 'InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${taken.imageId}`)

  const imageId = resourceId('ami')
  const timeline = state.takeTimeline(now, region)
  const snapshots: SnapshotRecord[] = []
  const mappings = source.mappings.map((mapping): ImageMapping => {
    if (mapping.kind !== 'ebs' || mapping.snapshotId === undefined) return { ...mapping }
    const sourceSnapshot = state.snapshots.find((s) => s.snapshotId === mapping.snapshotId)
    const snapshotId = resourceId('snap')
    snapshots.push({
      snapshotId,
      region,
      imageId,
      madeFor: imageId,
      volumeId: COPIED_VOLUME,
      sizeGiB: sourceSnapshot?.sizeGiB ?? mapping.volumeSize,
      description: copyImageDescription(imageId, sourceImageId, mapping.snapshotId, now),
      tags: { ...tagSpecs.snapshot },
      timeline,
      createVolumePermissions: []
    })
    return { ...mapping, snapshotId, volumeId: undefined }
  })
  const copy: ImageRecord = {
    imageId,
    region,
    madeBy: 'CopyImage',
    name,
    description,
    noReboot: false,
    platform: source.platform,
    tags: { ...(copyTags ? source.tags : {}), ...tagSpecs.image },
    rootDeviceName: source.rootDeviceName,
    mappings,
    timeline,
    launchPermissions: [],
    protection: { ...UNPROTECTED },
    imdsSupport: source.imdsSupport,
    source: { imageId: sourceImageId, region: sourceRegion },
    clientToken
  }
  state.images.push(copy)
  state.snapshots.push(...snapshots)
  return leaf('imageId', imageId)
}
