import { imagePhase, snapshotPhase, timeline, type SnapshotPhase, type Timeline } from './bake-timeline.js'
import { resourceId } from './ids.js'
import type { AddInstanceOptions, BakeScript, InstanceStateName } from './types.js'

// Everything EC2 holds, across regions (each record carries its region and lookups filter on it).

export interface Volume {
  volumeId: string
  deviceName: string
  sizeGiB: number
  volumeType: string
}

export interface Instance {
  instanceId: string
  reservationId: string
  region: string
  state: InstanceStateName
  rootDeviceName: string
  volumes: Volume[]
  tags: Record<string, string>
}

/** One block device mapping of an image; `volumeId` marks the ones snapshotted from the instance. */
export type ImageMapping =
  | {
      kind: 'ebs'
      deviceName: string
      volumeSize: number
      volumeType: string
      deleteOnTermination: boolean
      encrypted: boolean
      iops?: number
      throughput?: number
      volumeId?: string
      snapshotId?: string
    }
  | { kind: 'ephemeral'; deviceName: string; virtualName: string }

export interface ImageRecord {
  imageId: string
  region: string
  name: string
  description?: string
  instanceId: string
  noReboot: boolean
  tags: Record<string, string>
  snapshotLocation?: string
  rootDeviceName: string
  mappings: ImageMapping[]
  timeline: Timeline
  /** epoch ms */
  deregisteredAt?: number
}

export interface SnapshotRecord {
  snapshotId: string
  region: string
  imageId: string
  volumeId: string
  sizeGiB: number
  description: string
  tags: Record<string, string>
  timeline: Timeline
  /** epoch ms */
  deletedAt?: number
}

export const DEFAULT_REGION = 'us-east-1'
const DEVICE_LETTERS = 'abcdefghijklmnopqrstuvwxyz'

export class Ec2State {
  readonly instances = new Map<string, Instance>()
  readonly images: ImageRecord[] = []
  readonly snapshots: SnapshotRecord[] = []
  private readonly scripts: BakeScript[] = []

  constructor(private readonly defaultScript: BakeScript) {}

  addInstance(options: AddInstanceOptions = {}): string {
    const instanceId = options.instanceId ?? resourceId('i')
    const count = options.volumes ?? 1
    if (!Number.isInteger(count) || count < 1 || count > DEVICE_LETTERS.length) {
      throw new Error(`addInstance: volumes must be a whole number from 1 to ${DEVICE_LETTERS.length}, got ${count}`)
    }
    const volumes = Array.from({ length: count }, (_, i) => ({
      volumeId: resourceId('vol'),
      deviceName: `/dev/xvd${DEVICE_LETTERS[i]}`,
      sizeGiB: 8,
      volumeType: 'gp3'
    }))
    this.instances.set(instanceId, {
      instanceId,
      reservationId: resourceId('r'),
      region: options.region ?? DEFAULT_REGION,
      state: options.state ?? 'running',
      rootDeviceName: '/dev/xvda',
      volumes,
      tags: {}
    })
    return instanceId
  }

  instance(region: string, instanceId: string): Instance | undefined {
    const found = this.instances.get(instanceId)
    return found?.region === region ? found : undefined
  }

  queueScript(script: BakeScript): void {
    this.scripts.push(script)
  }

  /** The next queued script if any, else the sim's default, started now. */
  takeTimeline(now: number): Timeline {
    return timeline(this.scripts.shift() ?? this.defaultScript, now)
  }

  /** Its snapshots (which share the image's timeline) exist from `now` on. */
  startSnapshots(imageId: string, now: number): void {
    const image = this.images.find((i) => i.imageId === imageId)
    if (!image) throw new Error(`startSnapshots: no image ${imageId}`)
    if (snapshotPhase(image.timeline, now).exists) throw new Error(`startSnapshots: the snapshots of ${imageId} exist already`)
    image.timeline.snapshotDelayMs = now - image.timeline.startedAt
  }

  image(region: string, imageId: string): ImageRecord | undefined {
    return this.images.find((i) => i.imageId === imageId && i.region === region)
  }

  /** What DescribeImages can see: deregistered images are gone. */
  liveImages(region: string): ImageRecord[] {
    return this.images.filter((i) => i.region === region && i.deregisteredAt === undefined)
  }

  imageState(image: ImageRecord, now: number): string {
    return image.deregisteredAt === undefined ? imagePhase(image.timeline, now) : 'deregistered'
  }

  /** The snapshots of an image that exist at `now` (deleted or not). */
  snapshotsOf(image: ImageRecord, now: number): SnapshotRecord[] {
    return this.snapshots.filter((s) => s.imageId === image.imageId && this.snapshotMade(s, now))
  }

  snapshotMade(snapshot: SnapshotRecord, now: number): boolean {
    return snapshotPhase(snapshot.timeline, now).exists
  }

  /** Made and not deleted: what DescribeSnapshots and DeleteSnapshot can see. */
  snapshotVisible(snapshot: SnapshotRecord, now: number): boolean {
    return snapshot.deletedAt === undefined && this.snapshotMade(snapshot, now)
  }

  visibleSnapshots(region: string, now: number): SnapshotRecord[] {
    return this.snapshots.filter((s) => s.region === region && this.snapshotVisible(s, now))
  }

  /** A deleted snapshot stays as it was when it was deleted. */
  snapshotPhase(snapshot: SnapshotRecord, now: number): SnapshotPhase {
    return snapshotPhase(snapshot.timeline, Math.min(now, snapshot.deletedAt ?? now))
  }

  /**
   * The image's block device mappings as DescribeImages shows them: none until its snapshots exist,
   * because EC2 fills them in only once it has started the snapshots.
   */
  visibleMappings(image: ImageRecord, now: number): ImageMapping[] {
    return snapshotPhase(image.timeline, now).exists ? image.mappings : []
  }
}
