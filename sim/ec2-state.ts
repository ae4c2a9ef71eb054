import { imagePhase, snapshotPhase, timeline, type SnapshotPhase, type Timeline } from './bake-timeline.js'
import { UNPROTECTED, type Protection } from './ec2-protection.js'
import type { Grant } from './ec2-share.js'
import { resourceId } from './ids.js'
import { DEFAULT_REGION } from './regions.js'
import { COPIED_VOLUME, copyImageDescription, createImageDescription } from './snapshot-descriptions.js'
import { ServiceError } from './service-error.js'
import type {
  AddImageOptions,
  AddImageSnapshot,
  AddInstanceOptions,
  AddLaunchTemplateOptions,
  AddSnapshotOptions,
  BakeScript,
  InstanceStateName
} from './types.js'

// Everything EC2 holds, across regions (each record carries its region and lookups filter on it).

export interface Volume {
  volumeId: string
  deviceName: string
  sizeGiB: number
  volumeType: string
  encrypted: boolean
  /** The ARN of the KMS key it is encrypted with. */
  kmsKeyId?: string
}

export interface Instance {
  instanceId: string
  reservationId: string
  region: string
  /** The image it was launched from (DescribeInstances' image-id filter). */
  imageId: string
  state: InstanceStateName
  rootDeviceName: string
  volumes: Volume[]
  tags: Record<string, string>
  /** epoch ms: when it was seeded, which is when its volumes were made and attached. */
  launchedAt: number
}

/**
 * The launch parameters of a version that the sim keeps (LaunchTemplateData). The image is what DescribeImageReferences
 * and a deploy read; the others show that CreateLaunchTemplateVersion copies its source version.
 */
export interface LaunchTemplateData {
  imageId?: string
  instanceType?: string
  keyName?: string
  userData?: string
}

export interface LaunchTemplateVersion {
  versionNumber: number
  description?: string
  data: LaunchTemplateData
  /** epoch ms */
  createdAt: number
  /** ARN of whoever made it (the account root for a seeded version, as AWS's examples show). */
  createdBy: string
  /** CreateLaunchTemplateVersion's idempotency token, and the request it came with. */
  clientToken?: { token: string; request: string }
}

/**
 * A launch template, in DescribeLaunchTemplates' shape, served by DescribeLaunchTemplates,
 * DescribeLaunchTemplateVersions, CreateLaunchTemplateVersion, ModifyLaunchTemplate and DeleteLaunchTemplateVersions.
 */
export interface LaunchTemplateRecord {
  launchTemplateId: string
  region: string
  name: string
  /** epoch ms */
  createdAt: number
  createdBy: string
  defaultVersionNumber: number
  /**
   * The highest version number ever given. It never goes down, even when that version is deleted, so a number is
   * never given twice; `latestVersion` is the newest version that still exists.
   */
  lastVersionNumber: number
  /** The versions that exist, oldest first (a deleted version is removed, leaving a gap in the numbers). */
  versions: LaunchTemplateVersion[]
  tags: Record<string, string>
}

/** The newest version that exists: `$Latest`. The default version can never be deleted, so there is always one. */
export function latestVersion(template: LaunchTemplateRecord): LaunchTemplateVersion {
  return template.versions.reduce((newest, version) => (version.versionNumber > newest.versionNumber ? version : newest))
}

export function defaultVersion(template: LaunchTemplateRecord): LaunchTemplateVersion {
  const found = template.versions.find((version) => version.versionNumber === template.defaultVersionNumber)
  if (!found) throw new Error(`sim bug: launch template ${template.launchTemplateId} lost its default version`)
  return found
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
      /** The key ARN of the snapshot it maps (DescribeImages does not show it; DescribeSnapshots does). */
      kmsKeyId?: string
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
  /**
   * CreateImage and CopyImage make the image's snapshots; RegisterImage (and `sim.addImage`) uses snapshots
   * that existed before.
   */
  madeBy: 'CreateImage' | 'RegisterImage' | 'CopyImage'
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
  /** Who else may launch it (ModifyImageAttribute LaunchPermission). */
  launchPermissions: Grant[]
  /** 'v2.0' once set; EC2 has no way to unset it. */
  imdsSupport?: string
  /** epoch ms, whole minutes (EnableImageDeprecation). */
  deprecateAt?: number
  /** The image a CopyImage copied. */
  source?: { imageId: string; region: string }
  /** CopyImage's idempotency token. */
  clientToken?: string
  /** Deregistration protection (Enable/DisableImageDeregistrationProtection); off unless turned on. */
  protection: Protection
  /** epoch ms of the last launch EC2 reports (DescribeImages' LastLaunchedTime); only seeded images have one. */
  lastLaunchedAt?: number
  /** For a copy: the encryption and completion duration its CopyImage asked for (SimImage.copy). */
  copy?: { encrypted: boolean; kmsKeyId?: string; completionMinutes?: number }
}

export interface SnapshotRecord {
  snapshotId: string
  region: string
  /**
   * The image CreateImage or CopyImage made it for during the sim's run; none for a snapshot that was there before
   * (`addSnapshot`, and `addImage`'s, whatever made them).
   */
  imageId?: string
  /** The image EC2 made it for, as its description says: `imageId`, or a seeded image made by CreateImage or CopyImage. */
  madeFor?: string
  volumeId: string
  sizeGiB: number
  description: string
  tags: Record<string, string>
  timeline: Timeline
  /** A user's snapshot stays in the state it was added with; CreateImage's follow their image's timeline. */
  fixed?: SnapshotPhase
  /** Who else may create volumes from it (ModifySnapshotAttribute CreateVolumePermission). */
  createVolumePermissions: Grant[]
  encrypted: boolean
  /** The ARN of the KMS key it is encrypted with. */
  kmsKeyId?: string
  /** epoch ms */
  deletedAt?: number
}

/** What a seeded instance was launched from unless the test says otherwise; no image in the sim has this id. */
export const DEFAULT_INSTANCE_IMAGE = 'ami-0abcdef1234567890'
const DEVICE_LETTERS = 'abcdefghijklmnopqrstuvwxyz'
/** A seeded image's state, as a timeline that starts at its creation time. */
const SEEDED_TIMELINES: Record<NonNullable<AddImageOptions['state']>, BakeScript> = {
  available: { durationMs: 0, snapshotDelayMs: 0 },
  pending: { durationMs: Infinity, snapshotDelayMs: 0 },
  failed: { durationMs: Infinity, snapshotDelayMs: 0, fail: { afterMs: 0 } }
}

/** `simStart`: epoch ms of the sim's start, which `cooldownUntil` counts from. */
function seededProtection(setting: AddImageOptions['deregistrationProtection'], simStart: number): Protection {
  if (setting === undefined) return { ...UNPROTECTED }
  if (typeof setting === 'object') return { enabled: false, withCooldown: false, protectedUntil: simStart + setting.cooldownUntil }
  if (setting !== 'enabled' && setting !== 'enabled-with-cooldown') {
    throw new Error(`addImage: deregistrationProtection is 'enabled', 'enabled-with-cooldown' or { cooldownUntil }, got ${String(setting)}`)
  }
  return { enabled: true, withCooldown: setting === 'enabled-with-cooldown' }
}

export class Ec2State {
  readonly instances = new Map<string, Instance>()
  readonly images: ImageRecord[] = []
  readonly snapshots: SnapshotRecord[] = []
  readonly launchTemplates: LaunchTemplateRecord[] = []
  private readonly scripts: BakeScript[] = []
  private readonly regionScripts = new Map<string, BakeScript[]>()

  constructor(private readonly defaultScript: BakeScript) {}

  /** `kmsKeyArn`: the key its volumes are encrypted with, already resolved in its region. */
  addInstance(options: AddInstanceOptions, now: number, kmsKeyArn?: string): string {
    const instanceId = options.instanceId ?? resourceId('i')
    const count = options.volumes ?? 1
    if (!Number.isInteger(count) || count < 1 || count > DEVICE_LETTERS.length) {
      throw new Error(`addInstance: volumes must be a whole number from 1 to ${DEVICE_LETTERS.length}, got ${count}`)
    }
    const volumes = Array.from({ length: count }, (_, i) => ({
      volumeId: resourceId('vol'),
      deviceName: `/dev/xvd${DEVICE_LETTERS[i]}`,
      sizeGiB: 8,
      volumeType: 'gp3',
      encrypted: kmsKeyArn !== undefined,
      kmsKeyId: kmsKeyArn
    }))
    this.instances.set(instanceId, {
      instanceId,
      reservationId: resourceId('r'),
      region: options.region ?? DEFAULT_REGION,
      imageId: options.imageId ?? DEFAULT_INSTANCE_IMAGE,
      state: options.state ?? 'running',
      rootDeviceName: '/dev/xvda',
      volumes,
      tags: {},
      launchedAt: now
    })
    return instanceId
  }

  /** A snapshot the user made before the run (an image builder's output), ready for RegisterImage. */
  addSnapshot(options: AddSnapshotOptions, now: number, kmsKeyArn?: string): string {
    return this.seededSnapshot(options, now, {}, undefined, kmsKeyArn).snapshotId
  }

  /**
   * A snapshot from before the run, made at `madeAt` (epoch ms) and fixed in the state given: the user's, or one EC2
   * made for a seeded image (`made`: that image, and the volume and description EC2 gave it).
   */
  private seededSnapshot(
    options: AddSnapshotOptions,
    madeAt: number,
    tags: Record<string, string>,
    made?: { imageId: string; volumeId: string; description: string },
    kmsKeyArn?: string
  ): SnapshotRecord {
    const sizeGiB = options.sizeGiB ?? 8
    const state = options.state ?? 'completed'
    if (!Number.isInteger(sizeGiB) || sizeGiB < 1) throw new Error(`addSnapshot: sizeGiB must be a whole number of 1 or more, got ${sizeGiB}`)
    const progress = options.progress ?? (state === 'completed' ? 100 : 0)
    const snapshot: SnapshotRecord = {
      snapshotId: resourceId('snap'),
      region: options.region ?? DEFAULT_REGION,
      madeFor: made?.imageId,
      volumeId: made?.volumeId ?? resourceId('vol'),
      sizeGiB,
      description: made?.description ?? options.description ?? '',
      tags: { ...tags },
      timeline: timeline({ durationMs: 0, snapshotDelayMs: 0 }, madeAt),
      fixed: { exists: true, state, progress },
      createVolumePermissions: [],
      encrypted: kmsKeyArn !== undefined,
      kmsKeyId: kmsKeyArn
    }
    this.snapshots.push(snapshot)
    return snapshot
  }

  /**
   * An image the account has owned since `options.createdAt`, registered from user snapshots: fresh ones, or ones
   * that exist already (so two images can share a snapshot), mapped to /dev/xvda, /dev/xvdb, ... Its times
   * (createdAt, lastLaunchedAt, cooldownUntil) count from `simStart` (epoch ms).
   */
  addImage(options: AddImageOptions, simStart: number): string {
    const createdAt = simStart + (options.createdAt ?? 0)
    const region = options.region ?? DEFAULT_REGION
    const taken = this.liveImages(region).find((image) => image.name === options.name)
    if (taken) throw new Error(`addImage: the name '${options.name}' is already used by ${taken.imageId} in ${region}`)
    const tags = options.tags ?? {}
    const specs: AddImageSnapshot[] =
      typeof options.snapshots === 'number' ? Array.from({ length: options.snapshots }, () => ({})) : (options.snapshots ?? [{}])
    if (specs.length < 1 || specs.length > DEVICE_LETTERS.length) {
      throw new Error(`addImage: an image needs from 1 to ${DEVICE_LETTERS.length} snapshots, got ${specs.length}`)
    }
    const madeBy = options.madeBy ?? 'RegisterImage'
    if (!['RegisterImage', 'CreateImage', 'CopyImage'].includes(madeBy)) {
      throw new Error(`addImage: madeBy is 'RegisterImage', 'CreateImage' or 'CopyImage', got ${String(madeBy)}`)
    }
    if (madeBy !== 'CopyImage' && (options.sourceImageId !== undefined || options.sourceRegion !== undefined)) {
      throw new Error(`addImage: sourceImageId and sourceRegion describe a copy; give them with madeBy 'CopyImage'`)
    }
    const imageId = resourceId('ami')
    const instanceId = madeBy === 'CreateImage' ? resourceId('i') : undefined
    const source = madeBy === 'CopyImage' ? { imageId: options.sourceImageId ?? resourceId('ami'), region: options.sourceRegion ?? region } : undefined
    // What EC2 would have written on a snapshot it made for this image; a registered image made none.
    const made = (): { imageId: string; volumeId: string; description: string } | undefined => {
      if (instanceId !== undefined) {
        const volumeId = resourceId('vol')
        return { imageId, volumeId, description: createImageDescription(instanceId, imageId, volumeId) }
      }
      if (source !== undefined) {
        return { imageId, volumeId: COPIED_VOLUME, description: copyImageDescription(imageId, source.imageId, resourceId('snap'), createdAt) }
      }
      return undefined
    }
    const mappings: ImageMapping[] = specs.map((spec, i) => {
      const reused = spec.snapshotId === undefined ? undefined : this.snapshots.find((s) => s.snapshotId === spec.snapshotId)
      if (spec.snapshotId !== undefined && reused?.region !== region) {
        throw new Error(`addImage: no snapshot ${spec.snapshotId} in ${region} to reuse`)
      }
      const snapshot = reused ?? this.seededSnapshot({ region, sizeGiB: spec.sizeGiB }, createdAt, spec.tags ?? tags, made())
      return {
        kind: 'ebs',
        deviceName: `/dev/xvd${DEVICE_LETTERS[i]}`,
        snapshotId: snapshot.snapshotId,
        volumeSize: snapshot.sizeGiB,
        volumeType: 'gp3',
        deleteOnTermination: true,
        encrypted: snapshot.encrypted,
        kmsKeyId: snapshot.kmsKeyId,
        iops: 3000,
        throughput: 125
      }
    })
    this.images.push({
      imageId,
      region,
      madeBy,
      instanceId,
      source,
      name: options.name,
      description: options.description,
      noReboot: false,
      platform: INSTANCE_PLATFORM,
      tags: { ...tags },
      rootDeviceName: '/dev/xvda',
      mappings,
      timeline: timeline(SEEDED_TIMELINES[options.state ?? 'available'], createdAt),
      launchPermissions: [],
      imdsSupport: options.imdsSupport,
      protection: seededProtection(options.deregistrationProtection, simStart),
      lastLaunchedAt: options.lastLaunchedAt === undefined ? undefined : simStart + options.lastLaunchedAt
    })
    return imageId
  }

  /**
   * A launch template whose versions launch the images given, version 1 first; returns its id (`lt-` + 17 hex).
   * `createdBy` is the ARN its versions were made by.
   */
  addLaunchTemplate(options: AddLaunchTemplateOptions, now: number, createdBy: string): string {
    const region = options.region ?? DEFAULT_REGION
    const { name, versions } = options
    if (!/^[A-Za-z0-9().\-/_]{3,128}$/.test(name)) throw new Error(`addLaunchTemplate: '${name}' is not a launch template name (3 to 128 letters, digits and ().-/_)`)
    if (this.launchTemplates.some((template) => template.region === region && template.name === name)) {
      throw new Error(`addLaunchTemplate: the name '${name}' is already used in ${region}`)
    }
    if (!Array.isArray(versions) || versions.length === 0) throw new Error('addLaunchTemplate: a launch template has at least one version')
    const defaultVersionNumber = options.defaultVersion ?? 1
    if (!Number.isInteger(defaultVersionNumber) || defaultVersionNumber < 1 || defaultVersionNumber > versions.length) {
      throw new Error(`addLaunchTemplate: defaultVersion is one of the versions, 1 to ${versions.length}, got ${defaultVersionNumber}`)
    }
    const launchTemplateId = resourceId('lt')
    this.launchTemplates.push({
      launchTemplateId,
      region,
      name,
      createdAt: now,
      createdBy,
      defaultVersionNumber,
      lastVersionNumber: versions.length,
      versions: versions.map((version, i) => {
        const seed = typeof version === 'string' ? { imageId: version } : version
        const data: LaunchTemplateData = { imageId: seed.imageId, instanceType: seed.instanceType }
        return { versionNumber: i + 1, description: seed.description, data, createdAt: now, createdBy }
      }),
      tags: { ...options.tags }
    })
    return launchTemplateId
  }

  instance(region: string, instanceId: string): Instance | undefined {
    const found = this.instances.get(instanceId)
    return found?.region === region ? found : undefined
  }

  /** With a region, the script waits for the next image made in that region only. */
  queueScript(script: BakeScript, region?: string): void {
    if (region === undefined) {
      this.scripts.push(script)
      return
    }
    const queue = this.regionScripts.get(region) ?? []
    queue.push(script)
    this.regionScripts.set(region, queue)
  }

  /** The next script queued for the region, else the next one queued for any region, else the sim's default; started now. */
  takeTimeline(now: number, region: string): Timeline {
    return timeline(this.regionScripts.get(region)?.shift() ?? this.scripts.shift() ?? this.defaultScript, now)
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

  /** A live (not deregistered) image in the region, or EC2's InvalidAMIID.NotFound. */
  liveImage(region: string, imageId: string): ImageRecord {
    const image = this.liveImages(region).find((i) => i.imageId === imageId)
    if (!image) throw new ServiceError(400, 'InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`)
    return image
  }

  /**
   * A live image that is `available`, or InvalidAMIID.Unavailable: EC2 answers so when asked to share a
   * pending image, and the sim answers so when asked to copy one (see the README).
   */
  availableImage(region: string, imageId: string, now: number): ImageRecord {
    const image = this.liveImage(region, imageId)
    const state = this.imageState(image, now)
    if (state !== 'available') {
      throw new ServiceError(400, 'InvalidAMIID.Unavailable', `The AMI ID '${imageId}' is currently ${state} and may not be used for this operation`)
    }
    return image
  }

  /** A snapshot DescribeSnapshots would show, or EC2's InvalidSnapshot.NotFound. */
  visibleSnapshot(region: string, snapshotId: string, now: number): SnapshotRecord {
    const snapshot = this.visibleSnapshots(region, now).find((s) => s.snapshotId === snapshotId)
    if (!snapshot) throw new ServiceError(400, 'InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`)
    return snapshot
  }

  /**
   * Whether the image was registered in the region at `at` (epoch ms) and not yet deregistered: what Parameter Store
   * asks of EC2 when it validates an aws:ec2:image value.
   */
  imageExisted(region: string, imageId: string, at: number): boolean {
    return this.images.some(
      (i) => i.imageId === imageId && i.region === region && i.timeline.startedAt <= at && (i.deregisteredAt === undefined || i.deregisteredAt > at)
    )
  }

  /** What DescribeImages can see: deregistered images are gone. */
  liveImages(region: string): ImageRecord[] {
    return this.images.filter((i) => i.region === region && i.deregisteredAt === undefined)
  }

  imageState(image: ImageRecord, now: number): string {
    return image.deregisteredAt === undefined ? imagePhase(image.timeline, now) : 'deregistered'
  }

  /** The snapshots CreateImage or CopyImage made for an image (seeded ones too) that exist at `now` (deleted or not). */
  snapshotsOf(image: ImageRecord, now: number): SnapshotRecord[] {
    return this.snapshots.filter((s) => s.madeFor === image.imageId && this.snapshotMade(s, now))
  }

  /**
   * The snapshots DeregisterImage's DeleteAssociatedSnapshots deletes: those in the image's mappings
   * (for a registered image, the user's own) and those CreateImage made for it.
   */
  associatedSnapshots(image: ImageRecord, now: number): SnapshotRecord[] {
    const mapped = new Set(image.mappings.flatMap((m) => (m.kind === 'ebs' && m.snapshotId ? [m.snapshotId] : [])))
    return this.snapshots.filter(
      (s) => s.region === image.region && (s.madeFor === image.imageId || mapped.has(s.snapshotId)) && this.snapshotMade(s, now)
    )
  }

  /** A live image whose mappings use the snapshot: EC2 refuses to delete it then. */
  imageUsing(snapshot: SnapshotRecord): ImageRecord | undefined {
    return this.liveImages(snapshot.region).find(
      (i) => i.imageId === snapshot.madeFor || i.mappings.some((m) => m.kind === 'ebs' && m.snapshotId === snapshot.snapshotId)
    )
  }

  snapshotMade(snapshot: SnapshotRecord, now: number): boolean {
    return snapshot.fixed?.exists ?? snapshotPhase(snapshot.timeline, now).exists
  }

  /**
   * Whether DescribeSnapshots can see a snapshot yet: its bake's `listLagMs` after the snapshot exists (a user's
   * snapshot, which existed before, is seen at once).
   */
  snapshotListed(snapshot: SnapshotRecord, now: number): boolean {
    if (snapshot.fixed) return true
    const { startedAt, snapshotDelayMs, listLagMs } = snapshot.timeline
    return this.snapshotMade(snapshot, now) && now - startedAt >= snapshotDelayMs + listLagMs
  }

  /** Made and not deleted: what DescribeSnapshots (once listed) and DeleteSnapshot can see. */
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
    // A registered image's snapshots existed before it did; a copy's, like CreateImage's, come later.
    if (image.madeBy === 'RegisterImage') return image.mappings
    return snapshotPhase(image.timeline, now).exists ? image.mappings : []
  }
}
