import { imageArn, type Ec2Action } from './ec2-call.js'
import {
  invalidMapping,
  invalidValue,
  performance,
  readMappingRequests,
  readNameAndDescription,
  sizeFromSnapshot,
  type MappingRequest
} from './ec2-create-image.js'
import type { Ec2State, ImageMapping, ImagePlatform } from './ec2-state.js'
import { readTagSpecifications } from './ec2-tags.js'
import { UNPROTECTED } from './ec2-protection.js'
import { resourceId } from './ids.js'
import { readBoolean, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { leaf } from './xml.js'

// RegisterImage from EBS snapshots, checked in EC2's order: request syntax, then permission (and DryRun),
// then the snapshots the mappings name, then the name's uniqueness. The image uses the snapshots as they
// are: it makes none, so it is pending only for as long as its bake timeline says.

const ARCHITECTURES = ['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac']
const VIRTUALIZATION_TYPES = ['hvm', 'paravirtual']
const BOOT_MODES = ['legacy-bios', 'uefi', 'uefi-preferred']
const TPM_SUPPORT = ['v2.0']
/** EC2 cannot boot from throughput-optimised or cold HDD volumes. */
const UNBOOTABLE = ['st1', 'sc1']

function oneOf(params: Params, name: string, parameter: string, allowed: string[]): string | undefined {
  const value = params[name]
  if (value !== undefined && !allowed.includes(value)) {
    throw invalidValue(`Value (${value}) for parameter ${parameter} is invalid. Allowed values are ${allowed.join(', ')}`)
  }
  return value
}

function readPlatform(params: Params): ImagePlatform {
  const platform: ImagePlatform = {
    architecture: oneOf(params, 'Architecture', 'architecture', ARCHITECTURES) ?? 'x86_64',
    virtualizationType: oneOf(params, 'VirtualizationType', 'virtualizationType', VIRTUALIZATION_TYPES) ?? 'paravirtual',
    bootMode: oneOf(params, 'BootMode', 'bootMode', BOOT_MODES),
    enaSupport: readBoolean(params, 'EnaSupport', 'enaSupport') ?? false,
    tpmSupport: oneOf(params, 'TpmSupport', 'tpmSupport', TPM_SUPPORT)
  }
  if (platform.tpmSupport && platform.bootMode !== 'uefi') {
    throw new ServiceError(400, 'InvalidParameterCombination', 'NitroTPM support (TpmSupport v2.0) requires the boot mode uefi.')
  }
  return platform
}

/** The image's mappings; every EBS one built from a completed snapshot, or an empty volume of a given size. */
function registeredMappings(state: Ec2State, region: string, now: number, rootDeviceName: string, requests: MappingRequest[]): ImageMapping[] {
  const root = requests.find((r) => r.deviceName === rootDeviceName)
  if (!root?.ebs?.snapshotId) {
    throw invalidMapping(`The root device ${rootDeviceName} needs a block device mapping with an EBS snapshot`)
  }
  if (root.ebs.volumeType && UNBOOTABLE.includes(root.ebs.volumeType)) {
    throw invalidMapping(`The root device ${rootDeviceName} cannot be a ${root.ebs.volumeType} volume: EC2 cannot boot from st1 or sc1`)
  }
  return requests.flatMap((request): ImageMapping[] => {
    if (request.noDevice) return []
    if (request.virtualName) return [{ kind: 'ephemeral', deviceName: request.deviceName, virtualName: request.virtualName }]
    const ebs = request.ebs ?? {}
    const size = ebs.snapshotId ? sizeFromSnapshot(state, region, now, ebs.snapshotId, ebs.volumeSize) : ebs.volumeSize
    // The image maps the snapshot as it is, encryption included.
    const snapshot = ebs.snapshotId ? state.visibleSnapshot(region, ebs.snapshotId, now) : undefined
    if (size === undefined) throw invalidMapping(`The request must contain the parameter size for the new volume on ${request.deviceName}`)
    const volumeType = ebs.volumeType ?? 'gp2'
    return [
      {
        kind: 'ebs',
        deviceName: request.deviceName,
        snapshotId: ebs.snapshotId,
        volumeSize: size,
        volumeType,
        deleteOnTermination: ebs.deleteOnTermination ?? true,
        encrypted: snapshot?.encrypted ?? false,
        kmsKeyId: snapshot?.kmsKeyId,
        ...performance(volumeType, ebs.iops, ebs.throughput)
      }
    ]
  })
}

export const registerImage: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const { name, description } = readNameAndDescription(params)
  const platform = readPlatform(params)
  const rootDeviceName = params.RootDeviceName ?? '/dev/sda1'
  readBoolean(params, 'DryRun', 'dryRun')
  if (params.ImageLocation !== undefined) {
    throw invalidValue('This endpoint registers EBS-backed images only; ImageLocation (instance store) is not supported')
  }
  // RegisterImage may tag the image only: the snapshots it uses are not its own.
  const tagSpecs = readTagSpecifications(params, ['image'] as const)
  const requests = readMappingRequests(params)

  call.authorize(imageArn(region, '*'))

  const mappings = registeredMappings(state, region, now, rootDeviceName, requests)
  const taken = state.liveImages(region).find((image) => image.name === name)
  if (taken) throw new ServiceError(400, 'InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ${taken.imageId}`)

  const imageId = resourceId('ami')
  state.images.push({
    imageId,
    region,
    madeBy: 'RegisterImage',
    name,
    description,
    noReboot: false,
    platform,
    tags: { ...tagSpecs.image },
    rootDeviceName,
    mappings,
    timeline: state.takeTimeline(now, region),
    launchPermissions: [],
    protection: { ...UNPROTECTED }
  })
  return leaf('imageId', imageId)
}
