import type { Ec2Action } from './ec2-call.js'
import { readBoolean } from './query-params.js'
import { leaf } from './xml.js'

// GetEbsDefaultKmsKeyId: the key EBS encrypts with when nothing else is named, in the request's region. It answers the
// identifier as the account set it (ModifyEbsDefaultKmsKeyId, `sim.setEbsDefaultKmsKey`), and `alias/aws/ebs` when the
// account set none: the API reference promises an ARN, but EC2 answers the alias (terraform-provider-aws#15137 and
// others report it, even once the AWS managed key exists). Reading it makes no key.

export const getEbsDefaultKmsKeyId: Ec2Action = (call) => {
  readBoolean(call.params, 'DryRun', 'dryRun')
  call.authorize()
  return leaf('kmsKeyId', call.kms.ebsDefaultIdentifier(call.region))
}
