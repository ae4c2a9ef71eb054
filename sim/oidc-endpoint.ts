import { randomUUID } from 'node:crypto'
import type { Endpoint, IncomingRequest, Reply } from './endpoint.js'
import type { Identities } from './identities.js'
import { randomHex } from './ids.js'
import { signJwt, type JwtKey } from './jwt.js'
import type { SimOptions } from './types.js'

// GitHub's ID-token endpoint as @actions/core's getIDToken uses it: GET <ACTIONS_ID_TOKEN_REQUEST_URL>
// &audience=<aud> with `Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>`, answering {"value": jwt}.

export const ISSUER = 'https://token.actions.githubusercontent.com'
export const DEFAULT_SUB = 'repo:octo-org/octo-repo:ref:refs/tags/v1.2.3'
const DEFAULT_LIFETIME_MS = 5 * 60 * 1000

export interface OidcSetup {
  requestToken: string
  key: JwtKey
  options: SimOptions['oidc']
  identities: Identities
  now: () => number
}

const json = (status: number, value: unknown, errorCode?: string): Reply => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
  errorCode
})

export function createOidcEndpoint(setup: OidcSetup): Endpoint {
  const { requestToken, key, identities, now } = setup
  const sub = setup.options?.sub ?? DEFAULT_SUB
  const lifetimeMs = setup.options?.tokenLifetimeMs ?? DEFAULT_LIFETIME_MS
  // The claims describe one workflow run, so they stay put across tokens of one sim.
  const run = { sha: randomHex(20), runId: String(Number.parseInt(randomHex(4), 16)), jobWorkflowSha: randomHex(20) }

  function claimsFor(audience: string | null): Record<string, unknown> {
    const subject = /^repo:([^/:]+)\/([^:]+):ref:(.+)$/.exec(sub)
    const [owner, repo, ref] = subject ? [subject[1], subject[2], subject[3]] : ['octo-org', 'octo-repo', 'refs/tags/v1.2.3']
    const repository = `${owner}/${repo}`
    const issuedAt = now()
    const iat = Math.floor(issuedAt / 1000)
    return {
      jti: randomUUID(),
      sub,
      // Without an audience GitHub uses the URL of the repository owner.
      aud: audience ?? `https://github.com/${owner}`,
      ref,
      sha: run.sha,
      repository,
      repository_owner: owner,
      run_id: run.runId,
      run_number: '1',
      run_attempt: '1',
      actor: owner,
      event_name: ref.startsWith('refs/tags/') ? 'release' : 'push',
      ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      workflow: 'release',
      workflow_ref: `${repository}/.github/workflows/release.yml@${ref}`,
      job_workflow_ref: `${repository}/.github/workflows/release.yml@${ref}`,
      job_workflow_sha: run.jobWorkflowSha,
      runner_environment: 'github-hosted',
      iss: ISSUER,
      nbf: iat,
      iat,
      exp: Math.floor((issuedAt + lifetimeMs) / 1000),
      ...setup.options?.claims
    }
  }

  function answer(request: IncomingRequest, params: URLSearchParams): Reply {
    if (request.method !== 'GET') return json(405, { message: 'Method not allowed' }, 'MethodNotAllowed')
    const authorization = request.headers.authorization
    if (!authorization) return json(401, { message: 'Authorization header is required' }, 'Unauthorized')
    if (authorization !== `Bearer ${requestToken}`) return json(403, { message: 'Invalid bearer token' }, 'Forbidden')
    const token = signJwt(claimsFor(params.get('audience')), key)
    identities.remember(token)
    return json(200, { value: token })
  }

  return {
    service: 'oidc',
    identify(request) {
      const params = new URLSearchParams(request.query)
      return { action: 'token', params: Object.fromEntries(params), answer: () => answer(request, params) }
    },
    faultReply(kind) {
      if (kind === 'throttle') return json(429, { message: 'Too many requests' }, 'TooManyRequests')
      if (kind === 'server-error') return json(500, { message: 'Internal server error' }, 'InternalServerError')
      return json(kind.status, { code: kind.code, message: kind.message }, kind.code)
    }
  }
}
