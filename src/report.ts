/** Outputs and the job summary: what the deploy steps and the person reading the run see. */
import * as core from '@actions/core'
import { Outputs } from './constants.js'
import { formatDuration } from './duration.js'
import { describeClause } from './errors.js'
import type { Tag } from './settings.js'

export interface BakedImage {
  readonly region: string
  readonly imageId: string
  readonly name: string
  readonly state: string
  readonly snapshotIds: readonly string[]
  readonly tags: readonly Tag[]
  readonly elapsedMs: number
  /** Time spent waiting for `available`; undefined when the action did not wait. */
  readonly waitedMs?: number
}

/** Sets the outputs that exist as soon as CreateImage returns, so nothing is lost if a later step fails. */
export function announceImage(region: string, imageId: string, name: string): void {
  core.setOutput(Outputs.ImageId, imageId)
  core.setOutput(Outputs.ImageName, name)
  core.setOutput(Outputs.Region, region)
  core.info(`Created image ${imageId} (${name}) in ${region}`)
}

/** The final outputs and the job summary, for a list of images (one today). */
export async function reportImages(images: readonly BakedImage[]): Promise<void> {
  const [first] = images
  if (first) {
    core.setOutput(Outputs.State, first.state)
    core.setOutput(Outputs.SnapshotIds, JSON.stringify(first.snapshotIds))
  }
  // Off a runner (a local run without GITHUB_STEP_SUMMARY) there is nowhere to write a summary.
  if (!process.env.GITHUB_STEP_SUMMARY) return
  try {
    await writeSummary(images)
  } catch (error) {
    // The image is good and its outputs are set: a summary is never a reason to fail, or to remove it.
    core.warning(`Could not write the job summary: ${describeClause(error)}. The image and the outputs are not affected.`)
  }
}

async function writeSummary(images: readonly BakedImage[]): Promise<void> {
  await core.summary
    .addHeading('bake-ami', 2)
    .addTable([
      [
        { data: 'Image', header: true },
        { data: 'Name', header: true },
        { data: 'Region', header: true },
        { data: 'State', header: true },
        { data: 'Snapshots', header: true },
        { data: 'Tags', header: true },
        { data: 'Elapsed', header: true }
      ],
      ...images.map(image =>
        [
          image.imageId,
          image.name,
          image.region,
          image.state,
          image.snapshotIds.join(', ') || 'none',
          image.tags.map(tag => `${tag.key}=${tag.value}`).join(', ') || 'none',
          formatDuration(image.elapsedMs) + (image.waitedMs === undefined ? '' : ` (waited ${formatDuration(image.waitedMs)})`)
        ].map(escapeHtml)
      )
    ])
    .write()
}

/** core.summary puts table cells into HTML as they are; tag values may hold any character. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, character => `&#${character.charCodeAt(0)};`)
}
