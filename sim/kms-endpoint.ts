import type { AuthOutcome } from './authenticate.js'
import type { Endpoint, Reply } from './endpoint.js'
import type { Identities } from './identities.js'
import { aliasArn, keyArn, type KeyRecord, type KmsState } from './kms-state.js'
import type { Permissions } from './permissions.js'
import { jsonEndpoint, jsonReply, refuseUnauthenticated } from './json-protocol.js'
import { ServiceError } from './service-error.js'
import { optionalString, requiredString, validationError } from './ssm-call.js'

// Key Management Service over the AWS JSON 1.1 protocol (API version 2014-11-01), as Systems Manager's endpoint speaks
// it: a signed POST to / with `X-Amz-Target: TrentService.<Action>`, answered with a JSON body; errors are
// `{"__type": "<Code>", "message": "…"}` with a 4xx or 5xx status, which @aws-sdk/client-kms turns into the exception
// of that name (NotFoundException, AccessDeniedException, …). Only the reads bake-ami makes: DescribeKey and
// ListAliases. Keys are seeded with `sim.addKey`; KMS itself makes the AWS managed key behind alias/aws/ebs.

const TARGET_PREFIX = 'TrentService.'
/** ListAliases' page size when the request gives no Limit, and the largest it takes (API reference). */
const DEFAULT_ALIAS_PAGE = 50
const MAX_ALIAS_PAGE = 100

export interface KmsSetup {
  accountId: string
  kms: KmsState
  identities: Identities
  permissions: Permissions
  now: () => number
}

/** What a KMS action handler gets. */
interface KmsCall {
  input: Record<string, unknown>
  region: string
  accountId: string
  /** epoch ms, fixed for the whole call */
  now: number
  kms: KmsState
  /** Refuses the call with AccessDeniedException if the caller is denied `kms:<action>` on `resource`. */
  authorize(resource: string): void
}

type KmsAction = (call: KmsCall) => Record<string, unknown>

const seconds = (epochMs: number): number => epochMs / 1000

/** NotFoundException in KMS's words: "Key '<arn>' does not exist" for a key, "Alias <arn> is not found." for an alias. */
function notFound(call: KmsCall, identifier: string): ServiceError {
  const { kms, region, accountId } = call
  if (kms.isAlias(identifier)) {
    const arn = identifier.startsWith('arn:') ? identifier : aliasArn(region, accountId, identifier)
    return new ServiceError(400, 'NotFoundException', `Alias ${arn} is not found.`)
  }
  const arn = identifier.startsWith('arn:') ? identifier : keyArn(region, accountId, identifier)
  return new ServiceError(400, 'NotFoundException', `Key '${arn}' does not exist`)
}

/** The key a KeyId member names in the call's region, or NotFoundException. */
function findKey(call: KmsCall, identifier: string): KeyRecord {
  const key = call.kms.resolve(call.region, identifier, call.now)
  if (!key) throw notFound(call, identifier)
  return key
}

/** The algorithms KMS lists for a key spec and usage (symmetric keys encrypt with SYMMETRIC_DEFAULT only). */
function algorithms(key: KeyRecord): Record<string, unknown> {
  if (key.keyUsage === 'ENCRYPT_DECRYPT') {
    if (key.keySpec === 'SYMMETRIC_DEFAULT') return { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }
    if (key.keySpec.startsWith('RSA_')) return { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }
  }
  if (key.keyUsage === 'SIGN_VERIFY' && key.keySpec.startsWith('ECC_')) return { SigningAlgorithms: ['ECDSA_SHA_256'] }
  if (key.keyUsage === 'GENERATE_VERIFY_MAC') return { MacAlgorithms: ['HMAC_SHA_256'] }
  return {}
}

function multiRegionConfiguration(kms: KmsState, key: KeyRecord): Record<string, unknown> {
  const copies = kms.keys.filter((k) => k.keyId === key.keyId)
  const primary = copies.find((k) => k.region === key.primaryRegion) ?? key
  return {
    MultiRegionKeyType: key.region === primary.region ? 'PRIMARY' : 'REPLICA',
    PrimaryKey: { Arn: primary.arn, Region: primary.region },
    ReplicaKeys: copies.filter((k) => k !== primary).map((k) => ({ Arn: k.arn, Region: k.region }))
  }
}

function keyMetadata(call: KmsCall, key: KeyRecord): Record<string, unknown> {
  return {
    AWSAccountId: call.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: seconds(key.createdAt),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    Origin: 'AWS_KMS',
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...algorithms(key),
    MultiRegion: key.multiRegion,
    ...(key.multiRegion ? { MultiRegionConfiguration: multiRegionConfiguration(call.kms, key) } : {})
  }
}

const describeKey: KmsAction = (call) => {
  const { kms, region, accountId, now } = call
  const identifier = requiredString(call.input, 'KeyId')
  // Permission is on the key, so the key is found first. A predefined AWS alias with no key yet is asked for by its
  // own ARN: a caller denied DescribeKey leaves the AWS managed key unmade.
  const existing = kms.resolve(region, identifier, now, false)
  if (existing) {
    call.authorize(existing.arn)
    return { KeyMetadata: keyMetadata(call, existing) }
  }
  if (kms.isPredefinedAlias(region, identifier)) call.authorize(aliasArn(region, accountId, identifier.replace(/^arn:[^/]*?:(?=alias\/)/, '')))
  return { KeyMetadata: keyMetadata(call, findKey(call, identifier)) }
}

/** A Marker is the position after which the next page starts, as an opaque string. */
function readMarker(input: Record<string, unknown>): number {
  const marker = optionalString(input, 'Marker')
  if (marker === undefined) return 0
  const position = Number(Buffer.from(marker, 'base64url').toString('utf8'))
  if (!Number.isInteger(position) || position < 0) throw new ServiceError(400, 'InvalidMarkerException', 'The marker is not valid.')
  return position
}

function readLimit(input: Record<string, unknown>): number {
  const limit = input.Limit
  if (limit === undefined || limit === null) return DEFAULT_ALIAS_PAGE
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_ALIAS_PAGE) {
    throw validationError(
      `1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and ${MAX_ALIAS_PAGE}`
    )
  }
  return limit
}

const listAliases: KmsAction = (call) => {
  const { kms, region, accountId } = call
  const keyId = optionalString(call.input, 'KeyId')
  const limit = readLimit(call.input)
  const start = readMarker(call.input)
  call.authorize('*')
  // With KeyId, only that key's aliases; the predefined aliases with no key yet appear only in a full listing.
  const key = keyId === undefined ? undefined : findKey(call, keyId)
  const aliases = kms.aliasesIn(region).filter((a) => key === undefined || a.targetKeyId === key.keyId)
  const page = aliases.slice(start, start + limit)
  const truncated = start + limit < aliases.length
  return {
    Aliases: page.map((a) => ({
      AliasName: a.aliasName,
      AliasArn: aliasArn(region, accountId, a.aliasName),
      ...(a.targetKeyId === '' ? {} : { TargetKeyId: a.targetKeyId, CreationDate: seconds(a.createdAt), LastUpdatedDate: seconds(a.updatedAt) })
    })),
    Truncated: truncated,
    ...(truncated ? { NextMarker: Buffer.from(String(start + limit)).toString('base64url') } : {})
  }
}

const ACTIONS = new Map<string, KmsAction>([
  ['DescribeKey', describeKey],
  ['ListAliases', listAliases]
])

export function createKmsEndpoint(setup: KmsSetup): Endpoint {
  const { accountId, kms, identities, permissions, now } = setup

  function act(action: string, input: Record<string, unknown> | undefined, auth: AuthOutcome, at: number): Reply {
    refuseUnauthenticated(auth, 'kms')
    const handler = ACTIONS.get(action)
    if (!handler) throw new ServiceError(400, 'UnknownOperationException', action === '' ? 'Missing X-Amz-Target' : `Unknown operation ${action}`)
    if (input === undefined) throw new ServiceError(400, 'SerializationException', 'The request body is not a JSON object')
    const caller = auth.identity
    const call: KmsCall = {
      input,
      region: auth.region,
      accountId,
      now: at,
      kms,
      authorize(resource) {
        const iamAction = `kms:${action}`
        if (!permissions.isAllowed(iamAction, caller.arn, auth.region)) {
          throw new ServiceError(
            400,
            'AccessDeniedException',
            `User: ${caller.arn} is not authorized to perform: ${iamAction} on resource: ${resource} because no identity-based policy allows the ${iamAction} action`
          )
        }
      }
    }
    return jsonReply(200, handler(call))
  }

  const internalError = { code: 'KMSInternalException', message: 'An internal error has occurred.' }
  return jsonEndpoint({ service: 'kms', targetPrefix: TARGET_PREFIX, internalError, identities, now, act })
}
