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
  DryRun: 'dry-run'
} as const

export const Outputs = {
  ImageId: 'image-id',
  ImageName: 'image-name',
  State: 'state',
  Region: 'region',
  SnapshotIds: 'snapshot-ids'
} as const
