/** Retention on a fake EC2: which images and snapshots go, which stay, and why. */
import { describe, expect, it } from '@jest/globals'
import { retire, type Retention } from '../../src/distribute/index.js'
import type { Ec2, OwnedImage } from '../../src/ec2.js'
import { AwsError } from '../../src/errors.js'
import { refuseDistribution } from '../fakes/ec2.js'

const FAMILY = 'web'
const TAG = 'bake-ami:family'
const clock = { now: () => 0, sleep: async () => undefined }

function image(id: string, day: number, extra: Partial<OwnedImage> = {}): OwnedImage {
  return {
    imageId: id,
    name: `web-${id}`,
    state: 'available',
    creationDate: `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`,
    snapshotIds: [`snap-${id}`],
    tags: { [TAG]: FAMILY },
    ...extra
  }
}

/**
 * One region's images (all tagged with the family unless said otherwise) and snapshots with their tags; records
 * what retention removed. `findImagesTagged` filters as EC2 does: the tag must be exactly the value.
 */
function fakeRegion(region: string, images: OwnedImage[], options: { snapshotTags?: Record<string, Record<string, string>>; inUse?: string[]; deregisterFails?: string } = {}) {
  const removed: string[] = []
  const ec2: Ec2 = {
    ...({} as Ec2),
    ...refuseDistribution(),
    region,
    principal: 'test',
    async findImagesTagged(key, value) {
      return images.filter(found => found.tags[key] === value && !removed.includes(found.imageId))
    },
    async imagesInUse(ids) {
      return new Set(ids.filter(id => options.inUse?.includes(id)))
    },
    async snapshotTags(ids) {
      return new Map(ids.map(id => [id, options.snapshotTags?.[id] ?? { [TAG]: FAMILY }]))
    },
    async findImagesUsing(ids) {
      return images.filter(found => !removed.includes(found.imageId) && found.snapshotIds.some(id => ids.includes(id)))
    },
    async deregisterImage(id) {
      if (id === options.deregisterFails) throw new AwsError('DeregisterImage', 'UnauthorizedOperation', `not allowed to deregister ${id}`)
      removed.push(id)
      return true
    },
    async deleteSnapshot(id) {
      removed.push(id)
      return true
    }
  }
  return { ec2, removed }
}

const keep = (keepLatest: number, dryRun = false): Retention => ({ family: FAMILY, keepLatest, dryRun })

describe('retire', () => {
  it('keeps the newest N with the new image counted, and removes the older ones with their snapshots', async () => {
    const region = fakeRegion('eu-west-1', [image('ami-new', 30), image('ami-1', 1), image('ami-3', 3), image('ami-2', 2)])
    const report = await retire({ ec2: () => region.ec2 }, ['eu-west-1'], new Set(['ami-new']), keep(2), clock, () => undefined)
    expect(region.removed).toEqual(['ami-2', 'snap-ami-2', 'ami-1', 'snap-ami-1'])
    expect(report.removed.map(found => found.imageId)).toEqual(['ami-2', 'ami-1'])
    expect(report.kept).toEqual([{ region: 'eu-west-1', imageId: 'ami-3', name: 'web-ami-3', inUse: false, reason: 'one of the newest 2' }])
    expect(report.problems).toEqual([])
  })

  it('never touches another family, untagged look-alikes, pending images or the run’s own images', async () => {
    const region = fakeRegion('eu-west-1', [
      image('ami-other', 1, { tags: { [TAG]: 'api' } }),
      image('ami-untagged', 1, { tags: {} }),
      image('ami-lookalike', 1, { tags: { [TAG]: 'web-old' } }),
      image('ami-pending', 2, { state: 'pending' }),
      image('ami-copy', 1),
      image('ami-old', 3)
    ])
    await retire({ ec2: () => region.ec2 }, ['eu-west-1'], new Set(['ami-copy']), keep(1), clock, () => undefined)
    expect(region.removed).toEqual(['ami-old', 'snap-ami-old'])
  })

  it('keeps an image an instance was launched from, and says why', async () => {
    const region = fakeRegion('eu-west-1', [image('ami-1', 1), image('ami-2', 2)], { inUse: ['ami-1'] })
    const report = await retire({ ec2: () => region.ec2 }, ['eu-west-1'], new Set(), keep(1), clock, () => undefined)
    expect(region.removed).toEqual(['ami-2', 'snap-ami-2'])
    expect(report.kept).toEqual([{ region: 'eu-west-1', imageId: 'ami-1', name: 'web-ami-1', inUse: true, reason: 'an instance was launched from it' }])
  })

  it('deletes only family-tagged snapshots that no staying image uses', async () => {
    const region = fakeRegion(
      'eu-west-1',
      [
        image('ami-1', 1, { snapshotIds: ['snap-user', 'snap-shared', 'snap-own'] }),
        image('ami-keep', 5, { snapshotIds: ['snap-shared'] })
      ],
      { snapshotTags: { 'snap-user': {} } }
    )
    const report = await retire({ ec2: () => region.ec2 }, ['eu-west-1'], new Set(), keep(2), clock, () => undefined)
    expect(region.removed).toEqual(['ami-1', 'snap-own'])
    expect(report.removed[0].snapshotIds).toEqual(['snap-own'])
  })

  it('removes nothing in a dry run, and lists what it would remove', async () => {
    const region = fakeRegion('eu-west-1', [image('ami-1', 1), image('ami-2', 2)])
    const lines: string[] = []
    const report = await retire({ ec2: () => region.ec2 }, ['eu-west-1'], new Set(), keep(2, true), clock, line => lines.push(line))
    expect(region.removed).toEqual([])
    expect(report.removed.map(found => found.imageId)).toEqual(['ami-1'])
    expect(lines).toEqual([expect.stringMatching(/^Dry run: retention would deregister ami-1 \(web-ami-1, created 2026-11-01T10:00:00.000Z\) in eu-west-1 and delete snap-ami-1$/)])
  })

  it('reports a problem per region without failing, and goes on in the other regions', async () => {
    const east = fakeRegion('us-east-1', [image('ami-e1', 1), image('ami-e2', 2)], { deregisterFails: 'ami-e1' })
    const west = fakeRegion('eu-west-1', [image('ami-w1', 1), image('ami-w2', 2)])
    const report = await retire({ ec2: region => (region === 'us-east-1' ? east.ec2 : west.ec2) }, ['us-east-1', 'eu-west-1'], new Set(), keep(1), clock, () => undefined)
    expect(east.removed).toEqual(['ami-e2', 'snap-ami-e2'])
    expect(west.removed).toEqual(['ami-w2', 'snap-ami-w2', 'ami-w1', 'snap-ami-w1'])
    expect(report.problems).toEqual([expect.stringContaining('Could not deregister ami-e1 (web-ami-e1, created 2026-11-01T10:00:00.000Z) in us-east-1: not allowed to deregister ami-e1')])
  })

  it('turns a failed look-up into a problem for that region', async () => {
    const region = fakeRegion('eu-west-1', [])
    region.ec2.findImagesTagged = async () => {
      throw new AwsError('DescribeImages', 'UnauthorizedOperation', 'not allowed to call ec2:DescribeImages')
    }
    const report = await retire({ ec2: () => region.ec2 }, ['eu-west-1'], new Set(), keep(1), clock, () => undefined)
    expect(report.problems).toEqual(['In eu-west-1, retention removed nothing: not allowed to call ec2:DescribeImages.'])
  })
})
