/**
 * The README's IAM policy must let the action do everything src does, so that a role made by pasting it works:
 * every AWS call src sends has to be allowed by some statement in the README's ```json blocks. And every
 * ec2:/sts:/ssm:/kms: action those statements name has to exist, so that a typo cannot pass for a permission.
 *
 * Statements with a `Principal` belong to resource policies: the role's trust policy, or a KMS key policy. They
 * never count as the role's permission policy.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from '@jest/globals'
import ts from 'typescript'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** SDK client package to IAM service prefix: `new XCommand(…)` from that package needs `<prefix>:X`. */
const SERVICE_BY_PACKAGE: Readonly<Record<string, string>> = {
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-kms': 'kms'
}

/**
 * The IAM actions KMS defines (Service Authorization Reference, "Actions defined by AWS Key Management Service").
 * For ec2, sts and ssm the installed SDK's commands are the list of real actions, but not for kms: its IAM actions
 * are not its commands (the ReEncrypt call is authorized as kms:ReEncryptFrom and kms:ReEncryptTo, which no
 * command is named after), and @aws-sdk/client-kms need not be installed for the README to be checked. So kms
 * names are checked against this list, which does not depend on node_modules.
 */
const KMS_ACTIONS: readonly string[] = [
  'CancelKeyDeletion', 'ConnectCustomKeyStore', 'CreateAlias', 'CreateCustomKeyStore', 'CreateGrant', 'CreateKey',
  'Decrypt', 'DeleteAlias', 'DeleteCustomKeyStore', 'DeleteImportedKeyMaterial', 'DeriveSharedSecret',
  'DescribeCustomKeyStores', 'DescribeKey', 'DisableKey', 'DisableKeyRotation', 'DisconnectCustomKeyStore',
  'EnableKey', 'EnableKeyRotation', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GenerateRandom',
  'GetKeyPolicy', 'GetKeyRotationStatus', 'GetParametersForImport', 'GetPublicKey', 'ImportKeyMaterial',
  'ListAliases', 'ListGrants', 'ListKeyPolicies', 'ListKeyRotations', 'ListKeys', 'ListResourceTags',
  'ListRetirableGrants', 'PutKeyPolicy', 'ReEncryptFrom', 'ReEncryptTo', 'ReplicateKey', 'RetireGrant', 'RevokeGrant',
  'RotateKeyOnDemand', 'ScheduleKeyDeletion', 'Sign', 'SynchronizeMultiRegionKey', 'TagResource', 'UntagResource',
  'UpdateAlias', 'UpdateCustomKeyStore', 'UpdateKeyDescription', 'UpdatePrimaryRegion', 'Verify', 'VerifyMac'
].map(name => `kms:${name}`)

/** Where the real actions of a prefix come from when the installed SDK's commands are not the answer. */
const ACTIONS_BY_PREFIX: Readonly<Record<string, readonly string[]>> = { kms: KMS_ACTIONS }

/**
 * Calls made without a `new XCommand`: the credential provider sends AssumeRoleWithWebIdentity itself. That call
 * is allowed by the role's trust policy (the README's "IAM trust policy"), not by its permission policy.
 */
const PROVIDER_CALLS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '@aws-sdk/credential-providers': {
    fromWebToken: 'sts:AssumeRoleWithWebIdentity',
    fromTokenFile: 'sts:AssumeRoleWithWebIdentity'
  }
}

/** The one exception to "a permission statement allows it": the trust policy does, whoever sends it. */
const TRUST_POLICY_ACTIONS: ReadonlySet<string> = new Set(['sts:AssumeRoleWithWebIdentity'])

interface Statement {
  readonly Sid?: string
  readonly Effect?: string
  readonly Action?: string | readonly string[]
  readonly Principal?: unknown
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>
}

interface Call {
  readonly action: string
  readonly where: string
}

interface Readme {
  readonly statements: readonly Statement[]
  /** A ```json block that is not JSON: a user could not paste it. */
  readonly broken: readonly string[]
}

function readReadme(): Readme {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const statements: Statement[] = []
  const broken: string[] = []
  for (const block of text.matchAll(/^```json[^\n]*\n([\s\S]*?)^```/gm)) {
    const line = text.slice(0, block.index).split('\n').length
    let doc: unknown
    try {
      doc = JSON.parse(block[1])
    } catch (error) {
      broken.push(`README.md:${line}: ${String(error)}`)
      continue
    }
    // A whole policy document, or a bare list of statements to add to one.
    const found = Array.isArray(doc) ? doc : isObject(doc) && 'Statement' in doc ? [doc.Statement].flat() : []
    statements.push(...found.filter((s): s is Statement => isObject(s) && 'Effect' in s && 'Action' in s))
  }
  return { statements, broken }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function actionsOf(statement: Statement): string[] {
  return [statement.Action ?? []].flat()
}

/** IAM matches actions case-insensitively, with `*` and `?` as wildcards. */
function matches(pattern: string, action: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${source}$`, 'i').test(action)
}

/**
 * A statement conditioned on `aws:CalledVia` or `kms:ViaService` allows a call only when another service makes it
 * for the role (DescribeImageReferences reading instances, EBS using a KMS key), never when src makes it itself.
 */
function onlyViaAService(statement: Statement): boolean {
  return Object.values(statement.Condition ?? {}).some(keys =>
    Object.keys(keys).some(key => /^(aws:CalledVia|kms:ViaService$)/i.test(key))
  )
}

function allows(statements: readonly Statement[], action: string): boolean {
  return statements.some(statement => statement.Effect === 'Allow' && actionsOf(statement).some(pattern => matches(pattern, action)))
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/** `await import('pkg')`: the package, or undefined. */
function dynamicImportOf(node: ts.Expression): string | undefined {
  const call = ts.isAwaitExpression(node) ? node.expression : node
  if (!ts.isCallExpression(call) || call.expression.kind !== ts.SyntaxKind.ImportKeyword) return undefined
  const [argument] = call.arguments
  return argument && ts.isStringLiteral(argument) ? argument.text : undefined
}

/**
 * The AWS calls one file makes: `new XCommand(…)` of a client package, imported statically or with `await
 * import(…)`, by name or through a namespace, and the credential provider calls in PROVIDER_CALLS. A command of a
 * client package missing from SERVICE_BY_PACKAGE comes back as `unmapped`.
 */
function callsIn(file: string): { calls: Call[]; unmapped: string[] } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const named = new Map<string, { pkg: string; name: string }>()
  const namespaces = new Map<string, string>()
  const bind = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const pkg = node.moduleSpecifier.text
      const bindings = node.importClause?.namedBindings
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) named.set(element.name.text, { pkg, name: (element.propertyName ?? element.name).text })
      } else if (bindings && ts.isNamespaceImport(bindings)) namespaces.set(bindings.name.text, pkg)
    }
    if (ts.isVariableDeclaration(node) && node.initializer) {
      const pkg = dynamicImportOf(node.initializer)
      if (pkg !== undefined && ts.isObjectBindingPattern(node.name)) {
        for (const element of node.name.elements) {
          const property = element.propertyName ?? element.name
          if (ts.isIdentifier(property) && ts.isIdentifier(element.name)) named.set(element.name.text, { pkg, name: property.text })
        }
      } else if (pkg !== undefined && ts.isIdentifier(node.name)) namespaces.set(node.name.text, pkg)
    }
    ts.forEachChild(node, bind)
  }
  bind(source)

  const resolve = (callee: ts.Expression): { pkg: string; name: string } | undefined => {
    if (ts.isIdentifier(callee)) return named.get(callee.text)
    if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression)) {
      const pkg = namespaces.get(callee.expression.text)
      return pkg === undefined ? undefined : { pkg, name: callee.name.text }
    }
    return undefined
  }
  const calls: Call[] = []
  const unmapped: string[] = []
  const find = (node: ts.Node): void => {
    const where = () => `${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`
    if (ts.isNewExpression(node)) {
      const target = resolve(node.expression)
      if (target && /^[A-Z]\w*Command$/.test(target.name)) {
        const prefix = SERVICE_BY_PACKAGE[target.pkg]
        if (prefix) calls.push({ action: `${prefix}:${target.name.slice(0, -'Command'.length)}`, where: where() })
        else if (target.pkg.startsWith('@aws-sdk/client-')) unmapped.push(`${target.pkg} ${target.name} (${where()})`)
      }
    }
    if (ts.isCallExpression(node)) {
      const target = resolve(node.expression)
      const action = target && PROVIDER_CALLS[target.pkg]?.[target.name]
      if (action) calls.push({ action, where: where() })
    }
    ts.forEachChild(node, find)
  }
  find(source)
  return { calls, unmapped }
}

describe("README's IAM policy", () => {
  const readme = readReadme()
  const scans = sourceFiles(join(ROOT, 'src')).map(callsIn)
  const calls = scans.flatMap(scan => scan.calls)
  const permissionStatements = readme.statements.filter(statement => statement.Principal === undefined)
  const trustStatements = readme.statements.filter(statement => statement.Principal !== undefined)

  it('is valid JSON wherever the README has a json block', () => {
    expect(readme.broken).toEqual([])
  })

  it('sees the calls src makes, through static and dynamic imports and the credential provider', () => {
    const actions = new Set(calls.map(call => call.action))
    expect(actions).toContain('ec2:CreateImage')
    expect(actions).toContain('sts:DecodeAuthorizationMessage')
    expect(actions).toContain('sts:AssumeRoleWithWebIdentity')
    expect(scans.flatMap(scan => scan.unmapped)).toEqual([])
  })

  it('keeps resource policies apart: a statement with a Principal is the trust policy or a KMS key policy', () => {
    const stray = trustStatements.filter(statement => {
      const actions = actionsOf(statement)
      const trust = actions.every(action => TRUST_POLICY_ACTIONS.has(action))
      const keyPolicy = actions.every(action => action.toLowerCase().startsWith('kms:'))
      return !trust && !keyPolicy
    })
    expect(stray.map(statement => statement.Sid ?? JSON.stringify(statement))).toEqual([])
  })

  it('allows every AWS action src calls', () => {
    const direct = permissionStatements.filter(statement => !onlyViaAService(statement))
    const missing = new Map<string, string[]>()
    for (const { action, where } of calls) {
      if (TRUST_POLICY_ACTIONS.has(action) ? allows(trustStatements, action) : allows(direct, action)) continue
      missing.set(action, [...(missing.get(action) ?? []), where])
    }
    expect([...missing].map(([action, where]) => `${action} (called at ${where.join(', ')})`).sort()).toEqual([])
  })

  describe('names only actions that exist', () => {
    const commands = new Map<string, readonly string[]>()
    beforeAll(async () => {
      for (const [pkg, prefix] of Object.entries(SERVICE_BY_PACKAGE)) {
        const listed = ACTIONS_BY_PREFIX[prefix]
        if (listed) {
          commands.set(prefix, listed)
          continue
        }
        const exports = Object.keys((await import(pkg)) as Record<string, unknown>)
        commands.set(prefix, exports.filter(name => /^[A-Z]\w*Command$/.test(name)).map(name => `${prefix}:${name.slice(0, -'Command'.length)}`))
      }
    })

    it.each(Object.values(SERVICE_BY_PACKAGE))('%s: each action is a real IAM action (a command of the installed SDK, or listed)', prefix => {
      const named = readme.statements.flatMap(actionsOf).filter(action => action.toLowerCase().startsWith(`${prefix}:`))
      expect(named.length).toBeGreaterThan(0)
      const known = commands.get(prefix) ?? []
      const unknown = named.filter(pattern => !known.some(action => matches(pattern, action)))
      expect([...new Set(unknown)]).toEqual([])
    })
  })
})
