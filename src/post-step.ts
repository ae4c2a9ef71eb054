/**
 * The post step: finishes what main could not undo (it was cancelled, killed, or failed mid-cleanup).
 * Decides from saved state alone, never from the inputs, and reports rather than fails.
 */
import * as core from '@actions/core'
import type { Aws } from './aws.js'
import { undo } from './cleanup.js'
import type { Clock } from './clock.js'
import { describeError } from './errors.js'
import type { CredentialSettings } from './settings.js'
import { BakeState, type StateStore } from './state.js'

/** What touches the world in post; main needs the same and a little more. */
export interface PostDeps {
  readonly clock: Clock
  readonly state: StateStore
  /** Loads the AWS SDK and builds clients; called only when there is something to do. */
  connect(credentials: CredentialSettings, region: string): Promise<Aws>
}

/** Post is the last chance to find the snapshots of an image deregistered while pending: it looks longest. */
const LOOK_FOR_SNAPSHOTS_MS = 120_000

export async function runPost(deps: PostDeps): Promise<void> {
  try {
    const state = BakeState.restore(deps.state)
    // An image not yet removed, a permission not yet taken back (a reused image's, a user's snapshot's), or a
    // parameter or launch template not yet put back.
    const region = state.entries().find(entry => !entry.removed)?.region ?? state.grants()[0]?.region ?? state.handOffs()[0]?.region
    if (state.finished || region === undefined || !state.credentials) {
      core.info('Nothing to clean up')
      return
    }
    const aws = await deps.connect(state.credentials, region)
    await undo(aws, state, deps.clock, LOOK_FOR_SNAPSHOTS_MS)
  } catch (error) {
    core.warning(`Cleanup did not finish: ${describeError(error)}`)
  }
}
