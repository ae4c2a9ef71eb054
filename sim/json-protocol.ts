import { authenticate, type AuthOutcome, type AuthProblem } from './authenticate.js'
import type { Endpoint, IncomingRequest, Reply } from './endpoint.js'
import type { Identities } from './identities.js'
import { requestId } from './ids.js'
import { asServiceError, ServiceError } from './service-error.js'

// The AWS JSON 1.1 protocol, as Systems Manager and KMS speak it: a signed POST to / with `X-Amz-Target:
// <Prefix>.<Action>`, answered with a JSON body; errors are `{"__type": "<Code>", "message": "…"}` with a 4xx or 5xx
// status, which the SDK's clients turn into the exception of that name. Each service brings its actions (`act`).

const CONTENT_TYPE = 'application/x-amz-json-1.1'
const INVALID_TOKEN = 'The security token included in the request is invalid.'

export interface JsonService {
  /** The SigV4 scope's service, and the endpoint's. */
  service: 'ssm' | 'kms'
  /** `AmazonSSM.`, `TrentService.` */
  targetPrefix: string
  /** What an unexpected error and a `server-error` fault answer: the service's own internal error. */
  internalError: { code: string; message: string }
  identities: Identities
  now: () => number
  /** Answers one call, authenticated or not (`refuseUnauthenticated` first); throws a ServiceError to refuse it. */
  act(action: string, input: Record<string, unknown> | undefined, auth: AuthOutcome, at: number): Reply
}

export function jsonEndpoint(spec: JsonService): Endpoint {
  const { service, targetPrefix, internalError, identities, now } = spec
  return {
    service,
    identify(request: IncomingRequest) {
      const target = request.headers['x-amz-target']
      const action = typeof target === 'string' && target.startsWith(targetPrefix) ? target.slice(targetPrefix.length) : ''
      const input = readInput(request.body)
      const at = now()
      const auth = authenticate(request, service, identities, at)
      return {
        action,
        params: logParams(input ?? {}),
        region: auth.region,
        principal: auth.ok ? auth.identity.arn : undefined,
        answer() {
          try {
            return spec.act(action, input, auth, at)
          } catch (error) {
            return errorReply(asServiceError(error, internalError.code))
          }
        }
      }
    },
    faultReply(kind) {
      if (kind === 'throttle') return errorReply(new ServiceError(400, 'ThrottlingException', 'Rate exceeded'))
      if (kind === 'server-error') return errorReply(new ServiceError(500, internalError.code, internalError.message))
      return errorReply(new ServiceError(kind.status, kind.code, kind.message))
    }
  }
}

/** Throws the answer AWS's JSON services give to bad credentials (the common errors, with their JSON names). */
export function refuseUnauthenticated(auth: AuthOutcome, service: JsonService['service']): asserts auth is Extract<AuthOutcome, { ok: true }> {
  if (auth.ok) return
  const errors: Record<AuthProblem, [number, string, string]> = {
    missing: [400, 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
    malformed: [400, 'IncompleteSignatureException', 'The request signature does not conform to AWS standards.'],
    'wrong-service': [400, 'InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`],
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
  throw new ServiceError(...errors[auth.problem])
}

export function jsonReply(status: number, body: Record<string, unknown>, errorCode?: string): Reply {
  return { status, headers: { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId() }, body: JSON.stringify(body), errorCode }
}

/** An empty message is left out, as Parameter Store's ParameterNotFound comes from AWS. */
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
