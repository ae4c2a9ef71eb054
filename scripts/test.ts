/**
 * `npm test`: the unit tests on this machine's Node, and the end-to-end tests once on the Node that action.yml
 * declares (node24), side by side; the end-to-end output comes after the unit tests'. The end-to-end tests run the
 * committed bundles, so dist/ is rebuilt first when a source is newer than them.
 *
 *   npm test                           all of it
 *   npm run test:unit -- [jest args]   the unit tests only, on this machine's Node
 *   npm run test:e2e -- [jest args]    dist/ if stale, then the end-to-end tests only, on Node 24
 *
 * Node 24 is the npm package `node-<platform>-<arch>@24` (the official build), installed once into a cache
 * outside the repo and reused. When it cannot be had, the end-to-end tests run on this machine's Node, and a
 * line says so.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { availableParallelism, homedir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

type Project = 'unit' | 'e2e'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

const BUNDLES = ['dist/index.js', 'dist/post/index.js']
/** What the bundles are built from. */
const SOURCES = ['src', 'package.json', 'package-lock.json', 'tsconfig.json']
/**
 * A clone or a checkout writes dist/ and the sources moments apart, in path order (dist/ first), so a source
 * that is newer by less than this came with the bundles: the commit says they match, and CI checks it.
 */
const SAME_CHECKOUT_MS = 2000

/**
 * Jest workers per run, unless the caller says. The unit files keep a core busy each: one per core. The end-to-end
 * files mostly wait on the sim's timelines (their steps' start-up is the CPU they need): three times the cores, so
 * that the long ones wait side by side (on 2 cores, 53 s against 60 s with twice the cores, alone).
 */
const WORKERS: Record<Project, number> = { unit: availableParallelism(), e2e: 3 * availableParallelism() }

const [first, ...rest] = process.argv.slice(2)
if (first !== undefined && first !== 'unit' && first !== 'e2e') {
  fail(`npm test takes no jest arguments: use npm run test:unit -- ${quote(process.argv.slice(2))} or npm run test:e2e -- …`)
}
const projects: readonly Project[] = first === undefined ? ['unit', 'e2e'] : [first]
const jestArgs = first === undefined ? [] : rest

if (projects.includes('e2e')) buildIfStale()
const e2eNode = projects.includes('e2e') ? node24() : process.execPath

if (first === undefined) {
  // The end-to-end run mostly waits on the sim's timelines, so it starts first and the unit run takes the CPU it
  // leaves idle. Its output is held until the unit run's is out, so that the log reads one run after the other.
  console.log(`End-to-end tests on Node ${versionOf(e2eNode)} (${e2eNode}), beside the unit tests and shown after them`)
  const e2e = startJest(e2eNode, 'e2e', [], { held: true })
  const unit = await startJest(process.execPath, 'unit', []).done
  e2e.release()
  const status = await e2e.done
  process.exit(unit !== 0 ? unit : status)
} else {
  if (first === 'e2e') console.log(`End-to-end tests on Node ${versionOf(e2eNode)} (${e2eNode})`)
  process.exit(await startJest(first === 'e2e' ? e2eNode : process.execPath, first, jestArgs).done)
}

// ---- dist/ ----

function buildIfStale(): void {
  const reason = staleBecause()
  if (reason === undefined) return
  console.log(`Building dist/ first: ${reason}`)
  // ncc's progress is noise here; it is shown if the build fails.
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' })
  if (build.status !== 0) {
    process.stdout.write(build.stdout)
    process.stderr.write(build.stderr)
    fail('npm run build failed')
  }
}

/** Why dist/ may not be what the sources build, or undefined. */
function staleBecause(): string | undefined {
  let oldest: { path: string; mtimeMs: number } | undefined
  for (const path of BUNDLES) {
    const file = join(ROOT, path)
    if (!existsSync(file)) return `${path} is missing`
    const { mtimeMs } = statSync(file)
    if (!oldest || mtimeMs < oldest.mtimeMs) oldest = { path, mtimeMs }
  }
  for (const source of sourceFiles()) {
    if (statSync(source).mtimeMs > oldest!.mtimeMs + SAME_CHECKOUT_MS) return `${relative(ROOT, source)} is newer than ${oldest!.path}`
  }
  return undefined
}

function sourceFiles(): string[] {
  return SOURCES.flatMap(path => {
    const full = join(ROOT, path)
    if (!statSync(full).isDirectory()) return [full]
    return readdirSync(full, { recursive: true, withFileTypes: true })
      .filter(entry => entry.isFile())
      .map(entry => join(entry.parentPath, entry.name))
  })
}

// ---- Node 24 ----

/** The Node 24 binary to run the end-to-end tests on, or this machine's Node if none can be had. */
function node24(): string {
  if (process.versions.node.startsWith('24.')) return process.execPath
  const pkg = `node-${process.platform}-${process.arch}`
  const cache = cacheDir()
  const dir = join(cache, 'node24')
  const binary = (root: string): string => join(root, 'node_modules', pkg, 'bin', 'node')
  if (isNode24(binary(dir))) return binary(dir)

  // One line, whatever happens: the install, or why not and what runs instead.
  process.stdout.write(`Installing Node 24 (${pkg}@24 from the npm registry) into ${dir}: `)
  let problem: string
  try {
    mkdirSync(cache, { recursive: true })
    // Installed beside the cache and moved in whole, so that a run cut short leaves nothing half there.
    const staging = mkdtempSync(join(cache, 'node24-'))
    const install = spawnSync(
      'npm',
      [
        'install',
        ...['--prefix', staging, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error'],
        // Offline, give up in seconds rather than minutes: the machine's Node will do.
        ...['--fetch-retries=1', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=5000'],
        `${pkg}@24`
      ],
      { encoding: 'utf8' }
    )
    if (install.status === 0 && isNode24(binary(staging))) {
      rmSync(dir, { recursive: true, force: true })
      renameSync(staging, dir)
      console.log('done.')
      return binary(dir)
    }
    rmSync(staging, { recursive: true, force: true })
    problem = firstLine(install)
  } catch (error) {
    problem = String(error instanceof Error ? error.message : error)
  }
  console.log(`failed (${problem}). The end-to-end tests run on this machine's Node ${process.version} instead.`)
  return process.execPath
}

/** Outside the repo and kept between runs: on a runner, the job's RUNNER_TEMP; elsewhere, the user's cache. */
function cacheDir(): string {
  return join(process.env.RUNNER_TEMP || process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'bake-ami')
}

function isNode24(binary: string): boolean {
  return existsSync(binary) && versionOf(binary).startsWith('v24.')
}

function versionOf(binary: string): string {
  return spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? ''
}

// ---- jest ----

interface JestRun {
  /** The exit status; jest.config.js's reporters fail a run in which no test ran. */
  readonly done: Promise<number>
  /** Shows what a held run printed so far, and from then on what it prints. */
  release(): void
}

/** Starts one jest run of a project; its output is shown as it comes, or held until `release`. */
function startJest(node: string, project: Project, args: readonly string[], { held = false } = {}): JestRun {
  const workers = args.some(arg => /^(-w|--maxWorkers|-i|--runInBand)\b/.test(arg)) ? [] : [`--maxWorkers=${WORKERS[project]}`]
  // Jest colours only a terminal; a held run writes to a pipe, to be shown on this terminal later.
  const colors = held && process.stderr.isTTY ? ['--colors'] : []
  const env: Record<string, string | undefined> = {
    ...process.env,
    // @actions/core 3 is ESM only: jest runs the tests as ES modules.
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim()
  }
  // V8's code cache (Node 22 and later) for jest and for every step the tests spawn (the harness passes it on):
  // each step would otherwise compile the bundled SDK afresh.
  if (project === 'e2e') env.NODE_COMPILE_CACHE ||= join(cacheDir(), 'compile-cache')
  const child = spawn(
    node,
    // After the caller's arguments: --selectProjects takes every value that follows it.
    [join(ROOT, 'node_modules/jest/bin/jest.js'), ...workers, ...colors, ...args, `--selectProjects=${project}`],
    { cwd: ROOT, env, stdio: held ? ['ignore', 'pipe', 'pipe'] : 'inherit' }
  )
  let holding = held
  const kept: [NodeJS.WriteStream, Buffer][] = []
  for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]] as const) {
    from?.on('data', (chunk: Buffer) => (holding ? kept.push([to, chunk]) : to.write(chunk)))
  }
  return {
    done: new Promise(resolve => child.on('close', code => resolve(code ?? 1))),
    release() {
      holding = false
      for (const [to, chunk] of kept.splice(0)) to.write(chunk)
    }
  }
}

// ---- helpers ----

function firstLine(result: SpawnSyncReturns<string>): string {
  const text = `${result.stderr ?? ''}\n${result.stdout ?? ''}`
  const line = text.split('\n').find(candidate => candidate.trim() !== '' && !/^npm (warn|notice)/.test(candidate))
  return line?.trim() ?? (result.error ? result.error.message : `exit ${result.status}`)
}

function quote(args: readonly string[]): string {
  return args.map(arg => (/^[\w./=:-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ')
}

function fail(message: string): never {
  console.error(message)
  process.exit(1)
}
