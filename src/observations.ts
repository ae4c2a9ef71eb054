/**
 * What EC2 says about an image and its snapshots, as `ec2/` reads it and the waiter consumes it. A module of its
 * own so that neither imports the other.
 */

export interface ImageObservation {
  /** EC2 image state: 'pending' | 'available' | 'failed' | 'error' | 'invalid' | 'deregistered' | 'transient' | 'disabled' */
  readonly state: string
  readonly stateReason?: { readonly code?: string; readonly message?: string }
  /** From the image's block device mappings; may be empty early on. */
  readonly snapshotIds: readonly string[]
}

export interface SnapshotObservation {
  readonly snapshotId: string
  /** 'pending' | 'completed' | 'error' | … */
  readonly state: string
  /** 0-100, as DescribeSnapshots reports it. */
  readonly progress: number
}
