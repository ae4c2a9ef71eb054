import * as core from '@actions/core'
import { cleanup } from './main.js'
import { realClock } from './clock.js'

await cleanup({
  clock: realClock,
  state: { save: core.saveState, get: core.getState },
  connect: async (credentials, region) => (await import('./aws.js')).connect(credentials, region)
})
