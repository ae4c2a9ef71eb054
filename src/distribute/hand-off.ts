/**
 * The hand-off to what launches the images, in every region they live in: a Parameter Store parameter
 * (`aws:ec2:image`) pointing at the region's image, and a new launch template version launching it (made the default
 * unless told otherwise). Each change is recorded in the ledger before it is made, so that a failure, here or later,
 * puts back exactly what was there (`restoreHandOffs`, called by undo before any image is removed).
 */
import { randomUUID } from 'node:crypto'
import type { Aws } from '../aws.js'
import type { Clock } from '../clock.js'
import { Inputs } from '../constants.js'
import { AwsError, awsErrorCode, describeClause, describeError, InputError, WaitError } from '../errors.js'
import type { LaunchTemplate } from '../ec2/index.js'
import type { HandOff } from '../settings.js'
import type { BakeState, HandOffRecord } from '../state.js'
import type { ImageRef } from '../wait/index.js'

export interface HandOffOptions {
  /** Where each change is recorded before it is made. */
  readonly state: BakeState
  readonly clock: Clock
  readonly log: (line: string) => void
  /** The job's cancellation: no change starts once it is aborted. */
  readonly signal: AbortSignal
}

/** What the hand-off wrote, by region: the outputs `ssm-parameter-versions` and `launch-template-versions`. */
export interface HandedOff {
  readonly ssmParameterVersions: Readonly<Record<string, number>>
  readonly launchTemplateVersions: Readonly<Record<string, number>>
  /** One sentence per copy region without the launch template, for a warning. */
  readonly warnings: readonly string[]
}

/**
 * Parameter Store validates an `aws:ec2:image` value after PutParameter has answered, and keeps the old value if it
 * rejects the new one without saying so: a write counts once GetParameter shows it. These pauses (about 24 s in all)
 * bound the wait for that; validation takes seconds.
 */
const CONFIRM_PAUSES_MS = [500, 1_000, 2_000, 4_000, 8_000, 8_000]

/** Before the bake: the bake region must have the launch template, or there is nothing to hand the image to. */
export async function checkLaunchTemplate(aws: Aws, region: string, handOff: HandOff): Promise<LaunchTemplate | undefined> {
  const wanted = handOff.launchTemplate
  if (wanted === undefined) return undefined
  const template = await aws.ec2(region).findLaunchTemplate(wanted)
  if (!template) {
    throw new InputError(
      Inputs.LaunchTemplate,
      wanted,
      `there is no such launch template in ${region}, the region of the bake. Create it there first (it is checked before the bake, so nothing was made)`
    )
  }
  return template
}

/** Dry run: checks the launch template calls with DryRun, and says what would be written to the parameter. */
export async function checkHandOff(aws: Aws, region: string, handOff: HandOff, log: (line: string) => void): Promise<void> {
  const template = await checkLaunchTemplate(aws, region, handOff)
  if (template) {
    // An image id of the right shape that need not exist: DryRun checks the permission, not the image.
    await aws.ec2(region).checkCreateLaunchTemplateVersion(template.id, 'ami-00000000000000000')
    log(`Dry run: may add a version to launch template ${template.name} (${template.id}) in ${region}${handOff.launchTemplateDefault ? ' and make it the default' : ''}.`)
  }
  if (handOff.ssmParameter !== undefined) {
    log(`Dry run: would write the new image's id to parameter ${handOff.ssmParameter} (aws:ec2:image) in ${region} and in each copy region.`)
  }
}

/** Hands every image off, all regions at once; throws naming each region that could not take it. */
export async function handOff(aws: Aws, images: readonly ImageRef[], imageName: string, handOff: HandOff, options: HandOffOptions): Promise<HandedOff> {
  const ssmParameterVersions: Record<string, number> = {}
  const launchTemplateVersions: Record<string, number> = {}
  const warnings: string[] = []
  const outcomes = await Promise.allSettled(
    images.map(async image => {
      if (handOff.ssmParameter !== undefined) ssmParameterVersions[image.region] = await writeParameter(aws, image, handOff.ssmParameter, options)
      if (handOff.launchTemplate !== undefined) {
        const version = await addTemplateVersion(aws, image, imageName, handOff, options)
        if (version === undefined) warnings.push(`Launch template ${handOff.launchTemplate} does not exist in ${image.region}: no version was made for ${image.imageId} there.`)
        else launchTemplateVersions[image.region] = version
      }
    })
  )
  const failures = outcomes.flatMap((outcome, i) => (outcome.status === 'rejected' ? [{ image: images[i], error: outcome.reason as unknown }] : []))
  if (failures.length > 0) {
    const what = failures.map(({ image, error }) => `in ${image.region}: ${describeClause(error)}`).join('; ')
    throw new AwsError('HandOff', awsErrorCode(failures[0].error), `Could not hand the image off ${what}.`, failures[0].error)
  }
  return { ssmParameterVersions, launchTemplateVersions, warnings }
}

async function writeParameter(aws: Aws, image: ImageRef, name: string, { state, clock, log, signal }: HandOffOptions): Promise<number> {
  const { region, imageId } = image
  const store = await aws.ssm(region)
  const before = await store.getParameter(name)
  const previous = before && { value: before.value, type: before.type, dataType: before.dataType }
  if (signal.aborted) throw new WaitError('aborted', `The job was cancelled before writing parameter ${name} in ${region}.`)
  state.recordHandOff({ kind: 'ssm-parameter', region, name, previous, wrote: imageId })
  const version = await store.putParameter(name, imageId, { type: 'String', dataType: 'aws:ec2:image' })
  for (const pause of [0, ...CONFIRM_PAUSES_MS]) {
    if (pause > 0) await clock.sleep(pause)
    const stored = await store.getParameter(name)
    if (stored?.value === imageId && stored.version >= version) {
      log(`Parameter ${name} in ${region} holds ${imageId} (version ${stored.version})`)
      return stored.version
    }
  }
  const holds = await store.getParameter(name).then(
    stored => (stored ? `it still holds ${stored.value || 'nothing'} (version ${stored.version})` : 'it does not exist'),
    (error: unknown) => `it could not be read back: ${describeError(error)}`
  )
  throw new AwsError(
    'PutParameter',
    'ParameterNotUpdated',
    `Parameter Store did not take ${imageId} for ${name} in ${region} within ${Math.round(CONFIRM_PAUSES_MS.reduce((a, b) => a + b) / 1000)} s: ${holds}. ` +
      `It checks an aws:ec2:image value after PutParameter answers and keeps the old one if it cannot find the image as the writer: ` +
      `the role needs ec2:DescribeImages in ${region}. Its EventBridge events ("Parameter Store Change", failure) say why.`
  )
}

/** A new version of the template launching the image, made the default if asked; undefined when the region has no such template. */
async function addTemplateVersion(aws: Aws, image: ImageRef, imageName: string, handOff: HandOff, { state, log, signal }: HandOffOptions): Promise<number | undefined> {
  const { region, imageId } = image
  const ec2 = aws.ec2(region)
  const template = await ec2.findLaunchTemplate(handOff.launchTemplate!)
  if (!template) return undefined
  const record: HandOffRecord & { kind: 'launch-template' } = {
    kind: 'launch-template',
    region,
    templateId: template.id,
    previousDefault: template.defaultVersion,
    versions: [],
    defaultChanged: false
  }
  if (signal.aborted) throw new WaitError('aborted', `The job was cancelled before adding a version to launch template ${template.name} in ${region}.`)
  // Recorded first: whatever happens from here, undo puts the default back. The token keeps the SDK's retries from
  // making a second version.
  state.recordHandOff(record)
  const version = await ec2.createLaunchTemplateVersion(template.id, imageId, imageName, randomUUID())
  state.recordHandOff({ ...record, versions: [version] })
  log(`Launch template ${template.name} (${template.id}) in ${region} has version ${version} with ${imageId}`)
  if (handOff.launchTemplateDefault) {
    if (signal.aborted) throw new WaitError('aborted', `The job was cancelled before making version ${version} of ${template.name} the default in ${region}.`)
    state.recordHandOff({ ...record, versions: [version], defaultChanged: true })
    await ec2.setDefaultLaunchTemplateVersion(template.id, version)
    log(`Version ${version} is the default of ${template.name} in ${region} (it was ${template.defaultVersion})`)
  }
  return version
}
