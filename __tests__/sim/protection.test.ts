import {
  CopyImageCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DisableImageDeregistrationProtectionCommand,
  EnableImageDeregistrationProtectionCommand,
  type EC2Client
} from '@aws-sdk/client-ec2'
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, staticCredentials, type ManualClock } from './helpers.js'

// What retention must respect before it deregisters anything (issue 18): deregistration protection, with its 24 h
// cooldown, and when EC2 last saw an image launched.

const DAY_MS = 24 * 60 * 60 * 1000
const sims = simPerTest()
let clock: ManualClock
let sim: Sim
let ec2: EC2Client

beforeEach(async () => {
  clock = manualClock()
  sim = await sims.start({ clock: clock.now })
  ec2 = ec2Client(staticCredentials(sim))
})

afterEach(() => {
  jest.useRealTimers()
  ec2.destroy()
})

async function describeOne(imageId: string) {
  const { Images } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }))
  return Images![0]
}

async function deregisterRefusal(imageId: string) {
  const error = await rejection(ec2.send(new DeregisterImageCommand({ ImageId: imageId })))
  return [error.name, error.$metadata?.httpStatusCode, error.message]
}

/**
 * Moves the sim's clock and the process's Date together by `ms`, and gives `ec2` a new client. The SDK signs with
 * Date and the sim refuses a signature 15 minutes off its clock, so a day can only pass for both at once. Only Date
 * is faked: sockets and timers keep running. The new client matters because the sim's HTTP Date header stays on the
 * real clock: a client that saw it a day off its own would "correct" its clock back for the next request.
 */
function passTime(ms: number): void {
  clock.advance(ms)
  jest.useFakeTimers({
    now: Date.now() + ms,
    doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout']
  })
  ec2.destroy()
  ec2 = ec2Client(staticCredentials(sim))
}

describe('deregistration protection', () => {
  it('is off by default, and DescribeImages says so', async () => {
    const imageId = sim.addImage({ name: 'plain' })
    expect((await describeOne(imageId)).DeregistrationProtection).toBe('disabled')
    expect(sim.images()[0].deregistrationProtection).toBe('disabled')
  })

  it('refuses to deregister a protected image until protection is turned off', async () => {
    const imageId = sim.addImage({ name: 'release', deregistrationProtection: 'enabled' })
    expect((await describeOne(imageId)).DeregistrationProtection).toBe('enabled-without-cooldown')
    expect(await deregisterRefusal(imageId)).toEqual([
      'OperationNotPermitted',
      400,
      `The image '${imageId}' has deregistration protection enabled and cannot be deregistered. Disable deregistration protection first.`
    ])
    expect(sim.images()[0].state).toBe('available')

    await expect(ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: imageId }))).resolves.toMatchObject({ Return: 'disabled' })
    expect((await describeOne(imageId)).DeregistrationProtection).toBe('disabled')
    await expect(ec2.send(new DeregisterImageCommand({ ImageId: imageId }))).resolves.toMatchObject({ Return: true })
  })

  it('turns on with or without cooldown, and answers with the state it leaves', async () => {
    const imageId = sim.addImage({ name: 'release' })
    await expect(ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: imageId }))).resolves.toMatchObject({ Return: 'enabled-without-cooldown' })
    await expect(ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: imageId, WithCooldown: true }))).resolves.toMatchObject({
      Return: 'enabled-with-cooldown'
    })
    expect((await describeOne(imageId)).DeregistrationProtection).toBe('enabled-with-cooldown')
    expect((await deregisterRefusal(imageId))[0]).toBe('OperationNotPermitted')
    // Turning it off twice changes nothing the second time.
    await ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: imageId }))
    const until = new Date(clock.now() + DAY_MS).toISOString()
    await expect(ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: imageId }))).resolves.toMatchObject({ Return: `disabled-until ${until}` })
  })

  it('holds a with-cooldown protection for 24 hours after it is turned off, on the sim clock', async () => {
    const imageId = sim.addImage({ name: 'release', deregistrationProtection: 'enabled-with-cooldown' })
    const { Return } = await ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: imageId }))
    const until = new Date(clock.now() + DAY_MS).toISOString()
    expect(Return).toBe(`disabled-until ${until}`)
    expect((await describeOne(imageId)).DeregistrationProtection).toBe(`disabled-until ${until}`)
    expect(await deregisterRefusal(imageId)).toEqual([
      'OperationNotPermitted',
      400,
      `The image '${imageId}' cannot be deregistered until ${until}: its deregistration protection was enabled with a 24-hour cooldown.`
    ])

    // Turning protection on again and off without cooldown does not cut the running cooldown short.
    await ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: imageId }))
    await ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: imageId }))
    expect(sim.images()[0].deregistrationProtection).toBe(`disabled-until ${until}`)

    passTime(DAY_MS - 1)
    expect((await deregisterRefusal(imageId))[0]).toBe('OperationNotPermitted')
    passTime(1)
    expect((await describeOne(imageId)).DeregistrationProtection).toBe('disabled')
    passTime(0)
    await expect(ec2.send(new DeregisterImageCommand({ ImageId: imageId }))).resolves.toMatchObject({ Return: true })
  })

  it('can be seeded part way through a cooldown', async () => {
    const imageId = sim.addImage({ name: 'cooling', deregistrationProtection: { cooldownUntil: 1000 } })
    const until = new Date(clock.now() + 1000).toISOString()
    expect((await describeOne(imageId)).DeregistrationProtection).toBe(`disabled-until ${until}`)
    expect((await deregisterRefusal(imageId))[0]).toBe('OperationNotPermitted')
    clock.advance(1000)
    await expect(ec2.send(new DeregisterImageCommand({ ImageId: imageId }))).resolves.toMatchObject({ Return: true })
  })

  it('stays behind when an image is copied', async () => {
    const sourceId = sim.addImage({ name: 'source', deregistrationProtection: 'enabled' })
    const { ImageId } = await ec2.send(new CopyImageCommand({ SourceImageId: sourceId, SourceRegion: 'us-east-1', Name: 'copy' }))
    expect((await describeOne(ImageId!)).DeregistrationProtection).toBe('disabled')
  })

  it.each<[string, () => Promise<unknown>, string, string]>([
    ['an unknown image', () => ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: 'ami-0123456789abcdef0' })), 'InvalidAMIID.NotFound', 'does not exist'],
    ['a malformed id', () => ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: 'ami-xyz' })), 'InvalidAMIID.Malformed', 'ami-xyz'],
    [
      'a caller without ec2:EnableImageDeregistrationProtection',
      () => {
        sim.deny({ action: 'ec2:EnableImageDeregistrationProtection' })
        return ec2.send(new EnableImageDeregistrationProtectionCommand({ ImageId: sim.addImage({ name: 'denied' }) }))
      },
      'UnauthorizedOperation',
      'ec2:EnableImageDeregistrationProtection on resource: arn:aws:ec2:us-east-1::image/ami-'
    ],
    [
      'a caller without ec2:DisableImageDeregistrationProtection',
      () => {
        sim.deny({ action: 'ec2:DisableImageDeregistrationProtection' })
        return ec2.send(new DisableImageDeregistrationProtectionCommand({ ImageId: sim.addImage({ name: 'denied', deregistrationProtection: 'enabled' }) }))
      },
      'UnauthorizedOperation',
      'ec2:DisableImageDeregistrationProtection on resource'
    ]
  ])('refuses %s', async (_, send, code, fragment) => {
    const error = await rejection(send())
    expect(error.name).toBe(code)
    expect(error.message).toContain(fragment)
  })

  it('refuses a seed EC2 could not hold', () => {
    expect(() => sim.addImage({ name: 'odd', deregistrationProtection: 'on' as 'enabled' })).toThrow("deregistrationProtection is 'enabled'")
  })
})

describe('LastLaunchedTime', () => {
  it('shows when a seeded image was last launched, and nothing for one never launched', async () => {
    const launched = sim.addImage({ name: 'launched', lastLaunchedAt: -3 * DAY_MS })
    const never = sim.addImage({ name: 'never' })
    const expected = new Date(clock.now() - 3 * DAY_MS).toISOString()
    expect((await describeOne(launched)).LastLaunchedTime).toBe(expected)
    expect((await describeOne(never)).LastLaunchedTime).toBeUndefined()
    expect(sim.images().map((image) => image.lastLaunchedTime)).toEqual([expected, undefined])
  })
})
