/**
 * Everything main hands to the post step, through `core.saveState` / `STATE_*`. Post decides from this
 * alone: it never re-reads inputs, so it knows exactly how far main got.
 */
import type { LaunchAudience } from './ec2/index.js'
import type { CredentialSettings } from './settings.js'

/** One image this run made, and what it is known to consist of. */
export interface LedgerEntry {
  readonly region: string
  readonly imageId: string
  /**
   * What made the image. CreateImage and CopyImage make snapshots that belong to the image (cleanup deletes
   * them); RegisterImage uses snapshots that existed before the run, so its image owns none and cleanup only
   * deregisters it. Absent in state from a version before RegisterImage: CreateImage.
   */
  readonly madeBy?: 'CreateImage' | 'RegisterImage' | 'CopyImage'
  /**
   * Snapshots seen in the image's mappings (the user's left out); more may appear while it is pending. Always empty
   * for RegisterImage. Cleanup deletes only those `ownership.ts` finds EC2 made for the image.
   */
  readonly snapshotIds: readonly string[]
  /** The image's last known state; once 'failed', EC2 makes no more snapshots for it. */
  readonly state?: string
  /** Set once the image and its snapshots have been removed. */
  readonly removed?: boolean
}

/**
 * Permission the run added to something: launch permission on an image, or create-volume permission on a snapshot
 * (accounts only). Recorded before the call that grants it, with only what was not there before, so that undo takes
 * back exactly what the run granted and nothing else.
 */
export interface Grant {
  readonly region: string
  readonly kind: 'launch' | 'create-volume'
  /** The image (launch) or the snapshot (create-volume). */
  readonly resourceId: string
  readonly added: LaunchAudience
  /** Set once undo has taken it back. */
  readonly revoked?: boolean
}

/**
 * What the hand-off changed outside the run, recorded before each change, so that undo can put it back: a parameter's
 * value before the run (none: it did not exist), or a launch template's default version before the run and the
 * versions the run made.
 */
export type HandOffRecord =
  | {
      readonly kind: 'ssm-parameter'
      readonly region: string
      readonly name: string
      /** What the parameter held before the run; undefined: it did not exist (undo deletes it). */
      readonly previous?: { readonly value: string; readonly type: 'String' | 'StringList' | 'SecureString'; readonly dataType: string }
      /** The image id the run writes: undo changes the parameter only while it still holds this. */
      readonly wrote: string
      readonly restored?: boolean
    }
  | {
      readonly kind: 'launch-template'
      readonly region: string
      readonly templateId: string
      readonly previousDefault: number
      /** Versions the run made (recorded the moment EC2 names them). */
      readonly versions: readonly number[]
      /** Whether the run made one of them the default. */
      readonly defaultChanged: boolean
      readonly restored?: boolean
    }

/** `core.saveState` / `core.getState`, or a stand-in in tests. */
export interface StateStore {
  save(key: string, value: string): void
  get(key: string): string
}

const Keys = {
  Credentials: 'credentials',
  CleanupOnFailure: 'cleanup-on-failure',
  Ledger: 'ledger',
  Grants: 'grants',
  HandOffs: 'hand-offs',
  UsersSnapshots: 'users-snapshots',
  Finished: 'finished'
} as const

/**
 * Written by main as the bake goes (each write replaces the previous value of its key), and read back
 * by post with `restore`.
 */
export class BakeState {
  private ledger: LedgerEntry[] = []
  private granted: Grant[] = []
  private handed: HandOffRecord[] = []
  private users: string[] = []
  private credentialSettings?: CredentialSettings
  private cleanup = true
  private done = false

  constructor(private readonly store: StateStore) {}

  /** Post's view: everything main saved. */
  static restore(store: StateStore): BakeState {
    const state = new BakeState(store)
    const credentials = store.get(Keys.Credentials)
    const ledger = store.get(Keys.Ledger)
    const grants = store.get(Keys.Grants)
    const users = store.get(Keys.UsersSnapshots)
    state.granted = grants ? (JSON.parse(grants) as Grant[]) : []
    const handOffs = store.get(Keys.HandOffs)
    state.handed = handOffs ? (JSON.parse(handOffs) as HandOffRecord[]) : []
    state.users = users ? (JSON.parse(users) as string[]) : []
    state.credentialSettings = credentials ? (JSON.parse(credentials) as CredentialSettings) : undefined
    state.cleanup = store.get(Keys.CleanupOnFailure) !== 'false'
    state.ledger = ledger ? (JSON.parse(ledger) as LedgerEntry[]) : []
    state.done = store.get(Keys.Finished) === 'true'
    return state
  }

  /** Called before the first AWS call, so post can reach AWS the way main did. */
  begin(credentials: CredentialSettings, cleanupOnFailure: boolean): void {
    this.credentialSettings = credentials
    this.cleanup = cleanupOnFailure
    this.store.save(Keys.Credentials, JSON.stringify(credentials))
    this.store.save(Keys.CleanupOnFailure, String(cleanupOnFailure))
  }

  /** Snapshots the inputs name (`snapshot-id`, `block-device-mappings`): never the run's, whatever an image maps. */
  recordUsersSnapshots(snapshotIds: readonly string[]): void {
    this.users = [...snapshotIds]
    this.store.save(Keys.UsersSnapshots, JSON.stringify(this.users))
  }

  get usersSnapshots(): ReadonlySet<string> {
    return new Set(this.users)
  }

  /** Called before the call that grants it: a grant that may have happened is taken back on failure. */
  recordGrant(grant: Grant): void {
    this.granted = [...this.granted, grant]
    this.store.save(Keys.Grants, JSON.stringify(this.granted))
  }

  /** Marks a grant taken back, so that post does not try again. */
  revoked(grant: Grant): void {
    this.granted = this.granted.map(held => (held === grant ? { ...held, revoked: true } : held))
    this.store.save(Keys.Grants, JSON.stringify(this.granted))
  }

  /** What the run granted and has not taken back. */
  grants(): readonly Grant[] {
    return this.granted.filter(grant => !grant.revoked)
  }

  /** Records, or updates, what the hand-off is about to change (one record per kind and region). */
  recordHandOff(record: HandOffRecord): void {
    this.handed = [...this.handed.filter(held => held.kind !== record.kind || held.region !== record.region), record]
    this.store.save(Keys.HandOffs, JSON.stringify(this.handed))
  }

  /** What the hand-off changed and undo has not put back yet. */
  handOffs(): readonly HandOffRecord[] {
    return this.handed.filter(record => !record.restored)
  }

  /** How main reached AWS; undefined when main stopped before any AWS call. */
  get credentials(): CredentialSettings | undefined {
    return this.credentialSettings
  }

  get cleanupOnFailure(): boolean {
    return this.cleanup
  }

  /** Records what an image is known to consist of; called the moment it exists and as snapshots appear. */
  record(entry: LedgerEntry): void {
    const held = this.ledger.find(known => known.imageId === entry.imageId)
    if (held && JSON.stringify(held) === JSON.stringify(entry)) return // nothing new: no state write per poll
    const others = this.ledger.filter(held => held.imageId !== entry.imageId)
    this.ledger = [...others, entry]
    this.store.save(Keys.Ledger, JSON.stringify(this.ledger))
  }

  /**
   * What DescribeImages showed of an image already recorded: its state, and its snapshots if it owns them.
   * A registered image's mappings name the user's snapshots, which never enter the ledger.
   */
  observe(imageId: string, observation: { readonly state: string; readonly snapshotIds: readonly string[] }): void {
    const held = this.ledger.find(known => known.imageId === imageId)
    if (!held) throw new Error(`observe: ${imageId} was never recorded`)
    const theUsers = this.usersSnapshots
    const snapshotIds = ownsSnapshots(held) ? observation.snapshotIds.filter(id => !theUsers.has(id)) : []
    this.record({ ...held, state: observation.state, snapshotIds })
  }

  /** Whether this run made the image (an image reused with `if-exists: reuse` is not the run's). */
  holds(imageId: string): boolean {
    return this.ledger.some(known => known.imageId === imageId)
  }

  /** Every image this run made. Cleanup removes these and nothing else. */
  entries(): readonly LedgerEntry[] {
    return this.ledger
  }

  /** The bake ended as intended, or its undo is complete: post has nothing to do. */
  markFinished(): void {
    this.done = true
    this.store.save(Keys.Finished, 'true')
  }

  get finished(): boolean {
    return this.done
  }
}

/** Whether the image's snapshots are the run's to delete: only CreateImage made any. */
export function ownsSnapshots(entry: LedgerEntry): boolean {
  return entry.madeBy !== 'RegisterImage'
}
