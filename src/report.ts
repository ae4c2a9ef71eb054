/** Outputs and the job summary: what the deploy steps and the person reading the run see. */
import * as core from '@actions/core'
import { Outputs } from './constants.js'
import type { HandedOff, RetirementReport } from './distribute/index.js'
import { formatDuration } from './duration.js'
import { describeClause } from './errors.js'
import type { Tag } from './settings.js'
import type { ImageRef } from './wait/index.js'

/** One image of the run, in one region: the source first, then its copies. */
export interface BakedImage extends ImageRef {
  readonly name: string
  readonly state: string
  readonly snapshotIds: readonly string[]
  readonly tags: readonly Tag[]
  /** From the call that made the image (CreateImage, RegisterImage, CopyImage) to available; undefined when the action did not wait. */
  readonly availableAfterMs?: number
  /** Who may launch it, as "2 accounts, 1 organization"; empty for nobody else. */
  readonly sharedWith?: string
  /** ISO 8601; undefined when not deprecated. */
  readonly deprecateAt?: string
  /** The key its snapshots are encrypted with, as a person knows it (its alias where it has one); undefined without `encrypt`. */
  readonly key?: string
}

/**
 * Sets the outputs that exist as soon as CreateImage returns (or the image to reuse is found), so nothing is lost
 * if a later step fails.
 */
export function announceImage(region: string, imageId: string, name: string, reused = false): void {
  core.setOutput(Outputs.ImageId, imageId)
  core.setOutput(Outputs.ImageName, name)
  core.setOutput(Outputs.Region, region)
  announceRegions([{ region, imageId }])
  core.info(`${reused ? 'Reusing' : 'Created'} image ${imageId} (${name}) in ${region}`)
}

/** The `images` output (region -> image id), set again as soon as copies exist. */
export function announceRegions(images: readonly ImageRef[]): void {
  core.setOutput(Outputs.Images, JSON.stringify(Object.fromEntries(images.map(image => [image.region, image.imageId]))))
}

/** The final outputs and the job summary. */
export async function reportImages(images: readonly BakedImage[], retirement?: RetirementReport, handed?: HandedOff): Promise<void> {
  const [source] = images
  if (source) {
    core.setOutput(Outputs.State, source.state)
    core.setOutput(Outputs.SnapshotIds, JSON.stringify(source.snapshotIds))
    announceRegions(images)
  }
  core.setOutput(Outputs.RemovedImageIds, JSON.stringify(retirement?.removed.map(image => image.imageId) ?? []))
  core.setOutput(Outputs.SsmParameterVersions, JSON.stringify(handed?.ssmParameterVersions ?? {}))
  core.setOutput(Outputs.LaunchTemplateVersions, JSON.stringify(handed?.launchTemplateVersions ?? {}))
  // Off a runner (a local run without GITHUB_STEP_SUMMARY) there is nowhere to write a summary.
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await writeSummary(images, retirement)
  } catch (error) {
    // The image is good and its outputs are set: a summary is never a reason to fail, or to remove it.
    core.warning(`Could not write the job summary: ${describeClause(error)}. The image and the outputs are not affected.`)
  }
}

async function writeSummary(images: readonly BakedImage[], retirement: RetirementReport | undefined): Promise<void> {
  // The key column only for an encrypted release: next to the image it encrypts.
  const keyed = images.some(image => image.key !== undefined)
  const summary = core.summary.addHeading('bake-ami', 2).addTable([
    ['Region', 'Image', ...(keyed ? ['Key'] : []), 'Name', 'State', 'Time to available', 'Snapshots', 'Tags', 'Shared with', 'Deprecation'].map(data => ({
      data,
      header: true
    })),
    ...images.map(image =>
      [
        image.region,
        image.imageId,
        ...(keyed ? [image.key ?? 'not encrypted'] : []),
        image.name,
        image.state,
        image.availableAfterMs === undefined ? 'not waited for' : formatDuration(image.availableAfterMs),
        image.snapshotIds.join(', ') || 'none',
        image.tags.map(tag => `${tag.key}=${tag.value}`).join(', ') || 'none',
        image.sharedWith || 'nobody',
        image.deprecateAt ?? 'none'
      ].map(escapeHtml)
    )
  ])
  if (retirement) {
    const { removed, kept } = retirement
    const items = [
      ...removed.map(
        image =>
          `Removed ${image.imageId} (${image.name}, created ${image.creationDate}) in ${image.region}` +
          (image.snapshotIds.length ? ` with ${image.snapshotIds.join(', ')}` : '')
      ),
      ...kept.map(image => `Kept ${image.imageId} (${image.name}) in ${image.region}: ${image.reason}`)
    ]
    summary.addHeading('Retention', 3)
    if (items.length > 0) summary.addList(items.map(escapeHtml))
    else summary.addRaw('No older image of the family.', true)
  }
  await summary.write()
}

/** core.summary puts table cells into HTML as they are; tag values may hold any character. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, character => `&#${character.charCodeAt(0)};`)
}
