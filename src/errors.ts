/**
 * Error classes for every way a bake can fail. Each one carries a message a release engineer can act on;
 * `run()` reports it once with `core.setFailed`.
 */

/**
 * A bad input: names the input, the value (unless secret) and what is allowed. Without a value,
 * `allowed` completes the sentence "Input 'x' …".
 */
export class InputError extends Error {
  override name = 'InputError'
  constructor(
    readonly input: string,
    readonly value: string | undefined,
    readonly allowed: string
  ) {
    super(value === undefined ? `Input '${input}' ${allowed}` : `Invalid value '${value}' for input '${input}': ${allowed}`)
  }
}

/** An AWS call that failed, translated into what happened and what to do. */
export class AwsError extends Error {
  override name = 'AwsError'
  constructor(
    readonly operation: string,
    readonly code: string,
    message: string,
    override readonly cause?: unknown
  ) {
    super(message)
  }
}

/** The image did not become available: it failed, was deregistered by someone else, the wait timed out, or the job was cancelled. */
export class WaitError extends Error {
  override name = 'WaitError'
  constructor(
    readonly outcome: 'failed' | 'gone' | 'timeout' | 'aborted',
    message: string
  ) {
    super(message)
  }
}

/** Anything thrown, as one line: thrown strings and non-Error values included. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name
  if (typeof error === 'string') return error
  try {
    return JSON.stringify(error) ?? String(error)
  } catch {
    return String(error)
  }
}

/** An error's message as a clause to build a sentence around: no trailing full stop. */
export function describeClause(error: unknown): string {
  return describeError(error).trim().replace(/\.+$/, '')
}

/** Where a failed AWS call was made, to name it in the sentence. */
export interface CallContext {
  readonly region: string
  /** The role or user making the call, as a person would recognise it. */
  readonly principal: string
  readonly instanceId?: string
  /** The snapshot RegisterImage registers. */
  readonly snapshotId?: string
  readonly imageId?: string
  readonly name?: string
  /** For UnauthorizedOperation: why AWS denied it (decoded), or how to find out. */
  readonly denial?: string
}

/**
 * The error code the SDK puts in `name` (`UnauthorizedOperation`, `InvalidInstanceID.NotFound`, …), or the code an
 * `AwsError` keeps from the error it explains: a wrapper must not hide what it wraps (throttling is retried by code).
 */
export function awsErrorCode(error: unknown): string {
  if (error instanceof AwsError) return error.code
  if (error instanceof Error) return error.name
  return 'UnknownError'
}

const THROTTLING_CODES = ['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestThrottled']

export function isThrottling(error: unknown): boolean {
  return THROTTLING_CODES.includes(awsErrorCode(error))
}

export function isExpiredCredentials(error: unknown): boolean {
  return ['ExpiredToken', 'ExpiredTokenException', 'RequestExpired'].includes(awsErrorCode(error))
}

/** Turns an error from an EC2 call into one sentence that says what to do. */
export function explainEc2Error(operation: string, error: unknown, where: CallContext): AwsError {
  const code = awsErrorCode(error)
  const detail = describeClause(error)
  const sentence = ((): string => {
    switch (code) {
      case 'UnauthorizedOperation':
        return (
          `${where.principal} is not allowed to call ec2:${operation} in ${where.region}. ` +
          `Add "ec2:${operation}" to the Action list of the role's permission policy (README: IAM permissions).` +
          (where.denial ? ` ${where.denial}` : '')
        )
      case 'AuthFailure':
        return `AWS rejected the credentials of ${where.principal} for ec2:${operation} in ${where.region}: ${detail}.`
      case 'InvalidInstanceID.NotFound':
      case 'InvalidInstanceID.Malformed':
        return (
          `Instance ${where.instanceId ?? ''} was not found in ${where.region}. ` +
          `Check 'instance-id' and 'aws-region': the instance must live in the region the action uses.`
        )
      case 'InvalidSnapshot.NotFound':
      case 'InvalidSnapshotID.Malformed':
        if (where.snapshotId === undefined) return `ec2:${operation} failed in ${where.region}: ${code}: ${detail}.`
        return (
          `Snapshot ${where.snapshotId} was not found in ${where.region}. Check 'snapshot-id' and 'aws-region': the snapshot must be in ` +
          `the region the action uses, owned by or shared with the account of ${where.principal}. Nothing was registered.`
        )
      case 'IncorrectState':
        if (where.snapshotId === undefined) return `ec2:${operation} failed in ${where.region}: ${code}: ${detail}.`
        return `Snapshot ${where.snapshotId} in ${where.region} cannot be registered yet (${detail}). Wait until it is completed, then run the job again.`
      case 'IncorrectInstanceState':
        return `Instance ${where.instanceId ?? ''} cannot be imaged in its current state (${detail}). Image a running or stopped instance.`
      case 'InvalidAMIName.Duplicate': {
        // "AMI name X is already in use by AMI ami-…": the id after "by AMI", not an ami-… in the name.
        const existing = /by AMI (ami-[0-9a-f]+)/.exec(detail)?.[1]
        return (
          `An AMI named '${where.name ?? ''}' already exists in ${where.region}${existing ? ` (${existing})` : ''}. ` +
          `AMI names are unique per account and region: add {{ run_attempt }} or {{ datetime }} to the 'name' input, ` +
          `or set 'if-exists: reuse' to carry on with that image, or 'if-exists: replace' to deregister it and make a new one.`
        )
      }
      case 'InvalidAMIName.Malformed':
        return `EC2 rejected the AMI name '${where.name ?? ''}': ${detail}. Change the 'name' input.`
      case 'InvalidBlockDeviceMapping':
        // RegisterImage's root mapping is made from the snapshot inputs, ahead of the user's mappings.
        return operation === 'RegisterImage'
          ? `EC2 rejected the block device mappings (the root from 'snapshot-id', 'root-volume-size' and 'root-volume-type', then 'block-device-mappings'): ${detail}.`
          : `EC2 rejected the 'block-device-mappings' input: ${detail}.`
      case 'InvalidParameterValue':
      case 'InvalidParameter':
      case 'InvalidParameterCombination':
        return `EC2 rejected a parameter of ${operation}${guessInput(detail)}: ${detail}.`
      case 'InvalidAMIID.NotFound':
        return `Image ${where.imageId ?? ''} no longer exists in ${where.region}: something else deregistered it.`
      case 'RequestExpired':
      case 'ExpiredToken':
      case 'ExpiredTokenException':
        return `The AWS credentials of ${where.principal} expired during ec2:${operation} and could not be renewed: ${detail}.`
      default:
        if (isThrottling(error)) {
          return `EC2 kept throttling ec2:${operation} in ${where.region} (${code}) after several retries: the account is making too many API calls. Re-run the job later.`
        }
        return `ec2:${operation} failed in ${where.region}: ${code}: ${detail}.`
    }
  })()
  return new AwsError(operation, code, sentence, error)
}

function guessInput(detail: string): string {
  const inputs: [RegExp, string][] = [
    [/block ?device/i, 'block-device-mappings'],
    [/description/i, 'description'],
    [/tag/i, 'tags'],
    [/snapshot ?location|outpost/i, 'snapshot-location'],
    [/tpm/i, 'tpm-support'],
    [/boot ?mode|uefi/i, 'boot-mode'],
    [/architecture/i, 'architecture'],
    [/virtuali[sz]ation/i, 'virtualization-type'],
    [/name/i, 'name']
  ]
  const input = inputs.find(([pattern]) => pattern.test(detail))?.[1]
  return input ? ` (check the '${input}' input)` : ''
}
