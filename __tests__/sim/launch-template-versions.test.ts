import {
  CreateLaunchTemplateVersionCommand,
  type CreateLaunchTemplateVersionCommandInput,
  DeleteLaunchTemplateVersionsCommand,
  DescribeImageReferencesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
  ModifyLaunchTemplateCommand
} from '@aws-sdk/client-ec2'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, staticCredentials } from './helpers.js'

// CreateLaunchTemplateVersion, ModifyLaunchTemplate and DeleteLaunchTemplateVersions (issue 16): hand a new image to
// an Auto Scaling group by a new default version, and take it back on failure.

const ARN_PREFIX = 'arn:aws:ec2:us-east-1:123456789012:launch-template/'
const sims = simPerTest()
let sim: Sim
let ec2: EC2Client
let web: string
let old: string
let fresh: string

beforeEach(async () => {
  sim = await sims.start({ clock: manualClock().now })
  ec2 = ec2Client(staticCredentials(sim))
  old = sim.addImage({ name: 'web-1' })
  fresh = sim.addImage({ name: 'web-2' })
  web = sim.addLaunchTemplate({ name: 'web', versions: [{ imageId: old, instanceType: 't3.small', description: 'first' }] })
})

afterEach(() => {
  ec2.destroy()
})

const create = (input: Partial<CreateLaunchTemplateVersionCommandInput>) =>
  ec2.send(
    new CreateLaunchTemplateVersionCommand({ LaunchTemplateName: 'web', SourceVersion: '$Default', VersionDescription: 'web-2', LaunchTemplateData: { ImageId: fresh }, ...input })
  )
const versionNumbers = async (): Promise<number[]> =>
  ((await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: web }))).LaunchTemplateVersions ?? []).map((v) => v.VersionNumber!)

describe('CreateLaunchTemplateVersion', () => {
  it('copies the source version and overrides the image: the new version is the latest, not the default', async () => {
    const { LaunchTemplateVersion, Warning } = await create({})
    expect(Warning).toBeUndefined()
    expect(LaunchTemplateVersion).toMatchObject({
      LaunchTemplateId: web,
      LaunchTemplateName: 'web',
      VersionNumber: 2,
      VersionDescription: 'web-2',
      CreatedBy: sim.staticKeys.arn,
      DefaultVersion: false,
      LaunchTemplateData: { ImageId: fresh, InstanceType: 't3.small' }
    })
    expect(sim.calls.at(-1)?.params).toMatchObject({
      LaunchTemplateName: 'web',
      SourceVersion: '$Default',
      VersionDescription: 'web-2',
      'LaunchTemplateData.ImageId': fresh,
      ClientToken: expect.any(String)
    })
    expect(sim.launchTemplates()).toEqual([
      expect.objectContaining({
        launchTemplateId: web,
        defaultVersion: 1,
        latestVersion: 2,
        versions: [
          expect.objectContaining({ versionNumber: 1, imageId: old, description: 'first' }),
          expect.objectContaining({ versionNumber: 2, imageId: fresh, instanceType: 't3.small', description: 'web-2' })
        ]
      })
    ])
  })

  it('without a source version holds only the data given', async () => {
    const data = { ImageId: fresh, KeyName: 'deploy', UserData: Buffer.from('#!/bin/sh').toString('base64') }
    const { LaunchTemplateVersion } = await create({ LaunchTemplateName: undefined, LaunchTemplateId: web, SourceVersion: undefined, LaunchTemplateData: data })
    expect(LaunchTemplateVersion?.LaunchTemplateData).toEqual(data)
  })

  it('makes one version for a request sent again with its ClientToken, and refuses the token for another request', async () => {
    const first = await create({ ClientToken: 'release-1' })
    const again = await create({ ClientToken: 'release-1' })
    expect(again.LaunchTemplateVersion?.VersionNumber).toBe(first.LaunchTemplateVersion?.VersionNumber)
    await expect(versionNumbers()).resolves.toEqual([2, 1])
    const other = await rejection(create({ ClientToken: 'release-1', VersionDescription: 'other' }))
    expect(other.name).toBe('IdempotentParameterMismatch')
  })

  it.each([
    ['a source version the template does not have', { SourceVersion: '9' }, 'InvalidLaunchTemplateId.VersionNotFound', 'Could not find the specified version 9'],
    ['a template that is not there', { LaunchTemplateName: 'api' }, 'InvalidLaunchTemplateName.NotFoundException', 'with template name api, does not exist'],
    ['both id and name', { LaunchTemplateId: 'lt-0123456789abcdef0' }, 'InvalidParameterCombination', 'Either provide launch template ID or launch template name'],
    ['neither id nor name', { LaunchTemplateName: undefined }, 'MissingParameter', 'The request must contain the parameter launch template ID or launch template name'],
    ['no launch template data', { LaunchTemplateData: {} }, 'MissingParameter', 'LaunchTemplateData'],
    ['a malformed image id', { LaunchTemplateData: { ImageId: 'ami-12' } }, 'InvalidAMIID.Malformed', 'ami-12'],
    ['data the sim does not keep', { LaunchTemplateData: { ImageId: fresh, EbsOptimized: true } }, 'InvalidParameterValue', 'LaunchTemplateData.EbsOptimized is not simulated'],
    ['a description over 255 characters', { VersionDescription: 'd'.repeat(256) }, 'InvalidParameterValue', 'at most 255 characters']
  ] as const)('refuses %s', async (_, input, code, message) => {
    const error = await rejection(create(input as Partial<CreateLaunchTemplateVersionCommandInput>))
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, 400])
    expect(error.message).toContain(message)
    await expect(versionNumbers()).resolves.toEqual([1])
  })

  it('makes a version DescribeImageReferences finds the new image by', async () => {
    await create({})
    const { ImageReferences } = await ec2.send(new DescribeImageReferencesCommand({ ImageIds: [fresh], ResourceTypes: [{ ResourceType: 'ec2:LaunchTemplate' }] }))
    expect(ImageReferences).toEqual([{ ImageId: fresh, ResourceType: 'ec2:LaunchTemplate', Arn: `${ARN_PREFIX}${web}` }])
  })
})

describe('ModifyLaunchTemplate', () => {
  it('makes a version the default and answers the template', async () => {
    await create({})
    const { LaunchTemplate } = await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateName: 'web', DefaultVersion: '2' }))
    expect(LaunchTemplate).toMatchObject({ LaunchTemplateId: web, DefaultVersionNumber: 2, LatestVersionNumber: 2 })
    expect(sim.calls.at(-1)?.params).toMatchObject({ LaunchTemplateName: 'web', SetDefaultVersion: '2' })
    const { LaunchTemplateVersions } = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: web, Versions: ['$Default'] }))
    expect(LaunchTemplateVersions?.map((v) => [v.VersionNumber, v.LaunchTemplateData?.ImageId, v.DefaultVersion])).toEqual([[2, fresh, true]])
  })

  it.each([
    ['a version the template does not have', { LaunchTemplateId: 'WEB', DefaultVersion: '2' }, 'InvalidLaunchTemplateId.VersionNotFound', 'The launch template version 2 is not found for the specified launch template.'],
    ['both id and name', { LaunchTemplateId: 'WEB', LaunchTemplateName: 'web', DefaultVersion: '1' }, 'InvalidParameterCombination', 'Either provide launch template ID or launch template name to modify the template.'],
    ['a default that is no number', { LaunchTemplateId: 'WEB', DefaultVersion: '$Latest' }, 'InvalidParameterValue', 'Value ($Latest) for parameter defaultVersion is invalid']
  ])('refuses %s', async (_, input, code, message) => {
    const error = await rejection(ec2.send(new ModifyLaunchTemplateCommand(JSON.parse(JSON.stringify(input).replace('WEB', web)))))
    expect([error.name, error.message]).toEqual([code, message.startsWith('Value') ? expect.stringContaining(message) : message])
    expect(sim.launchTemplates()[0].defaultVersion).toBe(1)
  })
})

describe('DeleteLaunchTemplateVersions', () => {
  it('deletes versions one by one: never the default, and a missing one is named, not fatal', async () => {
    await create({})
    await create({ LaunchTemplateData: { ImageId: old } })
    const answer = await ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: web, Versions: ['3', '1', '7'] }))
    expect(answer.SuccessfullyDeletedLaunchTemplateVersions).toEqual([{ LaunchTemplateId: web, LaunchTemplateName: 'web', VersionNumber: 3 }])
    expect(answer.UnsuccessfullyDeletedLaunchTemplateVersions).toEqual([
      { LaunchTemplateId: web, LaunchTemplateName: 'web', VersionNumber: 1, ResponseError: { Code: 'unexpectedError', Message: expect.stringContaining('default version') } },
      { LaunchTemplateId: web, LaunchTemplateName: 'web', VersionNumber: 7, ResponseError: { Code: 'launchTemplateVersionDoesNotExist', Message: expect.any(String) } }
    ])
    expect(sim.calls.at(-1)?.params).toMatchObject({ 'LaunchTemplateVersion.1': '3', 'LaunchTemplateVersion.3': '7' })
    await expect(versionNumbers()).resolves.toEqual([2, 1])
  })

  it('never gives a deleted version number again, while $Latest is the newest version left', async () => {
    await create({})
    await ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateName: 'web', Versions: ['2'] }))
    expect(sim.launchTemplates()[0].latestVersion).toBe(1)
    await expect(create({})).resolves.toMatchObject({ LaunchTemplateVersion: { VersionNumber: 3 } })
    await expect(versionNumbers()).resolves.toEqual([3, 1])
  })

  it('undoes a release: the old default back, then the new version deleted', async () => {
    await create({})
    await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: web, DefaultVersion: '2' }))
    await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: web, DefaultVersion: '1' }))
    const answer = await ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: web, Versions: ['2'] }))
    expect(answer.UnsuccessfullyDeletedLaunchTemplateVersions).toEqual([])
    expect(sim.launchTemplates()[0]).toMatchObject({ defaultVersion: 1, latestVersion: 1, versions: [expect.objectContaining({ versionNumber: 1, imageId: old })] })
  })

  it('answers for a template that is not there in each version, not with an error', async () => {
    const answer = await ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateName: 'api', Versions: ['2'] }))
    expect(answer.SuccessfullyDeletedLaunchTemplateVersions).toEqual([])
    expect(answer.UnsuccessfullyDeletedLaunchTemplateVersions).toEqual([
      { LaunchTemplateName: 'api', VersionNumber: 2, ResponseError: { Code: 'launchTemplateNameDoesNotExist', Message: expect.any(String) } }
    ])
  })

  it('refuses a request without versions, or with more than 200', async () => {
    await expect(rejection(ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: web, Versions: [] })))).resolves.toMatchObject({ name: 'MissingParameter' })
    const many = Array.from({ length: 201 }, (_, i) => String(i + 2))
    await expect(rejection(ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: web, Versions: many })))).resolves.toMatchObject({
      name: 'InvalidParameterValue'
    })
  })
})

describe('permission and DryRun', () => {
  it.each([
    ['CreateLaunchTemplateVersion', () => ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: fresh }, DryRun: true }))],
    ['ModifyLaunchTemplate', () => ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateName: 'web', DefaultVersion: '1', DryRun: true }))],
    ['DeleteLaunchTemplateVersions', () => ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateName: 'web', Versions: ['1'], DryRun: true }))]
  ] as const)('%s checks ec2:<Action> on the template ARN: DryRunOperation when allowed, UnauthorizedOperation when denied', async (action, send) => {
    await expect(rejection(send())).resolves.toMatchObject({ name: 'DryRunOperation', $metadata: { httpStatusCode: 412 } })
    sim.deny({ action: `ec2:${action}` })
    const denied = await rejection(send())
    expect([denied.name, denied.$metadata?.httpStatusCode]).toEqual(['UnauthorizedOperation', 403])
    expect(denied.message).toContain(`is not authorized to perform: ec2:${action} on resource: ${ARN_PREFIX}${web} because`)
    expect(sim.launchTemplates()[0]).toMatchObject({ defaultVersion: 1, latestVersion: 1 })
  })
})
