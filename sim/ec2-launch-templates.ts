import { launchTemplateArn, type Ec2Action, type Ec2Call } from './ec2-call.js'
import { invalidValue } from './ec2-create-image.js'
import { matchesFilters, readFilters, tagFieldValues } from './ec2-filters.js'
import { assertIdFormat } from './ec2-id-format.js'
import { pageOf, readPaging, type PageRule } from './ec2-paging.js'
import { isoTime } from './ec2-render.js'
import { defaultVersion, latestVersion, type LaunchTemplateData, type LaunchTemplateRecord, type LaunchTemplateVersion } from './ec2-state.js'
import { tagSetXml } from './ec2-tags.js'
import { readList, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { itemSet, leaf, node } from './xml.js'

// The launch template calls a deploy needs: find a template, read its versions and the image its default version
// launches, add a version that launches a new image, make it the default, and take versions back. A template is named
// by LaunchTemplateId or LaunchTemplateName, never both; a version by its number, `$Latest` (the newest that exists)
// or `$Default`. Version numbers are never given twice, and the default version cannot be deleted. Messages marked
// "verified" are EC2's own, as tests run against AWS (getmoto/moto's aws_verified launch template tests) or AWS's
// documentation quote them.

const ID_PATTERN = /^lt-[0-9a-f]{17}$/
const NAME_PATTERN = /^[A-Za-z0-9().\-/_]{3,128}$/
/** DescribeLaunchTemplates and DescribeLaunchTemplateVersions take MaxResults from 1 to 200 (API reference). */
const TEMPLATE_PAGES: PageRule = { action: 'DescribeLaunchTemplates', min: 1, max: 200 }
const VERSION_PAGES: PageRule = { action: 'DescribeLaunchTemplateVersions', min: 1, max: 200 }
/** "You can delete up to 200 launch template versions in a single request." */
const MAX_DELETE = 200
const MAX_DESCRIPTION = 255
/** More version numbers than a template can ever have (EC2 allows 10,000 versions), for page positions. */
const VERSION_SLOTS = 1_000_000
/** The members of LaunchTemplateData the sim keeps, by their Query names. */
const DATA_MEMBERS: Record<string, keyof LaunchTemplateData> = {
  ImageId: 'imageId',
  InstanceType: 'instanceType',
  KeyName: 'keyName',
  UserData: 'userData'
}
/** Verified: EC2's answer to a version list that cannot be served (no template named, or numbers for all of them). */
const DESCRIBE_VERSIONS_HOW =
  'To describe the launch template data for all your launch templates, for ‘--versions’ specify ‘$Latest’, ‘$Default’, or both, and omit ‘--launch-template-id’, ‘--launch-template-name’, and version numbers. To describe the launch template data for a specific launch template, specify ‘--launch-template-id’ or ‘--launch-template-name’, and for ‘--versions’ specify one or more of the following values: ‘$Latest’, ‘$Default’, or one or more version numbers.'

type Target = { id: string; name?: undefined } | { name: string; id?: undefined }

function assertTemplateId(id: string): void {
  if (!ID_PATTERN.test(id)) {
    // The code and its explanation are on EC2's error code page.
    throw new ServiceError(
      400,
      'InvalidLaunchTemplateId.Malformed',
      `The launch template ID '${id}' is malformed. Ensure that you specify the launch template ID in the form lt-xxxxxxxxxxxxxxxxx.`
    )
  }
}

function assertTemplateName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new ServiceError(
      400,
      'InvalidLaunchTemplateName.MalformedException',
      `The launch template name '${name}' is invalid. A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: '-', '_', '.', '/', '(', and ')'.`
    )
  }
}

/** LaunchTemplateId or LaunchTemplateName, exactly one, well formed. `both`: EC2's message when given both. */
function readTarget(params: Params, both: string): Target {
  const id = params.LaunchTemplateId || undefined
  const name = params.LaunchTemplateName || undefined
  if (id !== undefined && name !== undefined) throw new ServiceError(400, 'InvalidParameterCombination', both)
  if (id !== undefined) {
    assertTemplateId(id)
    return { id }
  }
  if (name !== undefined) {
    assertTemplateName(name)
    return { name }
  }
  // Verified (DeleteLaunchTemplate).
  throw new ServiceError(400, 'MissingParameter', 'The request must contain the parameter launch template ID or launch template name')
}

function notFound(target: Target): ServiceError {
  // Verified, both (DescribeLaunchTemplateVersions).
  return target.id !== undefined
    ? new ServiceError(400, 'InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${target.id}, does not exist.`)
    : new ServiceError(400, 'InvalidLaunchTemplateName.NotFoundException', `The specified launch template, with template name ${target.name}, does not exist.`)
}

function lookUp(call: Ec2Call, target: Target): LaunchTemplateRecord | undefined {
  return call.state.launchTemplates.find(
    (template) => template.region === call.region && (target.id !== undefined ? template.launchTemplateId === target.id : template.name === target.name)
  )
}

/**
 * Authorizes `ec2:<Action>` on the template's ARN and returns the template. A template named by id is authorized
 * before it is looked up; one named by name has to be found first, to know the ARN to authorize.
 */
function authorizedTemplate(call: Ec2Call, target: Target): LaunchTemplateRecord {
  if (target.id !== undefined) call.authorize(launchTemplateArn(call.region, call.accountId, target.id))
  const template = lookUp(call, target)
  if (!template) throw notFound(target)
  if (target.id === undefined) call.authorize(launchTemplateArn(call.region, call.accountId, template.launchTemplateId))
  return template
}

/** A version given as a number, `$Latest` or `$Default`; undefined when the template has no such version. */
function findVersion(template: LaunchTemplateRecord, spec: string): LaunchTemplateVersion | undefined {
  if (spec === '$Latest') return latestVersion(template)
  if (spec === '$Default') return defaultVersion(template)
  return template.versions.find((version) => String(version.versionNumber) === spec)
}

function assertVersionSpec(spec: string, parameter: string): void {
  if (!/^(\$Latest|\$Default|[1-9]\d{0,17})$/.test(spec)) {
    throw invalidValue(`Value (${spec}) for parameter ${parameter} is invalid. Expected a version number, $Latest or $Default.`)
  }
}

function versionNotFound(template: LaunchTemplateRecord, spec: string): ServiceError {
  // Verified (DescribeLaunchTemplateVersions with a version the template does not have).
  return new ServiceError(
    400,
    'InvalidLaunchTemplateId.VersionNotFound',
    `Could not find the specified version ${spec} for the launch template with ID ${template.launchTemplateId}.`
  )
}

function templateXml(template: LaunchTemplateRecord): string {
  return (
    leaf('launchTemplateId', template.launchTemplateId) +
    leaf('launchTemplateName', template.name) +
    leaf('createTime', isoTime(template.createdAt)) +
    leaf('createdBy', template.createdBy) +
    leaf('defaultVersionNumber', template.defaultVersionNumber) +
    leaf('latestVersionNumber', latestVersion(template).versionNumber) +
    tagSetXml(template.tags)
  )
}

function versionXml(template: LaunchTemplateRecord, version: LaunchTemplateVersion): string {
  const { data } = version
  return (
    leaf('launchTemplateId', template.launchTemplateId) +
    leaf('launchTemplateName', template.name) +
    leaf('versionNumber', version.versionNumber) +
    leaf('versionDescription', version.description) +
    leaf('createTime', isoTime(version.createdAt)) +
    leaf('createdBy', version.createdBy) +
    leaf('defaultVersion', version.versionNumber === template.defaultVersionNumber) +
    node('launchTemplateData', leaf('imageId', data.imageId), leaf('instanceType', data.instanceType), leaf('keyName', data.keyName), leaf('userData', data.userData))
  )
}

/** What filters see of a version. */
function versionFieldValues(template: LaunchTemplateRecord, version: LaunchTemplateVersion, name: string): string[] {
  switch (name) {
    case 'image-id':
      return version.data.imageId === undefined ? [] : [version.data.imageId]
    case 'instance-type':
      return version.data.instanceType === undefined ? [] : [version.data.instanceType]
    case 'is-default-version':
      return [String(version.versionNumber === template.defaultVersionNumber)]
    default:
      return []
  }
}

export const describeLaunchTemplates: Ec2Action = (call) => {
  const { params, region, state } = call
  const ids = readList(params, 'LaunchTemplateId')
  const names = readList(params, 'LaunchTemplateName')
  ids.forEach(assertTemplateId)
  names.forEach(assertTemplateName)
  const filters = readFilters(params, ['launch-template-name', 'tag-key'])
  const paging = readPaging(params, TEMPLATE_PAGES)
  // Describe calls take no resource-level permission: the policy's resource is '*'.
  call.authorize()

  const templates = state.launchTemplates.filter((template) => template.region === region)
  const missingId = ids.find((id) => !templates.some((template) => template.launchTemplateId === id))
  if (missingId !== undefined) throw notFound({ id: missingId })
  // Verified (DescribeLaunchTemplates with a name that does not exist).
  if (names.some((name) => !templates.some((template) => template.name === name))) {
    throw new ServiceError(400, 'InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.')
  }
  const chosen = templates
    .map((template, position) => ({ item: template, position }))
    .filter(({ item }) => ids.length + names.length === 0 || ids.includes(item.launchTemplateId) || names.includes(item.name))
    .filter(({ item }) => matchesFilters(filters, (name) => (name === 'launch-template-name' ? [item.name] : (tagFieldValues(item.tags, name) ?? []))))
  const page = pageOf(paging, chosen)
  return itemSet('launchTemplates', page.items.map(templateXml)) + leaf('nextToken', page.nextToken)
}

export const describeLaunchTemplateVersions: Ec2Action = (call) => {
  const { params, region, state } = call
  const specs = readList(params, 'LaunchTemplateVersion')
  specs.forEach((spec) => assertVersionSpec(spec, 'LaunchTemplateVersion'))
  const named = Boolean(params.LaunchTemplateId || params.LaunchTemplateName)
  if (!named && specs.length === 0) throw new ServiceError(400, 'MissingParameter', DESCRIBE_VERSIONS_HOW)
  if (!named && specs.some((spec) => !spec.startsWith('$'))) throw invalidValue(DESCRIBE_VERSIONS_HOW)
  const target = named ? readTarget(params, 'Either provide launch template ID or launch template name to describe the versions.') : undefined
  const bound = (name: 'MinVersion' | 'MaxVersion'): number | undefined => {
    const raw = params[name]
    if (raw === undefined) return undefined
    if (!/^\d+$/.test(raw)) throw invalidValue(`Value (${raw}) for parameter ${name[0].toLowerCase()}${name.slice(1)} is invalid. Expected a version number.`)
    return Number(raw)
  }
  const [min, max] = [bound('MinVersion'), bound('MaxVersion')]
  const filters = readFilters(params, ['image-id', 'instance-type', 'is-default-version'])
  const paging = readPaging(params, VERSION_PAGES)
  call.authorize()

  // Without a template, `$Latest` and `$Default` ask for that version of every template in the region.
  let templates = state.launchTemplates.filter((template) => template.region === region)
  if (target) {
    const template = lookUp(call, target)
    if (!template) throw notFound(target)
    templates = [template]
  }
  const found: { item: { template: LaunchTemplateRecord; version: LaunchTemplateVersion }; position: number }[] = []
  for (const template of templates) {
    const asked = new Set<LaunchTemplateVersion>(specs.length === 0 ? template.versions : [])
    for (const spec of specs) {
      const version = findVersion(template, spec)
      if (!version) throw versionNotFound(template, spec)
      asked.add(version)
    }
    // Newest first, as EC2 lists them, each version once; MinVersion is exclusive ("after which"), MaxVersion not.
    const versions = [...asked]
      .filter((version) => (min === undefined || version.versionNumber > min) && (max === undefined || version.versionNumber <= max))
      .filter((version) => matchesFilters(filters, (name) => versionFieldValues(template, version, name)))
      .sort((a, b) => b.versionNumber - a.versionNumber)
    // A place in the listing that no later version or template changes, so a page token stays good: templates in
    // the order made (they are never removed), each one's versions newest first.
    const base = state.launchTemplates.indexOf(template) * VERSION_SLOTS
    found.push(...versions.map((version) => ({ item: { template, version }, position: base + (VERSION_SLOTS - 1 - version.versionNumber) })))
  }
  const page = pageOf(paging, found)
  return itemSet('launchTemplateVersionSet', page.items.map(({ template, version }) => versionXml(template, version))) + leaf('nextToken', page.nextToken)
}

/** `LaunchTemplateData.<Member>`: the members the sim keeps; any other is refused rather than silently dropped. */
function readLaunchTemplateData(params: Params): LaunchTemplateData | undefined {
  const data: LaunchTemplateData = {}
  let given = false
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith('LaunchTemplateData.')) continue
    given = true
    const member = DATA_MEMBERS[key.slice('LaunchTemplateData.'.length)]
    if (member === undefined) {
      throw invalidValue(`sim: ${key} is not simulated; LaunchTemplateData takes ${Object.keys(DATA_MEMBERS).join(', ')} here`)
    }
    data[member] = value
  }
  if (data.imageId !== undefined) assertIdFormat('ami', data.imageId)
  return given ? data : undefined
}

export const createLaunchTemplateVersion: Ec2Action = (call) => {
  const { params, now } = call
  const target = readTarget(params, 'Either provide launch template ID or launch template name to create a version.')
  const data = readLaunchTemplateData(params)
  if (data === undefined) throw new ServiceError(400, 'MissingParameter', 'The request must contain the parameter LaunchTemplateData')
  const description = params.VersionDescription
  if (description !== undefined && description.length > MAX_DESCRIPTION) {
    throw invalidValue(`Value for parameter versionDescription is invalid. A version description can have at most ${MAX_DESCRIPTION} characters.`)
  }
  const sourceSpec = params.SourceVersion || undefined
  if (sourceSpec !== undefined) assertVersionSpec(sourceSpec, 'SourceVersion')
  const template = authorizedTemplate(call, target)

  // The same ClientToken answers with the version it made the first time, so a retried request makes no second one.
  const request = JSON.stringify([sourceSpec, description, data])
  const token = params.ClientToken
  const earlier = token === undefined ? undefined : template.versions.find((version) => version.clientToken?.token === token)
  if (earlier) {
    if (earlier.clientToken?.request !== request) {
      throw new ServiceError(400, 'IdempotentParameterMismatch', `The client token ${token} was already used for a different CreateLaunchTemplateVersion request`)
    }
    return node('launchTemplateVersion', versionXml(template, earlier))
  }
  // With a source version the new one starts as a copy of it, and the data given overrides; without, it has only that.
  let base: LaunchTemplateData = {}
  if (sourceSpec !== undefined) {
    const source = findVersion(template, sourceSpec)
    if (!source) throw versionNotFound(template, sourceSpec)
    base = source.data
  }
  template.lastVersionNumber += 1
  const version: LaunchTemplateVersion = {
    versionNumber: template.lastVersionNumber,
    description,
    data: { ...base, ...data },
    createdAt: now,
    createdBy: call.caller.arn,
    clientToken: token === undefined ? undefined : { token, request }
  }
  template.versions.push(version)
  return node('launchTemplateVersion', versionXml(template, version))
}

export const modifyLaunchTemplate: Ec2Action = (call) => {
  const { params } = call
  // Verified, this message.
  const target = readTarget(params, 'Either provide launch template ID or launch template name to modify the template.')
  const wanted = params.SetDefaultVersion || undefined
  if (wanted !== undefined && !/^[1-9]\d{0,17}$/.test(wanted)) {
    throw invalidValue(`Value (${wanted}) for parameter defaultVersion is invalid. Expected a version number.`)
  }
  const template = authorizedTemplate(call, target)

  if (wanted !== undefined) {
    const version = findVersion(template, wanted)
    // Verified, this message (it differs from DescribeLaunchTemplateVersions').
    if (!version) throw new ServiceError(400, 'InvalidLaunchTemplateId.VersionNotFound', `The launch template version ${wanted} is not found for the specified launch template.`)
    template.defaultVersionNumber = version.versionNumber
  }
  return node('launchTemplate', templateXml(template))
}

/**
 * What went wrong with one version, in the ResponseError codes the API reference lists (launchTemplateIdDoesNotExist,
 * launchTemplateNameDoesNotExist, launchTemplateVersionDoesNotExist, unexpectedError, ...).
 */
interface Unsuccessful {
  version: string
  code: string
  message: string
}

export const deleteLaunchTemplateVersions: Ec2Action = (call) => {
  const { params } = call
  const target = readTarget(params, 'Either provide launch template ID or launch template name to delete versions.')
  const specs = readList(params, 'LaunchTemplateVersion')
  if (specs.length === 0) throw new ServiceError(400, 'MissingParameter', 'The request must contain the parameter LaunchTemplateVersion')
  if (specs.length > MAX_DELETE) throw invalidValue(`You can delete up to ${MAX_DELETE} launch template versions in a single request; this one names ${specs.length}.`)

  // A template that is not there fails each version, not the call: that is what the ResponseError codes are for.
  // Its ARN is known from an id; from a name only if the template is there.
  const found = lookUp(call, target)
  const arnId = target.id ?? found?.launchTemplateId
  call.authorize(arnId === undefined ? undefined : launchTemplateArn(call.region, call.accountId, arnId))

  const deleted: LaunchTemplateVersion[] = []
  const failed: Unsuccessful[] = []
  for (const spec of specs) {
    if (!found) {
      const [code, what] = target.id !== undefined ? ['launchTemplateIdDoesNotExist', `ID ${target.id}`] : ['launchTemplateNameDoesNotExist', `name ${target.name}`]
      failed.push({ version: spec, code, message: `The specified launch template, with template ${what}, does not exist.` })
      continue
    }
    const version = /^[1-9]\d{0,17}$/.test(spec) ? found.versions.find((v) => String(v.versionNumber) === spec) : undefined
    if (!version) {
      failed.push({ version: spec, code: 'launchTemplateVersionDoesNotExist', message: `Could not find the specified version ${spec} for the launch template with ID ${found.launchTemplateId}.` })
    } else if (version.versionNumber === found.defaultVersionNumber) {
      // "You can't delete the default version of a launch template; you must first assign a different version as the
      // default" (API reference). The code for it is not documented: unexpectedError is the one left.
      failed.push({ version: spec, code: 'unexpectedError', message: 'Cannot delete the default version of a launch template. Set a different version as the default first.' })
    } else {
      found.versions = found.versions.filter((v) => v !== version)
      deleted.push(version)
    }
  }
  const who = (): string =>
    leaf('launchTemplateId', found?.launchTemplateId ?? target.id) + leaf('launchTemplateName', found?.name ?? target.name)
  return (
    itemSet('successfullyDeletedLaunchTemplateVersionSet', deleted.map((version) => who() + leaf('versionNumber', version.versionNumber))) +
    itemSet(
      'unsuccessfullyDeletedLaunchTemplateVersionSet',
      failed.map(
        (failure) =>
          who() +
          (/^\d+$/.test(failure.version) ? leaf('versionNumber', failure.version) : '') +
          node('responseError', leaf('code', failure.code), leaf('message', failure.message))
      )
    )
  )
}
