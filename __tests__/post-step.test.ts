/**
 * The post step decides from main's saved state alone: nothing to do after a finished bake or when no image
 * was made; otherwise it removes what main recorded, and a failure to clean up is a warning, never a failure.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Aws } from '../src/aws.js'
import type { Ec2 } from '../src/ec2/index.js'
import { runPost, type PostDeps } from '../src/post-step.js'
import { BakeState, type StateStore } from '../src/state.js'
import { refuseDistribution, noParameterStore, noKeyService } from './fakes/ec2.js'

const IMAGE = 'ami-0123456789abcdef0'
const SNAPSHOTS = ['snap-0aaaaaaaaaaaaaaaa', 'snap-0bbbbbbbbbbbbbbbb']

function memoryState(): StateStore & { values: Record<string, string> } {
  const values: Record<string, string> = {}
  return { values, save: (key, value) => (values[key] = value), get: key => values[key] ?? '' }
}

/** Main's state after CreateImage: the credentials it used and one image with a snapshot it knew of. */
function stateAfterCreateImage(): ReturnType<typeof memoryState> {
  const store = memoryState()
  const state = new BakeState(store)
  state.begin({ kind: 'default-chain' }, true)
  state.record({ region: 'eu-west-1', imageId: IMAGE, snapshotIds: [SNAPSHOTS[0]] })
  return store
}

/** Only what cleanup asks of EC2; anything else is a call post must not make. */
function fakeEc2(deregister: () => Promise<boolean> = async () => true) {
  const calls: string[] = []
  const unexpected = async (): Promise<never> => {
    throw new Error('post made a call it has no business making')
  }
  const ec2: Ec2 = {
    region: 'eu-west-1',
    principal: 'the credentials from the default chain',
    createImage: unexpected,
    checkCreateImage: unexpected,
    registerImage: unexpected,
    checkRegisterImage: unexpected,
    describeSourceSnapshot: unexpected,
    describeImage: unexpected,
    describeSnapshots: unexpected,
    ...refuseDistribution(),
    async findSnapshotsOf() {
      calls.push('FindSnapshots')
      return SNAPSHOTS
    },
    async describeOwnSnapshots(ids) {
      return ids.map(snapshotId => ({ snapshotId, description: `Created by CreateImage(i-0123456789abcdef0) for ${IMAGE} from vol-0abc`, tags: {} }))
    },
    async deregisterImage(imageId) {
      calls.push(`DeregisterImage ${imageId}`)
      return deregister()
    },
    async deleteSnapshot(snapshotId) {
      calls.push(`DeleteSnapshot ${snapshotId}`)
      return true
    }
  }
  return { ec2, calls }
}

const clock = { now: () => 0, sleep: async () => undefined }
let stdout: string

beforeEach(() => {
  stdout = ''
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    stdout += String(chunk)
    return true
  })
})

afterEach(() => {
  jest.restoreAllMocks()
})

const lines = (prefix: string) => stdout.split('\n').filter(line => line.startsWith(prefix))

describe('runPost', () => {
  it('makes no AWS connection after a finished bake', async () => {
    const store = stateAfterCreateImage()
    new BakeState(store).markFinished()
    const connect = jest.fn<PostDeps['connect']>(async () => ({ ssm: noParameterStore, kms: noKeyService, ec2: () => fakeEc2().ec2 }))
    await runPost({ clock, state: store, connect })
    expect(connect).not.toHaveBeenCalled()
    expect(stdout).toContain('Nothing to clean up')
  })

  it('makes no AWS connection when main made no image', async () => {
    const store = memoryState()
    new BakeState(store).begin({ kind: 'default-chain' }, true)
    const connect = jest.fn<PostDeps['connect']>(async () => ({ ssm: noParameterStore, kms: noKeyService, ec2: () => fakeEc2().ec2 }))
    await runPost({ clock, state: store, connect })
    expect(connect).not.toHaveBeenCalled()
  })

  it('removes what main recorded but could not finish, with the credentials main used, and marks it finished', async () => {
    const store = stateAfterCreateImage()
    const fake = fakeEc2()
    const connect = jest.fn<PostDeps['connect']>(async () => ({ ssm: noParameterStore, kms: noKeyService, ec2: () => fake.ec2 }))
    await runPost({ clock, state: store, connect })

    expect(connect).toHaveBeenCalledWith({ kind: 'default-chain' }, 'eu-west-1')
    expect(fake.calls).toEqual([`DeregisterImage ${IMAGE}`, 'FindSnapshots', `DeleteSnapshot ${SNAPSHOTS[0]}`, `DeleteSnapshot ${SNAPSHOTS[1]}`])
    expect(store.values.finished).toBe('true')
    expect(lines('::error::')).toEqual([])
  })

  it('takes back a permission main granted on something that outlives the run, even when it made no image', async () => {
    const store = memoryState()
    const state = new BakeState(store)
    state.begin({ kind: 'default-chain' }, true)
    state.recordGrant({ region: 'us-east-2', kind: 'create-volume', resourceId: 'snap-user', added: { accounts: ['111122223333'], organizations: [], ous: [] } })
    const taken: string[] = []
    const fake = fakeEc2()
    fake.ec2.unshareSnapshot = async (id, accounts) => void taken.push(`${id} ${accounts.join(' ')}`)
    const connect = jest.fn<PostDeps['connect']>(async () => ({ ssm: noParameterStore, kms: noKeyService, ec2: () => fake.ec2 }))
    await runPost({ clock, state: store, connect })
    expect(connect).toHaveBeenCalledWith({ kind: 'default-chain' }, 'us-east-2')
    expect(taken).toEqual(['snap-user 111122223333'])
    expect(store.values.finished).toBe('true')
  })

  it('reports a cleanup that could not finish as a warning, never as a failure', async () => {
    const store = stateAfterCreateImage()
    const connect = async (): Promise<Aws> => {
      throw new Error('no route to EC2')
    }
    await runPost({ clock, state: store, connect })
    expect(lines('::warning::')).toEqual([expect.stringContaining('Cleanup did not finish: no route to EC2')])
    expect(lines('::error::')).toEqual([])
    expect(process.exitCode).toBeUndefined()
  })
})
