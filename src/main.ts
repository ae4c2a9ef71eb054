/**
 * The story of a bake: inputs, credentials, make the image (or reuse it), wait, copy to other regions, publish,
 * report, and retire the family's old images; and undo what the run made when it goes wrong.
 */
import * as core from '@actions/core'
import type { Aws } from './aws.js'
import { waitUntilAvailable, type AvailableImage } from './available.js'
import { undo } from './cleanup.js'
import {
  checkHandOff,
  checkLaunchTemplate,
  copyToRegions,
  describeAudience,
  handOff,
  protect,
  publish,
  retire,
  type HandedOff,
  type Publication,
  type RetirementReport
} from './distribute/index.js'
import { AwsError, describeError, InputError, WaitError } from './errors.js'
import type { GithubRun } from './github-run.js'
import { checkMakeImage, knownSnapshotIds, makeImage, snapshotTags, usersSnapshotIds } from './make-image.js'
import type { PostDeps } from './post-step.js'
import { announceImage, announceRegions, reportImages, type BakedImage } from './report.js'
import { describeSettings, readSettings, type Settings } from './settings.js'
import { BakeState } from './state.js'
import type { ImageRef } from './wait/index.js'

/** What touches the world; `index.ts` builds the real ones, tests build fakes. */
export interface Deps extends PostDeps {
  /** Aborts when the job is cancelled (SIGINT/SIGTERM from the runner). */
  readonly signal: AbortSignal
  githubRun(): GithubRun
}

/** How long main keeps looking for the snapshots of an image it deregistered while pending. */
const LOOK_FOR_SNAPSHOTS_MS = 60_000
/** When cancelled, the runner kills the step about 10 s after SIGINT; post finishes what main cannot. */
const LOOK_FOR_SNAPSHOTS_CANCELLED_MS = 5_000

export async function run(deps: Deps): Promise<void> {
  try {
    await bake(deps)
  } catch (error) {
    core.setFailed(describeError(error))
    // Our own errors already say what to do; a stack only helps with the unexpected (shown in debug logs).
    if (!(error instanceof InputError || error instanceof AwsError || error instanceof WaitError) && error instanceof Error) {
      core.debug(error.stack ?? error.message)
    }
  }
}

async function bake(deps: Deps): Promise<void> {
  const started = deps.clock.now()
  const settings = readSettings(started, deps.githubRun())
  describeSettings(settings).forEach(line => core.debug(line))

  const state = new BakeState(deps.state)
  state.begin(settings.credentials, settings.cleanupOnFailure)
  state.recordUsersSnapshots(usersSnapshotIds(settings))
  const aws = await deps.connect(settings.credentials, settings.region)

  if (settings.dryRun) {
    core.info(await checkMakeImage(aws.ec2(settings.region), settings))
    await checkHandOff(aws, settings.region, settings.handOff, line => core.info(line))
    await retireOldImages(aws, settings, [], deps)
    state.markFinished()
    return
  }

  // Nothing to hand the image to is a mistake best found before the bake, not after it.
  await checkLaunchTemplate(aws, settings.region, settings.handOff)
  const { imageId, madeBy, state: found } = await makeImage(aws.ec2(settings.region), settings, deps.clock, deps.signal)
  const source: ImageRef = { region: settings.region, imageId }
  // The ledger learns the image's snapshots as EC2 shows them, and only if they are the run's to delete.
  if (madeBy !== 'reused') state.record({ ...source, madeBy, snapshotIds: [] })
  announceImage(settings.region, imageId, settings.name, madeBy === 'reused')

  let images: BakedImage[]
  let handed: HandedOff | undefined
  try {
    ;({ images, handed } = settings.wait ? await release(aws, source, settings, state, deps, started) : { images: [notWaitedFor(source, found, settings)] })
    // The last step, once everything else has succeeded: a failure is a warning, and the release stands.
    const unprotected = await protect(aws, images, settings.distribution.deregistrationProtection, { log: line => core.info(line), signal: deps.signal })
    unprotected.forEach(problem => core.warning(problem))
    state.markFinished()
  } catch (error) {
    await undo(aws, state, deps.clock, deps.signal.aborted ? LOOK_FOR_SNAPSHOTS_CANCELLED_MS : LOOK_FOR_SNAPSHOTS_MS)
    throw error
  }
  // The release is good from here on: nothing below fails the step or removes what it made.
  const retirement = await retireOldImages(aws, settings, images, deps)
  await reportImages(images, retirement, handed)
}

/** The image available, copied to every region, published in all of them, and handed to what launches it. */
async function release(
  aws: Aws,
  source: ImageRef,
  settings: Settings,
  state: BakeState,
  deps: Deps,
  started: number
): Promise<{ images: BakedImage[]; handed: HandedOff }> {
  const waiting = { clock: deps.clock, signal: deps.signal, timeoutMs: settings.waitTimeoutMs }
  const log = (line: string) => core.info(line)
  const { distribution } = settings
  const available = await waitUntilAvailable(aws, [source], state, waiting)

  if (distribution.copyToRegions.length > 0) {
    const { name, description, tags } = settings
    const request = { name, description, tags, snapshotTags: snapshotTags(settings) }
    const copying = { ifExists: settings.ifExists, state, clock: deps.clock, log, signal: deps.signal }
    const copies = await copyToRegions(aws, source, distribution.copyToRegions, request, copying)
    announceRegions([source, ...copies])
    available.push(...(await waitUntilAvailable(aws, copies, state, waiting)))
  }

  const publication = publicationOf(settings, started)
  await publish(aws, available.map(image => ({ ...image, snapshotIds: image.image.snapshotIds })), publication, { state, log, signal: deps.signal })
  const handing = { state, clock: deps.clock, log, signal: deps.signal }
  const handed = await handOff(aws, available, settings.name, settings.handOff, handing)
  handed.warnings.forEach(warning => core.warning(warning))
  const sharedWith = describeAudience(publication.audience)
  const deprecateAt = publication.deprecateAt?.toISOString()
  return { images: available.map(image => ({ ...baked(image, settings), sharedWith, deprecateAt })), handed }
}

/** Retention, when asked for: a warning for each problem, never a failure. */
async function retireOldImages(aws: Aws, settings: Settings, images: readonly ImageRef[], deps: Deps): Promise<RetirementReport | undefined> {
  const { family, keepLatest, keepLaunchedWithinMs } = settings.distribution
  if (family === undefined || keepLatest === undefined) return undefined
  const regions = [settings.region, ...settings.distribution.copyToRegions]
  const ours = new Set(images.map(image => image.imageId))
  const retention = { family, keepLatest, keepLaunchedWithinMs, dryRun: settings.dryRun }
  const report = await retire(aws, regions, ours, retention, { clock: deps.clock, log: line => core.info(line), signal: deps.signal })
  for (const problem of report.problems) core.warning(`Retention: ${problem} The new image is not affected.`)
  return report
}

/** What to apply to every image; deprecation counts from the step's start, the same moment for every region. */
function publicationOf(settings: Settings, started: number): Publication {
  const { shareWithAccounts, shareWithOrganizations, shareWithOus, shareSnapshots, deprecateAfterMs, imdsSupport } = settings.distribution
  return {
    audience: { accounts: shareWithAccounts, organizations: shareWithOrganizations, ous: shareWithOus },
    shareSnapshots,
    deprecateAt: deprecateAfterMs === undefined ? undefined : new Date(started + deprecateAfterMs),
    requireImdsV2: imdsSupport === 'v2.0'
  }
}

function baked(image: AvailableImage, settings: Settings): BakedImage {
  const { region, imageId, waitedMs } = image
  return { region, imageId, name: settings.name, state: image.image.state, snapshotIds: image.image.snapshotIds, tags: settings.tags, availableAfterMs: waitedMs }
}

/** With `wait: false`: the state when made (pending) or found (a reused image). */
function notWaitedFor(source: ImageRef, state: string, settings: Settings): BakedImage {
  return { ...source, name: settings.name, state, snapshotIds: knownSnapshotIds(settings), tags: settings.tags }
}
