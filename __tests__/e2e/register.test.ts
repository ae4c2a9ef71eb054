/**
 * A snapshot bake end to end: dist/index.js and dist/post/index.js registering a user's EBS snapshot with
 * RegisterImage against the local endpoint. Checked on the wire (exactly the parameters asked for), in EC2 (the
 * image, and the snapshot, which stays the user's whatever happens), and in what the step gives the job.
 */
import { describe, expect, it } from '@jest/globals'
import { callsTo, ec2Calls, expectFailure, expectSuccess, type Harness, ROLE_ARN, warningMessages, withHarness } from './harness.js'

/** The inputs of a snapshot bake: no instance, this snapshot. */
function fromSnapshot(snapshotId: string, inputs: Record<string, string> = {}): Record<string, string> {
  return { 'instance-id': '', 'snapshot-id': snapshotId, ...inputs }
}

/** Every call that could remove a snapshot, and every DeregisterImage that asked to delete its snapshots. */
function snapshotRemovals(h: Harness): string[] {
  return ec2Calls(h.sim).flatMap(call =>
    call.action === 'DeleteSnapshot'
      ? [`DeleteSnapshot ${call.params.SnapshotId}`]
      : call.action === 'DeregisterImage' && call.params.DeleteAssociatedSnapshots !== undefined
        ? [`DeregisterImage ${call.params.ImageId} DeleteAssociatedSnapshots=${call.params.DeleteAssociatedSnapshots}`]
        : []
  )
}

/** The user's snapshot is as it was: there, completed, untagged, belonging to no image. */
function expectSnapshotUntouched(h: Harness, snapshotId: string): void {
  expect(h.sim.snapshots().find(snapshot => snapshot.snapshotId === snapshotId)).toMatchObject({
    imageId: undefined,
    deleted: false,
    state: 'completed',
    tags: {}
  })
  expect(snapshotRemovals(h)).toEqual([])
}

describe('snapshot bake', () => {
  it.concurrent('sends RegisterImage with exactly the parameters asked for (arm64, uefi, TPM 2.0) and outputs the image', () =>
    withHarness({ region: 'eu-central-1', bake: { durationMs: 500 } }, async h => {
      const snapshotId = h.sim.addSnapshot({ region: 'eu-central-1', sizeGiB: 12 })
      const main = await h.main(
        fromSnapshot(snapshotId, {
          name: 'web {{ ref_name }} from {{ snapshot_id }}',
          description: 'registered from {{ snapshot_id }}',
          'aws-region': 'eu-central-1',
          architecture: 'arm64',
          'boot-mode': 'uefi',
          'tpm-support': 'v2.0',
          tags: 'Application=web\nSource={{ snapshot_id }}'
        })
      )
      expectSuccess(main)

      // The snapshot is described first, then registered once, then the image is waited for (reads only).
      const actions = ec2Calls(h.sim).map(call => call.action)
      expect(actions.slice(0, 2)).toEqual(['DescribeSnapshots', 'RegisterImage'])
      expect(actions.slice(2).filter(action => action !== 'DescribeImages' && action !== 'DescribeSnapshots')).toEqual([])
      expect(actions).toContain('DescribeImages')
      const [register] = callsTo(h.sim, 'RegisterImage')
      const name = `web v1.2.3 from ${snapshotId}`
      expect(register).toMatchObject({ status: 200, region: 'eu-central-1', principal: 'arn:aws:sts::123456789012:assumed-role/bake-ami/bake-ami' })
      expect(register.params).toEqual({
        Version: '2016-11-15',
        Name: name,
        Description: `registered from ${snapshotId}`,
        Architecture: 'arm64',
        RootDeviceName: '/dev/xvda',
        VirtualizationType: 'hvm',
        BootMode: 'uefi',
        EnaSupport: 'true',
        TpmSupport: 'v2.0',
        'BlockDeviceMapping.1.DeviceName': '/dev/xvda',
        'BlockDeviceMapping.1.Ebs.SnapshotId': snapshotId,
        'BlockDeviceMapping.1.Ebs.VolumeType': 'gp3',
        'BlockDeviceMapping.1.Ebs.DeleteOnTermination': 'true',
        'TagSpecification.1.ResourceType': 'image',
        'TagSpecification.1.Tag.1.Key': 'Application',
        'TagSpecification.1.Tag.1.Value': 'web',
        'TagSpecification.1.Tag.2.Key': 'Source',
        'TagSpecification.1.Tag.2.Value': snapshotId
      })

      const [image] = h.sim.images()
      expect(image).toMatchObject({
        madeBy: 'RegisterImage',
        name,
        state: 'available',
        architecture: 'arm64',
        bootMode: 'uefi',
        tpmSupport: 'v2.0',
        enaSupport: true,
        tags: { Application: 'web', Source: snapshotId }
      })
      expect(image.blockDeviceMappings).toEqual([
        { DeviceName: '/dev/xvda', Ebs: expect.objectContaining({ SnapshotId: snapshotId, VolumeSize: 12, VolumeType: 'gp3', DeleteOnTermination: true }) }
      ])
      expect(main.outputs).toEqual({
        'image-id': image.imageId,
        'image-name': name,
        state: 'available',
        region: 'eu-central-1',
        'snapshot-ids': JSON.stringify([snapshotId]),
        images: JSON.stringify({ 'eu-central-1': image.imageId }),
        'removed-image-ids': '[]',
        'ssm-parameter-versions': '{}',
        'launch-template-versions': '{}'
      })
      for (const shown of [image.imageId, name, 'available', snapshotId]) expect(main.summary).toContain(shown)

      // Post has nothing to do, and the snapshot is still the user's.
      expect((await h.post(main)).exitCode).toBe(0)
      expectSnapshotUntouched(h, snapshotId)
    })
  )

  it.concurrent('passes root-volume-size and -type, and block-device-mappings after the root; wait: false outputs the source snapshot', () =>
    withHarness({ bake: { durationMs: Infinity } }, async h => {
      const snapshotId = h.sim.addSnapshot({ sizeGiB: 8 })
      const main = await h.main(
        fromSnapshot(snapshotId, {
          'root-volume-size': '30',
          'root-volume-type': 'io2',
          'ena-support': 'false',
          'block-device-mappings': '[{"DeviceName":"/dev/sdf","Ebs":{"VolumeSize":100,"VolumeType":"gp3"}}]',
          wait: 'false'
        })
      )
      expectSuccess(main)
      const [register] = callsTo(h.sim, 'RegisterImage')
      expect(Object.fromEntries(Object.entries(register.params).filter(([key]) => /^(BlockDeviceMapping|EnaSupport)/.test(key)))).toEqual({
        EnaSupport: 'false',
        'BlockDeviceMapping.1.DeviceName': '/dev/xvda',
        'BlockDeviceMapping.1.Ebs.SnapshotId': snapshotId,
        'BlockDeviceMapping.1.Ebs.VolumeType': 'io2',
        'BlockDeviceMapping.1.Ebs.VolumeSize': '30',
        'BlockDeviceMapping.1.Ebs.DeleteOnTermination': 'true',
        'BlockDeviceMapping.2.DeviceName': '/dev/sdf',
        'BlockDeviceMapping.2.Ebs.VolumeSize': '100',
        'BlockDeviceMapping.2.Ebs.VolumeType': 'gp3'
      })
      expect(main.outputs).toMatchObject({ state: 'pending', 'snapshot-ids': JSON.stringify([snapshotId]) })
    })
  )

  it.concurrent('dry run: describes the snapshot and sends RegisterImage with DryRun, and makes nothing', () =>
    withHarness({}, async h => {
      const snapshotId = h.sim.addSnapshot()
      const main = await h.main(fromSnapshot(snapshotId, { 'dry-run': 'true' }))
      expectSuccess(main)
      expect(ec2Calls(h.sim).map(call => [call.action, call.params.DryRun, call.errorCode])).toEqual([
        ['DescribeSnapshots', undefined, undefined],
        ['RegisterImage', 'true', 'DryRunOperation']
      ])
      expect(h.sim.images()).toEqual([])
    })
  )

  it.concurrent('adopts the image its own lost RegisterImage made, rather than failing on the duplicate name', () =>
    withHarness({ bake: { durationMs: 0 } }, async h => {
      const snapshotId = h.sim.addSnapshot()
      h.sim.fault({ action: 'RegisterImage', kind: 'reset-after-processing' })
      const main = await h.main(fromSnapshot(snapshotId))
      expectSuccess(main)
      expect(callsTo(h.sim, 'RegisterImage').map(call => call.errorCode)).toEqual([undefined, 'InvalidAMIName.Duplicate'])
      expect(h.sim.images().map(image => image.imageId)).toEqual([main.outputs['image-id']])
    })
  )
})

describe('snapshot bake refused before any image is made', () => {
  it.concurrent.each<[string, (h: Harness) => Record<string, string>, (string | RegExp)[]]>([
    ['both instance-id and snapshot-id', h => ({ 'snapshot-id': h.sim.addSnapshot() }), ["'instance-id'", "'snapshot-id'", 'both set', 'exactly one']],
    ['neither instance-id nor snapshot-id', () => ({ 'instance-id': '' }), ["'instance-id'", "'snapshot-id'", 'neither was given']],
    ['tpm-support without boot-mode uefi', h => fromSnapshot(h.sim.addSnapshot(), { 'tpm-support': 'v2.0', 'boot-mode': 'legacy-bios' }), ["'tpm-support'", "'boot-mode: uefi'", "'legacy-bios'"]],
    ['an st1 root volume', h => fromSnapshot(h.sim.addSnapshot(), { 'root-volume-type': 'st1' }), ["'root-volume-type'", 'cannot boot from st1']],
    ['no-reboot with a snapshot', h => fromSnapshot(h.sim.addSnapshot(), { 'no-reboot': 'true' }), ["'no-reboot'", 'applies only to an instance']]
  ])('%s: an input error, and no request at all', (_, inputs, fragments) =>
    withHarness({}, async h => {
      const main = await h.main(inputs(h))
      expectFailure(main, ...fragments)
      expect(ec2Calls(h.sim)).toEqual([])
      expect(h.sim.images()).toEqual([])
      expect(main.outputs['image-id']).toBeUndefined()
    })
  )

  it.concurrent.each<[string, (h: Harness) => string, (string | RegExp)[]]>([
    ['a missing snapshot', () => 'snap-0123456789abcdef0', ['snap-0123456789abcdef0', 'was not found in us-east-1', "'snapshot-id'", "'aws-region'"]],
    ['a snapshot in another region', h => h.sim.addSnapshot({ region: 'eu-west-1' }), ['was not found in us-east-1']],
    ['a snapshot still pending', h => h.sim.addSnapshot({ state: 'pending', progress: 37 }), ['is still pending (37% done)', 'aws ec2 wait snapshot-completed']],
    ['a snapshot in error', h => h.sim.addSnapshot({ state: 'error' }), ["is in state 'error'"]]
  ])('%s: a clear error after DescribeSnapshots, and no RegisterImage', (_, snapshot, fragments) =>
    withHarness({}, async h => {
      const snapshotId = snapshot(h)
      const main = await h.main(fromSnapshot(snapshotId))
      expectFailure(main, snapshotId, 'Nothing was registered', ...fragments)
      expect(ec2Calls(h.sim).map(call => call.action)).toEqual(['DescribeSnapshots'])
      expect(h.sim.images()).toEqual([])
      expect(main.outputs['image-id']).toBeUndefined()
      expect((await h.post(main)).exitCode).toBe(0)
      expect(snapshotRemovals(h)).toEqual([])
    })
  )

  it.concurrent('a root-volume-size smaller than the snapshot: names both sizes, and no RegisterImage', () =>
    withHarness({}, async h => {
      const snapshotId = h.sim.addSnapshot({ sizeGiB: 20 })
      const main = await h.main(fromSnapshot(snapshotId, { 'root-volume-size': '10' }))
      expectFailure(main, "'root-volume-size'", `snapshot ${snapshotId} is 20 GiB`, 'set 20 or more')
      expect(ec2Calls(h.sim).map(call => call.action)).toEqual(['DescribeSnapshots'])
    })
  )

  it.concurrent('RegisterImage denied: names ec2:RegisterImage and the role', () =>
    withHarness({}, async h => {
      h.sim.deny({ action: 'ec2:RegisterImage' })
      const main = await h.main(fromSnapshot(h.sim.addSnapshot()))
      expectFailure(main, 'ec2:RegisterImage', ROLE_ARN)
      expect(h.sim.images()).toEqual([])
    })
  )

  it.concurrent('DescribeSnapshots denied: names ec2:DescribeSnapshots', () =>
    withHarness({}, async h => {
      h.sim.deny({ action: 'ec2:DescribeSnapshots' })
      const main = await h.main(fromSnapshot(h.sim.addSnapshot()))
      expectFailure(main, 'ec2:DescribeSnapshots', ROLE_ARN)
      expect(callsTo(h.sim, 'RegisterImage')).toEqual([])
    })
  )
})

describe('a snapshot bake that fails after RegisterImage', () => {
  it.concurrent('the image fails: main deregisters it and leaves the source snapshot in place', () =>
    withHarness({ bake: { durationMs: 1500, fail: { afterMs: 300, code: 'Client.InvalidSnapshot', message: 'Client.InvalidSnapshot: the snapshot has no boot sector' } } }, async h => {
      const snapshotId = h.sim.addSnapshot()
      const main = await h.main(fromSnapshot(snapshotId))
      const [image] = h.sim.images()
      expectFailure(main, image.imageId, 'no boot sector')
      expect(main.outputs['image-id']).toBe(image.imageId)
      expect(h.sim.images()[0].state).toBe('deregistered')
      expect(callsTo(h.sim, 'DeregisterImage').map(call => call.params)).toEqual([{ Version: '2016-11-15', ImageId: image.imageId }])
      // Nothing searched for snapshots by CreateImage's description: RegisterImage made none.
      expect(callsTo(h.sim, 'DescribeSnapshots').filter(call => Object.keys(call.params).some(key => key.startsWith('Filter.')))).toEqual([])
      expect((await h.post(main)).exitCode).toBe(0)
      expectSnapshotUntouched(h, snapshotId)
    })
  )

  it.concurrent('the wait times out: main deregisters the image and leaves the source snapshot in place', () =>
    withHarness({ bake: { durationMs: Infinity } }, async h => {
      const snapshotId = h.sim.addSnapshot()
      const main = await h.main(fromSnapshot(snapshotId, { 'wait-timeout': '2' }))
      const [image] = h.sim.images()
      expectFailure(main, image.imageId, "'wait-timeout'")
      expect(h.sim.images()[0].state).toBe('deregistered')
      expect((await h.post(main)).exitCode).toBe(0)
      expectSnapshotUntouched(h, snapshotId)
    })
  )

  it.concurrent('the job is cancelled while waiting: the image is deregistered and the source snapshot left in place', () =>
    // A bake that never ends, so the image is pending when the cancel comes however slowly the step runs.
    withHarness({ bake: { durationMs: Infinity } }, async h => {
      const snapshotId = h.sim.addSnapshot()
      const main = await h.main(fromSnapshot(snapshotId), { cancel: { when: /Waiting for /, thenAfterMs: 7500 } })
      expect(main.exitCode).toBe(1)
      const imageId = main.outputs['image-id']
      expect(imageId).toMatch(/^ami-/)
      expect((await h.post(main)).exitCode).toBe(0)
      expect(h.sim.images().map(image => [image.imageId, image.state])).toEqual([[imageId, 'deregistered']])
      expectSnapshotUntouched(h, snapshotId)
    })
  )

  it.concurrent('main cannot deregister: post does, and still leaves the source snapshot in place', () =>
    withHarness({ bake: { durationMs: 1500, fail: { afterMs: 300 } } }, async h => {
      const snapshotId = h.sim.addSnapshot()
      // Main's one DeregisterImage is refused (a 4xx, which the SDK does not retry); post's goes through.
      h.sim.fault({ action: 'DeregisterImage', kind: { status: 400, code: 'InvalidParameterValue', message: 'Try again later.' } })
      const main = await h.main(fromSnapshot(snapshotId))
      const [image] = h.sim.images()
      expectFailure(main, image.imageId)
      expect(warningMessages(main)).toEqual([expect.stringContaining(`aws ec2 deregister-image --region us-east-1 --image-id ${image.imageId}`)])
      expect(warningMessages(main)[0]).not.toContain(snapshotId)
      expect(h.sim.images()[0].state).toBe('failed')

      const post = await h.post(main)
      expect({ exitCode: post.exitCode, warnings: warningMessages(post) }).toEqual({ exitCode: 0, warnings: [] })
      expect(h.sim.images()[0].state).toBe('deregistered')
      expect(callsTo(h.sim, 'DeregisterImage').map(call => call.errorCode)).toEqual(['InvalidParameterValue', undefined])
      expectSnapshotUntouched(h, snapshotId)
    })
  )
})
