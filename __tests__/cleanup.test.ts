import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import type { Aws } from '../src/aws.js'
import { manualCleanup, removeImage, undo, type Removal } from '../src/cleanup.js'
import type { Ec2 } from '../src/ec2/index.js'
import { AwsError } from '../src/errors.js'
import { BakeState, type LedgerEntry, type StateStore } from '../src/state.js'
import { refuseDistribution, noParameterStore, noKeyService } from './fakes/ec2.js'

const REGION = 'eu-west-1'
const ENTRY: Removal = { imageId: 'ami-1', ownsSnapshots: true, snapshotIds: ['snap-a', 'snap-b'] }
const LEDGER_ENTRY: LedgerEntry = { region: REGION, imageId: 'ami-1', snapshotIds: ['snap-a', 'snap-b'] }
/** What EC2 writes on a snapshot CreateImage made for ami-1. */
const MADE_FOR_AMI_1 = 'Created by CreateImage(i-0123456789abcdef0) for ami-1 from vol-0123456789abcdef0'

/** A clock whose sleeps only move time on. */
function virtualClock() {
  return {
    t: 0,
    slept: [] as number[],
    now(): number {
      return this.t
    },
    async sleep(ms: number): Promise<void> {
      this.slept.push(ms)
      this.t += ms
    }
  }
}

/**
 * An `Ec2` that succeeds at everything cleanup asks and records each call; a test overrides what it
 * is about. Calls cleanup never makes fail the test.
 */
function fakeEc2(overrides: Partial<Ec2> = {}): Ec2 & { calls: string[] } {
  const calls: string[] = []
  const unexpected = (name: string) => async () => {
    throw new Error(`unexpected call to ${name}`)
  }
  const base: Ec2 = {
    region: REGION,
    principal: 'role arn:aws:iam::123456789012:role/bake-ami (session bake-ami)',
    createImage: unexpected('createImage'),
    checkCreateImage: unexpected('checkCreateImage'),
    registerImage: unexpected('registerImage'),
    checkRegisterImage: unexpected('checkRegisterImage'),
    describeSourceSnapshot: unexpected('describeSourceSnapshot'),
    describeImage: unexpected('describeImage'),
    describeSnapshots: unexpected('describeSnapshots'),
    findSnapshotsOf: async () => [],
    deregisterImage: async () => true,
    deleteSnapshot: async () => true,
    ...refuseDistribution(),
    describeOwnSnapshots: async ids => ids.map(snapshotId => ({ snapshotId, description: MADE_FOR_AMI_1, tags: {} })),
    ...overrides
  }
  return {
    ...base,
    calls,
    async findSnapshotsOf(imageId) {
      calls.push(`find ${imageId}`)
      return base.findSnapshotsOf(imageId)
    },
    async deregisterImage(imageId) {
      calls.push(`deregister ${imageId}`)
      return base.deregisterImage(imageId)
    },
    async deleteSnapshot(snapshotId) {
      calls.push(`delete ${snapshotId}`)
      return base.deleteSnapshot(snapshotId)
    }
  }
}

function awsError(operation: string, code: string, message: string): AwsError {
  return new AwsError(operation, code, message)
}

/** Answers `findSnapshotsOf` from a list, one answer per look; the last answer repeats. */
function looks(...answers: string[][]): () => Promise<string[]> {
  let look = 0
  return async () => answers[Math.min(look++, answers.length - 1)]
}

describe('removeImage', () => {
  it('never deletes a snapshot EC2 did not make for the image, such as a data volume of the user that it maps', async () => {
    const ec2 = fakeEc2({
      findSnapshotsOf: async () => ['snap-a'],
      describeOwnSnapshots: async ids =>
        ids.map(snapshotId => ({ snapshotId, description: snapshotId === 'snap-user' ? 'nightly data' : MADE_FOR_AMI_1, tags: {} }))
    })
    const result = await removeImage(ec2, { ...ENTRY, snapshotIds: ['snap-a', 'snap-user'] }, virtualClock(), { lookForSnapshotsMs: 0, log: () => {} })
    expect(result).toStrictEqual({ removed: ['ami-1', 'snap-a'], left: [], snapshotsUnseen: false })
    expect(ec2.calls).not.toContain('delete snap-user')
  })

  it('never deletes a snapshot the inputs name, even one whose description names the image', async () => {
    const ec2 = fakeEc2()
    const result = await removeImage(ec2, ENTRY, virtualClock(), { lookForSnapshotsMs: 0, log: () => {}, theUsers: new Set(['snap-b']) })
    expect(result.removed).toStrictEqual(['ami-1', 'snap-a'])
  })

  it('deletes nothing it could not read, and says why', async () => {
    const ec2 = fakeEc2({ describeOwnSnapshots: async () => Promise.reject(awsError('DescribeSnapshots', 'UnauthorizedOperation', 'not allowed')) })
    const result = await removeImage(ec2, ENTRY, virtualClock(), { lookForSnapshotsMs: 0, log: () => {} })
    expect(result.removed).toStrictEqual(['ami-1'])
    expect(result.left.map(({ id }) => id)).toStrictEqual(['snap-a', 'snap-b'])
    expect(result.left[0].reason).toMatch(/could not read its description.*not allowed/)
  })

  it('deregisters the image, then deletes each snapshot', async () => {
    const ec2 = fakeEc2({ findSnapshotsOf: async () => ['snap-a', 'snap-b'] })
    const clock = virtualClock()
    const log: string[] = []
    const result = await removeImage(ec2, ENTRY, clock, { lookForSnapshotsMs: 60_000, log: line => log.push(line) })
    expect(result).toStrictEqual({ removed: ['ami-1', 'snap-a', 'snap-b'], left: [], snapshotsUnseen: false })
    expect(ec2.calls).toStrictEqual(['deregister ami-1', 'find ami-1', 'delete snap-a', 'delete snap-b'])
    expect(log).toStrictEqual(['Deregistered ami-1 in eu-west-1', 'Deleted snapshot snap-a', 'Deleted snapshot snap-b'])
    expect(clock.slept).toStrictEqual([])
  })

  it('only deregisters a registered image: never looks for, or deletes, a snapshot', async () => {
    // Even a ledger that names the source snapshot (it never should) cannot make cleanup delete it.
    const registered: Removal = { imageId: 'ami-1', ownsSnapshots: false, snapshotIds: ['snap-source'] }
    const ec2 = fakeEc2({ findSnapshotsOf: async () => ['snap-source'] })
    const log: string[] = []
    const result = await removeImage(ec2, registered, virtualClock(), { lookForSnapshotsMs: 60_000, log: line => log.push(line) })
    expect(result).toStrictEqual({ removed: ['ami-1'], left: [], snapshotsUnseen: false })
    expect(ec2.calls).toStrictEqual(['deregister ami-1'])
    expect(log).toStrictEqual(['Deregistered ami-1 in eu-west-1'])
  })

  it('lists no snapshot of a registered image it could not deregister', async () => {
    const registered: Removal = { imageId: 'ami-1', ownsSnapshots: false, snapshotIds: ['snap-source'] }
    const ec2 = fakeEc2({ deregisterImage: async () => Promise.reject(awsError('DeregisterImage', 'UnauthorizedOperation', 'denied')) })
    const result = await removeImage(ec2, registered, virtualClock(), { lookForSnapshotsMs: 60_000, log: () => {} })
    expect(result).toStrictEqual({ removed: [], left: [{ id: 'ami-1', reason: 'denied' }], snapshotsUnseen: false })
  })

  it('adds the snapshots EC2 made that the ledger did not know yet', async () => {
    const ec2 = fakeEc2({ findSnapshotsOf: async () => ['snap-b', 'snap-c'] })
    const result = await removeImage(ec2, ENTRY, virtualClock(), { lookForSnapshotsMs: 60_000, log: () => {} })
    expect(result).toStrictEqual({ removed: ['ami-1', 'snap-a', 'snap-b', 'snap-c'], left: [], snapshotsUnseen: false })
    expect(ec2.calls.filter(call => call.startsWith('delete'))).toStrictEqual(['delete snap-a', 'delete snap-b', 'delete snap-c'])
  })

  it('counts an image and snapshots already gone as removed', async () => {
    const ec2 = fakeEc2({ deregisterImage: async () => false, deleteSnapshot: async () => false })
    const result = await removeImage(ec2, ENTRY, virtualClock(), { lookForSnapshotsMs: 60_000, log: () => {} })
    expect(result).toStrictEqual({ removed: ['ami-1', 'snap-a', 'snap-b'], left: [], snapshotsUnseen: false })
  })

  it('keeps looking for the snapshots of an image deregistered while pending until they appear', async () => {
    const ec2 = fakeEc2({ findSnapshotsOf: looks([], [], [], ['snap-x', 'snap-y']) })
    const clock = virtualClock()
    const entry = { imageId: 'ami-1', ownsSnapshots: true, snapshotIds: [] }
    const result = await removeImage(ec2, entry, clock, { lookForSnapshotsMs: 60_000, log: () => {} })
    expect(result).toStrictEqual({ removed: ['ami-1', 'snap-x', 'snap-y'], left: [], snapshotsUnseen: false })
    expect(ec2.calls).toStrictEqual([
      'deregister ami-1',
      'find ami-1',
      'find ami-1',
      'find ami-1',
      'find ami-1',
      'delete snap-x',
      'delete snap-y'
    ])
    expect(clock.slept).toStrictEqual([2000, 2000, 2000])
  })

  it('gives up looking at the deadline when no snapshot ever appears', async () => {
    const ec2 = fakeEc2()
    const clock = virtualClock()
    const entry = { imageId: 'ami-1', ownsSnapshots: true, snapshotIds: [] }
    const result = await removeImage(ec2, entry, clock, { lookForSnapshotsMs: 10_000, log: () => {} })
    expect(result).toStrictEqual({ removed: ['ami-1'], left: [], snapshotsUnseen: true })
    expect(ec2.calls.filter(call => call === 'find ami-1')).toHaveLength(6)
    expect(clock.slept).toStrictEqual([2000, 2000, 2000, 2000, 2000])
    expect(clock.t).toBe(10_000)
  })

  it('looks once and does not wait when told not to look for long', async () => {
    const ec2 = fakeEc2()
    const clock = virtualClock()
    await removeImage(ec2, { ...ENTRY, snapshotIds: [] }, clock, { lookForSnapshotsMs: 0, log: () => {} })
    expect(ec2.calls).toStrictEqual(['deregister ami-1', 'find ami-1'])
    expect(clock.slept).toStrictEqual([])
  })

  it('goes on with the snapshots it knows when looking for more fails', async () => {
    const ec2 = fakeEc2({
      findSnapshotsOf: async () => {
        throw awsError('DescribeSnapshots', 'UnauthorizedOperation', 'not allowed to call ec2:DescribeSnapshots')
      }
    })
    const log: string[] = []
    const result = await removeImage(ec2, ENTRY, virtualClock(), { lookForSnapshotsMs: 60_000, log: line => log.push(line) })
    expect(result).toStrictEqual({ removed: ['ami-1', 'snap-a', 'snap-b'], left: [], snapshotsUnseen: false })
    expect(log).toContain('Could not look for snapshots of ami-1: not allowed to call ec2:DescribeSnapshots')
  })

  it('retries a snapshot still in use, waiting longer each time, until it can be deleted', async () => {
    let attempts = 0
    const ec2 = fakeEc2({
      deleteSnapshot: async id => {
        if (id === 'snap-a' && ++attempts <= 2) throw awsError('DeleteSnapshot', 'InvalidSnapshot.InUse', `${id} is in use by ami-1`)
        return true
      }
    })
    const clock = virtualClock()
    const result = await removeImage(ec2, ENTRY, clock, { lookForSnapshotsMs: 60_000, log: () => {} })
    expect(result).toStrictEqual({ removed: ['ami-1', 'snap-a', 'snap-b'], left: [], snapshotsUnseen: false })
    expect(ec2.calls.filter(call => call === 'delete snap-a')).toHaveLength(3)
    expect(clock.slept).toStrictEqual([2000, 4000])
  })

  it('leaves a snapshot that stays in use after five attempts, and still deletes the others', async () => {
    const ec2 = fakeEc2({
      deleteSnapshot: async id => {
        if (id === 'snap-a') throw awsError('DeleteSnapshot', 'InvalidSnapshot.InUse', 'snap-a is in use by ami-1')
        return true
      }
    })
    const clock = virtualClock()
    const result = await removeImage(ec2, ENTRY, clock, { lookForSnapshotsMs: 60_000, log: () => {} })
    expect(result).toStrictEqual({ removed: ['ami-1', 'snap-b'], left: [{ id: 'snap-a', reason: 'snap-a is in use by ami-1' }], snapshotsUnseen: false })
    expect(ec2.calls.filter(call => call === 'delete snap-a')).toHaveLength(5)
    expect(clock.slept).toStrictEqual([2000, 4000, 6000, 8000])
  })

  it('does not retry a snapshot it may not delete', async () => {
    const ec2 = fakeEc2({
      deleteSnapshot: async id => {
        if (id === 'snap-b') throw awsError('DeleteSnapshot', 'UnauthorizedOperation', 'not allowed to call ec2:DeleteSnapshot')
        return true
      }
    })
    const clock = virtualClock()
    const result = await removeImage(ec2, ENTRY, clock, { lookForSnapshotsMs: 60_000, log: () => {} })
    expect(result).toStrictEqual({
      removed: ['ami-1', 'snap-a'],
      left: [{ id: 'snap-b', reason: 'not allowed to call ec2:DeleteSnapshot' }],
      snapshotsUnseen: false
    })
    expect(ec2.calls.filter(call => call === 'delete snap-b')).toHaveLength(1)
    expect(clock.slept).toStrictEqual([])
  })

  it('leaves the image and every snapshot listed when it cannot deregister', async () => {
    const ec2 = fakeEc2({
      deregisterImage: async () => {
        throw awsError('DeregisterImage', 'UnauthorizedOperation', 'not allowed to call ec2:DeregisterImage')
      }
    })
    const log: string[] = []
    const result = await removeImage(ec2, ENTRY, virtualClock(), { lookForSnapshotsMs: 60_000, log: line => log.push(line) })
    expect(result).toStrictEqual({
      removed: [],
      // Its snapshots are not listed for deleting by hand: one of them may be the user's.
      left: [{ id: 'ami-1', reason: 'not allowed to call ec2:DeregisterImage' }],
      snapshotsUnseen: false
    })
    expect(ec2.calls).toStrictEqual(['deregister ami-1'])
    expect(log).toStrictEqual([])
  })
})

describe('manualCleanup', () => {
  it('gives one command per id left', () => {
    expect(
      manualCleanup('us-east-1', [
        { id: 'ami-1', reason: 'denied' },
        { id: 'snap-a', reason: 'belongs to ami-1' }
      ])
    ).toBe(
      'ami-1 (denied): aws ec2 deregister-image --region us-east-1 --image-id ami-1\n' +
        'snap-a (belongs to ami-1): aws ec2 delete-snapshot --region us-east-1 --snapshot-id snap-a'
    )
  })

  it('is empty when nothing is left', () => {
    expect(manualCleanup('us-east-1', [])).toBe('')
  })
})

describe('undo', () => {
  let stdout: string[]

  beforeEach(() => {
    stdout = []
    jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
      stdout.push(String(chunk))
      return true
    })
  })

  afterEach(() => {
    jest.restoreAllMocks()
  })

  /** `core.warning` messages, unescaped (core writes `::warning::` lines with `%0A` for newlines). */
  function warnings(): string[] {
    return stdout
      .join('')
      .split('\n')
      .filter(line => line.startsWith('::warning::'))
      .map(line => line.slice('::warning::'.length).replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'))
  }

  /** `core.info` lines: everything that is not a workflow command. */
  function infos(): string[] {
    return stdout
      .join('')
      .split('\n')
      .filter(line => line !== '' && !line.startsWith('::'))
  }

  function memoryStore(): StateStore {
    const values = new Map<string, string>()
    return { save: (key, value) => void values.set(key, value), get: key => values.get(key) ?? '' }
  }

  function bakeState(cleanupOnFailure: boolean, ...entries: LedgerEntry[]): BakeState {
    const state = new BakeState(memoryStore())
    state.begin({ kind: 'default-chain' }, cleanupOnFailure)
    for (const entry of entries) state.record(entry)
    return state
  }

  function fakeAws(ec2: Ec2): Aws & { regions: string[] } {
    const regions: string[] = []
    return {
      regions,
    ssm: noParameterStore,
      kms: noKeyService,
      ec2(region) {
        regions.push(region)
        return ec2
      }
    }
  }

  it('removes every image not yet removed, marks it removed and the state finished', async () => {
    const ec2 = fakeEc2()
    const aws = fakeAws(ec2)
    const state = bakeState(
      true,
      { region: 'us-east-1', imageId: 'ami-0', snapshotIds: ['snap-0'], removed: true },
      { region: REGION, imageId: 'ami-1', snapshotIds: ['snap-a'] }
    )
    await undo(aws, state, virtualClock(), 0)
    expect(aws.regions).toStrictEqual([REGION])
    expect(ec2.calls).toStrictEqual(['deregister ami-1', 'find ami-1', 'delete snap-a'])
    expect(state.entries()).toStrictEqual([
      { region: 'us-east-1', imageId: 'ami-0', snapshotIds: ['snap-0'], removed: true },
      { region: REGION, imageId: 'ami-1', snapshotIds: ['snap-a'], removed: true }
    ])
    expect(state.finished).toBe(true)
    expect(infos()).toStrictEqual([
      'Cleaning up ami-1 in eu-west-1',
      'Deregistered ami-1 in eu-west-1',
      'Deleted snapshot snap-a',
      'Removed ami-1, snap-a'
    ])
    expect(warnings()).toStrictEqual([])
  })

  it('does not mark a pending image removed while none of its snapshots has appeared, so post looks again', async () => {
    const ec2 = fakeEc2({ findSnapshotsOf: async () => [] })
    const entry = { region: REGION, imageId: 'ami-1', snapshotIds: [], state: 'pending' }
    const state = bakeState(true, entry)
    await undo(fakeAws(ec2), state, virtualClock(), 4_000)
    expect(state.entries()).toStrictEqual([entry])
    expect(state.finished).toBe(false)
    expect(warnings()).toStrictEqual([
      'No snapshot of ami-1 appeared within 4 s of deregistering it; EC2 may still make some. ' +
        "Find them with: aws ec2 describe-snapshots --region eu-west-1 --owner-ids self --filters 'Name=description,Values=*ami-1*'"
    ])
  })

  it('looks only once for the snapshots of a failed image, which EC2 makes no more of', async () => {
    const ec2 = fakeEc2({ findSnapshotsOf: async () => [] })
    const clock = virtualClock()
    const state = bakeState(true, { region: REGION, imageId: 'ami-1', snapshotIds: [], state: 'failed' })
    await undo(fakeAws(ec2), state, clock, 60_000)
    expect(ec2.calls).toStrictEqual(['deregister ami-1', 'find ami-1'])
    expect(clock.slept).toStrictEqual([])
    expect(state.entries()[0].removed).toBe(true)
    expect(state.finished).toBe(true)
  })

  it('with cleanup-on-failure off, touches nothing, says how to remove it and marks the state finished', async () => {
    const ec2 = fakeEc2()
    const state = bakeState(false, LEDGER_ENTRY)
    await undo(fakeAws(ec2), state, virtualClock(), 60_000)
    expect(ec2.calls).toStrictEqual([])
    expect(state.entries()).toStrictEqual([LEDGER_ENTRY])
    expect(state.finished).toBe(true)
    expect(warnings()).toStrictEqual([
      "Left image ami-1 in eu-west-1 for inspection ('cleanup-on-failure: false'). Remove it when done:\n" +
        'ami-1 (kept): aws ec2 deregister-image --region eu-west-1 --image-id ami-1\n' +
        'snap-a (kept): aws ec2 delete-snapshot --region eu-west-1 --snapshot-id snap-a\n' +
        'snap-b (kept): aws ec2 delete-snapshot --region eu-west-1 --snapshot-id snap-b'
    ])
  })

  it('with cleanup-on-failure off, never tells anyone to delete the snapshot a registered image uses', async () => {
    const registered: LedgerEntry = { region: REGION, imageId: 'ami-1', madeBy: 'RegisterImage', snapshotIds: ['snap-source'] }
    await undo(fakeAws(fakeEc2()), bakeState(false, registered), virtualClock(), 60_000)
    expect(warnings()).toStrictEqual([
      "Left image ami-1 in eu-west-1 for inspection ('cleanup-on-failure: false'). Remove it when done:\n" +
        'ami-1 (kept): aws ec2 deregister-image --region eu-west-1 --image-id ami-1'
    ])
  })

  it('warns with the manual commands and leaves the state unfinished when something is left', async () => {
    const ec2 = fakeEc2({
      deleteSnapshot: async id => {
        if (id === 'snap-b') throw awsError('DeleteSnapshot', 'UnauthorizedOperation', 'not allowed')
        return true
      }
    })
    const state = bakeState(true, LEDGER_ENTRY)
    await undo(fakeAws(ec2), state, virtualClock(), 0)
    expect(state.entries()).toStrictEqual([LEDGER_ENTRY])
    expect(state.finished).toBe(false)
    expect(warnings()).toStrictEqual([
      'Could not remove everything this run made in eu-west-1:\n' +
        'snap-b (not allowed): aws ec2 delete-snapshot --region eu-west-1 --snapshot-id snap-b'
    ])
  })

  it('finishes at once when everything was already removed', async () => {
    const ec2 = fakeEc2()
    const state = bakeState(true, { ...LEDGER_ENTRY, removed: true })
    await undo(fakeAws(ec2), state, virtualClock(), 0)
    expect(ec2.calls).toStrictEqual([])
    expect(state.finished).toBe(true)
  })

  it('first takes back exactly the permissions the run granted, even with cleanup-on-failure off', async () => {
    for (const cleanupOnFailure of [true, false]) {
      const taken: string[] = []
      const ec2 = fakeEc2({
        unshareSnapshot: async (id, accounts) => void taken.push(`snapshot ${id}: ${accounts.join(' ')}`),
        unshareImage: async (id, audience) => void taken.push(`image ${id}: ${[...audience.accounts, ...audience.organizations].join(' ')}`)
      })
      const state = bakeState(cleanupOnFailure)
      const none = { organizations: [], ous: [] }
      state.recordGrant({ region: REGION, kind: 'create-volume', resourceId: 'snap-user', added: { accounts: ['111122223333'], ...none } })
      state.recordGrant({ region: REGION, kind: 'launch', resourceId: 'ami-reused', added: { accounts: ['111122223333'], organizations: ['arn:aws:organizations::1:organization/o-1'], ous: [] } })
      await undo(fakeAws(ec2), state, virtualClock(), 0)
      expect(taken).toStrictEqual(['snapshot snap-user: 111122223333', 'image ami-reused: 111122223333 arn:aws:organizations::1:organization/o-1'])
      expect(state.grants()).toStrictEqual([])
      expect(state.finished).toBe(true)
    }
  })

  it('leaves post to try again, with the command, when a grant cannot be taken back', async () => {
    const ec2 = fakeEc2({ unshareSnapshot: async () => Promise.reject(awsError('ModifySnapshotAttribute', 'UnauthorizedOperation', 'not allowed')) })
    const state = bakeState(true)
    state.recordGrant({ region: REGION, kind: 'create-volume', resourceId: 'snap-user', added: { accounts: ['111122223333'], organizations: [], ous: [] } })
    await undo(fakeAws(ec2), state, virtualClock(), 0)
    expect(state.finished).toBe(false)
    expect(state.grants()).toHaveLength(1)
    expect(warnings()[0]).toContain('--snapshot-id snap-user --attribute createVolumePermission --operation-type remove --user-ids 111122223333')
  })

  it('finishes when main made nothing', async () => {
    const state = bakeState(true)
    await undo(fakeAws(fakeEc2()), state, virtualClock(), 0)
    expect(state.finished).toBe(true)
    expect(stdout).toStrictEqual([])
  })
})
