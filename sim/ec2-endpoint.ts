import { authenticate, type AuthOutcome, type AuthProblem } from './authenticate.js'
import { unauthorizedMessage, type AuthorizationMessages } from './authorization-messages.js'
import type { Ec2Action, Ec2Call } from './ec2-call.js'
import { copyImage } from './ec2-copy-image.js'
import { createImage } from './ec2-create-image.js'
import { describeImages, describeInstances, describeSnapshots } from './ec2-describe.js'
import { DEFAULT_REFERENCES_PAGE_SIZE, describeImageReferences } from './ec2-image-references.js'
import { describeImageAttribute, disableImageDeprecation, enableImageDeprecation, modifyImageAttribute } from './ec2-image-attributes.js'
import {
  createLaunchTemplateVersion,
  deleteLaunchTemplateVersions,
  describeLaunchTemplates,
  describeLaunchTemplateVersions,
  modifyLaunchTemplate
} from './ec2-launch-templates.js'
import { disableImageDeregistrationProtection, enableImageDeregistrationProtection } from './ec2-protection.js'
import { registerImage } from './ec2-register-image.js'
import { deleteSnapshot, deregisterImage } from './ec2-remove.js'
import { describeSnapshotAttribute, modifySnapshotAttribute } from './ec2-snapshot-attributes.js'
import type { Ec2State } from './ec2-state.js'
import { createTags } from './ec2-tags.js'
import type { Endpoint, Reply } from './endpoint.js'
import type { Identities } from './identities.js'
import type { ImageBuilderState } from './imagebuilder-state.js'
import type { KmsState } from './kms-state.js'
import { getEbsDefaultKmsKeyId } from './ec2-ebs-encryption.js'
import { describeVolumes } from './ec2-volumes.js'
import { requestId } from './ids.js'
import type { Permissions } from './permissions.js'
import { readBoolean, requestParams, type Params } from './query-params.js'
import { asServiceError, ServiceError } from './service-error.js'
import type { SsmState } from './ssm-state.js'
import { document, leaf, node } from './xml.js'

// EC2 Query API, version 2016-11-15: signed form POSTs answered with <XResponse><requestId>…, errors as
// <Response><Errors><Error>…</Error></Errors><RequestID>…</RequestID></Response>.

const NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/'
const VERSION = '2016-11-15'

const ACTIONS = new Map<string, Ec2Action>([
  ['CreateImage', createImage],
  ['RegisterImage', registerImage],
  ['CopyImage', copyImage],
  ['DescribeImages', describeImages],
  ['DescribeSnapshots', describeSnapshots],
  ['DescribeInstances', describeInstances],
  ['DescribeVolumes', describeVolumes],
  ['GetEbsDefaultKmsKeyId', getEbsDefaultKmsKeyId],
  ['DeregisterImage', deregisterImage],
  ['DeleteSnapshot', deleteSnapshot],
  ['CreateTags', createTags],
  ['ModifyImageAttribute', modifyImageAttribute],
  ['DescribeImageAttribute', describeImageAttribute],
  ['EnableImageDeprecation', enableImageDeprecation],
  ['DisableImageDeprecation', disableImageDeprecation],
  ['EnableImageDeregistrationProtection', enableImageDeregistrationProtection],
  ['DisableImageDeregistrationProtection', disableImageDeregistrationProtection],
  ['ModifySnapshotAttribute', modifySnapshotAttribute],
  ['DescribeSnapshotAttribute', describeSnapshotAttribute],
  ['DescribeLaunchTemplates', describeLaunchTemplates],
  ['DescribeLaunchTemplateVersions', describeLaunchTemplateVersions],
  ['CreateLaunchTemplateVersion', createLaunchTemplateVersion],
  ['ModifyLaunchTemplate', modifyLaunchTemplate],
  ['DeleteLaunchTemplateVersions', deleteLaunchTemplateVersions]
])

const CREDENTIALS_NOT_VALIDATED = 'AWS was not able to validate the provided access credentials'

const AUTH_ERRORS: Record<AuthProblem, [number, string, string]> = {
  missing: [401, 'MissingAuthenticationToken', 'The request must contain either a valid (registered) AWS access key ID or X.509 certificate.'],
  malformed: [400, 'IncompleteSignature', 'The request signature does not conform to AWS standards.'],
  'wrong-service': [401, 'AuthFailure', "Credential should be scoped to correct service: 'ec2'."],
  'unknown-key': [401, 'AuthFailure', CREDENTIALS_NOT_VALIDATED],
  'bad-signature': [401, 'AuthFailure', CREDENTIALS_NOT_VALIDATED],
  'bad-token': [401, 'AuthFailure', CREDENTIALS_NOT_VALIDATED],
  expired: [400, 'RequestExpired', 'Request has expired.'],
  skewed: [400, 'RequestExpired', 'Request has expired.']
}

export interface Ec2Setup {
  accountId: string
  state: Ec2State
  ssm: SsmState
  imageBuilder: ImageBuilderState
  kms: KmsState
  /** DescribeImageReferences' page size when a request gives no MaxResults. */
  imageReferencesPageSize?: number
  identities: Identities
  permissions: Permissions
  messages: AuthorizationMessages
  now: () => number
}

function xmlReply(status: number, body: string, id: string, errorCode?: string): Reply {
  return { status, headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': id }, body, errorCode }
}

function errorReply(error: ServiceError): Reply {
  const id = requestId()
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    node('Response', node('Errors', node('Error', leaf('Code', error.code), leaf('Message', error.message))), leaf('RequestID', id))
  return xmlReply(error.status, body, id, error.code)
}

export function createEc2Endpoint(setup: Ec2Setup): Endpoint {
  const { accountId, state, ssm, imageBuilder, kms, identities, permissions, messages, now } = setup
  const actions = new Map<string, Ec2Action>([
    ...ACTIONS,
    ['DescribeImageReferences', describeImageReferences(setup.imageReferencesPageSize ?? DEFAULT_REFERENCES_PAGE_SIZE)]
  ])

  function act(action: string, params: Params, auth: AuthOutcome, at: number): Reply {
    if (params.Version === undefined) throw new ServiceError(400, 'MissingParameter', 'The request must contain the parameter Version')
    if (params.Version !== VERSION) {
      throw new ServiceError(400, 'NoSuchVersion', `The requested version (${params.Version}) of service AmazonEC2 does not exist`)
    }
    if (!auth.ok) throw new ServiceError(...AUTH_ERRORS[auth.problem])
    const handler = actions.get(action)
    if (!handler) throw new ServiceError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`)
    const caller = auth.identity
    const call: Ec2Call = {
      action,
      params,
      region: auth.region,
      caller,
      accountId,
      now: at,
      state,
      ssm,
      imageBuilder,
      kms,
      authorize(resource, alsoNeeds = []) {
        const refuse = (iamAction: string, on: string | undefined): never => {
          const blob = messages.encode({ principal: { id: caller.userId, arn: caller.arn }, action: iamAction, resource: on, region: auth.region })
          throw new ServiceError(403, 'UnauthorizedOperation', unauthorizedMessage(caller.arn, iamAction, on, blob))
        }
        const iamAction = `ec2:${action}`
        if (!permissions.isAllowed(iamAction, caller.arn, auth.region)) refuse(iamAction, resource)
        for (const needed of alsoNeeds) if (!permissions.isAllowed(needed, caller.arn, auth.region)) refuse(needed, undefined)
        if (readBoolean(params, 'DryRun', 'dryRun')) {
          throw new ServiceError(412, 'DryRunOperation', 'Request would have succeeded, but DryRun flag is set.')
        }
      },
      isAllowed: (other) => permissions.isAllowed(`ec2:${other}`, caller.arn, auth.region)
    }
    const id = requestId()
    return xmlReply(200, document(`${action}Response`, NAMESPACE, leaf('requestId', id), handler(call)), id)
  }

  return {
    service: 'ec2',
    identify(request) {
      const { Action: action = '', ...params } = requestParams(request.query, request.body)
      const at = now()
      const auth = authenticate(request, 'ec2', identities, at)
      return {
        action,
        params,
        region: auth.region,
        principal: auth.ok ? auth.identity.arn : undefined,
        answer() {
          try {
            return act(action, params, auth, at)
          } catch (error) {
            return errorReply(asServiceError(error, 'InternalError'))
          }
        }
      }
    },
    faultReply(kind) {
      if (kind === 'throttle') return errorReply(new ServiceError(503, 'RequestLimitExceeded', 'Request limit exceeded.'))
      if (kind === 'server-error') return errorReply(new ServiceError(500, 'InternalError', 'An internal error has occurred'))
      return errorReply(new ServiceError(kind.status, kind.code, kind.message))
    }
  }
}
