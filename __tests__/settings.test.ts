import { readFileSync } from 'node:fs'
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { FAMILY_TAG_KEY, Inputs } from '../src/constants.js'
import { InputError } from '../src/errors.js'
import type { GithubRun } from '../src/github-run.js'
import { describeSettings, isLaunchTemplateId, readSettings, type Distribution, type Encryption, type HandOff, type Settings } from '../src/settings.js'

const NOW_MS = Date.UTC(2026, 10, 28, 8, 35, 42, 123)
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const RUN: GithubRun = {
  sha: SHA,
  refName: 'main',
  runId: '1234567890',
  runNumber: '42',
  runAttempt: '1',
  repository: 'acme/images'
}
const INSTANCE_ID = 'i-0123456789abcdef0'
const SNAPSHOT_ID = 'snap-0123456789abcdef0'
const ROLE_ARN = 'arn:aws:iam::123456789012:role/bake-ami'

const originalEnv = { ...process.env }

/** `core.getInput` reads `INPUT_<NAME>`: upper case, spaces to `_`, dashes kept. */
function setInput(name: string, value: string): void {
  process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
}

function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) setInput(name, value)
}

/** The inputs every run needs, plus a region. */
function setRequired(): void {
  setInputs({ [Inputs.InstanceId]: INSTANCE_ID, [Inputs.Name]: 'web-{{ ref_name }}', [Inputs.AwsRegion]: 'eu-west-1' })
}

function read(run: GithubRun = RUN): Settings {
  return readSettings(NOW_MS, run)
}

/** Runs `readSettings` and returns the `InputError` it throws, failing the test if it throws anything else. */
function inputError(run: GithubRun = RUN): InputError {
  let thrown: unknown
  try {
    read(run)
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(InputError)
  return thrown as InputError
}

function expectInputError(input: string, fragment: string, run: GithubRun = RUN): void {
  const error = inputError(run)
  expect(error.input).toBe(input)
  expect(error.message.toLowerCase()).toContain(`input '${input}'`)
  expect(error.message).toContain(fragment)
}

beforeEach(() => {
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('INPUT_')) delete process.env[key]
  }
  delete process.env.AWS_REGION
  delete process.env.AWS_DEFAULT_REGION
})

afterAll(() => {
  for (const key of Object.keys(process.env)) delete process.env[key]
  Object.assign(process.env, originalEnv)
})

describe('defaults', () => {
  it('gives every setting its default when only the required inputs and a region are set', () => {
    setRequired()
    expect(read()).toStrictEqual({
      source: { kind: 'instance', instanceId: INSTANCE_ID },
      name: 'web-main',
      description: '',
      noReboot: false,
      tags: [],
      tagSnapshots: true,
      blockDeviceMappings: [],
      snapshotLocation: undefined,
      region: 'eu-west-1',
      credentials: { kind: 'default-chain' },
      wait: true,
      waitTimeoutMs: 60 * 60 * 1000,
      cleanupOnFailure: true,
      dryRun: false,
      distribution: {
        copyToRegions: [],
        shareWithAccounts: [],
        shareWithOrganizations: [],
        shareWithOus: [],
        shareSnapshots: false,
        deprecateAfterMs: undefined,
        imdsSupport: undefined,
        family: undefined,
        keepLatest: undefined,
        keepLaunchedWithinMs: undefined,
        deregistrationProtection: 'off'
      },
      handOff: {
        ssmParameter: undefined,
        launchTemplate: undefined,
        launchTemplateDefault: true
      },
      encryption: {
        encrypt: false,
        keys: new Map(),
        copyCompletionMinutes: undefined
      },
      ifExists: 'fail'
    })
  })

  it('gives the same settings for the defaults action.yml declares as for empty inputs', () => {
    setRequired()
    const fromEmpty = read()
    const defaults = actionDefaults()
    expect(Object.keys(defaults)).toHaveLength(44)
    for (const [name, value] of Object.entries(defaults)) setInput(name, value)
    setRequired()
    expect(read()).toStrictEqual(fromEmpty)
  })

  it('fills in the session name, duration and audience when only role-to-assume is set', () => {
    setRequired()
    setInput(Inputs.RoleToAssume, ROLE_ARN)
    expect(read().credentials).toStrictEqual({
      kind: 'oidc',
      roleArn: ROLE_ARN,
      sessionName: 'bake-ami',
      durationSeconds: 3600,
      audience: 'sts.amazonaws.com'
    })
  })

  it('passes the oidc inputs through when given', () => {
    setRequired()
    setInputs({
      [Inputs.RoleToAssume]: ROLE_ARN,
      [Inputs.RoleSessionName]: 'release@acme',
      [Inputs.RoleDurationSeconds]: '7200',
      [Inputs.Audience]: 'sts.amazonaws.com.cn'
    })
    expect(read().credentials).toStrictEqual({
      kind: 'oidc',
      roleArn: ROLE_ARN,
      sessionName: 'release@acme',
      durationSeconds: 7200,
      audience: 'sts.amazonaws.com.cn'
    })
  })
})

describe('instance-id', () => {
  it.each(['i-0123abcd', 'i-0123456789abcdef0'])('accepts %s', id => {
    setRequired()
    setInput(Inputs.InstanceId, id)
    expect(read().source).toStrictEqual({ kind: 'instance', instanceId: id })
  })

  it.each([
    ['9 hex digits', 'i-0123abcde'],
    ['16 hex digits', 'i-0123456789abcdef'],
    ['upper case', 'i-0123ABCD'],
    ['no prefix', '0123abcd'],
    ['an AMI id', 'ami-0123abcd']
  ])('rejects %s (%s)', (_, id) => {
    setRequired()
    setInput(Inputs.InstanceId, id)
    expectInputError(Inputs.InstanceId, `Invalid value '${id}' for input 'instance-id': expected 'i-' followed by 8 or 17`)
  })

  it('or snapshot-id is required: neither is an error that names both', () => {
    setRequired()
    setInput(Inputs.InstanceId, '')
    expectInputError(Inputs.InstanceId, "Input 'instance-id' or input 'snapshot-id' is required and neither was given")
  })

  it('and snapshot-id are exclusive: both is an error that names both', () => {
    setRequired()
    setInput(Inputs.SnapshotId, SNAPSHOT_ID)
    expectInputError(Inputs.InstanceId, "Input 'instance-id' and input 'snapshot-id' are both set: give exactly one")
  })
})

describe('snapshot-id', () => {
  /** The required inputs of a snapshot bake: snapshot-id instead of instance-id. */
  function setSnapshotRequired(inputs: Record<string, string> = {}): void {
    setRequired()
    setInputs({ [Inputs.InstanceId]: '', [Inputs.SnapshotId]: SNAPSHOT_ID, ...inputs })
  }

  it('gives every snapshot setting its default, and turns off what only an instance has', () => {
    setSnapshotRequired()
    expect(read()).toMatchObject({
      source: {
        kind: 'snapshot',
        snapshotId: SNAPSHOT_ID,
        architecture: 'x86_64',
        rootDeviceName: '/dev/xvda',
        virtualizationType: 'hvm',
        bootMode: undefined,
        enaSupport: true,
        tpmSupport: undefined,
        rootVolumeSize: undefined,
        rootVolumeType: 'gp3'
      },
      noReboot: false,
      tagSnapshots: false,
      snapshotLocation: undefined
    })
  })

  it("gives the same settings for action.yml's defaults as for empty inputs", () => {
    setSnapshotRequired()
    const fromEmpty = read()
    for (const [name, value] of Object.entries(actionDefaults())) setInput(name, value)
    setSnapshotRequired()
    expect(read()).toStrictEqual(fromEmpty)
  })

  it('reads every snapshot input when given', () => {
    setSnapshotRequired({
      [Inputs.Architecture]: 'arm64',
      [Inputs.RootDeviceName]: '/dev/sda1',
      [Inputs.VirtualizationType]: 'hvm',
      [Inputs.BootMode]: 'uefi',
      [Inputs.EnaSupport]: 'false',
      [Inputs.TpmSupport]: 'v2.0',
      [Inputs.RootVolumeSize]: '30',
      [Inputs.RootVolumeType]: 'io2'
    })
    expect(read().source).toStrictEqual({
      kind: 'snapshot',
      snapshotId: SNAPSHOT_ID,
      architecture: 'arm64',
      rootDeviceName: '/dev/sda1',
      virtualizationType: 'hvm',
      bootMode: 'uefi',
      enaSupport: false,
      tpmSupport: 'v2.0',
      rootVolumeSize: 30,
      rootVolumeType: 'io2'
    })
  })

  it.each([
    ['an 8-digit id', { [Inputs.SnapshotId]: 'snap-0123abcd' }, 'snapshotId', 'snap-0123abcd'],
    ['each architecture', { [Inputs.Architecture]: 'x86_64_mac' }, 'architecture', 'x86_64_mac'],
    ['paravirtual', { [Inputs.VirtualizationType]: 'paravirtual' }, 'virtualizationType', 'paravirtual'],
    ['legacy-bios', { [Inputs.BootMode]: 'legacy-bios' }, 'bootMode', 'legacy-bios'],
    ['uefi-preferred', { [Inputs.BootMode]: 'uefi-preferred' }, 'bootMode', 'uefi-preferred'],
    ['the smallest gp3 root', { [Inputs.RootVolumeSize]: '1' }, 'rootVolumeSize', 1],
    ['the largest gp3 root', { [Inputs.RootVolumeSize]: '16384' }, 'rootVolumeSize', 16384],
    ['the largest io2 root', { [Inputs.RootVolumeType]: 'io2', [Inputs.RootVolumeSize]: '65536' }, 'rootVolumeSize', 65536],
    ['a standard root', { [Inputs.RootVolumeType]: 'standard' }, 'rootVolumeType', 'standard']
  ])('accepts %s', (_, inputs, field, value) => {
    setSnapshotRequired(inputs)
    expect(read().source).toMatchObject({ [field]: value })
  })

  it.each<[string, Record<string, string>, string, string]>([
    ['a malformed id', { [Inputs.SnapshotId]: 'snap-0123ABCD' }, Inputs.SnapshotId, "Invalid value 'snap-0123ABCD' for input 'snapshot-id': expected 'snap-' followed by 8 or 17"],
    ['a volume id', { [Inputs.SnapshotId]: 'vol-0123abcd' }, Inputs.SnapshotId, "expected 'snap-'"],
    ['an unknown architecture', { [Inputs.Architecture]: 'amd64' }, Inputs.Architecture, 'expected one of i386, x86_64, arm64, x86_64_mac, arm64_mac'],
    ['a bad root device name', { [Inputs.RootDeviceName]: 'xvda' }, Inputs.RootDeviceName, 'expected a device name such as /dev/xvda or /dev/sda1'],
    ['an unknown virtualization type', { [Inputs.VirtualizationType]: 'pv' }, Inputs.VirtualizationType, 'expected one of hvm, paravirtual'],
    ['an unknown boot mode', { [Inputs.BootMode]: 'bios' }, Inputs.BootMode, 'expected one of legacy-bios, uefi, uefi-preferred'],
    ['ena-support that is not a boolean', { [Inputs.EnaSupport]: 'yes' }, Inputs.EnaSupport, 'expected a YAML boolean'],
    ['an unknown TPM version', { [Inputs.TpmSupport]: 'v1.2' }, Inputs.TpmSupport, 'expected one of v2.0'],
    ['tpm-support without a boot mode', { [Inputs.TpmSupport]: 'v2.0' }, Inputs.TpmSupport, "NitroTPM needs 'boot-mode: uefi', and boot-mode is not set"],
    ['tpm-support with legacy-bios', { [Inputs.TpmSupport]: 'v2.0', [Inputs.BootMode]: 'legacy-bios' }, Inputs.TpmSupport, "and boot-mode is 'legacy-bios'"],
    ['tpm-support with uefi-preferred', { [Inputs.TpmSupport]: 'v2.0', [Inputs.BootMode]: 'uefi-preferred' }, Inputs.TpmSupport, "and boot-mode is 'uefi-preferred'"],
    ['an st1 root', { [Inputs.RootVolumeType]: 'st1' }, Inputs.RootVolumeType, 'EC2 cannot boot from st1 (HDD) volumes; use one of gp2, gp3, io1, io2, standard'],
    ['an sc1 root', { [Inputs.RootVolumeType]: 'sc1' }, Inputs.RootVolumeType, 'EC2 cannot boot from sc1'],
    ['an unknown root volume type', { [Inputs.RootVolumeType]: 'gp4' }, Inputs.RootVolumeType, 'expected one of gp2, gp3, io1, io2, standard'],
    ['a fractional root size', { [Inputs.RootVolumeSize]: '8.5' }, Inputs.RootVolumeSize, "Invalid value '8.5' for input 'root-volume-size': expected whole GiB, such as 30"],
    ['a root size with a unit', { [Inputs.RootVolumeSize]: '8GiB' }, Inputs.RootVolumeSize, 'expected whole GiB'],
    ['a zero root size', { [Inputs.RootVolumeSize]: '0' }, Inputs.RootVolumeSize, 'expected whole GiB from 1 to 16384 for a gp3 root volume'],
    ['a gp3 root over 16 TiB', { [Inputs.RootVolumeSize]: '16385' }, Inputs.RootVolumeSize, 'from 1 to 16384 for a gp3 root volume'],
    ['an io1 root under 4 GiB', { [Inputs.RootVolumeType]: 'io1', [Inputs.RootVolumeSize]: '3' }, Inputs.RootVolumeSize, 'from 4 to 16384 for a io1 root volume'],
    ['a standard root over 1 TiB', { [Inputs.RootVolumeType]: 'standard', [Inputs.RootVolumeSize]: '1025' }, Inputs.RootVolumeSize, 'from 1 to 1024 for a standard root volume'],
    ['no-reboot', { [Inputs.NoReboot]: 'true' }, Inputs.NoReboot, "Invalid value 'true' for input 'no-reboot': applies only to an instance ('instance-id')"],
    ['a snapshot-location', { [Inputs.SnapshotLocation]: 'local' }, Inputs.SnapshotLocation, 'applies only to an instance on an Outpost'],
    ['a mapping of the root device', { [Inputs.BlockDeviceMappings]: '[{"DeviceName":"/dev/sdb","Ebs":{"VolumeSize":8}},{"DeviceName":"/dev/xvda","Ebs":{"VolumeSize":9}}]' }, Inputs.BlockDeviceMappings, "mapping 2 is for the root device /dev/xvda, which 'snapshot-id' fills"],
    ['{{ instance_id }} in the name', { [Inputs.Name]: 'web-{{ instance_id }}' }, Inputs.Name, "placeholder '{{ instance_id }}' has no value in this run"],
    ['{{ instance_id }} in a tag', { [Inputs.Tags]: 'Source={{ instance_id }}' }, Inputs.Tags, "placeholder '{{ instance_id }}' has no value"]
  ])('rejects %s', (_, inputs, input, fragment) => {
    setSnapshotRequired(inputs)
    expectInputError(input, fragment)
  })

  it('renders {{ snapshot_id }}', () => {
    setSnapshotRequired({ [Inputs.Name]: 'web from {{ snapshot_id }}' })
    expect(read().name).toBe(`web from ${SNAPSHOT_ID}`)
  })

  it('ignores tag-snapshots: the snapshot is the user\'s', () => {
    setSnapshotRequired({ [Inputs.TagSnapshots]: 'true', [Inputs.Tags]: 'Team=images' })
    expect(read()).toMatchObject({ tagSnapshots: false, tags: [{ key: 'Team', value: 'images' }] })
  })

  it.each<[string, string]>([
    [Inputs.Architecture, 'arm64'],
    [Inputs.RootDeviceName, '/dev/sda1'],
    [Inputs.VirtualizationType, 'paravirtual'],
    [Inputs.BootMode, 'uefi'],
    [Inputs.EnaSupport, 'false'],
    [Inputs.RootVolumeSize, '20'],
    [Inputs.RootVolumeType, 'gp2']
  ])('refuses %s with an instance, which would not apply it', (input, value) => {
    setRequired()
    setInput(input, value)
    expectInputError(input, `Invalid value '${value}' for input '${input}': applies only with 'snapshot-id'`)
  })

  it('refuses tpm-support with an instance as an input of the other mode, not as TPM without uefi', () => {
    setRequired()
    setInput(Inputs.TpmSupport, 'v2.0')
    expectInputError(Inputs.TpmSupport, "Invalid value 'v2.0' for input 'tpm-support': applies only with 'snapshot-id'")
  })

  it('refuses a malformed snapshot-id before any snapshot setting', () => {
    setSnapshotRequired({ [Inputs.SnapshotId]: 'snap-1', [Inputs.Architecture]: 'amd64' })
    expectInputError(Inputs.SnapshotId, "expected 'snap-'")
  })

  it('refuses {{ snapshot_id }} with an instance', () => {
    setRequired()
    setInput(Inputs.Name, 'web-{{ snapshot_id }}')
    expectInputError(Inputs.Name, "placeholder '{{ snapshot_id }}' has no value in this run")
  })
})

describe('name', () => {
  it.each([
    ['3 characters', 'abc', 'abc'],
    ['128 characters', 'a'.repeat(128), 'a'.repeat(128)],
    ['3 characters once rendered', 'x{{ run_number }}', 'x42'],
    ['128 characters once rendered', `${'a'.repeat(118)}{{ run_id }}`, `${'a'.repeat(118)}1234567890`],
    ['every allowed literal character', "Az09 ()[]./-'@_", "Az09 ()[]./-'@_"],
    ['placeholders without spaces', '{{sha}}', SHA],
    ['placeholders with extra spaces', '{{  sha  }}', SHA],
    ['several placeholders', 'web-{{ ref_name }}-{{ short_sha }}-{{ datetime }}', 'web-main-a1b2c3d-20261128T083542Z'],
    ['every placeholder', 'x {{ timestamp }} {{ date }} {{ run_attempt }} {{ instance_id }}', `x 1795854942 2026-11-28 1 ${INSTANCE_ID}`]
  ])('accepts %s', (_, template, name) => {
    setRequired()
    setInput(Inputs.Name, template)
    expect(read().name).toBe(name)
  })

  it('makes a substituted value fit the AMI name alphabet', () => {
    setRequired()
    setInput(Inputs.Name, 'web-{{ ref_name }}')
    expect(read({ ...RUN, refName: 'fix:login*page' }).name).toBe('web-fix-login-page')
  })

  it('replaces each character of a value outside the alphabet with -, keeping the allowed ones', () => {
    setRequired()
    setInput(Inputs.Name, '{{ repository }}')
    expect(read({ ...RUN, repository: 'acme/ü+images' }).name).toBe('acme/--images')
  })

  it.each([
    ['2 characters', 'ab', "the rendered name 'ab' has 2 characters; EC2 allows 3 to 128"],
    ['129 characters', 'a'.repeat(129), 'has 129 characters; EC2 allows 3 to 128'],
    ['2 characters once rendered', '{{ run_number }}', "the rendered name '42' has 2 characters"],
    ['129 characters once rendered', `${'a'.repeat(119)}{{ run_id }}`, 'has 129 characters'],
    ['a literal colon', 'web:{{ ref_name }}', "':' is not allowed in an AMI name; use letters, digits, spaces and ( ) [ ] . / - ' @ _"],
    ['a literal asterisk', 'web-*', "'*' is not allowed in an AMI name"],
    ['a single brace', 'web-{ sha }', "'{' is not allowed in an AMI name"],
    ['an unknown placeholder', 'web-{{ branch }}', "unknown placeholder '{{ branch }}'; known placeholders: {{ timestamp }}, {{ date }}"],
    ['a placeholder in the wrong case', 'web-{{ SHA }}', "unknown placeholder '{{ SHA }}'"],
    ['an empty placeholder', 'web-{{ }}', 'unknown placeholder']
  ])('rejects %s', (_, template, fragment) => {
    setRequired()
    setInput(Inputs.Name, template)
    expectInputError(Inputs.Name, fragment)
  })

  it('lists every known placeholder when one is unknown', () => {
    setRequired()
    setInput(Inputs.Name, '{{ branch }}')
    expect(inputError().message).toContain(
      'known placeholders: {{ timestamp }}, {{ date }}, {{ datetime }}, {{ sha }}, {{ short_sha }}, {{ ref_name }}, ' +
        '{{ run_id }}, {{ run_number }}, {{ run_attempt }}, {{ repository }}, {{ instance_id }}, {{ snapshot_id }}'
    )
  })

  it.each([
    ['sha', 'web-{{ sha }}', { ...RUN, sha: undefined }],
    ['short_sha', 'web-{{ short_sha }}', { ...RUN, sha: undefined }],
    ['ref_name', 'web-{{ ref_name }}', { ...RUN, refName: undefined }],
    ['run_attempt', 'web-{{ run_attempt }}', { ...RUN, runAttempt: undefined }]
  ])('rejects {{ %s }} when this run has no value for it', (placeholder, template, run) => {
    setRequired()
    setInput(Inputs.Name, template)
    expectInputError(Inputs.Name, `placeholder '{{ ${placeholder} }}' has no value in this run`, run)
  })

  it('is required', () => {
    setRequired()
    setInput(Inputs.Name, '')
    expectInputError(Inputs.Name, 'is required')
  })
})

describe('description', () => {
  it.each([
    ['255 characters', 'd'.repeat(255), 'd'.repeat(255)],
    ['255 characters once rendered', `${'d'.repeat(245)}{{ run_id }}`, `${'d'.repeat(245)}1234567890`],
    ['characters an AMI name may not hold, unchanged', 'Built from {{ ref_name }}: *all*', 'Built from fix:x: *all*']
  ])('accepts %s', (_, template, description) => {
    setRequired()
    setInput(Inputs.Description, template)
    expect(read({ ...RUN, refName: 'fix:x' }).description).toBe(description)
  })

  it.each([
    ['256 characters', 'd'.repeat(256), 'the rendered description has 256 characters; EC2 allows at most 255'],
    ['256 characters once rendered', `${'d'.repeat(246)}{{ run_id }}`, 'has 256 characters'],
    ['an unknown placeholder', 'from {{ branch }}', "unknown placeholder '{{ branch }}'"]
  ])('rejects %s', (_, template, fragment) => {
    setRequired()
    setInput(Inputs.Description, template)
    expectInputError(Inputs.Description, fragment)
  })

  it('rejects a placeholder without a value in this run', () => {
    setRequired()
    setInput(Inputs.Description, 'at {{ sha }}')
    expectInputError(Inputs.Description, "placeholder '{{ sha }}' has no value", { ...RUN, sha: undefined })
  })
})

describe('tags', () => {
  function tagsFrom(text: string) {
    setRequired()
    setInput(Inputs.Tags, text)
    return read().tags
  }

  it('reads one Key=Value a line, skipping blank lines and # comments', () => {
    expect(tagsFrom('\n# who owns it\nTeam=images\n\n   # indented comment\n  Env = prod  \n')).toStrictEqual([
      { key: 'Team', value: 'images' },
      { key: 'Env', value: 'prod' }
    ])
  })

  it('splits at the first =, so a value may hold =', () => {
    expect(tagsFrom('Query=a=b==c')).toStrictEqual([{ key: 'Query', value: 'a=b==c' }])
  })

  it('accepts an empty value', () => {
    expect(tagsFrom('Empty=')).toStrictEqual([{ key: 'Empty', value: '' }])
  })

  it('renders placeholders in values, without making them fit the AMI name alphabet', () => {
    setRequired()
    setInput(Inputs.Tags, 'Commit={{ sha }}\nBuilt={{date}}\nBranch={{ ref_name }}')
    expect(read({ ...RUN, refName: 'fix:login*page' }).tags).toStrictEqual([
      { key: 'Commit', value: SHA },
      { key: 'Built', value: '2026-11-28' },
      { key: 'Branch', value: 'fix:login*page' }
    ])
  })

  it.each([
    ['a key of 127 characters', `${'k'.repeat(127)}=v`, [{ key: 'k'.repeat(127), value: 'v' }]],
    ['a value of 256 characters', `K=${'v'.repeat(256)}`, [{ key: 'K', value: 'v'.repeat(256) }]],
    ['a key that merely contains aws:', 'my-aws:key=v', [{ key: 'my-aws:key', value: 'v' }]]
  ])('accepts %s', (_, text, tags) => {
    expect(tagsFrom(text)).toStrictEqual(tags)
  })

  it('accepts 50 tags', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `Key${i}=value${i}`)
    expect(tagsFrom(lines.join('\n'))).toHaveLength(50)
  })

  it.each([
    ['a line without =', 'Team', "Invalid value 'Team' for input 'tags': expected one 'Key=Value' per line"],
    ['a key of 128 characters', `${'k'.repeat(128)}=v`, 'a tag key must have 1 to 127 characters, not 128'],
    ['an empty key', '=value', 'a tag key must have 1 to 127 characters, not 0'],
    ['a blank key', '  = value', 'not 0'],
    ['the aws: prefix', 'aws:owner=me', "tag keys starting with 'aws:' are reserved for AWS"],
    ['the AWS: prefix', 'AWS:owner=me', "starting with 'aws:' are reserved"],
    ['the Aws: prefix', 'Aws:Owner=me', "starting with 'aws:' are reserved"],
    ['a key given twice', 'Team=a\nEnv=b\nTeam=c', "tag key 'Team' is given twice"],
    ['a value of 257 characters', `K=${'v'.repeat(257)}`, "the rendered value of 'K' has 257 characters; EC2 allows at most 256"],
    ['a value of 257 characters once rendered', `K=${'v'.repeat(247)}{{ run_id }}`, 'has 257 characters'],
    ['an unknown placeholder in a value', 'Branch={{ branch }}', "unknown placeholder '{{ branch }}'"],
    ['51 tags', Array.from({ length: 51 }, (_, i) => `Key${i}=v`).join('\n'), "Invalid value '51 tags' for input 'tags': EC2 allows at most 50 tags"]
  ])('rejects %s', (_, text, fragment) => {
    setRequired()
    setInput(Inputs.Tags, text)
    expectInputError(Inputs.Tags, fragment)
  })

  it('rejects a placeholder without a value in this run', () => {
    setRequired()
    setInput(Inputs.Tags, 'Commit={{ sha }}')
    expectInputError(Inputs.Tags, "placeholder '{{ sha }}' has no value", { ...RUN, sha: undefined })
  })
})

describe.each([
  [Inputs.NoReboot, 'noReboot', false],
  [Inputs.TagSnapshots, 'tagSnapshots', true],
  [Inputs.Wait, 'wait', true],
  [Inputs.CleanupOnFailure, 'cleanupOnFailure', true],
  [Inputs.DryRun, 'dryRun', false]
] as const)('boolean input %s', (input, field, fallback) => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    [' true ', true],
    ['', fallback]
  ])("reads '%s' as %s", (value, expected) => {
    setRequired()
    setInput(input, value)
    expect(read()[field]).toBe(expected)
  })

  it.each(['yes', 'no', '1', '0', 'tru', 'on', 'tRUE'])("rejects '%s'", value => {
    setRequired()
    setInput(input, value)
    expectInputError(input, `Invalid value '${value}' for input '${input}': expected a YAML boolean`)
  })
})

describe('block-device-mappings', () => {
  it('passes valid CLI JSON through as given', () => {
    const mappings = [
      {
        DeviceName: '/dev/sdb',
        Ebs: {
          DeleteOnTermination: true,
          Iops: 3000,
          SnapshotId: 'snap-0123456789abcdef0',
          VolumeSize: 100,
          VolumeType: 'gp3',
          KmsKeyId: 'alias/images',
          Throughput: 125,
          Encrypted: true
        }
      },
      { DeviceName: '/dev/sdc', NoDevice: '' },
      { DeviceName: '/dev/sdd', VirtualName: 'ephemeral0' }
    ]
    setRequired()
    setInput(Inputs.BlockDeviceMappings, JSON.stringify(mappings, null, 2))
    expect(read().blockDeviceMappings).toStrictEqual(mappings)
  })

  it('accepts an empty array', () => {
    setRequired()
    setInput(Inputs.BlockDeviceMappings, '[]')
    expect(read().blockDeviceMappings).toStrictEqual([])
  })

  it.each([
    ['invalid JSON', '[{"DeviceName": "/dev/sdb"', "not valid JSON ("],
    ['an object instead of an array', '{"DeviceName": "/dev/sdb"}', 'expected a JSON array of mappings'],
    ['a mapping that is not an object', '["/dev/sdb"]', 'mapping 1 is not an object'],
    ['an unknown key', '[{"DeviceName": "/dev/sdb", "Size": 8}]', "mapping 1 has unknown key 'Size'; allowed: DeviceName, VirtualName, NoDevice, Ebs"],
    ['a missing DeviceName', '[{"Ebs": {"VolumeSize": 8}}]', 'mapping 1 needs a DeviceName such as /dev/sdb'],
    ['an empty DeviceName', '[{"DeviceName": ""}]', 'mapping 1 needs a DeviceName'],
    ['a NoDevice that is not a string', '[{"DeviceName": "/dev/sdb", "NoDevice": true}]', 'mapping 1: NoDevice must be a string'],
    ['an Ebs that is not an object', '[{"DeviceName": "/dev/sdb", "Ebs": 8}]', 'mapping 1: Ebs must be an object'],
    ['an unknown Ebs key', '[{"DeviceName": "/dev/sdb", "Ebs": {"Size": 8}}]', "mapping 1: unknown Ebs key 'Size'; allowed: DeleteOnTermination, Iops"],
    ['a VolumeSize string', '[{"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": "8"}}]', 'mapping 1: Ebs.VolumeSize must be a number'],
    ['an Encrypted string', '[{"DeviceName": "/dev/sdb", "Ebs": {"Encrypted": "true"}}]', 'mapping 1: Ebs.Encrypted must be a boolean'],
    ['a KmsKeyId number', '[{"DeviceName": "/dev/sdb", "Ebs": {"KmsKeyId": 1}}]', 'mapping 1: Ebs.KmsKeyId must be a string'],
    ['an unknown VolumeType', '[{"DeviceName": "/dev/sdb", "Ebs": {"VolumeType": "gp4"}}]', 'mapping 1: Ebs.VolumeType must be one of standard, io1, io2, gp2, gp3, sc1, st1'],
    ['a zero VolumeSize', '[{"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 0}}]', 'mapping 1: Ebs.VolumeSize must be a positive whole number'],
    ['a negative VolumeSize', '[{"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": -8}}]', 'Ebs.VolumeSize must be a positive whole number'],
    ['a fractional VolumeSize', '[{"DeviceName": "/dev/sdb", "Ebs": {"VolumeSize": 1.5}}]', 'Ebs.VolumeSize must be a positive whole number'],
    ['a problem in the second mapping', '[{"DeviceName": "/dev/sdb"}, {"DeviceName": "/dev/sdc", "Ebs": {"Iops": 0}}]', 'mapping 2: Ebs.Iops must be a positive whole number']
  ])('rejects %s', (_, json, fragment) => {
    setRequired()
    setInput(Inputs.BlockDeviceMappings, json)
    expectInputError(Inputs.BlockDeviceMappings, fragment)
  })
})

describe('snapshot-location', () => {
  it.each([
    ['', undefined],
    ['regional', 'regional'],
    ['local', 'local']
  ])("reads '%s' as %s", (value, location) => {
    setRequired()
    setInput(Inputs.SnapshotLocation, value)
    expect(read().snapshotLocation).toBe(location)
  })

  it.each(['Regional', 'outpost'])("rejects '%s'", value => {
    setRequired()
    setInput(Inputs.SnapshotLocation, value)
    expectInputError(Inputs.SnapshotLocation, `Invalid value '${value}' for input 'snapshot-location': expected 'regional' or 'local'`)
  })
})

describe('aws-region', () => {
  beforeEach(() => {
    setInputs({ [Inputs.InstanceId]: INSTANCE_ID, [Inputs.Name]: 'web' })
  })

  it('prefers the input to AWS_REGION and AWS_DEFAULT_REGION', () => {
    setInput(Inputs.AwsRegion, 'eu-central-2')
    process.env.AWS_REGION = 'us-east-1'
    process.env.AWS_DEFAULT_REGION = 'us-west-2'
    expect(read().region).toBe('eu-central-2')
  })

  it('prefers AWS_REGION to AWS_DEFAULT_REGION', () => {
    process.env.AWS_REGION = 'us-east-1'
    process.env.AWS_DEFAULT_REGION = 'us-west-2'
    expect(read().region).toBe('us-east-1')
  })

  it('falls back to AWS_DEFAULT_REGION', () => {
    process.env.AWS_DEFAULT_REGION = 'us-west-2'
    expect(read().region).toBe('us-west-2')
  })

  it.each(['us-gov-west-1', 'cn-north-1', 'ap-southeast-5'])('accepts %s', region => {
    setInput(Inputs.AwsRegion, region)
    expect(read().region).toBe(region)
  })

  it('fails when no region is given anywhere', () => {
    expectInputError(Inputs.AwsRegion, 'AWS_REGION nor AWS_DEFAULT_REGION')
    expect(inputError().value).toBeUndefined()
  })

  it.each(['us-east1', 'US-EAST-1', 'useast-1', 'eu-west-1a'])("rejects a malformed input '%s'", region => {
    setInput(Inputs.AwsRegion, region)
    expectInputError(Inputs.AwsRegion, `Invalid value '${region}' for input 'aws-region': (from input 'aws-region') expected a region code`)
  })

  it('says when a malformed region came from the environment', () => {
    process.env.AWS_REGION = 'Frankfurt'
    expectInputError(Inputs.AwsRegion, "Invalid value 'Frankfurt' for input 'aws-region': (from AWS_REGION) expected a region code")
  })
})

describe('role-to-assume', () => {
  it.each([
    ['a plain role', ROLE_ARN],
    ['a role with a path', 'arn:aws:iam::123456789012:role/ci/github/bake-ami'],
    ['the aws-cn partition', 'arn:aws-cn:iam::123456789012:role/bake-ami'],
    ['the aws-us-gov partition', 'arn:aws-us-gov:iam::123456789012:role/bake-ami'],
    ['a name using every allowed character', 'arn:aws:iam::123456789012:role/Bake_AMI+=,.@-1']
  ])('accepts %s', (_, arn) => {
    setRequired()
    setInput(Inputs.RoleToAssume, arn)
    expect(read().credentials).toMatchObject({ kind: 'oidc', roleArn: arn })
  })

  it.each([
    ['a user ARN', 'arn:aws:iam::123456789012:user/alice'],
    ['a role name alone', 'bake-ami'],
    ['a short account id', 'arn:aws:iam::12345:role/bake-ami'],
    ['an sts assumed-role ARN', 'arn:aws:sts::123456789012:assumed-role/bake-ami/session'],
    ['garbage', 'not an arn']
  ])('rejects %s', (_, arn) => {
    setRequired()
    setInput(Inputs.RoleToAssume, arn)
    expectInputError(Inputs.RoleToAssume, `Invalid value '${arn}' for input 'role-to-assume': expected an IAM role ARN`)
  })
})

describe('role-session-name', () => {
  it.each(['ab', 's'.repeat(64), 'Release_1+=,.@-x'])("accepts '%s'", name => {
    setRequired()
    setInputs({ [Inputs.RoleToAssume]: ROLE_ARN, [Inputs.RoleSessionName]: name })
    expect(read().credentials).toMatchObject({ sessionName: name })
  })

  it.each(['a', 's'.repeat(65), 'has space', 'a/b', 'a:b'])("rejects '%s'", name => {
    setRequired()
    setInputs({ [Inputs.RoleToAssume]: ROLE_ARN, [Inputs.RoleSessionName]: name })
    expectInputError(Inputs.RoleSessionName, '2 to 64 characters of letters, digits and + = , . @ _ -')
  })
})

describe('role-duration-seconds', () => {
  it.each([
    ['900', 900],
    ['43200', 43200]
  ])("accepts '%s'", (value, seconds) => {
    setRequired()
    setInputs({ [Inputs.RoleToAssume]: ROLE_ARN, [Inputs.RoleDurationSeconds]: value })
    expect(read().credentials).toMatchObject({ durationSeconds: seconds })
  })

  it.each(['899', '43201', '1h', 'abc', '-900', '900.0', '0'])("rejects '%s'", value => {
    setRequired()
    setInputs({ [Inputs.RoleToAssume]: ROLE_ARN, [Inputs.RoleDurationSeconds]: value })
    expectInputError(Inputs.RoleDurationSeconds, `Invalid value '${value}' for input 'role-duration-seconds': expected whole seconds from 900 to 43200`)
  })
})

describe('wait-timeout', () => {
  it.each([
    ['90s', 90_000],
    ['45m', 45 * 60_000],
    ['2h', 2 * 3_600_000],
    ['1h30m', 90 * 60_000],
    ['1h30m15s', 5_415_000],
    ['3600', 3_600_000],
    ['1', 1000],
    ['72h', 72 * 3_600_000],
    ['259200', 72 * 3_600_000]
  ])("reads '%s' as %d ms", (value, ms) => {
    setRequired()
    setInput(Inputs.WaitTimeout, value)
    expect(read().waitTimeoutMs).toBe(ms)
  })

  // Beyond 72 h, and digit strings so long that they parse to Infinity, are refused before any AWS call.
  it.each(['0', '0s', '0h0m', '-5', '1d', 'abc', '1.5h', '30m1h', '1h 30m', 'h', '73h', '72h0m1s', '259201', '99999999h', '9'.repeat(400)])(
    "rejects '%s'",
    value => {
      setRequired()
      setInput(Inputs.WaitTimeout, value)
      expectInputError(Inputs.WaitTimeout, `Invalid value '${value}' for input 'wait-timeout': expected a duration from 1s to 72h`)
    }
  )
})

const ACCOUNT_A = '123456789012'
const LAUNCH_TEMPLATE_ID = 'lt-0123456789abcdef0'
const ACCOUNT_B = '210987654321'
const ORG_A = 'arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5'
const ORG_B = `arn:aws-cn:organizations::210987654321:organization/o-${'z9'.repeat(16)}`
const OU_A = 'arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56'
const OU_B = `arn:aws-us-gov:organizations::123456789012:ou/o-a1b2c3d4e5/ou-${'r'.repeat(32)}-${'7'.repeat(32)}`

function distribution(inputs: Record<string, string>): Distribution {
  setRequired()
  setInputs(inputs)
  return read().distribution
}

type ListField = 'copyToRegions' | 'shareWithAccounts' | 'shareWithOrganizations' | 'shareWithOus'

describe.each<[string, ListField, string, string]>([
  [Inputs.CopyToRegions, 'copyToRegions', 'us-east-1', 'ap-southeast-2'],
  [Inputs.ShareWithAccounts, 'shareWithAccounts', ACCOUNT_A, ACCOUNT_B],
  [Inputs.ShareWithOrganizations, 'shareWithOrganizations', ORG_A, ORG_B],
  [Inputs.ShareWithOus, 'shareWithOus', OU_A, OU_B]
])('list input %s', (input, field, a, b) => {
  it.each([
    ['items between commas', `${a},${b}`],
    ['items on lines', `${a}\n${b}`],
    ['commas and newlines together, with spaces around items', `  ${a} ,\n   ${b} ,\n`],
    ['empty items', `,${a},,\n\n , ,${b},`],
    ['CRLF line ends', `${a}\r\n${b}\r\n`],
    ['duplicates, keeping the first in place', `${a}, ${b}\n${a},${b}`]
  ])('reads %s', (_, value) => {
    expect(distribution({ [input]: value })[field]).toStrictEqual([a, b])
  })

  it('keeps the order given', () => {
    expect(distribution({ [input]: `${b},${a}` })[field]).toStrictEqual([b, a])
  })

  it('reads nothing but separators as an empty list', () => {
    expect(distribution({ [input]: ' ,\n, ' })[field]).toStrictEqual([])
  })

  it('names the bad item, not the whole list, and says how to separate items', () => {
    setRequired()
    setInput(input, `${a}, oops\n${b}`)
    expectInputError(input, `Invalid value 'oops' for input '${input}': expected `)
    expect(inputError().message).toContain('separated by commas or newlines')
  })
})

describe('copy-to-regions', () => {
  it.each(['us-gov-west-1', 'cn-north-1', 'ap-southeast-5'])('accepts %s', region => {
    expect(distribution({ [Inputs.CopyToRegions]: region }).copyToRegions).toStrictEqual([region])
  })

  it('skips the bake region', () => {
    expect(distribution({ [Inputs.CopyToRegions]: 'us-east-1, eu-west-1, eu-central-1' }).copyToRegions).toStrictEqual(['us-east-1', 'eu-central-1'])
  })

  it('skips the bake region when it comes from AWS_REGION', () => {
    setRequired()
    setInputs({ [Inputs.AwsRegion]: '', [Inputs.CopyToRegions]: 'us-east-1,us-west-2' })
    process.env.AWS_REGION = 'us-west-2'
    expect(read().distribution.copyToRegions).toStrictEqual(['us-east-1'])
  })

  it('is empty when it lists only the bake region', () => {
    expect(distribution({ [Inputs.CopyToRegions]: 'eu-west-1' }).copyToRegions).toStrictEqual([])
  })

  it.each(['us-east1', 'US-EAST-1', 'eu-west-1a', 'Frankfurt', 'us-east-1 eu-west-1', 'us-east-1;eu-west-1'])("rejects '%s'", region => {
    setRequired()
    setInput(Inputs.CopyToRegions, region)
    expectInputError(
      Inputs.CopyToRegions,
      `Invalid value '${region}' for input 'copy-to-regions': expected region codes such as us-east-1 or eu-central-2, separated by commas or newlines`
    )
  })
})

describe('share-with-accounts', () => {
  it.each([
    ['11 digits', '12345678901'],
    ['13 digits', '1234567890123'],
    ['dashes', '1234-5678-9012'],
    ['letters', '12345678901a'],
    ['a root ARN', 'arn:aws:iam::123456789012:root'],
    ['an account alias', 'release-prod']
  ])('rejects %s', (_, account) => {
    setRequired()
    setInput(Inputs.ShareWithAccounts, account)
    expectInputError(Inputs.ShareWithAccounts, `Invalid value '${account}' for input 'share-with-accounts': expected 12-digit AWS account ids`)
  })
})

describe('share-with-organizations', () => {
  it.each([
    ['an id of 10 characters', ORG_A],
    ['an id of 32 characters in aws-cn', ORG_B],
    ['the aws-us-gov partition', 'arn:aws-us-gov:organizations::123456789012:organization/o-a1b2c3d4e5']
  ])('accepts %s', (_, arn) => {
    expect(distribution({ [Inputs.ShareWithOrganizations]: arn }).shareWithOrganizations).toStrictEqual([arn])
  })

  it.each([
    ['an organization id alone', 'o-a1b2c3d4e5'],
    ['an id of 9 characters', 'arn:aws:organizations::123456789012:organization/o-a1b2c3d4e'],
    ['an id of 33 characters', `arn:aws:organizations::123456789012:organization/o-${'a'.repeat(33)}`],
    ['an upper-case id', 'arn:aws:organizations::123456789012:organization/o-A1B2C3D4E5'],
    ['another partition', 'arn:aws-iso:organizations::123456789012:organization/o-a1b2c3d4e5'],
    ['a region', 'arn:aws:organizations:us-east-1:123456789012:organization/o-a1b2c3d4e5'],
    ['an 11-digit account', 'arn:aws:organizations::12345678901:organization/o-a1b2c3d4e5'],
    ['an OU ARN', OU_A]
  ])('rejects %s', (_, arn) => {
    setRequired()
    setInput(Inputs.ShareWithOrganizations, arn)
    expectInputError(
      Inputs.ShareWithOrganizations,
      `Invalid value '${arn}' for input 'share-with-organizations': expected organization ARNs such as arn:aws:organizations::123456789012:organization/o-`
    )
  })
})

describe('share-with-ous', () => {
  it.each([
    ['the shortest parts', OU_A],
    ['the longest parts in aws-us-gov', OU_B],
    ['the aws-cn partition', 'arn:aws-cn:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56']
  ])('accepts %s', (_, arn) => {
    expect(distribution({ [Inputs.ShareWithOus]: arn }).shareWithOus).toStrictEqual([arn])
  })

  it.each([
    ['an OU id alone', 'ou-ab12-cd34ef56'],
    ['no organization', 'arn:aws:organizations::123456789012:ou/ou-ab12-cd34ef56'],
    ['a root part of 3 characters', 'arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab1-cd34ef56'],
    ['a last part of 7 characters', 'arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-cd34ef5'],
    ['a last part of 33 characters', `arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-${'c'.repeat(33)}`],
    ['upper case', 'arn:aws:organizations::123456789012:ou/o-a1b2c3d4e5/ou-AB12-CD34EF56'],
    ['another partition', 'arn:aws-iso-b:organizations::123456789012:ou/o-a1b2c3d4e5/ou-ab12-cd34ef56'],
    ['an organization ARN', ORG_A]
  ])('rejects %s', (_, arn) => {
    setRequired()
    setInput(Inputs.ShareWithOus, arn)
    expectInputError(
      Inputs.ShareWithOus,
      `Invalid value '${arn}' for input 'share-with-ous': expected organizational unit ARNs such as arn:aws:organizations::123456789012:ou/o-`
    )
  })
})

describe('share-snapshots', () => {
  it.each([
    ['defaults to true with accounts', { [Inputs.ShareWithAccounts]: ACCOUNT_A }, true],
    ['can be turned off with accounts', { [Inputs.ShareWithAccounts]: ACCOUNT_A, [Inputs.ShareSnapshots]: 'false' }, false],
    ['is false without accounts, even when set', { [Inputs.ShareSnapshots]: 'true' }, false],
    ['is false with only organizations and OUs: snapshots are shared with accounts only', { [Inputs.ShareWithOrganizations]: ORG_A, [Inputs.ShareWithOus]: OU_A }, false]
  ])('%s', (_, inputs, expected) => {
    expect(distribution(inputs).shareSnapshots).toBe(expected)
  })

  it.each(['yes', 'on', '1'])("rejects '%s', with or without accounts", value => {
    setRequired()
    setInput(Inputs.ShareSnapshots, value)
    expectInputError(Inputs.ShareSnapshots, `Invalid value '${value}' for input 'share-snapshots': expected a YAML boolean`)
  })
})

describe('deprecate-after', () => {
  const HOUR = 3_600_000
  it.each([
    ['1h', HOUR],
    ['36h', 36 * HOUR],
    ['90d', 90 * 24 * HOUR],
    ['26w', 26 * 7 * 24 * HOUR],
    ['3650d', 3650 * 24 * HOUR],
    ['87600h', 87600 * HOUR],
    ['521w', 521 * 7 * 24 * HOUR]
  ])("reads '%s' as %d ms", (value, ms) => {
    expect(distribution({ [Inputs.DeprecateAfter]: value }).deprecateAfterMs).toBe(ms)
  })

  it.each(['0h', '0d', '000w', '-1d', '90', '90m', '90s', '1y', '1.5d', '90 d', '90D', '36H', 'd', '1d12h', 'ninety days'])("rejects '%s'", value => {
    setRequired()
    setInput(Inputs.DeprecateAfter, value)
    expectInputError(
      Inputs.DeprecateAfter,
      `Invalid value '${value}' for input 'deprecate-after': expected a whole number of hours, days or weeks greater than zero, such as 36h, 90d or 26w`
    )
  })

  // 10 years: EC2 refuses a later DeprecateAt. Digit strings too long for a number are Infinity, and refused the same way.
  it.each(['3651d', '87601h', '522w', `${'9'.repeat(400)}d`])("rejects '%s', more than 10 years ahead", value => {
    setRequired()
    setInput(Inputs.DeprecateAfter, value)
    expectInputError(Inputs.DeprecateAfter, 'EC2 refuses a deprecation date more than 10 years ahead: give at most 3650d (87600h, 521w)')
  })
})

describe('imds-support', () => {
  it('reads v2.0', () => {
    expect(distribution({ [Inputs.ImdsSupport]: 'v2.0' }).imdsSupport).toBe('v2.0')
  })

  it.each(['v2', 'V2.0', 'v1.0', 'required', 'true'])("rejects '%s'", value => {
    setRequired()
    setInput(Inputs.ImdsSupport, value)
    expectInputError(Inputs.ImdsSupport, `Invalid value '${value}' for input 'imds-support': expected 'v2.0'`)
  })
})

describe('family', () => {
  it.each([
    ['a short name', 'web', 'web'],
    ['one character', 'w', 'w'],
    ['255 characters', 'f'.repeat(255), 'f'.repeat(255)],
    ['every allowed character', 'Web 01_.:/=+-@', 'Web 01_.:/=+-@'],
    ['letters beyond ASCII', 'Bäckerei-Ω', 'Bäckerei-Ω']
  ])('accepts %s', (_, value, family) => {
    expect(distribution({ [Inputs.Family]: value }).family).toBe(family)
  })

  it("adds the family tag after the user's tags", () => {
    setRequired()
    setInputs({ [Inputs.Family]: 'web', [Inputs.Tags]: 'Team=images\nCommit={{ sha }}' })
    expect(read().tags).toStrictEqual([
      { key: 'Team', value: 'images' },
      { key: 'Commit', value: SHA },
      { key: FAMILY_TAG_KEY, value: 'web' }
    ])
  })

  it('is the only tag without user tags', () => {
    setRequired()
    setInput(Inputs.Family, 'web')
    expect(read().tags).toStrictEqual([{ key: 'bake-ami:family', value: 'web' }])
  })

  it('leaves room for itself among the 50 tags EC2 allows: 49 user tags and the family', () => {
    setRequired()
    setInputs({ [Inputs.Family]: 'web', [Inputs.Tags]: Array.from({ length: 49 }, (_, i) => `Key${i}=v`).join('\n') })
    expect(read().tags).toHaveLength(50)
  })

  it.each([
    ['a placeholder', '{{ ref_name }}'],
    ['a placeholder in a name', 'web-{{ sha }}'],
    ['a placeholder without spaces', 'web-{{date}}'],
    ['a stray closing of one', 'web}}']
  ])('refuses %s: a lineage must be the same in every run', (_, value) => {
    setRequired()
    setInput(Inputs.Family, value)
    expectInputError(Inputs.Family, `Invalid value '${value}' for input 'family': placeholders are not allowed`)
    expect(inputError().message).toContain('must be the same in every run')
  })

  it.each([
    ['a comma', 'web,server', ','],
    ['an asterisk', 'web*', '*'],
    ['a hash', 'web#1', '#'],
    ['a single brace', 'web{1}', '{'],
    ['a tab', 'web\tserver', '\t']
  ])('rejects %s', (_, value, stray) => {
    setRequired()
    setInput(Inputs.Family, value)
    expectInputError(Inputs.Family, `'${stray}' is not allowed in a family (a tag value); use letters, digits, spaces and _ . : / = + - @`)
  })

  it('rejects 256 characters', () => {
    setRequired()
    setInput(Inputs.Family, 'f'.repeat(256))
    expectInputError(Inputs.Family, 'a family has at most 255 characters, not 256')
  })

  it.each([
    ['with a family', { [Inputs.Family]: 'web' }],
    ['without a family', {}]
  ])("refuses a user tag with the family tag's key, %s", (_, inputs) => {
    setRequired()
    setInputs({ ...inputs, [Inputs.Tags]: 'Team=images\nbake-ami:family=web' })
    expectInputError(Inputs.Tags, "Invalid value 'bake-ami:family=web' for input 'tags': the tag key 'bake-ami:family' is the action's own")
    expect(inputError().message).toContain("with the 'family' input instead")
  })

  it("refuses the family tag's key in another case", () => {
    setRequired()
    setInput(Inputs.Tags, 'Bake-AMI:Family=web')
    expectInputError(Inputs.Tags, "the tag key 'bake-ami:family' is the action's own")
  })

  it('counts its tag among the 50: 50 user tags and a family are too many', () => {
    setRequired()
    setInputs({ [Inputs.Family]: 'web', [Inputs.Tags]: Array.from({ length: 50 }, (_, i) => `Key${i}=v`).join('\n') })
    expectInputError(
      Inputs.Tags,
      "Invalid value '50 tags' for input 'tags': EC2 allows at most 50 tags on a resource, and 'family' adds the tag bake-ami:family: give at most 49"
    )
  })
})

describe('keep-latest', () => {
  it.each([
    ['1', 1],
    ['3', 3],
    ['1000', 1000]
  ])("reads '%s' with a family", (value, count) => {
    expect(distribution({ [Inputs.Family]: 'web', [Inputs.KeepLatest]: value }).keepLatest).toBe(count)
  })

  it.each(['0', '-1', '1001', '2.5', '1e3', 'three', '+3', '9'.repeat(400)])("rejects '%s'", value => {
    setRequired()
    setInputs({ [Inputs.Family]: 'web', [Inputs.KeepLatest]: value })
    expectInputError(Inputs.KeepLatest, `Invalid value '${value}' for input 'keep-latest': expected a whole number of images from 1 to 1000`)
  })

  it('needs family, and the error names both inputs', () => {
    setRequired()
    setInput(Inputs.KeepLatest, '3')
    expectInputError(Inputs.KeepLatest, "Invalid value '3' for input 'keep-latest': needs input 'family'")
    expect(inputError().message).toContain("Set 'family', or remove 'keep-latest'")
  })

  it('reports a malformed count before the missing family', () => {
    setRequired()
    setInput(Inputs.KeepLatest, '0')
    expectInputError(Inputs.KeepLatest, 'expected a whole number of images from 1 to 1000')
  })
})

describe('keep-launched-within', () => {
  const HOUR = 3_600_000
  const RETENTION = { [Inputs.Family]: 'web', [Inputs.KeepLatest]: '3' }

  it.each([
    ['1h', HOUR],
    ['36h', 36 * HOUR],
    ['30d', 30 * 24 * HOUR],
    ['2w', 2 * 7 * 24 * HOUR],
    ['3650d', 3650 * 24 * HOUR],
    ['87600h', 87600 * HOUR],
    ['521w', 521 * 7 * 24 * HOUR]
  ])("reads '%s' as %d ms with keep-latest", (value, ms) => {
    expect(distribution({ ...RETENTION, [Inputs.KeepLaunchedWithin]: value }).keepLaunchedWithinMs).toBe(ms)
  })

  it.each<[string, Record<string, string>, string]>([
    ['zero hours', { ...RETENTION, [Inputs.KeepLaunchedWithin]: '0h' }, "Invalid value '0h' for input 'keep-launched-within': expected a whole number of hours, days or weeks greater than zero, such as 36h, 90d or 26w"],
    ['zero weeks', { ...RETENTION, [Inputs.KeepLaunchedWithin]: '000w' }, 'greater than zero'],
    ['minutes', { ...RETENTION, [Inputs.KeepLaunchedWithin]: '90m' }, 'expected a whole number of hours, days or weeks'],
    ['no unit', { ...RETENTION, [Inputs.KeepLaunchedWithin]: '30' }, 'expected a whole number of hours, days or weeks'],
    ['a fraction', { ...RETENTION, [Inputs.KeepLaunchedWithin]: '1.5d' }, 'expected a whole number of hours, days or weeks'],
    ['an upper-case unit', { ...RETENTION, [Inputs.KeepLaunchedWithin]: '30D' }, 'expected a whole number of hours, days or weeks'],
    ['a compound duration', { ...RETENTION, [Inputs.KeepLaunchedWithin]: '1d12h' }, 'expected a whole number of hours, days or weeks'],
    ['more than 3650 days', { ...RETENTION, [Inputs.KeepLaunchedWithin]: '3651d' }, "Invalid value '3651d' for input 'keep-launched-within': more than 10 years is taken for a typo (EC2 records launch times only from April 2017): give at most 3650d (87600h, 521w)"],
    ['more than 87600 hours', { ...RETENTION, [Inputs.KeepLaunchedWithin]: '87601h' }, 'give at most 3650d'],
    ['more than 521 weeks', { ...RETENTION, [Inputs.KeepLaunchedWithin]: '522w' }, 'give at most 3650d'],
    ['too many digits for a number', { ...RETENTION, [Inputs.KeepLaunchedWithin]: `${'9'.repeat(400)}d` }, 'give at most 3650d'],
    ['no keep-latest', { [Inputs.Family]: 'web', [Inputs.KeepLaunchedWithin]: '30d' }, "Invalid value '30d' for input 'keep-launched-within': needs input 'keep-latest'"],
    ['no keep-latest and no family', { [Inputs.KeepLaunchedWithin]: '30d' }, "Set 'keep-latest' (and 'family'), or remove 'keep-launched-within'"],
    ['a malformed value before the missing keep-latest', { [Inputs.KeepLaunchedWithin]: '30 days' }, 'expected a whole number of hours, days or weeks']
  ])('rejects %s', (_, inputs, fragment) => {
    setRequired()
    setInputs(inputs)
    expectInputError(Inputs.KeepLaunchedWithin, fragment)
  })

  it("keeps deprecate-after's own reason for its 10-year limit", () => {
    setRequired()
    setInputs({ ...RETENTION, [Inputs.KeepLaunchedWithin]: '3651d' })
    expect(inputError().message).not.toContain('deprecation')
  })

  it('reports keep-latest without family first', () => {
    setRequired()
    setInputs({ [Inputs.KeepLatest]: '3', [Inputs.KeepLaunchedWithin]: '30d' })
    expectInputError(Inputs.KeepLatest, "needs input 'family'")
  })
})

describe('deregistration-protection', () => {
  it.each(['off', 'on', 'on-with-cooldown'] as const)("reads '%s'", value => {
    expect(distribution({ [Inputs.DeregistrationProtection]: value }).deregistrationProtection).toBe(value)
  })

  it.each(['true', 'false', 'On', 'cooldown', 'on-with-cool-down', 'enabled'])("rejects '%s'", value => {
    setRequired()
    setInput(Inputs.DeregistrationProtection, value)
    expectInputError(
      Inputs.DeregistrationProtection,
      `Invalid value '${value}' for input 'deregistration-protection': expected one of off, on, on-with-cooldown`
    )
  })
})

describe('if-exists', () => {
  it.each(['fail', 'reuse', 'replace'] as const)("reads '%s'", value => {
    setRequired()
    setInput(Inputs.IfExists, value)
    expect(read().ifExists).toBe(value)
  })

  it.each(['skip', 'Reuse', 'overwrite', 'true'])("rejects '%s'", value => {
    setRequired()
    setInput(Inputs.IfExists, value)
    expectInputError(Inputs.IfExists, `Invalid value '${value}' for input 'if-exists': expected one of fail, reuse, replace`)
  })
})

describe('distribution with wait false', () => {
  it.each<[string, Record<string, string>]>([
    [Inputs.CopyToRegions, { [Inputs.CopyToRegions]: 'us-east-1' }],
    [Inputs.ShareWithAccounts, { [Inputs.ShareWithAccounts]: ACCOUNT_A }],
    [Inputs.ShareWithOrganizations, { [Inputs.ShareWithOrganizations]: ORG_A }],
    [Inputs.ShareWithOus, { [Inputs.ShareWithOus]: OU_A }],
    [Inputs.DeprecateAfter, { [Inputs.DeprecateAfter]: '90d' }],
    [Inputs.ImdsSupport, { [Inputs.ImdsSupport]: 'v2.0' }],
    [Inputs.KeepLatest, { [Inputs.Family]: 'web', [Inputs.KeepLatest]: '3' }],
    [Inputs.DeregistrationProtection, { [Inputs.DeregistrationProtection]: 'on' }],
    [Inputs.SsmParameter, { [Inputs.SsmParameter]: '/images/web/latest' }],
    [Inputs.LaunchTemplate, { [Inputs.LaunchTemplate]: 'web' }],
    [Inputs.Encrypt, { [Inputs.Encrypt]: 'true' }]
  ])('refuses %s: it acts on the available image', (input, inputs) => {
    setRequired()
    setInputs({ ...inputs, [Inputs.Wait]: 'false' })
    expectInputError(input, `for input '${input}': acts on the image once it is available, and 'wait' is false`)
    expect(inputError().message).toContain(`Remove 'wait: false' so the step waits, or remove '${input}'`)
  })

  it.each<[string, Record<string, string>, string]>([
    ['deregistration-protection on-with-cooldown', { [Inputs.DeregistrationProtection]: 'on-with-cooldown' }, Inputs.DeregistrationProtection],
    ['keep-launched-within, as the keep-latest it needs', { [Inputs.Family]: 'web', [Inputs.KeepLatest]: '3', [Inputs.KeepLaunchedWithin]: '30d' }, Inputs.KeepLatest],
    ['a launch template id', { [Inputs.LaunchTemplate]: LAUNCH_TEMPLATE_ID }, Inputs.LaunchTemplate],
    ['launch-template-default false, as the launch-template it needs', { [Inputs.LaunchTemplate]: 'web', [Inputs.LaunchTemplateDefault]: 'false' }, Inputs.LaunchTemplate]
  ])('refuses %s', (_, inputs, input) => {
    setRequired()
    setInputs({ ...inputs, [Inputs.Wait]: 'false' })
    expectInputError(input, `for input '${input}': acts on the image once it is available, and 'wait' is false`)
  })

  it.each<[string, Record<string, string>]>([
    ['family alone (a tag)', { [Inputs.Family]: 'web' }],
    ['share-snapshots without accounts', { [Inputs.ShareSnapshots]: 'true' }],
    ['copy-to-regions naming only the bake region', { [Inputs.CopyToRegions]: 'eu-west-1' }],
    ['if-exists', { [Inputs.IfExists]: 'reuse' }],
    ['deregistration-protection off', { [Inputs.DeregistrationProtection]: 'off' }],
    ['launch-template-default true without launch-template (the default)', { [Inputs.LaunchTemplateDefault]: 'true' }]
  ])('accepts %s', (_, inputs) => {
    setRequired()
    setInputs({ ...inputs, [Inputs.Wait]: 'false' })
    expect(read().wait).toBe(false)
  })

  it('reports a malformed value before the missing wait', () => {
    setRequired()
    setInputs({ [Inputs.DeprecateAfter]: '90m', [Inputs.Wait]: 'false' })
    expectInputError(Inputs.DeprecateAfter, 'expected a whole number of hours, days or weeks')
  })
})

describe('distribution', () => {
  const EVERY_INPUT = {
    [Inputs.CopyToRegions]: 'us-east-1, eu-central-1\nap-southeast-2',
    [Inputs.ShareWithAccounts]: `${ACCOUNT_A}\n${ACCOUNT_B}`,
    [Inputs.ShareWithOrganizations]: ORG_A,
    [Inputs.ShareWithOus]: OU_A,
    [Inputs.ShareSnapshots]: 'true',
    [Inputs.DeprecateAfter]: '26w',
    [Inputs.ImdsSupport]: 'v2.0',
    [Inputs.Family]: 'web server',
    [Inputs.KeepLatest]: '5',
    [Inputs.KeepLaunchedWithin]: '30d',
    [Inputs.DeregistrationProtection]: 'on-with-cooldown',
    [Inputs.IfExists]: 'reuse'
  }

  it('reads every input together', () => {
    setRequired()
    setInputs(EVERY_INPUT)
    const settings = read()
    expect(settings.distribution).toStrictEqual({
      copyToRegions: ['us-east-1', 'eu-central-1', 'ap-southeast-2'],
      shareWithAccounts: [ACCOUNT_A, ACCOUNT_B],
      shareWithOrganizations: [ORG_A],
      shareWithOus: [OU_A],
      shareSnapshots: true,
      deprecateAfterMs: 26 * 7 * 86_400_000,
      imdsSupport: 'v2.0',
      family: 'web server',
      keepLatest: 5,
      keepLaunchedWithinMs: 30 * 86_400_000,
      deregistrationProtection: 'on-with-cooldown'
    })
    expect(settings.ifExists).toBe('reuse')
  })

  it('is allowed with dry-run: the permissions are checked later', () => {
    setRequired()
    setInputs({ ...EVERY_INPUT, [Inputs.DryRun]: 'true' })
    expect(read()).toMatchObject({ dryRun: true, distribution: { keepLatest: 5 } })
  })

  it('is described one setting a line, for the debug log', () => {
    setRequired()
    setInputs(EVERY_INPUT)
    const lines = describeSettings(read())
    expect(lines).toEqual(
      expect.arrayContaining([
        'distribution.copyToRegions: ["us-east-1","eu-central-1","ap-southeast-2"]',
        `distribution.shareWithAccounts: ["${ACCOUNT_A}","${ACCOUNT_B}"]`,
        'distribution.deprecateAfterMs: 15724800000',
        'distribution.family: "web server"',
        'distribution.keepLatest: 5',
        'distribution.keepLaunchedWithinMs: 2592000000',
        'distribution.deregistrationProtection: "on-with-cooldown"',
        'ifExists: "reuse"',
        `tags: [{"key":"bake-ami:family","value":"web server"}]`
      ])
    )
    expect(lines.some(line => line.startsWith('distribution:'))).toBe(false)
  })
})

function handOff(inputs: Record<string, string>): HandOff {
  setRequired()
  setInputs(inputs)
  return read().handOff
}

/** `count` characters of one level, with the leading '/': a parameter name of exactly that length. */
function parameterOfLength(count: number): string {
  return `/${'p'.repeat(count - 1)}`
}

describe('ssm-parameter', () => {
  it.each([
    ['a hierarchy', '/images/web/latest'],
    ['one level with a leading slash', '/web-latest'],
    ['a name without levels', 'web-latest'],
    ['one character', 'w'],
    ['every allowed character', '/Az09_.-/x'],
    ['15 levels', `/${Array.from({ length: 15 }, (_, i) => `L${i + 1}`).join('/')}`],
    ['aws or ssm past the first level', '/images/aws/ssm-web'],
    ['aws or ssm inside the first level', '/my-aws-ssm/web'],
    ['966 characters in eu-west-1 (1011 less the 45 of arn:aws:ssm:eu-west-1:123456789012:parameter/)', parameterOfLength(966)]
  ])('accepts %s', (_, name) => {
    expect(handOff({ [Inputs.SsmParameter]: name }).ssmParameter).toBe(name)
  })

  it.each<[string, string, string]>([
    ['an ARN', 'arn:aws:ssm:eu-west-1:123456789012:parameter/images/web', "give the parameter's name, such as /images/web/latest, not its ARN: the parameter is written in each region of the run"],
    ['a space', '/images/web latest', "' ' is not allowed in a parameter name; use letters, digits and _ . -, with / between levels, such as /images/web/latest"],
    ['a colon', '/images:web', "':' is not allowed in a parameter name"],
    ['an at sign', '/images/web@latest', "'@' is not allowed"],
    ['a placeholder', '/images/{{ ref_name }}', "'{' is not allowed"],
    ['a letter beyond ASCII', '/images/wéb', "'é' is not allowed"],
    ['levels without a leading slash', 'images/web', "a name with levels starts with '/': give /images/web"],
    ['a slash alone', '/', 'a level of the name is empty'],
    ['an empty level', '/images//web', "a level of the name is empty ('//', or '/' at the end)"],
    ['a slash at the end', '/images/web/', 'a level of the name is empty'],
    ['16 levels', `/${Array.from({ length: 16 }, (_, i) => `L${i + 1}`).join('/')}`, "Parameter Store allows a hierarchy at most 15 levels deep, the name's last level included, and this one has 16"],
    ['aws first', 'awsWeb', "Parameter Store reserves names that begin with 'aws' or 'ssm'"],
    ['ssm first in another case', 'SSM-web', "Parameter Store reserves names that begin with 'aws' or 'ssm'"],
    ['aws as the first level', '/aws/web', "Parameter Store reserves names that begin with 'aws' or 'ssm'"],
    ['a first level beginning with Ssm', '/Ssmweb/latest', "Parameter Store reserves names that begin with 'aws' or 'ssm'"],
    ['967 characters in eu-west-1', parameterOfLength(967), 'Parameter Store allows 1011 characters for a name, counting the ARN before it, which in eu-west-1 is 45 characters (arn:aws:ssm:eu-west-1:<account>:parameter/): give at most 966, not 967']
  ])('rejects %s', (_, name, fragment) => {
    setRequired()
    setInput(Inputs.SsmParameter, name)
    expectInputError(Inputs.SsmParameter, `Invalid value '${name}' for input 'ssm-parameter': ${fragment}`)
  })

  it.each<[string, Record<string, string>, number, string]>([
    ['the longest copy region', { [Inputs.CopyToRegions]: 'us-east-1, ap-southeast-2' }, 961, 'in ap-southeast-2 is 50 characters'],
    ['a GovCloud bake region, in its partition', { [Inputs.AwsRegion]: 'us-gov-west-1' }, 955, 'in us-gov-west-1 is 56 characters (arn:aws-us-gov:ssm:us-gov-west-1:<account>:parameter/)'],
    ['a China bake region, in its partition', { [Inputs.AwsRegion]: 'cn-north-1' }, 962, 'in cn-north-1 is 49 characters (arn:aws-cn:ssm:cn-north-1:<account>:parameter/)']
  ])('leaves room for the ARN in %s', (_, inputs, room, fragment) => {
    expect(handOff({ ...inputs, [Inputs.SsmParameter]: parameterOfLength(room) }).ssmParameter).toHaveLength(room)
    setInput(Inputs.SsmParameter, parameterOfLength(room + 1))
    expectInputError(Inputs.SsmParameter, fragment)
    expect(inputError().message).toContain(`give at most ${room}, not ${room + 1}`)
  })
})

describe('launch-template', () => {
  it.each([
    ['an id', LAUNCH_TEMPLATE_ID],
    ['a name of 3 characters', 'web'],
    ['a name of 128 characters', 'w'.repeat(128)],
    ['a name of every allowed character', 'Web_(1).x-y/z'],
    ["a name starting with 'lt-' that is not an id", 'lt-web'],
    ["'lt-' and upper-case hex digits, which is a name, not an id", 'lt-0123456789ABCDEF0']
  ])('accepts %s', (_, value) => {
    expect(handOff({ [Inputs.LaunchTemplate]: value }).launchTemplate).toBe(value)
  })

  it.each<[string, string, string]>([
    ['a space', 'web server', "' ' is not allowed in a launch template name; expected a launch template id ('lt-' and 17 hex digits) or a name of 3 to 128 letters, digits and ( ) . - / _"],
    ['a colon', 'web:1', "':' is not allowed in a launch template name"],
    ['a name of 2 characters', 'lt', 'a launch template name has 3 to 128 characters, not 2; expected a launch template id'],
    ['a name of 129 characters', 'w'.repeat(129), 'a launch template name has 3 to 128 characters, not 129'],
    ['a letter beyond ASCII', 'wéb', "'é' is not allowed in a launch template name"]
  ])('rejects %s', (_, value, fragment) => {
    setRequired()
    setInput(Inputs.LaunchTemplate, value)
    expectInputError(Inputs.LaunchTemplate, fragment)
    expect(inputError().message).toContain(`Invalid value '${value}' for input 'launch-template': `)
  })

  it.each([
    [LAUNCH_TEMPLATE_ID, true],
    ['lt-0123abcd', false],
    ['lt-0123456789abcdef', false],
    ['lt-0123456789ABCDEF0', false],
    ['web', false]
  ])("tells an id from a name: '%s' is an id: %s", (value, id) => {
    expect(isLaunchTemplateId(value)).toBe(id)
  })
})

describe('launch-template-default', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    ['', true]
  ])("reads '%s' as %s with launch-template", (value, expected) => {
    expect(handOff({ [Inputs.LaunchTemplate]: 'web', [Inputs.LaunchTemplateDefault]: value }).launchTemplateDefault).toBe(expected)
  })

  it.each(['yes', 'no', '1', '0', 'off', 'tRUE'])("rejects '%s'", value => {
    setRequired()
    setInputs({ [Inputs.LaunchTemplate]: 'web', [Inputs.LaunchTemplateDefault]: value })
    expectInputError(Inputs.LaunchTemplateDefault, `Invalid value '${value}' for input 'launch-template-default': expected a YAML boolean`)
  })

  it('false needs launch-template, and the error names both inputs', () => {
    setRequired()
    setInput(Inputs.LaunchTemplateDefault, 'false')
    expectInputError(Inputs.LaunchTemplateDefault, "Invalid value 'false' for input 'launch-template-default': needs input 'launch-template'")
    expect(inputError().message).toContain("Set 'launch-template', or remove 'launch-template-default'")
  })

  it('reports a malformed launch-template before anything about the default', () => {
    setRequired()
    setInputs({ [Inputs.LaunchTemplate]: 'w', [Inputs.LaunchTemplateDefault]: 'false' })
    expectInputError(Inputs.LaunchTemplate, 'a launch template name has 3 to 128 characters, not 1')
  })
})

describe('hand-off', () => {
  const EVERY_INPUT = {
    [Inputs.CopyToRegions]: 'us-east-1',
    [Inputs.SsmParameter]: '/images/web/latest',
    [Inputs.LaunchTemplate]: LAUNCH_TEMPLATE_ID,
    [Inputs.LaunchTemplateDefault]: 'false'
  }

  it('reads every input together', () => {
    expect(handOff(EVERY_INPUT)).toStrictEqual({ ssmParameter: '/images/web/latest', launchTemplate: LAUNCH_TEMPLATE_ID, launchTemplateDefault: false })
  })

  it('is allowed with dry-run: the calls are checked later', () => {
    setRequired()
    setInputs({ ...EVERY_INPUT, [Inputs.DryRun]: 'true' })
    expect(read()).toMatchObject({ dryRun: true, handOff: { ssmParameter: '/images/web/latest' } })
  })

  it('is described one setting a line, for the debug log', () => {
    setRequired()
    setInputs(EVERY_INPUT)
    const lines = describeSettings(read())
    expect(lines).toEqual(
      expect.arrayContaining([
        'handOff.ssmParameter: "/images/web/latest"',
        `handOff.launchTemplate: "${LAUNCH_TEMPLATE_ID}"`,
        'handOff.launchTemplateDefault: false'
      ])
    )
    expect(lines.some(line => line.startsWith('handOff:'))).toBe(false)
  })

  it('reports a malformed value before the missing wait', () => {
    setRequired()
    setInputs({ [Inputs.SsmParameter]: 'images/web', [Inputs.Wait]: 'false' })
    expectInputError(Inputs.SsmParameter, "a name with levels starts with '/'")
  })
})

const KEY_UUID = '1234abcd-12ab-34cd-56ef-1234567890ab'
const KEY_MRK = 'mrk-1234abcd12ab34cd56ef1234567890ab'
const KMS_ACCOUNT = '111122223333'
const keyArn = (region: string, id: string, partition = 'aws') => `arn:${partition}:kms:${region}:${KMS_ACCOUNT}:key/${id}`
const aliasArn = (region: string, name: string, partition = 'aws') => `arn:${partition}:kms:${region}:${KMS_ACCOUNT}:alias/${name}`
const ENCRYPT = { [Inputs.Encrypt]: 'true' }

function encryption(inputs: Record<string, string>): Encryption {
  setRequired()
  setInputs(inputs)
  return read().encryption
}

describe('encrypt', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['FALSE', false],
    ['', false]
  ])("reads '%s' as %s", (value, expected) => {
    expect(encryption({ [Inputs.Encrypt]: value }).encrypt).toBe(expected)
  })

  it.each(['yes', 'on', '1', 'encrypted'])("rejects '%s'", value => {
    setRequired()
    setInput(Inputs.Encrypt, value)
    expectInputError(Inputs.Encrypt, `Invalid value '${value}' for input 'encrypt': expected a YAML boolean`)
  })

  it('alone asks for no key: every region uses its default EBS key', () => {
    expect(encryption({ ...ENCRYPT, [Inputs.CopyToRegions]: 'us-east-1' })).toStrictEqual({
      encrypt: true,
      keys: new Map(),
      copyCompletionMinutes: undefined
    })
  })
})

describe('kms-key-id', () => {
  it.each<[string, string, Record<string, string>?]>([
    ['a key id', KEY_UUID],
    ['a multi-Region key id', KEY_MRK],
    ['a key ARN of the bake region', keyArn('eu-west-1', KEY_UUID)],
    ['a multi-Region key ARN of the bake region', keyArn('eu-west-1', KEY_MRK)],
    ['an alias name', 'alias/release'],
    ['an alias name of an AWS managed key (judged later)', 'alias/aws/ebs'],
    ['an alias name of every allowed character', 'alias/Az09/_-x'],
    ['an alias name of 250 characters after alias/', `alias/${'a'.repeat(250)}`],
    ['an alias ARN of the bake region', aliasArn('eu-west-1', 'release/web')],
    ['a GovCloud key ARN in a GovCloud region', keyArn('us-gov-west-1', KEY_UUID, 'aws-us-gov'), { [Inputs.AwsRegion]: 'us-gov-west-1' }],
    ['a China alias ARN in a China region', aliasArn('cn-north-1', 'release', 'aws-cn'), { [Inputs.AwsRegion]: 'cn-north-1' }]
  ])('accepts %s for the bake region', (_, key, inputs = {}) => {
    setRequired()
    setInputs({ ...ENCRYPT, ...inputs, [Inputs.KmsKeyId]: key })
    const settings = read()
    expect(settings.encryption.keys).toStrictEqual(new Map([[settings.region, key]]))
  })

  it.each([
    ['a key id in upper case', KEY_UUID.toUpperCase()],
    ['a key id without dashes', KEY_UUID.replace(/-/g, '')],
    ['a key id one digit short', KEY_UUID.slice(0, -1)],
    ['a multi-Region key id of 31 hex digits', KEY_MRK.slice(0, -1)],
    ['a multi-Region key id in upper case', `mrk-${KEY_MRK.slice(4).toUpperCase()}`],
    ['an alias without alias/', 'release'],
    ['alias/ alone', 'alias/'],
    ['an alias name of 251 characters after alias/', `alias/${'a'.repeat(251)}`],
    ['an alias name with a space', 'alias/web release'],
    ['an alias name with a dot', 'alias/web.release'],
    ['a key ARN with an 11-digit account', `arn:aws:kms:eu-west-1:${KMS_ACCOUNT.slice(1)}:key/${KEY_UUID}`],
    ['a key ARN without an account', `arn:aws:kms:eu-west-1::key/${KEY_UUID}`],
    ['an ARN of another service', `arn:aws:ec2:eu-west-1:${KMS_ACCOUNT}:key/${KEY_UUID}`],
    ['an ARN of another partition', keyArn('eu-west-1', KEY_UUID, 'aws-iso')],
    ['a key ARN naming an alias as the key', `arn:aws:kms:eu-west-1:${KMS_ACCOUNT}:key/release`],
    ['an ARN without a region', `arn:aws:kms::${KMS_ACCOUNT}:key/${KEY_UUID}`],
    ['an ARN with a placeholder for the region', keyArn('{{ region }}', KEY_UUID)]
  ])('rejects %s', (_, key) => {
    setRequired()
    setInputs({ ...ENCRYPT, [Inputs.KmsKeyId]: key })
    expectInputError(Inputs.KmsKeyId, `Invalid value '${key}' for input 'kms-key-id': expected a key id (a UUID in lower case`)
    expect(inputError().message).toContain('an alias name (alias/ and 1 to 250 letters, digits and / _ -, such as alias/release) or an alias ARN')
  })

  it.each([
    ['a key ARN', keyArn('us-east-1', KEY_UUID), 'key ARN'],
    ['a multi-Region key ARN', keyArn('us-east-1', KEY_MRK), 'key ARN'],
    ['an alias ARN', aliasArn('us-east-1', 'release'), 'alias ARN']
  ])('rejects %s of another region, naming both regions', (_, key, kind) => {
    setRequired()
    setInputs({ ...ENCRYPT, [Inputs.KmsKeyId]: key })
    expectInputError(
      Inputs.KmsKeyId,
      `Invalid value '${key}' for input 'kms-key-id': the ${kind} names us-east-1, and the image is baked in eu-west-1: EBS encrypts an image only with a key in the image's own region. Give a key of eu-west-1`
    )
  })

  it("rejects an ARN of the bake region's code in another partition", () => {
    setRequired()
    setInputs({ ...ENCRYPT, [Inputs.KmsKeyId]: keyArn('eu-west-1', KEY_UUID, 'aws-cn') })
    expectInputError(Inputs.KmsKeyId, 'the key ARN is in partition aws-cn, and eu-west-1 is in aws: give arn:aws:kms:eu-west-1:…')
  })

  it.each(['', 'false'])("needs encrypt: true (encrypt '%s'), and the error says to set it", value => {
    setRequired()
    setInputs({ [Inputs.Encrypt]: value, [Inputs.KmsKeyId]: 'alias/release' })
    expectInputError(Inputs.KmsKeyId, "Invalid value 'alias/release' for input 'kms-key-id': picks the key the release is encrypted with, and 'encrypt' is not true")
    expect(inputError().message).toContain("Set 'encrypt: true', or remove 'kms-key-id'")
  })

  it('reports a malformed key before the missing encrypt', () => {
    setRequired()
    setInput(Inputs.KmsKeyId, 'release')
    expectInputError(Inputs.KmsKeyId, 'expected a key id')
  })
})

describe('copy-kms-key-ids', () => {
  const COPIES = { ...ENCRYPT, [Inputs.CopyToRegions]: 'us-east-1, ap-southeast-2' }
  const EXPECTED = new Map([
    ['us-east-1', 'alias/release'],
    ['ap-southeast-2', KEY_UUID]
  ])

  it.each([
    ['one region=key a line', `us-east-1=alias/release\nap-southeast-2=${KEY_UUID}`],
    ['items between commas', `us-east-1=alias/release,ap-southeast-2=${KEY_UUID}`],
    ['spaces around items, regions and keys', `  us-east-1 = alias/release ,\n  ap-southeast-2=  ${KEY_UUID}  `],
    ['empty lines and items', `\n\nus-east-1=alias/release,,\n , \nap-southeast-2=${KEY_UUID}\n`],
    ['CRLF line ends', `us-east-1=alias/release\r\nap-southeast-2=${KEY_UUID}\r\n`]
  ])('reads %s', (_, value) => {
    expect(encryption({ ...COPIES, [Inputs.CopyKmsKeyIds]: value }).keys).toStrictEqual(EXPECTED)
  })

  it.each([
    ['a key ARN of its region', keyArn('us-east-1', KEY_UUID)],
    ['an alias ARN of its region', aliasArn('us-east-1', 'release')],
    ['a multi-Region key id', KEY_MRK]
  ])('accepts %s', (_, key) => {
    expect(encryption({ ...COPIES, [Inputs.CopyKmsKeyIds]: `us-east-1=${key}` }).keys.get('us-east-1')).toBe(key)
  })

  it.each<[string, string, string]>([
    ['no =', 'us-east-1 alias/release', 'expected region=key, one a line or separated by commas, such as us-east-1=alias/release'],
    ['a region that is not a copy region, naming the copy regions', 'eu-central-1=alias/release', "'eu-central-1' is not a copy region; the copy regions ('copy-to-regions', without the bake region) are us-east-1, ap-southeast-2"],
    ['a malformed region', 'US-EAST-1=alias/release', "'US-EAST-1' is not a copy region"],
    ['no region', '=alias/release', "'' is not a copy region"],
    ['the bake region', 'eu-west-1=alias/release', "eu-west-1 is the bake region, not a copy region: give its key in 'kms-key-id'"],
    ['no key', 'us-east-1=', 'expected a key id'],
    ['a malformed key', 'us-east-1=release', 'expected a key id (a UUID in lower case'],
    ['a key ARN of another region, naming both', `us-east-1=${keyArn('eu-west-1', KEY_UUID)}`, "the key ARN names eu-west-1, and this key is for us-east-1: EBS encrypts an image only with a key in the image's own region. Give a key of us-east-1"],
    ['an alias ARN of another region', `us-east-1=${aliasArn('ap-southeast-2', 'release')}`, 'the alias ARN names ap-southeast-2, and this key is for us-east-1']
  ])('rejects %s', (_, item, fragment) => {
    setRequired()
    setInputs({ ...COPIES, [Inputs.CopyKmsKeyIds]: `ap-southeast-2=${KEY_UUID}\n${item}` })
    expectInputError(Inputs.CopyKmsKeyIds, `Invalid value '${item}' for input 'copy-kms-key-ids': ${fragment}`)
  })

  it('rejects a region given twice', () => {
    setRequired()
    setInputs({ ...COPIES, [Inputs.CopyKmsKeyIds]: `us-east-1=alias/release\nus-east-1=${KEY_UUID}` })
    expectInputError(Inputs.CopyKmsKeyIds, `Invalid value 'us-east-1=${KEY_UUID}' for input 'copy-kms-key-ids': us-east-1 is given twice: give one key per region`)
  })

  it.each([
    ['without copy-to-regions', {}],
    ['with copy-to-regions naming only the bake region', { [Inputs.CopyToRegions]: 'eu-west-1' }]
  ])('rejects a key %s: there are no copy regions', (_, inputs) => {
    setRequired()
    setInputs({ ...ENCRYPT, ...inputs, [Inputs.CopyKmsKeyIds]: 'us-east-1=alias/release' })
    expectInputError(Inputs.CopyKmsKeyIds, "'us-east-1' is not a copy region, and there are none: 'copy-to-regions' lists no region besides the bake region, eu-west-1")
  })

  it('needs encrypt: true, and the error says to set it', () => {
    setRequired()
    setInputs({ [Inputs.CopyToRegions]: 'us-east-1', [Inputs.CopyKmsKeyIds]: 'us-east-1=alias/release' })
    expectInputError(Inputs.CopyKmsKeyIds, "Invalid value 'us-east-1=alias/release' for input 'copy-kms-key-ids': picks the key the release is encrypted with")
    expect(inputError().message).toContain("Set 'encrypt: true', or remove 'copy-kms-key-ids'")
  })

  it('reads nothing but separators as no keys, which needs no encrypt', () => {
    expect(encryption({ [Inputs.CopyKmsKeyIds]: ' ,\n, ' })).toStrictEqual({ encrypt: false, keys: new Map(), copyCompletionMinutes: undefined })
  })
})

describe('keys by region', () => {
  const COPIES = { ...ENCRYPT, [Inputs.CopyToRegions]: 'us-east-1, ap-southeast-2' }

  it.each<[string, Record<string, string>, [string, string][]]>([
    ['an alias name: as is in every region', { [Inputs.KmsKeyId]: 'alias/release' }, [['eu-west-1', 'alias/release'], ['us-east-1', 'alias/release'], ['ap-southeast-2', 'alias/release']]],
    ['a multi-Region key id: as is in every region', { [Inputs.KmsKeyId]: KEY_MRK }, [['eu-west-1', KEY_MRK], ['us-east-1', KEY_MRK], ['ap-southeast-2', KEY_MRK]]],
    [
      'a multi-Region key ARN: rewritten for each copy region',
      { [Inputs.KmsKeyId]: keyArn('eu-west-1', KEY_MRK) },
      [['eu-west-1', keyArn('eu-west-1', KEY_MRK)], ['us-east-1', keyArn('us-east-1', KEY_MRK)], ['ap-southeast-2', keyArn('ap-southeast-2', KEY_MRK)]]
    ],
    [
      'an alias ARN: rewritten for each copy region',
      { [Inputs.KmsKeyId]: aliasArn('eu-west-1', 'release') },
      [['eu-west-1', aliasArn('eu-west-1', 'release')], ['us-east-1', aliasArn('us-east-1', 'release')], ['ap-southeast-2', aliasArn('ap-southeast-2', 'release')]]
    ],
    ['a single-Region key id: the copy regions use their default key', { [Inputs.KmsKeyId]: KEY_UUID }, [['eu-west-1', KEY_UUID]]],
    ['a single-Region key ARN: the copy regions use their default key', { [Inputs.KmsKeyId]: keyArn('eu-west-1', KEY_UUID) }, [['eu-west-1', keyArn('eu-west-1', KEY_UUID)]]],
    [
      "a listed region's own key over kms-key-id",
      { [Inputs.KmsKeyId]: 'alias/release', [Inputs.CopyKmsKeyIds]: `us-east-1=${KEY_UUID}` },
      [['eu-west-1', 'alias/release'], ['us-east-1', KEY_UUID], ['ap-southeast-2', 'alias/release']]
    ],
    [
      'a listed region beside a single-Region kms-key-id',
      { [Inputs.KmsKeyId]: KEY_UUID, [Inputs.CopyKmsKeyIds]: `ap-southeast-2=${KEY_MRK}` },
      [['eu-west-1', KEY_UUID], ['ap-southeast-2', KEY_MRK]]
    ],
    ['listed regions alone: the bake region and the others use their default key', { [Inputs.CopyKmsKeyIds]: 'us-east-1=alias/release' }, [['us-east-1', 'alias/release']]],
    ['no key at all: every region uses its default key', {}, []]
  ])('%s', (_, inputs, expected) => {
    const keys = encryption({ ...COPIES, ...inputs }).keys
    expect(keys).toStrictEqual(new Map(expected))
    expect([...keys.keys()]).toStrictEqual(expected.map(([region]) => region))
  })

  it('gives no key to the bake region listed in copy-to-regions, which is not a copy', () => {
    expect(encryption({ ...ENCRYPT, [Inputs.CopyToRegions]: 'eu-west-1, us-east-1', [Inputs.KmsKeyId]: aliasArn('eu-west-1', 'release') }).keys).toStrictEqual(
      new Map([
        ['eu-west-1', aliasArn('eu-west-1', 'release')],
        ['us-east-1', aliasArn('us-east-1', 'release')]
      ])
    )
  })

  it('keeps the partition when it rewrites an ARN', () => {
    const key = aliasArn('us-gov-west-1', 'release', 'aws-us-gov')
    expect(encryption({ ...ENCRYPT, [Inputs.AwsRegion]: 'us-gov-west-1', [Inputs.CopyToRegions]: 'us-gov-east-1', [Inputs.KmsKeyId]: key }).keys.get('us-gov-east-1')).toBe(
      aliasArn('us-gov-east-1', 'release', 'aws-us-gov')
    )
  })
})

describe('copy-completion-minutes', () => {
  const COPIES = { [Inputs.CopyToRegions]: 'us-east-1' }

  it.each([
    ['15', 15],
    ['60', 60],
    ['45', 45],
    ['2880', 2880],
    ['015', 15]
  ])("reads '%s' as %d minutes with copy-to-regions", (value, minutes) => {
    expect(encryption({ ...COPIES, [Inputs.CopyCompletionMinutes]: value }).copyCompletionMinutes).toBe(minutes)
  })

  it('is allowed with encrypt alone: the encrypting copy is a CopyImage too', () => {
    expect(encryption({ ...ENCRYPT, [Inputs.CopyCompletionMinutes]: '60' }).copyCompletionMinutes).toBe(60)
  })

  it.each(['10', '0', '-15', '2895', '2890', '1.5', '60m', '1h', '15.0', '1e2', 'sixty', '9'.repeat(400)])("rejects '%s'", value => {
    setRequired()
    setInputs({ ...COPIES, [Inputs.CopyCompletionMinutes]: value })
    expectInputError(
      Inputs.CopyCompletionMinutes,
      `Invalid value '${value}' for input 'copy-completion-minutes': expected whole minutes from 15 to 2880 (48 hours) in steps of 15, such as 15, 60 or 2880`
    )
  })

  it.each([
    ['17', 15, 30],
    ['50', 45, 60],
    ['2879', 2865, 2880]
  ])("rejects '%s', not a multiple of 15, naming the nearest", (value, below, above) => {
    setRequired()
    setInputs({ ...COPIES, [Inputs.CopyCompletionMinutes]: value })
    expectInputError(
      Inputs.CopyCompletionMinutes,
      `Invalid value '${value}' for input 'copy-completion-minutes': ${value} is not a multiple of 15 (the nearest are ${below} and ${above}); expected whole minutes from 15 to 2880`
    )
  })

  it.each([
    ['neither copy-to-regions nor encrypt', {}],
    ['copy-to-regions naming only the bake region', { [Inputs.CopyToRegions]: 'eu-west-1' }],
    ['encrypt false', { [Inputs.Encrypt]: 'false' }]
  ])('needs a CopyImage: rejects it with %s', (_, inputs) => {
    setRequired()
    setInputs({ ...inputs, [Inputs.CopyCompletionMinutes]: '60' })
    expectInputError(Inputs.CopyCompletionMinutes, "Invalid value '60' for input 'copy-completion-minutes': applies to CopyImage, and the run makes no copy")
    expect(inputError().message).toContain("Set one of them, or remove 'copy-completion-minutes'")
  })

  it('reports a malformed value before the missing copies', () => {
    setRequired()
    setInput(Inputs.CopyCompletionMinutes, '17')
    expectInputError(Inputs.CopyCompletionMinutes, 'is not a multiple of 15')
  })
})

describe('encryption', () => {
  const EVERY_INPUT = {
    ...ENCRYPT,
    [Inputs.CopyToRegions]: 'us-east-1, ap-southeast-2',
    [Inputs.KmsKeyId]: 'alias/release',
    [Inputs.CopyKmsKeyIds]: `ap-southeast-2=${KEY_UUID}`,
    [Inputs.CopyCompletionMinutes]: '60'
  }

  it('reads every input together', () => {
    expect(encryption(EVERY_INPUT)).toStrictEqual({
      encrypt: true,
      keys: new Map([
        ['eu-west-1', 'alias/release'],
        ['us-east-1', 'alias/release'],
        ['ap-southeast-2', KEY_UUID]
      ]),
      copyCompletionMinutes: 60
    })
  })

  it('is allowed with dry-run: the keys are checked later', () => {
    setRequired()
    setInputs({ ...EVERY_INPUT, [Inputs.DryRun]: 'true' })
    expect(read()).toMatchObject({ dryRun: true, encryption: { encrypt: true, copyCompletionMinutes: 60 } })
  })

  it('is described one setting a line, the keys by region as an object', () => {
    setRequired()
    setInputs(EVERY_INPUT)
    const lines = describeSettings(read())
    expect(lines).toEqual(
      expect.arrayContaining([
        'encryption.encrypt: true',
        `encryption.keys: {"eu-west-1":"alias/release","us-east-1":"alias/release","ap-southeast-2":"${KEY_UUID}"}`,
        'encryption.copyCompletionMinutes: 60'
      ])
    )
    expect(lines.some(line => line.startsWith('encryption:'))).toBe(false)
  })

  it('reports a malformed key before the missing wait', () => {
    setRequired()
    setInputs({ ...ENCRYPT, [Inputs.KmsKeyId]: 'release', [Inputs.Wait]: 'false' })
    expectInputError(Inputs.KmsKeyId, 'expected a key id')
  })

  it('refuses copy-completion-minutes with wait false as the copy-to-regions it needs', () => {
    setRequired()
    setInputs({ [Inputs.CopyToRegions]: 'us-east-1', [Inputs.CopyCompletionMinutes]: '60', [Inputs.Wait]: 'false' })
    expectInputError(Inputs.CopyToRegions, "acts on the image once it is available, and 'wait' is false")
  })
})

/** The `default:` of every input in action.yml that has one. */
function actionDefaults(): Record<string, string> {
  const action = parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
    inputs: Record<string, { default?: string }>
  }
  return Object.fromEntries(
    Object.entries(action.inputs).flatMap(([name, input]) => (input.default === undefined ? [] : [[name, input.default]]))
  )
}
