import * as core from '@actions/core'
import { realClock } from './clock.js'
import { runPost } from './post-step.js'

await runPost({
  clock: realClock,
  state: { save: core.saveState, get: core.getState },
  connect: async (credentials, region) => (await import('./aws.js')).connect(credentials, region)
})
