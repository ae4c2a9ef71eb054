import { DescribeImageReferencesCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, type PutParameterCommandInput, type SSMClient } from '@aws-sdk/client-ssm'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, ssmClient, staticCredentials, type ManualClock } from './helpers.js'

// Parameter Store over JSON 1.1 (issue 16): PutParameter, GetParameter and DeleteParameter through the real SSM
// client, with Parameter Store's own errors. The aws:ec2:image validation has its own file.

const ARN = 'arn:aws:ssm:us-east-1:123456789012:parameter'
const sims = simPerTest()
let clock: ManualClock
let sim: Sim
let ssm: SSMClient

beforeEach(async () => {
  clock = manualClock()
  sim = await sims.start({ clock: clock.now })
  ssm = ssmClient(staticCredentials(sim))
})

afterEach(() => {
  ssm.destroy()
})

const put = (input: Partial<PutParameterCommandInput>) => ssm.send(new PutParameterCommand({ Name: '/app/config', Value: 'v', Type: 'String', ...input }))
const get = (Name: string) => ssm.send(new GetParameterCommand({ Name }))

describe('PutParameter and GetParameter', () => {
  it('creates a parameter and reads it back with every field GetParameter has', async () => {
    const answer = await put({ Name: '/app/config', Value: 'blue' })
    expect([answer.Version, answer.Tier]).toEqual([1, 'Standard'])
    const { Parameter } = await get('/app/config')
    expect(Parameter).toEqual({
      Name: '/app/config',
      Type: 'String',
      Value: 'blue',
      Version: 1,
      LastModifiedDate: new Date(clock.now()),
      ARN: `${ARN}/app/config`,
      DataType: 'text'
    })
    expect(sim.parameters()).toEqual([expect.objectContaining({ name: '/app/config', value: 'blue', version: 1, arn: `${ARN}/app/config` })])
  })

  it('overwrites only when told to, and each write is one more version', async () => {
    await put({ Value: 'one' })
    const refused = await rejection(put({ Value: 'two' }))
    expect([refused.name, refused.message, refused.$metadata?.httpStatusCode]).toEqual([
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      400
    ])
    await expect(put({ Value: 'two', Overwrite: true })).resolves.toMatchObject({ Version: 2 })
    // The type may be left out on an update: the parameter keeps its own.
    await expect(put({ Value: 'three', Overwrite: true, Type: undefined })).resolves.toMatchObject({ Version: 3 })
    await expect(get('/app/config')).resolves.toMatchObject({ Parameter: { Value: 'three', Version: 3, Type: 'String' } })
  })

  it('treats /name and name as one parameter, keeping the name it was made with', async () => {
    await put({ Name: 'web-ami', Value: 'a' })
    await expect(rejection(put({ Name: '/web-ami', Value: 'b' }))).resolves.toMatchObject({ name: 'ParameterAlreadyExists' })
    await expect(get('/web-ami')).resolves.toMatchObject({ Parameter: { Name: 'web-ami', ARN: `${ARN}/web-ami` } })
  })

  it('shows a SecureString encrypted unless asked WithDecryption', async () => {
    await put({ Name: '/app/secret', Value: 'hunter2', Type: 'SecureString' })
    const plain = await ssm.send(new GetParameterCommand({ Name: '/app/secret', WithDecryption: true }))
    const sealed = await get('/app/secret')
    expect(plain.Parameter?.Value).toBe('hunter2')
    expect(sealed.Parameter?.Value).not.toContain('hunter2')
  })

  it('takes the tier from the value: 4096 characters in Standard, more only in Advanced or Intelligent-Tiering', async () => {
    await expect(put({ Name: '/big/a', Value: 'x'.repeat(4096) })).resolves.toMatchObject({ Tier: 'Standard' })
    const refused = await rejection(put({ Name: '/big/b', Value: 'x'.repeat(4097) }))
    expect([refused.name, refused.message]).toEqual(['ValidationException', 'Standard tier parameters support a maximum parameter value of 4096 characters.'])
    await expect(put({ Name: '/big/c', Value: 'x'.repeat(4097), Tier: 'Intelligent-Tiering' })).resolves.toMatchObject({ Tier: 'Advanced' })
    await expect(put({ Name: '/big/d', Value: 'x', Tier: 'Intelligent-Tiering' })).resolves.toMatchObject({ Tier: 'Standard' })
  })

  it('holds every later value to the AllowedPattern, matched against the whole value', async () => {
    await put({ Name: '/app/max', Value: '100', AllowedPattern: '\\d{1,4}' })
    const refused = await rejection(put({ Name: '/app/max', Value: '10,000', Overwrite: true }))
    expect([refused.name, refused.message]).toEqual(['ParameterPatternMismatchException', 'Parameter value, cannot be validated against allowedPattern: \\d{1,4}'])
    await expect(put({ Name: '/app/max', Value: '9999', Overwrite: true })).resolves.toMatchObject({ Version: 2 })
  })

  it('is not found until made, and GetParameter says nothing more (ParameterNotFound has no message)', async () => {
    const missing = await rejection(get('/nothing/here'))
    // The SDK fills in a message of its own when the answer has none.
    expect([missing.name, missing.$metadata?.httpStatusCode, missing.message]).toEqual(['ParameterNotFound', 400, 'UnknownError'])
    expect(sim.calls.at(-1)).toMatchObject({ service: 'ssm', action: 'GetParameter', status: 400, errorCode: 'ParameterNotFound' })
  })
})

describe('DeleteParameter', () => {
  it('deletes, then answers ParameterNotFound; a parameter made again starts at version 1', async () => {
    await put({ Value: 'one' })
    await put({ Value: 'two', Overwrite: true })
    await expect(ssm.send(new DeleteParameterCommand({ Name: '/app/config' }))).resolves.toBeDefined()
    await expect(rejection(get('/app/config'))).resolves.toMatchObject({ name: 'ParameterNotFound' })
    await expect(rejection(ssm.send(new DeleteParameterCommand({ Name: '/app/config' })))).resolves.toMatchObject({ name: 'ParameterNotFound' })
    await expect(put({ Value: 'again' })).resolves.toMatchObject({ Version: 1 })
    expect(sim.parameters()).toEqual([expect.objectContaining({ value: 'again', version: 1 })])
  })
})

describe('what Parameter Store refuses', () => {
  const NAME_RULES =
    'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_'

  it.each([
    ['a hierarchy without its leading slash', { Name: 'images/web' }, 'ValidationException', NAME_RULES],
    ['a space', { Name: '/images/web ami' }, 'ValidationException', NAME_RULES],
    ['an empty level', { Name: '/images//web' }, 'ValidationException', NAME_RULES],
    ['the ssm prefix, in any case', { Name: '/SSM/web' }, 'ValidationException', NAME_RULES],
    ['the aws prefix, in any case', { Name: '/Aws/web' }, 'AccessDeniedException', 'No access to reserved parameter name'],
    ['a flat name with the aws prefix', { Name: 'awsTestParameter' }, 'AccessDeniedException', 'No access to reserved parameter name'],
    ['16 levels', { Name: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}` }, 'HierarchyLevelLimitExceededException', 'maximum of 15 levels'],
    ['a name whose ARN passes 1011 characters', { Name: `/${'n'.repeat(1000)}` }, 'ValidationException', 'at most 1011 characters'],
    ['a new parameter without a type', { Type: undefined }, 'ValidationException', 'A parameter type is required when you create a parameter.'],
    [
      'an unknown type',
      { Type: 'Text' as 'String' },
      'ValidationException',
      "1 validation error detected: Value 'Text' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [String, StringList, SecureString]"
    ],
    ['an unknown data type', { DataType: 'aws:ec2:instance' }, 'ValidationException', 'The data type aws:ec2:instance is not supported'],
    ['an image id in a StringList', { DataType: 'aws:ec2:image', Type: 'StringList', Value: 'ami-0123456789abcdef0' }, 'ValidationException', 'String parameters only'],
    ['tags with Overwrite', { Overwrite: true, Tags: [{ Key: 'team', Value: 'web' }] }, 'ValidationException', "tags and overwrite can't be used together"],
    ['an AllowedPattern that is no pattern', { AllowedPattern: '(' }, 'InvalidAllowedPatternException', 'regular expression']
  ] as const)('refuses %s', async (_, input, code, message) => {
    const error = await rejection(put(input as Partial<PutParameterCommandInput>))
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, 400])
    expect(error.message).toContain(message)
    expect(sim.parameters()).toEqual([])
  })

  it('refuses a request without a name in the words of AWS request validation', async () => {
    const error = await rejection(ssm.send(new GetParameterCommand({ Name: undefined as unknown as string })))
    expect([error.name, error.message]).toEqual([
      'ValidationException',
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
    ])
  })

  it('lets a read name the reserved /aws/ namespace, where the sim has no public parameters', async () => {
    await expect(rejection(get('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'))).resolves.toMatchObject({ name: 'ParameterNotFound' })
  })

  it('refuses to change the type of a parameter, or its data type to or from aws:ec2:image', async () => {
    await put({ Value: 'v' })
    const typeChange = await rejection(put({ Value: 'v', Type: 'SecureString', Overwrite: true }))
    expect(typeChange.name).toBe('HierarchyTypeMismatchException')
    const dataTypeChange = await rejection(put({ Value: 'ami-0123456789abcdef0', DataType: 'aws:ec2:image', Overwrite: true }))
    expect([dataTypeChange.name, dataTypeChange.message]).toEqual([
      'ValidationException',
      "The data type of parameter /app/config is text: a parameter can't be changed to or from the aws:ec2:image data type."
    ])
    await expect(get('/app/config')).resolves.toMatchObject({ Parameter: { Version: 1, DataType: 'text' } })
  })
})

describe('permissions, faults and the wire', () => {
  it('refuses ssm:<Action> on the parameter ARN with AccessDeniedException, for the principal denied', async () => {
    sim.deny({ action: 'ssm:PutParameter', principal: sim.staticKeys.arn })
    const error = await rejection(put({ Name: '/images/web' }))
    expect([error.name, error.$metadata?.httpStatusCode, error.message]).toEqual([
      'AccessDeniedException',
      400,
      `User: ${sim.staticKeys.arn} is not authorized to perform: ssm:PutParameter on resource: ${ARN}/images/web because no identity-based policy allows the ssm:PutParameter action`
    ])
    sim.deny({ action: 'ssm:GetParameter' })
    sim.deny({ action: 'ssm:DeleteParameter' })
    await expect(rejection(get('web'))).resolves.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining(`on resource: ${ARN}/web `) })
    await expect(rejection(ssm.send(new DeleteParameterCommand({ Name: 'web' })))).resolves.toMatchObject({ name: 'AccessDeniedException' })
    expect(sim.parameters()).toEqual([])
  })

  it.each([
    ['throttle', 'ThrottlingException', 400, 'Rate exceeded'],
    ['server-error', 'InternalServerError', 500, 'An error occurred on the server side.']
  ] as const)('%s answers %s without doing the work', async (kind, code, status, message) => {
    sim.fault({ service: 'ssm', action: 'PutParameter', kind })
    const error = await rejection(put({}))
    expect([error.name, error.$metadata?.httpStatusCode, error.message]).toEqual([code, status, message])
    expect(sim.parameters()).toEqual([])
    expect(sim.calls.at(-1)).toMatchObject({ service: 'ssm', action: 'PutParameter', status, errorCode: code, fault: kind })
  })

  it('reset-after-processing writes the parameter, and the SDK retry then finds it there', async () => {
    const retrying = ssmClient(staticCredentials(sim), { maxAttempts: 2 })
    sim.fault({ service: 'ssm', action: 'PutParameter', kind: 'reset-after-processing' })
    const error = await rejection(retrying.send(new PutParameterCommand({ Name: '/app/config', Value: 'v', Type: 'String' })))
    retrying.destroy()
    expect(error.name).toBe('ParameterAlreadyExists')
    expect(sim.parameters()).toEqual([expect.objectContaining({ version: 1 })])
  })

  it('is reached through AWS_ENDPOINT_URL_SSM, signed for ssm, and logs each call with its JSON members', async () => {
    expect(sim.env().AWS_ENDPOINT_URL_SSM).toBe(`${sim.url}/ssm`)
    await put({ Name: '/app/config', Value: 'v', Overwrite: true })
    expect(sim.calls).toEqual([
      expect.objectContaining({
        service: 'ssm',
        action: 'PutParameter',
        region: 'us-east-1',
        principal: sim.staticKeys.arn,
        status: 200,
        params: { Name: '/app/config', Value: 'v', Type: 'String', Overwrite: 'true' }
      })
    ])
  })

  it('answers bad credentials as AWS JSON services do', async () => {
    const unknown = ssmClient({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' })
    const wrongSecret = ssmClient({ ...staticCredentials(sim), secretAccessKey: 'not-the-secret' })
    await expect(rejection(unknown.send(new GetParameterCommand({ Name: 'web' })))).resolves.toMatchObject({ name: 'UnrecognizedClientException' })
    await expect(rejection(wrongSecret.send(new GetParameterCommand({ Name: 'web' })))).resolves.toMatchObject({ name: 'InvalidSignatureException' })
    unknown.destroy()
    wrongSecret.destroy()
  })

  it('writes to the store DescribeImageReferences reads', async () => {
    const ec2: EC2Client = ec2Client(staticCredentials(sim))
    await put({ Name: '/images/web', Value: 'ami-0123456789abcdef0' })
    const { ImageReferences } = await ec2.send(new DescribeImageReferencesCommand({ ImageIds: ['ami-0123456789abcdef0'], IncludeAllResourceTypes: true }))
    ec2.destroy()
    expect(ImageReferences).toEqual([{ ImageId: 'ami-0123456789abcdef0', ResourceType: 'ssm:Parameter', Arn: `${ARN}/images/web` }])
  })
})
