/**
 * Runs a step of the bundled action the way a GitHub runner does: `INPUT_*` variables with action.yml's
 * defaults, and GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY files read back afterwards; the post
 * step gets main's state as `STATE_*`. Used by `npm start` and by the end-to-end tests.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

export interface StepOptions {
  /** Inputs by their action.yml name; the others get action.yml's defaults. */
  readonly inputs?: Record<string, string>
  /** Extra environment (AWS endpoints, GITHUB_* context); the runner's own variables are not inherited. */
  readonly env?: Record<string, string>
  /** For the post step: main's state. */
  readonly state?: Record<string, string>
  /** Send a signal once the step has printed a line matching `when` (as the runner does on cancel). */
  readonly cancel?: { when: RegExp; signal?: NodeJS.Signals; thenAfterMs?: number }
  /** Call `then` once, when the step has printed a line matching `when`: a test acts on AWS at that point of the story. */
  readonly onOutput?: { when: RegExp; then: () => void }
  /** Show the step's log as it comes, as a runner shows it: masked, debug lines only with `debug`. */
  readonly echo?: boolean | { debug: boolean }
}

export interface StepResult {
  readonly exitCode: number | null
  readonly stdout: string
  readonly stderr: string
  readonly outputs: Record<string, string>
  readonly state: Record<string, string>
  readonly summary: string
  /** `::error::` lines, without the prefix. */
  readonly errors: string[]
}

export type Step = 'main' | 'post'

const ENTRIES: Record<Step, string> = { main: 'dist/index.js', post: 'dist/post/index.js' }

/** action.yml's input defaults, as the runner would pass them. */
export function actionDefaults(): Record<string, string> {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }
  return Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, String(input.default ?? '')]))
}

export async function runStep(step: Step, options: StepOptions = {}): Promise<StepResult> {
  const work = mkdtempSync(join(tmpdir(), 'bake-ami-step-'))
  const files = { GITHUB_OUTPUT: join(work, 'output'), GITHUB_STATE: join(work, 'state'), GITHUB_STEP_SUMMARY: join(work, 'summary') }
  for (const file of Object.values(files)) writeFileSync(file, '')

  const inputs = { ...actionDefaults(), ...options.inputs }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? work,
    RUNNER_TEMP: work,
    ...files,
    ...Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value])),
    ...Object.fromEntries(Object.entries(options.state ?? {}).map(([name, value]) => [`STATE_${name}`, value])),
    ...options.env
  }

  const child = spawn(process.execPath, [join(ROOT, ENTRIES[step])], { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let cancelled = false
  let reacted = false
  const show = options.echo ? runnerLog(typeof options.echo === 'object' && options.echo.debug) : undefined
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk
    show?.(String(chunk))
    if (options.onOutput && !reacted && options.onOutput.when.test(stdout)) {
      reacted = true
      options.onOutput.then()
    }
    const cancel = options.cancel
    if (cancel && !cancelled && cancel.when.test(stdout)) {
      cancelled = true
      child.kill(cancel.signal ?? 'SIGINT')
      // The runner follows SIGINT with SIGTERM about 7.5 s later.
      if (cancel.thenAfterMs !== undefined) setTimeout(() => child.kill('SIGTERM'), cancel.thenAfterMs).unref()
    }
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
    if (options.echo) process.stderr.write(chunk)
  })
  const exitCode = await new Promise<number | null>(resolve => child.on('close', code => resolve(code)))

  return {
    exitCode,
    stdout,
    stderr,
    outputs: parseFileCommands(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
    state: parseFileCommands(readFileSync(files.GITHUB_STATE, 'utf8')),
    summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'),
    errors: stdout.split(/\r?\n/).flatMap(line => (line.startsWith('::error::') ? [line.slice('::error::'.length)] : []))
  }
}

/**
 * Prints a step's stdout the way a runner's log shows it: `::add-mask::` values become `***` from then
 * on, `::debug::` lines appear only in debug mode, errors and warnings are labelled.
 */
function runnerLog(debug: boolean): (chunk: string) => void {
  const masks: string[] = []
  let pending = ''
  return chunk => {
    const lines = (pending + chunk).split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) {
      const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line)
      const [name, value] = command ? [command[1], command[2].replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%')] : ['', line]
      if (name === 'add-mask') {
        masks.push(value)
        continue
      }
      if (name === 'debug' && !debug) continue
      const label = { error: 'Error: ', warning: 'Warning: ', notice: 'Notice: ', debug: '##[debug]' }[name] ?? ''
      const text = masks.reduce((masked, secret) => (secret ? masked.split(secret).join('***') : masked), label + value)
      process.stdout.write(`${text}\n`)
    }
  }
}

/** Reads `name<<delimiter … delimiter` entries as @actions/core writes them; a later entry wins, as on a runner. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (!match) continue
    const [, name, delimiter] = match
    const end = lines.indexOf(delimiter, i + 1)
    values[name] = lines.slice(i + 1, end).join('\n')
    i = end
  }
  return values
}

/** The GITHUB_* variables of a tag push, as on a runner. */
export function tagPushContext(tag = 'v1.2.3'): Record<string, string> {
  return {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
    GITHUB_REF: `refs/tags/${tag}`,
    GITHUB_REF_NAME: tag,
    GITHUB_REF_TYPE: 'tag',
    GITHUB_SHA: '3f786850e387550fdab836ed7e6dc881de23001b',
    GITHUB_RUN_ID: '7300112233',
    GITHUB_RUN_NUMBER: '42',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_WORKFLOW: 'release',
    GITHUB_JOB: 'ami',
    GITHUB_ACTOR: 'octocat'
  }
}
