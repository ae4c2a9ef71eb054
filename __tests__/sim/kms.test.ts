import { beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { manualClock, signedJsonCall, simPerTest, staticCredentials, type ManualClock } from './helpers.js'

// KMS over JSON 1.1: DescribeKey and ListAliases, with KMS's own errors. @aws-sdk/client-kms is not a dependency of
// this repository, so these tests speak the wire with the SDK's own SigV4 signer and check what its JSON-RPC
// deserializer reads: the status, `__type` (the exception's name) and `message`.

const ACCOUNT = '123456789012'
const EAST = 'us-east-1'
const WEST = 'eu-west-1'
const sims = simPerTest()
let clock: ManualClock
let sim: Sim

beforeEach(async () => {
  clock = manualClock()
  sim = await sims.start({ clock: clock.now })
})

async function kms(target: string, input: Record<string, unknown>, region = EAST) {
  const answer = await signedJsonCall(sim, 'kms', staticCredentials(sim), `TrentService.${target}`, JSON.stringify(input), region)
  // The tests read into the answer's JSON freely, as the SDK's deserializer would.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const body = JSON.parse(answer.body) as Record<string, any>
  return { status: answer.status, contentType: answer.headers.get('content-type'), body }
}

const describeKey = (KeyId: string, region = EAST) => kms('DescribeKey', { KeyId }, region)

describe('DescribeKey', () => {
  it('finds a key by id, key ARN, alias name and alias ARN, with the whole KeyMetadata', async () => {
    const key = sim.addKey({ aliases: ['alias/release'], description: 'release images' })
    expect(key).toMatchObject({ region: EAST, arn: `arn:aws:kms:${EAST}:${ACCOUNT}:key/${key.keyId}`, keyManager: 'CUSTOMER', aliases: ['alias/release'] })
    expect(key.keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    for (const identifier of [key.keyId, key.arn, 'alias/release', `arn:aws:kms:${EAST}:${ACCOUNT}:alias/release`]) {
      const answer = await describeKey(identifier)
      expect([answer.status, answer.contentType]).toEqual([200, 'application/x-amz-json-1.1'])
      expect(answer.body.KeyMetadata).toEqual({
        AWSAccountId: ACCOUNT,
        KeyId: key.keyId,
        Arn: key.arn,
        CreationDate: clock.now() / 1000,
        Enabled: true,
        Description: 'release images',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: 'Enabled',
        Origin: 'AWS_KMS',
        KeyManager: 'CUSTOMER',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        MultiRegion: false
      })
    }
  })

  it('answers NotFoundException in KMS words for an unknown key or alias, and for a key of another region', async () => {
    const key = sim.addKey({ region: WEST })
    const unknown = '11111111-2222-3333-4444-555555555555'
    await expect(describeKey(unknown)).resolves.toMatchObject({
      status: 400,
      body: { __type: 'NotFoundException', message: `Key 'arn:aws:kms:${EAST}:${ACCOUNT}:key/${unknown}' does not exist` }
    })
    await expect(describeKey('alias/missing')).resolves.toMatchObject({
      status: 400,
      body: { __type: 'NotFoundException', message: `Alias arn:aws:kms:${EAST}:${ACCOUNT}:alias/missing is not found.` }
    })
    // Keys are regional: the key's id and its ARN name nothing in us-east-1.
    await expect(describeKey(key.keyId)).resolves.toMatchObject({ status: 400, body: { __type: 'NotFoundException' } })
    await expect(describeKey(key.arn)).resolves.toMatchObject({ status: 400, body: { message: `Key '${key.arn}' does not exist` } })
    await expect(describeKey(key.arn, WEST)).resolves.toMatchObject({ status: 200, body: { KeyMetadata: { Arn: key.arn } } })
  })

  it('makes the AWS managed key behind alias/aws/ebs the first time it is asked for, in that region only', async () => {
    expect(sim.keys()).toEqual([])
    const first = await describeKey('alias/aws/ebs')
    expect(first.body.KeyMetadata).toMatchObject({ KeyManager: 'AWS', KeyState: 'Enabled', Enabled: true })
    const again = await describeKey('alias/aws/ebs')
    expect(again.body.KeyMetadata.KeyId).toBe(first.body.KeyMetadata.KeyId)
    expect(sim.keys()).toEqual([expect.objectContaining({ region: EAST, keyManager: 'AWS', aliases: ['alias/aws/ebs'], arn: first.body.KeyMetadata.Arn })])
    await describeKey('alias/aws/ebs', WEST)
    expect(sim.keys().map((k) => k.region)).toEqual([EAST, WEST])
  })

  it('shows a multi-Region key with the same id in each region that holds it, primary or replica', async () => {
    const key = sim.addKey({ multiRegion: true, replicaRegions: [WEST] })
    expect(key.keyId).toMatch(/^mrk-[0-9a-f]{32}$/)
    const westArn = `arn:aws:kms:${WEST}:${ACCOUNT}:key/${key.keyId}`
    const primary = await describeKey(key.keyId)
    const replica = await describeKey(key.keyId, WEST)
    expect(primary.body.KeyMetadata).toMatchObject({
      MultiRegion: true,
      MultiRegionConfiguration: { MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: key.arn, Region: EAST }, ReplicaKeys: [{ Arn: westArn, Region: WEST }] }
    })
    expect(replica.body.KeyMetadata).toMatchObject({ Arn: westArn, MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' } })
    await expect(describeKey(key.keyId, 'ap-southeast-2')).resolves.toMatchObject({ status: 400, body: { __type: 'NotFoundException' } })
  })

  it('reports a disabled key as such', async () => {
    const key = sim.addKey({ state: 'Disabled' })
    await expect(describeKey(key.keyId)).resolves.toMatchObject({ body: { KeyMetadata: { Enabled: false, KeyState: 'Disabled' } } })
  })

  it('refuses a caller denied kms:DescribeKey with AccessDeniedException naming the key, in the denied region only', async () => {
    const key = sim.addKey({ multiRegion: true, replicaRegions: [WEST] })
    sim.deny({ action: 'kms:DescribeKey', region: EAST })
    await expect(describeKey(key.keyId)).resolves.toEqual({
      status: 400,
      contentType: 'application/x-amz-json-1.1',
      body: {
        __type: 'AccessDeniedException',
        message: `User: ${sim.staticKeys.arn} is not authorized to perform: kms:DescribeKey on resource: ${key.arn} because no identity-based policy allows the kms:DescribeKey action`
      }
    })
    await expect(describeKey(key.keyId, WEST)).resolves.toMatchObject({ status: 200 })
    // Denied, the AWS managed key is not made.
    await expect(describeKey('alias/aws/ebs')).resolves.toMatchObject({ status: 400, body: { __type: 'AccessDeniedException' } })
    expect(sim.keys().some((k) => k.keyManager === 'AWS')).toBe(false)
    expect(sim.calls.filter((c) => c.service === 'kms').map((c) => c.errorCode)).toEqual(['AccessDeniedException', undefined, 'AccessDeniedException'])
  })
})

describe('ListAliases', () => {
  it('lists the region aliases, the predefined alias/aws/ebs without TargetKeyId until its key exists', async () => {
    const key = sim.addKey({ aliases: ['alias/release', 'alias/images'] })
    sim.addKey({ region: WEST, aliases: ['alias/release'] })
    const before = await kms('ListAliases', {})
    expect(before.body).toEqual({
      Aliases: [
        { AliasName: 'alias/aws/ebs', AliasArn: `arn:aws:kms:${EAST}:${ACCOUNT}:alias/aws/ebs` },
        { AliasName: 'alias/release', AliasArn: `arn:aws:kms:${EAST}:${ACCOUNT}:alias/release`, TargetKeyId: key.keyId, CreationDate: clock.now() / 1000, LastUpdatedDate: clock.now() / 1000 },
        { AliasName: 'alias/images', AliasArn: `arn:aws:kms:${EAST}:${ACCOUNT}:alias/images`, TargetKeyId: key.keyId, CreationDate: clock.now() / 1000, LastUpdatedDate: clock.now() / 1000 }
      ],
      Truncated: false
    })
    const ebs = await describeKey('alias/aws/ebs')
    const after = await kms('ListAliases', {})
    expect(after.body.Aliases).toContainEqual(expect.objectContaining({ AliasName: 'alias/aws/ebs', TargetKeyId: ebs.body.KeyMetadata.KeyId }))
  })

  it("lists one key's aliases with KeyId, and pages with Limit and Marker", async () => {
    const key = sim.addKey({ aliases: ['alias/a', 'alias/b', 'alias/c'] })
    sim.addKey({ aliases: ['alias/other'] })
    const first = await kms('ListAliases', { KeyId: key.arn, Limit: 2 })
    expect(first.body.Aliases.map((a: { AliasName: string }) => a.AliasName)).toEqual(['alias/a', 'alias/b'])
    expect(first.body.Truncated).toBe(true)
    const second = await kms('ListAliases', { KeyId: key.arn, Limit: 2, Marker: first.body.NextMarker })
    expect(second.body).toEqual({ Aliases: [expect.objectContaining({ AliasName: 'alias/c' })], Truncated: false })
    await expect(kms('ListAliases', { KeyId: 'alias/nope' })).resolves.toMatchObject({ status: 400, body: { __type: 'NotFoundException' } })
    await expect(kms('ListAliases', { Limit: 101 })).resolves.toMatchObject({ status: 400, body: { __type: 'ValidationException' } })
    await expect(kms('ListAliases', { Marker: 'not-a-marker' })).resolves.toMatchObject({ status: 400, body: { __type: 'InvalidMarkerException' } })
  })

  it('refuses a caller denied kms:ListAliases', async () => {
    sim.deny({ action: 'kms:ListAliases' })
    await expect(kms('ListAliases', {})).resolves.toMatchObject({
      status: 400,
      body: { __type: 'AccessDeniedException', message: expect.stringContaining('is not authorized to perform: kms:ListAliases') }
    })
  })
})

describe('the endpoint', () => {
  it('is under AWS_ENDPOINT_URL_KMS, records its calls, and refuses the operations it does not simulate', async () => {
    expect(sim.env().AWS_ENDPOINT_URL_KMS).toBe(`${sim.url}/kms`)
    await expect(kms('Encrypt', { KeyId: 'alias/aws/ebs', Plaintext: 'eA==' })).resolves.toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } })
    expect(sim.calls.at(-1)).toMatchObject({ service: 'kms', action: 'Encrypt', region: EAST, principal: sim.staticKeys.arn })
  })

  it('throttles and fails as KMS does', async () => {
    sim.fault({ service: 'kms', action: 'DescribeKey', kind: 'throttle' })
    await expect(describeKey('alias/aws/ebs')).resolves.toMatchObject({ status: 400, body: { __type: 'ThrottlingException' } })
  })
})
