import type { Ec2Action } from './ec2-call.js'
import { matchesFilters, readFilters, tagFieldValues } from './ec2-filters.js'
import { assertIdFormat } from './ec2-id-format.js'
import { pageOf, readPaging, type PageRule } from './ec2-paging.js'
import { isoTime } from './ec2-render.js'
import type { Instance, Volume } from './ec2-state.js'
import { readList } from './query-params.js'
import { ServiceError } from './service-error.js'
import { itemSet, leaf } from './xml.js'

// DescribeVolumes: the EBS volumes of the seeded instances, each attached to its instance for good (the sim launches,
// stops and detaches nothing). A volume carries its instance's encryption (`addInstance`'s kmsKeyId), which is what
// an action reads to learn whether, and with which key, an image of the instance will be encrypted.

// DescribeVolumes takes MaxResults from 5 to 500 and not together with VolumeId.N (API reference).
const VOLUME_PAGES: PageRule = { action: 'DescribeVolumes', min: 5, max: 500 }

function volumeXml(instance: Instance, volume: Volume): string {
  const attachedAt = isoTime(instance.launchedAt)
  return [
    leaf('volumeId', volume.volumeId),
    leaf('size', volume.sizeGiB),
    leaf('snapshotId', ''),
    leaf('availabilityZone', `${instance.region}a`),
    leaf('status', 'in-use'),
    leaf('createTime', attachedAt),
    itemSet('attachmentSet', [
      [
        leaf('volumeId', volume.volumeId),
        leaf('instanceId', instance.instanceId),
        leaf('device', volume.deviceName),
        leaf('status', 'attached'),
        leaf('attachTime', attachedAt),
        leaf('deleteOnTermination', true)
      ].join('')
    ]),
    leaf('volumeType', volume.volumeType),
    leaf('iops', volume.volumeType === 'gp3' ? 3000 : undefined),
    leaf('throughput', volume.volumeType === 'gp3' ? 125 : undefined),
    leaf('encrypted', volume.encrypted),
    leaf('kmsKeyId', volume.kmsKeyId),
    leaf('multiAttachEnabled', false)
  ].join('')
}

export const describeVolumes: Ec2Action = (call) => {
  const { params, region, state } = call
  const ids = readList(params, 'VolumeId')
  ids.forEach((id) => assertIdFormat('vol', id))
  const filters = readFilters(params, ['volume-id', 'attachment.instance-id', 'attachment.device', 'attachment.status', 'status', 'encrypted', 'size', 'volume-type', 'tag-key'])
  if (ids.length > 0 && params.MaxResults !== undefined) {
    throw new ServiceError(400, 'InvalidParameterCombination', 'The parameter volumeSet cannot be used with the parameter maxResults')
  }
  const paging = readPaging(params, VOLUME_PAGES)
  call.authorize()

  const everyVolume = [...state.instances.values()].flatMap((instance) => instance.volumes.map((volume) => ({ instance, volume })))
  const positions = new Map(everyVolume.map((entry, index) => [entry.volume, index]))
  let volumes = everyVolume.filter(({ instance }) => instance.region === region)
  if (ids.length > 0) {
    const missing = ids.filter((id) => !volumes.some(({ volume }) => volume.volumeId === id))
    if (missing.length > 0) {
      const message = missing.length === 1 ? `The volume '${missing[0]}' does not exist.` : `The volumes '${missing.join(', ')}' do not exist.`
      throw new ServiceError(400, 'InvalidVolume.NotFound', message)
    }
    volumes = volumes.filter(({ volume }) => ids.includes(volume.volumeId))
  }
  const items = volumes
    .filter(({ instance, volume }) =>
      matchesFilters(filters, (name) => {
        const fields: Record<string, string[]> = {
          'volume-id': [volume.volumeId],
          'attachment.instance-id': [instance.instanceId],
          'attachment.device': [volume.deviceName],
          'attachment.status': ['attached'],
          status: ['in-use'],
          encrypted: [String(volume.encrypted)],
          size: [String(volume.sizeGiB)],
          'volume-type': [volume.volumeType]
        }
        return fields[name] ?? tagFieldValues({}, name) ?? []
      })
    )
    .map(({ instance, volume }) => ({ item: volumeXml(instance, volume), position: positions.get(volume) ?? -1 }))
  const page = pageOf(paging, items)
  return itemSet('volumeSet', page.items) + leaf('nextToken', page.nextToken)
}
