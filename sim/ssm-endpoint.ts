import type { AuthOutcome } from './authenticate.js'
import type { Endpoint, Reply } from './endpoint.js'
import type { Identities } from './identities.js'
import type { Permissions } from './permissions.js'
import { jsonEndpoint, jsonReply, refuseUnauthenticated } from './json-protocol.js'
import { ServiceError } from './service-error.js'
import type { SsmAction, SsmCall } from './ssm-call.js'
import { deleteParameter, getParameter, putParameter } from './ssm-parameters.js'
import type { SsmState } from './ssm-state.js'

// Systems Manager over the AWS JSON 1.1 protocol: a signed POST to / with `X-Amz-Target: AmazonSSM.<Action>` and a
// JSON body, answered with a JSON body; errors are `{"__type": "<Code>", "message": "…"}` with a 4xx or 5xx status,
// which the SDK's JSON-RPC deserializer turns into the exception of that name.

const TARGET_PREFIX = 'AmazonSSM.'

const ACTIONS = new Map<string, SsmAction>([
  ['PutParameter', putParameter],
  ['GetParameter', getParameter],
  ['DeleteParameter', deleteParameter]
])

export interface SsmSetup {
  accountId: string
  ssm: SsmState
  identities: Identities
  permissions: Permissions
  now: () => number
}

export function createSsmEndpoint(setup: SsmSetup): Endpoint {
  const { accountId, ssm, identities, permissions, now } = setup

  function act(action: string, input: Record<string, unknown> | undefined, auth: AuthOutcome, at: number): Reply {
    refuseUnauthenticated(auth, 'ssm')
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

  const internalError = { code: 'InternalServerError', message: 'An error occurred on the server side.' }
  return jsonEndpoint({ service: 'ssm', targetPrefix: TARGET_PREFIX, internalError, identities, now, act })
}
