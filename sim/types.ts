// The public contract of the simulator. Other test code (the action's end-to-end tests, bench/, scripts/)
// codes against exactly these names, so change them only together with those users.

export type SimService = 'ec2' | 'sts' | 'ssm' | 'kms' | 'oidc'

export interface SimOptions {
  /** Account that owns every role, user, image and snapshot. Default '123456789012'. */
  accountId?: string
  /** Roles that AssumeRoleWithWebIdentity may assume. Default: one role `arn:aws:iam::<account>:role/bake-ami`. */
  roles?: SimRole[]
  /** What the GitHub ID-token endpoint puts in its tokens. */
  oidc?: {
    /** Default 'repo:octo-org/octo-repo:ref:refs/tags/v1.2.3'; `repository` and `ref` follow from it when it has that shape. */
    sub?: string
    /** Default 5 minutes. `exp` has whole-second resolution, so a lifetime under a second may be over at once. */
    tokenLifetimeMs?: number
    /** Extra claims, or overrides of any claim (iss, aud, exp, ...) to forge odd tokens. */
    claims?: Record<string, unknown>
  }
  credentials?: {
    /** How long issued STS credentials really work; default DurationSeconds*1000. */
    lifetimeMs?: number
    /**
     * The Expiration element: when they really stop working ('actual', the default), or issue time +
     * DurationSeconds ('requested'), to simulate credentials that die before the SDK expects.
     */
    reportedExpiration?: 'actual' | 'requested'
  }
  /** The "default chain" IAM user. Default: a fresh AKIA key pair for `arn:aws:iam::<account>:user/release`. */
  staticKeys?: SimKeys
  /** Default timeline for every CreateImage and RegisterImage. */
  bake?: BakeScript
  /**
   * How many references DescribeImageReferences answers per page when a request gives no MaxResults (more come
   * with a NextToken). Default 50, so code that ignores NextToken fails with a few dozen references.
   */
  imageReferencesPageSize?: number
  /**
   * How long after PutParameter answers Parameter Store decides on an `aws:ec2:image` value (accepts it, and the
   * parameter takes it, or rejects it, and the parameter keeps what it had). Default 200. Reads in between show the
   * parameter as it was (a new one is not found). Measured on the sim's clock.
   */
  ssmImageValidationMs?: number
  /**
   * The sim's clock, in epoch ms; default Date.now. Everything the sim computes from time reads it: image and
   * snapshot states, credential and ID-token lifetimes, `forMs` and `startMs` faults, and `at`/`createdAt`.
   * Requests are still signed with the real clock, so keep it within 15 minutes of Date.now (the skew AWS allows).
   */
  clock?: () => number
}

export interface SimKeys {
  accessKeyId: string
  secretAccessKey: string
  arn: string
}

export interface SimRole {
  arn: string
  /** The `aud` the token must carry. Default 'sts.amazonaws.com'. */
  audience?: string
  /** Glob (`*`, `?`) the token's `sub` must match. Default 'repo:octo-org/octo-repo:*'. */
  subPattern?: string
  /** Largest DurationSeconds allowed. Default 3600. */
  maxSessionSeconds?: number
}

export type ProgressCurve = 'linear' | 'jumps' | 'stall' | ((fraction: number) => number)

export interface BakeScript {
  /** CreateImage -> available. Default 1000. Infinity: pending for good (its snapshots stay at 0 %). */
  durationMs?: number
  /**
   * CreateImage -> snapshots exist and appear in the image's block device mappings. Default 10% of durationMs.
   * Infinity holds them back until `sim.startSnapshots(imageId)`.
   */
  snapshotDelayMs?: number
  /**
   * Snapshot Progress (0-100) as a function of the fraction of the way from snapshot creation to done.
   * 'stall' reaches 99% at 60% and stays there until done. Default 'linear'.
   */
  progress?: ProgressCurve
  /**
   * Eventual consistency between DescribeImages and DescribeSnapshots: for this long after the snapshots exist (and
   * appear in the image's mappings), DescribeSnapshots cannot see them. Asked for by SnapshotId.N it answers
   * InvalidSnapshot.NotFound; its filters (snapshot-id, description, ...) and listings leave them out. Default 0.
   * Only DescribeSnapshots lags; every other call, and `sim.snapshots()`, sees the snapshots at once.
   */
  snapshotListLagMs?: number
  /**
   * The image turns 'failed' (with this StateReason) at afterMs and never becomes available; snapshots
   * still pending then turn 'error'.
   */
  fail?: { afterMs: number; code?: string; message?: string }
}

export interface AddInstanceOptions {
  /** Default: a fresh i- + 17 hex id. */
  instanceId?: string
  /** Default 'us-east-1'. */
  region?: string
  /** The image it was launched from, for DescribeInstances' image-id filter. Default 'ami-0abcdef1234567890' (no such image). */
  imageId?: string
  /** Number of 8 GiB gp3 volumes: /dev/xvda, /dev/xvdb, ... Default 1. */
  volumes?: number
  /** Default 'running'. */
  state?: InstanceStateName
  /**
   * Its volumes are encrypted with this KMS key: a key id, key ARN, alias name (`alias/release`) or alias ARN, resolved
   * in the instance's region to the key's ARN (`alias/aws/ebs` makes the AWS managed key). Default: unencrypted.
   */
  kmsKeyId?: string
}

export interface AddSnapshotOptions {
  /** Default 'us-east-1'. */
  region?: string
  /** Default 8. */
  sizeGiB?: number
  /** Default 'completed'. The snapshot stays in this state. */
  state?: 'pending' | 'completed' | 'error'
  /** Default 100 when completed, else 0. */
  progress?: number
  /** Default ''. */
  description?: string
  /** Encrypted with this KMS key (id, ARN, alias name or alias ARN, resolved in the snapshot's region). Default: unencrypted. */
  kmsKeyId?: string
}

export type KmsKeyManager = 'CUSTOMER' | 'AWS'
export type KmsKeyState = 'Creating' | 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'PendingReplicaDeletion' | 'Unavailable' | 'Updating'

/** A KMS key the account had before the run. */
export interface AddKeyOptions {
  /** Default 'us-east-1'. For a multi-Region key, the region of its primary key. */
  region?: string
  /** 'CUSTOMER' (default): a customer managed key. 'AWS': an AWS managed key (aliases under `alias/aws/`). */
  keyManager?: KmsKeyManager
  /** Default 'Enabled'. */
  state?: KmsKeyState
  /** Default 'SYMMETRIC_DEFAULT'. */
  keySpec?: string
  /** Default 'ENCRYPT_DECRYPT'. */
  keyUsage?: string
  /** Default ''. */
  description?: string
  /** A multi-Region key: its id is `mrk-` + 32 hex (else a UUID). Default false. */
  multiRegion?: boolean
  /** For a multi-Region key: regions holding a replica, the same key id there. Default none. */
  replicaRegions?: string[]
  /** Alias names in the key's region, such as `alias/release`. Default none. */
  aliases?: string[]
}

/** A KMS key in one region (a multi-Region key is listed once per region it is in), with its aliases there. */
export interface SimKey {
  keyId: string
  /** `arn:aws:kms:<region>:<account>:key/<keyId>` */
  arn: string
  region: string
  keyManager: KmsKeyManager
  state: KmsKeyState
  keySpec: string
  keyUsage: string
  multiRegion: boolean
  /** Alias names pointing at it in its region. */
  aliases: string[]
}

/**
 * An image the account already owns (for retention tests), as an image builder or an earlier release left it:
 * registered from user snapshots unless `madeBy` says otherwise. Its snapshots are mapped to /dev/xvda (the
 * root), /dev/xvdb, ... as 8 GiB gp3 volumes (or the reused snapshot's size), count as there before the run
 * (`imageId` undefined in `snapshots()`), and stay `completed`.
 */
export interface AddImageOptions {
  /** Unique among the region's live images, as EC2 requires. */
  name: string
  /** Default 'us-east-1'. */
  region?: string
  description?: string
  /** Default none. */
  tags?: Record<string, string>
  /** Default 'available'. 'pending' stays pending; 'failed' carries Server.InternalError. */
  state?: 'pending' | 'available' | 'failed'
  /**
   * When it was made, in ms since the sim started (the clock of `SimImage.createdAt`); negative for an image
   * older than the sim, which is the usual case. Default 0. DescribeImages shows it as CreationDate.
   */
  createdAt?: number
  /**
   * Its snapshots, in device order: a count of fresh ones, or one entry per snapshot. Default 1 fresh
   * snapshot. A fresh snapshot carries the image's tags unless it is given its own.
   */
  snapshots?: number | AddImageSnapshot[]
  /** 'v2.0' for an image that already demands IMDSv2. */
  imdsSupport?: 'v2.0'
  /**
   * How EC2 made it, which decides what its fresh snapshots say (snapshots reused with `snapshotId` keep their own):
   * - 'RegisterImage' (default): from snapshots of the user's, which say nothing of the image (description '').
   * - 'CreateImage': each fresh snapshot says `Created by CreateImage(i-…) for <ami> from vol-…`, and the image
   *   shows a SourceInstanceId (an instance the sim does not hold).
   * - 'CopyImage': each fresh snapshot says `Copied for DestinationAmi <ami> from SourceAmi <sourceImageId> for
   *   SourceSnapshot snap-…. Task created on <createdAt, epoch ms with commas>.` with volume id vol-ffffffff, and
   *   the image shows SourceImageId and SourceImageRegion.
   * Either way the fresh snapshots count as there before the run: `imageId` stays undefined in `snapshots()`, and
   * `madeFor` names the image.
   */
  madeBy?: 'RegisterImage' | 'CreateImage' | 'CopyImage'
  /** With madeBy 'CopyImage': the image it was copied from. Default: a fresh id the sim does not hold. */
  sourceImageId?: string
  /** With madeBy 'CopyImage': that image's region. Default: the image's own region. */
  sourceRegion?: string
  /**
   * When EC2 last saw it launched, in ms since the sim started (the clock of `createdAt`); negative for a launch
   * before the sim started. DescribeImages shows it as LastLaunchedTime. Default: never launched (no LastLaunchedTime).
   */
  lastLaunchedAt?: number
  /**
   * Deregistration protection already on: 'enabled' (without cooldown) or 'enabled-with-cooldown'; or
   * `{ cooldownUntil }`, a with-cooldown protection already turned off whose 24 h cooldown runs until then (ms since
   * the sim started), so a test can reach the end of a cooldown without moving the clock a day. Default off.
   */
  deregistrationProtection?: 'enabled' | 'enabled-with-cooldown' | { cooldownUntil: number }
}

/** A launch template (what an Auto Scaling group launches from), for the launch template calls and DescribeImageReferences. */
export interface AddLaunchTemplateOptions {
  /** Default 'us-east-1'. */
  region?: string
  /** Unique in the region; 3 to 128 letters, digits and `().-/_`. */
  name: string
  /** Each version, version 1 first; at least one. A string is the version's ImageId. */
  versions: (string | LaunchTemplateVersionSeed)[]
  /** The version launches use by default. Default 1. */
  defaultVersion?: number
  /** The template's own tags (DescribeLaunchTemplates' tagSet and tag filters). Default none. */
  tags?: Record<string, string>
}

/** One version of a seeded launch template: its LaunchTemplateData (as far as the sim keeps it) and description. */
export interface LaunchTemplateVersionSeed {
  imageId?: string
  instanceType?: string
  /** VersionDescription. */
  description?: string
}

/** A launch template as DescribeLaunchTemplates and DescribeLaunchTemplateVersions show it now. */
export interface SimLaunchTemplate {
  launchTemplateId: string
  name: string
  region: string
  defaultVersion: number
  /** The newest version that exists ($Latest). */
  latestVersion: number
  tags: Record<string, string>
  /** Oldest first; a deleted version is gone. */
  versions: { versionNumber: number; description?: string; imageId?: string; instanceType?: string; createdBy: string }[]
}

/** A Parameter Store parameter, for DescribeImageReferences (a deploy that reads the image id from SSM). */
export interface PutParameterOptions {
  /** Default 'us-east-1'. */
  region?: string
  /** `/images/web` (a hierarchy starts with '/') or `web-ami`: letters, digits and `_.-/`, no `aws`/`ssm` prefix. */
  name: string
  value: string
  /** Default 'String'. */
  type?: 'String' | 'StringList' | 'SecureString'
  /** Default 'text'; 'aws:ec2:image' demands an image id as the value, as Parameter Store does. */
  dataType?: 'text' | 'aws:ec2:image'
}

/**
 * Makes Parameter Store reject `aws:ec2:image` values as if it could not describe the image ("Unable to Describe
 * Resource"): every write of `name` (and of `value`, if given) in `region` (any region if not given) validated from
 * now on, a write already being validated included. PutParameter still answers success with a new version.
 */
export interface RejectParameterRule {
  name: string
  value?: string
  region?: string
}

/** A Parameter Store parameter as reads show it now, and the write still being validated, if any. */
export interface SimParameter {
  name: string
  region: string
  arn: string
  value: string
  type: 'String' | 'StringList' | 'SecureString'
  dataType: 'text' | 'aws:ec2:image'
  tier: 'Standard' | 'Advanced'
  version: number
  /** ms since sim start */
  lastModifiedAt: number
  /**
   * An update PutParameter answered that Parameter Store has not yet decided on (aws:ec2:image). A creation still
   * being decided is not a parameter yet, so it is not listed at all (see `parameterWrites`).
   */
  pending?: { value: string; version: number; /** ms since sim start */ validatesAt: number }
}

/** One write of a parameter (PutParameter or `putParameter`) and what Parameter Store made of it. */
export interface SimParameterWrite {
  name: string
  region: string
  value: string
  /** The version PutParameter answered (a rejected write's number is not given again). */
  version: number
  dataType: 'text' | 'aws:ec2:image'
  /** ms since sim start */
  at: number
  outcome: 'pending' | 'accepted' | 'rejected'
  /** ms since sim start: when the validation ended (`at` for a text value). */
  settledAt?: number
  /** For a rejected write: 'Unable to Describe Resource', the exception of Parameter Store's failure event. */
  reason?: string
}

/** An EC2 Image Builder image recipe, for DescribeImageReferences. */
export interface AddImageRecipeOptions {
  /** Default 'us-east-1'. */
  region?: string
  /** 3 to 128 letters, digits, '-', '_' or inner spaces. */
  name: string
  /** major.minor.patch. Default '1.0.0'. */
  version?: string
  /** The AMI the recipe builds on. */
  parentImage: string
}

/** An EC2 Image Builder container recipe, for DescribeImageReferences. */
export interface AddContainerRecipeOptions {
  /** Default 'us-east-1'. */
  region?: string
  name: string
  /** major.minor.patch. Default '1.0.0'. */
  version?: string
  /** The AMI of the instance that builds the container (instanceConfiguration.image). */
  instanceImage: string
}

export interface AddImageSnapshot {
  /** Reuse this existing snapshot (same region) instead of making one, so two images can share it. Its tags stay as they are. */
  snapshotId?: string
  /** A fresh snapshot's tags. Default: the image's tags. */
  tags?: Record<string, string>
  /** A fresh snapshot's size. Default 8. */
  sizeGiB?: number
}

export interface NextBakeOptions {
  /** Only for the next image made (CreateImage, RegisterImage or CopyImage) in this region. */
  region?: string
}

export type InstanceStateName = 'pending' | 'running' | 'stopping' | 'stopped' | 'terminated'

export interface PermissionRule {
  /** e.g. 'ec2:CreateImage', 'ec2:DeleteSnapshot', 'ssm:PutParameter', 'kms:DescribeKey', 'sts:DecodeAuthorizationMessage', 'sts:AssumeRoleWithWebIdentity' */
  action: string
  /**
   * ARN prefix of the caller; default any. For sts:AssumeRoleWithWebIdentity it is matched against the
   * role ARN, for everything else against the caller's ARN (assumed-role session or IAM user).
   */
  principal?: string
  /** Only calls made in this region; default every region (an IAM condition on aws:RequestedRegion). */
  region?: string
}

export type FaultKind =
  | 'throttle'
  | 'server-error'
  | 'reset'
  | 'reset-after-processing'
  | { status: number; code: string; message: string }

export interface FaultRule {
  /** Default: any service. */
  service?: SimService
  /** 'CreateImage', 'DescribeImages', 'AssumeRoleWithWebIdentity', 'PutParameter' (ssm), 'token' (oidc), ... or '*' */
  action: string
  kind: FaultKind
  /** How many matching requests it hits. Default 1. */
  times?: number
  /** Let this many matching requests through first. Default 0. */
  skip?: number
  /**
   * Hit every matching request for this long, counted from the first one it hits (an outage, a
   * throttling storm); `times` is then ignored.
   */
  forMs?: number
  /**
   * Sim time (ms since the sim started, as `SimCall.at`) before which the rule hits nothing, `skip`
   * included. With `forMs` the outage runs from `startMs` for `forMs`, whether a request comes at
   * `startMs` or not, so a test can place it relative to a call it has seen (`calls[i].at + …`).
   */
  startMs?: number
}

export interface SimCall {
  service: SimService
  action: string
  /** From the SigV4 credential scope; absent for unsigned requests. */
  region?: string
  /** ARN of the authenticated caller (for AssumeRoleWithWebIdentity: the session it created). */
  principal?: string
  params: Record<string, string>
  /** HTTP status answered; 0 when the socket was reset without an answer. */
  status: number
  errorCode?: string
  /** The fault kind applied ('custom' for a {status, code, message} fault). */
  fault?: string
  /** ms since sim start */
  at: number
}

export interface SimImage {
  imageId: string
  region: string
  /**
   * CreateImage and CopyImage made its snapshots; RegisterImage used snapshots that were there before
   * (an image seeded with `addImage` counts as registered unless its `madeBy` says otherwise).
   */
  madeBy: 'CreateImage' | 'RegisterImage' | 'CopyImage'
  name: string
  description?: string
  state: string
  /** The instance imaged; undefined for a registered image. */
  instanceId?: string
  noReboot: boolean
  architecture: string
  virtualizationType: string
  bootMode?: string
  enaSupport: boolean
  tpmSupport?: string
  rootDeviceName: string
  tags: Record<string, string>
  /**
   * Snapshots CreateImage or CopyImage made so far for this image (from snapshotDelayMs on), a seeded image's
   * included; none for a registered image, and never a snapshot of the user's mapped into it.
   */
  snapshotIds: string[]
  /** As DescribeImages shows them now, in the SDK's shape ({ DeviceName, Ebs: { SnapshotId, ... } }). */
  blockDeviceMappings: unknown[]
  snapshotLocation?: string
  /** ms since sim start */
  createdAt: number
  stateReason?: { code: string; message: string }
  /**
   * For a copy: what its CopyImage asked for. `encrypted` says whether the copy's snapshots are encrypted, `kmsKeyId`
   * is the key ARN they use (or, for a KmsKeyId that named no usable key, the value given), and `completionMinutes`
   * is SnapshotCopyCompletionDurationMinutes.
   */
  copy?: { encrypted: boolean; kmsKeyId?: string; completionMinutes?: number }
  /** Who else may launch it, in the SDK's shape: `{ UserId }`, `{ Group: 'all' }`, `{ OrganizationArn }`, `{ OrganizationalUnitArn }`. */
  launchPermissions: Partial<Record<'UserId' | 'Group' | 'OrganizationArn' | 'OrganizationalUnitArn', string>>[]
  /** 'v2.0' once set. */
  imdsSupport?: string
  /** As DescribeImages shows it (ISO 8601, whole minutes); undefined unless EnableImageDeprecation set it. */
  deprecationTime?: string
  /** For a copy: the image it was copied from, and that image's region. */
  sourceImageId?: string
  sourceRegion?: string
  /**
   * As DescribeImages shows it now: 'disabled', 'enabled-without-cooldown', 'enabled-with-cooldown', or
   * 'disabled-until <ISO time>' during the 24 h cooldown after a with-cooldown protection was turned off.
   */
  deregistrationProtection: string
  /** As DescribeImages shows it (ISO 8601); undefined for an image never launched (`addImage`'s `lastLaunchedAt`). */
  lastLaunchedTime?: string
}

export interface SimSnapshot {
  snapshotId: string
  region: string
  /**
   * The image CreateImage or CopyImage made it for during the run; undefined for a snapshot that was there before
   * (`addSnapshot`, `addImage`), which is never a leftover of a bake.
   */
  imageId?: string
  /**
   * The image EC2 made it for, as its description says: `imageId`, or the seeded image of an `addImage` with madeBy
   * 'CreateImage' or 'CopyImage'. Undefined for a user's snapshot (`addSnapshot`, a registered image's).
   */
  madeFor?: string
  /** pending | completed | error; for a deleted snapshot, its state when it was deleted. */
  state: string
  progress: number
  tags: Record<string, string>
  deleted: boolean
  description: string
  /** Who else may create volumes from it, in the SDK's shape: `{ UserId }` or `{ Group: 'all' }`. */
  createVolumePermissions: Partial<Record<'UserId' | 'Group', string>>[]
  encrypted: boolean
  /** The ARN of the KMS key it is encrypted with; undefined when unencrypted. */
  kmsKeyId?: string
}

export interface Sim {
  /** http://127.0.0.1:<free port> */
  readonly url: string
  /**
   * AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL_KMS, ACTIONS_ID_TOKEN_REQUEST_URL (already has a '?'),
   * ACTIONS_ID_TOKEN_REQUEST_TOKEN, and AWS_EC2_METADATA_DISABLED=true so that a credential chain that
   * finds nothing never goes looking for an instance-metadata endpoint off this machine.
   */
  env(): Record<string, string>
  readonly staticKeys: SimKeys
  /** Returns the instance id. */
  addInstance(options?: AddInstanceOptions): string
  /** A KMS key the account had before the run (and its replicas, for a multi-Region key); returns it in its region. */
  addKey(options?: AddKeyOptions): SimKey
  /** Every KMS key in every region, with its aliases, the AWS managed keys KMS made so far included. */
  keys(): SimKey[]
  /**
   * The account's default KMS key for EBS encryption in the region (ModifyEbsDefaultKmsKeyId): a key id, key ARN, alias
   * name or alias ARN. GetEbsDefaultKmsKeyId answers it as given; unset, it answers `alias/aws/ebs`.
   */
  setEbsDefaultKmsKey(region: string, keyIdOrArn: string): void
  /**
   * A snapshot the user owns from before the run (what an image builder leaves), for RegisterImage. It stays
   * in the state given; returns its id (`snap-` + 17 hex).
   */
  addSnapshot(options?: AddSnapshotOptions): string
  /** An image the account owns from before the run (for retention tests); returns its id. */
  addImage(options: AddImageOptions): string
  /**
   * Timeline for the next image made (CreateImage, RegisterImage or CopyImage) only; queued, each call covers
   * one more image. With `region`, only for the next image made in that region: an image takes the next
   * script queued for its region, else the next one queued without a region, else `SimOptions.bake`.
   */
  nextBake(script: BakeScript, options?: NextBakeOptions): void
  /** The image's snapshots exist from now on (for a bake whose snapshotDelayMs held them back). */
  startSnapshots(imageId: string): void
  /**
   * A launch template whose versions launch the images given (version 1 first); returns its id (`lt-` + 17 hex).
   * DescribeImageReferences finds it for an image in one of its 10 newest versions (or `version-depth`).
   */
  addLaunchTemplate(options: AddLaunchTemplateOptions): string
  /**
   * Creates or overwrites a Parameter Store parameter; returns its ARN, `arn:aws:ssm:<region>:<account>:parameter/<name>`
   * (a name `/images/web` keeps one slash). DescribeImageReferences finds it for the image id that is its value.
   */
  putParameter(options: PutParameterOptions): string
  /** Parameter Store rejects matching `aws:ec2:image` writes after PutParameter has answered (see RejectParameterRule). */
  rejectParameterValue(rule: RejectParameterRule): void
  /** Every parameter as GetParameter shows it now, with any update still being validated. */
  parameters(): SimParameter[]
  /** Every write of a parameter, in order, with its outcome. */
  parameterWrites(): SimParameterWrite[]
  /** An Image Builder image recipe; returns its ARN, `arn:aws:imagebuilder:<region>:<account>:image-recipe/<name>/<version>`. */
  addImageRecipe(options: AddImageRecipeOptions): string
  /** An Image Builder container recipe; returns its ARN, `…:container-recipe/<name>/<version>`. */
  addContainerRecipe(options: AddContainerRecipeOptions): string
  /** Every launch template as the launch template calls show it now, with its versions. */
  launchTemplates(): SimLaunchTemplate[]
  /** Queue a fault; faults are checked in the order queued. */
  fault(rule: FaultRule): void
  /** Refuse an action (EC2 403 UnauthorizedOperation, STS AccessDenied, SSM and KMS AccessDeniedException). A deny beats an allow. */
  deny(rule: PermissionRule): void
  /** Grant an action that is refused unless granted (sts:DecodeAuthorizationMessage). */
  allow(rule: PermissionRule): void
  /** Every request in order, including faulted and denied ones. */
  readonly calls: SimCall[]
  /** All images ever made, with their current state (deregistered ones included). */
  images(): SimImage[]
  /** All snapshots made so far, deleted ones included. */
  snapshots(): SimSnapshot[]
  /** Every secret the sim issued: secret keys, session tokens, OIDC JWTs, the request bearer token. */
  secrets(): string[]
  close(): Promise<void>
}
