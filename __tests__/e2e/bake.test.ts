/**
 * A release bake end to end: dist/index.js against the local EC2 + STS + OIDC endpoint, checked on the wire (what
 * the sim received), in EC2 (what the sim holds) and in what the step gives the job (outputs, summary).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { callsTo, CONTEXT, ec2Calls, expectIssuedSecretsMasked, expectSuccess, ROLE_ARN, warningMessages, withHarness } from './harness.js'

const SHORT_SHA = CONTEXT.GITHUB_SHA.slice(0, 7)
const TAG = CONTEXT.GITHUB_REF_NAME

describe('bake with GitHub OIDC', () => {
  it.concurrent('sends CreateImage as asked, waits for available, and reports the image', () =>
    withHarness({ region: 'eu-central-1', volumes: 2, bake: { durationMs: 1500 } }, async h => {
      const main = await h.main({
        name: 'web {{ ref_name }} {{ short_sha }}',
        description: 'web {{ ref_name }} {{ short_sha }} from {{repository}} run {{ run_id }}',
        'no-reboot': 'true',
        'aws-region': 'eu-central-1',
        'role-session-name': 'release-42',
        'role-duration-seconds': '1800',
        tags: ['# release tags', 'Application=web', '', 'Version={{ ref_name }}', 'Commit = {{sha}}'].join('\n')
      })
      expectSuccess(main)

      const name = `web ${TAG} ${SHORT_SHA}`
      const description = `web ${TAG} ${SHORT_SHA} from octo-org/octo-repo run ${CONTEXT.GITHUB_RUN_ID}`
      const tags = { Application: 'web', Version: TAG, Commit: CONTEXT.GITHUB_SHA }
      const session = `arn:aws:sts::123456789012:assumed-role/bake-ami/release-42`

      // Credentials first: one token for the default audience, then the role with the inputs' session settings.
      expect(h.sim.calls.slice(0, 3).map(call => call.action)).toEqual(['token', 'AssumeRoleWithWebIdentity', 'CreateImage'])
      expect(callsTo(h.sim, 'token')).toEqual([
        expect.objectContaining({ service: 'oidc', status: 200, params: { 'api-version': '2.0', audience: 'sts.amazonaws.com' } })
      ])
      const [assume] = callsTo(h.sim, 'AssumeRoleWithWebIdentity')
      expect(callsTo(h.sim, 'AssumeRoleWithWebIdentity')).toHaveLength(1)
      expect(assume).toMatchObject({ service: 'sts', status: 200, principal: session })
      expect(assume.params).toEqual({
        Version: '2011-06-15',
        RoleArn: ROLE_ARN,
        RoleSessionName: 'release-42',
        DurationSeconds: '1800',
        WebIdentityToken: expect.any(String)
      })
      // The token the action presented is the one the OIDC endpoint issued.
      expect(h.sim.secrets()).toContain(assume.params.WebIdentityToken)

      // CreateImage exactly as it went over the wire, signed for the input's region by the role session.
      const [create] = callsTo(h.sim, 'CreateImage')
      expect(callsTo(h.sim, 'CreateImage')).toHaveLength(1)
      expect(create).toMatchObject({ service: 'ec2', region: 'eu-central-1', principal: session, status: 200 })
      expect(create.params).toEqual({
        Version: '2016-11-15',
        InstanceId: h.instanceId,
        Name: name,
        Description: description,
        NoReboot: 'true',
        'TagSpecification.1.ResourceType': 'image',
        'TagSpecification.1.Tag.1.Key': 'Application',
        'TagSpecification.1.Tag.1.Value': 'web',
        'TagSpecification.1.Tag.2.Key': 'Version',
        'TagSpecification.1.Tag.2.Value': TAG,
        'TagSpecification.1.Tag.3.Key': 'Commit',
        'TagSpecification.1.Tag.3.Value': CONTEXT.GITHUB_SHA,
        'TagSpecification.2.ResourceType': 'snapshot',
        'TagSpecification.2.Tag.1.Key': 'Application',
        'TagSpecification.2.Tag.1.Value': 'web',
        'TagSpecification.2.Tag.2.Key': 'Version',
        'TagSpecification.2.Tag.2.Value': TAG,
        'TagSpecification.2.Tag.3.Key': 'Commit',
        'TagSpecification.2.Tag.3.Value': CONTEXT.GITHUB_SHA
      })
      // Every EC2 call in that region, as that session, and nothing but the bake and its wait.
      expect(new Set(ec2Calls(h.sim).map(call => `${call.region} ${call.principal}`))).toEqual(new Set([`eu-central-1 ${session}`]))
      expect(ec2Calls(h.sim).slice(1).filter(call => call.action !== 'DescribeImages' && call.action !== 'DescribeSnapshots')).toEqual([])

      // EC2 holds one available image, tagged, and its two snapshots, tagged too.
      const images = h.sim.images()
      expect(images).toHaveLength(1)
      const [image] = images
      expect(image).toMatchObject({ region: 'eu-central-1', name, description, instanceId: h.instanceId, noReboot: true, state: 'available', tags })
      const snapshots = h.sim.snapshots()
      expect(snapshots.map(snapshot => snapshot.snapshotId)).toEqual(image.snapshotIds)
      expect(image.snapshotIds).toHaveLength(2)
      for (const snapshot of snapshots) expect(snapshot).toMatchObject({ imageId: image.imageId, tags, deleted: false, state: 'completed' })

      expect(main.outputs).toEqual({
        'image-id': image.imageId,
        'image-name': name,
        state: 'available',
        region: 'eu-central-1',
        'snapshot-ids': expect.any(String),
        images: JSON.stringify({ 'eu-central-1': image.imageId }),
        'removed-image-ids': '[]',
        'ssm-parameter-versions': '{}',
        'launch-template-versions': '{}'
      })
      expect(JSON.parse(main.outputs['snapshot-ids'])).toEqual(image.snapshotIds)

      for (const shown of [image.imageId, name, 'eu-central-1', 'available', ...image.snapshotIds, 'Application=web', `Version=${TAG}`, `Commit=${CONTEXT.GITHUB_SHA}`]) {
        expect(main.summary).toContain(shown)
      }
      expectIssuedSecretsMasked(h.sim, h.runs)
    })
  )

  it.concurrent('does not end the step before the image is available (wait: true)', () =>
    withHarness({ region: 'us-east-2', bake: { durationMs: 1500 } }, async h => {
      const main = await h.main({ wait: 'true' })
      expectSuccess(main)
      const [image] = h.sim.images()
      const availableAt = image.createdAt + 1500
      const looks = callsTo(h.sim, 'DescribeImages')
      expect(looks.length).toBeGreaterThan(0)
      // The step was still running, asking EC2, once the image was available (the sim's clock on both sides), and
      // that look is what it reported: it ended after the image became available, not before.
      expect(looks.at(-1)!.at).toBeGreaterThanOrEqual(availableAt)
      expect(looks.at(-1)!.status).toBe(200)
      expect(main.outputs.state).toBe('available')
      expect(image.state).toBe('available')
    })
  )

  it.concurrent('tags only the image with tag-snapshots: false; wait: false ends at CreateImage with state pending', () =>
    withHarness({ region: 'eu-west-1', bake: { durationMs: 1500, snapshotDelayMs: 200 } }, async h => {
      const main = await h.main({ tags: 'Application=web\nVersion={{ ref_name }}', 'tag-snapshots': 'false', wait: 'false' })
      expectSuccess(main)
      const [create] = callsTo(h.sim, 'CreateImage')
      expect(Object.entries(create.params).filter(([key]) => key.startsWith('TagSpecification'))).toEqual([
        ['TagSpecification.1.ResourceType', 'image'],
        ['TagSpecification.1.Tag.1.Key', 'Application'],
        ['TagSpecification.1.Tag.1.Value', 'web'],
        ['TagSpecification.1.Tag.2.Key', 'Version'],
        ['TagSpecification.1.Tag.2.Value', TAG]
      ])
      expect(ec2Calls(h.sim).map(call => call.action)).toEqual(['CreateImage'])
      const [image] = h.sim.images()
      expect(main.outputs).toMatchObject({ 'image-id': image.imageId, state: 'pending', region: 'eu-west-1' })
      expect(image.tags).toEqual({ Application: 'web', Version: TAG })

      await h.untilSimTime(image.createdAt + 200)
      const snapshots = h.sim.snapshots()
      expect(snapshots).toHaveLength(1)
      expect(snapshots[0].tags).toEqual({})
    })
  )

  it.concurrent('passes block-device-mappings to CreateImage as BlockDeviceMapping.N', () =>
    withHarness({ region: 'ap-southeast-2', volumes: 2, bake: { durationMs: 1500, snapshotDelayMs: 200 } }, async h => {
      const mappings = [
        { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true } },
        { DeviceName: '/dev/xvdb', NoDevice: '' },
        { DeviceName: '/dev/sdf', Ebs: { VolumeSize: 100, VolumeType: 'io2', Iops: 4000, DeleteOnTermination: false } }
      ]
      const main = await h.main({ 'block-device-mappings': JSON.stringify(mappings), wait: 'false' })
      expectSuccess(main)
      const [create] = callsTo(h.sim, 'CreateImage')
      expect(Object.fromEntries(Object.entries(create.params).filter(([key]) => key.startsWith('BlockDeviceMapping.')))).toEqual({
        'BlockDeviceMapping.1.DeviceName': '/dev/xvda',
        'BlockDeviceMapping.1.Ebs.VolumeSize': '20',
        'BlockDeviceMapping.1.Ebs.VolumeType': 'gp3',
        'BlockDeviceMapping.1.Ebs.DeleteOnTermination': 'true',
        'BlockDeviceMapping.2.DeviceName': '/dev/xvdb',
        'BlockDeviceMapping.2.NoDevice': '',
        'BlockDeviceMapping.3.DeviceName': '/dev/sdf',
        'BlockDeviceMapping.3.Ebs.VolumeSize': '100',
        'BlockDeviceMapping.3.Ebs.VolumeType': 'io2',
        'BlockDeviceMapping.3.Ebs.Iops': '4000',
        'BlockDeviceMapping.3.Ebs.DeleteOnTermination': 'false'
      })

      // EC2 made the image they describe: the root resized, /dev/xvdb left out, an empty io2 volume added.
      const [made] = h.sim.images()
      await h.untilSimTime(made.createdAt + 200)
      const [image] = h.sim.images()
      expect(image.blockDeviceMappings).toEqual([
        {
          DeviceName: '/dev/xvda',
          Ebs: expect.objectContaining({ VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true, SnapshotId: image.snapshotIds[0] })
        },
        { DeviceName: '/dev/sdf', Ebs: expect.objectContaining({ VolumeSize: 100, VolumeType: 'io2', Iops: 4000, DeleteOnTermination: false }) }
      ])
      expect(h.sim.snapshots()).toHaveLength(1)
    })
  )

  it.concurrent('a job summary that cannot be written is a warning: the step succeeds and the image stays', () =>
    withHarness({ bake: { durationMs: 0 } }, async h => {
      // A directory where the summary file should be: the runner's file cannot be appended to.
      const summary = mkdtempSync(join(tmpdir(), 'bake-ami-summary-'))
      const main = await h.main({}, { env: { GITHUB_STEP_SUMMARY: summary } })
      expectSuccess(main)
      expect(warningMessages(main)).toEqual([expect.stringContaining('Could not write the job summary')])
      expect(main.outputs).toMatchObject({ 'image-id': h.sim.images()[0].imageId, state: 'available' })
      expect(h.sim.images().map(image => image.state)).toEqual(['available'])
      expect(ec2Calls(h.sim).filter(call => call.action === 'DeregisterImage' || call.action === 'DeleteSnapshot')).toEqual([])
      expect((await h.post(main)).exitCode).toBe(0)
      expect(await h.leftovers()).toEqual({ images: [main.outputs['image-id']], snapshots: h.sim.images()[0].snapshotIds })
    })
  )
})
