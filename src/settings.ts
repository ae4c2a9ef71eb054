/**
 * Every input, read once, validated and parsed into a readonly `Settings` before any AWS or OIDC call.
 * Nothing else in the action calls `core.getInput`.
 */
import * as core from '@actions/core'
import { Inputs } from './constants.js'
import { parseDuration } from './duration.js'
import { InputError } from './errors.js'
import { runValues, type GithubRun } from './github-run.js'
import { compileTemplate, literalText, renderTemplate, TemplateError, timeValues, type TemplateValues } from './template.js'

export interface Tag {
  readonly key: string
  readonly value: string
}

/** One entry of `block-device-mappings`, in the AWS CLI's JSON shape (which is also the SDK's). */
export interface BlockDeviceMapping {
  readonly DeviceName: string
  readonly VirtualName?: string
  readonly NoDevice?: string
  readonly Ebs?: {
    readonly DeleteOnTermination?: boolean
    readonly Iops?: number
    readonly SnapshotId?: string
    readonly VolumeSize?: number
    readonly VolumeType?: (typeof VOLUME_TYPES)[number]
    readonly KmsKeyId?: string
    readonly Throughput?: number
    readonly Encrypted?: boolean
  }
}

/** An image made from a running or stopped instance with CreateImage. */
export interface InstanceSource {
  readonly kind: 'instance'
  readonly instanceId: string
}

export const ARCHITECTURES = ['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac'] as const
export const BOOT_MODES = ['legacy-bios', 'uefi', 'uefi-preferred'] as const
/** The volume types EC2 can boot from: not st1 or sc1. */
export const ROOT_VOLUME_TYPES = ['gp2', 'gp3', 'io1', 'io2', 'standard'] as const

/** An image registered with RegisterImage from an EBS snapshot the user made; the snapshot stays theirs. */
export interface SnapshotSource {
  readonly kind: 'snapshot'
  /** The root device's snapshot. */
  readonly snapshotId: string
  readonly architecture: (typeof ARCHITECTURES)[number]
  readonly rootDeviceName: string
  readonly virtualizationType: 'hvm' | 'paravirtual'
  /** Undefined leaves it to EC2 (the architecture's default). */
  readonly bootMode?: (typeof BOOT_MODES)[number]
  readonly enaSupport: boolean
  /** NitroTPM; only with boot mode uefi. */
  readonly tpmSupport?: 'v2.0'
  /** GiB; undefined gives the snapshot's size. */
  readonly rootVolumeSize?: number
  readonly rootVolumeType: (typeof ROOT_VOLUME_TYPES)[number]
}

/** Where the image comes from: exactly one of `instance-id` and `snapshot-id`. */
export type ImageSource = InstanceSource | SnapshotSource

/** How the action gets AWS credentials. Holds no secret: the OIDC token is fetched later. */
export type CredentialSettings =
  | {
      readonly kind: 'oidc'
      readonly roleArn: string
      readonly sessionName: string
      readonly durationSeconds: number
      readonly audience: string
    }
  | { readonly kind: 'default-chain' }

export interface Settings {
  /** What to image. */
  readonly source: ImageSource
  /** The AMI name, rendered and cleaned to EC2's name alphabet. */
  readonly name: string
  /** The AMI description, rendered; empty for none. */
  readonly description: string
  /** Image without stopping the instance first; always false for a snapshot. */
  readonly noReboot: boolean
  /** Tags for the image (and its snapshots when `tagSnapshots`), values rendered. */
  readonly tags: readonly Tag[]
  /** Also tag the snapshots CreateImage makes; always false for a snapshot, which belongs to the user. */
  readonly tagSnapshots: boolean
  /** Block device mappings passed as given: to CreateImage, or to RegisterImage after the root's. */
  readonly blockDeviceMappings: readonly BlockDeviceMapping[]
  /** Where EBS snapshots are stored for an instance on an Outpost; undefined leaves it to EC2 (and for a snapshot). */
  readonly snapshotLocation?: 'regional' | 'local'
  /** The region to bake in: input, then AWS_REGION, then AWS_DEFAULT_REGION. */
  readonly region: string
  /** OIDC role or the SDK's default credential chain. */
  readonly credentials: CredentialSettings
  /** Wait until the image is available. */
  readonly wait: boolean
  /** How long to wait before giving up, in milliseconds. */
  readonly waitTimeoutMs: number
  /** Remove a failed, timed-out or cancelled image and its snapshots. */
  readonly cleanupOnFailure: boolean
  /** Only check that CreateImage (or RegisterImage) would be allowed. */
  readonly dryRun: boolean
}

/** EC2's AMI name alphabet: letters, digits, ( ) [ ] space . / - ' @ _ */
const NAME_CHARACTER = /[A-Za-z0-9()[\] ./\-'@_]/
const NAME_ALPHABET = "letters, digits, spaces and ( ) [ ] . / - ' @ _"
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/
const SNAPSHOT_ID = /^snap-(?:[0-9a-f]{8}|[0-9a-f]{17})$/
/** The names EC2 takes for an AMI's devices on Linux: /dev/xvda, /dev/sda1, /dev/sdf. */
const DEVICE_NAME = /^\/dev\/(?:sd|xvd)[a-z]{1,2}\d{0,2}$/
/** EBS size limits in GiB by volume type, for a root volume. */
const VOLUME_SIZES: Record<SnapshotSource['rootVolumeType'], [number, number]> = {
  gp2: [1, 16384],
  gp3: [1, 16384],
  io1: [4, 16384],
  io2: [4, 65536],
  standard: [1, 1024]
}
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[\x21-\x7e]+\/)?[\w+=,.@-]{1,64}$/
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/
const MAX_TAGS = 50
const VOLUME_TYPES = ['standard', 'io1', 'io2', 'gp2', 'gp3', 'sc1', 'st1'] as const

/**
 * Reads and checks every input. `nowMs` and `run` give the template placeholders their values, so
 * the name is rendered and checked here too.
 */
export function readSettings(nowMs: number, run: GithubRun, env: NodeJS.ProcessEnv = process.env): Settings {
  const source = readSource()
  // Each source's id has a placeholder; the other one has no value, so a name that needs it fails here.
  const values: TemplateValues = {
    ...timeValues(nowMs),
    ...runValues(run),
    instance_id: source.kind === 'instance' ? source.instanceId : undefined,
    snapshot_id: source.kind === 'snapshot' ? source.snapshotId : undefined
  }
  const instance = source.kind === 'instance'
  const noReboot = readBoolean(Inputs.NoReboot, false)
  const tagSnapshots = readBoolean(Inputs.TagSnapshots, true)
  const snapshotLocation = readSnapshotLocation()
  if (!instance) refuseInstanceOnly(noReboot, snapshotLocation)

  return {
    source,
    name: readName(values),
    description: readDescription(values),
    noReboot,
    tags: readTags(values),
    // The snapshot a registered image uses is the user's, not the action's to tag.
    tagSnapshots: instance && tagSnapshots,
    blockDeviceMappings: readBlockDeviceMappings(source),
    snapshotLocation,
    region: readRegion(env),
    credentials: readCredentials(),
    wait: readBoolean(Inputs.Wait, true),
    waitTimeoutMs: readWaitTimeout(),
    cleanupOnFailure: readBoolean(Inputs.CleanupOnFailure, true),
    dryRun: readBoolean(Inputs.DryRun, false)
  }
}

/** Exactly one of `instance-id` and `snapshot-id`, and the settings that belong to that source. */
function readSource(): ImageSource {
  const instanceId = core.getInput(Inputs.InstanceId)
  const snapshotId = core.getInput(Inputs.SnapshotId)
  if (instanceId && snapshotId) {
    throw new InputError(
      Inputs.InstanceId,
      undefined,
      `and input '${Inputs.SnapshotId}' are both set: give exactly one, '${Inputs.InstanceId}' to image an instance (CreateImage) or '${Inputs.SnapshotId}' to register an EBS snapshot (RegisterImage)`
    )
  }
  if (!instanceId && !snapshotId) {
    throw new InputError(
      Inputs.InstanceId,
      undefined,
      `or input '${Inputs.SnapshotId}' is required and neither was given: give '${Inputs.InstanceId}' to image an instance (CreateImage) or '${Inputs.SnapshotId}' to register an EBS snapshot (RegisterImage)`
    )
  }
  if (snapshotId && !SNAPSHOT_ID.test(snapshotId)) {
    throw new InputError(Inputs.SnapshotId, snapshotId, "expected 'snap-' followed by 8 or 17 lowercase hex digits")
  }
  if (instanceId && !INSTANCE_ID.test(instanceId)) {
    throw new InputError(Inputs.InstanceId, instanceId, "expected 'i-' followed by 8 or 17 lowercase hex digits")
  }
  // Read either way, so a bad value is an error whichever source is used; the rules between them
  // (TPM and boot mode, size and type) only matter for a snapshot.
  const snapshot = readSnapshotSettings(snapshotId)
  if (snapshotId) {
    checkSnapshotRules(snapshot)
    return snapshot
  }
  refuseSnapshotOnly(snapshot)
  return { kind: 'instance', instanceId }
}

/** How a snapshot is registered; with an instance, every one of these must stay at its default. */
const SNAPSHOT_DEFAULTS = {
  architecture: 'x86_64',
  rootDeviceName: '/dev/xvda',
  virtualizationType: 'hvm',
  bootMode: undefined,
  enaSupport: true,
  tpmSupport: undefined,
  rootVolumeSize: undefined,
  rootVolumeType: 'gp3'
} as const satisfies Omit<SnapshotSource, 'kind' | 'snapshotId'>

const SNAPSHOT_INPUTS: Record<keyof typeof SNAPSHOT_DEFAULTS, string> = {
  architecture: Inputs.Architecture,
  rootDeviceName: Inputs.RootDeviceName,
  virtualizationType: Inputs.VirtualizationType,
  bootMode: Inputs.BootMode,
  enaSupport: Inputs.EnaSupport,
  tpmSupport: Inputs.TpmSupport,
  rootVolumeSize: Inputs.RootVolumeSize,
  rootVolumeType: Inputs.RootVolumeType
}

function readSnapshotSettings(snapshotId: string): SnapshotSource {
  const architecture = readChoice(Inputs.Architecture, ARCHITECTURES, SNAPSHOT_DEFAULTS.architecture)
  const rootDeviceName = core.getInput(Inputs.RootDeviceName) || SNAPSHOT_DEFAULTS.rootDeviceName
  if (!DEVICE_NAME.test(rootDeviceName)) {
    throw new InputError(Inputs.RootDeviceName, rootDeviceName, 'expected a device name such as /dev/xvda or /dev/sda1')
  }
  const virtualizationType = readChoice(Inputs.VirtualizationType, ['hvm', 'paravirtual'] as const, SNAPSHOT_DEFAULTS.virtualizationType)
  const bootMode = readChoice(Inputs.BootMode, BOOT_MODES, undefined)
  const enaSupport = readBoolean(Inputs.EnaSupport, SNAPSHOT_DEFAULTS.enaSupport)
  const tpmSupport = readChoice(Inputs.TpmSupport, ['v2.0'] as const, undefined)
  const typeValue = core.getInput(Inputs.RootVolumeType)
  if (typeValue === 'st1' || typeValue === 'sc1') {
    throw new InputError(
      Inputs.RootVolumeType,
      typeValue,
      `EC2 cannot boot from ${typeValue} (HDD) volumes; use one of ${ROOT_VOLUME_TYPES.join(', ')}`
    )
  }
  const rootVolumeType = readChoice(Inputs.RootVolumeType, ROOT_VOLUME_TYPES, SNAPSHOT_DEFAULTS.rootVolumeType)
  const sizeValue = core.getInput(Inputs.RootVolumeSize)
  if (sizeValue !== '' && !/^\d+$/.test(sizeValue)) {
    throw new InputError(Inputs.RootVolumeSize, sizeValue, `expected whole GiB, such as 30`)
  }
  const rootVolumeSize = sizeValue === '' ? undefined : Number(sizeValue)
  return {
    kind: 'snapshot',
    snapshotId,
    architecture,
    rootDeviceName,
    virtualizationType,
    bootMode,
    enaSupport,
    tpmSupport,
    rootVolumeSize,
    rootVolumeType
  }
}

/**
 * NitroTPM only with uefi, and a root size the volume type allows. That the root holds the snapshot is
 * checked once the snapshot is described.
 */
function checkSnapshotRules({ tpmSupport, bootMode, rootVolumeSize, rootVolumeType }: SnapshotSource): void {
  if (tpmSupport && bootMode !== 'uefi') {
    throw new InputError(
      Inputs.TpmSupport,
      tpmSupport,
      `NitroTPM needs 'boot-mode: uefi', and boot-mode is ${bootMode ? `'${bootMode}'` : 'not set'}: set 'boot-mode: uefi', or leave 'tpm-support' empty`
    )
  }
  const [min, max] = VOLUME_SIZES[rootVolumeType]
  if (rootVolumeSize !== undefined && (rootVolumeSize < min || rootVolumeSize > max)) {
    throw new InputError(Inputs.RootVolumeSize, String(rootVolumeSize), `expected whole GiB from ${min} to ${max} for a ${rootVolumeType} root volume`)
  }
}

/** One of `allowed`; empty means `fallback`. */
function readChoice<T extends string, F extends T | undefined>(input: string, allowed: readonly T[], fallback: F): T | F {
  const value = core.getInput(input)
  if (value === '') return fallback
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new InputError(input, value, `expected one of ${allowed.join(', ')}`)
}

/** A snapshot setting changed with an instance would be ignored by CreateImage: say so rather than bake something else. */
function refuseSnapshotOnly(snapshot: SnapshotSource): void {
  for (const [key, fallback] of Object.entries(SNAPSHOT_DEFAULTS) as [keyof typeof SNAPSHOT_DEFAULTS, unknown][]) {
    const value = snapshot[key]
    if (value === fallback) continue
    throw new InputError(
      SNAPSHOT_INPUTS[key],
      core.getInput(SNAPSHOT_INPUTS[key]),
      `applies only with '${Inputs.SnapshotId}'; an image of an instance ('${Inputs.InstanceId}') takes it from the instance. Remove it, or register a snapshot instead`
    )
  }
}

/** Instance-only settings given with a snapshot would be ignored by RegisterImage: refuse them. */
function refuseInstanceOnly(noReboot: boolean, snapshotLocation: Settings['snapshotLocation']): void {
  if (noReboot) {
    throw new InputError(Inputs.NoReboot, core.getInput(Inputs.NoReboot), `applies only to an instance ('${Inputs.InstanceId}'): a snapshot is registered as it is. Remove it`)
  }
  if (snapshotLocation) {
    throw new InputError(
      Inputs.SnapshotLocation,
      snapshotLocation,
      `applies only to an instance on an Outpost ('${Inputs.InstanceId}'): a registered image uses the snapshot where it is. Remove it`
    )
  }
}

function required(input: string): string {
  const value = core.getInput(input)
  if (!value) throw new InputError(input, undefined, 'is required and was not given')
  return value
}

/** YAML 1.2 core booleans; empty means the default; anything else is an error, never a quiet false. */
function readBoolean(input: string, fallback: boolean): boolean {
  const value = core.getInput(input)
  if (value === '') return fallback
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new InputError(input, value, 'expected a YAML boolean: true, True, TRUE, false, False or FALSE')
}

/** Runs a template step, turning a TemplateError into an InputError that names the input. */
function templated<T>(input: string, source: string, step: () => T): T {
  try {
    return step()
  } catch (error) {
    if (error instanceof TemplateError) throw new InputError(input, source, error.message)
    throw error
  }
}

function render(input: string, source: string, values: TemplateValues): string {
  return templated(input, source, () => renderTemplate(compileTemplate(source), values))
}

function readName(values: TemplateValues): string {
  const source = required(Inputs.Name)
  const template = templated(Inputs.Name, source, () => compileTemplate(source))
  const stray = [...literalText(template)].find(character => !NAME_CHARACTER.test(character))
  if (stray !== undefined) {
    throw new InputError(Inputs.Name, source, `'${stray}' is not allowed in an AMI name; use ${NAME_ALPHABET}`)
  }
  // Substituted values (a branch called `fix:login*page`) are made to fit rather than rejected.
  const name = templated(Inputs.Name, source, () =>
    renderTemplate(template, values, value => [...value].map(character => (NAME_CHARACTER.test(character) ? character : '-')).join(''))
  )
  if (name.length < 3 || name.length > 128) {
    throw new InputError(Inputs.Name, source, `the rendered name '${name}' has ${name.length} characters; EC2 allows 3 to 128`)
  }
  return name
}

function readDescription(values: TemplateValues): string {
  const source = core.getInput(Inputs.Description)
  const description = render(Inputs.Description, source, values)
  if (description.length > 255) {
    throw new InputError(
      Inputs.Description,
      source,
      `the rendered description has ${description.length} characters; EC2 allows at most 255`
    )
  }
  return description
}

/** One `Key=Value` a line; blank lines and `#` comments are skipped. */
function readTags(values: TemplateValues): Tag[] {
  const tags: Tag[] = []
  for (const raw of core.getMultilineInput(Inputs.Tags)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const equals = line.indexOf('=')
    if (equals < 0) throw new InputError(Inputs.Tags, line, "expected one 'Key=Value' per line")
    const key = line.slice(0, equals).trim()
    if (key.length < 1 || key.length > 127) {
      throw new InputError(Inputs.Tags, line, `a tag key must have 1 to 127 characters, not ${key.length}`)
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw new InputError(Inputs.Tags, line, "tag keys starting with 'aws:' are reserved for AWS")
    }
    if (tags.some(tag => tag.key === key)) throw new InputError(Inputs.Tags, line, `tag key '${key}' is given twice`)
    const value = render(Inputs.Tags, line.slice(equals + 1).trim(), values)
    if (value.length > 256) {
      throw new InputError(Inputs.Tags, line, `the rendered value of '${key}' has ${value.length} characters; EC2 allows at most 256`)
    }
    tags.push({ key, value })
  }
  if (tags.length > MAX_TAGS) {
    throw new InputError(Inputs.Tags, `${tags.length} tags`, `EC2 allows at most ${MAX_TAGS} tags on a resource`)
  }
  return tags
}

const MAPPING_KEYS = ['DeviceName', 'VirtualName', 'NoDevice', 'Ebs']
const EBS_KEYS: Record<string, 'boolean' | 'number' | 'string'> = {
  DeleteOnTermination: 'boolean',
  Iops: 'number',
  SnapshotId: 'string',
  VolumeSize: 'number',
  VolumeType: 'string',
  KmsKeyId: 'string',
  Throughput: 'number',
  Encrypted: 'boolean'
}

/** A JSON array in the AWS CLI's syntax, e.g. `[{"DeviceName":"/dev/sdb","Ebs":{"VolumeSize":100}}]`. */
function readBlockDeviceMappings(image: ImageSource): BlockDeviceMapping[] {
  const source = core.getInput(Inputs.BlockDeviceMappings)
  if (source === '') return []
  const fail = (problem: string): never => {
    throw new InputError(Inputs.BlockDeviceMappings, source, problem)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(source)
  } catch (error) {
    return fail(`not valid JSON (${(error as Error).message}); expected a JSON array as in 'aws ec2 create-image --block-device-mappings'`)
  }
  if (!Array.isArray(parsed)) return fail('expected a JSON array of mappings')
  parsed.forEach((mapping: unknown, index) => {
    const at = `mapping ${index + 1}`
    if (!isObject(mapping)) return fail(`${at} is not an object`)
    const unknown = Object.keys(mapping).find(key => !MAPPING_KEYS.includes(key))
    if (unknown) fail(`${at} has unknown key '${unknown}'; allowed: ${MAPPING_KEYS.join(', ')}`)
    if (typeof mapping.DeviceName !== 'string' || mapping.DeviceName === '') fail(`${at} needs a DeviceName such as /dev/sdb`)
    for (const key of ['VirtualName', 'NoDevice']) {
      if (key in mapping && typeof mapping[key] !== 'string') fail(`${at}: ${key} must be a string`)
    }
    if (!('Ebs' in mapping)) return
    const ebs = mapping.Ebs
    if (!isObject(ebs)) return fail(`${at}: Ebs must be an object`)
    for (const [key, value] of Object.entries(ebs)) {
      const type = EBS_KEYS[key]
      if (!type) fail(`${at}: unknown Ebs key '${key}'; allowed: ${Object.keys(EBS_KEYS).join(', ')}`)
      if (typeof value !== type) fail(`${at}: Ebs.${key} must be a ${type}`)
      if (type === 'number' && !(Number.isInteger(value) && (value as number) > 0)) fail(`${at}: Ebs.${key} must be a positive whole number`)
    }
    if (ebs.VolumeType !== undefined && !(VOLUME_TYPES as readonly unknown[]).includes(ebs.VolumeType)) {
      fail(`${at}: Ebs.VolumeType must be one of ${VOLUME_TYPES.join(', ')}`)
    }
  })
  // The root mapping of a registered image is made from 'snapshot-id' and the root-volume inputs.
  const root = image.kind === 'snapshot' ? (parsed as BlockDeviceMapping[]).findIndex(mapping => mapping.DeviceName === image.rootDeviceName) : -1
  if (root >= 0) {
    fail(
      `mapping ${root + 1} is for the root device ${(parsed as BlockDeviceMapping[])[root].DeviceName}, which '${Inputs.SnapshotId}' fills; ` +
        `set its size and type with '${Inputs.RootVolumeSize}' and '${Inputs.RootVolumeType}', or map another device`
    )
  }
  return parsed as BlockDeviceMapping[]
}

function readSnapshotLocation(): 'regional' | 'local' | undefined {
  const value = core.getInput(Inputs.SnapshotLocation)
  if (value === '') return undefined
  if (value === 'regional' || value === 'local') return value
  throw new InputError(Inputs.SnapshotLocation, value, "expected 'regional' or 'local'")
}

function readRegion(env: NodeJS.ProcessEnv): string {
  const sources: [string, string | undefined][] = [
    [`input '${Inputs.AwsRegion}'`, core.getInput(Inputs.AwsRegion)],
    ['AWS_REGION', env.AWS_REGION],
    ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION]
  ]
  const [source, region] = sources.find(([, value]) => value) ?? []
  if (!region) {
    throw new InputError(
      Inputs.AwsRegion,
      undefined,
      'is not set, and neither is AWS_REGION nor AWS_DEFAULT_REGION: set one of them to the region to bake in'
    )
  }
  if (!REGION.test(region)) {
    throw new InputError(Inputs.AwsRegion, region, `(from ${source}) expected a region code such as us-east-1 or eu-central-2`)
  }
  return region
}

function readCredentials(): CredentialSettings {
  const roleArn = core.getInput(Inputs.RoleToAssume)
  if (roleArn === '') return { kind: 'default-chain' }
  if (!ROLE_ARN.test(roleArn)) {
    throw new InputError(Inputs.RoleToAssume, roleArn, 'expected an IAM role ARN such as arn:aws:iam::123456789012:role/bake-ami')
  }
  const sessionName = core.getInput(Inputs.RoleSessionName) || 'bake-ami'
  if (!SESSION_NAME.test(sessionName)) {
    throw new InputError(Inputs.RoleSessionName, sessionName, '2 to 64 characters of letters, digits and + = , . @ _ -')
  }
  const duration = core.getInput(Inputs.RoleDurationSeconds) || '3600'
  const durationSeconds = Number(duration)
  if (!/^\d+$/.test(duration) || durationSeconds < 900 || durationSeconds > 43200) {
    throw new InputError(Inputs.RoleDurationSeconds, duration, 'expected whole seconds from 900 to 43200')
  }
  const audience = core.getInput(Inputs.Audience) || 'sts.amazonaws.com'
  return { kind: 'oidc', roleArn, sessionName, durationSeconds, audience }
}

/**
 * The longest wait-timeout: beyond any runner's job limit (72 h on self-hosted runners), so a longer one can
 * only be a typo, and a bounded one keeps the deadline a finite number.
 */
const MAX_WAIT_MS = 72 * 3_600_000

function readWaitTimeout(): number {
  const value = core.getInput(Inputs.WaitTimeout) || '60m'
  const ms = parseDuration(value)
  if (ms === undefined || !(ms >= 1000 && ms <= MAX_WAIT_MS)) {
    throw new InputError(Inputs.WaitTimeout, value, 'expected a duration from 1s to 72h, such as 90s, 45m, 2h or 1h30m, or whole seconds')
  }
  return ms
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** One line per setting, for `core.debug`. Settings hold no secrets, so all of it can be shown. */
export function describeSettings(settings: Settings): string[] {
  return Object.entries(settings).map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
}
