/** Pieces of fake `Ec2`s shared by the unit tests. */
import type { Ec2 } from '../../src/ec2/index.js'

type DistributionCalls =
  | 'copyImage'
  | 'findImagesNamed'
  | 'findImagesTagged'
  | 'findImagesUsing'
  | 'describeOwnSnapshots'
  | 'imageReferences'
  | 'launchPermissions'
  | 'volumePermissions'
  | 'shareImage'
  | 'unshareImage'
  | 'shareSnapshot'
  | 'unshareSnapshot'
  | 'protectImage'
  | 'findLaunchTemplate'
  | 'createLaunchTemplateVersion'
  | 'checkCreateLaunchTemplateVersion'
  | 'setDefaultLaunchTemplateVersion'
  | 'deleteLaunchTemplateVersions'
  | 'deprecateImage'
  | 'requireImdsV2'
  | 'instanceVolumes'
  | 'defaultKmsKeyId'

/** The calls of distribution, if-exists and retention, each failing the test when made: a fake overrides those it expects. */
export function refuseDistribution(): Pick<Ec2, DistributionCalls> {
  const unexpected = (name: string) => async (): Promise<never> => {
    throw new Error(`unexpected call to ${name}`)
  }
  return {
    copyImage: unexpected('copyImage'),
    findImagesNamed: unexpected('findImagesNamed'),
    findImagesTagged: unexpected('findImagesTagged'),
    findImagesUsing: unexpected('findImagesUsing'),
    describeOwnSnapshots: unexpected('describeOwnSnapshots'),
    imageReferences: unexpected('imageReferences'),
    launchPermissions: unexpected('launchPermissions'),
    volumePermissions: unexpected('volumePermissions'),
    shareImage: unexpected('shareImage'),
    unshareImage: unexpected('unshareImage'),
    shareSnapshot: unexpected('shareSnapshot'),
    unshareSnapshot: unexpected('unshareSnapshot'),
    protectImage: unexpected('protectImage'),
    findLaunchTemplate: unexpected('findLaunchTemplate'),
    createLaunchTemplateVersion: unexpected('createLaunchTemplateVersion'),
    checkCreateLaunchTemplateVersion: unexpected('checkCreateLaunchTemplateVersion'),
    setDefaultLaunchTemplateVersion: unexpected('setDefaultLaunchTemplateVersion'),
    deleteLaunchTemplateVersions: unexpected('deleteLaunchTemplateVersions'),
    deprecateImage: unexpected('deprecateImage'),
    requireImdsV2: unexpected('requireImdsV2'),
    instanceVolumes: unexpected('instanceVolumes'),
    defaultKmsKeyId: unexpected('defaultKmsKeyId')
  }
}

/** `Aws.ssm` for a test that expects no Parameter Store call. */
export async function noParameterStore(): Promise<never> {
  throw new Error('unexpected call to ssm')
}

/** `Aws.kms` for a test that expects no KMS call. */
export async function noKeyService(): Promise<never> {
  throw new Error('unexpected call to kms')
}
