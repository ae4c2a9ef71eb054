/** How an encrypted release is made: under its name when the source already uses the key, else as an intermediate. */
import { describe, expect, it } from '@jest/globals'
import type { AttachedVolume, Ec2, OwnSnapshot } from '../../src/ec2/index.js'
import { checkEncrypted, planMaking } from '../../src/encryption/index.js'
import type { Settings } from '../../src/settings.js'
import { refuseDistribution } from '../fakes/ec2.js'

const KEY = { region: 'us-east-1', arn: 'arn:aws:kms:us-east-1:111122223333:key/release', label: 'alias/release' }
const OTHER = 'arn:aws:kms:us-east-1:111122223333:key/other'

function ec2With(volumes: AttachedVolume[], snapshots: OwnSnapshot[] = []): Ec2 {
  return {
    ...refuseDistribution(),
    region: 'us-east-1',
    instanceVolumes: async () => volumes,
    describeSourceSnapshot: async (snapshotId: string) => ({ snapshotId, state: 'completed', progress: 100, sizeGiB: 8, kmsKeyId: KEY.arn }),
    describeOwnSnapshots: async () => snapshots
  } as unknown as Ec2
}

const settings = (overrides: Partial<Settings> = {}) =>
  ({
    name: 'web v1',
    description: 'release',
    source: { kind: 'instance', instanceId: 'i-0123456789abcdef0' },
    blockDeviceMappings: [],
    ...overrides
  }) as unknown as Settings

describe('planMaking', () => {
  it('makes the release under its name when every volume of the instance uses the key', async () => {
    const ec2 = ec2With([
      { volumeId: 'vol-1', device: '/dev/xvda', kmsKeyId: KEY.arn },
      { volumeId: 'vol-2', device: '/dev/xvdb', kmsKeyId: KEY.arn }
    ])
    await expect(planMaking(ec2, settings(), KEY)).resolves.toEqual({ name: 'web v1', description: 'release', tagged: true, intermediate: false })
  })

  it.each([
    ['a volume is not encrypted', [{ volumeId: 'vol-1', device: '/dev/xvda', kmsKeyId: KEY.arn }, { volumeId: 'vol-2', device: '/dev/xvdb' }]],
    ['a volume uses another key', [{ volumeId: 'vol-1', device: '/dev/xvda', kmsKeyId: OTHER }]]
  ])('makes an untagged intermediate when %s', async (_why, volumes) => {
    const making = await planMaking(ec2With(volumes), settings(), KEY)
    expect(making).toMatchObject({ tagged: false, intermediate: true })
    expect(making.name).toMatch(/^web v1 unencrypted [0-9a-f]{8}$/)
  })

  it('leaves out a volume the mappings exclude, and makes an intermediate for one they add', async () => {
    const volumes = [{ volumeId: 'vol-1', device: '/dev/xvda', kmsKeyId: KEY.arn }, { volumeId: 'vol-2', device: '/dev/xvdb' }]
    const excluded = settings({ blockDeviceMappings: [{ DeviceName: '/dev/xvdb', NoDevice: '' }] })
    await expect(planMaking(ec2With(volumes), excluded, KEY)).resolves.toMatchObject({ intermediate: false })
    const added = settings({ blockDeviceMappings: [{ DeviceName: '/dev/xvdc', Ebs: { VolumeSize: 8 } }] })
    await expect(planMaking(ec2With(volumes.slice(0, 1)), added, KEY)).resolves.toMatchObject({ intermediate: true })
  })

  it('keeps an intermediate name within the 128 characters of an AMI name', async () => {
    const making = await planMaking(ec2With([]), settings({ name: 'x'.repeat(128) }), KEY)
    expect(making.name).toHaveLength(128)
  })

  it('reads the snapshot to register', async () => {
    const fromSnapshot = settings({ source: { kind: 'snapshot', snapshotId: 'snap-0123456789abcdef0' } as Settings['source'] })
    await expect(planMaking(ec2With([]), fromSnapshot, KEY)).resolves.toMatchObject({ intermediate: false })
  })

  it('makes the release as asked without encryption', async () => {
    await expect(planMaking(ec2With([]), settings(), undefined)).resolves.toMatchObject({ name: 'web v1', intermediate: false })
  })
})

describe('checkEncrypted', () => {
  const image = { region: 'us-east-1', imageId: 'ami-1', snapshotIds: ['snap-1', 'snap-2'] }
  const snapshot = (snapshotId: string, kmsKeyId?: string): OwnSnapshot => ({ snapshotId, description: '', tags: {}, kmsKeyId })

  it('passes an image whose every snapshot uses the key', async () => {
    await expect(checkEncrypted(ec2With([], [snapshot('snap-1', KEY.arn), snapshot('snap-2', KEY.arn)]), image, KEY, false)).resolves.toBeUndefined()
  })

  it('names each snapshot that does not, and tells a reused image to be replaced', async () => {
    await expect(checkEncrypted(ec2With([], [snapshot('snap-1', KEY.arn), snapshot('snap-2')]), image, KEY, true)).rejects.toThrow(
      "Image ami-1 in us-east-1 is to be encrypted with alias/release, but its snapshots snap-2 (not encrypted, or not readable) are not. It was reused ('if-exists: reuse'): set 'if-exists: replace'"
    )
  })
})
