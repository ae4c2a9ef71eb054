import type { Ec2Action } from './ec2-call.js'
import { matchesFilters, readFilters, tagFieldValues } from './ec2-filters.js'
import { assertIdFormat } from './ec2-id-format.js'
import { pageOf, readPaging, type PageRule } from './ec2-paging.js'
import { protectionState } from './ec2-protection.js'
import { imageXml, reservationXml, snapshotXml } from './ec2-render.js'
import type { ImageMapping } from './ec2-state.js'
import { readList } from './query-params.js'
import { ServiceError } from './service-error.js'
import { itemSet, leaf } from './xml.js'

// DescribeImages, DescribeSnapshots and DescribeInstances. Every simulated resource belongs to the
// sim's account, so an owner list selects all of them or none. An owner sees its deprecated images whatever
// IncludeDeprecated says, as on AWS, so that parameter changes nothing here. Each answers everything at once
// unless MaxResults is given, and then pages with NextToken (see ec2-paging).

// DescribeSnapshots and DescribeInstances take MaxResults from 5 to 1000 and not together with a list of ids, as
// their API reference says; DescribeImages takes it from 1.
const IMAGE_PAGES: PageRule = { action: 'DescribeImages', min: 1, max: 1000 }
const SNAPSHOT_PAGES: PageRule = { action: 'DescribeSnapshots', min: 5, max: 1000 }
const INSTANCE_PAGES: PageRule = { action: 'DescribeInstances', min: 5, max: 1000 }

/** EC2's answer to MaxResults next to a list of ids. */
function notWithIds(ids: string[], params: Record<string, string>, list: string): void {
  if (ids.length > 0 && params.MaxResults !== undefined) {
    throw new ServiceError(400, 'InvalidParameterCombination', `The parameter ${list} cannot be used with the parameter maxResults`)
  }
}

/** Each record's place in the store, which never changes: records are marked gone, never removed. */
function positionsIn<T>(records: readonly T[]): Map<T, number> {
  return new Map(records.map((record, index) => [record, index]))
}

/** Whether an Owner.N / OwnerId.N list admits the account's own resources (an empty list admits all). */
function ownedBy(owners: string[], accountId: string): boolean {
  return owners.length === 0 || owners.some((owner) => owner === 'self' || owner === accountId)
}

/** EC2 names every id it could not find, in one message. */
function notFound(code: string, what: string, ids: string[]): ServiceError {
  const message = ids.length === 1 ? `The ${what} '[${ids[0]}]' does not exist` : `The ${what}s '[${ids.join(', ')}]' do not exist`
  return new ServiceError(400, code, message)
}

export const describeImages: Ec2Action = (call) => {
  const { params, region, state, now, accountId } = call
  const ids = readList(params, 'ImageId')
  ids.forEach((id) => assertIdFormat('ami', id))
  const owners = readList(params, 'Owner')
  const filters = readFilters(params, ['name', 'image-id', 'state', 'description', 'owner-id', 'tag-key', 'block-device-mapping.snapshot-id'])
  const paging = readPaging(params, IMAGE_PAGES)
  call.authorize()

  let images = ownedBy(owners, accountId) ? state.liveImages(region) : []
  if (ids.length > 0) {
    const missing = ids.filter((id) => !images.some((image) => image.imageId === id))
    if (missing.length > 0) throw notFound('InvalidAMIID.NotFound', 'image id', missing)
    images = images.filter((image) => ids.includes(image.imageId))
  }
  const views = images
    .map((image) => ({ image, state: state.imageState(image, now), mappings: state.visibleMappings(image, now), accountId, protection: protectionState(image, now) }))
    .filter(({ image, state: imageState, mappings }) =>
      matchesFilters(filters, (name) => {
        const fields: Record<string, string[]> = {
          name: [image.name],
          'image-id': [image.imageId],
          state: [imageState],
          description: image.description === undefined ? [] : [image.description],
          'owner-id': [accountId],
          'block-device-mapping.snapshot-id': mappingSnapshotIds(mappings)
        }
        return fields[name] ?? tagFieldValues(image.tags, name) ?? []
      })
    )
  const positions = positionsIn(state.images)
  const page = pageOf(
    paging,
    views.map((view) => ({ item: view, position: positions.get(view.image) ?? -1 }))
  )
  return itemSet('imagesSet', page.items.map(imageXml)) + leaf('nextToken', page.nextToken)
}

/** The snapshots an image's visible block device mappings use. */
function mappingSnapshotIds(mappings: readonly ImageMapping[]): string[] {
  return mappings.flatMap((mapping) => (mapping.kind === 'ebs' && mapping.snapshotId ? [mapping.snapshotId] : []))
}

export const describeSnapshots: Ec2Action = (call) => {
  const { params, region, state, now, accountId } = call
  const ids = readList(params, 'SnapshotId')
  ids.forEach((id) => assertIdFormat('snap', id))
  const owners = readList(params, 'Owner')
  const filters = readFilters(params, ['description', 'snapshot-id', 'status', 'volume-id', 'owner-id', 'progress', 'tag-key'])
  notWithIds(ids, params, 'snapshotSet')
  const paging = readPaging(params, SNAPSHOT_PAGES)
  call.authorize()

  const positions = positionsIn(state.snapshots)
  // A snapshot EC2 has made but does not list yet (BakeScript.snapshotListLagMs) is neither found by id nor listed.
  let snapshots = ownedBy(owners, accountId) ? state.visibleSnapshots(region, now).filter((s) => state.snapshotListed(s, now)) : []
  if (ids.length > 0) {
    const missing = ids.filter((id) => !snapshots.some((s) => s.snapshotId === id))
    // DescribeSnapshots names only the first missing snapshot, without brackets.
    if (missing.length > 0) throw new ServiceError(400, 'InvalidSnapshot.NotFound', `The snapshot '${missing[0]}' does not exist.`)
    snapshots = snapshots.filter((s) => ids.includes(s.snapshotId))
  }
  const items = snapshots
    .map((snapshot) => ({ snapshot, phase: state.snapshotPhase(snapshot, now) }))
    .filter(({ snapshot, phase }) =>
      matchesFilters(filters, (name) => {
        const fields: Record<string, string[]> = {
          description: [snapshot.description],
          'snapshot-id': [snapshot.snapshotId],
          status: [phase.state],
          'volume-id': [snapshot.volumeId],
          'owner-id': [accountId],
          progress: [`${phase.progress}%`]
        }
        return fields[name] ?? tagFieldValues(snapshot.tags, name) ?? []
      })
    )
    .map(({ snapshot, phase }) => ({ item: snapshotXml(snapshot, phase, accountId), position: positions.get(snapshot) ?? -1 }))
  const page = pageOf(paging, items)
  return itemSet('snapshotSet', page.items) + leaf('nextToken', page.nextToken)
}

export const describeInstances: Ec2Action = (call) => {
  const { params, region, state, accountId } = call
  const ids = readList(params, 'InstanceId')
  ids.forEach((id) => assertIdFormat('i', id))
  const filters = readFilters(params, ['instance-id', 'instance-state-name', 'image-id', 'tag-key'])
  notWithIds(ids, params, 'instancesSet')
  const paging = readPaging(params, INSTANCE_PAGES)
  call.authorize()

  const everyInstance = [...state.instances.values()]
  const positions = positionsIn(everyInstance)
  let instances = everyInstance.filter((i) => i.region === region)
  if (ids.length > 0) {
    const missing = ids.filter((id) => !instances.some((i) => i.instanceId === id))
    if (missing.length > 0) {
      const message = missing.length === 1 ? `The instance ID '${missing[0]}' does not exist` : `The instance IDs '${missing.join(', ')}' do not exist`
      throw new ServiceError(400, 'InvalidInstanceID.NotFound', message)
    }
    instances = instances.filter((i) => ids.includes(i.instanceId))
  }
  const items = instances
    .filter((instance) =>
      matchesFilters(filters, (name) => {
        const fields: Record<string, string[]> = {
          'instance-id': [instance.instanceId],
          'instance-state-name': [instance.state],
          'image-id': [instance.imageId]
        }
        return fields[name] ?? tagFieldValues(instance.tags, name) ?? []
      })
    )
    .map((instance) => ({ item: reservationXml(instance, accountId), position: positions.get(instance) ?? -1 }))
  const page = pageOf(paging, items)
  return itemSet('reservationSet', page.items) + leaf('nextToken', page.nextToken)
}
