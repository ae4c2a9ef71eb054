/** The story of a bake: inputs, credentials, make the image (CreateImage or RegisterImage), wait, report; and undo when it goes wrong. */
import * as core from '@actions/core'
import { undo } from './cleanup.js'
import type { Ec2 } from './ec2.js'
import { AwsError, describeError, InputError, WaitError } from './errors.js'
import type { GithubRun } from './github-run.js'
import { formatDuration } from './duration.js'
import { checkMakeImage, knownSnapshotIds, makeImage, makingCall } from './make-image.js'
import { announceImage, reportImages } from './report.js'
import type { ImageObservation } from './observations.js'
import type { PostDeps } from './post-step.js'
import { describeSettings, readSettings, type Settings } from './settings.js'
import { BakeState, type LedgerEntry } from './state.js'
import { waitForImages } from './wait/index.js'

/** What touches the world; `index.ts` builds the real ones, tests build fakes. */
export interface Deps extends PostDeps {
  /** Aborts when the job is cancelled (SIGINT/SIGTERM from the runner). */
  readonly signal: AbortSignal
  githubRun(): GithubRun
}

/** EC2's StateReason as `code: message`; EC2 often starts the message with the code already. */
function stateReason(image: ImageObservation | undefined): string {
  const { code, message } = image?.stateReason ?? {}
  if (!code && !message) return 'EC2 gave no reason'
  if (!code || message?.startsWith(code)) return message!
  return message ? `${code}: ${message}` : code
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
  const aws = await deps.connect(settings.credentials, settings.region)
  const ec2 = aws.ec2(settings.region)

  if (settings.dryRun) {
    core.info(await checkMakeImage(ec2, settings))
    state.markFinished()
    return
  }

  if (deps.signal.aborted) throw new WaitError('aborted', `The job was cancelled before ${makingCall(settings)}: nothing was made.`)
  const { imageId, madeBy } = await makeImage(ec2, settings)
  // The ledger learns the image's snapshots as EC2 shows them, and only if they are the run's to delete.
  const entry: LedgerEntry = { region: settings.region, imageId, madeBy, snapshotIds: [] }
  state.record(entry)
  announceImage(settings.region, imageId, settings.name)

  try {
    const waitStarted = deps.clock.now()
    const image = settings.wait ? await waitUntilAvailable(ec2, imageId, settings, state, deps) : undefined
    await reportImages([
      {
        region: settings.region,
        imageId,
        name: settings.name,
        state: image?.state ?? 'pending',
        snapshotIds: image?.snapshotIds ?? knownSnapshotIds(settings),
        tags: settings.tags,
        elapsedMs: deps.clock.now() - started,
        waitedMs: image && deps.clock.now() - waitStarted
      }
    ])
    state.markFinished()
  } catch (error) {
    await undo(aws, state, deps.clock, deps.signal.aborted ? LOOK_FOR_SNAPSHOTS_CANCELLED_MS : LOOK_FOR_SNAPSHOTS_MS)
    throw error
  }
}

async function waitUntilAvailable(
  ec2: Ec2,
  imageId: string,
  settings: Settings,
  state: BakeState,
  deps: Deps
): Promise<ImageObservation> {
  if (deps.signal.aborted) throw new WaitError('aborted', `The job was cancelled right after ${imageId} was created.`)
  const [result] = await waitForImages([{ region: ec2.region, imageId }], {
    clock: deps.clock,
    timeoutMs: settings.waitTimeoutMs,
    signal: deps.signal,
    log: line => core.info(line),
    sourceFor: () => ({
      describeImage: async id => {
        const image = await ec2.describeImage(id)
        // Snapshot ids go to state as soon as they are known, so that post can remove them (if they are ours).
        if (image) state.observe(imageId, image)
        return image
      },
      describeSnapshots: ids => ec2.describeSnapshots(ids)
    })
  })
  const waited = formatDuration(result.elapsedMs)
  switch (result.verdict) {
    case 'available':
      return result.image!
    case 'failed':
      throw new WaitError('failed', `Image ${imageId} ended '${result.image?.state}' after ${waited}: ${stateReason(result.image)}`)
    case 'gone':
      throw new WaitError(
        'gone',
        `Image ${imageId} in ${ec2.region} was deregistered outside this step ${waited} into the wait: EC2 no longer shows it. ` +
          `Find who deregistered it in CloudTrail (DeregisterImage), stop that, and re-run the job.`
      )
    case 'timeout':
      throw new WaitError(
        'timeout',
        `Image ${imageId} was still '${result.image?.state ?? 'pending'}' when 'wait-timeout' (${formatDuration(settings.waitTimeoutMs)}) ran out. ` +
          `Raise 'wait-timeout' for large volumes, or set 'wait: false' and wait in a later job.`
      )
    case 'aborted':
      throw new WaitError('aborted', `The job was cancelled while waiting for ${imageId} (${waited} in).`)
  }
}
