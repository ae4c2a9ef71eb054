import {
  DescribeLaunchTemplatesCommand,
  type DescribeLaunchTemplatesCommandInput,
  DescribeLaunchTemplateVersionsCommand,
  type DescribeLaunchTemplateVersionsCommandInput,
  type EC2Client,
  type LaunchTemplateVersion
} from '@aws-sdk/client-ec2'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, staticCredentials, type ManualClock } from './helpers.js'

// DescribeLaunchTemplates and DescribeLaunchTemplateVersions (issue 16): how a deploy finds a template and reads the
// image its default version launches.

const ACCOUNT = '123456789012'
const sims = simPerTest()
let clock: ManualClock
let sim: Sim
let ec2: EC2Client
let web: string
let images: string[]

beforeEach(async () => {
  clock = manualClock()
  sim = await sims.start({ clock: clock.now })
  ec2 = ec2Client(staticCredentials(sim))
  images = ['web-1', 'web-2', 'web-3'].map((name) => sim.addImage({ name }))
  web = sim.addLaunchTemplate({
    name: 'web',
    versions: [images[0], { imageId: images[1], instanceType: 't3.small', description: 'second' }, images[2]],
    defaultVersion: 2,
    tags: { team: 'web' }
  })
})

afterEach(() => {
  ec2.destroy()
})

const versions = async (input: Partial<DescribeLaunchTemplateVersionsCommandInput>): Promise<[number, string | undefined, boolean][]> => {
  const { LaunchTemplateVersions } = await ec2.send(new DescribeLaunchTemplateVersionsCommand(input))
  return (LaunchTemplateVersions ?? []).map((v: LaunchTemplateVersion) => [v.VersionNumber!, v.LaunchTemplateData?.ImageId, v.DefaultVersion!])
}

describe('DescribeLaunchTemplates', () => {
  it('shows a template by name or id with its default and latest version', async () => {
    const expected = {
      LaunchTemplateId: web,
      LaunchTemplateName: 'web',
      CreateTime: new Date(clock.now()),
      CreatedBy: `arn:aws:iam::${ACCOUNT}:root`,
      DefaultVersionNumber: 2,
      LatestVersionNumber: 3,
      Tags: [{ Key: 'team', Value: 'web' }]
    }
    await expect(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['web'] }))).resolves.toMatchObject({ LaunchTemplates: [expected] })
    await expect(ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [web] }))).resolves.toMatchObject({ LaunchTemplates: [expected] })
    expect(sim.calls.map((c) => c.params)).toEqual([
      expect.objectContaining({ 'LaunchTemplateName.1': 'web' }),
      expect.objectContaining({ 'LaunchTemplateId.1': web })
    ])
  })

  it("lists the region's templates, filtered by name or tag, a page at a time", async () => {
    const api = sim.addLaunchTemplate({ name: 'api', versions: [images[0]] })
    sim.addLaunchTemplate({ name: 'west', versions: [images[0]], region: 'eu-west-1' })
    const ids = async (input: DescribeLaunchTemplatesCommandInput): Promise<string[]> =>
      ((await ec2.send(new DescribeLaunchTemplatesCommand(input))).LaunchTemplates ?? []).map((t) => t.LaunchTemplateId!)
    await expect(ids({})).resolves.toEqual([web, api])
    await expect(ids({ Filters: [{ Name: 'launch-template-name', Values: ['a*'] }] })).resolves.toEqual([api])
    await expect(ids({ Filters: [{ Name: 'tag:team', Values: ['web'] }] })).resolves.toEqual([web])
    const first = await ec2.send(new DescribeLaunchTemplatesCommand({ MaxResults: 1 }))
    expect(first.LaunchTemplates?.map((t) => t.LaunchTemplateId)).toEqual([web])
    const second = await ec2.send(new DescribeLaunchTemplatesCommand({ MaxResults: 1, NextToken: first.NextToken }))
    expect([second.LaunchTemplates?.map((t) => t.LaunchTemplateId), second.NextToken]).toEqual([[api], undefined])
  })

  it.each([
    ['an unknown name', { LaunchTemplateNames: ['nope'] }, 'InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.'],
    ['a name from another region', { LaunchTemplateNames: ['west'] }, 'InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates'],
    ['an unknown id', { LaunchTemplateIds: ['lt-0123456789abcdef0'] }, 'InvalidLaunchTemplateId.NotFound', 'The specified launch template, with template ID lt-0123456789abcdef0, does not exist.'],
    ['a malformed id', { LaunchTemplateIds: ['lt-123'] }, 'InvalidLaunchTemplateId.Malformed', 'lt-xxxxxxxxxxxxxxxxx'],
    ['a malformed name', { LaunchTemplateNames: ['a b'] }, 'InvalidLaunchTemplateName.MalformedException', 'between 3 and 128 characters']
  ])('refuses %s', async (_, input, code, message) => {
    sim.addLaunchTemplate({ name: 'west', versions: [images[0]], region: 'eu-west-1' })
    const error = await rejection(ec2.send(new DescribeLaunchTemplatesCommand(input)))
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, 400])
    expect(error.message).toContain(message)
  })
})

describe('DescribeLaunchTemplateVersions', () => {
  it('lists every version newest first, with its data, description and which one is the default', async () => {
    const { LaunchTemplateVersions } = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'web' }))
    expect(LaunchTemplateVersions?.map((v) => v.VersionNumber)).toEqual([3, 2, 1])
    expect(LaunchTemplateVersions?.[1]).toEqual({
      LaunchTemplateId: web,
      LaunchTemplateName: 'web',
      VersionNumber: 2,
      VersionDescription: 'second',
      CreateTime: new Date(clock.now()),
      CreatedBy: `arn:aws:iam::${ACCOUNT}:root`,
      DefaultVersion: true,
      LaunchTemplateData: { ImageId: images[1], InstanceType: 't3.small' }
    })
  })

  it('takes version numbers, $Latest and $Default, each version once', async () => {
    await expect(versions({ LaunchTemplateId: web, Versions: ['$Default'] })).resolves.toEqual([[2, images[1], true]])
    await expect(versions({ LaunchTemplateId: web, Versions: ['$Latest', '1', '$Default', '3'] })).resolves.toEqual([
      [3, images[2], false],
      [2, images[1], true],
      [1, images[0], false]
    ])
    expect(sim.calls.at(-1)?.params).toMatchObject({ LaunchTemplateId: web, 'LaunchTemplateVersion.1': '$Latest', 'LaunchTemplateVersion.4': '3' })
  })

  it('narrows by MinVersion (after), MaxVersion (up to) and filters, and pages', async () => {
    await expect(versions({ LaunchTemplateId: web, MinVersion: '1', MaxVersion: '2' })).resolves.toEqual([[2, images[1], true]])
    await expect(versions({ LaunchTemplateId: web, Filters: [{ Name: 'image-id', Values: [images[0], images[2]] }] })).resolves.toEqual([
      [3, images[2], false],
      [1, images[0], false]
    ])
    await expect(versions({ LaunchTemplateId: web, Filters: [{ Name: 'is-default-version', Values: ['true'] }] })).resolves.toEqual([[2, images[1], true]])
    const first = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: web, MaxResults: 2 }))
    const second = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: web, MaxResults: 2, NextToken: first.NextToken }))
    expect([first.LaunchTemplateVersions?.map((v) => v.VersionNumber), second.LaunchTemplateVersions?.map((v) => v.VersionNumber), second.NextToken]).toEqual([
      [3, 2],
      [1],
      undefined
    ])
  })

  it("answers $Latest or $Default without a template for each of the region's templates", async () => {
    const api = sim.addLaunchTemplate({ name: 'api', versions: [images[2]] })
    const { LaunchTemplateVersions } = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ Versions: ['$Default'] }))
    expect(LaunchTemplateVersions?.map((v) => [v.LaunchTemplateId, v.VersionNumber])).toEqual([
      [web, 2],
      [api, 1]
    ])
  })

  const HOW = 'To describe the launch template data for all your launch templates'
  it.each([
    ['a version the template does not have', { LaunchTemplateId: 'WEB', Versions: ['7'] }, 'InvalidLaunchTemplateId.VersionNotFound', 'Could not find the specified version 7 for the launch template with ID WEB.'],
    ['a template that is not there', { LaunchTemplateName: 'nope' }, 'InvalidLaunchTemplateName.NotFoundException', 'The specified launch template, with template name nope, does not exist.'],
    ['an id that is not there', { LaunchTemplateId: 'lt-0123456789abcdef0' }, 'InvalidLaunchTemplateId.NotFound', 'The specified launch template, with template ID lt-0123456789abcdef0, does not exist.'],
    ['neither template nor versions', {}, 'MissingParameter', HOW],
    ['version numbers without a template', { Versions: ['1'] }, 'InvalidParameterValue', HOW],
    ['both id and name', { LaunchTemplateId: 'WEB', LaunchTemplateName: 'web' }, 'InvalidParameterCombination', 'Either provide launch template ID or launch template name'],
    ['a version that is no version', { LaunchTemplateId: 'WEB', Versions: ['latest'] }, 'InvalidParameterValue', 'Value (latest) for parameter LaunchTemplateVersion is invalid']
  ])('refuses %s', async (_, input, code, message) => {
    const named = JSON.parse(JSON.stringify(input).replace(/WEB/g, web)) as DescribeLaunchTemplateVersionsCommandInput
    const error = await rejection(ec2.send(new DescribeLaunchTemplateVersionsCommand(named)))
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, 400])
    expect(error.message).toContain(message.replace(/WEB/g, web))
  })
})

describe('permission and DryRun', () => {
  it.each([
    ['DescribeLaunchTemplates', () => new DescribeLaunchTemplatesCommand({ LaunchTemplateIds: [web], DryRun: true })],
    ['DescribeLaunchTemplateVersions', () => new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: web, DryRun: true })]
  ] as const)('%s answers DryRunOperation when allowed and UnauthorizedOperation when denied', async (action, command) => {
    await expect(rejection(ec2.send(command()))).resolves.toMatchObject({ name: 'DryRunOperation', $metadata: { httpStatusCode: 412 } })
    sim.deny({ action: `ec2:${action}` })
    const denied = await rejection(ec2.send(command()))
    expect(denied.name).toBe('UnauthorizedOperation')
    expect(denied.message).toContain(`is not authorized to perform: ec2:${action} because`)
  })
})
