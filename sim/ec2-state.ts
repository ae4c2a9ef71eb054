import { imagePhase, snapshotPhase, timeline, type SnapshotPhase, type Timeline } from './bake-timeline.js'
import { resourceId } from './ids.js'
import type { AddInstanceOptions, AddSnapshotOptions, BakeScript, InstanceStateName } from './types.js'

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

/** What RegisterImage sets and CreateImage takes from the instance (a Linux x86-64 HVM image there). */
export interface ImagePlatform {
  architecture: string
  virtualizationType: string
  bootMode?: string
  enaSupport: boolean
  tpmSupport?: string
}

export const INSTANCE_PLATFORM: ImagePlatform = { architecture: 'x86_64', virtualizationType: 'hvm', enaSupport: true }

export interface ImageRecord {
  imageId: string
  region: string
  /** CreateImage makes the image's snapshots; RegisterImage uses snapshots that existed before. */
  madeBy: 'CreateImage' | 'RegisterImage'
  name: string
  description?: string
  /** The instance CreateImage imaged; none for a registered image. */
  instanceId?: string
  noReboot: boolean
  platform: ImagePlatform
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
  /** The image CreateImage made it for; none for a user's own snapshot (`addSnapshot`). */
  imageId?: string
  volumeId: string
  sizeGiB: number
  description: string
  tags: Record<string, string>
  timeline: Timeline
  /** A user's snapshot stays in the state it was added with; CreateImage's follow their image's timeline. */
  fixed?: SnapshotPhase
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

  /** A snapshot the user made before the run (an image builder's output), ready for RegisterImage. */
  addSnapshot(options: AddSnapshotOptions, now: number): string {
    const snapshotId = resourceId('snap')
    const sizeGiB = options.sizeGiB ?? 8
    const state = options.state ?? 'completed'
    if (!Number.isInteger(sizeGiB) || sizeGiB < 1) throw new Error(`addSnapshot: sizeGiB must be a whole number of 1 or more, got ${sizeGiB}`)
    const progress = options.progress ?? (state === 'completed' ? 100 : 0)
    this.snapshots.push({
      snapshotId,
      region: options.region ?? DEFAULT_REGION,
      volumeId: resourceId('vol'),
      sizeGiB,
      description: options.description ?? '',
      tags: {},
      timeline: timeline({ durationMs: 0, snapshotDelayMs: 0 }, now),
      fixed: { exists: true, state, progress }
    })
    return snapshotId
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

  /** The snapshots CreateImage made for an image that exist at `now` (deleted or not). */
  snapshotsOf(image: ImageRecord, now: number): SnapshotRecord[] {
    return this.snapshots.filter((s) => s.imageId === image.imageId && this.snapshotMade(s, now))
  }

  /**
   * The snapshots DeregisterImage's DeleteAssociatedSnapshots deletes: those in the image's mappings
   * (for a registered image, the user's own) and those CreateImage made for it.
   */
  associatedSnapshots(image: ImageRecord, now: number): SnapshotRecord[] {
    const mapped = new Set(image.mappings.flatMap((m) => (m.kind === 'ebs' && m.snapshotId ? [m.snapshotId] : [])))
    return this.snapshots.filter(
      (s) => s.region === image.region && (s.imageId === image.imageId || mapped.has(s.snapshotId)) && this.snapshotMade(s, now)
    )
  }

  /** A live image whose mappings use the snapshot: EC2 refuses to delete it then. */
  imageUsing(snapshot: SnapshotRecord): ImageRecord | undefined {
    return this.liveImages(snapshot.region).find(
      (i) => i.imageId === snapshot.imageId || i.mappings.some((m) => m.kind === 'ebs' && m.snapshotId === snapshot.snapshotId)
    )
  }

  snapshotMade(snapshot: SnapshotRecord, now: number): boolean {
    return snapshot.fixed?.exists ?? snapshotPhase(snapshot.timeline, now).exists
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
    if (snapshot.fixed) return snapshot.fixed
    return snapshotPhase(snapshot.timeline, Math.min(now, snapshot.deletedAt ?? now))
  }

  /**
   * The image's block device mappings as DescribeImages shows them: none until its snapshots exist,
   * because EC2 fills them in only once it has started the snapshots.
   */
  visibleMappings(image: ImageRecord, now: number): ImageMapping[] {
    // A registered image's snapshots existed before it did.
    if (image.madeBy === 'RegisterImage') return image.mappings
    return snapshotPhase(image.timeline, now).exists ? image.mappings : []
  }
}
