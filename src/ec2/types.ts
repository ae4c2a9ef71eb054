/** What the EC2 adapter is asked for and answers with, and what it offers: the `Ec2` interface and its options. */
import type { EC2Client } from '@aws-sdk/client-ec2'
import type { ImageObservation, SnapshotObservation } from '../observations.js'
import type { Settings, SnapshotSource, Tag } from '../settings.js'

/** What CreateImage is asked for: the image settings, and the instance to image. */
export type ImageRequest = Pick<Settings, 'name' | 'description' | 'noReboot' | 'tags' | 'blockDeviceMappings' | 'snapshotLocation'> & {
  readonly instanceId: string
  /** Tags for the snapshots CreateImage makes; none leaves them untagged. */
  readonly snapshotTags: readonly Tag[]
}

/** What RegisterImage is asked for: the image settings, and the snapshot and how to boot from it. */
export type RegisterRequest = Pick<Settings, 'name' | 'description' | 'tags' | 'blockDeviceMappings'> & Omit<SnapshotSource, 'kind'>

/** A snapshot as RegisterImage needs it: ready (`completed`) and of a size the root volume must hold. */
export interface SourceSnapshot {
  readonly snapshotId: string
  readonly state: string
  /** 0-100 */
  readonly progress: number
  readonly sizeGiB: number
  /** The key it is encrypted with (an ARN); undefined when it is not encrypted. */
  readonly kmsKeyId?: string
}

/** An EBS volume attached to an instance, and the key it is encrypted with (an ARN; undefined: not encrypted). */
export interface AttachedVolume {
  readonly volumeId: string
  readonly device: string
  readonly kmsKeyId?: string
}

/** What CopyImage is asked for, in the destination region: the source, and the copy's name, description and tags. */
export interface CopyRequest {
  readonly sourceRegion: string
  readonly sourceImageId: string
  readonly name: string
  readonly description: string
  readonly tags: readonly Tag[]
  /** Tags for the snapshots CopyImage makes. */
  readonly snapshotTags: readonly Tag[]
  /** Encrypt the copy's snapshots with this key (id, ARN or alias); undefined keeps the source's encryption. */
  readonly kmsKeyId?: string
  /** SnapshotCopyCompletionDurationMinutes: a time-based copy, done within this many minutes; undefined: best effort. */
  readonly completionMinutes?: number
  /**
   * Made once for the region by the caller, so that every send of this copy (the SDK's retries, a send again after
   * renewed credentials) carries it, and EC2 makes at most one copy.
   */
  readonly clientToken: string
}

/** Who may launch an image: ModifyImageAttribute's LaunchPermission. */
export interface LaunchAudience {
  readonly accounts: readonly string[]
  readonly organizations: readonly string[]
  readonly ous: readonly string[]
}

/** An image the account owns, as if-exists and retention need it. */
export interface OwnedImage {
  readonly imageId: string
  readonly name: string
  readonly state: string
  /** ISO 8601, as EC2 gives it; sorts as text. */
  readonly creationDate: string
  readonly snapshotIds: readonly string[]
  readonly tags: Readonly<Record<string, string>>
  /** As EC2 gives it: 'disabled', or protected ('enabled', 'enabled-with-cooldown', 'disabled-until …'). */
  readonly deregistrationProtection: string
  /** ISO 8601; EC2 reports a launch about 24 h late. Undefined when never launched (or not since April 2017). */
  readonly lastLaunchedTime?: string
}

/** One of the account's snapshots, as ownership and retention need it. */
export interface OwnSnapshot {
  readonly snapshotId: string
  /** EC2 writes who made the snapshot for which image here: see `ownership.ts`. */
  readonly description: string
  readonly tags: Readonly<Record<string, string>>
  /** The key it is encrypted with (an ARN); undefined when it is not encrypted. */
  readonly kmsKeyId?: string
}

/** A launch template, as the hand-off needs it. */
export interface LaunchTemplate {
  readonly id: string
  readonly name: string
  readonly defaultVersion: number
}

/** What main, the waiter, distribution and cleanup need from EC2 in one region. */
export interface Ec2 {
  readonly region: string
  /** The principal the calls are made as, for error messages. */
  readonly principal: string
  /** CreateImage; returns the new image id. */
  createImage(request: ImageRequest): Promise<string>
  /** CreateImage with DryRun: resolves when it would be allowed, throws the translated denial otherwise. */
  checkCreateImage(request: ImageRequest): Promise<void>
  /** RegisterImage from an EBS snapshot; returns the new image id. */
  registerImage(request: RegisterRequest): Promise<string>
  /** RegisterImage with DryRun: resolves when it would be allowed, throws the translated denial otherwise. */
  checkRegisterImage(request: RegisterRequest): Promise<void>
  /** DescribeSnapshots for the snapshot to register; a missing one is a translated InvalidSnapshot.NotFound. */
  describeSourceSnapshot(snapshotId: string): Promise<SourceSnapshot>
  /** DescribeVolumes of the EBS volumes attached to an instance: what CreateImage will snapshot, and their keys. */
  instanceVolumes(instanceId: string): Promise<AttachedVolume[]>
  /** GetEbsDefaultKmsKeyId: the key EBS encrypts with when none is named (`alias/aws/ebs` unless the account set one). */
  defaultKmsKeyId(): Promise<string>
  /** DescribeImages for one image; undefined when EC2 does not know it (yet, or any more). */
  describeImage(imageId: string): Promise<ImageObservation | undefined>
  /**
   * Progress of these snapshots, through a filter: one EC2 lists in an image but does not show yet (its describe calls
   * are eventually consistent) is left out, as progress unknown, rather than failing the call.
   */
  describeSnapshots(snapshotIds: readonly string[]): Promise<SnapshotObservation[]>
  /**
   * Snapshots that CreateImage or CopyImage made for an image, found by the description EC2 gives them, so they
   * are found even after the image is gone.
   */
  findSnapshotsOf(imageId: string): Promise<string[]>
  /** DeregisterImage; false when the image was already gone. */
  deregisterImage(imageId: string): Promise<boolean>
  /** DeleteSnapshot; false when the snapshot was already gone. */
  deleteSnapshot(snapshotId: string): Promise<boolean>
  /** CopyImage into this region; returns the copy's id. Idempotent across the SDK's retries (ClientToken). */
  copyImage(request: CopyRequest): Promise<string>
  /** The account's images with exactly this name (at most one, as names are unique per account and region). */
  findImagesNamed(name: string): Promise<OwnedImage[]>
  /** The account's images whose tag `key` is exactly `value`. */
  findImagesTagged(key: string, value: string): Promise<OwnedImage[]>
  /** The account's images whose block device mappings use any of these snapshots. */
  findImagesUsing(snapshotIds: readonly string[]): Promise<OwnedImage[]>
  /** The account's snapshots among these, with description and tags; one that no longer exists is left out. */
  describeOwnSnapshots(snapshotIds: readonly string[]): Promise<OwnSnapshot[]>
  /**
   * DescribeImageReferences over every resource type EC2 checks (instances, launch templates, SSM parameters, Image
   * Builder recipes): the ARNs that refer to each image; an image nothing refers to is absent.
   */
  imageReferences(imageIds: readonly string[]): Promise<Map<string, string[]>>
  /** DescribeImageAttribute launchPermission: who may launch the image now. */
  launchPermissions(imageId: string): Promise<LaunchAudience>
  /** DescribeSnapshotAttribute createVolumePermission: the accounts that may make volumes from the snapshot now. */
  volumePermissions(snapshotId: string): Promise<string[]>
  /** ModifyImageAttribute: LaunchPermission Add, for accounts, organizations and OUs in one call. */
  shareImage(imageId: string, audience: LaunchAudience): Promise<void>
  /** ModifyImageAttribute: LaunchPermission Remove, for exactly these. */
  unshareImage(imageId: string, audience: LaunchAudience): Promise<void>
  /** ModifySnapshotAttribute: CreateVolumePermission Add, for these accounts. */
  shareSnapshot(snapshotId: string, accounts: readonly string[]): Promise<void>
  /** ModifySnapshotAttribute: CreateVolumePermission Remove, for exactly these accounts. */
  unshareSnapshot(snapshotId: string, accounts: readonly string[]): Promise<void>
  /** EnableImageDeregistrationProtection, with the 24 h cooldown after it is disabled or without. */
  protectImage(imageId: string, withCooldown: boolean): Promise<void>
  /** DescribeLaunchTemplates by id (`lt-…`) or name; undefined when the region has no such template. */
  findLaunchTemplate(idOrName: string): Promise<LaunchTemplate | undefined>
  /** CreateLaunchTemplateVersion from the default version with this image; returns the new version's number. */
  createLaunchTemplateVersion(templateId: string, imageId: string, description: string, clientToken: string): Promise<number>
  /** CreateLaunchTemplateVersion with DryRun: resolves when it would be allowed, throws the translated denial otherwise. */
  checkCreateLaunchTemplateVersion(templateId: string, imageId: string): Promise<void>
  /** ModifyLaunchTemplate: launches use this version by default. */
  setDefaultLaunchTemplateVersion(templateId: string, version: number): Promise<void>
  /** DeleteLaunchTemplateVersions; a version already gone counts as deleted. Throws naming each that could not be. */
  deleteLaunchTemplateVersions(templateId: string, versions: readonly number[]): Promise<void>
  /** EnableImageDeprecation at this time. */
  deprecateImage(imageId: string, at: Date): Promise<void>
  /** ModifyImageAttribute: ImdsSupport v2.0, so instances launched from the image require IMDSv2. */
  requireImdsV2(imageId: string): Promise<void>
}

export interface Ec2Options {
  readonly region: string
  readonly principal: string
  readonly client: EC2Client
  /**
   * Called when AWS says the credentials expired, with when the call started (Date.now()): the
   * credentials held since then are renewed, and the call is made once more.
   */
  readonly renewCredentials?: (since: number) => void
  /** STS DecodeAuthorizationMessage: why a call was denied, or undefined when we may not ask. */
  readonly decodeAuthorization?: (encoded: string) => Promise<string | undefined>
  /** Pauses between looks for an image EC2 does not list yet. Default: real time. */
  readonly sleep?: (ms: number) => Promise<void>
}
