import { DeregisterImageCommand, DescribeImageReferencesCommand } from '@aws-sdk/client-ec2'
import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, ssmClient, staticCredentials, type ManualClock } from './helpers.js'

// Parameter Store validates an aws:ec2:image value after PutParameter has answered (issue 16): the answer carries
// the new version whatever the value, reads keep showing the old value until the value is accepted, and a value
// that is rejected leaves the old one in place for good. Only a read after the validation tells the writer.

const NAME = '/images/web/latest'
const VALIDATION_MS = 300
const sims = simPerTest()
let clock: ManualClock
let sim: Sim
let ssm: SSMClient
let old: string
let fresh: string

beforeEach(async () => {
  clock = manualClock()
  sim = await sims.start({ clock: clock.now, ssmImageValidationMs: VALIDATION_MS })
  ssm = ssmClient(staticCredentials(sim))
  old = sim.addImage({ name: 'web-1' })
  fresh = sim.addImage({ name: 'web-2' })
})

afterEach(() => {
  ssm.destroy()
})

const putImage = (Value: string, overwrite = true) =>
  ssm.send(new PutParameterCommand({ Name: NAME, Value, Type: 'String', DataType: 'aws:ec2:image', Overwrite: overwrite }))
const read = async (): Promise<[string | undefined, number | undefined]> => {
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: NAME }))
  return [Parameter?.Value, Parameter?.Version]
}

describe('an aws:ec2:image write', () => {
  beforeEach(() => {
    sim.putParameter({ name: NAME, value: old, dataType: 'aws:ec2:image' })
  })

  it('answers at once with the new version, and reads show the old value until the validation ends', async () => {
    await expect(putImage(fresh)).resolves.toMatchObject({ Version: 2, Tier: 'Standard' })
    await expect(read()).resolves.toEqual([old, 1])
    expect(sim.parameters()).toEqual([expect.objectContaining({ value: old, version: 1, pending: { value: fresh, version: 2, validatesAt: 0 + VALIDATION_MS } })])
    clock.advance(VALIDATION_MS - 1)
    await expect(read()).resolves.toEqual([old, 1])
    clock.advance(1)
    await expect(read()).resolves.toEqual([fresh, 2])
    await expect(ssm.send(new GetParameterCommand({ Name: NAME }))).resolves.toMatchObject({ Parameter: { DataType: 'aws:ec2:image', Type: 'String' } })
    expect(sim.parameterWrites().map((w) => [w.value, w.version, w.outcome, w.settledAt])).toEqual([
      [old, 1, 'accepted', 0],
      [fresh, 2, 'accepted', VALIDATION_MS]
    ])
  })

  it('refuses another write, or a delete, while one is being validated', async () => {
    await putImage(fresh)
    const again = await rejection(putImage(old))
    expect([again.name, again.message]).toEqual(['TooManyUpdates', `The validation of an earlier update of parameter ${NAME} is still in process. Try again later.`])
    await expect(rejection(ssm.send(new DeleteParameterCommand({ Name: NAME })))).resolves.toMatchObject({ name: 'TooManyUpdates' })
    clock.advance(VALIDATION_MS)
    await expect(putImage(old)).resolves.toMatchObject({ Version: 3 })
  })

  it.each([
    ['an image the region does not have', () => 'ami-0123456789abcdef0'],
    ['a value that is no image id', () => 'ami-0000000000000'],
    ['an image of another region', () => sim.addImage({ name: 'web-2', region: 'eu-west-1' })]
  ])('rejects %s after answering: the old value stays, and its version number is never given again', async (_, value) => {
    await expect(putImage(value())).resolves.toMatchObject({ Version: 2 })
    clock.advance(VALIDATION_MS)
    await expect(read()).resolves.toEqual([old, 1])
    expect(sim.parameterWrites().at(-1)).toMatchObject({ version: 2, outcome: 'rejected', reason: 'Unable to Describe Resource', settledAt: VALIDATION_MS })
    await expect(putImage(fresh)).resolves.toMatchObject({ Version: 3 })
    clock.advance(VALIDATION_MS)
    await expect(read()).resolves.toEqual([fresh, 3])
  })

  it('rejects a value when told to, though the image is there (sim.rejectParameterValue)', async () => {
    sim.rejectParameterValue({ name: NAME, value: fresh, region: 'us-east-1' })
    await putImage(fresh)
    clock.advance(VALIDATION_MS)
    await expect(read()).resolves.toEqual([old, 1])
    // Only that value: another one still goes through.
    await putImage(old)
    clock.advance(VALIDATION_MS)
    await expect(read()).resolves.toEqual([old, 3])
  })

  it('rejects every value of a parameter told to reject without a value, in any region', async () => {
    sim.rejectParameterValue({ name: NAME })
    const west = sim.addImage({ name: 'web-3', region: 'eu-west-1' })
    const westSsm = ssmClient(staticCredentials(sim), { region: 'eu-west-1' })
    await westSsm.send(new PutParameterCommand({ Name: NAME, Value: west, Type: 'String', DataType: 'aws:ec2:image' }))
    await putImage(fresh)
    clock.advance(VALIDATION_MS)
    await expect(rejection(westSsm.send(new GetParameterCommand({ Name: NAME })))).resolves.toMatchObject({ name: 'ParameterNotFound' })
    westSsm.destroy()
    await expect(read()).resolves.toEqual([old, 1])
  })

  it('rejects the value of a writer who may not describe images, as Parameter Store validates as the writer', async () => {
    sim.deny({ action: 'ec2:DescribeImages', principal: sim.staticKeys.arn })
    await expect(putImage(fresh)).resolves.toMatchObject({ Version: 2 })
    clock.advance(VALIDATION_MS)
    await expect(read()).resolves.toEqual([old, 1])
  })

  it('rejects an image deregistered before the validation ends', async () => {
    const ec2 = ec2Client(staticCredentials(sim))
    await putImage(fresh)
    clock.advance(VALIDATION_MS / 2)
    await ec2.send(new DeregisterImageCommand({ ImageId: fresh }))
    ec2.destroy()
    clock.advance(VALIDATION_MS)
    await expect(read()).resolves.toEqual([old, 1])
  })

  it('is seen by DescribeImageReferences only once accepted', async () => {
    const ec2 = ec2Client(staticCredentials(sim))
    const references = async (): Promise<string[]> => {
      const { ImageReferences } = await ec2.send(new DescribeImageReferencesCommand({ ImageIds: [old, fresh], ResourceTypes: [{ ResourceType: 'ssm:Parameter' }] }))
      return (ImageReferences ?? []).map((r) => r.ImageId!)
    }
    await putImage(fresh)
    await expect(references()).resolves.toEqual([old])
    clock.advance(VALIDATION_MS)
    await expect(references()).resolves.toEqual([fresh])
    ec2.destroy()
  })
})

describe('a new aws:ec2:image parameter', () => {
  it('is not found until its value is accepted', async () => {
    await expect(putImage(fresh, false)).resolves.toMatchObject({ Version: 1 })
    await expect(rejection(read())).resolves.toMatchObject({ name: 'ParameterNotFound' })
    expect(sim.parameters()).toEqual([])
    expect(sim.parameterWrites()).toEqual([expect.objectContaining({ value: fresh, version: 1, outcome: 'pending' })])
    clock.advance(VALIDATION_MS)
    await expect(read()).resolves.toEqual([fresh, 1])
  })

  it('rejected, leaves no parameter, and the next creation is version 1 again', async () => {
    await putImage('ami-0123456789abcdef0', false)
    clock.advance(VALIDATION_MS)
    await expect(rejection(read())).resolves.toMatchObject({ name: 'ParameterNotFound' })
    await expect(rejection(ssm.send(new DeleteParameterCommand({ Name: NAME })))).resolves.toMatchObject({ name: 'ParameterNotFound' })
    await expect(putImage(fresh, false)).resolves.toMatchObject({ Version: 1 })
  })

  it('refuses a second creation while the first is being validated, before looking for the parameter', async () => {
    await putImage(fresh, false)
    await expect(rejection(putImage(fresh, false))).resolves.toMatchObject({ name: 'TooManyUpdates' })
  })
})
