import type { Ec2State } from './ec2-state.js'
import type { Identity } from './identities.js'
import type { ImageBuilderState } from './imagebuilder-state.js'
import type { KmsState } from './kms-state.js'
import type { Params } from './query-params.js'
import type { SsmState } from './ssm-state.js'

/** What an EC2 action handler gets: the parsed request, who made it, and the world to act on. */
export interface Ec2Call {
  action: string
  params: Params
  /** from the SigV4 credential scope */
  region: string
  caller: Identity
  accountId: string
  /** epoch ms, fixed for the whole call */
  now: number
  state: Ec2State
  /** Parameter Store and Image Builder, which DescribeImageReferences reads on the caller's behalf. */
  ssm: SsmState
  imageBuilder: ImageBuilderState
  /** The account's KMS keys, which EBS encryption names (CopyImage's KmsKeyId, the EBS default key). */
  kms: KmsState
  /**
   * Refuses the call with UnauthorizedOperation if the caller is denied `ec2:<action>` on `resource`, or any of
   * `alsoNeeds` (full IAM action names, such as `ssm:DescribeParameters`, that EC2 performs as the caller), then
   * ends a DryRun with DryRunOperation. Handlers call it after checking the syntax of the request and before
   * looking anything up, which is where EC2 does it.
   */
  authorize(resource?: string, alsoNeeds?: readonly string[]): void
  /** Whether the caller may perform another EC2 action (for the snapshot deletions DeregisterImage makes). */
  isAllowed(action: string): boolean
}

/** Returns the inner XML of the action's response (everything after <requestId>). */
export type Ec2Action = (call: Ec2Call) => string

export const imageArn = (region: string, imageId: string): string => `arn:aws:ec2:${region}::image/${imageId}`
export const snapshotArn = (region: string, snapshotId: string): string => `arn:aws:ec2:${region}::snapshot/${snapshotId}`
export const launchTemplateArn = (region: string, accountId: string, launchTemplateId: string): string =>
  `arn:aws:ec2:${region}:${accountId}:launch-template/${launchTemplateId}`
export const instanceArn = (region: string, accountId: string, instanceId: string): string =>
  `arn:aws:ec2:${region}:${accountId}:instance/${instanceId}`
