import { instanceArn, type Ec2Action } from './ec2-call.js'
import { assertIdFormat } from './ec2-id-format.js'
import { INSTANCE_PLATFORM, type Ec2State, type ImageMapping, type Instance, type SnapshotRecord } from './ec2-state.js'
import { readTagSpecifications } from './ec2-tags.js'
import { UNPROTECTED } from './ec2-protection.js'
import { resourceId } from './ids.js'
import { createImageDescription } from './snapshot-descriptions.js'
import { readBoolean, readEntries, requireParam, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { leaf } from './xml.js'

// CreateImage, checked in EC2's order: request syntax, then permission (and DryRun), then the instance,
// then the name's uniqueness. The image is pending at once; its snapshots come later (see bake-timeline).

const NAME_PATTERN = /^[A-Za-z0-9()[\] ./\-'@_]{3,128}$/
const DEVICE_PATTERN = /^\/dev\/(sd|xvd)[a-z]{1,2}\d{0,2}$/
export const VOLUME_TYPES = ['standard', 'io1', 'io2', 'gp2', 'gp3', 'sc1', 'st1']
const SNAPSHOT_LOCATIONS = ['regional', 'local']
/** Instance states from which EC2 refuses to image. */
const UNIMAGEABLE = ['pending', 'stopping', 'terminated', 'shutting-down']

export const invalidMapping = (message: string): ServiceError => new ServiceError(400, 'InvalidBlockDeviceMapping', message)
export const invalidValue = (message: string): ServiceError => new ServiceError(400, 'InvalidParameterValue', message)

/** A requested BlockDeviceMapping.N, syntax-checked. */
export interface MappingRequest {
  deviceName: string
  noDevice: boolean
  virtualName?: string
  ebs?: { snapshotId?: string; volumeSize?: number; volumeType?: string; deleteOnTermination?: boolean; iops?: number; throughput?: number }
}

function readNumber(entry: Params, key: string, device: string): number | undefined {
  const raw = entry[key]
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw invalidMapping(`Invalid ${key} '${raw}' for device ${device}`)
  return value
}

export function readMappingRequests(params: Params): MappingRequest[] {
  const seen = new Set<string>()
  return readEntries(params, 'BlockDeviceMapping').map((entry) => {
    const deviceName = entry.DeviceName
    if (!deviceName) throw invalidMapping('Each block device mapping must name a device')
    if (!DEVICE_PATTERN.test(deviceName)) throw invalidMapping(`Invalid device name ${deviceName}`)
    if (seen.has(deviceName)) throw invalidMapping(`The device '${deviceName}' is used in more than one block-device mapping`)
    seen.add(deviceName)
    const hasEbs = Object.keys(entry).some((k) => k.startsWith('Ebs.'))
    const noDevice = 'NoDevice' in entry
    if (noDevice && (hasEbs || entry.VirtualName)) {
      throw invalidMapping(`The device ${deviceName} cannot be both suppressed (NoDevice) and mapped`)
    }
    const volumeType = entry['Ebs.VolumeType']
    if (volumeType !== undefined && !VOLUME_TYPES.includes(volumeType)) {
      throw invalidValue(`Value (${volumeType}) for parameter volumeType is invalid. Allowed values are ${VOLUME_TYPES.join(', ')}`)
    }
    const snapshotId = entry['Ebs.SnapshotId']
    if (snapshotId !== undefined) assertIdFormat('snap', snapshotId)
    const volumeSize = readNumber(entry, 'Ebs.VolumeSize', deviceName)
    if (volumeSize !== undefined && volumeSize > 16384) {
      throw invalidMapping(`Volume of size ${volumeSize}GiB for device ${deviceName} is larger than the maximum of 16384GiB`)
    }
    return {
      deviceName,
      noDevice,
      virtualName: entry.VirtualName,
      ebs: hasEbs
        ? {
            snapshotId,
            volumeSize,
            volumeType,
            deleteOnTermination: readBoolean(entry, 'Ebs.DeleteOnTermination', 'deleteOnTermination'),
            iops: readNumber(entry, 'Ebs.Iops', deviceName),
            throughput: readNumber(entry, 'Ebs.Throughput', deviceName)
          }
        : undefined
    }
  })
}

/** gp3 volumes come with 3000 IOPS and 125 MiB/s unless told otherwise. */
export function performance(volumeType: string, iops?: number, throughput?: number): { iops?: number; throughput?: number } {
  if (volumeType === 'gp3') return { iops: iops ?? 3000, throughput: throughput ?? 125 }
  return { iops }
}

/**
 * The size of a volume made from a snapshot the user names in a mapping (CreateImage's data volume, RegisterImage's
 * disks): the snapshot must exist in the region and be completed, and a size given may not be smaller than it.
 */
export function sizeFromSnapshot(state: Ec2State, region: string, now: number, snapshotId: string, size: number | undefined): number {
  const snapshot = state.visibleSnapshots(region, now).find((s) => s.snapshotId === snapshotId)
  if (!snapshot) throw new ServiceError(400, 'InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`)
  const phase = state.snapshotPhase(snapshot, now)
  if (phase.state !== 'completed') {
    throw new ServiceError(400, 'IncorrectState', `Snapshot '${snapshotId}' is not 'completed' (it is '${phase.state}').`)
  }
  if (size !== undefined && size < snapshot.sizeGiB) {
    throw invalidMapping(`Volume of size ${size}GiB is smaller than snapshot '${snapshotId}', expect size >= ${snapshot.sizeGiB}GiB`)
  }
  return size ?? snapshot.sizeGiB
}

/**
 * The image's mappings: the instance's volumes, adjusted, suppressed or added to by the request. An added device
 * may name a snapshot of the user's (a data volume); the image then refers to that snapshot as it is, as EC2 does,
 * and CreateImage makes no snapshot for that device. `sizeOf` checks such a snapshot and gives the volume's size.
 */
function imageMappings(
  instance: Instance,
  requests: MappingRequest[],
  sizeOf: (snapshotId: string, size?: number) => number,
  encryptionOf: (snapshotId: string) => { encrypted: boolean; kmsKeyId?: string }
): ImageMapping[] {
  const byDevice = new Map(requests.map((r) => [r.deviceName, r]))
  const mappings: ImageMapping[] = []
  for (const volume of instance.volumes) {
    const request = byDevice.get(volume.deviceName)
    byDevice.delete(volume.deviceName)
    if (request?.noDevice) {
      if (volume.deviceName === instance.rootDeviceName) {
        throw invalidMapping(`The device ${volume.deviceName} is the root device and cannot be suppressed`)
      }
      continue
    }
    if (request?.virtualName) throw invalidMapping(`The device ${volume.deviceName} holds an EBS volume and cannot be mapped to ${request.virtualName}`)
    const ebs = request?.ebs ?? {}
    if (ebs.snapshotId !== undefined) {
      throw invalidMapping(`The device ${volume.deviceName} holds the instance's volume ${volume.volumeId}; CreateImage snapshots it and cannot map snapshot ${ebs.snapshotId} there`)
    }
    const volumeSize = ebs.volumeSize ?? volume.sizeGiB
    if (volumeSize < volume.sizeGiB) {
      throw invalidMapping(`Volume of size ${volumeSize}GiB is smaller than the ${volume.sizeGiB}GiB volume ${volume.volumeId} on ${volume.deviceName}`)
    }
    const volumeType = ebs.volumeType ?? volume.volumeType
    mappings.push({
      kind: 'ebs',
      deviceName: volume.deviceName,
      volumeId: volume.volumeId,
      volumeSize,
      volumeType,
      deleteOnTermination: ebs.deleteOnTermination ?? true,
      // A snapshot of an encrypted volume is encrypted with the volume's key.
      encrypted: volume.encrypted,
      kmsKeyId: volume.kmsKeyId,
      ...performance(volumeType, ebs.iops, ebs.throughput)
    })
  }
  for (const request of byDevice.values()) {
    if (request.noDevice) continue
    if (request.virtualName) {
      mappings.push({ kind: 'ephemeral', deviceName: request.deviceName, virtualName: request.virtualName })
      continue
    }
    const snapshotId = request.ebs?.snapshotId
    const size = snapshotId === undefined ? request.ebs?.volumeSize : sizeOf(snapshotId, request.ebs?.volumeSize)
    const encryption = snapshotId === undefined ? undefined : encryptionOf(snapshotId)
    if (size === undefined) throw invalidMapping(`The request must contain the parameter size for the new volume on ${request.deviceName}`)
    const volumeType = request.ebs?.volumeType ?? 'gp3'
    mappings.push({
      kind: 'ebs',
      deviceName: request.deviceName,
      snapshotId,
      volumeSize: size,
      volumeType,
      deleteOnTermination: request.ebs?.deleteOnTermination ?? true,
      encrypted: encryption?.encrypted ?? false,
      kmsKeyId: encryption?.kmsKeyId,
      ...performance(volumeType, request.ebs?.iops, request.ebs?.throughput)
    })
  }
  return mappings
}

/** Name and Description, as CreateImage and RegisterImage both check them. */
export function readNameAndDescription(params: Params): { name: string; description?: string } {
  const name = requireParam(params, 'Name')
  if (!NAME_PATTERN.test(name)) {
    throw new ServiceError(
      400,
      'InvalidAMIName.Malformed',
      "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '[', ']', ' ', '.', '/', '-', ''', '@' and '_'"
    )
  }
  const description = params.Description
  if (description !== undefined && description.length > 255) {
    throw invalidValue(`Value (${description}) for parameter description is invalid. Length exceeds maximum of 255.`)
  }
  return { name, description }
}

export const createImage: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const instanceId = requireParam(params, 'InstanceId')
  requireParam(params, 'Name')
  assertIdFormat('i', instanceId)
  const { name, description } = readNameAndDescription(params)
  const noReboot = readBoolean(params, 'NoReboot', 'noReboot') ?? false
  readBoolean(params, 'DryRun', 'dryRun')
  const snapshotLocation = params.SnapshotLocation
  if (snapshotLocation !== undefined && !SNAPSHOT_LOCATIONS.includes(snapshotLocation)) {
    throw invalidValue(`Value (${snapshotLocation}) for parameter snapshotLocation is invalid. Allowed values are ${SNAPSHOT_LOCATIONS.join(', ')}`)
  }
  const tagSpecs = readTagSpecifications(params, ['image', 'snapshot'] as const)
  const mappingRequests = readMappingRequests(params)

  call.authorize(instanceArn(region, call.accountId, instanceId))

  const instance = state.instance(region, instanceId)
  if (!instance) throw new ServiceError(400, 'InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`)
  if (UNIMAGEABLE.includes(instance.state)) {
    throw new ServiceError(400, 'IncorrectInstanceState', `The instance '${instanceId}' is not in a state from which it can be imaged (it is ${instance.state}).`)
  }
  const mappings = imageMappings(
    instance,
    mappingRequests,
    (snapshotId, size) => sizeFromSnapshot(state, region, now, snapshotId, size),
    (snapshotId) => state.visibleSnapshot(region, snapshotId, now)
  )
  const taken = state.liveImages(region).find((image) => image.name === name)
  if (taken) throw new ServiceError(400, 'InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${taken.imageId}`)

  const imageId = resourceId('ami')
  const timeline = state.takeTimeline(now, region)
  const snapshots: SnapshotRecord[] = []
  for (const mapping of mappings) {
    if (mapping.kind !== 'ebs' || mapping.volumeId === undefined) continue
    const volume = instance.volumes.find((v) => v.volumeId === mapping.volumeId)
    mapping.snapshotId = resourceId('snap')
    snapshots.push({
      snapshotId: mapping.snapshotId,
      region,
      imageId,
      madeFor: imageId,
      volumeId: mapping.volumeId,
      sizeGiB: volume?.sizeGiB ?? mapping.volumeSize,
      description: createImageDescription(instanceId, imageId, mapping.volumeId),
      tags: { ...tagSpecs.snapshot },
      timeline,
      createVolumePermissions: [],
      encrypted: volume?.encrypted ?? false,
      kmsKeyId: volume?.kmsKeyId
    })
  }
  state.images.push({
    imageId,
    region,
    name,
    description,
    madeBy: 'CreateImage',
    instanceId,
    noReboot,
    platform: INSTANCE_PLATFORM,
    tags: { ...tagSpecs.image },
    snapshotLocation,
    rootDeviceName: instance.rootDeviceName,
    mappings,
    timeline,
    launchPermissions: [],
    protection: { ...UNPROTECTED }
  })
  state.snapshots.push(...snapshots)
  return leaf('imageId', imageId)
}
