/** What this workflow run knows about itself, for the template placeholders. */
import { context } from '@actions/github'
import type { TemplateValues } from './template.js'

export interface GithubRun {
  sha?: string
  refName?: string
  runId?: string
  runNumber?: string
  runAttempt?: string
  repository?: string
}

/** Reads the run from GitHub's context; a value the runner did not set stays undefined. */
export function currentRun(env: NodeJS.ProcessEnv = process.env): GithubRun {
  return {
    sha: context.sha || undefined,
    // GITHUB_REF_NAME is the short name of the branch or tag (`v1.2.3`), which context does not carry.
    refName: env.GITHUB_REF_NAME || undefined,
    runId: numberText(context.runId),
    runNumber: numberText(context.runNumber),
    runAttempt: numberText(context.runAttempt),
    repository: env.GITHUB_REPOSITORY || undefined
  }
}

export function runValues(run: GithubRun): Omit<TemplateValues, 'timestamp' | 'date' | 'datetime' | 'instance_id'> {
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

function numberText(value: number): string | undefined {
  return Number.isFinite(value) ? String(value) : undefined
}
