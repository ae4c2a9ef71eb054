import {
  DeregisterImageCommand,
  DescribeImageReferencesCommand,
  paginateDescribeImageReferences,
  type DescribeImageReferencesCommandInput,
  type EC2Client,
  type ImageReference
} from '@aws-sdk/client-ec2'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim, SimOptions } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, staticCredentials } from './helpers.js'

// DescribeImageReferences (issue 18): what in the account still uses an image (instances, launch templates, SSM
// parameters, Image Builder recipes), so that retention keeps it.

const ACCOUNT = '123456789012'
const EAST = 'us-east-1'
const sims = simPerTest()
let sim: Sim
let ec2: EC2Client

/** A sim and a client for it; a test that needs other options starts its own in place of the one beforeEach made. */
async function start(options: SimOptions = {}): Promise<void> {
  ec2?.destroy()
  sim = await sims.start({ clock: manualClock().now, ...options })
  ec2 = ec2Client(staticCredentials(sim))
}

beforeEach(async () => {
  await start()
})

afterEach(() => {
  ec2.destroy()
})

async function references(input: Partial<DescribeImageReferencesCommandInput>): Promise<[string, string, string][]> {
  const { ImageReferences, NextToken } = await ec2.send(new DescribeImageReferencesCommand({ ImageIds: [], ...input }))
  expect(NextToken).toBeUndefined()
  return (ImageReferences ?? []).map((r: ImageReference) => [r.ImageId!, r.ResourceType!, r.Arn!])
}

describe('DescribeImageReferences', () => {
  it('lists every kind of resource that refers to an image, with ARNs as AWS forms them', async () => {
    const image = sim.addImage({ name: 'web-1' })
    const other = sim.addImage({ name: 'web-2' })
    const running = sim.addInstance({ imageId: image })
    const terminated = sim.addInstance({ imageId: image, state: 'terminated' })
    sim.addInstance({ imageId: other })
    sim.addInstance({ imageId: image, region: 'eu-west-1' })
    const template = sim.addLaunchTemplate({ name: 'web', versions: [other, image], defaultVersion: 2 })
    sim.addLaunchTemplate({ name: 'api', versions: [other] })
    const hierarchical = sim.putParameter({ name: '/images/web', value: image, dataType: 'aws:ec2:image' })
    const flat = sim.putParameter({ name: 'web-ami', value: image })
    sim.putParameter({ name: '/images/api', value: other })
    const recipe = sim.addImageRecipe({ name: 'web-recipe', version: '2.1.0', parentImage: image })
    const containerRecipe = sim.addContainerRecipe({ name: 'web-container', instanceImage: image })

    expect([hierarchical, flat]).toEqual([`arn:aws:ssm:${EAST}:${ACCOUNT}:parameter/images/web`, `arn:aws:ssm:${EAST}:${ACCOUNT}:parameter/web-ami`])
    expect([recipe, containerRecipe]).toEqual([
      `arn:aws:imagebuilder:${EAST}:${ACCOUNT}:image-recipe/web-recipe/2.1.0`,
      `arn:aws:imagebuilder:${EAST}:${ACCOUNT}:container-recipe/web-container/1.0.0`
    ])
    expect(template).toMatch(/^lt-[0-9a-f]{17}$/)
    await expect(references({ ImageIds: [image], IncludeAllResourceTypes: true })).resolves.toEqual([
      [image, 'ec2:Instance', `arn:aws:ec2:${EAST}:${ACCOUNT}:instance/${running}`],
      [image, 'ec2:Instance', `arn:aws:ec2:${EAST}:${ACCOUNT}:instance/${terminated}`],
      [image, 'ec2:LaunchTemplate', `arn:aws:ec2:${EAST}:${ACCOUNT}:launch-template/${template}`],
      [image, 'ssm:Parameter', hierarchical],
      [image, 'ssm:Parameter', flat],
      [image, 'imagebuilder:ImageRecipe', recipe],
      [image, 'imagebuilder:ContainerRecipe', containerRecipe]
    ])
  })

  it('answers per image asked about, and nothing for an image nothing refers to', async () => {
    const used = sim.addImage({ name: 'used' })
    const free = sim.addImage({ name: 'free' })
    const parameter = sim.putParameter({ name: '/images/web', value: used })
    await expect(references({ ImageIds: [free, used], IncludeAllResourceTypes: true })).resolves.toEqual([[used, 'ssm:Parameter', parameter]])
    await expect(references({ ImageIds: [free], IncludeAllResourceTypes: true })).resolves.toEqual([])
  })

  it('still finds what refers to an image that is gone', async () => {
    const image = sim.addImage({ name: 'gone' })
    const instance = sim.addInstance({ imageId: image })
    await ec2.send(new DeregisterImageCommand({ ImageId: image }))
    await expect(references({ ImageIds: [image, 'ami-0123456789abcdef0'], IncludeAllResourceTypes: true })).resolves.toEqual([
      [image, 'ec2:Instance', `arn:aws:ec2:${EAST}:${ACCOUNT}:instance/${instance}`]
    ])
  })

  it('looks only at the types asked for, with their options', async () => {
    const image = sim.addImage({ name: 'web' })
    const running = sim.addInstance({ imageId: image })
    sim.addInstance({ imageId: image, state: 'stopped' })
    const parameter = sim.putParameter({ name: 'web', value: image })
    await expect(references({ ImageIds: [image], ResourceTypes: [{ ResourceType: 'ssm:Parameter' }] })).resolves.toEqual([[image, 'ssm:Parameter', parameter]])
    await expect(
      references({ ImageIds: [image], ResourceTypes: [{ ResourceType: 'ec2:Instance', ResourceTypeOptions: [{ OptionName: 'state-name', OptionValues: ['running', 'pending'] }] }] })
    ).resolves.toEqual([[image, 'ec2:Instance', `arn:aws:ec2:${EAST}:${ACCOUNT}:instance/${running}`]])
    // With IncludeAllResourceTypes, ResourceTypes only change the options of the types they name.
    await expect(
      references({
        ImageIds: [image],
        IncludeAllResourceTypes: true,
        ResourceTypes: [{ ResourceType: 'ec2:Instance', ResourceTypeOptions: [{ OptionName: 'state-name', OptionValues: ['running'] }] }]
      })
    ).resolves.toEqual([
      [image, 'ec2:Instance', `arn:aws:ec2:${EAST}:${ACCOUNT}:instance/${running}`],
      [image, 'ssm:Parameter', parameter]
    ])
  })

  it('checks the 10 newest versions of a launch template unless told a version depth', async () => {
    const old = sim.addImage({ name: 'old' })
    const latest = sim.addImage({ name: 'latest' })
    // Version 1 (the default a group still launches) uses the old image; versions 2 to 11 the latest.
    const template = sim.addLaunchTemplate({ name: 'web', versions: [old, ...Array.from({ length: 10 }, () => latest)] })
    const arn = `arn:aws:ec2:${EAST}:${ACCOUNT}:launch-template/${template}`
    await expect(references({ ImageIds: [old], IncludeAllResourceTypes: true })).resolves.toEqual([])
    const deeper = (depth: string) =>
      references({ ImageIds: [old], ResourceTypes: [{ ResourceType: 'ec2:LaunchTemplate', ResourceTypeOptions: [{ OptionName: 'version-depth', OptionValues: [depth] }] }] })
    await expect(deeper('10')).resolves.toEqual([])
    await expect(deeper('11')).resolves.toEqual([[old, 'ec2:LaunchTemplate', arn]])
    await expect(references({ ImageIds: [latest], IncludeAllResourceTypes: true })).resolves.toEqual([[latest, 'ec2:LaunchTemplate', arn]])
  })

  it('pages: MaxResults, or the sim page size when none is given, and the SDK paginator reads every page', async () => {
    await start({ imageReferencesPageSize: 3 })
    const image = sim.addImage({ name: 'popular' })
    const instances = Array.from({ length: 7 }, () => sim.addInstance({ imageId: image }))
    const query = { ImageIds: [image], IncludeAllResourceTypes: true }

    const first = await ec2.send(new DescribeImageReferencesCommand(query))
    expect([first.ImageReferences?.length, typeof first.NextToken]).toEqual([3, 'string'])
    const bigger = await ec2.send(new DescribeImageReferencesCommand({ ...query, MaxResults: 5 }))
    const rest = await ec2.send(new DescribeImageReferencesCommand({ ...query, MaxResults: 5, NextToken: bigger.NextToken }))
    expect([bigger.ImageReferences?.length, rest.ImageReferences?.length, rest.NextToken]).toEqual([5, 2, undefined])

    const seen: string[] = []
    for await (const page of paginateDescribeImageReferences({ client: ec2 }, { ...query })) seen.push(...page.ImageReferences!.map((r) => r.Arn!))
    expect(seen).toEqual(instances.map((id) => `arn:aws:ec2:${EAST}:${ACCOUNT}:instance/${id}`))
  })

  it.each<[string, Partial<DescribeImageReferencesCommandInput>, string, string]>([
    ['no image ids', { IncludeAllResourceTypes: true }, 'MissingParameter', 'ImageId'],
    [
      'more than 10 image ids',
      { ImageIds: Array.from({ length: 11 }, (_, i) => `ami-${i.toString(16).padStart(17, '0')}`), IncludeAllResourceTypes: true },
      'InvalidParameterValue',
      'at most 10 image IDs'
    ],
    ['a malformed image id', { ImageIds: ['ami-xyz'], IncludeAllResourceTypes: true }, 'InvalidAMIID.Malformed', 'ami-xyz'],
    ['neither IncludeAllResourceTypes nor ResourceTypes', { ImageIds: ['ami-0123456789abcdef0'] }, 'InvalidParameterCombination', 'Either IncludeAllResourceTypes or ResourceTypes'],
    [
      'IncludeAllResourceTypes false and no ResourceTypes',
      { ImageIds: ['ami-0123456789abcdef0'], IncludeAllResourceTypes: false },
      'InvalidParameterCombination',
      'must be specified'
    ],
    ['an unknown resource type', { ImageIds: ['ami-0123456789abcdef0'], ResourceTypes: [{ ResourceType: 'ec2:Volume' as 'ec2:Instance' }] }, 'InvalidParameterValue', 'resourceType'],
    [
      'an unknown instance state',
      { ImageIds: ['ami-0123456789abcdef0'], ResourceTypes: [{ ResourceType: 'ec2:Instance', ResourceTypeOptions: [{ OptionName: 'state-name', OptionValues: ['asleep'] }] }] },
      'InvalidParameterValue',
      'asleep'
    ],
    [
      'a version depth of 0',
      { ImageIds: ['ami-0123456789abcdef0'], ResourceTypes: [{ ResourceType: 'ec2:LaunchTemplate', ResourceTypeOptions: [{ OptionName: 'version-depth', OptionValues: ['0'] }] }] },
      'InvalidParameterValue',
      'version-depth'
    ],
    [
      'a version depth above 10000',
      { ImageIds: ['ami-0123456789abcdef0'], ResourceTypes: [{ ResourceType: 'ec2:LaunchTemplate', ResourceTypeOptions: [{ OptionName: 'version-depth', OptionValues: ['10001'] }] }] },
      'InvalidParameterValue',
      'version-depth'
    ],
    [
      'an option on a type that does not take it',
      { ImageIds: ['ami-0123456789abcdef0'], ResourceTypes: [{ ResourceType: 'ssm:Parameter', ResourceTypeOptions: [{ OptionName: 'state-name', OptionValues: ['running'] }] }] },
      'InvalidParameterValue',
      'not valid for resource type ssm:Parameter'
    ],
    ['a MaxResults below 5', { ImageIds: ['ami-0123456789abcdef0'], IncludeAllResourceTypes: true, MaxResults: 4 }, 'InvalidParameterValue', 'maxResults']
  ])('refuses %s', async (_, input, code, fragment) => {
    const error = await rejection(ec2.send(new DescribeImageReferencesCommand(input as DescribeImageReferencesCommandInput)))
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, 400])
    expect(error.message).toContain(fragment)
  })

  it('needs ec2:DescribeImageReferences, and the permissions to describe each type it looks at', async () => {
    const image = sim.addImage({ name: 'web' })
    const instance = sim.addInstance({ imageId: image })
    const all = { ImageIds: [image], IncludeAllResourceTypes: true }

    const dry = await rejection(ec2.send(new DescribeImageReferencesCommand({ ...all, DryRun: true })))
    expect([dry.name, dry.$metadata?.httpStatusCode]).toEqual(['DryRunOperation', 412])

    sim.deny({ action: 'ssm:GetParameters' })
    const partial = await rejection(ec2.send(new DescribeImageReferencesCommand(all)))
    expect([partial.name, partial.$metadata?.httpStatusCode]).toEqual(['UnauthorizedOperation', 403])
    expect(partial.message).toContain('is not authorized to perform: ssm:GetParameters because no identity-based policy allows the ssm:GetParameters action')
    // A request that does not look at parameters does not need them.
    await expect(references({ ImageIds: [image], ResourceTypes: [{ ResourceType: 'ec2:Instance' }] })).resolves.toEqual([
      [image, 'ec2:Instance', `arn:aws:ec2:${EAST}:${ACCOUNT}:instance/${instance}`]
    ])

    sim.deny({ action: 'ec2:DescribeImageReferences' })
    const denied = await rejection(ec2.send(new DescribeImageReferencesCommand(all)))
    expect(denied.name).toBe('UnauthorizedOperation')
    expect(denied.message).toContain('is not authorized to perform: ec2:DescribeImageReferences because')
    expect(sim.calls.at(-1)).toMatchObject({ action: 'DescribeImageReferences', status: 403, errorCode: 'UnauthorizedOperation' })
  })

  it.each<[string, string, string]>([
    ['ec2:Instance', 'ec2:DescribeInstances', 'ec2:Instance'],
    ['ec2:LaunchTemplate', 'ec2:DescribeLaunchTemplateVersions', 'ec2:LaunchTemplate'],
    ['ssm:Parameter', 'ssm:DescribeParameters', 'ssm:Parameter'],
    ['imagebuilder:ImageRecipe', 'imagebuilder:ListImageRecipes', 'imagebuilder:ImageRecipe'],
    ['imagebuilder:ContainerRecipe', 'imagebuilder:GetContainerRecipe', 'imagebuilder:ContainerRecipe']
  ])('looking at %s needs %s', async (_, action, type) => {
    sim.deny({ action })
    const error = await rejection(ec2.send(new DescribeImageReferencesCommand({ ImageIds: ['ami-0123456789abcdef0'], ResourceTypes: [{ ResourceType: type as 'ec2:Instance' }] })))
    expect([error.name, error.message]).toEqual(['UnauthorizedOperation', expect.stringContaining(`perform: ${action} because`)])
  })
})

describe('seeding references', () => {
  it('refuses what the services would not hold', () => {
    const image = sim.addImage({ name: 'web' })
    sim.addLaunchTemplate({ name: 'web', versions: [image] })
    expect(() => sim.addLaunchTemplate({ name: 'web', versions: [image] })).toThrow("the name 'web' is already used")
    expect(() => sim.addLaunchTemplate({ name: 'api', versions: [] })).toThrow('at least one version')
    expect(() => sim.addLaunchTemplate({ name: 'api', versions: [image], defaultVersion: 2 })).toThrow('defaultVersion is one of the versions, 1 to 1')
    expect(() => sim.putParameter({ name: 'images/web', value: image })).toThrow('a hierarchy starts with /')
    expect(() => sim.putParameter({ name: '/aws/web', value: image })).toThrow('no aws or ssm prefix')
    expect(() => sim.putParameter({ name: '/images/web', value: 'latest', dataType: 'aws:ec2:image' })).toThrow('holds an image id')
    expect(() => sim.addImageRecipe({ name: 'web', version: '1.0', parentImage: image })).toThrow('major.minor.patch')
    sim.addImageRecipe({ name: 'web', parentImage: image })
    expect(() => sim.addImageRecipe({ name: 'web', parentImage: image })).toThrow('exists already')
  })

  it('overwrites a parameter put twice, so only its new value refers to an image', async () => {
    const first = sim.addImage({ name: 'first' })
    const second = sim.addImage({ name: 'second' })
    sim.putParameter({ name: '/images/web', value: first })
    const arn = sim.putParameter({ name: '/images/web', value: second })
    await expect(references({ ImageIds: [first, second], ResourceTypes: [{ ResourceType: 'ssm:Parameter' }] })).resolves.toEqual([[second, 'ssm:Parameter', arn]])
  })
})
