/**
 * The main step's entry: the inputs read and checked, then the bake (`main.ts`), loaded only once they are valid, so
 * that a bad input is reported before the rest of the action is even read from disk. Every failure is reported here,
 * once.
 */
import * as core from '@actions/core'
import { AwsError, describeError, InputError, WaitError } from './errors.js'
import type { GithubRun } from './github-run.js'
import type { PostDeps } from './post-step.js'
import { describeSettings, readSettings } from './settings.js'

/** What touches the world; `index.ts` builds the real ones, tests build fakes. */
export interface Deps extends PostDeps {
  /** Aborts when the job is cancelled (SIGINT/SIGTERM from the runner). */
  readonly signal: AbortSignal
  githubRun(): GithubRun
}

export async function run(deps: Deps): Promise<void> {
  try {
    const started = deps.clock.now()
    const settings = readSettings(started, deps.githubRun())
    describeSettings(settings).forEach(line => core.debug(line))
    const { bake } = await import('./main.js')
    await bake(settings, started, deps)
  } catch (error) {
    core.setFailed(describeError(error))
    // Our own errors already say what to do; a stack only helps with the unexpected (shown in debug logs).
    if (!(error instanceof InputError || error instanceof AwsError || error instanceof WaitError) && error instanceof Error) {
      core.debug(error.stack ?? error.message)
    }
  }
}
