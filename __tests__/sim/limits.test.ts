import {
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  paginateDescribeImages,
  type EC2Client,
  type Filter
} from '@aws-sdk/client-ec2'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, staticCredentials } from './helpers.js'

// EC2's limits that a retention pass over a large family meets (issue 18): at most 200 filter values in one call,
// and answers that come in pages once MaxResults is given.

const sims = simPerTest()
let sim: Sim
let ec2: EC2Client

beforeEach(async () => {
  sim = await sims.start({ clock: manualClock().now })
  ec2 = ec2Client(staticCredentials(sim))
})

afterEach(() => {
  ec2.destroy()
})

const amiIds = (count: number) => Array.from({ length: count }, (_, i) => `ami-${i.toString(16).padStart(17, '0')}`)

describe('filter values', () => {
  it.each<[string, (filters: Filter[]) => Promise<unknown>]>([
    ['DescribeImages', (Filters) => ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters }))],
    ['DescribeSnapshots', (Filters) => ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters }))],
    ['DescribeInstances', (Filters) => ec2.send(new DescribeInstancesCommand({ Filters }))]
  ])('%s takes 200 values in a call and refuses 201, counted over all its filters', async (_, send) => {
    const name = { DescribeImages: 'image-id', DescribeSnapshots: 'description', DescribeInstances: 'image-id' }[_] as string
    await expect(send([{ Name: name, Values: amiIds(200) }])).resolves.toBeDefined()
    await expect(send([{ Name: name, Values: amiIds(199) }, { Name: 'tag-key', Values: ['a'] }])).resolves.toBeDefined()

    for (const filters of [[{ Name: name, Values: amiIds(201) }], [{ Name: name, Values: amiIds(199) }, { Name: 'tag-key', Values: ['a', 'b'] }]]) {
      const error = await rejection(send(filters))
      expect([error.name, error.message, error.$metadata?.httpStatusCode]).toEqual([
        'FilterLimitExceeded',
        'The maximum number of filter values specified on a single call is 200',
        400
      ])
    }
  })
})

describe('pages', () => {
  it('lists a family of 520 images in pages of MaxResults, as the SDK paginator reads them', async () => {
    const family = Array.from({ length: 520 }, (_, i) => sim.addImage({ name: `web-${i}`, tags: { 'bake-ami:family': 'web' }, createdAt: -i }))
    sim.addImage({ name: 'other', tags: { 'bake-ami:family': 'api' } })
    const query = { Owners: ['self'], Filters: [{ Name: 'tag:bake-ami:family', Values: ['web'] }] }

    const first = await ec2.send(new DescribeImagesCommand({ ...query, MaxResults: 200 }))
    expect(first.Images).toHaveLength(200)
    expect(first.NextToken).toEqual(expect.any(String))

    const seen: string[] = []
    const sizes: number[] = []
    // The paginator writes each NextToken into the input it is given, so it gets a copy.
    for await (const page of paginateDescribeImages({ client: ec2, pageSize: 200 }, { ...query })) {
      sizes.push(page.Images!.length)
      seen.push(...page.Images!.map((image) => image.ImageId!))
    }
    expect(sizes).toEqual([200, 200, 120])
    expect(seen).toEqual(family)

    // Without MaxResults, DescribeImages answers everything at once, as EC2's older Describe calls do.
    const all = await ec2.send(new DescribeImagesCommand(query))
    expect([all.Images?.length, all.NextToken]).toEqual([520, undefined])
  })

  it('skips nothing when an image of an earlier page is deregistered between pages', async () => {
    const family = Array.from({ length: 12 }, (_, i) => sim.addImage({ name: `web-${i}` }))
    const first = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 5 }))
    await ec2.send(new DeregisterImageCommand({ ImageId: family[0] }))
    await ec2.send(new DeregisterImageCommand({ ImageId: family[5] }))
    const second = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 5, NextToken: first.NextToken }))
    expect(second.Images!.map((image) => image.ImageId)).toEqual(family.slice(6, 11))
    const third = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 5, NextToken: second.NextToken }))
    expect([third.Images!.map((image) => image.ImageId), third.NextToken]).toEqual([family.slice(11), undefined])
  })

  it('pages DescribeSnapshots and DescribeInstances too', async () => {
    for (let i = 0; i < 7; i++) sim.addSnapshot({ description: `disk ${i}` })
    const instances = Array.from({ length: 6 }, () => sim.addInstance())
    const snapshots = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5 }))
    const rest = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5, NextToken: snapshots.NextToken }))
    expect([snapshots.Snapshots!.length, rest.Snapshots!.length, rest.NextToken]).toEqual([5, 2, undefined])
    expect([...snapshots.Snapshots!, ...rest.Snapshots!].map((s) => s.Description)).toEqual(Array.from({ length: 7 }, (_, i) => `disk ${i}`))

    const reservations = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }))
    const more = await ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: reservations.NextToken }))
    expect([...reservations.Reservations!, ...more.Reservations!].map((r) => r.Instances![0].InstanceId)).toEqual(instances)
  })

  it.each<[string, () => Promise<unknown>, string, string]>([
    ['a MaxResults below 5 for DescribeSnapshots', () => ec2.send(new DescribeSnapshotsCommand({ MaxResults: 4 })), 'InvalidParameterValue', 'maxResults'],
    ['a MaxResults below 1 for DescribeImages', () => ec2.send(new DescribeImagesCommand({ MaxResults: 0 })), 'InvalidParameterValue', 'maxResults'],
    [
      'MaxResults next to instance ids',
      () => ec2.send(new DescribeInstancesCommand({ InstanceIds: [sim.addInstance()], MaxResults: 5 })),
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults'
    ],
    [
      'MaxResults next to snapshot ids',
      () => ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [sim.addSnapshot()], MaxResults: 5 })),
      'InvalidParameterCombination',
      'snapshotSet'
    ],
    ['a token that is not one', () => ec2.send(new DescribeImagesCommand({ MaxResults: 5, NextToken: 'nonsense' })), 'InvalidPaginationToken', 'not valid']
  ])('refuses %s', async (_, send, code, fragment) => {
    const error = await rejection(send())
    expect([error.name, error.$metadata?.httpStatusCode]).toEqual([code, 400])
    expect(error.message).toContain(fragment)
  })

  it('refuses a token from another query', async () => {
    for (let i = 0; i < 3; i++) sim.addImage({ name: `web-${i}`, tags: { App: 'web' } })
    const { NextToken } = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: 1 }))
    const other = await rejection(ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'tag:App', Values: ['web'] }], MaxResults: 1, NextToken })))
    expect(other.name).toBe('InvalidPaginationToken')
    const elsewhere = await rejection(ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5, NextToken })))
    expect(elsewhere.name).toBe('InvalidPaginationToken')
  })
})
