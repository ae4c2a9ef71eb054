import * as core from '@actions/core'
import { CreateImageCommand, DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { fromWebToken } from '@aws-sdk/credential-providers'
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { startSim, type Sim } from '../../sim/index.js'
import { ec2Client, manualClock, useSimEnv, type ManualClock } from './helpers.js'

// The whole path the action takes: GitHub ID token -> AssumeRoleWithWebIdentity -> CreateImage -> poll,
// with the unmodified @actions/core and AWS SDK finding the sim through the environment alone.

const ROLE = 'arn:aws:iam::123456789012:role/bake-ami'

describe('a bake through the real clients', () => {
  let clock: ManualClock
  let sim: Sim
  let restoreEnv: () => void
  let ec2: EC2Client | undefined
  let stdout: string[]

  beforeEach(async () => {
    // The test sets each moment it looks at, so no look can come late on a stalled machine.
    clock = manualClock()
    sim = await startSim({ clock: clock.now, bake: { durationMs: 1000, snapshotDelayMs: 200 } })
    restoreEnv = useSimEnv(sim)
    stdout = []
    // getIDToken writes ::debug:: and ::add-mask:: workflow commands to stdout; keep them out of the test output.
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk))
      return true
    })
  })

  afterEach(async () => {
    jest.restoreAllMocks()
    ec2?.destroy()
    restoreEnv()
    await sim.close()
  })

  async function assumedClient(): Promise<EC2Client> {
    const token = await core.getIDToken('sts.amazonaws.com')
    return ec2Client(fromWebToken({ roleArn: ROLE, roleSessionName: 'bake', webIdentityToken: token }))
  }

  it('issues a GitHub-shaped ID token to the right bearer, and getIDToken masks it', async () => {
    const token = await core.getIDToken('sts.amazonaws.com')
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))
    expect(claims).toMatchObject({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'sts.amazonaws.com',
      sub: 'repo:octo-org/octo-repo:ref:refs/tags/v1.2.3',
      repository: 'octo-org/octo-repo',
      ref: 'refs/tags/v1.2.3'
    })
    expect(claims.iat).toBe(Math.floor(clock.now() / 1000))
    expect(claims.exp - claims.iat).toBe(300)
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'))).toMatchObject({ alg: 'RS256', typ: 'JWT' })
    expect(stdout.join('')).toContain(`::add-mask::${token}`)
    expect(sim.calls).toEqual([expect.objectContaining({ service: 'oidc', action: 'token', status: 200, params: expect.objectContaining({ audience: 'sts.amazonaws.com' }) })])
  })

  it('takes an image from pending to available, with snapshots appearing late and progressing', async () => {
    ec2 = await assumedClient()
    const instanceId = sim.addInstance({ volumes: 2 })
    const createdAt = clock.now()
    const { ImageId } = await ec2.send(
      new CreateImageCommand({
        InstanceId: instanceId,
        Name: 'app v1.2.3',
        Description: 'release build',
        TagSpecifications: [
          { ResourceType: 'image', Tags: [{ Key: 'release', Value: 'v1.2.3' }] },
          { ResourceType: 'snapshot', Tags: [{ Key: 'release', Value: 'v1.2.3' }] }
        ]
      })
    )
    expect(ImageId).toMatch(/^ami-[0-9a-f]{17}$/)

    const look = async () => {
      const [{ Images }, { Snapshots }] = await Promise.all([
        ec2!.send(new DescribeImagesCommand({ ImageIds: [ImageId!] })),
        ec2!.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: [{ Name: 'tag:release', Values: ['v1.2.3'] }] }))
      ])
      return { image: Images![0], snapshots: Snapshots!, progress: Snapshots!.map((s) => [s.State, s.Progress]) }
    }

    // Pending, with no snapshots (and none in the mappings) until the very last ms before snapshotDelayMs.
    for (const step of [0, 199]) {
      clock.advance(step)
      const early = await look()
      expect([early.image.State, early.image.BlockDeviceMappings, early.snapshots]).toEqual(['pending', [], []])
    }

    // Then both snapshots at once, at 0 %, listed in the image's mappings, progressing linearly to 99 %.
    clock.advance(1)
    const started = await look()
    expect(started.image.State).toBe('pending')
    expect(started.progress).toEqual([
      ['pending', '0%'],
      ['pending', '0%']
    ])
    expect(started.image.BlockDeviceMappings?.map((m) => m.Ebs?.SnapshotId)).toEqual(started.snapshots.map((s) => s.SnapshotId))
    expect(started.snapshots.map((s) => s.StartTime?.getTime())).toEqual([createdAt + 200, createdAt + 200])
    clock.advance(400)
    expect(await look()).toMatchObject({ image: { State: 'pending' }, progress: [['pending', '50%'], ['pending', '50%']] })
    clock.advance(399)
    expect(await look()).toMatchObject({ image: { State: 'pending' }, progress: [['pending', '99%'], ['pending', '99%']] })

    // Available, its snapshots completed, at durationMs exactly.
    clock.advance(1)
    const last = await look()
    expect(last.image).toMatchObject({
      ImageId,
      Name: 'app v1.2.3',
      Description: 'release build',
      State: 'available',
      OwnerId: '123456789012',
      SourceInstanceId: instanceId,
      RootDeviceName: '/dev/xvda',
      RootDeviceType: 'ebs',
      Tags: [{ Key: 'release', Value: 'v1.2.3' }]
    })
    expect(last.image.CreationDate).toBe(new Date(createdAt).toISOString())
    expect(last.snapshots.map((s) => [s.State, s.Progress])).toEqual([
      ['completed', '100%'],
      ['completed', '100%']
    ])
    const snapshotIds = last.snapshots.map((s) => s.SnapshotId)
    expect(last.image.BlockDeviceMappings?.map((m) => [m.DeviceName, m.Ebs?.SnapshotId, m.Ebs?.VolumeSize, m.Ebs?.VolumeType])).toEqual([
      ['/dev/xvda', snapshotIds[0], 8, 'gp3'],
      ['/dev/xvdb', snapshotIds[1], 8, 'gp3']
    ])
    expect(last.snapshots[0].Description).toBe(`Created by CreateImage(${instanceId}) for ${ImageId} from ${last.snapshots[0].VolumeId}`)

    expect(sim.images()).toEqual([
      expect.objectContaining({ imageId: ImageId, state: 'available', snapshotIds, noReboot: false, tags: { release: 'v1.2.3' } })
    ])
  })

  it('reaches STS through AWS_ENDPOINT_URL_STS and EC2 as the assumed role, and lists every secret it issued', async () => {
    ec2 = await assumedClient()
    const instanceId = sim.addInstance()
    await ec2.send(new CreateImageCommand({ InstanceId: instanceId, Name: 'secrets-check' }))
    const credentials = await ec2.config.credentials()

    const session = 'arn:aws:sts::123456789012:assumed-role/bake-ami/bake'
    expect(sim.calls.map((c) => [c.service, c.action, c.status, c.principal])).toEqual([
      ['oidc', 'token', 200, undefined],
      ['sts', 'AssumeRoleWithWebIdentity', 200, session],
      ['ec2', 'CreateImage', 200, session]
    ])
    expect(sim.calls[2].region).toBe('us-east-1')
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/)
    const token = sim.calls[1].params.WebIdentityToken
    expect(sim.secrets()).toEqual(
      expect.arrayContaining([
        sim.staticKeys.secretAccessKey,
        sim.env().ACTIONS_ID_TOKEN_REQUEST_TOKEN,
        token,
        credentials.secretAccessKey,
        credentials.sessionToken
      ])
    )
    expect(sim.secrets()).not.toContain(credentials.accessKeyId)
  })
})
