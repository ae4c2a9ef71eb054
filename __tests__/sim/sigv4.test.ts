import { describe, expect, it } from '@jest/globals'
import { Sha256 } from '@smithy/core/checksum'
import { SignatureV4 } from '@smithy/signature-v4'
import { expectedSignature, parseAuthorization, signatureMatches, type SignedRequest } from '../../sim/sigv4.js'

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'

describe('SigV4 verification', () => {
  it('reproduces the get-vanilla case of the AWS SigV4 test suite', () => {
    const auth = parseAuthorization(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ' +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'
    )
    expect(auth).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      date: '20150830',
      region: 'us-east-1',
      service: 'service',
      signedHeaders: ['host', 'x-amz-date'],
      signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'
    })
    const request: SignedRequest = {
      method: 'GET',
      path: '/',
      query: '',
      headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
      body: Buffer.alloc(0)
    }
    expect(signatureMatches(request, auth!, '20150830T123600Z', SECRET)).toBe(true)
    expect(signatureMatches(request, auth!, '20150830T123600Z', SECRET.replace('w', 'W'))).toBe(false)
  })

  it("agrees with the SDK's own signer on a form POST with a query and a session token", async () => {
    const body = 'Action=DescribeImages&Version=2016-11-15&Filter.1.Name=name&Filter.1.Value.1=app%20%2A'
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: SECRET, sessionToken: 'token/with+odd=chars' },
      region: 'eu-west-1',
      service: 'ec2',
      sha256: Sha256
    })
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8080,
      path: '/ec2/',
      query: { b: 'two words', a: ['2', '1'] },
      headers: { host: '127.0.0.1:8080', 'content-type': 'application/x-www-form-urlencoded', 'x-amz-user-agent': 'aws-sdk-js  spaced   out' },
      body
    })
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]))
    const auth = parseAuthorization(headers.authorization)!
    const request: SignedRequest = { method: 'POST', path: '/ec2/', query: 'b=two%20words&a=2&a=1', headers, body: Buffer.from(body) }

    expect(expectedSignature(request, auth, headers['x-amz-date'], SECRET)).toBe(auth.signature)
    expect(signatureMatches({ ...request, body: Buffer.from(body.replace('app', 'aPp')) }, auth, headers['x-amz-date'], SECRET)).toBe(false)
  })

  it('rejects headers that are not SigV4', () => {
    expect(parseAuthorization('Bearer abc')).toBeUndefined()
    expect(parseAuthorization('AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service, SignedHeaders=host, Signature=00')).toBeUndefined()
  })
})
