/**
 * Issue 16, end to end against dist/ and the local endpoint: the image handed to what launches it, an SSM parameter
 * and a launch template version in every region of the release, and all of it put back when the release fails.
 *
 * @slow: a rejected parameter value waits out the bound on Parameter Store's validation, about 24 s.
 */
import { describe, expect, it, jest } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { callsTo, expectFailure, expectSuccess, type Harness, warningMessages, withHarness } from './harness.js'

// Each test bakes, copies and waits for both.
jest.setTimeout(120_000)

const PARAMETER = '/images/web/latest'
const COPY_REGION = 'eu-west-1'

/** A launch template in `region` whose two versions launch an older image; version 2 is the default. */
function template(h: Harness, region: string, old: string): string {
  return h.sim.addLaunchTemplate({ region, name: 'web-asg', versions: [old, old], defaultVersion: 2 })
}

function templateIn(sim: Sim, id: string) {
  return sim.launchTemplates().find(found => found.launchTemplateId === id)!
}

function parameterIn(sim: Sim, region: string) {
  return sim.parameters().find(found => found.name === PARAMETER && found.region === region)
}

/** Parameter Store decides on an aws:ec2:image write this long after it answers (the sim's default). */
const VALIDATION_MS = 200

/** Waits, on the sim's clock, until Parameter Store has decided on every write made so far. */
async function untilParametersSettle(h: Harness): Promise<void> {
  const pending = h.sim.parameterWrites().filter(write => write.outcome === 'pending')
  await h.untilSimTime(Math.max(0, ...pending.map(write => write.at + VALIDATION_MS)))
}

/** An older release in both regions, a parameter pointing at it in the bake region only, and a template in both. */
function earlierRelease(h: Harness) {
  const old = { [h.region]: h.sim.addImage({ region: h.region, name: 'web v1.0.0' }), [COPY_REGION]: h.sim.addImage({ region: COPY_REGION, name: 'web v1.0.0' }) }
  h.sim.putParameter({ region: h.region, name: PARAMETER, value: old[h.region], dataType: 'aws:ec2:image' })
  const templates = { [h.region]: template(h, h.region, old[h.region]), [COPY_REGION]: template(h, COPY_REGION, old[COPY_REGION]) }
  return { old, templates }
}

const HAND_OFF = { 'copy-to-regions': COPY_REGION, 'ssm-parameter': PARAMETER, 'launch-template': 'web-asg' }

describe('hand-off', () => {
  // The longest first (it waits out the bound on Parameter Store's validation): jest starts at most five at once.
  it.concurrent('fails, naming the region, when Parameter Store keeps the old value, and leaves it as it was', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const old = h.sim.addImage({ region: h.region, name: 'web v1.0.0' })
      h.sim.putParameter({ region: h.region, name: PARAMETER, value: old, dataType: 'aws:ec2:image' })
      h.sim.rejectParameterValue({ name: PARAMETER, region: h.region })
      const main = await h.main({ 'ssm-parameter': PARAMETER })
      expectFailure(main, `Parameter Store did not take ${main.outputs['image-id']} for ${PARAMETER} in ${h.region}`, `still holds ${old}`, 'ec2:DescribeImages')
      expect(parameterIn(h.sim, h.region)).toMatchObject({ value: old, version: 1 })
      expect(await h.leftovers([main.outputs['image-id']])).toEqual({ images: [], snapshots: [] })
    })
  )

  it.concurrent('writes the parameter and a new default template version in both regions, and says which versions', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const { old, templates } = earlierRelease(h)
      const main = await h.main(HAND_OFF)
      expectSuccess(main)
      const images = JSON.parse(main.outputs.images) as Record<string, string>

      for (const region of [h.region, COPY_REGION]) {
        expect(parameterIn(h.sim, region)).toMatchObject({ value: images[region], dataType: 'aws:ec2:image', type: 'String' })
        const made = templateIn(h.sim, templates[region])
        expect(made.defaultVersion).toBe(3)
        expect(made.versions.at(-1)).toMatchObject({ versionNumber: 3, imageId: images[region], description: 'web v1.2.3' })
        expect(made.versions.slice(0, 2).map(version => version.imageId)).toEqual([old[region], old[region]])
      }
      // An update in the bake region, a new parameter in the copy region.
      expect(JSON.parse(main.outputs['ssm-parameter-versions'])).toEqual({ [h.region]: 2, [COPY_REGION]: 1 })
      expect(JSON.parse(main.outputs['launch-template-versions'])).toEqual({ [h.region]: 3, [COPY_REGION]: 3 })
      expect(warningMessages(main)).toEqual([])
    })
  )

  it.concurrent('puts every parameter and template back, and removes the images, when PutParameter is denied in the copy region', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const { old, templates } = earlierRelease(h)
      h.sim.deny({ action: 'ssm:PutParameter', region: COPY_REGION })
      const main = await h.main(HAND_OFF)
      expectFailure(main, `in ${COPY_REGION}: `, 'ssm:PutParameter')
      const post = await h.post(main)
      expect(post.exitCode).toBe(0)

      // The old value was written back, and Parameter Store takes it as it took the first.
      await untilParametersSettle(h)
      expect(parameterIn(h.sim, h.region)).toMatchObject({ value: old[h.region] })
      expect(parameterIn(h.sim, COPY_REGION)).toBeUndefined()
      for (const region of [h.region, COPY_REGION]) {
        const after = templateIn(h.sim, templates[region])
        expect({ region, default: after.defaultVersion, versions: after.versions.map(version => version.versionNumber) }).toEqual({ region, default: 2, versions: [1, 2] })
      }
      const made = Object.values(JSON.parse(main.outputs.images) as Record<string, string>)
      expect(made).toHaveLength(2)
      expect(await h.leftovers(made)).toEqual({ images: [], snapshots: [] })
      // The hand-off was undone before the images were removed.
      const order = h.sim.calls.filter(call => ['PutParameter', 'ModifyLaunchTemplate', 'DeregisterImage'].includes(call.action)).map(call => call.action)
      expect(order.lastIndexOf('PutParameter')).toBeLessThan(order.indexOf('DeregisterImage'))
    })
  )

  it.concurrent('warns, naming the region, when a copy region has no such template, and hands off the rest', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const old = h.sim.addImage({ region: h.region, name: 'web v1.0.0' })
      const id = template(h, h.region, old)
      const main = await h.main({ 'copy-to-regions': COPY_REGION, 'launch-template': 'web-asg' })
      expectSuccess(main)
      expect(warningMessages(main)).toEqual([expect.stringContaining(`Launch template web-asg does not exist in ${COPY_REGION}`)])
      expect(JSON.parse(main.outputs['launch-template-versions'])).toEqual({ [h.region]: 3 })
      expect(templateIn(h.sim, id).defaultVersion).toBe(3)
    })
  )

  it.concurrent('with dry-run checks the launch template calls with DryRun and says what it would write, changing nothing', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const old = h.sim.addImage({ region: h.region, name: 'web v1.0.0' })
      const id = template(h, h.region, old)
      const main = await h.main({ 'ssm-parameter': PARAMETER, 'launch-template': 'web-asg', 'dry-run': 'true' })
      expectSuccess(main)
      expect(callsTo(h.sim, 'CreateLaunchTemplateVersion').map(call => call.params.DryRun)).toEqual(['true'])
      expect(main.stdout).toContain(`Dry run: may add a version to launch template web-asg (${id}) in ${h.region} and make it the default.`)
      expect(main.stdout).toContain(`Dry run: would write the new image's id to parameter ${PARAMETER} (aws:ec2:image) in ${h.region}`)
      expect(templateIn(h.sim, id).versions).toHaveLength(2)
      expect(h.sim.parameterWrites()).toEqual([])
    })
  )

  it.concurrent('refuses, before CreateImage, a launch template the bake region does not have', () =>
    withHarness({ bake: { durationMs: 500 } }, async h => {
      const main = await h.main({ 'launch-template': 'web-asg' })
      expectFailure(main, "input 'launch-template'", `no such launch template in ${h.region}`)
      expect(callsTo(h.sim, 'CreateImage')).toEqual([])
    })
  )
})
