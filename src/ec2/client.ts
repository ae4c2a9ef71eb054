/**
 * Thin typed EC2 calls for one region. Each call turns AWS errors into sentences where it is made, and
 * renews expired role credentials once before giving up.
 */
import {
  CopyImageCommand,
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
  EnableImageDeprecationCommand,
  EnableImageDeregistrationProtectionCommand,
  GetEbsDefaultKmsKeyIdCommand,
  ModifyImageAttributeCommand,
  ModifyLaunchTemplateCommand,
  ModifySnapshotAttributeCommand,
  type Image
} from '@aws-sdk/client-ec2'
import { realClock } from '../clock.js'
import { AwsError, awsErrorCode, explainEc2Error } from '../errors.js'
import { makeImage, recordAttempts, type ImageMaker } from './adopt.js'
import { caller, dryRun } from './calls.js'
import { createImageCommand, launchTemplateVersionCommand, registerImageCommand, tagSpecifications } from './commands.js'
import { batches, FILTER_VALUES_MAX, findImages, IMAGE_REFERENCES_IDS_MAX, ownSnapshots } from './paging.js'
import { keyOf, observeImage, permissionItems, tagRecord } from './shapes.js'
import type { AttachedVolume, Ec2, Ec2Options, OwnedImage } from './types.js'

export function ec2(options: Ec2Options): Ec2 {
  const { region, principal, client } = options
  const sleep = options.sleep ?? ((ms: number) => realClock.sleep(ms))

  const call = caller(options)
  const maker: ImageMaker = { call, client, region, sleep }

  return {
    region,
    principal,

    async createImage(request) {
      const fromInstance = (image: Image) => image.SourceInstanceId === request.instanceId
      return makeImage(maker, 'CreateImage', { instanceId: request.instanceId, name: request.name }, fromInstance, attempts =>
        client.send(recordAttempts(createImageCommand(request, false), attempts))
      )
    },

    async checkCreateImage(request) {
      await dryRun(call, 'CreateImage', { instanceId: request.instanceId, name: request.name }, () => client.send(createImageCommand(request, true)))
    },

    async registerImage(request) {
      const fromSnapshot = (image: Image) =>
        image.RootDeviceName === request.rootDeviceName &&
        (image.BlockDeviceMappings ?? []).some(mapping => mapping.DeviceName === request.rootDeviceName && mapping.Ebs?.SnapshotId === request.snapshotId)
      return makeImage(maker, 'RegisterImage', { snapshotId: request.snapshotId, name: request.name }, fromSnapshot, attempts =>
        client.send(recordAttempts(registerImageCommand(request, false), attempts))
      )
    },

    async checkRegisterImage(request) {
      await dryRun(call, 'RegisterImage', { snapshotId: request.snapshotId, name: request.name }, () => client.send(registerImageCommand(request, true)))
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
      return (await ownSnapshots(call, client, snapshotIds)).map(snapshot => ({
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
      return findImages(call, client, { name }, [{ Name: 'name', Values: [name] }], image => image.name === name)
    },

    async findImagesTagged(key, value) {
      return findImages(call, client, {}, [{ Name: `tag:${key}`, Values: [value] }], image => image.tags[key] === value)
    },

    async findImagesUsing(snapshotIds) {
      const found: OwnedImage[] = []
      for (const batch of batches(snapshotIds, FILTER_VALUES_MAX)) {
        found.push(...(await findImages(call, client, {}, [{ Name: 'block-device-mapping.snapshot-id', Values: batch }], () => true)))
      }
      return found
    },

    async describeOwnSnapshots(snapshotIds) {
      return (await ownSnapshots(call, client, snapshotIds)).map(snapshot => ({
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
      await dryRun(call, 'CreateLaunchTemplateVersion', { imageId }, () => client.send(launchTemplateVersionCommand(templateId, imageId, '', undefined, true)))
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
}
