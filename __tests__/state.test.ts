import { describe, expect, it } from '@jest/globals'
import type { CredentialSettings } from '../src/settings.js'
import { BakeState, type StateStore } from '../src/state.js'

/** Like `core.saveState`/`core.getState`: one value per key, '' for a key never saved. */
function fakeStore(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial))
  const saves: [string, string][] = []
  const store: StateStore & { values: Map<string, string>; saves: [string, string][] } = {
    values,
    saves,
    save(key, value) {
      saves.push([key, value])
      values.set(key, value)
    },
    get(key) {
      return values.get(key) ?? ''
    }
  }
  return store
}

const OIDC: CredentialSettings = {
  kind: 'oidc',
  roleArn: 'arn:aws:iam::123456789012:role/bake-ami',
  sessionName: 'bake-ami',
  durationSeconds: 3600,
  audience: 'sts.amazonaws.com'
}

describe('BakeState', () => {
  it('starts empty: no credentials, cleanup on, nothing made, not finished', () => {
    const state = BakeState.restore(fakeStore())
    expect([state.credentials, state.cleanupOnFailure, state.entries(), state.finished]).toStrictEqual([
      undefined,
      true,
      [],
      false
    ])
  })

  it('saves each write the moment it happens', () => {
    const store = fakeStore()
    const state = new BakeState(store)
    state.begin(OIDC, false)
    state.record({ region: 'eu-west-1', imageId: 'ami-1', snapshotIds: [] })
    state.record({ region: 'eu-west-1', imageId: 'ami-1', snapshotIds: ['snap-a'] })
    state.markFinished()
    expect(store.saves).toStrictEqual([
      ['credentials', JSON.stringify(OIDC)],
      ['cleanup-on-failure', 'false'],
      ['ledger', '[{"region":"eu-west-1","imageId":"ami-1","snapshotIds":[]}]'],
      ['ledger', '[{"region":"eu-west-1","imageId":"ami-1","snapshotIds":["snap-a"]}]'],
      ['finished', 'true']
    ])
  })

  it('replaces an entry by image id and keeps the others', () => {
    const state = new BakeState(fakeStore())
    state.record({ region: 'eu-west-1', imageId: 'ami-1', snapshotIds: [] })
    state.record({ region: 'us-east-1', imageId: 'ami-2', snapshotIds: ['snap-b'] })
    state.record({ region: 'eu-west-1', imageId: 'ami-1', snapshotIds: ['snap-a'], removed: true })
    expect(state.entries()).toStrictEqual([
      { region: 'us-east-1', imageId: 'ami-2', snapshotIds: ['snap-b'] },
      { region: 'eu-west-1', imageId: 'ami-1', snapshotIds: ['snap-a'], removed: true }
    ])
  })

  it('records what EC2 shows of an image: its state, and the snapshots CreateImage made for it', () => {
    const state = new BakeState(fakeStore())
    state.record({ region: 'eu-west-1', imageId: 'ami-1', madeBy: 'CreateImage', snapshotIds: [] })
    state.observe('ami-1', { state: 'pending', snapshotIds: ['snap-a'] })
    expect(state.entries()).toStrictEqual([{ region: 'eu-west-1', imageId: 'ami-1', madeBy: 'CreateImage', snapshotIds: ['snap-a'], state: 'pending' }])
  })

  it('never records the snapshots of a registered image: they are the user\'s', () => {
    const store = fakeStore()
    const state = new BakeState(store)
    state.record({ region: 'eu-west-1', imageId: 'ami-1', madeBy: 'RegisterImage', snapshotIds: [] })
    state.observe('ami-1', { state: 'failed', snapshotIds: ['snap-source'] })
    const entry = { region: 'eu-west-1', imageId: 'ami-1', madeBy: 'RegisterImage', snapshotIds: [], state: 'failed' }
    expect(state.entries()).toStrictEqual([entry])
    expect(JSON.parse(store.values.get('ledger')!)).toStrictEqual([entry])
  })

  it('refuses to observe an image it never recorded', () => {
    expect(() => new BakeState(fakeStore()).observe('ami-9', { state: 'pending', snapshotIds: [] })).toThrow('ami-9 was never recorded')
  })

  it('holds what it was told before anything is read back', () => {
    const state = new BakeState(fakeStore())
    state.begin({ kind: 'default-chain' }, false)
    expect([state.credentials, state.cleanupOnFailure, state.finished]).toStrictEqual([{ kind: 'default-chain' }, false, false])
    state.markFinished()
    expect(state.finished).toBe(true)
  })

  it('restores exactly what main saved', () => {
    const store = fakeStore()
    const main = new BakeState(store)
    main.begin(OIDC, true)
    main.record({ region: 'eu-west-1', imageId: 'ami-1', snapshotIds: ['snap-a', 'snap-b'] })
    main.record({ region: 'us-east-1', imageId: 'ami-2', snapshotIds: [], removed: true })

    const post = BakeState.restore(store)
    expect(post.credentials).toStrictEqual(OIDC)
    expect(post.cleanupOnFailure).toBe(true)
    expect(post.entries()).toStrictEqual([
      { region: 'eu-west-1', imageId: 'ami-1', snapshotIds: ['snap-a', 'snap-b'] },
      { region: 'us-east-1', imageId: 'ami-2', snapshotIds: [], removed: true }
    ])
    expect(post.finished).toBe(false)
  })

  it('restores cleanup off and the finished marker', () => {
    const store = fakeStore()
    const main = new BakeState(store)
    main.begin({ kind: 'default-chain' }, false)
    main.markFinished()
    const post = BakeState.restore(store)
    expect([post.credentials, post.cleanupOnFailure, post.finished]).toStrictEqual([{ kind: 'default-chain' }, false, true])
  })

  it('goes on writing to the store it was restored from', () => {
    const store = fakeStore({ ledger: '[{"region":"eu-west-1","imageId":"ami-1","snapshotIds":["snap-a"]}]' })
    const post = BakeState.restore(store)
    post.record({ ...post.entries()[0], removed: true })
    post.markFinished()
    expect(store.values.get('ledger')).toBe('[{"region":"eu-west-1","imageId":"ami-1","snapshotIds":["snap-a"],"removed":true}]')
    expect(store.values.get('finished')).toBe('true')
  })
})
