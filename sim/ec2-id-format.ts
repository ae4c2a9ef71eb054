import { ServiceError } from './service-error.js'

// EC2 checks the shape of an id before looking it up, with a Malformed error of its own per kind.

const FORMATS = {
  ami: { pattern: /^ami-([0-9a-f]{8}|[0-9a-f]{17})$/, code: 'InvalidAMIID.Malformed' },
  snap: { pattern: /^snap-([0-9a-f]{8}|[0-9a-f]{17})$/, code: 'InvalidSnapshotID.Malformed' },
  vol: { pattern: /^vol-([0-9a-f]{8}|[0-9a-f]{17})$/, code: 'InvalidVolumeID.Malformed' },
  i: { pattern: /^i-([0-9a-f]{8}|[0-9a-f]{17})$/, code: 'InvalidInstanceID.Malformed' }
} as const

export function assertIdFormat(kind: keyof typeof FORMATS, id: string): void {
  const { pattern, code } = FORMATS[kind]
  if (!pattern.test(id)) throw new ServiceError(400, code, `Invalid id: "${id}" (expecting "${kind}-...")`)
}
