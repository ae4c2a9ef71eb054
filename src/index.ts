import * as core from '@actions/core'
import { currentRun } from './github-run.js'
import { run } from './run.js'
import { realClock } from './clock.js'

// The runner cancels a step with SIGINT, then SIGTERM about 7.5 s later: both start the cleanup.
const cancelled = new AbortController()
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    core.info(`Received ${signal}: the job was cancelled`)
    cancelled.abort()
  })
}

await run({
  clock: realClock,
  signal: cancelled.signal,
  state: { save: core.saveState, get: core.getState },
  githubRun: currentRun,
  connect: async (credentials, region) => (await import('./aws.js')).connect(credentials, region, cancelled.signal)
})
