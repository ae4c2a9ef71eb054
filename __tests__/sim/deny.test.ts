import * as core from '@actions/core'
import { CreateImageCommand, DeleteSnapshotCommand, DeregisterImageCommand, DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { fromWebToken } from '@aws-sdk/credential-providers'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { AwsCredentialIdentity } from '@smithy/types'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, REGION, rejection, signedStsCall, simPerTest, staticCredentials, xmlValue, type ManualClock } from './helpers.js'

// Refused permissions in AWS's words, and the encoded authorization message that only STS can open.

const ROLE = 'arn:aws:iam::123456789012:role/bake-ami'
const SESSION_ARN = 'arn:aws:sts::123456789012:assumed-role/bake-ami/deny-test'

const sims = simPerTest()
let clock: ManualClock
let sim: Sim
let session: AwsCredentialIdentity
let ec2: EC2Client
let instanceId: string

beforeEach(async () => {
  clock = manualClock()
  sim = await sims.start({ clock: clock.now, bake: { durationMs: 200, snapshotDelayMs: 20 } })
  session = await fromWebToken({
    roleArn: ROLE,
    roleSessionName: 'deny-test',
    webIdentityToken: await core.getIDToken('sts.amazonaws.com'),
    clientConfig: { region: REGION }
  })()
  ec2 = ec2Client(session)
  instanceId = sim.addInstance()
})

afterEach(() => {
  ec2.destroy()
})

const UNAUTHORIZED = /^You are not authorized to perform this operation\. User: (\S+) is not authorized to perform: (\S+)( on resource: (\S+))? because no identity-based policy allows the \2 action\. Encoded authorization failure message: ([\w-]+)$/

describe('deny', () => {
  it('refuses only in the region a rule names', async () => {
    sim.deny({ action: 'ec2:DescribeImages', region: 'eu-west-1' })
    await expect(ec2.send(new DescribeImagesCommand({ Owners: ['self'] }))).resolves.toMatchObject({ Images: [] })
    const elsewhere = ec2Client(session, { region: 'eu-west-1' })
    const error = await rejection(elsewhere.send(new DescribeImagesCommand({ Owners: ['self'] })))
    elsewhere.destroy()
    expect(error.name).toBe('UnauthorizedOperation')
  })

  it('refuses CreateImage with UnauthorizedOperation and a message STS decodes once allowed to', async () => {
    sim.deny({ action: 'ec2:CreateImage' })
    const error = await rejection(ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'denied' })))
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual(['UnauthorizedOperation', 403])
    const [, user, action, , resource, blob] = UNAUTHORIZED.exec(error.message) ?? []
    expect([user, action, resource]).toEqual([SESSION_ARN, 'ec2:CreateImage', `arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`])
    expect(blob.length).toBeGreaterThan(200)
    expect(sim.images()).toEqual([])
    expect(sim.calls.at(-1)).toMatchObject({ action: 'CreateImage', status: 403, errorCode: 'UnauthorizedOperation', principal: SESSION_ARN })

    const refused = await signedStsCall(sim, session, { Action: 'DecodeAuthorizationMessage', EncodedMessage: blob })
    expect([refused.status, xmlValue(refused.body, 'Code')]).toEqual([403, 'AccessDenied'])
    expect(xmlValue(refused.body, 'Message')).toBe(
      `User: ${SESSION_ARN} is not authorized to perform: sts:DecodeAuthorizationMessage because no identity-based policy allows the sts:DecodeAuthorizationMessage action`
    )

    sim.allow({ action: 'sts:DecodeAuthorizationMessage', principal: 'arn:aws:sts::123456789012:assumed-role/bake-ami/' })
    const decoded = await signedStsCall(sim, session, { Action: 'DecodeAuthorizationMessage', EncodedMessage: blob })
    expect(decoded.status).toBe(200)
    expect(JSON.parse(xmlValue(decoded.body, 'DecodedMessage')!)).toEqual({
      allowed: false,
      explicitDeny: false,
      matchedStatements: { items: [] },
      failures: { items: [] },
      context: {
        principal: { id: expect.stringMatching(/^AROA[A-Z2-7]{17}:deny-test$/), arn: SESSION_ARN },
        action: 'ec2:CreateImage',
        resource,
        conditions: { items: [{ key: 'aws:Region', values: { items: [{ value: 'us-east-1' }] } }] }
      }
    })

    const forged = await signedStsCall(sim, session, { Action: 'DecodeAuthorizationMessage', EncodedMessage: `${blob.slice(0, -4)}AAAA` })
    expect([forged.status, xmlValue(forged.body, 'Code')]).toEqual([400, 'InvalidAuthorizationMessageException'])
  })

  it('refuses a denied DryRun with UnauthorizedOperation rather than DryRunOperation', async () => {
    sim.deny({ action: 'ec2:CreateImage' })
    const error = await rejection(ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'dry', DryRun: true })))
    expect(error.name).toBe('UnauthorizedOperation')
  })

  it('denies by principal prefix only, and names no resource for a Describe', async () => {
    sim.deny({ action: 'ec2:DescribeImages', principal: sim.staticKeys.arn })
    await expect(ec2.send(new DescribeImagesCommand({}))).resolves.toBeDefined()
    const user = ec2Client(staticCredentials(sim))
    try {
      const error = await rejection(user.send(new DescribeImagesCommand({})))
      const [, who, action, on] = UNAUTHORIZED.exec(error.message) ?? []
      expect([error.name, who, action, on]).toEqual(['UnauthorizedOperation', sim.staticKeys.arn, 'ec2:DescribeImages', undefined])
    } finally {
      user.destroy()
    }
  })

  it('leaves snapshots behind when DeregisterImage may not delete them', async () => {
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'keep-snaps' }))
    clock.advance(20)
    const [{ snapshotId }, ...others] = sim.snapshots()
    expect(others).toEqual([])
    sim.deny({ action: 'ec2:DeleteSnapshot' })

    const result = await ec2.send(new DeregisterImageCommand({ ImageId, DeleteAssociatedSnapshots: true }))
    expect(result.DeleteSnapshotResults).toEqual([{ SnapshotId: snapshotId, ReturnCode: 'missing-permissions' }])
    const error = await rejection(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })))
    expect(UNAUTHORIZED.exec(error.message)?.[4]).toBe(`arn:aws:ec2:us-east-1::snapshot/${snapshotId}`)
    expect(sim.snapshots()).toEqual([expect.objectContaining({ snapshotId, deleted: false })])
  })

  it('refuses AssumeRoleWithWebIdentity for a denied role', async () => {
    sim.deny({ action: 'sts:AssumeRoleWithWebIdentity', principal: ROLE })
    const token = await core.getIDToken('sts.amazonaws.com')
    const error = await rejection(fromWebToken({ roleArn: ROLE, webIdentityToken: token, clientConfig: { region: REGION, maxAttempts: 1 } })())
    expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual(['AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403])
  })
})
