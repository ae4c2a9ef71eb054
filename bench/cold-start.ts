/**
 * How long the bundled action takes to fail on a missing input, against a bare `node -e 0`: what every user
 * pays before a bad input is reported. Runs alternate (action, bare, action, ...) so that whatever else the
 * machine is doing weighs on both sides alike.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { quantile } from './stats.js'

const RUNS = 21
/** The target of issue 9: the start-up bundle is @actions/core and our own code, nothing more. */
const TARGET_RATIO = 2.0

function timeOnce(args: string[], env: NodeJS.ProcessEnv): number {
  const started = performance.now()
  spawnSync(process.execPath, args, { env, stdio: 'ignore', timeout: 30_000 })
  return performance.now() - started
}

export function coldStartLine(bundle = 'dist/index.js'): string {
  if (!existsSync(bundle)) return `${bundle} not built (run npm run build)`
  // No INPUT_* variables: the action fails fast on its first required input.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_') && !k.startsWith('GITHUB_')))
  const action: number[] = []
  const bare: number[] = []
  for (let i = 0; i < RUNS; i++) {
    action.push(timeOnce([bundle], env))
    bare.push(timeOnce(['-e', '0'], env))
  }
  const a = quantile(action, 0.5)
  const b = quantile(bare, 0.5)
  const ratio = a / b
  const kib = statSync(bundle).size / 1024
  return (
    `${ratio <= TARGET_RATIO ? 'PASS' : 'FAIL'}  cold start, failing on a missing input (median of ${RUNS} interleaved runs) <= ${TARGET_RATIO.toFixed(1)}x node -e 0: ` +
    `node ${bundle} ${a.toFixed(0)} ms, node -e 0 ${b.toFixed(0)} ms, ratio ${ratio.toFixed(2)}x; ${bundle} ${kib.toFixed(0)} KiB`
  )
}
