/**
 * Inputs as a runner passes them: a bad one fails the step before any request (the sim sees nothing) with one
 * error that names the input and the value; and the region comes from the input, then AWS_REGION, then
 * AWS_DEFAULT_REGION.
 */
import { describe, expect, it } from '@jest/globals'
import { ec2Calls, expectFailure, expectSuccess, withHarness } from './harness.js'

interface BadInput {
  readonly input: string
  readonly value: string
  /** What the message must show besides the input's name; default the value itself. */
  readonly shows?: readonly string[]
  /** For the test's title, when the value is long. */
  readonly label?: string
}

const FIFTY_ONE_TAGS = Array.from({ length: 51 }, (_, i) => `Key${i + 1}=value ${i + 1}`).join('\n')

const BAD_INPUTS: readonly BadInput[] = [
  { input: 'instance-id', value: 'i-12345' },
  { input: 'instance-id', value: 'ami-0123456789abcdef0' },
  // An unknown placeholder: the message lists the ones there are.
  { input: 'name', value: 'web {{ branch }}', shows: ['web {{ branch }}', 'ref_name', 'run_attempt'] },
  { input: 'name', value: 'web:{{ ref_name }}', shows: ['web:{{ ref_name }}', "':'"] },
  { input: 'wait-timeout', value: '0', shows: ['0', '1s', '72h'] },
  { input: 'wait-timeout', value: '73h', shows: ['73h', '72h'] },
  { input: 'wait-timeout', value: '9'.repeat(400), shows: ['9'.repeat(400), '72h'], label: '400 digits' },
  { input: 'no-reboot', value: 'yes' },
  { input: 'cleanup-on-failure', value: 'on' },
  { input: 'role-to-assume', value: 'arn:aws:iam::123456789012:user/release' },
  { input: 'role-duration-seconds', value: '600', shows: ['600', '900'] },
  { input: 'tags', value: FIFTY_ONE_TAGS, shows: ['51', '50'], label: '51 tags' },
  { input: 'tags', value: 'aws:owner=release', shows: ['aws:owner=release', "'aws:'"] },
  { input: 'block-device-mappings', value: '[{"DeviceName":"/dev/sdb",}]' },
  { input: 'block-device-mappings', value: '[{"DeviceName":"/dev/sdb","Ebs":{"VolumeSize":"100"}}]', shows: ['VolumeSize'] },
  // A bad item of a list is named alone.
  { input: 'copy-to-regions', value: 'eu-central-1, Frankfurt', shows: ["'Frankfurt'", 'commas or newlines'] },
  { input: 'share-with-accounts', value: '12345', shows: ['12345', '12-digit'] },
  { input: 'share-with-ous', value: 'ou-ab12-cd34ef56', shows: ['ou-ab12-cd34ef56', 'arn:aws:organizations::'] },
  { input: 'deprecate-after', value: '90m', shows: ['90m', '36h', '90d', '26w'] },
  { input: 'deprecate-after', value: '11000d', shows: ['11000d', '10 years', '3650d'] },
  { input: 'family', value: 'web-{{ ref_name }}', shows: ['web-{{ ref_name }}', 'placeholders', 'every run'] },
  { input: 'keep-latest', value: '3', shows: ["'3'", "'family'"] },
  { input: 'if-exists', value: 'overwrite', shows: ['overwrite', 'fail, reuse, replace'] },
  { input: 'tags', value: 'bake-ami:family=web', shows: ['bake-ami:family', "'family'"] },
  // Refused for its value before anything is said about the copies it needs.
  { input: 'copy-completion-minutes', value: '10', shows: ["'10'", '15 to 2880', 'steps of 15'] },
  { input: 'copy-completion-minutes', value: '17', shows: ["'17'", 'not a multiple of 15', '15 and 30'] }
]

describe('bad inputs fail before any request', () => {
  it.concurrent.each(BAD_INPUTS.map(bad => [bad.input, bad.label ?? bad.value, bad] as const))(
    '%s %j',
    (_input, _shown, bad) =>
      withHarness({}, async h => {
        const main = await h.main({ [bad.input]: bad.value })
        expectFailure(main, `'${bad.input}'`, ...(bad.shows ?? [bad.value]))
        expect(h.sim.calls).toEqual([])
        expect(main.outputs).toEqual({})
      })
  )

  it.concurrent('copy-to-regions with wait false: what acts on the available image needs the step to wait', () =>
    withHarness({}, async h => {
      const main = await h.main({ 'copy-to-regions': 'eu-central-1', wait: 'false' })
      expectFailure(main, "'copy-to-regions'", 'eu-central-1', "'wait: false'")
      expect(h.sim.calls).toEqual([])
      expect(main.outputs).toEqual({})
    })
  )

  it.concurrent("a key ARN of another region than the bake region: EBS uses only the image's own region's keys", () =>
    withHarness({}, async h => {
      const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'
      const main = await h.main({ encrypt: 'true', 'kms-key-id': key })
      expectFailure(main, "'kms-key-id'", key, 'names eu-west-1', 'baked in us-east-1')
      expect(h.sim.calls).toEqual([])
      expect(main.outputs).toEqual({})
    })
  )

  it.concurrent('a missing region, with neither AWS_REGION nor AWS_DEFAULT_REGION set', () =>
    withHarness({}, async h => {
      const main = await h.main({ 'aws-region': '' })
      expectFailure(main, "'aws-region'", 'AWS_REGION', 'AWS_DEFAULT_REGION')
      expect(h.sim.calls).toEqual([])
      expect(main.outputs).toEqual({})
    })
  )
})

describe('the region to bake in', () => {
  // The instance exists only in the region expected, so a bake in any other region fails.
  it.concurrent.each([
    ['the aws-region input over AWS_REGION and AWS_DEFAULT_REGION', 'eu-west-3', { AWS_REGION: 'eu-west-2', AWS_DEFAULT_REGION: 'eu-west-1' }, 'eu-west-3'],
    ['AWS_REGION over AWS_DEFAULT_REGION', '', { AWS_REGION: 'eu-west-2', AWS_DEFAULT_REGION: 'eu-west-1' }, 'eu-west-2'],
    ['AWS_DEFAULT_REGION when nothing else is set', '', { AWS_DEFAULT_REGION: 'eu-west-1' }, 'eu-west-1']
  ])('is %s', (_title, input, env, expected) =>
    withHarness({ region: expected }, async h => {
      const main = await h.main({ 'aws-region': input, wait: 'false' }, { env })
      expectSuccess(main)
      expect(ec2Calls(h.sim).map(call => [call.action, call.region])).toEqual([['CreateImage', expected]])
      expect(main.outputs.region).toBe(expected)
      expect(h.sim.images().map(image => [image.imageId, image.region])).toEqual([[main.outputs['image-id'], expected]])
    })
  )
})
