import { ServiceError } from './service-error.js'
import { optionalBoolean, optionalEnum, optionalString, requiredString, validationError, type SsmAction, type SsmCall } from './ssm-call.js'
import { MAX_ARN_LENGTH, MAX_HIERARCHY_LEVELS, nameProblem, parameterArn, UNABLE_TO_DESCRIBE, type ParameterDataType, type ParameterTier } from './ssm-state.js'

// PutParameter, GetParameter and DeleteParameter. Each checks the request's members, then permission on the
// parameter's ARN, then the name, then the store. Where AWS publishes the answer (API reference, User Guide, or
// answers quoted from real calls) the sim gives that; the rest is inferred, and sim/README.md says which is which.

const TYPES = ['String', 'StringList', 'SecureString'] as const
const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const
const DATA_TYPES: readonly string[] = ['text', 'aws:ec2:image']
/** Characters a value may have in each tier (Standard: as AWS answers a 4097th; Advanced: the documented 8 KB). */
const VALUE_LIMITS: Record<ParameterTier, number> = { Standard: 4096, Advanced: 8192 }

/** Parameter Store's answer to a name that breaks its rules, as real calls quote it. */
const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_'
const TAGS_AND_OVERWRITE =
  "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource."

/** Real GetParameter and DeleteParameter answer ParameterNotFound with no message at all (the CLI prints "operation: "). */
const parameterNotFound = (): ServiceError => new ServiceError(400, 'ParameterNotFound', '')

/** The documented "validation is still in process" refusal of a second write; the code is the sim's choice. */
const stillValidating = (name: string): ServiceError =>
  new ServiceError(400, 'TooManyUpdates', `The validation of an earlier update of parameter ${name} is still in process. Try again later.`)

/** The name rules of PutParameter; a read may name the reserved `/aws/` namespace (AWS's public parameters). */
function assertName(call: SsmCall, name: string, { reading = false } = {}): void {
  if (name.length > 2048) {
    throw validationError("1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length less than or equal to 2048")
  }
  const problem = nameProblem(name)
  if (problem === 'reserved-aws') {
    if (!reading) throw new ServiceError(400, 'AccessDeniedException', 'No access to reserved parameter name')
  } else if (problem === 'too-deep') {
    throw new ServiceError(400, 'HierarchyLevelLimitExceededException', `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels. Parameter ${name} has more.`)
  } else if (problem !== undefined) {
    throw validationError(NAME_RULES)
  }
  if (parameterArn(call.region, call.accountId, name).length > MAX_ARN_LENGTH) {
    throw validationError(`Parameter name: the name, including the full parameter ARN, can be at most ${MAX_ARN_LENGTH} characters.`)
  }
}

/** AllowedPattern must match the whole value, as the User Guide's example shows (`\d{1,4}` refuses `10,000`). */
function assertAllowed(value: string, pattern: string): void {
  let regex: RegExp
  try {
    regex = new RegExp(`^(?:${pattern})$`, 'u')
  } catch {
    throw new ServiceError(400, 'InvalidAllowedPatternException', "The request doesn't meet the regular expression requirement.")
  }
  if (!regex.test(value)) throw new ServiceError(400, 'ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${pattern}`)
}

export const putParameter: SsmAction = (call) => {
  const { input, region, accountId, now, ssm } = call
  const name = requiredString(input, 'Name')
  const value = requiredString(input, 'Value')
  const type = optionalEnum(input, 'Type', TYPES)
  const tierAsked = optionalEnum(input, 'Tier', TIERS)
  const dataTypeAsked = optionalString(input, 'DataType')
  const overwrite = optionalBoolean(input, 'Overwrite') ?? false
  const allowedPatternAsked = optionalString(input, 'AllowedPattern')
  const description = optionalString(input, 'Description')
  const tagged = Array.isArray(input.Tags) && input.Tags.length > 0
  call.authorize(parameterArn(region, accountId, name))
  assertName(call, name)
  if (dataTypeAsked !== undefined && !DATA_TYPES.includes(dataTypeAsked)) {
    throw validationError(`The data type ${dataTypeAsked} is not supported. Supported data types: ${DATA_TYPES.join(', ')}.`)
  }
  if (overwrite && tagged) throw validationError(TAGS_AND_OVERWRITE)

  if (ssm.pendingWrite(region, name, now)) throw stillValidating(name)
  const existing = ssm.get(region, name, now)
  if (existing && !overwrite) {
    throw new ServiceError(400, 'ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.')
  }
  if (!existing && type === undefined) throw validationError('A parameter type is required when you create a parameter.')
  if (existing && type !== undefined && type !== existing.type) {
    throw new ServiceError(
      400,
      'HierarchyTypeMismatchException',
      `Parameter ${name} is of type ${existing.type}. Parameter Store doesn't support changing a parameter type; create a new parameter instead.`
    )
  }
  const finalType = type ?? existing?.type ?? 'String'
  const dataType = (dataTypeAsked ?? existing?.dataType ?? 'text') as ParameterDataType
  if (existing && dataType !== existing.dataType && [dataType, existing.dataType].includes('aws:ec2:image')) {
    throw validationError(`The data type of parameter ${name} is ${existing.dataType}: a parameter can't be changed to or from the aws:ec2:image data type.`)
  }
  if (dataType === 'aws:ec2:image' && finalType !== 'String') throw validationError(`The aws:ec2:image data type is supported for String parameters only, not ${finalType}.`)
  const tier: ParameterTier =
    tierAsked === 'Intelligent-Tiering' ? (value.length > VALUE_LIMITS.Standard ? 'Advanced' : 'Standard') : (tierAsked ?? existing?.tier ?? 'Standard')
  if (value.length > VALUE_LIMITS[tier]) throw validationError(`${tier} tier parameters support a maximum parameter value of ${VALUE_LIMITS[tier]} characters.`)
  const allowedPattern = allowedPatternAsked ?? existing?.allowedPattern
  if (allowedPattern !== undefined) assertAllowed(value, allowedPattern)

  // Validating an image id is done as the writer: without ec2:DescribeImages it fails, after the answer.
  const rejectReason = dataType === 'aws:ec2:image' && !call.isAllowed('ec2:DescribeImages') ? UNABLE_TO_DESCRIBE : undefined
  const record = ssm.write(
    {
      name,
      region,
      value,
      type: finalType,
      dataType,
      tier,
      lastModifiedAt: now,
      lastModifiedUser: call.caller.arn,
      description: description ?? existing?.description,
      allowedPattern
    },
    now,
    rejectReason
  )
  return { Version: record.version, Tier: record.tier }
}

export const getParameter: SsmAction = (call) => {
  const { input, region, accountId, now, ssm } = call
  const name = requiredString(input, 'Name')
  const withDecryption = optionalBoolean(input, 'WithDecryption') ?? false
  call.authorize(parameterArn(region, accountId, name))
  assertName(call, name, { reading: true })

  // A write still being validated is not shown: a new parameter is not found, an updated one shows its old version.
  const parameter = ssm.get(region, name, now)
  if (!parameter) throw parameterNotFound()
  const encrypted = parameter.type === 'SecureString' && !withDecryption
  return {
    Parameter: {
      Name: parameter.name,
      Type: parameter.type,
      // Without WithDecryption a SecureString shows its ciphertext; the sim's is just the value in base 64.
      Value: encrypted ? Buffer.from(`sim-kms:${parameter.value}`).toString('base64') : parameter.value,
      Version: parameter.version,
      LastModifiedDate: parameter.lastModifiedAt / 1000,
      ARN: parameterArn(region, accountId, parameter.name),
      DataType: parameter.dataType
    }
  }
}

export const deleteParameter: SsmAction = (call) => {
  const { input, region, accountId, now, ssm } = call
  const name = requiredString(input, 'Name')
  call.authorize(parameterArn(region, accountId, name))
  assertName(call, name)

  if (ssm.pendingWrite(region, name, now)) throw stillValidating(name)
  if (!ssm.delete(region, name, now)) throw parameterNotFound()
  return {}
}
