import { authenticate, type AuthOutcome, type AuthProblem } from './authenticate.js'
import type { Endpoint, IncomingRequest, Reply } from './endpoint.js'
import type { Identities } from './identities.js'
import { requestId } from './ids.js'
import type { Permissions } from './permissions.js'
import { asServiceError, ServiceError } from './service-error.js'
import type { SsmAction, SsmCall } from './ssm-call.js'
import { deleteParameter, getParameter, putParameter } from './ssm-parameters.js'
import type { SsmState } from './ssm-state.js'

// Systems Manager over the AWS JSON 1.1 protocol: a signed POST to / with `X-Amz-Target: AmazonSSM.<Action>` and a
// JSON body, answered with a JSON body; errors are `{"__type": "<Code>", "message": "…"}` with a 4xx or 5xx status,
// which the SDK's JSON-RPC deserializer turns into the exception of that name.

const TARGET_PREFIX = 'AmazonSSM.'
const CONTENT_TYPE = 'application/x-amz-json-1.1'

const ACTIONS = new Map<string, SsmAction>([
  ['PutParameter', putParameter],
  ['GetParameter', getParameter],
  ['DeleteParameter', deleteParameter]
])

const INVALID_TOKEN = 'The security token included in the request is invalid.'

/** The answers AWS's JSON services give to bad credentials (the common errors, with their JSON names). */
const AUTH_ERRORS: Record<AuthProblem, [number, string, string]> = {
  missing: [400, 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
  malformed: [400, 'IncompleteSignatureException', 'The request signature does not conform to AWS standards.'],
  'wrong-service': [400, 'InvalidSignatureException', "Credential should be scoped to correct service: 'ssm'."],
  'unknown-key': [400, 'UnrecognizedClientException', INVALID_TOKEN],
  'bad-signature': [
    400,
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
  ],
  'bad-token': [400, 'UnrecognizedClientException', INVALID_TOKEN],
  expired: [400, 'ExpiredTokenException', 'The security token included in the request is expired'],
  skewed: [400, 'InvalidSignatureException', 'Signature expired: the request time is more than 15 minutes away from the server time.']
}

export interface SsmSetup {
  accountId: string
  ssm: SsmState
  identities: Identities
  permissions: Permissions
  now: () => number
}

function jsonReply(status: number, body: Record<string, unknown>, errorCode?: string): Reply {
  return { status, headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId() }, body: JSON.stringify(body), errorCode }
}

/** An empty message is left out, as ParameterNotFound comes from AWS. */
function errorReply(error: ServiceError): Reply {
  return jsonReply(error.status, { __type: error.code, ...(error.message === '' ? {} : { message: error.message }) }, error.code)
}

/** The call log keeps Query-style string params: each top-level JSON member, non-strings as JSON. */
function logParams(input: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(input).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]))
}

function readInput(body: Buffer): Record<string, unknown> | undefined {
  if (body.length === 0) return {}
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'))
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

export function createSsmEndpoint(setup: SsmSetup): Endpoint {
  const { accountId, ssm, identities, permissions, now } = setup

  function act(action: string, input: Record<string, unknown> | undefined, auth: AuthOutcome, at: number): Reply {
    if (!auth.ok) throw new ServiceError(...AUTH_ERRORS[auth.problem])
    const handler = ACTIONS.get(action)
    if (!handler) throw new ServiceError(400, 'UnknownOperationException', action === '' ? 'Missing X-Amz-Target' : `Unknown operation ${action}`)
    if (input === undefined) throw new ServiceError(400, 'SerializationException', 'The request body is not a JSON object')
    const caller = auth.identity
    const call: SsmCall = {
      action,
      input,
      region: auth.region,
      caller,
      accountId,
      now: at,
      ssm,
      authorize(resource) {
        const iamAction = `ssm:${action}`
        if (!permissions.isAllowed(iamAction, caller.arn, auth.region)) {
          throw new ServiceError(
            400,
            'AccessDeniedException',
            `User: ${caller.arn} is not authorized to perform: ${iamAction} on resource: ${resource} because no identity-based policy allows the ${iamAction} action`
          )
        }
      },
      isAllowed: (iamAction) => permissions.isAllowed(iamAction, caller.arn, auth.region)
    }
    return jsonReply(200, handler(call))
  }

  return {
    service: 'ssm',
    identify(request: IncomingRequest) {
      const target = request.headers['x-amz-target']
      const action = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : ''
      const input = readInput(request.body)
      const at = now()
      const auth = authenticate(request, 'ssm', identities, at)
      return {
        action,
        params: logParams(input ?? {}),
        region: auth.region,
        principal: auth.ok ? auth.identity.arn : undefined,
        answer() {
          try {
            return act(action, input, auth, at)
          } catch (error) {
            return errorReply(asServiceError(error, 'InternalServerError'))
          }
        }
      }
    },
    faultReply(kind) {
      if (kind === 'throttle') return errorReply(new ServiceError(400, 'ThrottlingException', 'Rate exceeded'))
      if (kind === 'server-error') return errorReply(new ServiceError(500, 'InternalServerError', 'An error occurred on the server side.'))
      return errorReply(new ServiceError(kind.status, kind.code, kind.message))
    }
  }
}
