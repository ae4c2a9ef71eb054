import { DEFAULT_REGION } from './regions.js'
import type { PutParameterOptions, RejectParameterRule } from './types.js'

// Systems Manager Parameter Store: the parameters the SSM API (PutParameter, GetParameter, DeleteParameter) serves,
// and that EC2's DescribeImageReferences reads. A parameter of data type aws:ec2:image is not written when
// PutParameter answers: Parameter Store validates the value afterwards, and only a value it accepts becomes the
// parameter ("Native parameter support for Amazon Machine Image IDs", Systems Manager User Guide). Until then the
// write is pending and reads show what was there before. Like the rest of the sim there are no timers: pending
// writes are settled, in the order they were made, whenever the store is read.

export type ParameterType = 'String' | 'StringList' | 'SecureString'
export type ParameterDataType = 'text' | 'aws:ec2:image'
export type ParameterTier = 'Standard' | 'Advanced'

export interface ParameterRecord {
  /** As first created: `/images/web` (a hierarchy, which starts with '/') or `web-ami`. */
  name: string
  region: string
  value: string
  type: ParameterType
  /** `aws:ec2:image` makes Parameter Store check that the value is an image the account can see in the region. */
  dataType: ParameterDataType
  tier: ParameterTier
  /** 1 for a new parameter, one more for each write; a number once answered is never given again. */
  version: number
  /** epoch ms of the write */
  lastModifiedAt: number
  /** ARN of whoever wrote it; absent for a seeded parameter. */
  lastModifiedUser?: string
  description?: string
  /** Every later value must match it (PutParameter's AllowedPattern, kept across overwrites). */
  allowedPattern?: string
}

/** A write PutParameter has answered but Parameter Store has not validated yet (aws:ec2:image only). */
export interface PendingWrite {
  /** What the parameter becomes if the value is accepted. */
  record: ParameterRecord
  /** epoch ms */
  validatesAt: number
  /** Decided when the write was made (the writer could not describe images); otherwise decided at validatesAt. */
  rejectReason?: string
  /** Whether the parameter existed when the write was made: a rejected creation leaves no parameter behind. */
  creates: boolean
}

/** One write and what became of it, as Parameter Store's change events report it. */
export interface ParameterWrite {
  name: string
  region: string
  value: string
  version: number
  dataType: ParameterDataType
  /** epoch ms */
  at: number
  outcome: 'pending' | 'accepted' | 'rejected'
  /** epoch ms at which the validation ended; equal to `at` for a write that needs none. */
  settledAt?: number
  /** Why a value was rejected, in the words of Parameter Store's failure event. */
  reason?: string
}

export interface ImageValidation {
  /** How long after PutParameter answers Parameter Store decides on an aws:ec2:image value. */
  delayMs: number
  /** Whether the image existed (registered, not yet deregistered) in the region at `at` (epoch ms). */
  imageExisted(region: string, imageId: string, at: number): boolean
}

/** The exception Parameter Store's failure event carries for a rejected aws:ec2:image value (User Guide). */
export const UNABLE_TO_DESCRIBE = 'Unable to Describe Resource'

const IMAGE_ID = /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/
const SEGMENT = /^[A-Za-z0-9_.-]+$/
/** "A hierarchy can have a maximum of 15 levels" (HierarchyLevelLimitExceededException). */
export const MAX_HIERARCHY_LEVELS = 15
/** "The maximum length for a parameter name, including the full content of the parameter ARN, is 1011 characters." */
export const MAX_ARN_LENGTH = 1011

/** `arn:aws:ssm:<region>:<account>:parameter/<name>`: a hierarchical name brings its own leading slash. */
export function parameterArn(region: string, accountId: string, name: string): string {
  return `arn:aws:ssm:${region}:${accountId}:parameter${name.startsWith('/') ? name : `/${name}`}`
}

/** What is wrong with a name by Parameter Store's rules, or undefined: the caller turns it into its own error. */
export type NameProblem = 'characters' | 'not-qualified' | 'reserved-aws' | 'reserved-ssm' | 'too-deep'

export function nameProblem(name: string): NameProblem | undefined {
  const segments = (name.startsWith('/') ? name.slice(1) : name).split('/')
  const first = segments[0].toLowerCase()
  if (first.startsWith('aws')) return 'reserved-aws'
  if (first.startsWith('ssm')) return 'reserved-ssm'
  if (!segments.every((segment) => SEGMENT.test(segment))) return 'characters'
  if (segments.length > 1 && !name.startsWith('/')) return 'not-qualified'
  if (segments.length > MAX_HIERARCHY_LEVELS) return 'too-deep'
  return undefined
}

/** `/web` and `web` are one parameter ("not unique" in the naming rules); `/images/web` is not `images/web`. */
function parameterKey(region: string, name: string): string {
  const flat = name.startsWith('/') && !name.slice(1).includes('/') ? name.slice(1) : name
  return `${region}\n${flat}`
}

export class SsmState {
  private readonly parameters = new Map<string, ParameterRecord>()
  private readonly pending = new Map<string, PendingWrite>()
  /** The highest version answered for each parameter, so a rejected write's number is not given again. */
  private readonly issued = new Map<string, number>()
  private readonly rules: RejectParameterRule[] = []
  private readonly log: ParameterWrite[] = []

  constructor(private readonly validation: ImageValidation) {}

  /** A parameter that was there before the run (Sim.putParameter): created or overwritten at once, unvalidated. */
  seed(options: PutParameterOptions, now: number): ParameterRecord {
    const { name, value } = options
    const region = options.region ?? DEFAULT_REGION
    const dataType = options.dataType ?? 'text'
    const problem = nameProblem(name)
    if (problem !== undefined) {
      throw new Error(`putParameter: '${name}' is not a Parameter Store name (letters, digits, _.-/; a hierarchy starts with /; no aws or ssm prefix; at most ${MAX_HIERARCHY_LEVELS} levels)`)
    }
    if (dataType === 'aws:ec2:image' && !IMAGE_ID.test(value)) {
      throw new Error(`putParameter: a parameter of data type aws:ec2:image holds an image id, got '${value}'`)
    }
    const key = parameterKey(region, name)
    if (this.pendingWrite(region, name, now)) throw new Error(`putParameter: a write of '${name}' in ${region} is still being validated`)
    const earlier = this.parameters.get(key)
    const record: ParameterRecord = {
      name: earlier?.name ?? name,
      region,
      value,
      type: options.type ?? 'String',
      dataType,
      tier: 'Standard',
      version: this.nextVersion(key),
      lastModifiedAt: now
    }
    this.parameters.set(key, record)
    this.log.push({ name: record.name, region, value, version: record.version, dataType, at: now, outcome: 'accepted', settledAt: now })
    return record
  }

  /** The parameter as reads see it now: the last accepted write. */
  get(region: string, name: string, now: number): ParameterRecord | undefined {
    this.settle(now)
    return this.parameters.get(parameterKey(region, name))
  }

  /** A write of the parameter still being validated at `now`. */
  pendingWrite(region: string, name: string, now: number): PendingWrite | undefined {
    this.settle(now)
    return this.pending.get(parameterKey(region, name))
  }

  /**
   * Makes a write that the caller has checked: it takes the next version number and is the parameter at once, or,
   * for an aws:ec2:image value, once validated. `rejectReason` rejects it whatever the value.
   */
  write(fields: Omit<ParameterRecord, 'version'>, now: number, rejectReason?: string): ParameterRecord {
    this.settle(now)
    const key = parameterKey(fields.region, fields.name)
    const earlier = this.parameters.get(key)
    const record: ParameterRecord = { ...fields, name: earlier?.name ?? fields.name, version: this.nextVersion(key) }
    const entry: ParameterWrite = { name: record.name, region: record.region, value: record.value, version: record.version, dataType: record.dataType, at: now, outcome: 'pending' }
    this.log.push(entry)
    if (record.dataType !== 'aws:ec2:image') {
      this.parameters.set(key, record)
      Object.assign(entry, { outcome: 'accepted', settledAt: now })
    } else {
      this.pending.set(key, { record, validatesAt: now + this.validation.delayMs, rejectReason, creates: earlier === undefined })
    }
    return record
  }

  /** Deletes the parameter (with its version count: a new one of that name starts again at 1). */
  delete(region: string, name: string, now: number): boolean {
    this.settle(now)
    const key = parameterKey(region, name)
    this.issued.delete(key)
    return this.parameters.delete(key)
  }

  /** The region's parameters as reads see them now, in the order they were first made. */
  list(region: string, now: number): ParameterRecord[] {
    this.settle(now)
    return [...this.parameters.values()].filter((parameter) => parameter.region === region)
  }

  /** Every region's parameters and the writes still being validated, for the sim's own view. */
  snapshot(now: number): { parameters: ParameterRecord[]; pending: PendingWrite[] } {
    this.settle(now)
    return { parameters: [...this.parameters.values()], pending: [...this.pending.values()] }
  }

  writes(now: number): ParameterWrite[] {
    this.settle(now)
    return this.log.map((entry) => ({ ...entry }))
  }

  /** Values Parameter Store is to reject from now on, as if the image could not be described. */
  rejectValue(rule: RejectParameterRule): void {
    if (nameProblem(rule.name) !== undefined) throw new Error(`rejectParameterValue: '${rule.name}' is not a Parameter Store name`)
    this.rules.push(rule)
  }

  private nextVersion(key: string): number {
    const version = (this.issued.get(key) ?? 0) + 1
    this.issued.set(key, version)
    return version
  }

  /** Decides every pending write whose validation has ended by `now`, earliest first. */
  private settle(now: number): void {
    const due = [...this.pending.entries()].filter(([, write]) => write.validatesAt <= now).sort(([, a], [, b]) => a.validatesAt - b.validatesAt)
    for (const [key, write] of due) {
      this.pending.delete(key)
      const { record, validatesAt } = write
      const reason = write.rejectReason ?? (this.acceptable(record, validatesAt) ? undefined : UNABLE_TO_DESCRIBE)
      const entry = this.log.find((e) => e.region === record.region && e.name === record.name && e.version === record.version && e.outcome === 'pending')
      if (entry) Object.assign(entry, { outcome: reason === undefined ? 'accepted' : 'rejected', settledAt: validatesAt, reason })
      if (reason === undefined) this.parameters.set(key, record)
      // A creation that fails leaves nothing, not even a version count; a failed update keeps the old value.
      else if (write.creates && !this.parameters.has(key)) this.issued.delete(key)
    }
  }

  private acceptable(record: ParameterRecord, at: number): boolean {
    const forced = this.rules.some(
      (rule) =>
        parameterKey(rule.region ?? record.region, rule.name) === parameterKey(record.region, record.name) &&
        (rule.value === undefined || rule.value === record.value)
    )
    return !forced && IMAGE_ID.test(record.value) && this.validation.imageExisted(record.region, record.value, at)
  }
}
