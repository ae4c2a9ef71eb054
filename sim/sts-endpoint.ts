import { authenticate, type AuthOutcome, type AuthProblem } from './authenticate.js'
import type { AuthorizationMessages } from './authorization-messages.js'
import type { Endpoint, IncomingRequest, Reply } from './endpoint.js'
import type { Identities, Identity } from './identities.js'
import { requestId } from './ids.js'
import { verifyJwt, type JwtKey } from './jwt.js'
import { ISSUER } from './oidc-endpoint.js'
import type { Permissions } from './permissions.js'
import { requestParams, type Params } from './query-params.js'
import { asServiceError, ServiceError } from './service-error.js'
import type { SimOptions, SimRole } from './types.js'
import { wildcardMatch } from './wildcard.js'
import { document, leaf, node } from './xml.js'

// STS Query API, version 2011-06-15: AssumeRoleWithWebIdentity (unsigned), GetCallerIdentity and
// DecodeAuthorizationMessage (signed). Answers are <XResponse><XResult>…</XResult><ResponseMetadata>.

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/'
const VERSION = '2011-06-15'
const SIGNED = new Set(['GetCallerIdentity', 'DecodeAuthorizationMessage'])

export interface StsSetup {
  accountId: string
  roles: Required<SimRole>[]
  key: JwtKey
  identities: Identities
  permissions: Permissions
  messages: AuthorizationMessages
  credentials: SimOptions['credentials']
  now: () => number
}

const AUTH_ERRORS: Record<AuthProblem, [number, string, string]> = {
  missing: [403, 'MissingAuthenticationToken', 'Request is missing Authentication Token'],
  malformed: [400, 'IncompleteSignature', 'The request signature does not conform to AWS standards.'],
  'wrong-service': [403, 'SignatureDoesNotMatch', "Credential should be scoped to correct service: 'sts'."],
  'unknown-key': [403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'],
  'bad-signature': [
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'
  ],
  'bad-token': [403, 'InvalidClientTokenId', 'The security token included in the request is invalid.'],
  expired: [403, 'ExpiredToken', 'The security token included in the request is expired'],
  skewed: [403, 'SignatureDoesNotMatch', 'Signature expired: the request time is more than 15 minutes away from the server time.']
}

function xmlReply(status: number, body: string, id: string, errorCode?: string): Reply {
  return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': id }, body, errorCode }
}

export function errorReply(error: ServiceError): Reply {
  const id = requestId()
  const type = error.status >= 500 ? 'Receiver' : 'Sender'
  const body = document(
    'ErrorResponse',
    NAMESPACE,
    node('Error', leaf('Type', type), leaf('Code', error.code), leaf('Message', error.message)),
    leaf('RequestId', id)
  )
  return xmlReply(error.status, body, id, error.code)
}

function resultReply(action: string, result: string): Reply {
  const id = requestId()
  const body = document(`${action}Response`, NAMESPACE, node(`${action}Result`, result), node('ResponseMetadata', leaf('RequestId', id)))
  return xmlReply(200, body, id)
}

/** AWS timestamps in STS answers carry whole seconds. */
function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z')
}

const validation = (message: string): ServiceError => new ServiceError(400, 'ValidationError', message)
const notAuthorizedToAssume = (): ServiceError => new ServiceError(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity')

export function createStsEndpoint(setup: StsSetup): Endpoint {
  const { identities, permissions, now } = setup

  function assumeRoleWithWebIdentity(params: Params): Reply {
    for (const [name, member] of [['RoleArn', 'roleArn'], ['RoleSessionName', 'roleSessionName'], ['WebIdentityToken', 'webIdentityToken']]) {
      if (!params[name]) throw validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`)
    }
    const { RoleArn: roleArn, RoleSessionName: sessionName, WebIdentityToken: token } = params
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      throw validation(
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: ` +
          'Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64'
      )
    }
    const durationSeconds = params.DurationSeconds === undefined ? 3600 : Number(params.DurationSeconds)
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43200) {
      throw validation(
        `1 validation error detected: Value '${params.DurationSeconds}' at 'durationSeconds' failed to satisfy constraint: ` +
          'Member must have value between 900 and 43200'
      )
    }

    const checked = verifyJwt(token, setup.key)
    if (!checked.ok) {
      throw new ServiceError(
        400,
        'InvalidIdentityToken',
        checked.problem === 'malformed' ? 'The web identity token is not a valid JWT' : 'The web identity token signature could not be verified'
      )
    }
    const claims = checked.claims
    if (claims.iss !== ISSUER) {
      throw new ServiceError(400, 'InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${String(claims.iss)}`)
    }
    const nowSeconds = Math.floor(now() / 1000)
    if (typeof claims.exp !== 'number' || now() >= claims.exp * 1000) {
      throw new ServiceError(
        400,
        'ExpiredTokenException',
        `Token expired: current date/time ${nowSeconds} must be before the expiration date/time${String(claims.exp)}`
      )
    }
    if (typeof claims.nbf === 'number' && now() < claims.nbf * 1000) {
      throw new ServiceError(400, 'InvalidIdentityToken', `Token is not yet valid: current date/time ${nowSeconds} is before ${claims.nbf}`)
    }

    const role = setup.roles.find((r) => r.arn === roleArn)
    if (!role) throw notAuthorizedToAssume()
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud]
    if (!audiences.includes(role.audience)) throw new ServiceError(400, 'InvalidIdentityToken', 'Incorrect token audience')
    if (typeof claims.sub !== 'string' || !wildcardMatch(role.subPattern, claims.sub)) throw notAuthorizedToAssume()
    if (!permissions.isAllowed('sts:AssumeRoleWithWebIdentity', role.arn)) throw notAuthorizedToAssume()
    if (durationSeconds > role.maxSessionSeconds) {
      throw validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
    }

    const issuedAt = now()
    const lifetimeMs = setup.credentials?.lifetimeMs ?? durationSeconds * 1000
    const session = identities.issueSession({ roleArn, sessionName, lifetimeMs, now: issuedAt })
    const reported = setup.credentials?.reportedExpiration === 'requested' ? issuedAt + durationSeconds * 1000 : issuedAt + lifetimeMs
    const reply = resultReply(
      'AssumeRoleWithWebIdentity',
      leaf('SubjectFromWebIdentityToken', claims.sub) +
        leaf('Audience', role.audience) +
        node('AssumedRoleUser', leaf('Arn', session.arn), leaf('AssumedRoleId', session.userId)) +
        node(
          'Credentials',
          leaf('SessionToken', session.sessionToken),
          leaf('SecretAccessKey', session.secretAccessKey),
          leaf('Expiration', isoSeconds(reported)),
          leaf('AccessKeyId', session.accessKeyId)
        ) +
        leaf('Provider', ISSUER)
    )
    return { ...reply, principal: session.arn }
  }

  function getCallerIdentity(identity: Identity): Reply {
    return resultReply('GetCallerIdentity', leaf('Arn', identity.arn) + leaf('UserId', identity.userId) + leaf('Account', setup.accountId))
  }

  function decodeAuthorizationMessage(params: Params, identity: Identity): Reply {
    if (!permissions.isAllowed('sts:DecodeAuthorizationMessage', identity.arn)) {
      throw new ServiceError(
        403,
        'AccessDenied',
        `User: ${identity.arn} is not authorized to perform: sts:DecodeAuthorizationMessage because no identity-based policy allows the sts:DecodeAuthorizationMessage action`
      )
    }
    if (!params.EncodedMessage) {
      throw validation("1 validation error detected: Value null at 'encodedMessage' failed to satisfy constraint: Member must not be null")
    }
    const decoded = setup.messages.decode(params.EncodedMessage)
    if (decoded === undefined) throw new ServiceError(400, 'InvalidAuthorizationMessageException', 'The encoded authorization message is invalid.')
    return resultReply('DecodeAuthorizationMessage', leaf('DecodedMessage', decoded))
  }

  function act(action: string, params: Params, auth: AuthOutcome | undefined): Reply {
    if (params.Version !== VERSION) {
      throw new ServiceError(400, 'InvalidAction', `Could not find operation ${action} for version ${params.Version ?? 'NO_VERSION_SPECIFIED'}`)
    }
    if (auth && !auth.ok) throw new ServiceError(...AUTH_ERRORS[auth.problem])
    const identity = auth?.ok ? auth.identity : undefined
    switch (action) {
      case 'AssumeRoleWithWebIdentity':
        return assumeRoleWithWebIdentity(params)
      case 'GetCallerIdentity':
        return getCallerIdentity(identity as Identity)
      case 'DecodeAuthorizationMessage':
        return decodeAuthorizationMessage(params, identity as Identity)
      default:
        throw new ServiceError(400, 'InvalidAction', `Could not find operation ${action} for version ${VERSION}`)
    }
  }

  return {
    service: 'sts',
    identify(request: IncomingRequest) {
      const { Action: action = '', ...params } = requestParams(request.query, request.body)
      const auth = SIGNED.has(action) ? authenticate(request, 'sts', identities, now()) : undefined
      return {
        action,
        params,
        region: auth?.region,
        principal: auth?.ok ? auth.identity.arn : undefined,
        answer() {
          try {
            return act(action, params, auth)
          } catch (error) {
            return errorReply(asServiceError(error, 'InternalFailure'))
          }
        }
      }
    },
    faultReply(kind) {
      if (kind === 'throttle') return errorReply(new ServiceError(400, 'Throttling', 'Rate exceeded'))
      if (kind === 'server-error') return errorReply(new ServiceError(500, 'InternalFailure', 'An internal error occurred.'))
      return errorReply(new ServiceError(kind.status, kind.code, kind.message))
    }
  }
}
