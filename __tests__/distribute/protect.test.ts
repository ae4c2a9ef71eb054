/** Deregistration protection on fake EC2s: every image, with or without the cooldown, and a warning for each failure. */
import { describe, expect, it } from '@jest/globals'
import type { Aws } from '../../src/aws.js'
import { protect } from '../../src/distribute/index.js'
import type { Ec2 } from '../../src/ec2/index.js'
import { AwsError } from '../../src/errors.js'
import { refuseDistribution, noParameterStore, noKeyService } from '../fakes/ec2.js'

const IMAGES = [
  { region: 'us-east-1', imageId: 'ami-source' },
  { region: 'eu-west-1', imageId: 'ami-copy' }
]

function fakeAws(failIn?: string) {
  const calls: string[] = []
  const aws: Aws = {
    ssm: noParameterStore,
    kms: noKeyService,
    ec2: region =>
      ({
        ...refuseDistribution(),
        region,
        async protectImage(imageId, withCooldown) {
          calls.push(`${region}: ${imageId}${withCooldown ? ' with cooldown' : ''}`)
          if (region === failIn) throw new AwsError('EnableImageDeregistrationProtection', 'UnauthorizedOperation', `not allowed in ${region}`)
        }
      }) as Ec2
  }
  return { aws, calls }
}

const running = { log: () => undefined, signal: new AbortController().signal }

describe('protect', () => {
  it('protects every image, with the cooldown when asked', async () => {
    const { aws, calls } = fakeAws()
    await expect(protect(aws, IMAGES, 'on-with-cooldown', running)).resolves.toEqual([])
    expect(calls).toEqual(['us-east-1: ami-source with cooldown', 'eu-west-1: ami-copy with cooldown'])
  })

  it('asks nothing when off', async () => {
    const { aws, calls } = fakeAws()
    await expect(protect(aws, IMAGES, 'off', running)).resolves.toEqual([])
    expect(calls).toEqual([])
  })

  it('turns each failure into a sentence with the command, and protects the others', async () => {
    const { aws, calls } = fakeAws('eu-west-1')
    const problems = await protect(aws, IMAGES, 'on', running)
    expect(calls).toHaveLength(2)
    expect(problems).toEqual([
      'Could not protect ami-copy in eu-west-1 from deregistration: not allowed in eu-west-1. The release stands; protect it by hand: ' +
        'aws ec2 enable-image-deregistration-protection --region eu-west-1 --image-id ami-copy'
    ])
  })

  it('changes nothing once the job is cancelled', async () => {
    const { aws, calls } = fakeAws()
    const cancelled = new AbortController()
    cancelled.abort()
    const problems = await protect(aws, IMAGES, 'on', { log: () => undefined, signal: cancelled.signal })
    expect(calls).toEqual([])
    expect(problems).toEqual([expect.stringContaining('cancelled')])
  })
})
