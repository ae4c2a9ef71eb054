/**
 * Thin typed EC2 calls for one region. Each call turns AWS errors into sentences where it is made, and
 * renews expired role credentials once before giving up.
 */
export { ec2 } from './client.js'
export { describeDenial } from './calls.js'
export { batches } from './paging.js'
export type {
  AttachedVolume,
  CopyRequest,
  Ec2,
  Ec2Options,
  ImageRequest,
  LaunchAudience,
  LaunchTemplate,
  OwnedImage,
  OwnSnapshot,
  RegisterRequest,
  SourceSnapshot
} from './types.js'
