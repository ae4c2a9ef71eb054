import { imageArn, type Ec2Action, type Ec2Call } from './ec2-call.js'
import { invalidValue } from './ec2-create-image.js'
import { assertIdFormat } from './ec2-id-format.js'
import { isoTime } from './ec2-render.js'
import type { ImageRecord } from './ec2-state.js'
import { applyGrantChanges, grantsXml, readGrantChanges, type GrantChanges } from './ec2-share.js'
import { requireParam, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { leaf, node } from './xml.js'

// What happens to an image after it is made: who may launch it, whether it demands IMDSv2, its description,
// and when it is deprecated. ModifyImageAttribute changes one attribute per call, as EC2 insists.

const LAUNCH_PERMISSION_KINDS = ['UserId', 'Group', 'OrganizationArn', 'OrganizationalUnitArn'] as const
/** The only ImdsSupport value EC2 takes; once set it cannot be undone, so there is no value to unset it with. */
const IMDS_V2 = 'v2.0'
const DESCRIBABLE = ['description', 'launchPermission', 'imdsSupport'] as const
const MINUTE_MS = 60_000
const TEN_YEARS_MS = 10 * 365.25 * 24 * 60 * MINUTE_MS

type Modification =
  | { attribute: 'launchPermission'; changes: GrantChanges }
  | { attribute: 'imdsSupport'; value: string }
  | { attribute: 'description'; value: string }

/** Which one attribute the request modifies, from `Attribute` + `Value` or the structured parameters. */
function readModification(params: Params): Modification {
  const changes = readGrantChanges(params, 'LaunchPermission', LAUNCH_PERMISSION_KINDS, 'InvalidAMIAttributeItemValue')
  const named = params.Attribute
  const given: Modification[] = []
  if (changes.add.length + changes.remove.length > 0) given.push({ attribute: 'launchPermission', changes })
  const imds = params['ImdsSupport.Value'] ?? (named === 'imdsSupport' ? params.Value : undefined)
  if (imds !== undefined) given.push({ attribute: 'imdsSupport', value: imds })
  const description = params['Description.Value'] ?? (named === 'description' ? params.Value : undefined)
  if (description !== undefined) given.push({ attribute: 'description', value: description })
  if (named !== undefined && !DESCRIBABLE.includes(named as (typeof DESCRIBABLE)[number])) {
    throw invalidValue(`Value (${named}) for parameter attribute is invalid. Allowed values are description, imdsSupport, launchPermission`)
  }
  if (given.length === 0) {
    throw new ServiceError(400, 'MissingParameter', 'The request must name an attribute to modify: LaunchPermission, ImdsSupport or Description')
  }
  if (given.length > 1 || (named !== undefined && given[0].attribute !== named)) {
    throw new ServiceError(400, 'InvalidParameterCombination', 'You can modify only one attribute of an image at a time')
  }
  const [modification] = given
  if (modification.attribute === 'imdsSupport' && modification.value !== IMDS_V2) {
    throw invalidValue(`Value (${modification.value}) for parameter imdsSupport is invalid. The only value is ${IMDS_V2}, and it cannot be undone once set`)
  }
  if (modification.attribute === 'description' && modification.value.length > 255) {
    throw invalidValue(`Value (${modification.value}) for parameter description is invalid. Length exceeds maximum of 255.`)
  }
  return modification
}

/**
 * Another account could not decrypt snapshots under this account's AWS managed key, so EC2 will not share an image that
 * maps one: "InvalidParameter: Snapshots encrypted with the AWS Managed CMK can't be shared. Specify another snapshot."
 * (ModifyImageAttribute's answer, as DataDog/stratus-red-team#109 and hashicorp/packer#7410 quote it).
 */
function refuseAwsManagedKey(call: Ec2Call, image: ImageRecord): void {
  const snapshotIds = new Set(image.mappings.flatMap((m) => (m.kind === 'ebs' && m.snapshotId ? [m.snapshotId] : [])))
  const awsManaged = call.state.snapshots.some((s) => snapshotIds.has(s.snapshotId) && call.kms.keyByArn(s.kmsKeyId)?.keyManager === 'AWS')
  if (awsManaged) {
    throw new ServiceError(400, 'InvalidParameter', "Snapshots encrypted with the AWS Managed CMK can't be shared. Specify another snapshot.")
  }
}

function readImageId(params: Params): string {
  const imageId = requireParam(params, 'ImageId')
  assertIdFormat('ami', imageId)
  return imageId
}

export const modifyImageAttribute: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const imageId = readImageId(params)
  const modification = readModification(params)
  call.authorize(imageArn(region, imageId))

  // EC2 will not share an image it has not finished making.
  const image = modification.attribute === 'launchPermission' ? state.availableImage(region, imageId, now) : state.liveImage(region, imageId)
  if (modification.attribute === 'launchPermission') {
    if (modification.changes.add.length > 0) refuseAwsManagedKey(call, image)
    applyGrantChanges(image.launchPermissions, modification.changes)
  } else if (modification.attribute === 'imdsSupport') {
    image.imdsSupport = modification.value
  } else {
    image.description = modification.value
  }
  return leaf('return', true)
}

export const describeImageAttribute: Ec2Action = (call) => {
  const { params, region, state } = call
  const imageId = readImageId(params)
  const attribute = requireParam(params, 'Attribute')
  if (!DESCRIBABLE.includes(attribute as (typeof DESCRIBABLE)[number])) {
    throw invalidValue(`Value (${attribute}) for parameter attribute is invalid. This endpoint describes ${DESCRIBABLE.join(', ')}`)
  }
  call.authorize(imageArn(region, imageId))

  const image = state.liveImage(region, imageId)
  const value = (text: string | undefined): string => node(attribute, leaf('value', text))
  const body =
    attribute === 'launchPermission'
      ? grantsXml('launchPermission', image.launchPermissions)
      : value(attribute === 'imdsSupport' ? image.imdsSupport : image.description)
  return leaf('imageId', imageId) + body
}

/** EC2 rounds the seconds of DeprecateAt to the nearest minute. */
function readDeprecateAt(params: Params, now: number): number {
  const raw = requireParam(params, 'DeprecateAt')
  const at = Date.parse(raw)
  if (Number.isNaN(at)) throw invalidValue(`Value (${raw}) for parameter deprecateAt is invalid. Expected a UTC time such as 2030-01-31T12:00:00Z`)
  if (at < now) throw invalidValue(`Value (${raw}) for parameter deprecateAt is invalid. The deprecation time cannot be in the past (now is ${isoTime(now)})`)
  if (at > now + TEN_YEARS_MS) throw invalidValue(`Value (${raw}) for parameter deprecateAt is invalid. It can be at most 10 years from now`)
  return Math.round(at / MINUTE_MS) * MINUTE_MS
}

export const enableImageDeprecation: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const imageId = readImageId(params)
  const deprecateAt = readDeprecateAt(params, now)
  call.authorize(imageArn(region, imageId))

  state.liveImage(region, imageId).deprecateAt = deprecateAt
  return leaf('return', true)
}

export const disableImageDeprecation: Ec2Action = (call) => {
  const { params, region, state } = call
  const imageId = readImageId(params)
  call.authorize(imageArn(region, imageId))

  state.liveImage(region, imageId).deprecateAt = undefined
  return leaf('return', true)
}
