/**
 * The story of a bake, with a fake EC2 and a virtual clock: what main asks of EC2, what it outputs and
 * saves for post, and how it undoes a bake that went wrong.
 */
import { jest } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Aws } from '../src/aws.js'
import type { Ec2, ImageRequest } from '../src/ec2/index.js'
import { run, type Deps } from '../src/run.js'
import type { StateStore } from '../src/state.js'
import type { ImageObservation, SnapshotObservation } from '../src/observations.js'
import { parseFileCommands } from '../scripts/action-runner.js'
import { refuseDistribution, noParameterStore, noKeyService } from './fakes/ec2.js'

const IMAGE = 'ami-0123456789abcdef0'
const SNAPSHOTS = ['snap-0aaaaaaaaaaaaaaaa', 'snap-0bbbbbbbbbbbbbbbb']

/** A fake EC2 whose image is pending for `pendingPolls` DescribeImages, then ends in `finalState`. */
const unexpected = (name: string) => async (): Promise<never> => {
  throw new Error(`unexpected call to ${name}`)
}

function fakeEc2(options: { pendingPolls?: number; finalState?: string; createError?: Error } = {}) {
  const calls: string[] = []
  const created: ImageRequest[] = []
  let polls = 0
  const ec2: Ec2 = {
    region: 'eu-west-1',
    principal: 'role arn:aws:iam::123456789012:role/bake-ami (session bake-ami)',
    async createImage(request) {
      calls.push('CreateImage')
      if (options.createError) throw options.createError
      created.push(request)
      return IMAGE
    },
    async checkCreateImage(request) {
      calls.push('CreateImage(DryRun)')
      created.push(request)
    },
    // Instance bakes only here: snapshot bakes are tested in make-image.test.ts and end to end.
    registerImage: unexpected('RegisterImage'),
    checkRegisterImage: unexpected('RegisterImage(DryRun)'),
    describeSourceSnapshot: unexpected('DescribeSnapshots (source)'),
    ...refuseDistribution(),
    async describeImage(): Promise<ImageObservation | undefined> {
      calls.push('DescribeImages')
      polls++
      const done = polls > (options.pendingPolls ?? 2)
      return {
        state: done ? (options.finalState ?? 'available') : 'pending',
        stateReason: done && options.finalState === 'failed' ? { code: 'Client.InternalError', message: 'snapshot failed' } : undefined,
        snapshotIds: SNAPSHOTS
      }
    },
    async describeSnapshots(ids): Promise<SnapshotObservation[]> {
      calls.push('DescribeSnapshots')
      return ids.map(snapshotId => ({ snapshotId, state: 'pending', progress: 50 }))
    },
    async findSnapshotsOf() {
      calls.push('FindSnapshots')
      return SNAPSHOTS
    },
    async describeOwnSnapshots(ids) {
      return ids.map(snapshotId => ({ snapshotId, description: `Created by CreateImage(i-0123456789abcdef0) for ${IMAGE} from vol-0abc`, tags: {} }))
    },
    async deregisterImage(imageId) {
      calls.push(`DeregisterImage ${imageId}`)
      return true
    },
    async deleteSnapshot(snapshotId) {
      calls.push(`DeleteSnapshot ${snapshotId}`)
      return true
    }
  }
  return { ec2, calls, created }
}

function virtualClock() {
  return {
    t: Date.UTC(2026, 10, 28, 8, 35, 42),
    now() {
      return this.t
    },
    async sleep(ms: number) {
      this.t += ms
    }
  }
}

function memoryState(): StateStore & { values: Record<string, string> } {
  const values: Record<string, string> = {}
  return { values, save: (key, value) => (values[key] = value), get: key => values[key] ?? '' }
}

let workdir: string
let stdout: string
const savedEnv = { ...process.env }

beforeEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
  workdir = mkdtempSync(join(tmpdir(), 'main-test-'))
  process.env.GITHUB_OUTPUT = join(workdir, 'output')
  process.env.GITHUB_STEP_SUMMARY = join(workdir, 'summary')
  writeFileSync(process.env.GITHUB_OUTPUT, '')
  writeFileSync(process.env.GITHUB_STEP_SUMMARY, '')
  setInputs({ 'instance-id': 'i-0123456789abcdef0', name: 'web {{ ref_name }}', 'aws-region': 'eu-west-1' })
  stdout = ''
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    stdout += String(chunk)
    return true
  })
  process.exitCode = undefined
})

afterEach(() => {
  jest.restoreAllMocks()
  process.env = { ...savedEnv }
  process.exitCode = undefined
})

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value
}

function deps(ec2: Ec2, state = memoryState(), signal = new AbortController().signal) {
  const connect = jest.fn(async (): Promise<Aws> => ({ ssm: noParameterStore, kms: noKeyService, ec2: () => ec2 }))
  const built: Deps = {
    clock: virtualClock(),
    signal,
    state,
    githubRun: () => ({ refName: 'v1.2.3', sha: '3f786850e387550fdab836ed7e6dc881de23001b' }),
    connect
  }
  return { deps: built, connect, state }
}

const outputs = () => parseFileCommands(readFileSync(process.env.GITHUB_OUTPUT!, 'utf8'))
const errors = () => stdout.split('\n').filter(line => line.startsWith('::error::'))
const warnings = () => stdout.split('\n').filter(line => line.startsWith('::warning::'))

describe('run', () => {
  it('creates the image, waits until available, and reports it', async () => {
    const fake = fakeEc2()
    const { deps: d, state } = deps(fake.ec2)
    await run(d)

    expect(errors()).toEqual([])
    expect(process.exitCode).toBeUndefined()
    expect(fake.created).toEqual([
      {
        instanceId: 'i-0123456789abcdef0',
        name: 'web v1.2.3',
        description: '',
        noReboot: false,
        tags: [],
        snapshotTags: [],
        blockDeviceMappings: [],
        snapshotLocation: undefined
      }
    ])
    expect(outputs()).toEqual({
      'image-id': IMAGE,
      'image-name': 'web v1.2.3',
      region: 'eu-west-1',
      images: JSON.stringify({ 'eu-west-1': IMAGE }),
      'removed-image-ids': '[]',
      'ssm-parameter-versions': '{}',
      'launch-template-versions': '{}',
      state: 'available',
      'snapshot-ids': JSON.stringify(SNAPSHOTS)
    })
    expect(fake.calls.filter(call => call.startsWith('Deregister'))).toEqual([])
    expect(state.values.finished).toBe('true')
    expect(JSON.parse(state.values.ledger)).toEqual([{ region: 'eu-west-1', imageId: IMAGE, madeBy: 'CreateImage', snapshotIds: SNAPSHOTS, state: 'available' }])
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')).toContain(IMAGE)
  })

  it('fails on a bad input before connecting to AWS', async () => {
    setInputs({ 'instance-id': 'i-123' })
    const fake = fakeEc2()
    const { deps: d, connect, state } = deps(fake.ec2)
    await run(d)

    expect(errors()).toEqual([
      "::error::Invalid value 'i-123' for input 'instance-id': expected 'i-' followed by 8 or 17 lowercase hex digits"
    ])
    expect(process.exitCode).toBe(1)
    expect(connect).not.toHaveBeenCalled()
    expect(state.values).toEqual({})
  })

  it('with wait false, ends at pending after CreateImage', async () => {
    setInputs({ wait: 'false' })
    const fake = fakeEc2()
    const { deps: d, state } = deps(fake.ec2)
    await run(d)

    expect(fake.calls).toEqual(['CreateImage'])
    expect(outputs().state).toBe('pending')
    expect(state.values.finished).toBe('true')
  })

  it('removes a failed image and its snapshots, and says why it failed', async () => {
    const fake = fakeEc2({ finalState: 'failed' })
    const { deps: d, state } = deps(fake.ec2)
    await run(d)

    expect(errors()).toHaveLength(1)
    expect(errors()[0]).toContain(`Image ${IMAGE} in eu-west-1 ended 'failed'`)
    expect(errors()[0]).toContain('Client.InternalError: snapshot failed')
    expect(outputs()['image-id']).toBe(IMAGE)
    expect(fake.calls.filter(call => /^(Deregister|Delete)/.test(call))).toEqual([
      `DeregisterImage ${IMAGE}`,
      `DeleteSnapshot ${SNAPSHOTS[0]}`,
      `DeleteSnapshot ${SNAPSHOTS[1]}`
    ])
    expect(JSON.parse(state.values.ledger)[0].removed).toBe(true)
    expect(state.values.finished).toBe('true')
  })

  it('keeps a failed image with cleanup-on-failure false and names what it left', async () => {
    setInputs({ 'cleanup-on-failure': 'false' })
    const fake = fakeEc2({ finalState: 'failed' })
    const { deps: d } = deps(fake.ec2)
    await run(d)

    expect(fake.calls.filter(call => /^(Deregister|Delete)/.test(call))).toEqual([])
    expect(warnings().join('\n')).toContain(`aws ec2 deregister-image --region eu-west-1 --image-id ${IMAGE}`)
    expect(warnings().join('\n')).toContain(`aws ec2 delete-snapshot --region eu-west-1 --snapshot-id ${SNAPSHOTS[1]}`)
  })

  it('times out naming the image and the timeout, then cleans up', async () => {
    setInputs({ 'wait-timeout': '90s' })
    const fake = fakeEc2({ pendingPolls: 1_000_000 })
    const { deps: d } = deps(fake.ec2)
    await run(d)

    expect(errors()[0]).toContain(`Image ${IMAGE} in eu-west-1 was still 'pending' when 'wait-timeout' (1m30s) ran out`)
    expect(fake.calls).toContain(`DeregisterImage ${IMAGE}`)
  })

  it('cleans up when the job is cancelled during the wait', async () => {
    const cancel = new AbortController()
    const fake = fakeEc2({ pendingPolls: 1_000_000 })
    const describe = fake.ec2.describeImage
    let polls = 0
    fake.ec2.describeImage = async imageId => {
      if (++polls === 3) cancel.abort()
      return describe(imageId)
    }
    const { deps: d } = deps(fake.ec2, memoryState(), cancel.signal)
    await run(d)

    expect(errors()[0]).toContain('cancelled')
    expect(fake.calls).toContain(`DeregisterImage ${IMAGE}`)
    expect(fake.calls).toContain(`DeleteSnapshot ${SNAPSHOTS[0]}`)
  })

  it('dry run asks EC2 and makes nothing', async () => {
    setInputs({ 'dry-run': 'true' })
    const fake = fakeEc2()
    const { deps: d, state } = deps(fake.ec2)
    await run(d)

    expect(fake.calls).toEqual(['CreateImage(DryRun)'])
    expect(errors()).toEqual([])
    expect(outputs()).toEqual({})
    expect(state.values.finished).toBe('true')
  })
})

describe('a failed image', () => {
  it.each([
    [{ code: 'Client.InternalError', message: 'Client.InternalError: Snapshot failed' }, 'Client.InternalError: Snapshot failed'],
    [{ code: 'Server.InternalError', message: 'An internal error has occurred' }, 'Server.InternalError: An internal error has occurred'],
    [{ code: 'Client.InternalError' }, 'Client.InternalError'],
    [undefined, 'EC2 gave no reason']
  ])('quotes its StateReason %j once', async (stateReason, quoted) => {
    const fake = fakeEc2({ finalState: 'failed' })
    const describe = fake.ec2.describeImage
    fake.ec2.describeImage = async imageId => {
      const image = await describe(imageId)
      return image && image.state === 'failed' ? { ...image, stateReason } : image
    }
    const { deps: d } = deps(fake.ec2)
    await run(d)
    expect(errors()).toHaveLength(1)
    expect(errors()[0]).toMatch(new RegExp(`ended 'failed' after [\\dhms]+: ${quoted.replace(/[.]/g, '\\.')}$`))
  })
})
