/**
 * The door to the AWS SDK. main loads this module only after the inputs are valid, so that a bad
 * input fails before the SDK is even read from disk.
 */
import * as core from '@actions/core'
import { EC2Client } from '@aws-sdk/client-ec2'
import { idle, realClock } from './clock.js'
import { MAX_ATTEMPTS, roleCredentials, type RoleCredentials } from './credentials.js'
import { ec2, type Ec2 } from './ec2/index.js'
import type { CredentialSettings } from './settings.js'
import type { Kms } from './kms.js'
import type { Ssm } from './ssm.js'

/** Clients per service and region, all on the same credentials. */
export interface Aws {
  ec2(region: string): Ec2
  /** Parameter Store; its SDK is loaded on first use, so a run without `ssm-parameter` never reads it. */
  ssm(region: string): Promise<Ssm>
  /** KMS; its SDK is loaded on first use, so a run without `encrypt` never reads it. */
  kms(region: string): Promise<Kms>
}

/** `signal`: the job's cancellation, which stops credential renewal. */
export function connect(credentials: CredentialSettings, home: string, signal?: AbortSignal): Aws {
  const role: RoleCredentials | undefined =
    credentials.kind === 'oidc'
      ? roleCredentials(credentials, home, {
          getIDToken: audience => core.getIDToken(audience),
          mask: secret => core.setSecret(secret),
          info: line => core.info(line),
          now: realClock.now,
          sleep: realClock.sleep,
          idle,
          random: Math.random,
          canRequestIdToken: () => Boolean(process.env.ACTIONS_ID_TOKEN_REQUEST_URL && process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN),
          signal
        })
      : undefined
  const principal =
    credentials.kind === 'oidc'
      ? `role ${credentials.roleArn} (session ${credentials.sessionName})`
      : 'the credentials from the default chain'
  const clients = new Map<string, Ec2>()
  const parameterStores = new Map<string, Promise<Ssm>>()
  const keyServices = new Map<string, Promise<Kms>>()
  const accountId = credentials.kind === 'oidc' ? /^arn:aws[\w-]*:iam::(\d{12}):/.exec(credentials.roleArn)?.[1] : undefined
  return {
    ssm(region) {
      let store = parameterStores.get(region)
      if (!store) {
        store = (async () => {
          const [{ SSMClient }, { ssm }] = await Promise.all([import('@aws-sdk/client-ssm'), import('./ssm.js')])
          const client = new SSMClient({ region, credentials: role?.provider, maxAttempts: MAX_ATTEMPTS })
          return ssm({ region, principal, accountId, client, renewCredentials: role?.renew, sleep: realClock.sleep })
        })()
        parameterStores.set(region, store)
      }
      return store
    },
    kms(region) {
      let keys = keyServices.get(region)
      if (!keys) {
        keys = (async () => {
          const [{ KMSClient }, { kms }] = await Promise.all([import('@aws-sdk/client-kms'), import('./kms.js')])
          const client = new KMSClient({ region, credentials: role?.provider, maxAttempts: MAX_ATTEMPTS })
          return kms({ region, principal, client, renewCredentials: role?.renew })
        })()
        keyServices.set(region, keys)
      }
      return keys
    },
    ec2(region) {
      let client = clients.get(region)
      if (!client) {
        client = ec2({
          region,
          principal,
          client: new EC2Client({ region, credentials: role?.provider, maxAttempts: MAX_ATTEMPTS }),
          renewCredentials: role?.renew,
          decodeAuthorization: encoded => decodeAuthorization(encoded, region, role)
        })
        clients.set(region, client)
      }
      return client
    }
  }
}

/** Only on the path of a denied call, so its client is loaded only then. */
async function decodeAuthorization(encoded: string, region: string, role: RoleCredentials | undefined): Promise<string | undefined> {
  const { STSClient, DecodeAuthorizationMessageCommand } = await import('@aws-sdk/client-sts')
  const sts = new STSClient({ region, credentials: role?.provider, maxAttempts: MAX_ATTEMPTS })
  const output = await sts.send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }))
  return output.DecodedMessage
}
