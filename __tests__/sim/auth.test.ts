import * as core from '@actions/core'
import { DescribeImagesCommand } from '@aws-sdk/client-ec2'
import { fromWebToken } from '@aws-sdk/credential-providers'
import { describe, expect, it } from '@jest/globals'
import type { AwsCredentialIdentity } from '@smithy/types'
import type { Sim, SimOptions } from '../../sim/index.js'
import { ec2Client, manualClock, REGION, rejection, signedStsCall, simPerTest, staticCredentials, xmlValue, type ManualClock } from './helpers.js'

// SigV4 as the services check it: who signed, with which secret and token, and whether the session is
// still alive. EC2 and STS word the same failures differently.

const ROLE = 'arn:aws:iam::123456789012:role/bake-ami'
const SESSION_ARN = 'arn:aws:sts::123456789012:assumed-role/bake-ami/auth-test'

const sims = simPerTest()
let clock: ManualClock
let sim: Sim

/** A sim on a manual clock: a session's lifetime runs out when the test says, not when the machine is slow. */
async function start(options: SimOptions = {}): Promise<void> {
  clock = manualClock()
  sim = await sims.start({ clock: clock.now, ...options })
}

async function assumeRole(): Promise<AwsCredentialIdentity> {
  const token = await core.getIDToken('sts.amazonaws.com')
  return fromWebToken({ roleArn: ROLE, roleSessionName: 'auth-test', webIdentityToken: token, clientConfig: { region: REGION } })()
}

async function describeWith(credentials: AwsCredentialIdentity | (() => Promise<AwsCredentialIdentity>)) {
  const ec2 = ec2Client(credentials)
  try {
    return await rejection(ec2.send(new DescribeImagesCommand({})))
  } finally {
    ec2.destroy()
  }
}

describe('EC2 signature checks', () => {
  it('accepts the static user and refuses a wrong secret, an unknown key, and a stray or tampered token', async () => {
    await start()
    const good = staticCredentials(sim)
    const ec2 = ec2Client(good)
    await expect(ec2.send(new DescribeImagesCommand({}))).resolves.toMatchObject({ Images: [] })
    ec2.destroy()
    expect(sim.calls.at(-1)).toMatchObject({ principal: sim.staticKeys.arn, status: 200, region: 'us-east-1' })

    const session = await assumeRole()
    const cases: AwsCredentialIdentity[] = [
      { ...good, secretAccessKey: good.secretAccessKey.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) },
      { ...good, accessKeyId: 'AKIAIOSFODNN7EXAMPLE' },
      { ...good, sessionToken: 'not-for-a-user-key' },
      { ...session, sessionToken: `${session.sessionToken}x` },
      { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }
    ]
    for (const credentials of cases) {
      const error = await describeWith(credentials)
      expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual([
        'AuthFailure',
        'AWS was not able to validate the provided access credentials',
        401
      ])
    }
    expect(sim.calls.filter((c) => c.errorCode === 'AuthFailure').map((c) => c.principal)).toEqual([undefined, undefined, undefined, undefined, undefined])
  })

  it('refuses a request with no signature at all', async () => {
    await start()
    const response = await fetch(`${sim.env().AWS_ENDPOINT_URL_EC2}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeImages&Version=2016-11-15'
    })
    const body = await response.text()
    expect(response.status).toBe(401)
    expect(xmlValue(body, 'Code')).toBe('MissingAuthenticationToken')
    expect(body).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>.*<\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/s)
  })

  it('answers RequestExpired once session credentials die before the Expiration they reported', async () => {
    await start({ credentials: { lifetimeMs: 500, reportedExpiration: 'requested' } })
    const issuedAt = clock.now()
    const session = await assumeRole()
    // The SDK trusts the reported Expiration (issue time + DurationSeconds), so it keeps using these.
    expect(session.expiration?.getTime()).toBe(Math.floor((issuedAt + 3600_000) / 1000) * 1000)
    const ec2 = ec2Client(session)
    try {
      await expect(ec2.send(new DescribeImagesCommand({}))).resolves.toBeDefined()
      clock.advance(499)
      await expect(ec2.send(new DescribeImagesCommand({}))).resolves.toBeDefined()
      clock.advance(1)
      const error = await rejection(ec2.send(new DescribeImagesCommand({})))
      expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual(['RequestExpired', 'Request has expired.', 400])
    } finally {
      ec2.destroy()
    }
    expect(sim.calls.filter((c) => c.action === 'DescribeImages').map((c) => [c.at, c.status])).toEqual([
      [0, 200],
      [499, 200],
      [500, 400]
    ])
  })

  it('reports the real expiry by default, which makes the SDK fetch fresh credentials for each call', async () => {
    await start({ credentials: { lifetimeMs: 300 } })
    const token = await core.getIDToken('sts.amazonaws.com')
    const ec2 = ec2Client(fromWebToken({ roleArn: ROLE, roleSessionName: 'auth-test', webIdentityToken: token }))
    try {
      await ec2.send(new DescribeImagesCommand({}))
      // The first session is dead from here on: the second call works only with credentials fetched for it.
      clock.advance(300)
      await expect(ec2.send(new DescribeImagesCommand({}))).resolves.toBeDefined()
    } finally {
      ec2.destroy()
    }
    // Inside its 5-minute refresh window the SDK asks the provider again on every read of the credentials,
    // and one call reads them several times (auth scheme, endpoint parameters), so the count is the SDK's.
    const actions = sim.calls.map((c) => c.action)
    expect(sim.calls.filter((c) => c.action === 'DescribeImages').map((c) => [c.at, c.status])).toEqual([
      [0, 200],
      [300, 200]
    ])
    expect(actions.lastIndexOf('AssumeRoleWithWebIdentity')).toBeGreaterThan(actions.indexOf('DescribeImages'))
  })
})

describe('STS signature checks', () => {
  it('tells the caller who it is (GetCallerIdentity) for the user and for a role session', async () => {
    await start()
    const user = await signedStsCall(sim, staticCredentials(sim), { Action: 'GetCallerIdentity' })
    expect(user.status).toBe(200)
    expect(xmlValue(user.body, 'Arn')).toBe(sim.staticKeys.arn)
    expect(xmlValue(user.body, 'Account')).toBe('123456789012')
    expect(xmlValue(user.body, 'UserId')).toMatch(/^AIDA[A-Z2-7]{17}$/)

    const role = await signedStsCall(sim, await assumeRole(), { Action: 'GetCallerIdentity' })
    expect(xmlValue(role.body, 'Arn')).toBe(SESSION_ARN)
    expect(xmlValue(role.body, 'UserId')).toMatch(/^AROA[A-Z2-7]{17}:auth-test$/)
    expect(role.body).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>')
    expect(sim.calls.at(-1)).toMatchObject({ service: 'sts', action: 'GetCallerIdentity', principal: SESSION_ARN, region: 'us-east-1' })
  })

  it.each([
    ['a wrong secret', (c: AwsCredentialIdentity) => ({ ...c, secretAccessKey: `${c.secretAccessKey}x` }), 'SignatureDoesNotMatch'],
    ['an unknown key', (c: AwsCredentialIdentity) => ({ ...c, accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }), 'InvalidClientTokenId'],
    ['a tampered session token', (c: AwsCredentialIdentity) => ({ ...c, sessionToken: 'forged' }), 'InvalidClientTokenId']
  ])('refuses %s', async (_case, spoil, code) => {
    await start()
    const answer = await signedStsCall(sim, spoil(await assumeRole()), { Action: 'GetCallerIdentity' })
    expect(answer.status).toBe(403)
    expect(xmlValue(answer.body, 'Code')).toBe(code)
    expect(xmlValue(answer.body, 'Type')).toBe('Sender')
    expect(answer.body).toMatch(/^<\?xml[^>]*>\n<ErrorResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><Error>.*<\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/s)
  })

  it('answers ExpiredToken for expired session credentials', async () => {
    await start({ credentials: { lifetimeMs: 50 } })
    const session = await assumeRole()
    clock.advance(49)
    expect((await signedStsCall(sim, session, { Action: 'GetCallerIdentity' })).status).toBe(200)
    clock.advance(1)
    const answer = await signedStsCall(sim, session, { Action: 'GetCallerIdentity' })
    expect([answer.status, xmlValue(answer.body, 'Code'), xmlValue(answer.body, 'Message')]).toEqual([
      403,
      'ExpiredToken',
      'The security token included in the request is expired'
    ])
  })
})
