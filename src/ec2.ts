/**
 * Thin typed EC2 calls for one region. Each call turns AWS errors into sentences where it is made, and
 * renews expired role credentials once before giving up.
 */
import {
  CreateImageCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Image,
  type TagSpecification
} from '@aws-sdk/client-ec2'
import { awsErrorCode, explainEc2Error, isExpiredCredentials, type CallContext } from './errors.js'
import type { BlockDeviceMapping, Tag } from './settings.js'
import type { ImageObservation, SnapshotObservation } from './wait.js'

export interface ImageRequest {
  readonly instanceId: string
  readonly name: string
  readonly description: string
  readonly noReboot: boolean
  readonly tags: readonly Tag[]
  readonly tagSnapshots: boolean
  readonly blockDeviceMappings: readonly BlockDeviceMapping[]
  readonly snapshotLocation?: 'regional' | 'local'
}

/** What main, the waiter and cleanup need from EC2 in one region. */
export interface Ec2 {
  readonly region: string
  /** The principal the calls are made as, for error messages. */
  readonly principal: string
  /** CreateImage; returns the new image id. */
  createImage(request: ImageRequest): Promise<string>
  /** CreateImage with DryRun: resolves when it would be allowed, throws the translated denial otherwise. */
  checkCreateImage(request: ImageRequest): Promise<void>
  /** DescribeImages for one image; undefined when EC2 does not know it (yet, or any more). */
  describeImage(imageId: string): Promise<ImageObservation | undefined>
  describeSnapshots(snapshotIds: readonly string[]): Promise<SnapshotObservation[]>
  /**
   * Snapshots that CreateImage made for an image, found by the description EC2 gives them
   * (`Created by CreateImage(i-…) for ami-… from vol-…`), so they are found even after the image is gone.
   */
  findSnapshotsOf(imageId: string): Promise<string[]>
  /** DeregisterImage; false when the image was already gone. */
  deregisterImage(imageId: string): Promise<boolean>
  /** DeleteSnapshot; false when the snapshot was already gone. */
  deleteSnapshot(snapshotId: string): Promise<boolean>
}

export interface Ec2Options {
  readonly region: string
  readonly principal: string
  readonly client: EC2Client
  /** Called when AWS says the credentials expired; the call is then made once more. */
  readonly renewCredentials?: () => void
}

export function ec2(options: Ec2Options): Ec2 {
  const { region, principal, client } = options

  async function call<T>(operation: string, where: Partial<CallContext>, send: () => Promise<T>): Promise<T> {
    try {
      return await send()
    } catch (error) {
      if (options.renewCredentials && isExpiredCredentials(error)) {
        options.renewCredentials()
        try {
          return await send()
        } catch (again) {
          throw explainEc2Error(operation, again, { region, principal, ...where })
        }
      }
      throw explainEc2Error(operation, error, { region, principal, ...where })
    }
  }

  return {
    region,
    principal,

    async createImage(request) {
      const output = await call('CreateImage', { instanceId: request.instanceId, name: request.name }, () =>
        client.send(createImageCommand(request, false))
      )
      if (!output.ImageId) throw new Error(`CreateImage in ${region} answered without an image id`)
      return output.ImageId
    },

    async checkCreateImage(request) {
      await call('CreateImage', { instanceId: request.instanceId, name: request.name }, () =>
        client.send(createImageCommand(request, true)).then(
          () => undefined,
          // EC2's way of saying "this would have succeeded".
          error => (awsErrorCode(error) === 'DryRunOperation' ? undefined : Promise.reject(error))
        )
      )
    },

    async describeImage(imageId) {
      const output = await call('DescribeImages', { imageId }, () =>
        client.send(new DescribeImagesCommand({ ImageIds: [imageId] })).catch(error => {
          // Right after CreateImage, EC2 may not show the image yet (eventual consistency).
          if (awsErrorCode(error) === 'InvalidAMIID.NotFound') return { Images: [] }
          throw error
        })
      )
      const image = output.Images?.[0]
      return image && observeImage(image)
    },

    async describeSnapshots(snapshotIds) {
      if (snapshotIds.length === 0) return []
      const output = await call('DescribeSnapshots', {}, () =>
        client.send(new DescribeSnapshotsCommand({ SnapshotIds: [...snapshotIds] }))
      )
      return (output.Snapshots ?? []).map(snapshot => ({
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
            Filters: [{ Name: 'description', Values: [`*for ${imageId} *`, `*for ${imageId}`] }]
          })
        )
      )
      return (output.Snapshots ?? []).flatMap(snapshot => (snapshot.SnapshotId ? [snapshot.SnapshotId] : []))
    },

    async deregisterImage(imageId) {
      return call('DeregisterImage', { imageId }, () =>
        client.send(new DeregisterImageCommand({ ImageId: imageId })).then(
          () => true,
          error => (awsErrorCode(error) === 'InvalidAMIID.NotFound' ? false : Promise.reject(error))
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
    }
  }
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

function tagSpecifications(request: ImageRequest): TagSpecification[] | undefined {
  if (request.tags.length === 0) return undefined
  const tags = request.tags.map(tag => ({ Key: tag.key, Value: tag.value }))
  const types = request.tagSnapshots ? (['image', 'snapshot'] as const) : (['image'] as const)
  return types.map(type => ({ ResourceType: type, Tags: tags }))
}

function observeImage(image: Image): ImageObservation {
  return {
    state: image.State ?? 'pending',
    stateReason: image.StateReason && { code: image.StateReason.Code, message: image.StateReason.Message },
    snapshotIds: (image.BlockDeviceMappings ?? []).flatMap(mapping => (mapping.Ebs?.SnapshotId ? [mapping.Ebs.SnapshotId] : []))
  }
}
