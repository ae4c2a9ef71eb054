import type { SnapshotPhase } from './bake-timeline.js'
import type { ImageMapping, ImageRecord, Instance, SnapshotRecord } from './ec2-state.js'
import { tagSetXml } from './ec2-tags.js'
import { itemSet, leaf, node } from './xml.js'

// EC2's XML for images, snapshots and instances, with the element names of the SDK's Image, Snapshot and
// Instance shapes (imageState, imageOwnerId, status, instanceState, …).

/** What every simulated image shares; architecture, boot mode and the rest are the image's own. */
const PLATFORM = {
  architecture: 'x86_64',
  imageType: 'machine',
  virtualizationType: 'hvm',
  hypervisor: 'xen',
  platformDetails: 'Linux/UNIX',
  usageOperation: 'RunInstances'
}

export const isoTime = (epochMs: number): string => new Date(epochMs).toISOString()

export function mappingXml(mapping: ImageMapping): string {
  if (mapping.kind === 'ephemeral') return leaf('deviceName', mapping.deviceName) + leaf('virtualName', mapping.virtualName)
  return (
    leaf('deviceName', mapping.deviceName) +
    node(
      'ebs',
      leaf('deleteOnTermination', mapping.deleteOnTermination),
      leaf('iops', mapping.iops),
      leaf('snapshotId', mapping.snapshotId),
      leaf('volumeSize', mapping.volumeSize),
      leaf('volumeType', mapping.volumeType),
      leaf('throughput', mapping.throughput),
      leaf('encrypted', mapping.encrypted)
    )
  )
}

/** The same mapping as the SDK hands it to its caller, for SimImage. */
export function sdkMapping(mapping: ImageMapping): unknown {
  if (mapping.kind === 'ephemeral') return { DeviceName: mapping.deviceName, VirtualName: mapping.virtualName }
  return {
    DeviceName: mapping.deviceName,
    Ebs: {
      DeleteOnTermination: mapping.deleteOnTermination,
      ...(mapping.iops !== undefined && { Iops: mapping.iops }),
      ...(mapping.snapshotId !== undefined && { SnapshotId: mapping.snapshotId }),
      VolumeSize: mapping.volumeSize,
      VolumeType: mapping.volumeType,
      ...(mapping.throughput !== undefined && { Throughput: mapping.throughput }),
      Encrypted: mapping.encrypted
    }
  }
}

export interface ImageView {
  image: ImageRecord
  state: string
  mappings: ImageMapping[]
  accountId: string
  /** DeregistrationProtection as it stands at the moment of the call (see ec2-protection). */
  protection: string
}

export function imageXml({ image, state, mappings, accountId, protection }: ImageView): string {
  const failure = state === 'failed' ? image.timeline.fail : undefined
  return [
    leaf('imageId', image.imageId),
    leaf('imageLocation', `${accountId}/${image.name}`),
    leaf('imageState', state),
    leaf('imageOwnerId', accountId),
    leaf('creationDate', isoTime(image.timeline.startedAt)),
    leaf('isPublic', false),
    leaf('architecture', image.platform.architecture),
    leaf('imageType', PLATFORM.imageType),
    leaf('sriovNetSupport', 'simple'),
    leaf('name', image.name),
    leaf('description', image.description),
    leaf('rootDeviceType', 'ebs'),
    leaf('rootDeviceName', image.rootDeviceName),
    itemSet('blockDeviceMapping', mappings.map(mappingXml)),
    leaf('virtualizationType', image.platform.virtualizationType),
    tagSetXml(image.tags),
    failure ? node('stateReason', leaf('code', failure.code), leaf('message', failure.message)) : '',
    leaf('hypervisor', PLATFORM.hypervisor),
    leaf('enaSupport', image.platform.enaSupport),
    leaf('platformDetails', PLATFORM.platformDetails),
    leaf('usageOperation', PLATFORM.usageOperation),
    leaf('bootMode', image.platform.bootMode),
    leaf('tpmSupport', image.platform.tpmSupport),
    leaf('deprecationTime', image.deprecateAt === undefined ? undefined : isoTime(image.deprecateAt)),
    leaf('imdsSupport', image.imdsSupport),
    leaf('deregistrationProtection', protection),
    leaf('lastLaunchedTime', image.lastLaunchedAt === undefined ? undefined : isoTime(image.lastLaunchedAt)),
    leaf('sourceInstanceId', image.instanceId),
    leaf('sourceImageId', image.source?.imageId),
    leaf('sourceImageRegion', image.source?.region)
  ].join('')
}

export function snapshotXml(snapshot: SnapshotRecord, phase: SnapshotPhase, accountId: string): string {
  const { startedAt, snapshotDelayMs, durationMs } = snapshot.timeline
  return [
    leaf('snapshotId', snapshot.snapshotId),
    leaf('volumeId', snapshot.volumeId),
    leaf('status', phase.state),
    leaf('startTime', isoTime(startedAt + snapshotDelayMs)),
    leaf('progress', `${phase.progress}%`),
    leaf('ownerId', accountId),
    leaf('volumeSize', snapshot.sizeGiB),
    leaf('description', snapshot.description),
    leaf('encrypted', snapshot.encrypted),
    leaf('kmsKeyId', snapshot.kmsKeyId),
    leaf('storageTier', 'standard'),
    phase.state === 'completed' ? leaf('completionTime', isoTime(startedAt + durationMs)) : '',
    tagSetXml(snapshot.tags)
  ].join('')
}

const STATE_CODES: Record<Instance['state'], number> = { pending: 0, running: 16, stopping: 64, stopped: 80, terminated: 48 }

export function reservationXml(instance: Instance, accountId: string): string {
  const instanceItem = [
    leaf('instanceId', instance.instanceId),
    leaf('imageId', instance.imageId),
    node('instanceState', leaf('code', STATE_CODES[instance.state]), leaf('name', instance.state)),
    leaf('architecture', PLATFORM.architecture),
    leaf('rootDeviceType', 'ebs'),
    leaf('rootDeviceName', instance.rootDeviceName),
    itemSet(
      'blockDeviceMapping',
      instance.volumes.map(
        (v) =>
          leaf('deviceName', v.deviceName) +
          node('ebs', leaf('volumeId', v.volumeId), leaf('status', 'attached'), leaf('deleteOnTermination', true))
      )
    ),
    leaf('virtualizationType', PLATFORM.virtualizationType),
    leaf('hypervisor', PLATFORM.hypervisor),
    tagSetXml(instance.tags)
  ].join('')
  return [leaf('reservationId', instance.reservationId), leaf('ownerId', accountId), itemSet('groupSet', []), itemSet('instancesSet', [instanceItem])].join('')
}
