/**
 * The end-to-end harness: a fresh sim per test, the bundled action run as a runner runs it (scripts/action-runner),
 * and the checks every test shares: no secret in any output, a failure reported once and clearly, and nothing of a
 * failed run left in EC2.
 *
 * Tests run concurrently within a file (each bake spends seconds waiting on the sim's clock), so each one owns its
 * sim through `withHarness`, which closes it and checks for leaked secrets; jest does not run *Each hooks around
 * concurrent tests.
 */
import { expect } from '@jest/globals'
import { runStep, tagPushContext, type StepOptions, type StepResult } from '../../scripts/action-runner.js'
import { startSim, type BakeScript, type Sim, type SimCall, type SimOptions } from '../../sim/index.js'

export const ACCOUNT_ID = '123456789012'
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/bake-ami`
/** The GITHUB_* variables of the tag push every run gets. */
export const CONTEXT = tagPushContext()
/** The sim's default token subject for that push. */
export const TOKEN_SUB = 'repo:octo-org/octo-repo:ref:refs/tags/v1.2.3'

export type StepName = 'main' | 'post'

export interface StepRun extends StepResult {
  readonly step: StepName
}

export interface HarnessOptions extends SimOptions {
  /** Region of the instance to image. Default us-east-1. */
  readonly region?: string
  /** Volumes of that instance. Default 1. */
  readonly volumes?: number
  /**
   * Stops the sim's clock `atMs` after the start until the sim has been sent `action`: a bake still pending then stays
   * pending until the step has made that call, however slowly this machine runs it. Until then the sim's clock is
   * behind `simNow()`, which is its lower bound again from that call on.
   */
  readonly holdClockUntil?: { readonly action: string; readonly atMs: number }
}

export interface RunOptions {
  /** 'role' (default): role-to-assume and GitHub OIDC. 'default-chain': static keys in AWS_* variables. */
  readonly credentials?: 'role' | 'default-chain'
  /** Extra environment, after the sim's. */
  readonly env?: Record<string, string>
  /** Variables to take away from the environment (e.g. ACTIONS_ID_TOKEN_REQUEST_URL). */
  readonly unset?: readonly string[]
  readonly cancel?: StepOptions['cancel']
  readonly onOutput?: StepOptions['onOutput']
}

const DEFAULT_DURATION_MS = 1000

/** One sim, one instance in it, and every step run against it. */
export class Harness {
  readonly runs: StepRun[] = []
  private readonly scripts: BakeScript[]
  private closed = false

  private constructor(
    readonly sim: Sim,
    /** Date.now() once the sim was up: the sim's clock started no later. */
    private readonly epoch: number,
    readonly instanceId: string,
    readonly region: string,
    defaultScript: BakeScript
  ) {
    this.scripts = [defaultScript]
  }

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const { region = 'us-east-1', volumes = 1, holdClockUntil, ...simOptions } = options
    // The clock is made before the sim it asks about.
    const made: { sim?: Sim } = {}
    const clock = holdClockUntil && heldClock(holdClockUntil.action, Date.now() + holdClockUntil.atMs, () => made.sim)
    const sim = await startSim(clock ? { ...simOptions, clock } : simOptions)
    made.sim = sim
    const epoch = Date.now()
    return new Harness(sim, epoch, sim.addInstance({ region, volumes }), region, simOptions.bake ?? {})
  }

  /** A lower bound of the sim's clock (ms since it started). */
  simNow(): number {
    return Date.now() - this.epoch
  }

  /** Sleeps until the sim's clock has certainly passed `ms`. */
  async untilSimTime(ms: number): Promise<void> {
    const wait = ms - this.simNow()
    if (wait > 0) await new Promise(resolve => setTimeout(resolve, wait + 5))
  }

  /** A timeline for the next CreateImage only (see sim.nextBake), remembered for `leftovers`. */
  nextBake(script: BakeScript): void {
    this.scripts.push(script)
    this.sim.nextBake(script)
  }

  /** The environment of a step: the tag push, the sim's endpoints, and the credentials asked for. */
  env(options: RunOptions = {}): Record<string, string> {
    const env: Record<string, string> = {
      // The test run's V8 code cache (npm test sets one on Node 24): each step loads megabytes of bundled SDK, and
      // a hundred steps compiling it afresh is CPU that the other tests' steps wait for.
      ...(process.env.NODE_COMPILE_CACHE ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } : {}),
      ...CONTEXT,
      ...this.sim.env(),
      ...(options.credentials === 'default-chain'
        ? { AWS_ACCESS_KEY_ID: this.sim.staticKeys.accessKeyId, AWS_SECRET_ACCESS_KEY: this.sim.staticKeys.secretAccessKey }
        : {}),
      ...options.env
    }
    for (const name of options.unset ?? []) delete env[name]
    return env
  }

  /**
   * Runs the main step with these inputs on top of a minimal bake of this harness's instance (role, region, a
   * name); an input given as '' falls back to action.yml's default, as on a runner.
   */
  async main(inputs: Record<string, string> = {}, options: RunOptions = {}): Promise<StepRun> {
    const base: Record<string, string> = {
      'instance-id': this.instanceId,
      name: 'web {{ ref_name }}',
      'aws-region': this.region,
      'role-to-assume': options.credentials === 'default-chain' ? '' : ROLE_ARN
    }
    return this.run('main', { inputs: { ...base, ...inputs }, env: this.env(options), cancel: options.cancel, onOutput: options.onOutput })
  }

  /** Runs the post step with main's state, as the runner does after main ends (post-if: always()). */
  async post(main: StepRun, options: RunOptions = {}): Promise<StepRun> {
    return this.run('post', { state: main.state, env: this.env(options) })
  }

  private async run(step: StepName, options: StepOptions): Promise<StepRun> {
    const result = await runStep(step, options)
    const run: StepRun = { ...result, step }
    this.runs.push(run)
    return run
  }

  /**
   * What is left in EC2 of the images given (default: all): images not deregistered and snapshots not deleted,
   * looked at once every snapshot those bakes will ever make exists.
   */
  async leftovers(imageIds?: readonly string[]): Promise<{ images: string[]; snapshots: string[] }> {
    const mine = (id: string): boolean => imageIds === undefined || imageIds.includes(id)
    const latest = Math.max(0, ...this.sim.images().map(image => image.createdAt))
    // Snapshots held back (snapshotDelayMs: Infinity) come only when the test starts them.
    await this.untilSimTime(latest + Math.max(0, ...this.scripts.map(snapshotDelay).filter(Number.isFinite)))
    return {
      images: this.sim.images().filter(image => mine(image.imageId) && image.state !== 'deregistered').map(image => image.imageId),
      // A user's own snapshot (no imageId) is never a leftover: it was there before the run.
      snapshots: this.sim.snapshots().filter(snapshot => snapshot.imageId !== undefined && mine(snapshot.imageId) && !snapshot.deleted).map(snapshot => snapshot.snapshotId)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.sim.close()
  }
}

function snapshotDelay(script: BakeScript): number {
  return script.snapshotDelayMs ?? (script.durationMs ?? DEFAULT_DURATION_MS) / 10
}

/** Real time, but no later than `heldAt` until the sim has been sent `action`. */
function heldClock(action: string, heldAt: number, sim: () => Sim | undefined): () => number {
  return () => (sim()?.calls.some(call => call.action === action) ? Date.now() : Math.min(Date.now(), heldAt))
}

/**
 * Runs a test against its own sim; afterwards no secret the sim issued may appear in anything any step printed or
 * wrote. Closes the sim whatever happens.
 */
export async function withHarness(options: HarnessOptions, test: (harness: Harness) => Promise<void>): Promise<void> {
  const harness = await Harness.start(options)
  try {
    await test(harness)
    expectNoSecretLeak(harness.sim, harness.runs)
  } finally {
    await harness.close()
  }
}

// ---- Secrets ----

/**
 * Where a secret shows up in what the steps produced. A line `::add-mask::<value>` at the start of a stdout line
 * is the one place a secret may be: it is how `core.setSecret` registers it, and the runner swallows the line.
 * Anywhere else (a log or debug line, stderr, an output, state, the summary) it is a leak, masked on a runner or
 * not: the action must never print one.
 */
export function secretLeaks(secrets: readonly string[], runs: readonly StepRun[]): string[] {
  const leaks: string[] = []
  for (const [index, run] of runs.entries()) {
    const places: Record<string, string> = {
      stdout: run.stdout
        .split(/\r?\n/)
        .filter(line => !line.startsWith('::add-mask::'))
        .join('\n'),
      stderr: run.stderr,
      outputs: fileCommands(run.outputs),
      state: fileCommands(run.state),
      summary: run.summary
    }
    for (const secret of secrets) {
      // The same secret URL-encoded (a session token holds + / =) is just as readable.
      for (const form of new Set([secret, encodeURIComponent(secret)])) {
        for (const [place, text] of Object.entries(places)) {
          const at = text.indexOf(form)
          if (at < 0) continue
          const context = text.slice(Math.max(0, at - 60), at + form.length + 20).split(form).join(redact(secret))
          leaks.push(`run ${index + 1} (${run.step}) ${place}: ${redact(secret)} in …${context}…`)
        }
      }
    }
  }
  return leaks
}

export function expectNoSecretLeak(sim: Sim, runs: readonly StepRun[]): void {
  const secrets = sim.secrets()
  // The static secret key and the request bearer token are there from the start: the check is never empty.
  expect(secrets.length).toBeGreaterThanOrEqual(2)
  expect(secretLeaks(secrets, runs)).toEqual([])
}

/** Every secret issued to the action (ID tokens, session keys and tokens) was registered with `::add-mask::`. */
export function expectIssuedSecretsMasked(sim: Sim, runs: readonly StepRun[]): void {
  const given = new Set([sim.staticKeys.secretAccessKey, sim.env().ACTIONS_ID_TOKEN_REQUEST_TOKEN])
  const masked = new Set(runs.flatMap(run => run.stdout.split(/\r?\n/).flatMap(line => (line.startsWith('::add-mask::') ? [line.slice(12)] : []))))
  const issued = sim.secrets().filter(secret => !given.has(secret))
  expect(issued.length).toBeGreaterThan(0)
  expect(issued.filter(secret => !masked.has(secret)).map(redact)).toEqual([])
}

function redact(secret: string): string {
  return `<secret ${secret.slice(0, 4)}… (${secret.length} chars)>`
}

function fileCommands(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${value}`)
    .join('\n')
}

// ---- What a step printed ----

/** A workflow command's data as the runner shows it (`core` escapes %, CR and LF). */
function unescapeData(data: string): string {
  return data.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

/** `::error::` messages, unescaped. */
export function errorMessages(run: StepResult): string[] {
  return run.errors.map(unescapeData)
}

/** `::warning::` messages, unescaped. */
export function warningMessages(run: StepResult): string[] {
  return run.stdout.split(/\r?\n/).flatMap(line => {
    const match = /^::warning(?: [^:]*)?::(.*)$/.exec(line)
    return match ? [unescapeData(match[1])] : []
  })
}

/** A frame of a JavaScript stack trace: `at fn (/path/file.js:1:2)`, `at node:internal/x:3:4`. */
const STACK_FRAME = /^\s*at (?:.*[ (])?(?:file:\/\/|node:|\/)\S*:\d+:\d+\)?$/

/** Stack frames a person would see: in stderr, in plain stdout lines, and inside error/warning messages. */
export function stackFrames(run: StepResult): string[] {
  const shown = run.stdout.split(/\r?\n/).flatMap(line => {
    // Debug lines are hidden unless the run is re-run with debug logging, which is where a stack may go.
    if (line.startsWith('::debug::') || line.startsWith('::add-mask::')) return []
    const command = /^::(?:error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line)
    return (command ? unescapeData(command[1]) : line).split('\n')
  })
  return [...shown, ...run.stderr.split(/\r?\n/)].filter(line => STACK_FRAME.test(line))
}

/**
 * Exit 1, exactly one `::error::` holding every fragment, no stack trace, and no internal error class in the
 * sentence. Returns the message.
 */
export function expectFailure(run: StepResult, ...fragments: (string | RegExp)[]): string {
  const errors = errorMessages(run)
  expect({ exitCode: run.exitCode, errors: errors.length }).toEqual({ exitCode: 1, errors: 1 })
  for (const fragment of fragments) {
    if (typeof fragment === 'string') expect(errors[0]).toContain(fragment)
    else expect(errors[0]).toMatch(fragment)
  }
  expect(stackFrames(run)).toEqual([])
  // An internal class name in the sentence means an error was wrapped as if it were an unknown one.
  expect(errors[0]).not.toMatch(/\b(?:AwsError|InputError|WaitError)\b/)
  return errors[0]
}

/** Exit 0 and no `::error::`. */
export function expectSuccess(run: StepResult): void {
  expect({ exitCode: run.exitCode, errors: errorMessages(run) }).toEqual({ exitCode: 0, errors: [] })
}

// ---- What the sim saw ----

export function callsTo(sim: Sim, action: string): SimCall[] {
  return sim.calls.filter(call => call.action === action)
}

export function ec2Calls(sim: Sim): SimCall[] {
  return sim.calls.filter(call => call.service === 'ec2')
}

// ---- Concurrency ----

/** Runs at most `concurrency` tasks at once, in the order given. */
export function limiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0
  const queue: (() => void)[] = []
  return async task => {
    if (running < concurrency) running++
    // A finishing task hands its slot straight to the next one in the queue.
    else await new Promise<void>(resolve => queue.push(resolve))
    try {
      return await task()
    } finally {
      const next = queue.shift()
      if (next) next()
      else running--
    }
  }
}
