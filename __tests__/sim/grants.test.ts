import {
  DescribeImageAttributeCommand,
  DescribeSnapshotAttributeCommand,
  ModifyImageAttributeCommand,
  ModifySnapshotAttributeCommand,
  type EC2Client
} from '@aws-sdk/client-ec2'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import type { Sim } from '../../sim/index.js'
import { ec2Client, manualClock, rejection, simPerTest, staticCredentials } from './helpers.js'

// Taking back what a run shared (issue 18): a failed run removes exactly the launch permissions and create-volume
// permissions it added, read back first with DescribeImageAttribute / DescribeSnapshotAttribute.

const PARTNER = '111122223333'
const AUDITOR = '444455556666'
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

async function launchPermissions(imageId: string) {
  return (await ec2.send(new DescribeImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission' }))).LaunchPermissions
}

async function createVolumePermissions(snapshotId: string) {
  return (await ec2.send(new DescribeSnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission' }))).CreateVolumePermissions
}

describe('launch permission', () => {
  it('removes the grants named with LaunchPermission.Remove and keeps the rest', async () => {
    const imageId = sim.addImage({ name: 'shared' })
    await expect(launchPermissions(imageId)).resolves.toEqual([])
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: AUDITOR }] } }))
    const before = await launchPermissions(imageId)

    // The run adds what was not there, then takes back exactly that.
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: PARTNER }, { Group: 'all' }] } }))
    await expect(launchPermissions(imageId)).resolves.toEqual([{ UserId: AUDITOR }, { UserId: PARTNER }, { Group: 'all' }])
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Remove: [{ UserId: PARTNER }, { Group: 'all' }] } }))
    await expect(launchPermissions(imageId)).resolves.toEqual(before)
    expect(sim.images()[0].launchPermissions).toEqual([{ UserId: AUDITOR }])

    // Taking back a grant that is not there changes nothing, as on EC2.
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Remove: [{ UserId: PARTNER }] } }))
    await expect(launchPermissions(imageId)).resolves.toEqual([{ UserId: AUDITOR }])
  })

  it('removes with the older OperationType and UserId.N form too', async () => {
    const imageId = sim.addImage({ name: 'shared' })
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: PARTNER }, { UserId: AUDITOR }] } }))
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, Attribute: 'launchPermission', OperationType: 'remove', UserIds: [PARTNER] }))
    await expect(launchPermissions(imageId)).resolves.toEqual([{ UserId: AUDITOR }])
  })

  it('needs ec2:ModifyImageAttribute to take a grant back', async () => {
    const imageId = sim.addImage({ name: 'shared' })
    await ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Add: [{ UserId: PARTNER }] } }))
    sim.deny({ action: 'ec2:ModifyImageAttribute' })
    const error = await rejection(ec2.send(new ModifyImageAttributeCommand({ ImageId: imageId, LaunchPermission: { Remove: [{ UserId: PARTNER }] } })))
    expect(error.name).toBe('UnauthorizedOperation')
    await expect(launchPermissions(imageId)).resolves.toEqual([{ UserId: PARTNER }])
  })
})

describe('create-volume permission', () => {
  it('takes back only what the run added to the user snapshot, in either request form', async () => {
    const snapshotId = sim.addSnapshot({ description: 'golden root' })
    // The user had already shared it with an auditor.
    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, CreateVolumePermission: { Add: [{ UserId: AUDITOR }] } }))
    const before = await createVolumePermissions(snapshotId)

    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission', OperationType: 'add', UserIds: [PARTNER] }))
    await expect(createVolumePermissions(snapshotId)).resolves.toEqual([{ UserId: AUDITOR }, { UserId: PARTNER }])
    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission', OperationType: 'remove', UserIds: [PARTNER] }))
    await expect(createVolumePermissions(snapshotId)).resolves.toEqual(before)

    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, CreateVolumePermission: { Add: [{ Group: 'all' }] } }))
    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, CreateVolumePermission: { Remove: [{ Group: 'all' }] } }))
    await expect(createVolumePermissions(snapshotId)).resolves.toEqual([{ UserId: AUDITOR }])
    expect(sim.snapshots()[0].createVolumePermissions).toEqual([{ UserId: AUDITOR }])
  })

  it('needs ec2:ModifySnapshotAttribute to take a grant back, and refuses an operation type it does not know', async () => {
    const snapshotId = sim.addSnapshot()
    await ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, CreateVolumePermission: { Add: [{ UserId: PARTNER }] } }))
    const unknown = await rejection(
      ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, Attribute: 'createVolumePermission', OperationType: 'drop' as 'remove', UserIds: [PARTNER] }))
    )
    expect([unknown.name, unknown.message]).toEqual(['InvalidParameterValue', expect.stringContaining('operationType')])
    sim.deny({ action: 'ec2:ModifySnapshotAttribute' })
    const denied = await rejection(ec2.send(new ModifySnapshotAttributeCommand({ SnapshotId: snapshotId, CreateVolumePermission: { Remove: [{ UserId: PARTNER }] } })))
    expect([denied.name, denied.message]).toEqual(['UnauthorizedOperation', expect.stringContaining(`ec2:ModifySnapshotAttribute on resource: arn:aws:ec2:us-east-1::snapshot/${snapshotId}`)])
    await expect(createVolumePermissions(snapshotId)).resolves.toEqual([{ UserId: PARTNER }])
  })
})
