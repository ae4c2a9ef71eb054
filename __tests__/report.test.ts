import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { announceImage, reportImages, type BakedImage } from '../src/report.js'

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
  elapsedMs: 754_000,
  waitedMs: 600_000
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
      ['region', 'eu-west-1']
    ])
    expect(stdout.join('')).toBe('Created image ami-0fedcba9876543210 (web-main-42) in eu-west-1\n')
  })
})

describe('reportImages', () => {
  it('sets the state and snapshot ids outputs', async () => {
    await reportImages([IMAGE])
    expect(outputs()).toStrictEqual([
      ['state', 'available'],
      ['snapshot-ids', '["snap-0aaa","snap-0bbb"]']
    ])
  })

  it('writes a summary table with the image, tags, state, snapshots and times', async () => {
    await reportImages([IMAGE])
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).toContain('<h2>bake-ami</h2>')
    expect(summary).toContain(
      '<tr><th>Image</th><th>Name</th><th>Region</th><th>State</th><th>Snapshots</th><th>Tags</th><th>Elapsed</th></tr>'
    )
    expect(summary).toContain(
      '<tr><td>ami-0fedcba9876543210</td><td>web-main-42</td><td>eu-west-1</td><td>available</td>' +
        '<td>snap-0aaa, snap-0bbb</td><td>Team=images, Env=prod</td><td>12m34s (waited 10m00s)</td></tr>'
    )
  })

  it('says none for no snapshots or tags, and leaves out the wait when the action did not wait', async () => {
    await reportImages([{ ...IMAGE, state: 'pending', snapshotIds: [], tags: [], elapsedMs: 6_000, waitedMs: undefined }])
    expect(outputs()).toStrictEqual([
      ['state', 'pending'],
      ['snapshot-ids', '[]']
    ])
    expect(readFileSync(summaryFile, 'utf8')).toContain(
      '<tr><td>ami-0fedcba9876543210</td><td>web-main-42</td><td>eu-west-1</td><td>pending</td><td>none</td><td>none</td><td>6s</td></tr>'
    )
  })

  it('lists every image in the summary and takes the outputs from the first', async () => {
    await reportImages([IMAGE, { ...IMAGE, region: 'us-east-1', imageId: 'ami-0123456789abcdef0', state: 'pending' }])
    expect(outputs()).toStrictEqual([
      ['state', 'available'],
      ['snapshot-ids', '["snap-0aaa","snap-0bbb"]']
    ])
    const summary = readFileSync(summaryFile, 'utf8')
    expect(summary).toContain('<td>ami-0fedcba9876543210</td><td>web-main-42</td><td>eu-west-1</td><td>available</td>')
    expect(summary).toContain('<td>ami-0123456789abcdef0</td><td>web-main-42</td><td>us-east-1</td><td>pending</td>')
  })

  it('still sets the outputs, and does not throw, without a summary file', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await expect(reportImages([IMAGE])).resolves.toBeUndefined()
    expect(outputs()).toStrictEqual([
      ['state', 'available'],
      ['snapshot-ids', '["snap-0aaa","snap-0bbb"]']
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
      ['snapshot-ids', '["snap-0aaa","snap-0bbb"]']
    ])
    const warnings = stdout.join('').split('\n').filter(line => line.startsWith('::warning::'))
    expect(warnings).toEqual([expect.stringMatching(/^::warning::Could not write the job summary: .*EISDIR.*The image and the outputs are not affected\.$/)])
  })
})

describe('summary escaping', () => {
  it('escapes HTML in cells, since tag values may hold any character', async () => {
    await reportImages([
      { region: 'eu-west-1', imageId: 'ami-0escape', name: 'web', state: 'available', snapshotIds: [], tags: [{ key: 'Owner', value: '<team@acme> & co' }], elapsedMs: 1000 }
    ])
    const summary = readFileSync(process.env.GITHUB_STEP_SUMMARY!, 'utf8')
    expect(summary).toContain('<td>Owner=&#60;team@acme&#62; &#38; co</td>')
    expect(summary).not.toContain('<team@acme>')
  })
})
