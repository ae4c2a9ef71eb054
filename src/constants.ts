/** Names shared by action.yml, the code and the tests. */

export const Inputs = {
  InstanceId: 'instance-id',
  SnapshotId: 'snapshot-id',
  Architecture: 'architecture',
  RootDeviceName: 'root-device-name',
  VirtualizationType: 'virtualization-type',
  BootMode: 'boot-mode',
  EnaSupport: 'ena-support',
  TpmSupport: 'tpm-support',
  RootVolumeSize: 'root-volume-size',
  RootVolumeType: 'root-volume-type',
  Name: 'name',
  Description: 'description',
  NoReboot: 'no-reboot',
  Tags: 'tags',
  TagSnapshots: 'tag-snapshots',
  BlockDeviceMappings: 'block-device-mappings',
  SnapshotLocation: 'snapshot-location',
  AwsRegion: 'aws-region',
  RoleToAssume: 'role-to-assume',
  RoleSessionName: 'role-session-name',
  RoleDurationSeconds: 'role-duration-seconds',
  Audience: 'audience',
  Wait: 'wait',
  WaitTimeout: 'wait-timeout',
  CleanupOnFailure: 'cleanup-on-failure',
  DryRun: 'dry-run',
  CopyToRegions: 'copy-to-regions',
  ShareWithAccounts: 'share-with-accounts',
  ShareWithOrganizations: 'share-with-organizations',
  ShareWithOus: 'share-with-ous',
  ShareSnapshots: 'share-snapshots',
  DeprecateAfter: 'deprecate-after',
  ImdsSupport: 'imds-support',
  Family: 'family',
  KeepLatest: 'keep-latest',
  KeepLaunchedWithin: 'keep-launched-within',
  DeregistrationProtection: 'deregistration-protection',
  IfExists: 'if-exists',
  SsmParameter: 'ssm-parameter',
  LaunchTemplate: 'launch-template',
  LaunchTemplateDefault: 'launch-template-default',
  Encrypt: 'encrypt',
  KmsKeyId: 'kms-key-id',
  CopyKmsKeyIds: 'copy-kms-key-ids',
  CopyCompletionMinutes: 'copy-completion-minutes'
} as const

export const Outputs = {
  ImageId: 'image-id',
  ImageName: 'image-name',
  State: 'state',
  Region: 'region',
  SnapshotIds: 'snapshot-ids',
  Images: 'images',
  RemovedImageIds: 'removed-image-ids',
  LaunchTemplateVersions: 'launch-template-versions',
  SsmParameterVersions: 'ssm-parameter-versions'
} as const

/**
 * The one tag the action adds of its own: the image's lineage (input 'family'). Retention finds the older images
 * of a family by it, so a user's tag may not take this key.
 */
export const FAMILY_TAG_KEY = 'bake-ami:family'
