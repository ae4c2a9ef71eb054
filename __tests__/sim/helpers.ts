import { EC2Client } from '@aws-sdk/client-ec2'
import { SSMClient } from '@aws-sdk/client-ssm'
import { Sha256 } from '@smithy/core/checksum'
import { SignatureV4 } from '@smithy/signature-v4'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import { afterEach, jest } from '@jest/globals'
import { startSim, type Sim, type SimOptions } from '../../sim/index.js'

// Shared by the sim's tests: real SDK clients pointed at a sim through the environment, as the action's
// own clients will be.

export const REGION = 'us-east-1'

/**
 * A clock a test moves by hand, for `startSim({ clock: clock.now })`. Time stands still between `advance` calls,
 * so a test says at which moment each look happens ("create; look; advance 300 ms; look") instead of racing the
 * wall clock. It starts at the real time because the SDK signs with the real clock (the sim refuses signatures
 * more than 15 minutes off) and reads credential Expirations against it; a test moves it by seconds at most.
 */
export interface ManualClock {
  /** Epoch ms. An arrow function, so it can be passed on as it is. */
  readonly now: () => number
  /** Moves the clock forward by `ms` (0 or more). */
  advance(ms: number): void
}

export function manualClock(start = Date.now()): ManualClock {
  let t = start
  return {
    now: () => t,
    advance(ms) {
      // The sim assumes time never runs backwards (a token's nbf, a fault's forMs), so neither may this clock.
      if (!(ms >= 0) || !Number.isFinite(ms)) throw new Error(`manualClock: advance by a finite number of ms, 0 or more; got ${ms}`)
      t += ms
    }
  }
}

/** Sets the sim's variables in process.env (the SDK and @actions/core read them there) and undoes it. */
export function useSimEnv(sim: Sim): () => void {
  const vars = sim.env()
  const before = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
  Object.assign(process.env, vars)
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
}

/**
 * A sim per test: `start` begins one with the SDK pointed at it (and, unless `quiet` is false, core's
 * `::add-mask::` lines kept off stdout); it is stopped after each test, or when a test starts another.
 */
export function simPerTest({ quiet = true } = {}): { start(options?: SimOptions): Promise<Sim> } {
  let stop: (() => Promise<void>) | undefined
  afterEach(async () => {
    await stop?.()
    stop = undefined
  })
  return {
    async start(options) {
      await stop?.()
      stop = undefined
      const sim = await startSim(options)
      const restoreEnv = useSimEnv(sim)
      const spy = quiet ? jest.spyOn(process.stdout, 'write').mockImplementation(() => true) : undefined
      stop = async () => {
        spy?.mockRestore()
        restoreEnv()
        await sim.close()
      }
      return sim
    }
  }
}

/** maxAttempts 1 by default, so a test sees the raw answer instead of the SDK's retries. */
export function ec2Client(credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider, options: { maxAttempts?: number; region?: string } = {}): EC2Client {
  return new EC2Client({ region: options.region ?? REGION, maxAttempts: options.maxAttempts ?? 1, credentials })
}

/** An SSM client reaching the sim through AWS_ENDPOINT_URL_SSM; maxAttempts 1 by default, as for EC2. */
export function ssmClient(credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider, options: { maxAttempts?: number; region?: string } = {}): SSMClient {
  return new SSMClient({ region: options.region ?? REGION, maxAttempts: options.maxAttempts ?? 1, credentials })
}

export function staticCredentials(sim: Sim): AwsCredentialIdentity {
  return { accessKeyId: sim.staticKeys.accessKeyId, secretAccessKey: sim.staticKeys.secretAccessKey }
}

export interface QueryAnswer {
  status: number
  headers: Headers
  body: string
}

const VERSIONS = { ec2: '2016-11-15', sts: '2011-06-15' }

/**
 * A raw Query API call, signed with the SDK's own SigV4 signer: for signed STS actions the installed SDK
 * has no command for (its nested STS client knows only the AssumeRole family), and for requests no SDK
 * command would send.
 */
export async function signedCall(
  sim: Sim,
  service: 'ec2' | 'sts',
  credentials: AwsCredentialIdentity,
  params: Record<string, string>
): Promise<QueryAnswer> {
  const url = new URL(`${sim.env()[service === 'ec2' ? 'AWS_ENDPOINT_URL_EC2' : 'AWS_ENDPOINT_URL_STS']}/`)
  const body = new URLSearchParams({ Version: VERSIONS[service], ...params }).toString()
  const signer = new SignatureV4({ credentials, region: REGION, service, sha256: Sha256 })
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded' },
    body
  })
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body })
  return { status: response.status, headers: response.headers, body: await response.text() }
}

/** A raw JSON 1.1 call to the sim's SSM endpoint, signed for `ssm`: to see the wire itself, or send what no command would. */
export function signedSsmCall(sim: Sim, credentials: AwsCredentialIdentity, target: string, body: string): Promise<QueryAnswer> {
  return signedJsonCall(sim, 'ssm', credentials, target, body)
}

/**
 * A raw JSON 1.1 call to the sim's SSM or KMS endpoint, signed for that service in `region`. KMS tests use it because
 * @aws-sdk/client-kms is not a dependency of this repository.
 */
export async function signedJsonCall(
  sim: Sim,
  service: 'ssm' | 'kms',
  credentials: AwsCredentialIdentity,
  target: string,
  body: string,
  region = REGION
): Promise<QueryAnswer> {
  const url = new URL(`${sim.env()[service === 'ssm' ? 'AWS_ENDPOINT_URL_SSM' : 'AWS_ENDPOINT_URL_KMS']}/`)
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256 })
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body
  })
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body })
  return { status: response.status, headers: response.headers, body: await response.text() }
}

export function signedStsCall(sim: Sim, credentials: AwsCredentialIdentity, params: Record<string, string>): Promise<QueryAnswer> {
  return signedCall(sim, 'sts', credentials, params)
}

/** The text of <name> in an XML answer. */
export function xmlValue(xml: string, name: string): string | undefined {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)
  return match?.[1].replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

/** The rejection of a promise that must reject, as the SDK's error type. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { name: string }
  }
  throw new Error('expected a rejection')
}
