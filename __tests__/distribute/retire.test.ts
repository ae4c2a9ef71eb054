/** Retention on a fake EC2: which images and snapshots go, which stay, and why. */
import { describe, expect, it } from '@jest/globals'
import { retire, type Retention } from '../../src/distribute/index.js'
import type { Ec2, OwnedImage } from '../../src/ec2/index.js'
import { AwsError } from '../../src/errors.js'
import { refuseDistribution, noParameterStore, noKeyService } from '../fakes/ec2.js'

const FAMILY = 'web'
const TAG = 'bake-ami:family'
const NOW = Date.parse('2026-12-07T12:00:00.000Z')
const clock = { now: () => NOW, sleep: async () => undefined }
const DAY = 24 * 3600_000

function image(id: string, day: number, extra: Partial<OwnedImage> = {}): OwnedImage {
  return {
    imageId: id,
    name: `web-${id}`,
    state: 'available',
    creationDate: `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`,
    snapshotIds: [`snap-${id}`],
    tags: { [TAG]: FAMILY },
    deregistrationProtection: 'disabled',
    ...extra
  }
}

/**
 * One region's images (all tagged with the family unless said otherwise) and snapshots with their tags; records
 * what retention removed. `findImagesTagged` filters as EC2 does: the tag must be exactly the value.
 */
function fakeRegion(
  region: string,
  images: OwnedImage[],
  options: { usersSnapshots?: string[]; references?: Record<string, string[]>; referencesFail?: boolean; deregisterFails?: string } = {}
) {
  const removed: string[] = []
  const referenceCalls: string[][] = []
  const ec2: Ec2 = {
    ...({} as Ec2),
    ...refuseDistribution(),
    region,
    principal: 'test',
    async findImagesTagged(key, value) {
      return images.filter(found => found.tags[key] === value && !removed.includes(found.imageId))
    },
    async imageReferences(ids) {
      referenceCalls.push([...ids])
      if (options.referencesFail) throw new AwsError('DescribeImageReferences', 'UnauthorizedOperation', 'not allowed to call ec2:DescribeImageReferences')
      return new Map(ids.flatMap(id => (options.references?.[id] ? [[id, options.references[id]] as const] : [])))
    },
    async describeOwnSnapshots(ids) {
      // EC2 made `snap-<image>` for <image>; a user's snapshot carries the user's own description.
      return ids.map(snapshotId => ({
        snapshotId,
        description: options.usersSnapshots?.includes(snapshotId) ? 'my data' : `Created by CreateImage(i-0abc) for ${snapshotId.replace(/^snap-/, '')} from vol-0abc`,
        tags: {}
      }))
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
  return { ec2, removed, referenceCalls }
}

const keep = (keepLatest: number, dryRun = false, keepLaunchedWithinMs?: number): Retention => ({ family: FAMILY, keepLatest, dryRun, keepLaunchedWithinMs })
const options = { clock, log: () => undefined }

describe('retire', () => {
  it('keeps the newest N with the new image counted, and removes the older ones with their snapshots', async () => {
    const region = fakeRegion('eu-west-1', [image('ami-new', 30), image('ami-1', 1), image('ami-3', 3), image('ami-2', 2)])
    const report = await retire({ ssm: noParameterStore, kms: noKeyService, ec2: () => region.ec2 }, ['eu-west-1'], new Set(['ami-new']), keep(2), options)
    expect(region.removed).toEqual(['ami-2', 'snap-ami-2', 'ami-1', 'snap-ami-1'])
    expect(report.removed.map(found => found.imageId)).toEqual(['ami-2', 'ami-1'])
    expect(report.kept).toEqual([
      { region: 'eu-west-1', imageId: 'ami-new', name: 'web-ami-new', reason: 'this run made or reused it', references: [] },
      { region: 'eu-west-1', imageId: 'ami-3', name: 'web-ami-3', reason: 'one of the newest 2', references: [] }
    ])
    expect(report.problems).toEqual([])
  })

  it('never touches another family, untagged look-alikes, pending images or the run’s own images', async () => {
    const region = fakeRegion('eu-west-1', [
      image('ami-other', 1, { tags: { [TAG]: 'api' } }),
      image('ami-untagged', 1, { tags: {} }),
      image('ami-lookalike', 1, { tags: { [TAG]: 'web-old' } }),
      image('ami-pending', 2, { state: 'pending' }),
      image('ami-copy', 4),
      image('ami-old', 3)
    ])
    await retire({ ssm: noParameterStore, kms: noKeyService, ec2: () => region.ec2 }, ['eu-west-1'], new Set(['ami-copy']), keep(1), options)
    expect(region.removed).toEqual(['ami-old', 'snap-ami-old'])
  })

  it('keeps an image something refers to, and names what', async () => {
    const template = 'arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-0123456789abcdef0'
    const region = fakeRegion('eu-west-1', [image('ami-1', 1), image('ami-2', 2), image('ami-3', 3)], { references: { 'ami-1': [template] } })
    const report = await retire({ ssm: noParameterStore, kms: noKeyService, ec2: () => region.ec2 }, ['eu-west-1'], new Set(), keep(1), options)
    expect(region.removed).toEqual(['ami-2', 'snap-ami-2'])
    expect(report.kept).toContainEqual({ region: 'eu-west-1', imageId: 'ami-1', name: 'web-ami-1', reason: `${template} refers to it`, references: [template] })
  })

  it('keeps a protected image without asking EC2 to deregister it, and one launched lately', async () => {
    const region = fakeRegion('eu-west-1', [
      image('ami-new', 9),
      image('ami-protected', 2, { deregistrationProtection: 'enabled-with-cooldown' }),
      image('ami-launched', 3, { lastLaunchedTime: new Date(NOW - 2 * DAY).toISOString() }),
      image('ami-stale', 4, { lastLaunchedTime: new Date(NOW - 40 * DAY).toISOString() })
    ])
    const report = await retire({ ssm: noParameterStore, kms: noKeyService, ec2: () => region.ec2 }, ['eu-west-1'], new Set(), keep(1, false, 30 * DAY), options)
    expect(region.removed).toEqual(['ami-stale', 'snap-ami-stale'])
    expect(report.kept.map(kept => [kept.imageId, kept.reason])).toEqual([
      ['ami-new', 'one of the newest 1'],
      ['ami-launched', `it was launched at ${new Date(NOW - 2 * DAY).toISOString()}`],
      ['ami-protected', 'it is protected from deregistration (enabled-with-cooldown)']
    ])
  })

  it('keeps the newest N and the run’s own image on top of them: a rollback that reuses an old release retires nothing newer', async () => {
    const region = fakeRegion('eu-west-1', [image('ami-v3', 3), image('ami-v2', 2), image('ami-v1', 1), image('ami-v0', 0)])
    await retire({ ssm: noParameterStore, kms: noKeyService, ec2: () => region.ec2 }, ['eu-west-1'], new Set(['ami-v1']), keep(2), options)
    expect(region.removed).toEqual(['ami-v0', 'snap-ami-v0'])
  })

  it('removes nothing in a region where it cannot ask what refers to the images, and says what it needs', async () => {
    const region = fakeRegion('eu-west-1', [image('ami-1', 1), image('ami-2', 2)], { referencesFail: true })
    const report = await retire({ ssm: noParameterStore, kms: noKeyService, ec2: () => region.ec2 }, ['eu-west-1'], new Set(), keep(1), options)
    expect(region.removed).toEqual([])
    expect(report.problems).toEqual([expect.stringMatching(/^In eu-west-1, retention removed nothing: .*ec2:DescribeImageReferences.*AmazonEC2ImageReferencesAccessPolicy/)])
  })

  it('deletes only snapshots EC2 made for the retired image that no staying image uses', async () => {
    const region = fakeRegion(
      'eu-west-1',
      [image('ami-1', 1, { snapshotIds: ['snap-user', 'snap-ami-keep', 'snap-ami-1'] }), image('ami-keep', 5, { snapshotIds: ['snap-ami-keep'] })],
      { usersSnapshots: ['snap-user'] }
    )
    const report = await retire({ ssm: noParameterStore, kms: noKeyService, ec2: () => region.ec2 }, ['eu-west-1'], new Set(), keep(1), options)
    expect(region.removed).toEqual(['ami-1', 'snap-ami-1'])
    expect(report.removed[0].snapshotIds).toEqual(['snap-ami-1'])
  })

  it('removes nothing in a dry run, and lists what it would remove', async () => {
    const region = fakeRegion('eu-west-1', [image('ami-1', 1), image('ami-2', 2)])
    const lines: string[] = []
    const report = await retire({ ssm: noParameterStore, kms: noKeyService, ec2: () => region.ec2 }, ['eu-west-1'], new Set(), keep(2, true), { clock, log: (line: string) => lines.push(line) })
    expect(region.removed).toEqual([])
    expect(report.removed.map(found => found.imageId)).toEqual(['ami-1'])
    expect(lines.filter(line => line.startsWith('Dry run'))).toEqual([expect.stringMatching(/^Dry run: retention would deregister ami-1 \(web-ami-1, created 2026-11-01T10:00:00.000Z\) in eu-west-1 and delete snap-ami-1$/)])
  })

  it('reports a problem per region without failing, and goes on in the other regions', async () => {
    const east = fakeRegion('us-east-1', [image('ami-e1', 1), image('ami-e2', 2)], { deregisterFails: 'ami-e1' })
    const west = fakeRegion('eu-west-1', [image('ami-w1', 1), image('ami-w2', 2)])
    const report = await retire({ ssm: noParameterStore, kms: noKeyService, ec2: region => (region === 'us-east-1' ? east.ec2 : west.ec2) }, ['us-east-1', 'eu-west-1'], new Set(), keep(1), options)
    expect(east.removed).toEqual([])
    expect(west.removed).toEqual(['ami-w1', 'snap-ami-w1'])
    expect(report.problems).toEqual([expect.stringContaining('Could not deregister ami-e1 (web-ami-e1, created 2026-11-01T10:00:00.000Z) in us-east-1: not allowed to deregister ami-e1')])
  })

  it('turns a failed look-up into a problem for that region', async () => {
    const region = fakeRegion('eu-west-1', [])
    region.ec2.findImagesTagged = async () => {
      throw new AwsError('DescribeImages', 'UnauthorizedOperation', 'not allowed to call ec2:DescribeImages')
    }
    const report = await retire({ ssm: noParameterStore, kms: noKeyService, ec2: () => region.ec2 }, ['eu-west-1'], new Set(), keep(1), options)
    expect(report.problems).toEqual(['In eu-west-1, retention removed nothing: not allowed to call ec2:DescribeImages.'])
  })
})
