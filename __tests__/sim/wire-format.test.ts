import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startSim, type Sim } from '../../sim/index.js'
import { signedCall, signedSsmCall, staticCredentials, xmlValue } from './helpers.js'

// The envelopes themselves, and requests no SDK command would send.

let sim: Sim

beforeAll(async () => {
  sim = await startSim()
})

afterAll(async () => {
  await sim.close()
})

describe('wire format', () => {
  it('wraps an EC2 answer in <XResponse> in the 2016-11-15 namespace, with its requestId', async () => {
    const answer = await signedCall(sim, 'ec2', staticCredentials(sim), { Action: 'DescribeImages' })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-type')).toMatch(/^text\/xml/)
    expect(answer.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<DescribeImagesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${answer.headers.get('x-amzn-requestid')}</requestId><imagesSet></imagesSet></DescribeImagesResponse>`
    )
  })

  it.each([
    ['ec2', { Action: 'constructor' }, 400, 'InvalidAction', 'The action constructor is not valid for this web service.'],
    ['ec2', { Action: 'RunInstances' }, 400, 'InvalidAction', 'The action RunInstances is not valid for this web service.'],
    ['ec2', { Action: 'DescribeImages', Version: '2014-10-01' }, 400, 'NoSuchVersion', 'The requested version (2014-10-01) of service AmazonEC2 does not exist'],
    ['ec2', { Action: 'DescribeImages', DryRun: 'maybe' }, 400, 'InvalidParameterValue', 'Value (maybe) for parameter dryRun is invalid'],
    ['sts', { Action: 'GetSessionToken' }, 400, 'InvalidAction', 'Could not find operation GetSessionToken for version 2011-06-15'],
    ['sts', { Action: 'AssumeRoleWithWebIdentity', RoleArn: 'arn:aws:iam::123456789012:role/bake-ami', WebIdentityToken: 'x' }, 400, 'ValidationError', "at 'roleSessionName'"],
    ['sts', { Action: 'DecodeAuthorizationMessage' }, 403, 'AccessDenied', 'sts:DecodeAuthorizationMessage']
  ] as const)('%s %j answers %i %s', async (service, params, status, code, message) => {
    const answer = await signedCall(sim, service, staticCredentials(sim), params)
    expect([answer.status, xmlValue(answer.body, 'Code')]).toEqual([status, code])
    expect(xmlValue(answer.body, 'Message')).toContain(message)
  })

  it('answers SSM in JSON 1.1: members on success, __type and message on failure, and no message for ParameterNotFound', async () => {
    const credentials = staticCredentials(sim)
    const made = await signedSsmCall(sim, credentials, 'AmazonSSM.PutParameter', JSON.stringify({ Name: '/wire/a', Value: 'x', Type: 'String' }))
    expect([made.status, made.headers.get('content-type'), JSON.parse(made.body)]).toEqual([200, 'application/x-amz-json-1.1', { Version: 1, Tier: 'Standard' }])
    expect(made.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    const missing = await signedSsmCall(sim, credentials, 'AmazonSSM.GetParameter', JSON.stringify({ Name: '/wire/b' }))
    expect([missing.status, JSON.parse(missing.body)]).toEqual([400, { __type: 'ParameterNotFound' }])
    const taken = await signedSsmCall(sim, credentials, 'AmazonSSM.PutParameter', JSON.stringify({ Name: '/wire/a', Value: 'y', Type: 'String' }))
    expect(JSON.parse(taken.body)).toEqual({ __type: 'ParameterAlreadyExists', message: expect.stringContaining('already exists') })
  })

  it.each([
    ['AmazonSSM.SendCommand', '{}', 'UnknownOperationException'],
    ['AmazonEC2.DescribeImages', '{}', 'UnknownOperationException'],
    ['AmazonSSM.GetParameter', 'Name=web', 'SerializationException']
  ])('answers SSM target %s with body %s with %s', async (target, body, code) => {
    const answer = await signedSsmCall(sim, staticCredentials(sim), target, body)
    expect([answer.status, JSON.parse(answer.body).__type]).toEqual([400, code])
  })

  it('serves nothing outside /ec2, /sts, /ssm and /oidc', async () => {
    const logged = sim.calls.length
    const response = await fetch(`${sim.url}/s3/`, { method: 'POST', body: 'Action=ListBuckets' })
    expect(response.status).toBe(404)
    expect(sim.calls).toHaveLength(logged)
  })
})
