import { AuthorizationMessages } from './authorization-messages.js'
import { createEc2Endpoint } from './ec2-endpoint.js'
import { Ec2State } from './ec2-state.js'
import { FaultQueue } from './faults.js'
import { Identities } from './identities.js'
import { ImageBuilderState } from './imagebuilder-state.js'
import { keyId, secretAccessKey, sessionToken } from './ids.js'
import { jwtKey } from './jwt.js'
import { createKmsEndpoint } from './kms-endpoint.js'
import { KmsState } from './kms-state.js'
import { createOidcEndpoint } from './oidc-endpoint.js'
import { Permissions } from './permissions.js'
import { DEFAULT_REGION } from './regions.js'
import { serve } from './server.js'
import { simImages, simLaunchTemplates, simParameters, simParameterWrites, simSnapshots } from './sim-views.js'
import { createSsmEndpoint } from './ssm-endpoint.js'
import { parameterArn, SsmState } from './ssm-state.js'
import { createStsEndpoint } from './sts-endpoint.js'
import type { Sim, SimCall, SimOptions, SimRole } from './types.js'

const DEFAULT_ACCOUNT = '123456789012'
/** Small, so that tests see the pending window without waiting on it; AWS says validation "can take up to a few minutes". */
const DEFAULT_IMAGE_VALIDATION_MS = 200

function resolveRoles(accountId: string, roles: SimRole[] | undefined): Required<SimRole>[] {
  return (roles ?? [{ arn: `arn:aws:iam::${accountId}:role/bake-ami` }]).map((role) => ({
    arn: role.arn,
    audience: role.audience ?? 'sts.amazonaws.com',
    subPattern: role.subPattern ?? 'repo:octo-org/octo-repo:*',
    maxSessionSeconds: role.maxSessionSeconds ?? 3600
  }))
}

/**
 * Starts EC2, STS, SSM, KMS and GitHub's ID-token endpoint on a free loopback port. Point the unmodified SDK and
 * @actions/core at it with `sim.env()`.
 */
export async function startSim(options: SimOptions = {}): Promise<Sim> {
  const accountId = options.accountId ?? DEFAULT_ACCOUNT
  const staticKeys = options.staticKeys ?? {
    accessKeyId: keyId('AKIA'),
    secretAccessKey: secretAccessKey(),
    arn: `arn:aws:iam::${accountId}:user/release`
  }
  const requestToken = sessionToken()
  // Every reading of time goes through this one clock, so a test can set the moment instead of racing it.
  const now = options.clock ?? ((): number => Date.now())

  const identities = new Identities(accountId, staticKeys)
  identities.remember(requestToken)
  const permissions = new Permissions()
  const messages = new AuthorizationMessages()
  const state = new Ec2State(options.bake ?? {})
  const ssm = new SsmState({
    delayMs: options.ssmImageValidationMs ?? DEFAULT_IMAGE_VALIDATION_MS,
    imageExisted: (region, imageId, at) => state.imageExisted(region, imageId, at)
  })
  const imageBuilder = new ImageBuilderState()
  const kms = new KmsState(accountId)
  /** A seeding call's kmsKeyId, resolved to the key's ARN in its region, as EC2 would record it. */
  const seededKeyArn = (call: string, region: string | undefined, identifier: string | undefined): string | undefined => {
    if (identifier === undefined) return undefined
    const key = kms.resolve(region ?? DEFAULT_REGION, identifier, now())
    if (!key) throw new Error(`${call}: no KMS key '${identifier}' in ${region ?? DEFAULT_REGION} (seed it with addKey first)`)
    return key.arn
  }
  const key = await jwtKey()
  const calls: SimCall[] = []
  const startedAt = now()
  const faults = new FaultQueue(() => now() - startedAt)

  const server = await serve(
    [
      createEc2Endpoint({ accountId, state, ssm, imageBuilder, kms, imageReferencesPageSize: options.imageReferencesPageSize, identities, permissions, messages, now }),
      createStsEndpoint({
        accountId,
        roles: resolveRoles(accountId, options.roles),
        key,
        identities,
        permissions,
        messages,
        credentials: options.credentials,
        now
      }),
      createSsmEndpoint({ accountId, ssm, identities, permissions, now }),
      createKmsEndpoint({ accountId, kms, identities, permissions, now }),
      createOidcEndpoint({ requestToken, key, options: options.oidc, identities, now })
    ],
    faults,
    (call) => calls.push({ ...call, at: now() - startedAt })
  )

  return {
    url: server.url,
    env: () => ({
      AWS_ENDPOINT_URL_EC2: `${server.url}/ec2`,
      AWS_ENDPOINT_URL_STS: `${server.url}/sts`,
      AWS_ENDPOINT_URL_SSM: `${server.url}/ssm`,
      AWS_ENDPOINT_URL_KMS: `${server.url}/kms`,
      ACTIONS_ID_TOKEN_REQUEST_URL: `${server.url}/oidc/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken,
      AWS_EC2_METADATA_DISABLED: 'true'
    }),
    staticKeys,
    addInstance: (instance = {}) => state.addInstance(instance, now(), seededKeyArn('addInstance', instance.region, instance.kmsKeyId)),
    addSnapshot: (snapshot = {}) => state.addSnapshot(snapshot, now(), seededKeyArn('addSnapshot', snapshot.region, snapshot.kmsKeyId)),
    addKey: (key) => kms.addKey(key ?? {}, now()),
    keys: () => kms.simKeys(),
    setEbsDefaultKmsKey: (region, keyIdOrArn) => kms.setEbsDefault(region, keyIdOrArn),
    addImage: (image) => state.addImage(image, startedAt),
    nextBake: (script, options) => state.queueScript(script, options?.region),
    startSnapshots: (imageId) => state.startSnapshots(imageId, now()),
    addLaunchTemplate: (template) => state.addLaunchTemplate(template, now(), `arn:aws:iam::${accountId}:root`),
    launchTemplates: () => simLaunchTemplates(state),
    putParameter: (parameter) => {
      const record = ssm.seed(parameter, now())
      return parameterArn(record.region, accountId, record.name)
    },
    rejectParameterValue: (rule) => ssm.rejectValue(rule),
    parameters: () => simParameters(ssm, accountId, now(), startedAt),
    parameterWrites: () => simParameterWrites(ssm, now(), startedAt),
    addImageRecipe: ({ parentImage, ...recipe }) => imageBuilder.addRecipe('image-recipe', { ...recipe, imageId: parentImage }, accountId, now()),
    addContainerRecipe: ({ instanceImage, ...recipe }) => imageBuilder.addRecipe('container-recipe', { ...recipe, imageId: instanceImage }, accountId, now()),
    fault: (rule) => faults.add(rule),
    deny: (rule) => permissions.deny(rule),
    allow: (rule) => permissions.allow(rule),
    calls,
    images: () => simImages(state, now(), startedAt),
    snapshots: () => simSnapshots(state, now()),
    secrets: () => identities.secrets(),
    close: () => server.close()
  }
}
