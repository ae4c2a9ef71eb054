import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { announceImage, announceRegions, reportImages, type BakedImage } from '../src/report.js'

const IMAGE: BakedImage = {
  region: 'eu-west-1',
  imageId: 'ami-0fedcba9876543210',
  name: 'web-main-42',
  state: 'available',
  snapshotIds: ['snap-0aaa', 'snap-0bbb'],
  tags: [
    { key: 'Team', value: 'images' },
    { key: 'Env', value: 'prod' }
  ],
  availableAfterMs: 600_000
}

let dir: string
let outputFile: string
// core.summary keeps the first GITHUB_STEP_SUMMARY path it sees, so every test shares one file.
let summaryFile: string
let stdout: string[]
const saved = { output: process.env.GITHUB_OUTPUT, summary: process.env.GITHUB_STEP_SUMMARY }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bake-ami-report-'))
  outputFile = join(dir, 'output')
  summaryFile = join(dir, 'summary')
})

beforeEach(() => {
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  process.env.GITHUB_OUTPUT = outputFile
  process.env.GITHUB_STEP_SUMMARY = summaryFile
  stdout = []
  jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
    stdout.push(String(chunk))
    return true
  })
})

afterEach(() => {
  jest.restoreAllMocks()
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  for (const [key, value] of [
    ['GITHUB_OUTPUT', saved.output],
    ['GITHUB_STEP_SUMMARY', saved.summary]
  ] as const) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
})

/** The GITHUB_OUTPUT file as name -> value, in the order written (`name<<delimiter ... delimiter`). */
function outputs(): [string, string][] {
  const text = readFileSync(outputFile, 'utf8')
  const entries: [string, string][] = []
  const pattern = /^([\w-]+)<<(ghadelimiter_[\w-]+)\n([\s\S]*?)\n\2\n/gm
  for (const match of text.matchAll(pattern)) entries.push([match[1], match[3]])
  return entries
}

describe('announceImage', () => {
  it('sets the image id, name and region outputs at once, and logs the image', () => {
    announceImage('eu-west-1', 'ami-0fedcba9876543210', 'web-main-42')
    expect(outputs()).toStrictEqual([
      ['image-id', 'ami-0fedcba9876543210'],
      ['image-name', 'web-main-42'],
      ['region', 'eu-west-1'],
      ['images', '{"eu-west-1":"ami-0fedcba9876543210"}']
    ])
    expect(stdout.join('')).toBe('Created image ami-0fedcba9876543210 (web-main-42) in eu-west-1\n')
  })

  it('says when the image is reused rather than created', () => {
    announceImage('eu-west-1', 'ami-0fedcba9876543210', 'web-main-42', true)
    expect(stdout.join('')).toBe('Reusing image ami-0fedcba9876543210 (web-main-42) in eu-west-1\n')
  })
})

describe('announceRegions', () => {
  it('sets images to every region and its image id', () => {
    announceRegions([
      { region: 'eu-west-1', imageId: 'ami-0source' },
      { region: 'us-east-1', imageId: 'ami-0copy' }
    ])
    expect(outputs()).toStrictEqual([['images', '{"eu-west-1":"ami-0source","us-east-1":"ami-0copy"}']])
  })
})

describe('reportImages', () => {
  it('sets the state and snapshot ids outputs', async () => {
    await reportImages([IMAGE])
    expect(outputs()).toStrictEqual([
      ['state', 'available'],
      ['snapshot-ids', '["snap-0aaa","snap-0bbb"]'],
      ['images', '{"eu-west-1":"ami-0fedcba9876543210"}'],
      ['removed-image-ids', '[]'],
      ['ssm-parameter-versions', '{}'],
      ['launch-template-versions', '{}']
    ])
  })

  it('writes one summary row per region: image, state, time to available, snapshots, tags, shares, deprecation', async () => {
    await reportImages([IMAGE, { ...IMAGE, region: 'us-east-1', imageId: 'ami-0copy', snapshotIds: ['snap-0ccc'], availableAfterMs: 754_000, sharedWith: '2 accounts', deprecateAt: '2027-06-01T00:00:00.000Z' }])
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).toContain('<h2>bake-ami</h2>')
    expect(summary).toContain(
      '<tr><th>Region</th><th>Image</th><th>Name</th><th>State</th><th>Time to available</th><th>Snapshots</th><th>Tags</th><th>Shared with</th><th>Deprecation</th></tr>'
    )
    expect(summary).toContain(
      '<tr><td>eu-west-1</td><td>ami-0fedcba9876543210</td><td>web-main-42</td><td>available</td><td>10m00s</td>' +
        '<td>snap-0aaa, snap-0bbb</td><td>Team=images, Env=prod</td><td>nobody</td><td>none</td></tr>'
    )
    expect(summary).toContain(
      '<tr><td>us-east-1</td><td>ami-0copy</td><td>web-main-42</td><td>available</td><td>12m34s</td>' +
        '<td>snap-0ccc</td><td>Team=images, Env=prod</td><td>2 accounts</td><td>2027-06-01T00:00:00.000Z</td></tr>'
    )
    expect(outputs()).toContainEqual(['images', '{"eu-west-1":"ami-0fedcba9876543210","us-east-1":"ami-0copy"}'])
  })

  it('says none for no snapshots or tags, and says when the action did not wait', async () => {
    await reportImages([{ ...IMAGE, state: 'pending', snapshotIds: [], tags: [], availableAfterMs: undefined }])
    expect(outputs()).toContainEqual(['state', 'pending'])
    expect(outputs()).toContainEqual(['snapshot-ids', '[]'])
    expect(readFileSync(summaryFile, 'utf8')).toContain(
      '<tr><td>eu-west-1</td><td>ami-0fedcba9876543210</td><td>web-main-42</td><td>pending</td><td>not waited for</td><td>none</td><td>none</td><td>nobody</td><td>none</td></tr>'
    )
  })

  it('lists what retention removed and kept, and outputs the removed ids', async () => {
    await reportImages([IMAGE], {
      removed: [{ region: 'eu-west-1', imageId: 'ami-0old', name: 'web-main-40', creationDate: '2026-11-01T10:00:00.000Z', snapshotIds: ['snap-0old'] }],
      kept: [{ region: 'eu-west-1', imageId: 'ami-0used', name: 'web-main-39', reason: 'an instance was launched from it', references: [] }],
      problems: []
    })
    expect(outputs()).toContainEqual(['removed-image-ids', '["ami-0old"]'])
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).toContain('<h3>Retention</h3>')
    expect(summary).toContain('<li>Removed ami-0old (web-main-40, created 2026-11-01T10:00:00.000Z) in eu-west-1 with snap-0old</li>')
    expect(summary).toContain('<li>Kept ami-0used (web-main-39) in eu-west-1: an instance was launched from it</li>')
  })

  it('still sets the outputs, and does not throw, without a summary file', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await expect(reportImages([IMAGE])).resolves.toBeUndefined()
    expect(outputs()).toStrictEqual([
      ['state', 'available'],
      ['snapshot-ids', '["snap-0aaa","snap-0bbb"]'],
      ['images', '{"eu-west-1":"ami-0fedcba9876543210"}'],
      ['removed-image-ids', '[]'],
      ['ssm-parameter-versions', '{}'],
      ['launch-template-versions', '{}']
    ])
    expect(readFileSync(summaryFile, 'utf8')).toBe('')
  })

  it('warns, sets the outputs and does not throw when the summary cannot be written', async () => {
    // A directory where the file should be: appending to it fails, even as root.
    rmSync(summaryFile)
    mkdirSync(summaryFile)
    try {
      await expect(reportImages([IMAGE])).resolves.toBeUndefined()
    } finally {
      rmSync(summaryFile, { recursive: true })
      writeFileSync(summaryFile, '')
    }
    expect(outputs()).toStrictEqual([
      ['state', 'available'],
      ['snapshot-ids', '["snap-0aaa","snap-0bbb"]'],
      ['images', '{"eu-west-1":"ami-0fedcba9876543210"}'],
      ['removed-image-ids', '[]'],
      ['ssm-parameter-versions', '{}'],
      ['launch-template-versions', '{}']
    ])
    const warnings = stdout.join('').split('\n').filter(line => line.startsWith('::warning::'))
    expect(warnings).toEqual([expect.stringMatching(/^::warning::Could not write the job summary: .*EISDIR.*The image and the outputs are not affected\.$/)])
  })
})

describe('summary escaping', () => {
  it('escapes HTML in cells, since tag values may hold any character', async () => {
    await reportImages([
      { region: 'eu-west-1', imageId: 'ami-0escape', name: 'web', state: 'available', snapshotIds: [], tags: [{ key: 'Owner', value: '<team@acme> & co' }] }
    ])
    const summary = readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')
    expect(summary).toContain('<td>Owner=&#60;team@acme&#62; &#38; co</td>')
    expect(summary).not.toContain('<team@acme>')
  })
})
