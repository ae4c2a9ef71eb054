import { imageArn, type Ec2Action, type Ec2Call } from './ec2-call.js'
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
//
// Encryption: a copy's snapshot is encrypted when its source snapshot is or the request says `Encrypted`; an
// unencrypted copy of an encrypted snapshot is refused. The key is KmsKeyId, resolved in the DESTINATION region (a key
// id, key ARN, alias name or alias ARN), else the destination's EBS default key (alias/aws/ebs unless the account set
// another). EC2 "parses KmsKeyId asynchronously … the action you call may appear to complete even though you provided
// an invalid identifier. This action will eventually report failure" (API reference), so a key that is not there, not
// Enabled, or not symmetric is no error answer: the copy fails when it would start its snapshot copies.

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/
/** SnapshotCopyCompletionDurationMinutes: 15 minutes to 48 hours, in 15-minute steps (API reference). */
const COMPLETION_MINUTES = { min: 15, max: 2880, step: 15 }
/** The StateReason of a copy whose key EBS cannot use, as public reports of such copies quote it (the code is inferred). */
const KEY_FAILURE = { code: 'Server.InternalError', message: 'Copy image failed with an internal error.' }

function readCompletionMinutes(params: Record<string, string>): number | undefined {
  const raw = params.SnapshotCopyCompletionDurationMinutes
  if (raw === undefined) return undefined
  const minutes = Number(raw)
  const { min, max, step } = COMPLETION_MINUTES
  if (!Number.isInteger(minutes) || minutes < min || minutes > max || minutes % step !== 0) {
    throw invalidValue(
      `Value (${raw}) for parameter snapshotCopyCompletionDurationMinutes is invalid. Expected a multiple of ${step} from ${min} to ${max}.`
    )
  }
  return minutes
}

/** The key the copy encrypts with, and whether EBS can use it (an Enabled symmetric key in the destination region). */
function copyKey(call: Ec2Call, kmsKeyId: string | undefined): { arn?: string; usable: boolean } {
  const { kms, region, now } = call
  const key = kmsKeyId === undefined ? kms.ebsDefaultKey(region, now) : kms.resolve(region, kmsKeyId, now)
  return { arn: key?.arn ?? kmsKeyId, usable: key?.state === 'Enabled' && key.keySpec === 'SYMMETRIC_DEFAULT' }
}

export const copyImage: Ec2Action = (call) => {
  const { params, region, state, now } = call
  requireParam(params, 'Name')
  const sourceImageId = requireParam(params, 'SourceImageId')
  const sourceRegion = requireParam(params, 'SourceRegion')
  assertIdFormat('ami', sourceImageId)
  if (!REGION_PATTERN.test(sourceRegion)) throw invalidValue(`Value (${sourceRegion}) for parameter sourceRegion is invalid. Expected a region such as us-east-1`)
  const { name, description } = readNameAndDescription(params)
  const copyTags = readBoolean(params, 'CopyImageTags', 'copyImageTags') ?? false
  const encryptedParam = readBoolean(params, 'Encrypted', 'encrypted')
  const kmsKeyId = params.KmsKeyId
  if (kmsKeyId !== undefined && encryptedParam !== true) {
    throw new ServiceError(400, 'InvalidParameterDependency', 'The parameter KmsKeyId requires the parameter Encrypted to be set.')
  }
  const completionMinutes = readCompletionMinutes(params)
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
  const sourceSnapshotOf = (mapping: ImageMapping): SnapshotRecord | undefined =>
    mapping.kind === 'ebs' && mapping.snapshotId !== undefined ? state.snapshots.find((s) => s.snapshotId === mapping.snapshotId) : undefined
  const encryptedSource = source.mappings.map(sourceSnapshotOf).find((snapshot) => snapshot?.encrypted)
  if (encryptedParam === false && encryptedSource) {
    throw new ServiceError(
      400,
      'InvalidRequest',
      `Snapshot ${encryptedSource.snapshotId} is encrypted. Creating unencrypted copy from an encrypted snapshot is not supported.`
    )
  }
  const taken = state.liveImages(region).find((image) => image.name === name)
  if (taken) throw new ServiceError(400, 'InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${taken.imageId}`)

  const imageId = resourceId('ami')
  const timeline = state.takeTimeline(now, region)
  const encrypted = encryptedParam === true || encryptedSource !== undefined
  const key = encrypted ? copyKey(call, kmsKeyId) : { usable: true }
  if (!key.usable) {
    // EC2 finds out when it starts the snapshot copies, so none is ever made.
    const afterMs = Math.min(timeline.snapshotDelayMs, timeline.fail?.afterMs ?? Infinity)
    timeline.fail = { afterMs, ...KEY_FAILURE }
  }
  const snapshots: SnapshotRecord[] = []
  const mappings = source.mappings.map((mapping): ImageMapping => {
    if (mapping.kind !== 'ebs' || mapping.snapshotId === undefined) return { ...mapping }
    const sourceSnapshot = sourceSnapshotOf(mapping)
    const snapshotEncrypted = encryptedParam === true || (sourceSnapshot?.encrypted ?? mapping.encrypted)
    const encryption = { encrypted: snapshotEncrypted, kmsKeyId: snapshotEncrypted ? key.arn : undefined }
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
      createVolumePermissions: [],
      ...encryption
    })
    return { ...mapping, snapshotId, volumeId: undefined, ...encryption }
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
    clientToken,
    copy: { encrypted, kmsKeyId: encrypted ? key.arn : undefined, completionMinutes }
  }
  state.images.push(copy)
  state.snapshots.push(...snapshots)
  return leaf('imageId', imageId)
}
