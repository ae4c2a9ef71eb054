/** if-exists on a fake EC2: fail leaves it to CreateImage, reuse returns the image, replace removes it first. */
import { describe, expect, it } from '@jest/globals'
import type { Ec2, OwnedImage } from '../src/ec2/index.js'
import { settleExisting } from '../src/existing-image.js'
import { refuseDistribution } from './fakes/ec2.js'

const NAME = 'web-42'

function fakeEc2(found: OwnedImage[][], references: Record<string, string[]> = {}) {
  const calls: string[] = []
  let looks = 0
  const ec2: Ec2 = {
    ...({} as Ec2),
    ...refuseDistribution(),
    region: 'eu-west-1',
    async findImagesNamed(name) {
      calls.push(`find ${name}`)
      return found[Math.min(looks++, found.length - 1)]
    },
    async findSnapshotsOf(imageId) {
      calls.push(`find snapshots of ${imageId}`)
      return ['snap-made']
    },
    async imageReferences(ids) {
      calls.push(`references ${ids.join(' ')}`)
      return new Map(ids.flatMap(id => (references[id] ? [[id, references[id]] as const] : [])))
    },
    async describeOwnSnapshots(ids) {
      // snap-made: EC2 made it for ami-old; snap-user: the user's, mapped into the image.
      return ids.map(snapshotId => ({ snapshotId, description: snapshotId === 'snap-made' ? 'Created by CreateImage(i-0abc) for ami-old from vol-0abc' : 'data', tags: {} }))
    },
    async deregisterImage(imageId) {
      calls.push(`deregister ${imageId}`)
      return true
    },
    async deleteSnapshot(snapshotId) {
      calls.push(`delete ${snapshotId}`)
      return true
    }
  }
  return { ec2, calls }
}

const image = (state: string): OwnedImage => ({ imageId: 'ami-old', name: NAME, state, creationDate: '2026-12-01T00:00:00.000Z', snapshotIds: ['snap-user'], tags: {}, deregistrationProtection: 'disabled' })
const clock = () => {
  const slept: number[] = []
  return { slept, now: () => 0, sleep: async (ms: number) => void slept.push(ms) }
}

describe('settleExisting', () => {
  it('makes no call for fail: CreateImage refuses the name and names the image', async () => {
    const { ec2, calls } = fakeEc2([[image('available')]])
    await expect(settleExisting(ec2, NAME, 'fail', clock(), () => undefined)).resolves.toBeUndefined()
    expect(calls).toEqual([])
  })

  it.each(['pending', 'available'])('reuses a %s image', async state => {
    const { ec2 } = fakeEc2([[image(state)]])
    await expect(settleExisting(ec2, NAME, 'reuse', clock(), () => undefined)).resolves.toMatchObject({ imageId: 'ami-old' })
  })

  it('refuses to reuse a failed image, and suggests replace', async () => {
    const { ec2 } = fakeEc2([[image('failed')]])
    await expect(settleExisting(ec2, NAME, 'reuse', clock(), () => undefined)).rejects.toThrow(
      "An AMI named 'web-42' already exists in eu-west-1 (ami-old), and it is 'failed', so it cannot be reused. Set 'if-exists: replace'"
    )
  })

  it('replaces: deregisters the image and deletes the snapshots made for it, never one it was registered from', async () => {
    const { ec2, calls } = fakeEc2([[image('available')]])
    await expect(settleExisting(ec2, NAME, 'replace', clock(), () => undefined)).resolves.toBeUndefined()
    expect(calls).toEqual([`find ${NAME}`, 'references ami-old', 'deregister ami-old', 'find snapshots of ami-old', 'delete snap-made'])
  })

  it.each<[string, OwnedImage, Record<string, string[]>, RegExp]>([
    ['pending (another run may be making it)', image('pending'), {}, /it is still pending/],
    ['protected', { ...image('available'), deregistrationProtection: 'enabled' }, {}, /protected from deregistration \(enabled\)/],
    [
      'referred to by a launch template',
      image('available'),
      { 'ami-old': ['arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-0abc'] },
      /arn:aws:ec2:eu-west-1:123456789012:launch-template\/lt-0abc refers to it/
    ]
  ])('refuses to replace an image that is %s, and removes nothing', async (_what, held, references, message) => {
    const { ec2, calls } = fakeEc2([[held]], references)
    await expect(settleExisting(ec2, NAME, 'replace', clock(), () => undefined)).rejects.toThrow(message)
    expect(calls.filter(call => call.startsWith('deregister') || call.startsWith('delete'))).toEqual([])
  })

  it('makes when no image holds the name', async () => {
    const { ec2 } = fakeEc2([[]])
    await expect(settleExisting(ec2, NAME, 'replace', clock(), () => undefined)).resolves.toBeUndefined()
  })

  it('after a refusal, looks again while EC2 catches up, about 15 s', async () => {
    const { ec2, calls } = fakeEc2([[], [], [image('pending')]])
    const waits = clock()
    await expect(settleExisting(ec2, NAME, 'reuse', waits, () => undefined, true)).resolves.toMatchObject({ imageId: 'ami-old' })
    expect(calls).toEqual([`find ${NAME}`, `find ${NAME}`, `find ${NAME}`])
    expect(waits.slept).toEqual([1_000, 2_000])
  })
})
