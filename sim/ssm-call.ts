import type { Identity } from './identities.js'
import { ServiceError } from './service-error.js'
import type { SsmState } from './ssm-state.js'

/** What an SSM action handler gets: the request's JSON members, who made it, and the store to act on. */
export interface SsmCall {
  action: string
  input: Record<string, unknown>
  /** from the SigV4 credential scope */
  region: string
  caller: Identity
  accountId: string
  /** epoch ms, fixed for the whole call */
  now: number
  ssm: SsmState
  /** Refuses the call with AccessDeniedException if the caller is denied `ssm:<action>` on `resource`. */
  authorize(resource: string): void
  /** Whether the caller may perform another IAM action (ec2:DescribeImages, which validating an image id needs). */
  isAllowed(iamAction: string): boolean
}

/** Returns the JSON members of the action's answer. */
export type SsmAction = (call: SsmCall) => Record<string, unknown>

/** The request validation AWS's JSON services answer with, naming the member in lower camel case. */
export function validationError(message: string): ServiceError {
  return new ServiceError(400, 'ValidationException', message)
}

function memberName(name: string): string {
  return name[0].toLowerCase() + name.slice(1)
}

/** A string member that must be there: "Value null at 'name' failed to satisfy constraint: Member must not be null". */
export function requiredString(input: Record<string, unknown>, name: string): string {
  const value = optionalString(input, name)
  if (value === undefined) {
    throw validationError(`1 validation error detected: Value null at '${memberName(name)}' failed to satisfy constraint: Member must not be null`)
  }
  return value
}

export function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new ServiceError(400, 'SerializationException', `Member ${name} must be a string`)
  return value
}

export function optionalBoolean(input: Record<string, unknown>, name: string): boolean | undefined {
  const value = input[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw new ServiceError(400, 'SerializationException', `Member ${name} must be a boolean`)
  return value
}

/** A string member limited to `allowed`, refused in AWS's words for an enum. */
export function optionalEnum<T extends string>(input: Record<string, unknown>, name: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(input, name)
  if (value === undefined) return undefined
  if (!(allowed as readonly string[]).includes(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${memberName(name)}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`
    )
  }
  return value as T
}
