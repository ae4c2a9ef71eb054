/** The SDK commands our requests become, with their tags. */
import {
  CreateImageCommand,
  CreateLaunchTemplateVersionCommand,
  RegisterImageCommand,
  type Tag as SdkTag,
  type TagSpecification
} from '@aws-sdk/client-ec2'
import type { Tag } from '../settings.js'
import type { ImageRequest, RegisterRequest } from './types.js'

export function createImageCommand(request: ImageRequest, dryRun: boolean): CreateImageCommand {
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
export function registerImageCommand(request: RegisterRequest, dryRun: boolean): RegisterImageCommand {
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

export function launchTemplateVersionCommand(templateId: string, imageId: string, description: string, clientToken: string | undefined, dryRun: boolean) {
  return new CreateLaunchTemplateVersionCommand({
    LaunchTemplateId: templateId,
    SourceVersion: '$Default',
    VersionDescription: description || undefined,
    LaunchTemplateData: { ImageId: imageId },
    ClientToken: clientToken,
    DryRun: dryRun || undefined
  })
}

export function tagSpecifications(request: Pick<ImageRequest, 'tags' | 'snapshotTags'>): TagSpecification[] | undefined {
  const specifications = [
    ...(request.tags.length ? [{ ResourceType: 'image' as const, Tags: sdkTags(request.tags) }] : []),
    ...(request.snapshotTags.length ? [{ ResourceType: 'snapshot' as const, Tags: sdkTags(request.snapshotTags) }] : [])
  ]
  return specifications.length ? specifications : undefined
}

function sdkTags(tags: readonly Tag[]): SdkTag[] {
  return tags.map(tag => ({ Key: tag.key, Value: tag.value }))
}
