/** The hand-off on fake EC2s and Parameter Stores: what is written in each region, confirmed, recorded and put back. */
import { describe, expect, it } from '@jest/globals'
import type { Aws } from '../../src/aws.js'
import { checkLaunchTemplate, handOff } from '../../src/distribute/index.js'
import type { Ec2, LaunchTemplate } from '../../src/ec2/index.js'
import { AwsError } from '../../src/errors.js'
import { restoreHandOffs } from '../../src/restore-hand-off.js'
import type { HandOff } from '../../src/settings.js'
import type { Ssm, StoredParameter } from '../../src/ssm.js'
import { BakeState } from '../../src/state.js'
import { noKeyService, refuseDistribution } from '../fakes/ec2.js'
import { memoryStore } from '../fakes/state.js'

const NAME = '/images/web'
const IMAGES = [
  { region: 'us-east-1', imageId: 'ami-source' },
  { region: 'eu-west-1', imageId: 'ami-copy' }
]

interface RegionSetup {
  parameter?: StoredParameter
  template?: LaunchTemplate
  /** Parameter Store keeps the old value: it rejected the new one after answering. */
  rejects?: boolean
  denyPut?: boolean
}

/** Fake regions: a Parameter Store and launch templates each, recording every call as `region: call`. */
function fakeAws(setup: Record<string, RegionSetup>) {
  const calls: string[] = []
  const parameters = new Map(Object.entries(setup).flatMap(([region, s]) => (s.parameter ? [[region, s.parameter] as const] : [])))
  const templates = new Map<string, { id: string; name: string; defaultVersion: number; versions: number[] }>(
    Object.entries(setup).flatMap(([region, s]) => (s.template ? [[region, { ...s.template, versions: [1, 2] }]] : []))
  )
  const aws: Aws = {
    ec2: region =>
      ({
        ...refuseDistribution(),
        region,
        async findLaunchTemplate(idOrName: string) {
          calls.push(`${region}: DescribeLaunchTemplates ${idOrName}`)
          const found = templates.get(region)
          return found && (found.name === idOrName || found.id === idOrName) ? { id: found.id, name: found.name, defaultVersion: found.defaultVersion } : undefined
        },
        async createLaunchTemplateVersion(templateId: string, imageId: string, description: string) {
          const template = templates.get(region)!
          const version = Math.max(...template.versions) + 1
          template.versions.push(version)
          calls.push(`${region}: CreateLaunchTemplateVersion ${templateId} ${imageId} '${description}' -> ${version}`)
          return version
        },
        async setDefaultLaunchTemplateVersion(templateId: string, version: number) {
          calls.push(`${region}: ModifyLaunchTemplate ${templateId} default ${version}`)
          templates.get(region)!.defaultVersion = version
        },
        async deleteLaunchTemplateVersions(templateId: string, versions: readonly number[]) {
          calls.push(`${region}: DeleteLaunchTemplateVersions ${templateId} ${versions.join(' ')}`)
          const template = templates.get(region)!
          template.versions = template.versions.filter(version => !versions.includes(version))
        }
      }) as unknown as Ec2,
    kms: noKeyService,
    ssm: async region =>
      ({
        region,
        async getParameter() {
          return parameters.get(region)
        },
        async putParameter(name: string, value: string, kind: Pick<StoredParameter, 'type' | 'dataType'>) {
          calls.push(`${region}: PutParameter ${name} ${value}`)
          if (setup[region]?.denyPut) throw new AwsError('PutParameter', 'AccessDeniedException', `not allowed to call ssm:PutParameter in ${region}`)
          const version = (parameters.get(region)?.version ?? 0) + 1
          if (!setup[region]?.rejects) parameters.set(region, { value, version, ...kind })
          return version
        },
        async deleteParameter(name: string) {
          calls.push(`${region}: DeleteParameter ${name}`)
          return parameters.delete(region)
        }
      }) as Ssm
  }
  return { aws, calls, parameters, templates }
}

const BOTH: HandOff = { ssmParameter: NAME, launchTemplate: 'web-asg', launchTemplateDefault: true }
const TEMPLATE = (region: string): LaunchTemplate => ({ id: `lt-${region.replace(/-/g, '')}`.padEnd(20, '0'), name: 'web-asg', defaultVersion: 2 })
const OLD = { value: 'ami-old', version: 7, type: 'String' as const, dataType: 'aws:ec2:image' }
const options = (state = new BakeState(memoryStore())) => ({ state, clock: { now: () => 0, sleep: async () => undefined }, log: () => undefined, signal: new AbortController().signal })

describe('handOff', () => {
  it('writes the parameter and a new default template version in every region, and says which versions', async () => {
    const { aws, calls, templates } = fakeAws({ 'us-east-1': { parameter: OLD, template: TEMPLATE('us-east-1') }, 'eu-west-1': { template: TEMPLATE('eu-west-1') } })
    const handed = await handOff(aws, IMAGES, 'web v1', BOTH, options())
    expect(handed).toEqual({ ssmParameterVersions: { 'us-east-1': 8, 'eu-west-1': 1 }, launchTemplateVersions: { 'us-east-1': 3, 'eu-west-1': 3 }, warnings: [] })
    expect(calls).toContain(`us-east-1: CreateLaunchTemplateVersion ${TEMPLATE('us-east-1').id} ami-source 'web v1' -> 3`)
    expect(templates.get('eu-west-1')?.defaultVersion).toBe(3)
  })

  it('leaves the default alone when told to', async () => {
    const { aws, templates } = fakeAws({ 'us-east-1': { template: TEMPLATE('us-east-1') } })
    await handOff(aws, [IMAGES[0]], 'web v1', { launchTemplate: 'web-asg', launchTemplateDefault: false }, options())
    expect(templates.get('us-east-1')?.defaultVersion).toBe(2)
  })

  it('warns, naming the region, when a copy region has no such template', async () => {
    const { aws } = fakeAws({ 'us-east-1': { template: TEMPLATE('us-east-1') } })
    const handed = await handOff(aws, IMAGES, 'web v1', { launchTemplate: 'web-asg', launchTemplateDefault: true }, options())
    expect(handed.launchTemplateVersions).toEqual({ 'us-east-1': 3 })
    expect(handed.warnings).toEqual(['Launch template web-asg does not exist in eu-west-1: no version was made for ami-copy there.'])
  })

  it('fails, naming the region, when Parameter Store keeps the old value', async () => {
    const { aws } = fakeAws({ 'us-east-1': { parameter: OLD }, 'eu-west-1': { parameter: OLD, rejects: true } })
    await expect(handOff(aws, IMAGES, 'web v1', { ssmParameter: NAME, launchTemplateDefault: true }, options())).rejects.toThrow(
      /in eu-west-1: Parameter Store did not take ami-copy for \/images\/web in eu-west-1 within 24 s: it still holds ami-old \(version 7\)/
    )
  })

  it('records what was there before each change, so that undo puts back exactly that', async () => {
    const { aws, calls, parameters, templates } = fakeAws({
      'us-east-1': { parameter: OLD, template: TEMPLATE('us-east-1') },
      'eu-west-1': { template: TEMPLATE('eu-west-1'), denyPut: true }
    })
    const state = new BakeState(memoryStore())
    await expect(handOff(aws, IMAGES, 'web v1', BOTH, options(state))).rejects.toThrow('in eu-west-1: not allowed to call ssm:PutParameter in eu-west-1')
    calls.length = 0
    await expect(restoreHandOffs(aws, state, () => undefined)).resolves.toEqual([])
    expect(parameters.get('us-east-1')).toMatchObject({ value: 'ami-old' })
    // The write was refused in eu-west-1, so there is nothing of the run's there to delete.
    expect(calls.filter(call => call.startsWith('eu-west-1: DeleteParameter'))).toEqual([])
    expect(templates.get('us-east-1')).toMatchObject({ defaultVersion: 2, versions: [1, 2] })
    expect(state.handOffs()).toEqual([])
  })
})

describe('restoreHandOffs', () => {
  it('deletes a parameter the run made, and leaves one someone wrote since', async () => {
    const { aws, calls, parameters } = fakeAws({ 'us-east-1': {}, 'eu-west-1': {} })
    const state = new BakeState(memoryStore())
    await handOff(aws, IMAGES, 'web v1', { ssmParameter: NAME, launchTemplateDefault: true }, options(state))
    parameters.set('eu-west-1', { ...OLD, value: 'ami-someone-elses' })
    calls.length = 0
    await expect(restoreHandOffs(aws, state, () => undefined)).resolves.toEqual([])
    expect(calls).toEqual(['us-east-1: DeleteParameter /images/web'])
    expect(parameters.get('eu-west-1')?.value).toBe('ami-someone-elses')
  })
})

describe('checkLaunchTemplate', () => {
  it('refuses, before the bake, a template the bake region does not have', async () => {
    const { aws } = fakeAws({})
    await expect(checkLaunchTemplate(aws, 'us-east-1', BOTH)).rejects.toThrow("input 'launch-template': there is no such launch template in us-east-1")
  })
})
