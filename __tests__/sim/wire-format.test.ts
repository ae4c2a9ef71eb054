import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { startSim, type Sim } from '../../sim/index.js'
import { signedCall, staticCredentials, xmlValue } from './helpers.js'

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

  it('serves nothing outside /ec2, /sts and /oidc', async () => {
    const logged = sim.calls.length
    const response = await fetch(`${sim.url}/s3/`, { method: 'POST', body: 'Action=ListBuckets' })
    expect(response.status).toBe(404)
    expect(sim.calls).toHaveLength(logged)
  })
})
