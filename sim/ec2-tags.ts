import type { Ec2Action } from './ec2-call.js'
import { imageArn, instanceArn, snapshotArn } from './ec2-call.js'
import { assertIdFormat } from './ec2-id-format.js'
import { readEntries, readList, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { itemSet, leaf } from './xml.js'

// EC2's tag rules, shared by CreateImage's TagSpecification and CreateTags.

const MAX_TAGS = 50

const invalid = (message: string): ServiceError => new ServiceError(400, 'InvalidParameterValue', message)

/** `Tag.N.Key` / `Tag.N.Value` under `prefix`, checked against the tag rules. */
export function readTags(params: Params, prefix: string): Record<string, string> {
  const entries = readEntries(params, prefix)
  if (entries.length > MAX_TAGS) invalidTagCount(entries.length)
  const tags: Record<string, string> = {}
  for (const entry of entries) {
    const key = entry.Key ?? ''
    const value = entry.Value ?? ''
    if (key.length < 1 || key.length > 127) {
      throw invalid(`Tag key '${key}' is invalid: a tag key must be 1 to 127 characters long`)
    }
    if (/^aws:/i.test(key)) throw invalid(`Tag key '${key}' is invalid: tag keys starting with 'aws:' are reserved for internal use`)
    if (value.length > 256) throw invalid(`Tag value for key '${key}' is invalid: a tag value can be at most 256 characters long`)
    if (Object.hasOwn(tags, key)) throw invalid(`Duplicate tag key '${key}' specified`)
    tags[key] = value
  }
  return tags
}

function invalidTagCount(count: number): never {
  throw invalid(`The number of tags (${count}) exceeds the limit of ${MAX_TAGS} tags per resource`)
}

/** `TagSpecification.N` for the resource types an operation can tag. */
export function readTagSpecifications<T extends string>(params: Params, allowed: readonly T[]): Partial<Record<T, Record<string, string>>> {
  const result: Partial<Record<T, Record<string, string>>> = {}
  for (const spec of readEntries(params, 'TagSpecification')) {
    const type = spec.ResourceType ?? ''
    if (!(allowed as readonly string[]).includes(type)) {
      throw invalid(`'${type}' is not a valid taggable resource type for this operation.`)
    }
    if (type in result) throw invalid('The same resource type may not be specified more than once in tag specifications')
    result[type as T] = readTags(spec, 'Tag')
  }
  return result
}

export function tagSetXml(tags: Record<string, string>): string {
  const entries = Object.entries(tags)
  // EC2 leaves tagSet out altogether for an untagged resource.
  return entries.length === 0 ? '' : itemSet('tagSet', entries.map(([key, value]) => leaf('key', key) + leaf('value', value)))
}

export const createTags: Ec2Action = (call) => {
  const { params, region, state, now } = call
  const resources = readList(params, 'ResourceId')
  if (resources.length === 0) throw new ServiceError(400, 'MissingParameter', 'The request must contain the parameter ResourceId')
  const tags = readTags(params, 'Tag')
  const targets = resources.map((id) => {
    if (id.startsWith('ami-')) {
      assertIdFormat('ami', id)
      return {
        arn: imageArn(region, id),
        tags: () => state.liveImages(region).find((i) => i.imageId === id)?.tags,
        notFound: new ServiceError(400, 'InvalidAMIID.NotFound', `The image id '[${id}]' does not exist`)
      }
    }
    if (id.startsWith('snap-')) {
      assertIdFormat('snap', id)
      return {
        arn: snapshotArn(region, id),
        tags: () => state.visibleSnapshots(region, now).find((s) => s.snapshotId === id)?.tags,
        notFound: new ServiceError(400, 'InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`)
      }
    }
    if (id.startsWith('i-')) {
      assertIdFormat('i', id)
      return {
        arn: instanceArn(region, call.accountId, id),
        tags: () => state.instance(region, id)?.tags,
        notFound: new ServiceError(400, 'InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`)
      }
    }
    throw new ServiceError(400, 'InvalidID', `The ID '${id}' is not valid`)
  })
  call.authorize(targets[0].arn)
  const found = targets.map((target) => {
    const existing = target.tags()
    if (!existing) throw target.notFound
    return existing
  })
  for (const existing of found) {
    const merged = { ...existing, ...tags }
    if (Object.keys(merged).length > MAX_TAGS) invalidTagCount(Object.keys(merged).length)
    Object.assign(existing, tags)
  }
  return leaf('return', true)
}
