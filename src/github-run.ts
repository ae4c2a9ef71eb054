/**
 * What this workflow run knows about itself, for the template placeholders. Read from the GITHUB_*
 * variables the runner sets: @actions/github's `context` reads the same variables but brings all of
 * Octokit into the start-up bundle.
 */
import type { TemplateValues } from './template.js'

export interface GithubRun {
  sha?: string
  refName?: string
  runId?: string
  runNumber?: string
  runAttempt?: string
  repository?: string
}

/** Reads the run from the runner's variables; a value the runner did not set stays undefined. */
export function currentRun(env: NodeJS.ProcessEnv = process.env): GithubRun {
  return {
    sha: env.GITHUB_SHA || undefined,
    // The short name of the branch or tag (`v1.2.3`).
    refName: env.GITHUB_REF_NAME || undefined,
    runId: wholeNumber(env.GITHUB_RUN_ID),
    runNumber: wholeNumber(env.GITHUB_RUN_NUMBER),
    runAttempt: wholeNumber(env.GITHUB_RUN_ATTEMPT),
    repository: env.GITHUB_REPOSITORY || undefined
  }
}

export function runValues(run: GithubRun): Omit<TemplateValues, 'timestamp' | 'date' | 'datetime' | 'instance_id' | 'snapshot_id'> {
  return {
    sha: run.sha,
    short_sha: run.sha?.slice(0, 7),
    ref_name: run.refName,
    run_id: run.runId,
    run_number: run.runNumber,
    run_attempt: run.runAttempt,
    repository: run.repository
  }
}

/** The runner's counters are whole numbers; anything else (unset, garbage) is no value, not part of a name. */
function wholeNumber(value: string | undefined): string | undefined {
  return value !== undefined && /^\d+$/.test(value) ? value : undefined
}
