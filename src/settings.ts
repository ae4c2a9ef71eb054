/**
 * Every input, read once, validated and parsed into a readonly `Settings` before any AWS or OIDC call.
 * Nothing else in the action calls `core.getInput`.
 */
import * as core from '@actions/core'
import { FAMILY_TAG_KEY, Inputs } from './constants.js'
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

/** What to do when an image with the rendered name already exists in the account and region. */
export type IfExists = 'fail' | 'reuse' | 'replace'
export const IF_EXISTS = ['fail', 'reuse', 'replace'] as const

/** Whether EC2 refuses to deregister the image and its copies; with cooldown, for 24 hours after it is disabled. */
export type DeregistrationProtection = 'off' | 'on' | 'on-with-cooldown'
export const DEREGISTRATION_PROTECTION = ['off', 'on', 'on-with-cooldown'] as const

/** What happens to the image once it is available: copies, shares, deprecation, retention. */
export interface Distribution {
  /** Target regions in the order given, deduplicated, without the bake region. */
  readonly copyToRegions: readonly string[]
  /** 12-digit AWS account ids, deduplicated. */
  readonly shareWithAccounts: readonly string[]
  /** Organization ARNs, deduplicated. */
  readonly shareWithOrganizations: readonly string[]
  /** Organizational unit ARNs, deduplicated. */
  readonly shareWithOus: readonly string[]
  /** Also give the accounts CreateVolumePermission on the snapshots (default true); false when no accounts. */
  readonly shareSnapshots: boolean
  /** DeprecateAt = start of the run + this; undefined: no deprecation. */
  readonly deprecateAfterMs?: number
  /** Instances launched from the image must use IMDSv2; undefined leaves the image as it is. */
  readonly imdsSupport?: 'v2.0'
  /** The lineage name; undefined: no family tag and no retention. */
  readonly family?: string
  /** Keep this many newest images of the family per region; undefined: no retention. Needs family. */
  readonly keepLatest?: number
  /** Retention also keeps an image whose LastLaunchedTime is within this many ms; undefined: launches are not asked. Needs keepLatest. */
  readonly keepLaunchedWithinMs?: number
  /** EnableImageDeregistrationProtection on the image and every copy, the last step; 'off': not called. */
  readonly deregistrationProtection: DeregistrationProtection
}

/** Where the deploy finds the image once the release stands: in each region of the run, after copies, shares and deprecation. */
export interface HandOff {
  /** Parameter Store name to point at each region's image (PutParameter, DataType aws:ec2:image); undefined: none. */
  readonly ssmParameter?: string
  /** Launch template name or id (lt-…) to give a new version with each region's image; undefined: none. */
  readonly launchTemplate?: string
  /** Also make the new version the template's default (ModifyLaunchTemplate). */
  readonly launchTemplateDefault: boolean
}

/** How the release is encrypted, and how long its copies may take. */
export interface Encryption {
  /** `encrypt`: the image and every copy have encrypted snapshots. */
  readonly encrypt: boolean
  /**
   * The key asked for in each region of the run (the bake region and each copy region), as the user gave it or
   * rewritten for the region (see below); a region absent from it uses its default EBS key. Empty without `encrypt`.
   */
  readonly keys: ReadonlyMap<string, string>
  /** `copy-completion-minutes`: SnapshotCopyCompletionDurationMinutes for every CopyImage; undefined: EC2's best effort. */
  readonly copyCompletionMinutes?: number
}

export interface Settings {
  /** What to image. */
  readonly source: ImageSource
  /** The AMI name, rendered and cleaned to EC2's name alphabet. */
  readonly name: string
  /** The AMI description, rendered; empty for none. */
  readonly description: string
  /** Image without stopping the instance first; always false for a snapshot. */
  readonly noReboot: boolean
  /**
   * Tags for the image (and its snapshots when `tagSnapshots`), values rendered; with a family, the family tag
   * (`FAMILY_TAG_KEY`) last.
   */
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
  /** Copies, shares, deprecation and retention of the available image. */
  readonly distribution: Distribution
  /** The Parameter Store parameter and launch template that get each region's image. */
  readonly handOff: HandOff
  /** Encryption of the image and its copies, and time-based copies. */
  readonly encryption: Encryption
  /** An image with the rendered name exists already: fail, use it, or replace it. */
  readonly ifExists: IfExists
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
const ACCOUNT_ID = /^\d{12}$/
/** The partitions EC2 shares images in: the commercial regions, China and GovCloud. */
const PARTITION = '(?:aws|aws-cn|aws-us-gov)'
/** As AWS Organizations documents them: `o-` and 10-32, `ou-` and 4-32, a dash and 8-32 lowercase letters or digits. */
const ORGANIZATION_ARN = new RegExp(`^arn:${PARTITION}:organizations::\\d{12}:organization/o-[a-z0-9]{10,32}$`)
const OU_ARN = new RegExp(`^arn:${PARTITION}:organizations::\\d{12}:ou/o-[a-z0-9]{10,32}/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$`)
/** `36h`, `90d`, `26w`: the grammar of deprecate-after and keep-launched-within. */
const WHOLE_DURATION = /^(\d+)([hdw])$/
const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }
/**
 * EC2 refuses a DeprecateAt more than 10 years ahead. 3650 days is less than any 10 calendar years, leap days or
 * not, so whatever the start of the run, a duration allowed here is one EC2 accepts.
 */
const MAX_DEPRECATE_DAYS = 3650
/**
 * A bound far beyond any retention window, so that a typo (3650w for 365d) does not pass unnoticed. EC2 has launch
 * times only from April 2017, so a longer window could keep nothing more anyway.
 */
const MAX_LAUNCHED_WITHIN_DAYS = 3650
/** EC2's tag-value alphabet: letters, digits, spaces and _ . : / = + - @ */
const FAMILY_CHARACTER = /[\p{L}\p{N} _.:/=+\-@]/u
const FAMILY_ALPHABET = 'letters, digits, spaces and _ . : / = + - @'
const MAX_FAMILY_LENGTH = 255
/** A bound well beyond any real lineage, so that a typo (10000 for 100) does not pass unnoticed. */
const MAX_KEEP_LATEST = 1000
const VOLUME_TYPES = ['standard', 'io1', 'io2', 'gp2', 'gp3', 'sc1', 'st1'] as const
/** Parameter Store's name alphabet: letters, digits and _ . -, and / between the levels of a hierarchy. */
const PARAMETER_CHARACTER = /[A-Za-z0-9_.\-/]/
const PARAMETER_ALPHABET = 'letters, digits and _ . -, with / between levels, such as /images/web/latest'
/** Parameter Store allows a hierarchy at most 15 levels deep, the last level (the parameter's own name) included. */
const MAX_PARAMETER_LEVELS = 15
/**
 * Parameter Store's limit for a name: 1011 characters, counting the part of the parameter's ARN that comes before the
 * name (`arn:aws:ssm:us-east-2:111122223333:parameter/` is 45 of them), so the room left depends on the region.
 */
const MAX_PARAMETER_ARN_LENGTH = 1011
/** A launch template id: `lt-` and 17 hex digits. */
const LAUNCH_TEMPLATE_ID = /^lt-[0-9a-f]{17}$/
/** EC2's LaunchTemplateName alphabet: letters, digits and ( ) . - / _ */
const LAUNCH_TEMPLATE_CHARACTER = /[A-Za-z0-9().\-/_]/
const LAUNCH_TEMPLATE_ALPHABET = 'letters, digits and ( ) . - / _'
/** A KMS key id as KMS writes it, in lower case: a UUID, or `mrk-` and 32 hex digits for a multi-Region key. */
const KMS_KEY_ID = '(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})'
/** A KMS alias name: `alias/` and 1 to 250 letters, digits and / _ - (256 characters in all, as CreateAlias allows). */
const KMS_ALIAS_NAME = 'alias/[A-Za-z0-9/_-]{1,250}'
/** A KMS key given as EBS takes it: key id, alias name, or the ARN of either (groups: partition, region, account, resource). */
const KMS_KEY = new RegExp(
  `^(?:${KMS_KEY_ID}|${KMS_ALIAS_NAME}|arn:(${PARTITION}):kms:(${REGION.source.slice(1, -1)}):(\\d{12}):(key/${KMS_KEY_ID}|${KMS_ALIAS_NAME}))$`
)
const KMS_KEY_FORMATS =
  'a key id (a UUID in lower case, such as 1234abcd-12ab-34cd-56ef-1234567890ab, or mrk- and 32 hex digits for a multi-Region key), ' +
  'a key ARN (arn:aws:kms:<region>:<account>:key/<key id>), an alias name (alias/ and 1 to 250 letters, digits and / _ -, such as alias/release) ' +
  'or an alias ARN (arn:aws:kms:<region>:<account>:alias/<name>)'
/** SnapshotCopyCompletionDurationMinutes: EC2 takes 15 minutes to 48 hours, in steps of 15 minutes. */
const COPY_MINUTES_STEP = 15
const MAX_COPY_MINUTES = 2880

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
  const region = readRegion(env)
  const wait = readBoolean(Inputs.Wait, true)
  const distribution = readDistribution(region)
  const handOff = readHandOff(region, distribution.copyToRegions)
  const encryption = readEncryption(region, distribution.copyToRegions)
  if (!wait) refuseWithoutWait(distribution, handOff, encryption)

  return {
    source,
    name: readName(values),
    description: readDescription(values),
    noReboot,
    tags: readTags(values, distribution.family),
    // The snapshot a registered image uses is the user's, not the action's to tag.
    tagSnapshots: instance && tagSnapshots,
    blockDeviceMappings: readBlockDeviceMappings(source),
    snapshotLocation,
    region,
    credentials: readCredentials(),
    wait,
    waitTimeoutMs: readWaitTimeout(),
    cleanupOnFailure: readBoolean(Inputs.CleanupOnFailure, true),
    dryRun: readBoolean(Inputs.DryRun, false),
    distribution,
    handOff,
    encryption,
    ifExists: readChoice(Inputs.IfExists, IF_EXISTS, 'fail')
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

/** One `Key=Value` a line; blank lines and `#` comments are skipped. With a family, its tag goes last. */
function readTags(values: TemplateValues, family: string | undefined): Tag[] {
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
    // Retention trusts this tag to mean "made by bake-ami in this lineage"; only the 'family' input sets it.
    if (key.toLowerCase() === FAMILY_TAG_KEY) {
      throw new InputError(Inputs.Tags, line, `the tag key '${FAMILY_TAG_KEY}' is the action's own: set the image's lineage with the '${Inputs.Family}' input instead`)
    }
    if (tags.some(tag => tag.key === key)) throw new InputError(Inputs.Tags, line, `tag key '${key}' is given twice`)
    const value = render(Inputs.Tags, line.slice(equals + 1).trim(), values)
    if (value.length > 256) {
      throw new InputError(Inputs.Tags, line, `the rendered value of '${key}' has ${value.length} characters; EC2 allows at most 256`)
    }
    tags.push({ key, value })
  }
  if (family === undefined && tags.length > MAX_TAGS) {
    throw new InputError(Inputs.Tags, `${tags.length} tags`, `EC2 allows at most ${MAX_TAGS} tags on a resource`)
  }
  if (family !== undefined && tags.length >= MAX_TAGS) {
    throw new InputError(
      Inputs.Tags,
      `${tags.length} tags`,
      `EC2 allows at most ${MAX_TAGS} tags on a resource, and '${Inputs.Family}' adds the tag ${FAMILY_TAG_KEY}: give at most ${MAX_TAGS - 1}`
    )
  }
  return family === undefined ? tags : [...tags, { key: FAMILY_TAG_KEY, value: family }]
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

/**
 * Copies, shares, deprecation and retention. All of them act on the image once it is available, so all but the
 * family tag need the step to wait (`refuseWithoutWait`).
 */
function readDistribution(region: string): Distribution {
  const copyToRegions = readList(Inputs.CopyToRegions, REGION, 'region codes such as us-east-1 or eu-central-2').filter(target => {
    if (target !== region) return true
    core.debug(`${Inputs.CopyToRegions}: skipping ${target}, the region the image is baked in`)
    return false
  })
  const shareWithAccounts = readList(Inputs.ShareWithAccounts, ACCOUNT_ID, '12-digit AWS account ids such as 123456789012')
  const shareWithOrganizations = readList(
    Inputs.ShareWithOrganizations,
    ORGANIZATION_ARN,
    'organization ARNs such as arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5'
  )
  const shareWithOus = readList(
    Inputs.ShareWithOus,
    OU_ARN,
    'organizational unit ARNs such as arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56'
  )
  // Snapshot permissions go to accounts only: without any, there is no one to give them to.
  const shareSnapshots = readBoolean(Inputs.ShareSnapshots, true) && shareWithAccounts.length > 0
  const family = readFamily()
  const deprecateAfterMs = readDeprecateAfter()
  const imdsSupport = readImdsSupport()
  const keepLatest = readKeepLatest(family)
  return {
    copyToRegions,
    shareWithAccounts,
    shareWithOrganizations,
    shareWithOus,
    shareSnapshots,
    deprecateAfterMs,
    imdsSupport,
    family,
    keepLatest,
    keepLaunchedWithinMs: readKeepLaunchedWithin(keepLatest),
    deregistrationProtection: readChoice(Inputs.DeregistrationProtection, DEREGISTRATION_PROTECTION, 'off')
  }
}

/**
 * A list input: items between commas, newlines or both, trimmed, empty ones skipped, each matching `item`;
 * duplicates dropped, the first kept in place.
 */
function readList(input: string, item: RegExp, allowed: string): string[] {
  const items = readItems(input)
  const bad = items.find(value => !item.test(value))
  if (bad !== undefined) throw new InputError(input, bad, `expected ${allowed}, separated by commas or newlines`)
  return [...new Set(items)]
}

/** The items of a list input: between commas, newlines or both, trimmed, empty ones skipped. */
function readItems(input: string): string[] {
  return core
    .getInput(input)
    .split(/[,\n]/)
    .map(value => value.trim())
    .filter(value => value !== '')
}

/** `36h`, `90d`, `26w`, at most 10 years: EC2 refuses a later DeprecateAt. */
function readDeprecateAfter(): number | undefined {
  return readWholeDuration(Inputs.DeprecateAfter, MAX_DEPRECATE_DAYS, 'EC2 refuses a deprecation date more than 10 years ahead')
}

/**
 * A whole number of hours, days or weeks greater than zero, such as `36h`, `90d` or `26w`, in ms; empty is undefined.
 * Above `maxDays`, the error starts with `why`.
 */
function readWholeDuration(input: string, maxDays: number, why: string): number | undefined {
  const value = core.getInput(input)
  if (value === '') return undefined
  const match = WHOLE_DURATION.exec(value)
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]] : NaN
  if (!(ms > 0)) {
    throw new InputError(input, value, 'expected a whole number of hours, days or weeks greater than zero, such as 36h, 90d or 26w')
  }
  if (ms > maxDays * UNIT_MS.d) {
    throw new InputError(input, value, `${why}: give at most ${maxDays}d (${maxDays * 24}h, ${Math.floor(maxDays / 7)}w)`)
  }
  return ms
}

function readImdsSupport(): 'v2.0' | undefined {
  const value = core.getInput(Inputs.ImdsSupport)
  if (value === '') return undefined
  if (value === 'v2.0') return value
  throw new InputError(Inputs.ImdsSupport, value, "expected 'v2.0' (instances launched from the image must use IMDSv2), or empty to leave the image as it is")
}

/** A literal lineage name: it must be the same in every run, or retention would never find the older images. */
function readFamily(): string | undefined {
  const family = core.getInput(Inputs.Family)
  if (family === '') return undefined
  if (family.includes('{{') || family.includes('}}')) {
    throw new InputError(
      Inputs.Family,
      family,
      'placeholders are not allowed: a family names a lineage of images across runs, so it must be the same in every run. Write it out, such as web-server'
    )
  }
  const stray = [...family].find(character => !FAMILY_CHARACTER.test(character))
  if (stray !== undefined) {
    throw new InputError(Inputs.Family, family, `'${stray}' is not allowed in a family (a tag value); use ${FAMILY_ALPHABET}`)
  }
  const length = [...family].length
  if (length > MAX_FAMILY_LENGTH) {
    throw new InputError(Inputs.Family, family, `a family has at most ${MAX_FAMILY_LENGTH} characters, not ${length}`)
  }
  return family
}

function readKeepLatest(family: string | undefined): number | undefined {
  const value = core.getInput(Inputs.KeepLatest)
  if (value === '') return undefined
  const count = Number(value)
  if (!/^\d+$/.test(value) || count < 1 || count > MAX_KEEP_LATEST) {
    throw new InputError(Inputs.KeepLatest, value, `expected a whole number of images from 1 to ${MAX_KEEP_LATEST}`)
  }
  if (family === undefined) {
    throw new InputError(
      Inputs.KeepLatest,
      value,
      `needs input '${Inputs.Family}': retention removes only older images tagged with the same family. Set '${Inputs.Family}', or remove '${Inputs.KeepLatest}'`
    )
  }
  return count
}

/** A window of launches that retention keeps; there is no retention to keep anything from without keep-latest. */
function readKeepLaunchedWithin(keepLatest: number | undefined): number | undefined {
  const ms = readWholeDuration(
    Inputs.KeepLaunchedWithin,
    MAX_LAUNCHED_WITHIN_DAYS,
    'more than 10 years is taken for a typo (EC2 records launch times only from April 2017)'
  )
  if (ms !== undefined && keepLatest === undefined) {
    throw new InputError(
      Inputs.KeepLaunchedWithin,
      core.getInput(Inputs.KeepLaunchedWithin),
      `needs input '${Inputs.KeepLatest}': it keeps recently launched images that retention would otherwise remove, and without '${Inputs.KeepLatest}' nothing is removed. Set '${Inputs.KeepLatest}' (and '${Inputs.Family}'), or remove '${Inputs.KeepLaunchedWithin}'`
    )
  }
  return ms
}

/**
 * The parameter and the launch template that get each region's image. Both point the deploy at an available image,
 * so both need the step to wait (`refuseWithoutWait`). `region` and `copyTo` are where the parameter is written.
 */
function readHandOff(region: string, copyTo: readonly string[]): HandOff {
  const ssmParameter = readSsmParameter([region, ...copyTo])
  const launchTemplate = readLaunchTemplate()
  const launchTemplateDefault = readBoolean(Inputs.LaunchTemplateDefault, true)
  // Only false can be told from the default: action.yml passes 'true' when the input is not given.
  if (!launchTemplateDefault && launchTemplate === undefined) {
    throw new InputError(
      Inputs.LaunchTemplateDefault,
      core.getInput(Inputs.LaunchTemplateDefault),
      `needs input '${Inputs.LaunchTemplate}': it says whether the launch template version the action makes becomes the default, and without '${Inputs.LaunchTemplate}' no version is made. Set '${Inputs.LaunchTemplate}', or remove '${Inputs.LaunchTemplateDefault}'`
    )
  }
  return { ssmParameter, launchTemplate, launchTemplateDefault }
}

/**
 * A Parameter Store name as PutParameter takes it: not an ARN, since the parameter is written in every region of the
 * run. `regions` are those regions; the longest ARN among them bounds the name's length.
 */
function readSsmParameter(regions: readonly string[]): string | undefined {
  const name = core.getInput(Inputs.SsmParameter)
  if (name === '') return undefined
  const fail = (problem: string): never => {
    throw new InputError(Inputs.SsmParameter, name, problem)
  }
  if (name.startsWith('arn:')) {
    fail(
      `give the parameter's name, such as /images/web/latest, not its ARN: the parameter is written in each region of the run (the bake region and every '${Inputs.CopyToRegions}' region), and an ARN names only one`
    )
  }
  const stray = [...name].find(character => !PARAMETER_CHARACTER.test(character))
  if (stray !== undefined) fail(`'${stray}' is not allowed in a parameter name; use ${PARAMETER_ALPHABET}`)
  if (name.includes('/') && !name.startsWith('/')) fail(`a name with levels starts with '/': give /${name}`)
  const levels = name.replace(/^\//, '').split('/')
  if (levels.includes('')) fail(`a level of the name is empty ('//', or '/' at the end); give each level at least one character, such as /images/web/latest`)
  if (levels.length > MAX_PARAMETER_LEVELS) {
    fail(`Parameter Store allows a hierarchy at most ${MAX_PARAMETER_LEVELS} levels deep, the name's last level included, and this one has ${levels.length}`)
  }
  if (/^(?:aws|ssm)/i.test(levels[0])) fail("Parameter Store reserves names that begin with 'aws' or 'ssm' (in any case, with or without the leading '/')")
  // The longest ARN prefix of the run's regions leaves the least room for the name.
  const [region, prefix] = regions
    .map(code => [code, `arn:${partitionOf(code)}:ssm:${code}:${'1'.repeat(12)}:parameter/`] as const)
    .reduce((longest, next) => (next[1].length > longest[1].length ? next : longest))
  const room = MAX_PARAMETER_ARN_LENGTH - prefix.length
  if (name.length > room) {
    fail(
      `Parameter Store allows ${MAX_PARAMETER_ARN_LENGTH} characters for a name, counting the ARN before it, which in ${region} is ${prefix.length} characters (${prefix.replace(/1{12}/, '<account>')}): give at most ${room}, not ${name.length}`
    )
  }
  return name
}

/**
 * The partition of a region, for the length of an ARN there. A region of any other partition counts as aws, which
 * leaves a name there a few characters more room than Parameter Store does; PutParameter refuses the rest.
 */
function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

/** True for a launch template id (`lt-` and 17 hex digits); any other `launch-template` value is a name. */
export function isLaunchTemplateId(value: string): boolean {
  return LAUNCH_TEMPLATE_ID.test(value)
}

/** A launch template id, or a name as EC2 allows it (LaunchTemplateName: 3 to 128 of its alphabet). */
function readLaunchTemplate(): string | undefined {
  const value = core.getInput(Inputs.LaunchTemplate)
  if (value === '') return undefined
  if (isLaunchTemplateId(value)) return value
  const expected = `expected a launch template id ('lt-' and 17 hex digits) or a name of 3 to 128 ${LAUNCH_TEMPLATE_ALPHABET}`
  const stray = [...value].find(character => !LAUNCH_TEMPLATE_CHARACTER.test(character))
  if (stray !== undefined) throw new InputError(Inputs.LaunchTemplate, value, `'${stray}' is not allowed in a launch template name; ${expected}`)
  if (value.length < 3 || value.length > 128) {
    throw new InputError(Inputs.LaunchTemplate, value, `a launch template name has 3 to 128 characters, not ${value.length}; ${expected}`)
  }
  return value
}

/**
 * `encrypt`, the keys by region, and `copy-completion-minutes`. Every value is checked before any rule between them,
 * so a malformed key is reported as such even without `encrypt`. `region` is the bake region; `copyTo` the copy
 * regions, without it.
 */
function readEncryption(region: string, copyTo: readonly string[]): Encryption {
  const encrypt = readBoolean(Inputs.Encrypt, false)
  const keyId = core.getInput(Inputs.KmsKeyId)
  if (keyId !== '') checkKmsKey(Inputs.KmsKeyId, keyId, keyId, region, `the image is baked in ${region}`)
  const copyKeys = readCopyKmsKeyIds(region, copyTo)
  const copyCompletionMinutes = readCopyCompletionMinutes()
  for (const [input, given] of [
    [Inputs.KmsKeyId, keyId !== ''],
    [Inputs.CopyKmsKeyIds, copyKeys.size > 0]
  ] as const) {
    if (given && !encrypt) {
      throw new InputError(
        input,
        core.getInput(input),
        `picks the key the release is encrypted with, and 'encrypt' is not true: the action would not encrypt the release, and the key would be ignored. Set 'encrypt: true', or remove '${input}'`
      )
    }
  }
  if (copyCompletionMinutes !== undefined && copyTo.length === 0 && !encrypt) {
    throw new InputError(
      Inputs.CopyCompletionMinutes,
      core.getInput(Inputs.CopyCompletionMinutes),
      `applies to CopyImage, and the run makes no copy: it copies the image only to the regions of '${Inputs.CopyToRegions}' (other than the bake region, ${region}) and, with 'encrypt: true', to encrypt it. Set one of them, or remove '${Inputs.CopyCompletionMinutes}'`
    )
  }
  return { encrypt, keys: encrypt ? resolveKeys(region, copyTo, keyId, copyKeys) : new Map(), copyCompletionMinutes }
}

/**
 * The key asked for in each region. The bake region takes `kms-key-id`. A copy region takes its own line of
 * `copy-kms-key-ids`, or else `kms-key-id` when that names a key in every region, which EBS needs since it encrypts
 * an image only with a key of the image's own region:
 *
 *   kms-key-id                           in a copy region
 *   alias name (alias/release)           as is: each region has its own aliases, looked up by name
 *   multi-Region key id (mrk-…)          as is: every replica of the key has the same id
 *   alias ARN, multi-Region key ARN      the ARN with the copy region in place of the bake region
 *   single-Region key id or ARN          none: the key lives in the bake region alone
 *
 * A region with no key (or `kms-key-id` empty) is left out, and uses its default EBS key. Whether the alias or the
 * replica exists in the copy region is for EC2 to say.
 */
function resolveKeys(region: string, copyTo: readonly string[], keyId: string, copyKeys: ReadonlyMap<string, string>): Map<string, string> {
  const keys = new Map<string, string>()
  if (keyId !== '') keys.set(region, keyId)
  for (const target of copyTo) {
    const key = copyKeys.get(target) ?? (keyId === '' ? undefined : keyInRegion(keyId, target))
    if (key !== undefined) keys.set(target, key)
  }
  return keys
}

/** `key` (a well-formed `kms-key-id`) as it is named in `region`; undefined when it names a key of one region only. */
function keyInRegion(key: string, region: string): string | undefined {
  const arn = KMS_KEY.exec(key)
  if (arn?.[1] === undefined) return key.startsWith('alias/') || key.startsWith('mrk-') ? key : undefined
  const [, partition, , account, resource] = arn
  return resource.startsWith('alias/') || resource.startsWith('key/mrk-') ? `arn:${partition}:kms:${region}:${account}:${resource}` : undefined
}

/**
 * A KMS key id, alias name, or the ARN of either; an ARN must be of `region`, where the key is used. `shown` is the
 * value the error shows (a `copy-kms-key-ids` item shows its whole `region=key`), and `where` says why `region`.
 */
function checkKmsKey(input: string, key: string, shown: string, region: string, where: string): void {
  const arn = KMS_KEY.exec(key)
  if (arn === null) throw new InputError(input, shown, `expected ${KMS_KEY_FORMATS}`)
  const [, partition, arnRegion, , resource] = arn
  if (partition === undefined) return
  const kind = resource.startsWith('alias/') ? 'alias ARN' : 'key ARN'
  if (arnRegion !== region) {
    throw new InputError(
      input,
      shown,
      `the ${kind} names ${arnRegion}, and ${where}: EBS encrypts an image only with a key in the image's own region. Give a key of ${region}, or an alias name or multi-Region key id (mrk-…), which name a key in every region`
    )
  }
  if (partition !== partitionOf(region)) {
    throw new InputError(input, shown, `the ${kind} is in partition ${partition}, and ${region} is in ${partitionOf(region)}: give arn:${partitionOf(region)}:kms:${region}:…`)
  }
}

/**
 * `region=key` items, between newlines or commas, trimmed, empty ones skipped: a key for a copy region, each region
 * at most once. `region` is the bake region, whose key is `kms-key-id`; `copyTo` the copy regions.
 */
function readCopyKmsKeyIds(region: string, copyTo: readonly string[]): Map<string, string> {
  const keys = new Map<string, string>()
  for (const item of readItems(Inputs.CopyKmsKeyIds)) {
    const fail = (problem: string): never => {
      throw new InputError(Inputs.CopyKmsKeyIds, item, problem)
    }
    const equals = item.indexOf('=')
    if (equals < 0) fail(`expected region=key, one a line or separated by commas, such as us-east-1=alias/release`)
    const target = item.slice(0, equals).trim()
    const key = item.slice(equals + 1).trim()
    if (target === region) fail(`${region} is the bake region, not a copy region: give its key in '${Inputs.KmsKeyId}'`)
    if (!copyTo.includes(target)) {
      fail(
        copyTo.length === 0
          ? `'${target}' is not a copy region, and there are none: '${Inputs.CopyToRegions}' lists no region besides the bake region, ${region}. Give a key only for a region the image is copied to`
          : `'${target}' is not a copy region; the copy regions ('${Inputs.CopyToRegions}', without the bake region) are ${copyTo.join(', ')}. Give a key only for a region the image is copied to`
      )
    }
    if (keys.has(target)) fail(`${target} is given twice: give one key per region`)
    checkKmsKey(Inputs.CopyKmsKeyIds, key, item, target, `this key is for ${target}`)
    keys.set(target, key)
  }
  return keys
}

/** Whole minutes in EC2's range and steps for a time-based copy; empty: undefined. */
function readCopyCompletionMinutes(): number | undefined {
  const value = core.getInput(Inputs.CopyCompletionMinutes)
  if (value === '') return undefined
  const allowed = `expected whole minutes from ${COPY_MINUTES_STEP} to ${MAX_COPY_MINUTES} (48 hours) in steps of ${COPY_MINUTES_STEP}, such as 15, 60 or 2880`
  const minutes = Number(value)
  if (!/^\d+$/.test(value) || minutes < COPY_MINUTES_STEP || minutes > MAX_COPY_MINUTES) {
    throw new InputError(Inputs.CopyCompletionMinutes, value, allowed)
  }
  if (minutes % COPY_MINUTES_STEP !== 0) {
    const below = minutes - (minutes % COPY_MINUTES_STEP)
    throw new InputError(
      Inputs.CopyCompletionMinutes,
      value,
      `${minutes} is not a multiple of ${COPY_MINUTES_STEP} (the nearest are ${below} and ${below + COPY_MINUTES_STEP}); ${allowed}`
    )
  }
  return minutes
}

/**
 * With `wait: false` the step ends while the image is pending; what acts on the available image would never run.
 * That includes `encrypt`: the encrypted image is a copy of the baked one, which CopyImage takes only once available.
 */
function refuseWithoutWait(distribution: Distribution, handOff: HandOff, encryption: Encryption): void {
  const used: [string, boolean][] = [
    [Inputs.CopyToRegions, distribution.copyToRegions.length > 0],
    [Inputs.Encrypt, encryption.encrypt],
    [Inputs.ShareWithAccounts, distribution.shareWithAccounts.length > 0],
    [Inputs.ShareWithOrganizations, distribution.shareWithOrganizations.length > 0],
    [Inputs.ShareWithOus, distribution.shareWithOus.length > 0],
    [Inputs.DeprecateAfter, distribution.deprecateAfterMs !== undefined],
    [Inputs.ImdsSupport, distribution.imdsSupport !== undefined],
    [Inputs.KeepLatest, distribution.keepLatest !== undefined],
    [Inputs.DeregistrationProtection, distribution.deregistrationProtection !== 'off'],
    [Inputs.SsmParameter, handOff.ssmParameter !== undefined],
    [Inputs.LaunchTemplate, handOff.launchTemplate !== undefined]
  ]
  const input = used.find(([, set]) => set)?.[0]
  if (input === undefined) return
  throw new InputError(
    input,
    core.getInput(input),
    `acts on the image once it is available, and 'wait' is false, so the step would end before that. Remove 'wait: false' so the step waits, or remove '${input}'`
  )
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * One line per setting, for `core.debug`, and one per distribution, hand-off and encryption setting. Settings hold no
 * secrets (a KMS key id or alias is a name, not a secret), so all of it can be shown.
 */
export function describeSettings(settings: Settings): string[] {
  const { distribution, handOff, encryption, ...rest } = settings
  const nested = (group: string, fields: object) => Object.entries(fields).map(([key, value]) => [`${group}.${key}`, value] as const)
  const entries = [...Object.entries(rest), ...nested('distribution', distribution), ...nested('handOff', handOff), ...nested('encryption', encryption)]
  // JSON shows a Map as {}: the keys by region are shown as an object instead.
  return entries.map(([key, value]) => `${key}: ${JSON.stringify(value instanceof Map ? Object.fromEntries(value) : value)}`)
}
