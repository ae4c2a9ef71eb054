/**
 * Jest starts first the files that took longest last time. A fresh clone, and so every CI run, has no last time:
 * jest then goes by file size, and a small file that waits out a minute of timelines may start last and add that
 * minute to the run. A test file that is slow by design says `@slow` in its first comment; those start first.
 */
import { readFileSync } from 'node:fs'
import Sequencer from '@jest/test-sequencer'

const SLOW = /^\s*\*\s*@slow\b/m

export default class SlowFirst extends Sequencer {
  /** @param {Parameters<Sequencer['sort']>[0]} tests */
  async sort(tests) {
    const sorted = await super.sort(tests)
    const slow = sorted.filter(test => SLOW.test(firstComment(test.path)))
    return [...slow, ...sorted.filter(test => !slow.includes(test))]
  }
}

/** @param {string} path */
function firstComment(path) {
  return /^\s*\/\*\*[\s\S]*?\*\//.exec(readFileSync(path, 'utf8'))?.[0] ?? ''
}
