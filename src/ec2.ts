/**
 * Thin typed EC2 calls for one region. Each call turns AWS errors into sentences where it is made, and
 * renews expired role credentials once before giving up.
 */
import {
  CopyImageCommand,
  CreateImageCommand,
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateVersionsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImageAttributeCommand,
  DescribeImageReferencesCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  EnableImageDeprecationCommand,
  EnableImageDeregistrationProtectionCommand,
  GetEbsDefaultKmsKeyIdCommand,
  ModifyImageAttributeCommand,
  ModifyLaunchTemplateCommand,
  ModifySnapshotAttributeCommand,
  RegisterImageCommand,
  type Filter,
  type Image,
  type Snapshot,
  type Tag as SdkTag,
  type TagSpecification
} from '@aws-sdk/client-ec2'
import { AttemptLog } from './attempts.js'
import { realClock } from './clock.js'
import { AwsError, awsErrorCode, explainEc2Error, type CallContext } from './errors.js'
import type { ImageObservation, SnapshotObservation } from './observations.js'
import { sendRenewing } from './renewing-call.js'
import type { Settings, SnapshotSource, Tag } from './settings.js'

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

export function ec2(options: Ec2Options): Ec2 {
  const { region, principal, client } = options
  const sleep = options.sleep ?? ((ms: number) => realClock.sleep(ms))

  const call = <T>(operation: string, where: Partial<CallContext>, send: () => Promise<T>): Promise<T> =>
    sendRenewing(send, options.renewCredentials, error => explain(operation, error, where))

  async function explain(operation: string, error: unknown, where: Partial<CallContext>) {
    // Already explained: a credentials failure (OIDC, AssumeRole) surfaces inside the EC2 call.
    if (error instanceof AwsError) return error
    const denial = awsErrorCode(error) === 'UnauthorizedOperation' ? await whyDenied(error) : undefined
    return explainEc2Error(operation, error, { region, principal, ...where, denial })
  }

  /** EC2 encodes the reason for a denial; STS may decode it, if the principal is allowed to ask. */
  async function whyDenied(error: unknown): Promise<string | undefined> {
    const encoded = /Encoded authorization failure message: (\S+)/.exec((error as Error).message)?.[1]
    if (!encoded) return undefined
    const decoded = await options.decodeAuthorization?.(encoded).catch(() => undefined)
    return decoded
      ? describeDenial(decoded)
      : `To see why, decode the message with a principal allowed sts:DecodeAuthorizationMessage: aws sts decode-authorization-message --encoded-message ${encoded}`
  }

  /**
   * Sends the call that makes an image (CreateImage, RegisterImage), recording every attempt: the SDK's
   * retries, and a send again after renewed credentials. The SDK retries a call whose answer was lost; if
   * the lost attempt had worked, the retry meets our own image as a duplicate: find it rather than fail or
   * make a second. When every earlier attempt was refused (throttled, say), the image is not ours: report it.
   */
  async function makeImage(
    operation: 'CreateImage' | 'RegisterImage',
    where: Partial<CallContext> & { readonly name: string },
    madeFromOurSource: (image: Image) => boolean,
    send: (attempts: AttemptLog) => Promise<{ ImageId?: string }>
  ): Promise<string> {
    const attempts = new AttemptLog()
    const output = await call(operation, where, () => send(attempts)).catch(async (error: unknown) => {
      if (!(error instanceof AwsError) || error.code !== 'InvalidAMIName.Duplicate' || !attempts.someMayHaveActed()) throw error
      const ImageId = await call('DescribeImages', where, () => findOwnImage(client, where.name, madeFromOurSource, attempts, sleep))
      if (!ImageId) throw error
      return { ImageId }
    })
    if (!output.ImageId) throw new Error(`${operation} in ${region} answered without an image id`)
    return output.ImageId
  }

  /** A DryRun call: resolves when it would be allowed, throws the translated refusal otherwise. */
  async function dryRun(operation: string, where: Partial<CallContext>, send: () => Promise<unknown>): Promise<void> {
    await call(operation, where, () =>
      send().then(
        () => undefined,
        // EC2's way of saying "this would have succeeded".
        error => (awsErrorCode(error) === 'DryRunOperation' ? undefined : Promise.reject(error))
      )
    )
  }

  return {
    region,
    principal,

    async createImage(request) {
      const fromInstance = (image: Image) => image.SourceInstanceId === request.instanceId
      return makeImage('CreateImage', { instanceId: request.instanceId, name: request.name }, fromInstance, attempts =>
        client.send(recordAttempts(createImageCommand(request, false), attempts))
      )
    },

    async checkCreateImage(request) {
      await dryRun('CreateImage', { instanceId: request.instanceId, name: request.name }, () => client.send(createImageCommand(request, true)))
    },

    async registerImage(request) {
      const fromSnapshot = (image: Image) =>
        image.RootDeviceName === request.rootDeviceName &&
        (image.BlockDeviceMappings ?? []).some(mapping => mapping.DeviceName === request.rootDeviceName && mapping.Ebs?.SnapshotId === request.snapshotId)
      return makeImage('RegisterImage', { snapshotId: request.snapshotId, name: request.name }, fromSnapshot, attempts =>
        client.send(recordAttempts(registerImageCommand(request, false), attempts))
      )
    },

    async checkRegisterImage(request) {
      await dryRun('RegisterImage', { snapshotId: request.snapshotId, name: request.name }, () => client.send(registerImageCommand(request, true)))
    },

    async describeSourceSnapshot(snapshotId) {
      const output = await call('DescribeSnapshots', { snapshotId }, () =>
        client.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))
      )
      const snapshot = output.Snapshots?.find(found => found.SnapshotId === snapshotId)
      if (!snapshot) {
        // EC2 answers NotFound for an id it does not know; an empty answer means the same.
        throw explainEc2Error('DescribeSnapshots', Object.assign(new Error(`The snapshot '${snapshotId}' does not exist.`), { name: 'InvalidSnapshot.NotFound' }), {
          region,
          principal,
          snapshotId
        })
      }
      return {
        snapshotId,
        state: snapshot.State ?? 'pending',
        progress: Number.parseInt(snapshot.Progress ?? '0', 10) || 0,
        sizeGiB: snapshot.VolumeSize ?? 0,
        ...keyOf(snapshot)
      }
    },

    async instanceVolumes(instanceId) {
      const volumes: AttachedVolume[] = []
      let NextToken: string | undefined
      do {
        const output = await call('DescribeVolumes', { instanceId }, () =>
          client.send(new DescribeVolumesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }], NextToken }))
        )
        for (const volume of output.Volumes ?? []) {
          const attachment = volume.Attachments?.find(found => found.InstanceId === instanceId)
          volumes.push({ volumeId: volume.VolumeId ?? '', device: attachment?.Device ?? '', ...keyOf(volume) })
        }
        NextToken = output.NextToken
      } while (NextToken)
      return volumes
    },

    async defaultKmsKeyId() {
      const output = await call('GetEbsDefaultKmsKeyId', {}, () => client.send(new GetEbsDefaultKmsKeyIdCommand({})))
      return output.KmsKeyId ?? 'alias/aws/ebs'
    },

    async describeImage(imageId) {
      const output = await call('DescribeImages', { imageId }, () =>
        client.send(new DescribeImagesCommand({ ImageIds: [imageId] })).catch(error => {
          // Right after CreateImage, EC2 may not show the image yet (eventual consistency); once deregistered, it
          // answers Unavailable for a while, then NotFound. The waiter tells these apart by when they come.
          if (['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'].includes(awsErrorCode(error))) return { Images: [] }
          throw error
        })
      )
      const image = output.Images?.[0]
      return image && observeImage(image)
    },

    async describeSnapshots(snapshotIds) {
      return (await ownSnapshots(snapshotIds)).map(snapshot => ({
        snapshotId: snapshot.SnapshotId ?? '',
        state: snapshot.State ?? 'pending',
        progress: Number.parseInt(snapshot.Progress ?? '0', 10) || 0
      }))
    },

    async findSnapshotsOf(imageId) {
      const output = await call('DescribeSnapshots', { imageId }, () =>
        client.send(
          new DescribeSnapshotsCommand({
            OwnerIds: ['self'],
            // CreateImage's: `Created by CreateImage(i-…) for ami-… from vol-…`; CopyImage's: `Copied for DestinationAmi ami-… from SourceAmi …`.
            Filters: [{ Name: 'description', Values: [`*for ${imageId} *`, `*for ${imageId}`, `*DestinationAmi ${imageId} *`] }]
          })
        )
      )
      return (output.Snapshots ?? []).flatMap(snapshot => (snapshot.SnapshotId ? [snapshot.SnapshotId] : []))
    },

    async deregisterImage(imageId) {
      return call('DeregisterImage', { imageId }, () =>
        client.send(new DeregisterImageCommand({ ImageId: imageId })).then(
          () => true,
          // EC2 answers Unavailable for an image deregistered a short while ago, NotFound once it has forgotten it.
          error => (['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'].includes(awsErrorCode(error)) ? false : Promise.reject(error))
        )
      )
    },

    async deleteSnapshot(snapshotId) {
      return call('DeleteSnapshot', {}, () =>
        client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })).then(
          () => true,
          error => (awsErrorCode(error) === 'InvalidSnapshot.NotFound' ? false : Promise.reject(error))
        )
      )
    },

    async copyImage(request) {
      const { sourceRegion, sourceImageId, name, clientToken } = request
      const output = await call('CopyImage', { imageId: sourceImageId, name }, () =>
        client.send(
          new CopyImageCommand({
            SourceRegion: sourceRegion,
            SourceImageId: sourceImageId,
            Name: name,
            Description: request.description || undefined,
            ClientToken: clientToken,
            TagSpecifications: tagSpecifications(request),
            Encrypted: request.kmsKeyId === undefined ? undefined : true,
            KmsKeyId: request.kmsKeyId,
            SnapshotCopyCompletionDurationMinutes: request.completionMinutes
          })
        )
      )
      if (!output.ImageId) throw new Error(`CopyImage in ${region} answered without an image id`)
      return output.ImageId
    },

    async findImagesNamed(name) {
      return findImages({ name }, [{ Name: 'name', Values: [name] }], image => image.name === name)
    },

    async findImagesTagged(key, value) {
      return findImages({}, [{ Name: `tag:${key}`, Values: [value] }], image => image.tags[key] === value)
    },

    async findImagesUsing(snapshotIds) {
      const found: OwnedImage[] = []
      for (const batch of batches(snapshotIds, FILTER_VALUES_MAX)) {
        found.push(...(await findImages({}, [{ Name: 'block-device-mapping.snapshot-id', Values: batch }], () => true)))
      }
      return found
    },

    async describeOwnSnapshots(snapshotIds) {
      return (await ownSnapshots(snapshotIds)).map(snapshot => ({
        snapshotId: snapshot.SnapshotId ?? '',
        description: snapshot.Description ?? '',
        tags: tagRecord(snapshot.Tags),
        ...keyOf(snapshot)
      }))
    },

    async imageReferences(imageIds) {
      const references = new Map<string, string[]>()
      for (const batch of batches(imageIds, IMAGE_REFERENCES_IDS_MAX)) {
        let NextToken: string | undefined
        do {
          const output = await call('DescribeImageReferences', {}, () =>
            client.send(new DescribeImageReferencesCommand({ ImageIds: batch, IncludeAllResourceTypes: true, NextToken }))
          )
          for (const { ImageId, Arn } of output.ImageReferences ?? []) {
            if (ImageId && Arn) references.set(ImageId, [...(references.get(ImageId) ?? []), Arn])
          }
          NextToken = output.NextToken
        } while (NextToken)
      }
      return references
    },

    async launchPermissions(imageId) {
      const output = await call('DescribeImageAttribute', { imageId }, () =>
        client.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }))
      )
      const permissions = output.LaunchPermissions ?? []
      return {
        accounts: permissions.flatMap(permission => (permission.UserId ? [permission.UserId] : [])),
        organizations: permissions.flatMap(permission => (permission.OrganizationArn ? [permission.OrganizationArn] : [])),
        ous: permissions.flatMap(permission => (permission.OrganizationalUnitArn ? [permission.OrganizationalUnitArn] : []))
      }
    },

    async volumePermissions(snapshotId) {
      const output = await call('DescribeSnapshotAttribute', { snapshotId }, () =>
        client.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }))
      )
      return (output.CreateVolumePermissions ?? []).flatMap(permission => (permission.UserId ? [permission.UserId] : []))
    },

    async shareImage(imageId, audience) {
      const Add = permissionItems(audience)
      await call('ModifyImageAttribute', { imageId }, () => client.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add } })))
    },

    async unshareImage(imageId, audience) {
      const Remove = permissionItems(audience)
      await call('ModifyImageAttribute', { imageId }, () => client.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Remove } })))
    },

    async shareSnapshot(snapshotId, accounts) {
      await createVolumePermission(snapshotId, 'add', accounts)
    },

    async unshareSnapshot(snapshotId, accounts) {
      await createVolumePermission(snapshotId, 'remove', accounts)
    },

    async findLaunchTemplate(idOrName) {
      const byId = /^lt-[0-9a-f]{17}$/.test(idOrName)
      const output = await call('DescribeLaunchTemplates', {}, () =>
        client
          .send(new DescribeLaunchTemplatesCommand(byId ? { LaunchTemplateIds: [idOrName] } : { LaunchTemplateNames: [idOrName] }))
          .catch(error => (/^InvalidLaunchTemplate(Name|Id)\.NotFound/.test(awsErrorCode(error)) ? { LaunchTemplates: [] } : Promise.reject(error)))
      )
      const found = output.LaunchTemplates?.[0]
      if (!found?.LaunchTemplateId) return undefined
      return { id: found.LaunchTemplateId, name: found.LaunchTemplateName ?? idOrName, defaultVersion: found.DefaultVersionNumber ?? 1 }
    },

    async createLaunchTemplateVersion(templateId, imageId, description, clientToken) {
      const output = await call('CreateLaunchTemplateVersion', { imageId }, () =>
        client.send(launchTemplateVersionCommand(templateId, imageId, description, clientToken, false))
      )
      const version = output.LaunchTemplateVersion?.VersionNumber
      if (version === undefined) throw new Error(`CreateLaunchTemplateVersion in ${region} answered without a version number`)
      return version
    },

    async checkCreateLaunchTemplateVersion(templateId, imageId) {
      await dryRun('CreateLaunchTemplateVersion', { imageId }, () => client.send(launchTemplateVersionCommand(templateId, imageId, '', undefined, true)))
    },

    async setDefaultLaunchTemplateVersion(templateId, version) {
      await call('ModifyLaunchTemplate', {}, () => client.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: templateId, DefaultVersion: String(version) })))
    },

    async deleteLaunchTemplateVersions(templateId, versions) {
      const output = await call('DeleteLaunchTemplateVersions', {}, () =>
        client.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: templateId, Versions: versions.map(String) }))
      )
      const failed = (output.UnsuccessfullyDeletedLaunchTemplateVersions ?? []).filter(item => item.ResponseError?.Code !== 'launchTemplateVersionDoesNotExist')
      if (failed.length > 0) {
        const what = failed.map(item => `version ${item.VersionNumber}: ${item.ResponseError?.Code ?? 'unknown'} ${item.ResponseError?.Message ?? ''}`.trim()).join('; ')
        throw new AwsError('DeleteLaunchTemplateVersions', failed[0].ResponseError?.Code ?? 'unknown', `Could not delete ${what} of ${templateId} in ${region}.`)
      }
    },

    async protectImage(imageId, withCooldown) {
      await call('EnableImageDeregistrationProtection', { imageId }, () =>
        client.send(new EnableImageDeregistrationProtectionCommand({ ImageId: imageId, WithCooldown: withCooldown }))
      )
    },

    async deprecateImage(imageId, at) {
      await call('EnableImageDeprecation', { imageId }, () => client.send(new EnableImageDeprecationCommand({ ImageId: imageId, DeprecateAt: at })))
    },

    async requireImdsV2(imageId) {
      await call('ModifyImageAttribute', { imageId }, () =>
        client.send(new ModifyImageAttributeCommand({ ImageId: imageId, ImdsSupport: { Value: 'v2.0' } }))
      )
    }
  }

  /** ModifySnapshotAttribute: CreateVolumePermission for these accounts, added or removed. */
  async function createVolumePermission(snapshotId: string, operation: 'add' | 'remove', accounts: readonly string[]): Promise<void> {
    const permissions = accounts.map(UserId => ({ UserId }))
    await call('ModifySnapshotAttribute', { snapshotId }, () =>
      client.send(
        new ModifySnapshotAttributeCommand({
          SnapshotId: snapshotId,
          Attribute: 'createVolumePermission',
          OperationType: operation,
          CreateVolumePermission: operation === 'add' ? { Add: permissions } : { Remove: permissions }
        })
      )
    )
  }

  /**
   * DescribeSnapshots of the account's own snapshots among these, every page, through a `snapshot-id` filter (at most
   * 200 values a call): a snapshot gone, or not shown yet, is left out instead of failing the call
   * (InvalidSnapshot.NotFound).
   */
  async function ownSnapshots(snapshotIds: readonly string[]): Promise<Snapshot[]> {
    const found: Snapshot[] = []
    for (const batch of batches(snapshotIds, FILTER_VALUES_MAX)) {
      let NextToken: string | undefined
      do {
        const output = await call('DescribeSnapshots', {}, () =>
          client.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'snapshot-id', Values: batch }], NextToken }))
        )
        found.push(...(output.Snapshots ?? []))
        NextToken = output.NextToken
      } while (NextToken)
    }
    return found
  }

  /** DescribeImages of the account's own images, every page, keeping those `exact` accepts (filters take wildcards). */
  async function findImages(
    where: Partial<CallContext>,
    Filters: Filter[],
    exact: (image: OwnedImage) => boolean
  ): Promise<OwnedImage[]> {
    const found: OwnedImage[] = []
    let NextToken: string | undefined
    do {
      const output = await call('DescribeImages', where, () => client.send(new DescribeImagesCommand({ Owners: ['self'], Filters, NextToken })))
      found.push(...(output.Images ?? []).map(ownedImage).filter(exact))
      NextToken = output.NextToken
    } while (NextToken)
    return found
  }
}

/** The decoded authorization message (JSON) as a clause: what was denied, on what, and by which rule. */
export function describeDenial(decoded: string): string {
  try {
    const message = JSON.parse(decoded) as {
      explicitDeny?: boolean
      matchedStatements?: { items?: { statementId?: string }[] }
      context?: { action?: string; resource?: string }
    }
    const { action = 'the action', resource = 'the resource' } = message.context ?? {}
    const statements = (message.matchedStatements?.items ?? []).flatMap(item => (item.statementId ? [item.statementId] : []))
    return message.explicitDeny
      ? `AWS says an explicit Deny${statements.length ? ` (statement ${statements.join(', ')})` : ''} blocks ${action} on ${resource}: an Allow cannot override it; change or remove that Deny (an SCP or permissions boundary may hold it).`
      : `AWS says no policy allows ${action} on ${resource}.`
  } catch {
    return `AWS's decoded reason: ${decoded}`
  }
}

/** EC2 takes at most this many values in one filter. */
const FILTER_VALUES_MAX = 200
/** DescribeImageReferences takes at most this many image ids a call. */
const IMAGE_REFERENCES_IDS_MAX = 10

/** `items` in lists of at most `size`, in order; none for none. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const lists: T[][] = []
  for (let i = 0; i < items.length; i += size) lists.push(items.slice(i, i + size))
  return lists
}

/** An audience as ModifyImageAttribute's LaunchPermission items. */
function permissionItems(audience: LaunchAudience) {
  return [
    ...audience.accounts.map(UserId => ({ UserId })),
    ...audience.organizations.map(OrganizationArn => ({ OrganizationArn })),
    ...audience.ous.map(OrganizationalUnitArn => ({ OrganizationalUnitArn }))
  ]
}

/**
 * Pauses between looks for the image that holds our name when EC2 does not list it yet: its describe calls
 * are eventually consistent, and the image a lost attempt made is seconds old. About 15 s in all.
 */
const LOOK_AGAIN_MS = [1_000, 2_000, 4_000, 8_000]

/**
 * The image named `name` that one of this call's own attempts may have made: from our source (`fromSource`:
 * our instance, or our snapshot as root), and created while such an attempt was in flight, on EC2's clock as
 * the SDK measured it.
 */
async function findOwnImage(
  client: EC2Client,
  name: string,
  fromSource: (image: Image) => boolean,
  attempts: AttemptLog,
  sleep: (ms: number) => Promise<void>
): Promise<string | undefined> {
  for (const pause of [0, ...LOOK_AGAIN_MS]) {
    if (pause > 0) await sleep(pause)
    const output = await client.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }))
    const named = (output.Images ?? []).filter(image => image.Name === name)
    // AMI names are unique per account and region: once EC2 lists the image that holds ours, it is ours or not.
    if (named.length === 0) continue
    const clockOffset = client.config.systemClockOffset ?? 0
    const own = named.find(
      candidate =>
        fromSource(candidate) &&
        attempts.couldHaveMade(Date.parse(candidate.CreationDate ?? ''), clockOffset)
    )
    return own?.ImageId
  }
  return undefined
}

/**
 * Records each attempt of `command` in `log`. Placed inside the SDK's retries and signing and just outside
 * the parsing of the answer, it sees every attempt: the error EC2 answered with, or that no answer came.
 */
function recordAttempts<C extends CreateImageCommand | RegisterImageCommand>(command: C, log: AttemptLog): C {
  // The middleware passes input and output through untouched, so one stack type serves both commands.
  const stack = command.middlewareStack as unknown as CreateImageCommand['middlewareStack']
  stack.add(next => args => log.record(() => next(args)), {
    step: 'deserialize',
    priority: 'high',
    name: 'recordAttempts'
  })
  return command
}

function createImageCommand(request: ImageRequest, dryRun: boolean): CreateImageCommand {
  return new CreateImageCommand({
    InstanceId: request.instanceId,
    Name: request.name,
    Description: request.description || undefined,
    NoReboot: request.noReboot,
    TagSpecifications: tagSpecifications(request),
    BlockDeviceMappings: request.blockDeviceMappings.length ? [...request.blockDeviceMappings] : undefined,
    SnapshotLocation: request.snapshotLocation,
    DryRun: dryRun || undefined
  })
}

/**
 * The root mapping comes from the snapshot and the root-volume settings; DeleteOnTermination so that an
 * instance launched from the image does not leave its root volume behind. The user's mappings follow.
 */
function registerImageCommand(request: RegisterRequest, dryRun: boolean): RegisterImageCommand {
  return new RegisterImageCommand({
    Name: request.name,
    Description: request.description || undefined,
    Architecture: request.architecture,
    RootDeviceName: request.rootDeviceName,
    VirtualizationType: request.virtualizationType,
    BootMode: request.bootMode,
    EnaSupport: request.enaSupport,
    TpmSupport: request.tpmSupport,
    BlockDeviceMappings: [
      {
        DeviceName: request.rootDeviceName,
        Ebs: { SnapshotId: request.snapshotId, VolumeType: request.rootVolumeType, VolumeSize: request.rootVolumeSize, DeleteOnTermination: true }
      },
      ...request.blockDeviceMappings
    ],
    // The image only: the snapshot is the user's, and RegisterImage tags nothing else.
    TagSpecifications: tagSpecifications({ tags: request.tags, snapshotTags: [] }),
    DryRun: dryRun || undefined
  })
}

function launchTemplateVersionCommand(templateId: string, imageId: string, description: string, clientToken: string | undefined, dryRun: boolean) {
  return new CreateLaunchTemplateVersionCommand({
    LaunchTemplateId: templateId,
    SourceVersion: '$Default',
    VersionDescription: description || undefined,
    LaunchTemplateData: { ImageId: imageId },
    ClientToken: clientToken,
    DryRun: dryRun || undefined
  })
}

function tagSpecifications(request: Pick<ImageRequest, 'tags' | 'snapshotTags'>): TagSpecification[] | undefined {
  const specifications = [
    ...(request.tags.length ? [{ ResourceType: 'image' as const, Tags: sdkTags(request.tags) }] : []),
    ...(request.snapshotTags.length ? [{ ResourceType: 'snapshot' as const, Tags: sdkTags(request.snapshotTags) }] : [])
  ]
  return specifications.length ? specifications : undefined
}

function sdkTags(tags: readonly Tag[]): SdkTag[] {
  return tags.map(tag => ({ Key: tag.key, Value: tag.value }))
}

function tagRecord(tags: SdkTag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).flatMap(tag => (tag.Key === undefined ? [] : [[tag.Key, tag.Value ?? '']])))
}

function ownedImage(image: Image): OwnedImage {
  return {
    imageId: image.ImageId ?? '',
    name: image.Name ?? '',
    state: image.State ?? 'pending',
    creationDate: image.CreationDate ?? '',
    snapshotIds: snapshotIdsOf(image),
    tags: tagRecord(image.Tags),
    deregistrationProtection: image.DeregistrationProtection ?? 'disabled',
    lastLaunchedTime: image.LastLaunchedTime
  }
}

/** The key a snapshot or volume is encrypted with, as `kmsKeyId`; nothing when it is not encrypted. */
function keyOf(encrypted: { Encrypted?: boolean; KmsKeyId?: string }): { kmsKeyId?: string } {
  return encrypted.Encrypted ? { kmsKeyId: encrypted.KmsKeyId ?? 'unknown' } : {}
}

function snapshotIdsOf(image: Image): string[] {
  return (image.BlockDeviceMappings ?? []).flatMap(mapping => (mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : []))
}

function observeImage(image: Image): ImageObservation {
  return {
    state: image.State ?? 'pending',
    stateReason: image.StateReason && { code: image.StateReason.Code, message: image.StateReason.Message },
    snapshotIds: snapshotIdsOf(image)
  }
}
