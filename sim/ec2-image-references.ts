import { instanceArn, launchTemplateArn, type Ec2Action, type Ec2Call } from './ec2-call.js'
import { invalidValue } from './ec2-create-image.js'
import { assertIdFormat } from './ec2-id-format.js'
import { pageOf, readPaging, type PageRule } from './ec2-paging.js'
import { parameterArn } from './ssm-state.js'
import { readBoolean, readEntries, readList, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { itemSet, leaf } from './xml.js'

// DescribeImageReferences: which of the account's resources in the region refer to the images asked about, so
// that an image still in use is not retired. EC2 looks for them as the caller, so the caller needs the permissions
// to describe each kind of resource it asks about, besides ec2:DescribeImageReferences ("Identify your resources
// referencing specified AMIs", EC2 User Guide).

export const RESOURCE_TYPES = ['ec2:Instance', 'ec2:LaunchTemplate', 'ssm:Parameter', 'imagebuilder:ImageRecipe', 'imagebuilder:ContainerRecipe'] as const
export type ImageReferenceType = (typeof RESOURCE_TYPES)[number]

/** What EC2 needs to be allowed to do as the caller for each resource type, as the user guide lists them. */
export const NEEDED_PERMISSIONS: Record<ImageReferenceType, readonly string[]> = {
  'ec2:Instance': ['ec2:DescribeInstances'],
  'ec2:LaunchTemplate': ['ec2:DescribeLaunchTemplates', 'ec2:DescribeLaunchTemplateVersions'],
  'ssm:Parameter': ['ssm:DescribeParameters', 'ssm:GetParameters'],
  'imagebuilder:ImageRecipe': ['imagebuilder:ListImageRecipes'],
  'imagebuilder:ContainerRecipe': ['imagebuilder:ListContainerRecipes', 'imagebuilder:GetContainerRecipe']
}

const MAX_IMAGE_IDS = 10
const INSTANCE_STATES = ['pending', 'running', 'shutting-down', 'terminated', 'stopping', 'stopped']
/** The user guide's default: the 10 most recent versions of each launch template. */
export const DEFAULT_VERSION_DEPTH = 10
const MAX_VERSION_DEPTH = 10_000
/** The sim's page size when the request gives no MaxResults (SimOptions.imageReferencesPageSize). */
export const DEFAULT_REFERENCES_PAGE_SIZE = 50

interface Scope {
  types: ImageReferenceType[]
  /** Instance states looked at (ec2:Instance's state-name option); default all. */
  states: string[]
  /** How many of each launch template's newest versions are looked at (ec2:LaunchTemplate's version-depth). */
  versionDepth: number
}

interface Reference {
  imageId: string
  resourceType: ImageReferenceType
  arn: string
}

const isResourceType = (value: string): value is ImageReferenceType => (RESOURCE_TYPES as readonly string[]).includes(value)

/** The resource types asked about and their options: IncludeAllResourceTypes, ResourceType.N, or both. */
function readScope(params: Params): Scope {
  const includeAll = readBoolean(params, 'IncludeAllResourceTypes', 'includeAllResourceTypes') ?? false
  const requested = readEntries(params, 'ResourceType')
  if (!includeAll && requested.length === 0) {
    throw new ServiceError(400, 'InvalidParameterCombination', 'Either IncludeAllResourceTypes or ResourceTypes must be specified.')
  }
  const scope: Scope = { types: includeAll ? [...RESOURCE_TYPES] : [], states: INSTANCE_STATES, versionDepth: DEFAULT_VERSION_DEPTH }
  for (const entry of requested) {
    const type = entry.ResourceType ?? ''
    if (!isResourceType(type)) {
      throw invalidValue(`Value (${type}) for parameter resourceType is invalid. Allowed values are ${RESOURCE_TYPES.join(', ')}`)
    }
    if (!scope.types.includes(type)) scope.types.push(type)
    for (const option of readEntries(entry, 'ResourceTypeOption')) {
      const name = option.OptionName ?? ''
      const values = readList(option, 'OptionValue')
      if (type === 'ec2:Instance' && name === 'state-name') {
        const wrong = values.find((value) => !INSTANCE_STATES.includes(value))
        if (values.length === 0 || wrong !== undefined) {
          throw invalidValue(`Value (${wrong ?? ''}) for option state-name is invalid. Allowed values are ${INSTANCE_STATES.join(', ')}`)
        }
        scope.states = values
      } else if (type === 'ec2:LaunchTemplate' && name === 'version-depth') {
        const depth = Number(values[0])
        if (values.length !== 1 || !Number.isInteger(depth) || depth < 1 || depth > MAX_VERSION_DEPTH) {
          throw invalidValue(`Value (${values.join(', ')}) for option version-depth is invalid. Expecting one whole number from 1 to ${MAX_VERSION_DEPTH}`)
        }
        scope.versionDepth = depth
      } else {
        throw invalidValue(`The option '${name}' is not valid for resource type ${type}: ec2:Instance takes state-name, ec2:LaunchTemplate takes version-depth`)
      }
    }
  }
  // Always in the same order, so that pages follow one order however the request listed the types.
  scope.types.sort((a, b) => RESOURCE_TYPES.indexOf(a) - RESOURCE_TYPES.indexOf(b))
  return scope
}

/** The resources of one type in the region that refer to `imageId`. */
function referencesTo(call: Ec2Call, imageId: string, type: ImageReferenceType, scope: Scope): string[] {
  const { state, region, accountId } = call
  switch (type) {
    case 'ec2:Instance':
      return [...state.instances.values()]
        .filter((instance) => instance.region === region && instance.imageId === imageId && scope.states.includes(instance.state))
        .map((instance) => instanceArn(region, accountId, instance.instanceId))
    case 'ec2:LaunchTemplate':
      // The newest `versionDepth` versions, counted from the latest: an older default version is not looked at.
      return state.launchTemplates
        .filter((template) => template.region === region)
        .filter((template) =>
          [...template.versions]
            .sort((a, b) => b.versionNumber - a.versionNumber)
            .slice(0, scope.versionDepth)
            .some((version) => version.data.imageId === imageId)
        )
        .map((template) => launchTemplateArn(region, accountId, template.launchTemplateId))
    case 'ssm:Parameter':
      return call.ssm
        .list(region, call.now)
        .filter((parameter) => parameter.value === imageId)
        .map((parameter) => parameterArn(region, accountId, parameter.name))
    case 'imagebuilder:ImageRecipe':
    case 'imagebuilder:ContainerRecipe': {
      const kind = type === 'imagebuilder:ImageRecipe' ? 'image-recipe' : 'container-recipe'
      return call.imageBuilder.recipes.filter((recipe) => recipe.kind === kind && recipe.region === region && recipe.imageId === imageId).map((recipe) => recipe.arn)
    }
  }
}

/** `pageSize`: answers per page when the request gives no MaxResults. */
export function describeImageReferences(pageSize: number): Ec2Action {
  // MaxResults from 5 to 1000, as EC2's newer paginated Describe calls take it (inferred: the API reference gives no range).
  const pages: PageRule = { action: 'DescribeImageReferences', min: 5, max: 1000, defaultSize: pageSize }
  return (call) => {
    const { params } = call
    const imageIds = [...new Set(readList(params, 'ImageId'))]
    if (imageIds.length === 0) throw new ServiceError(400, 'MissingParameter', 'The request must contain the parameter ImageId')
    if (imageIds.length > MAX_IMAGE_IDS) {
      throw invalidValue(`The request asks about ${imageIds.length} images; DescribeImageReferences takes at most ${MAX_IMAGE_IDS} image IDs per call`)
    }
    imageIds.forEach((id) => assertIdFormat('ami', id))
    const scope = readScope(params)
    const paging = readPaging(params, pages)
    call.authorize(undefined, [...new Set(scope.types.flatMap((type) => NEEDED_PERMISSIONS[type]))])

    // The images need not exist: an instance still refers to an image deregistered since it was launched.
    const references: Reference[] = imageIds.flatMap((imageId) =>
      scope.types.flatMap((resourceType) => referencesTo(call, imageId, resourceType, scope).map((arn) => ({ imageId, resourceType, arn })))
    )
    const page = pageOf(
      paging,
      references.map((reference, position) => ({ item: reference, position }))
    )
    const items = page.items.map(({ arn, imageId, resourceType }) => leaf('arn', arn) + leaf('imageId', imageId) + leaf('resourceType', resourceType))
    return itemSet('imageReferenceSet', items) + leaf('nextToken', page.nextToken)
  }
}
