/**
 * `npm start`: a whole release bake, run from dist/ exactly as a runner runs it, against the local
 * EC2 + STS + OIDC endpoint in sim/. With `--aws` it targets real AWS with your own credentials:
 *
 *   npm start -- --aws --instance-id i-0123456789abcdef0 --name 'web {{ datetime }}' [--region eu-west-1]
 *                [--input key=value …] [--debug]
 *   npm start -- --aws --snapshot-id snap-0123456789abcdef0 --name 'web {{ datetime }}' …
 *
 * Locally, `--from-snapshot` registers a completed snapshot the endpoint makes, instead of imaging an instance.
 *
 * Off a runner there is no GitHub OIDC token, so `--aws` uses your default credential chain.
 */
import { parseArgs } from 'node:util'
import { startSim } from '../sim/index.js'
import { runStep, tagPushContext, type StepResult } from './action-runner.js'

const { values } = parseArgs({
  options: {
    aws: { type: 'boolean', default: false },
    'instance-id': { type: 'string' },
    'snapshot-id': { type: 'string' },
    'from-snapshot': { type: 'boolean', default: false },
    name: { type: 'string' },
    region: { type: 'string' },
    'role-to-assume': { type: 'string' },
    debug: { type: 'boolean', default: false },
    input: { type: 'string', multiple: true, default: [] }
  }
})

const extraInputs = Object.fromEntries(
  values.input.map(pair => {
    const equals = pair.indexOf('=')
    if (equals < 1) throw new Error(`--input takes key=value, not '${pair}'`)
    return [pair.slice(0, equals), pair.slice(equals + 1)]
  })
)

if (values.aws) {
  await bakeOnAws()
} else {
  await bakeLocally()
}

async function bakeLocally(): Promise<void> {
  const sim = await startSim({ bake: { durationMs: 4000, progress: 'linear' } })
  try {
    const region = values.region ?? 'eu-west-1'
    const source: Record<string, string> = values['from-snapshot']
      ? { 'snapshot-id': sim.addSnapshot({ region, sizeGiB: 8 }) }
      : { 'instance-id': values['instance-id'] ?? sim.addInstance({ region, volumes: 2 }) }
    console.log(`Local AWS endpoint at ${sim.url}; making an image from ${Object.values(source)[0]}\n`)
    const started = Date.now()
    const main = await runStep('main', {
      echo: { debug: values.debug },
      env: { ...tagPushContext(), ...sim.env() },
      inputs: {
        ...source,
        name: values.name ?? 'web {{ ref_name }} {{ datetime }}',
        description: 'web {{ ref_name }} ({{ short_sha }}), run {{ run_id }}',
        'aws-region': region,
        'role-to-assume': values['role-to-assume'] ?? 'arn:aws:iam::123456789012:role/bake-ami',
        tags: 'Application=web\nVersion={{ ref_name }}\nCommit={{ sha }}',
        ...extraInputs
      }
    })
    await finish(main, started, sim.env())
    console.log(`\nEC2/STS/OIDC calls: ${sim.calls.map(call => call.action).join(', ')}`)
  } finally {
    await sim.close()
  }
}

async function bakeOnAws(): Promise<void> {
  if (!(values['instance-id'] || values['snapshot-id']) || !values.name) throw new Error('--aws needs --instance-id or --snapshot-id, and --name')
  const passThrough = Object.fromEntries(
    Object.entries(process.env).filter(([key, value]) => /^AWS_/.test(key) && value !== undefined)
  ) as Record<string, string>
  const started = Date.now()
  const main = await runStep('main', {
    echo: { debug: values.debug },
    env: { ...tagPushContext(), ...passThrough },
    inputs: {
      ...(values['instance-id'] ? { 'instance-id': values['instance-id'] } : {}),
      ...(values['snapshot-id'] ? { 'snapshot-id': values['snapshot-id'] } : {}),
      name: values.name,
      ...(values.region ? { 'aws-region': values.region } : {}),
      ...extraInputs
    }
  })
  await finish(main, started, passThrough)
}

/** Prints what a person looks at after a step, then runs the post step as the runner does. */
async function finish(main: StepResult, started: number, env: Record<string, string>): Promise<void> {
  console.log(`\nMain step exited ${main.exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s`)
  console.log('\nOutputs:')
  for (const [name, value] of Object.entries(main.outputs)) console.log(`  ${name} = ${value}`)
  console.log(`\nJob summary:\n${main.summary.trim() || '(none)'}`)
  console.log('\nPost step:')
  const post = await runStep('post', { echo: { debug: values.debug }, env: { ...tagPushContext(), ...env }, state: main.state })
  process.exitCode = main.exitCode || post.exitCode || 0
}
