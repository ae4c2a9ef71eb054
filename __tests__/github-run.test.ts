import { describe, expect, it } from '@jest/globals'

// @actions/github reads the runner's variables once, when it is first imported.
Object.assign(process.env, {
  GITHUB_SHA: '3f786850e387550fdab836ed7e6dc881de23001b',
  GITHUB_REF_NAME: 'v1.2.3',
  GITHUB_RUN_ID: '7300112233',
  GITHUB_RUN_NUMBER: '42',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_REPOSITORY: 'octo-org/octo-repo'
})
const { currentRun, runValues } = await import('../src/github-run.js')

describe('currentRun', () => {
  it("reads the runner's variables", () => {
    expect(currentRun()).toStrictEqual({
      sha: '3f786850e387550fdab836ed7e6dc881de23001b',
      refName: 'v1.2.3',
      runId: '7300112233',
      runNumber: '42',
      runAttempt: '2',
      repository: 'octo-org/octo-repo'
    })
  })

  it('leaves out what the environment does not say', () => {
    expect(currentRun({}).refName).toBeUndefined()
    expect(currentRun({}).repository).toBeUndefined()
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
