import { describe, expect, it } from '@jest/globals'
import { currentRun, runValues } from '../src/github-run.js'

const RUNNER = {
  GITHUB_SHA: '3f786850e387550fdab836ed7e6dc881de23001b',
  GITHUB_REF_NAME: 'v1.2.3',
  GITHUB_RUN_ID: '7300112233',
  GITHUB_RUN_NUMBER: '42',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_REPOSITORY: 'octo-org/octo-repo'
}

describe('currentRun', () => {
  it("reads the runner's variables", () => {
    expect(currentRun(RUNNER)).toStrictEqual({
      sha: '3f786850e387550fdab836ed7e6dc881de23001b',
      refName: 'v1.2.3',
      runId: '7300112233',
      runNumber: '42',
      runAttempt: '2',
      repository: 'octo-org/octo-repo'
    })
  })

  it('reads process.env by default', () => {
    const saved = { ...process.env }
    Object.assign(process.env, RUNNER)
    try {
      expect(currentRun()).toStrictEqual(currentRun(RUNNER))
    } finally {
      process.env = saved
    }
  })

  it('leaves out what the environment does not say', () => {
    expect(Object.values(currentRun({})).every(value => value === undefined)).toBe(true)
  })

  it.each(['', 'abc', '12a', '-1', '1.5'])("leaves out a counter that is not a whole number ('%s')", value => {
    const run = currentRun({ ...RUNNER, GITHUB_RUN_ID: value, GITHUB_RUN_NUMBER: value, GITHUB_RUN_ATTEMPT: value })
    expect([run.runId, run.runNumber, run.runAttempt]).toStrictEqual([undefined, undefined, undefined])
  })
})

describe('runValues', () => {
  it('gives each placeholder its value, the short sha 7 characters', () => {
    expect(runValues({ sha: '3f786850e387550fdab836ed7e6dc881de23001b', refName: 'main', runId: '1', runNumber: '2', runAttempt: '3', repository: 'o/r' })).toStrictEqual({
      sha: '3f786850e387550fdab836ed7e6dc881de23001b',
      short_sha: '3f78685',
      ref_name: 'main',
      run_id: '1',
      run_number: '2',
      run_attempt: '3',
      repository: 'o/r'
    })
  })

  it('has no values for a run that knows nothing', () => {
    expect(Object.values(runValues({})).every(value => value === undefined)).toBe(true)
  })
})
