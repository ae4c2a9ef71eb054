import { describe, expect, it } from '@jest/globals'
import {
  AwsError,
  awsErrorCode,
  describeError,
  explainEc2Error,
  InputError,
  isExpiredCredentials,
  isThrottling,
  WaitError,
  type CallContext
} from '../src/errors.js'

/** An error shaped like the SDK's: the code in `name`, the service's text in `message`. */
function sdkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: 400 } })
}

const WHERE: CallContext = {
  region: 'eu-west-1',
  principal: 'role arn:aws:iam::123456789012:role/bake-ami (session bake-ami)',
  instanceId: 'i-0123456789abcdef0',
  imageId: 'ami-0fedcba9876543210',
  name: 'web-main-42'
}

describe('InputError', () => {
  it('names the input, the value and what is allowed', () => {
    const error = new InputError('wait', 'yes', 'expected a YAML boolean')
    expect(error).toBeInstanceOf(Error)
    expect(error.name).toBe('InputError')
    expect(error.message).toBe("Invalid value 'yes' for input 'wait': expected a YAML boolean")
    expect([error.input, error.value, error.allowed]).toStrictEqual(['wait', 'yes', 'expected a YAML boolean'])
  })

  it('leaves out a value that was not given', () => {
    expect(new InputError('name', undefined, 'is required and was not given').message).toBe(
      "Input 'name' is required and was not given"
    )
  })
})

describe('AwsError and WaitError', () => {
  it('carry what happened', () => {
    const cause = sdkError('AccessDenied', 'no')
    const aws = new AwsError('CreateImage', 'AccessDenied', 'sentence', cause)
    expect([aws.name, aws.operation, aws.code, aws.message, aws.cause]).toStrictEqual([
      'AwsError',
      'CreateImage',
      'AccessDenied',
      'sentence',
      cause
    ])
    const wait = new WaitError('timeout', 'gave up')
    expect([wait.name, wait.outcome, wait.message]).toStrictEqual(['WaitError', 'timeout', 'gave up'])
  })
})

describe('describeError', () => {
  const circular: Record<string, unknown> = {}
  circular.self = circular

  it.each([
    ['an Error', new Error('boom'), 'boom'],
    ['an Error without a message', new TypeError(''), 'TypeError'],
    ['a string', 'plain words', 'plain words'],
    ['an object', { code: 'X', count: 2 }, '{"code":"X","count":2}'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a number', 42, '42'],
    ['a circular object', circular, '[object Object]'],
    ['a bigint', 7n, '7']
  ])('describes %s', (_, error, text) => {
    expect(describeError(error)).toBe(text)
  })
})

describe('error codes', () => {
  it('reads the code from the name of an Error and calls anything else unknown', () => {
    expect(awsErrorCode(sdkError('InvalidAMIID.NotFound', 'x'))).toBe('InvalidAMIID.NotFound')
    expect(awsErrorCode('InvalidAMIID.NotFound')).toBe('UnknownError')
    expect(awsErrorCode({ name: 'Throttling' })).toBe('UnknownError')
  })

  it.each(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestThrottled'])(
    'counts %s as throttling',
    code => {
      expect(isThrottling(sdkError(code, 'slow down'))).toBe(true)
    }
  )

  it('reads the code through the AwsError that explains an SDK error, as every EC2 call throws it', () => {
    const explained = explainEc2Error('DescribeImages', sdkError('RequestLimitExceeded', 'Request limit exceeded.'), WHERE)
    expect(explained).toBeInstanceOf(AwsError)
    expect(explained.name).toBe('AwsError')
    expect(awsErrorCode(explained)).toBe('RequestLimitExceeded')
    expect(isThrottling(explained)).toBe(true)
    expect(isThrottling(explainEc2Error('DescribeImages', sdkError('UnauthorizedOperation', 'no'), WHERE))).toBe(false)
  })

  it.each(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired'])('counts %s as expired credentials', code => {
    expect(isExpiredCredentials(sdkError(code, 'expired'))).toBe(true)
  })

  it('counts other codes as neither', () => {
    const error = sdkError('UnauthorizedOperation', 'no')
    expect([isThrottling(error), isExpiredCredentials(error)]).toStrictEqual([false, false])
  })
})

describe('explainEc2Error', () => {
  it.each([
    [
      'UnauthorizedOperation',
      'CreateImage',
      'You are not authorized to perform this operation. Encoded authorization failure message: abc',
      [
        `${WHERE.principal} is not allowed to call ec2:CreateImage in eu-west-1. ` +
          `Add "ec2:CreateImage" to the Action list of the role's permission policy (README: IAM permissions).`
      ]
    ],
    ['AuthFailure', 'DescribeImages', 'AWS was not able to validate the provided access credentials', [
      `AWS rejected the credentials of ${WHERE.principal} for ec2:DescribeImages in eu-west-1: AWS was not able to validate`
    ]],
    ['InvalidInstanceID.NotFound', 'CreateImage', "The instance ID 'i-0123456789abcdef0' does not exist", [
      'Instance i-0123456789abcdef0 was not found in eu-west-1.',
      "Check 'instance-id' and 'aws-region'"
    ]],
    ['InvalidInstanceID.Malformed', 'CreateImage', 'Invalid id', ['Instance i-0123456789abcdef0 was not found in eu-west-1.']],
    ['IncorrectInstanceState', 'CreateImage', "The instance 'i-0123456789abcdef0' is not in a state from which it can be imaged.", [
      'Instance i-0123456789abcdef0 cannot be imaged in its current state (The instance',
      'Image a running or stopped instance.'
    ]],
    ['InvalidAMIName.Duplicate', 'CreateImage', 'AMI name web-main-42 is already in use by AMI ami-0abc123def4567890', [
      "An AMI named 'web-main-42' already exists in eu-west-1 (ami-0abc123def4567890).",
      "add {{ run_attempt }} or {{ datetime }} to the 'name' input, or set 'if-exists: reuse' to carry on with that image, or 'if-exists: replace'"
    ]],
    ['InvalidAMIName.Malformed', 'CreateImage', 'AMI names must be between 3 and 128 characters long.', [
      "EC2 rejected the AMI name 'web-main-42': AMI names must be between 3 and 128 characters long. Change the 'name' input."
    ]],
    ['InvalidBlockDeviceMapping', 'CreateImage', 'The device /dev/sdz is not valid.', [
      "EC2 rejected the 'block-device-mappings' input: The device /dev/sdz is not valid."
    ]],
    ['InvalidParameterValue', 'CreateImage', 'Value (é) for parameter description is invalid. Character sets beyond ASCII are not supported.', [
      "EC2 rejected a parameter of CreateImage (check the 'description' input): Value (é) for parameter description is invalid."
    ]],
    ['InvalidParameterValue', 'CreateImage', 'Tag value cannot be longer than 256 characters', ["(check the 'tags' input)"]],
    ['InvalidParameterValue', 'CreateImage', 'Invalid value for parameter blockDeviceMapping.1.ebs.iops', [
      "(check the 'block-device-mappings' input)"
    ]],
    ['InvalidParameter', 'CreateImage', 'SnapshotLocation local is only supported for instances on an Outpost', [
      "EC2 rejected a parameter of CreateImage (check the 'snapshot-location' input)"
    ]],
    ['InvalidParameterCombination', 'CreateImage', 'Invalid AMI name: name contains an invalid character', ["(check the 'name' input)"]],
    ['InvalidAMIID.NotFound', 'DeregisterImage', "The image id '[ami-0fedcba9876543210]' does not exist", [
      'Image ami-0fedcba9876543210 no longer exists in eu-west-1: something else deregistered it.'
    ]],
    ['RequestExpired', 'DescribeImages', 'Request has expired.', [
      `The AWS credentials of ${WHERE.principal} expired during ec2:DescribeImages and could not be renewed: Request has expired.`
    ]],
    ['ExpiredToken', 'DescribeImages', 'The security token included in the request is expired', ['expired during ec2:DescribeImages']],
    ['RequestLimitExceeded', 'DescribeImages', 'Request limit exceeded.', [
      'EC2 kept throttling ec2:DescribeImages in eu-west-1 (RequestLimitExceeded) after several retries',
      'Re-run the job later.'
    ]],
    ['InternalError', 'DescribeSnapshots', 'An internal error has occurred', [
      'ec2:DescribeSnapshots failed in eu-west-1: InternalError: An internal error has occurred'
    ]]
  ])('explains %s from ec2:%s', (code, operation, message, fragments) => {
    const cause = sdkError(code, message)
    const error = explainEc2Error(operation, cause, WHERE)
    expect(error).toBeInstanceOf(AwsError)
    expect([error.operation, error.code, error.cause]).toStrictEqual([operation, code, cause])
    for (const fragment of fragments) expect(error.message).toContain(fragment)
  })

  it.each([
    ['InvalidSnapshot.NotFound', 'RegisterImage', "The snapshot 'snap-0123456789abcdef0' does not exist.", [
      'Snapshot snap-0123456789abcdef0 was not found in eu-west-1.',
      "Check 'snapshot-id' and 'aws-region'",
      'Nothing was registered.'
    ]],
    ['InvalidSnapshotID.Malformed', 'DescribeSnapshots', 'Invalid id: "snap-1"', ['Snapshot snap-0123456789abcdef0 was not found in eu-west-1.']],
    ['IncorrectState', 'RegisterImage', "Snapshot 'snap-0123456789abcdef0' is not 'completed' (it is 'pending').", [
      "Snapshot snap-0123456789abcdef0 in eu-west-1 cannot be registered yet (Snapshot 'snap-0123456789abcdef0' is not 'completed' (it is 'pending')).",
      'Wait until it is completed'
    ]],
    ['InvalidParameterCombination', 'RegisterImage', 'NitroTPM support (TpmSupport v2.0) requires the boot mode uefi.', ["(check the 'tpm-support' input)"]],
    ['InvalidParameterValue', 'RegisterImage', 'Value (x) for parameter bootMode is invalid.', ["(check the 'boot-mode' input)"]],
    ['InvalidParameterValue', 'RegisterImage', 'Value (x) for parameter architecture is invalid.', ["(check the 'architecture' input)"]],
    ['InvalidBlockDeviceMapping', 'RegisterImage', 'Volume of size 4GiB is smaller than snapshot', [
      "EC2 rejected the block device mappings (the root from 'snapshot-id', 'root-volume-size' and 'root-volume-type', then 'block-device-mappings')"
    ]]
  ])('explains %s from ec2:%s on a snapshot', (code, operation, message, fragments) => {
    const error = explainEc2Error(operation, sdkError(code, message), { ...WHERE, snapshotId: 'snap-0123456789abcdef0' })
    expect(error.code).toBe(code)
    for (const fragment of fragments) expect(error.message).toContain(fragment)
  })

  it.each(['InvalidSnapshot.NotFound', 'IncorrectState'])('does not name a snapshot in %s when the call was about none', code => {
    const error = explainEc2Error('DescribeSnapshots', sdkError(code, 'something'), WHERE)
    expect(error.message).toBe(`ec2:DescribeSnapshots failed in eu-west-1: ${code}: something.`)
  })

  it('names the existing image, not an ami- inside the name itself', () => {
    const error = explainEc2Error(
      'CreateImage',
      sdkError('InvalidAMIName.Duplicate', 'AMI name ami-base-42 is already in use by AMI ami-0abc123def4567890'),
      { ...WHERE, name: 'ami-base-42' }
    )
    expect(error.message).toContain("An AMI named 'ami-base-42' already exists in eu-west-1 (ami-0abc123def4567890).")
  })

  it('names no existing image when the duplicate-name message carries none', () => {
    const error = explainEc2Error('CreateImage', sdkError('InvalidAMIName.Duplicate', 'AMI name is already in use'), WHERE)
    expect(error.message).toContain("An AMI named 'web-main-42' already exists in eu-west-1. AMI names are unique")
  })

  it('adds no input hint to an invalid parameter it cannot place', () => {
    const error = explainEc2Error('CreateImage', sdkError('InvalidParameterValue', 'Value (x) for parameter foo is invalid'), WHERE)
    expect(error.message).toBe('EC2 rejected a parameter of CreateImage: Value (x) for parameter foo is invalid.')
  })

  it('explains a thrown string as an unknown error', () => {
    const error = explainEc2Error('CreateImage', 'socket hang up', WHERE)
    expect([error.code, error.message]).toStrictEqual(['UnknownError', 'ec2:CreateImage failed in eu-west-1: UnknownError: socket hang up.'])
  })
})
