import { randomBytes, randomUUID } from 'node:crypto'
import { DEFAULT_REGION } from './regions.js'
import type { AddKeyOptions, KmsKeyManager, KmsKeyState, SimKey } from './types.js'

// KMS keys and aliases, per region. A multi-Region key (`mrk-…`) has one record per region it exists in, with the
// same key id; every other key lives in one region. An alias belongs to one region too: the same alias name may point
// at different keys in different regions, as on AWS.

/** The AWS managed key EBS uses when nothing else is named. KMS makes it the first time something asks for the alias. */
export const EBS_ALIAS = 'alias/aws/ebs'
/** The description KMS gives the AWS managed key for EBS. */
const EBS_KEY_DESCRIPTION = 'Default key that protects my EBS volumes when no other key is defined'
/** The predefined AWS aliases the sim knows: ListAliases shows them (without TargetKeyId) before their key exists. */
const PREDEFINED_ALIASES = [EBS_ALIAS]

const KEY_STATES: readonly KmsKeyState[] = ['Creating', 'Enabled', 'Disabled', 'PendingDeletion', 'PendingImport', 'PendingReplicaDeletion', 'Unavailable', 'Updating']
const ALIAS_PATTERN = /^alias\/[A-Za-z0-9/_-]{1,250}$/

export interface KeyRecord {
  keyId: string
  region: string
  arn: string
  keyManager: KmsKeyManager
  state: KmsKeyState
  keySpec: string
  keyUsage: string
  description: string
  multiRegion: boolean
  /** For a multi-Region key: the region of its primary key. */
  primaryRegion?: string
  /** epoch ms */
  createdAt: number
}

export interface AliasRecord {
  aliasName: string
  region: string
  targetKeyId: string
  /** epoch ms */
  createdAt: number
  updatedAt: number
}

/** What a KMS key identifier names: a key (by id or ARN) or an alias (by name or ARN), in the region it says. */
type KeyReference = { kind: 'key'; keyId: string; region?: string } | { kind: 'alias'; aliasName: string; region?: string }

export const keyArn = (region: string, accountId: string, keyId: string): string => `arn:aws:kms:${region}:${accountId}:key/${keyId}`
export const aliasArn = (region: string, accountId: string, aliasName: string): string => `arn:aws:kms:${region}:${accountId}:${aliasName}`

function parseReference(identifier: string): KeyReference {
  const arn = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/.exec(identifier)
  if (arn) {
    const [, region, , resource] = arn
    return resource.startsWith('key/') ? { kind: 'key', keyId: resource.slice(4), region } : { kind: 'alias', aliasName: resource, region }
  }
  return identifier.startsWith('alias/') ? { kind: 'alias', aliasName: identifier } : { kind: 'key', keyId: identifier }
}

export class KmsState {
  readonly keys: KeyRecord[] = []
  readonly aliases: AliasRecord[] = []
  /** ModifyEbsDefaultKmsKeyId per region (`setEbsDefaultKmsKey`): the identifier as it was given. */
  private readonly ebsDefaults = new Map<string, string>()

  constructor(private readonly accountId: string) {}

  /** A key that was there before the run; a multi-Region key is also made in each of `replicaRegions`. */
  addKey(options: AddKeyOptions, now: number): SimKey {
    const region = options.region ?? DEFAULT_REGION
    const state = options.state ?? 'Enabled'
    if (!KEY_STATES.includes(state)) throw new Error(`addKey: state is one of ${KEY_STATES.join(', ')}, got ${String(state)}`)
    const keyManager = options.keyManager ?? 'CUSTOMER'
    if (keyManager !== 'CUSTOMER' && keyManager !== 'AWS') throw new Error(`addKey: keyManager is 'CUSTOMER' or 'AWS', got ${String(keyManager)}`)
    const multiRegion = options.multiRegion ?? false
    const replicaRegions = options.replicaRegions ?? []
    if (!multiRegion && replicaRegions.length > 0) throw new Error('addKey: only a multi-Region key has replicas; set multiRegion: true')
    if (replicaRegions.includes(region)) throw new Error(`addKey: a replica cannot be in the primary key's region ${region}`)
    for (const aliasName of options.aliases ?? []) {
      if (!ALIAS_PATTERN.test(aliasName)) throw new Error(`addKey: '${aliasName}' is not an alias name (alias/ then letters, digits, /, _ and -)`)
      if (aliasName.startsWith('alias/aws/') && keyManager !== 'AWS') throw new Error(`addKey: the prefix alias/aws/ is reserved for AWS managed keys`)
      if (this.alias(region, aliasName)) throw new Error(`addKey: the alias ${aliasName} already exists in ${region}`)
    }
    const keyId = multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID()
    for (const where of [region, ...replicaRegions]) {
      this.keys.push({
        keyId,
        region: where,
        arn: keyArn(where, this.accountId, keyId),
        keyManager,
        state,
        keySpec: options.keySpec ?? 'SYMMETRIC_DEFAULT',
        keyUsage: options.keyUsage ?? 'ENCRYPT_DECRYPT',
        description: options.description ?? '',
        multiRegion,
        primaryRegion: multiRegion ? region : undefined,
        createdAt: now
      })
    }
    for (const aliasName of options.aliases ?? []) this.aliases.push({ aliasName, region, targetKeyId: keyId, createdAt: now, updatedAt: now })
    return this.view(this.keys.find((k) => k.region === region && k.keyId === keyId)!)
  }

  key(region: string, keyId: string): KeyRecord | undefined {
    return this.keys.find((k) => k.region === region && k.keyId === keyId)
  }

  keyByArn(arn: string | undefined): KeyRecord | undefined {
    return arn === undefined ? undefined : this.keys.find((k) => k.arn === arn)
  }

  alias(region: string, aliasName: string): AliasRecord | undefined {
    return this.aliases.find((a) => a.region === region && a.aliasName === aliasName)
  }

  /**
   * The key an identifier (key id, key ARN, alias name, alias ARN) names in `region`, or undefined. An ARN of another
   * region or account names nothing here. A predefined AWS alias that has no key yet gets its AWS managed key now, as
   * KMS makes it on first use (DescribeKey, or EBS encrypting with it).
   */
  resolve(region: string, identifier: string, now: number, createPredefined = true): KeyRecord | undefined {
    const reference = parseReference(identifier)
    if (reference.region !== undefined && reference.region !== region) return undefined
    if (identifier.startsWith('arn:') && !identifier.includes(`:${this.accountId}:`)) return undefined
    if (reference.kind === 'key') return this.key(region, reference.keyId)
    const alias = this.alias(region, reference.aliasName) ?? (createPredefined ? this.createPredefined(region, reference.aliasName, now) : undefined)
    return alias && this.key(region, alias.targetKeyId)
  }

  /** Whether the identifier is an alias that names nothing in the region (NotFoundException words it differently). */
  isAlias(identifier: string): boolean {
    return parseReference(identifier).kind === 'alias'
  }

  /** Whether the identifier names a predefined AWS alias (alias/aws/ebs) in the region that has no key yet. */
  isPredefinedAlias(region: string, identifier: string): boolean {
    const reference = parseReference(identifier)
    return (
      reference.kind === 'alias' &&
      (reference.region === undefined || reference.region === region) &&
      PREDEFINED_ALIASES.includes(reference.aliasName) &&
      !this.alias(region, reference.aliasName)
    )
  }

  private createPredefined(region: string, aliasName: string, now: number): AliasRecord | undefined {
    if (!PREDEFINED_ALIASES.includes(aliasName)) return undefined
    this.addKey({ region, keyManager: 'AWS', aliases: [aliasName], description: EBS_KEY_DESCRIPTION }, now)
    return this.alias(region, aliasName)
  }

  /** Aliases in the region, oldest first, with the predefined ones that have no key yet (targetKeyId ''). */
  aliasesIn(region: string): AliasRecord[] {
    const own = this.aliases.filter((a) => a.region === region)
    const predefined = PREDEFINED_ALIASES.filter((name) => !own.some((a) => a.aliasName === name)).map(
      (aliasName): AliasRecord => ({ aliasName, region, targetKeyId: '', createdAt: 0, updatedAt: 0 })
    )
    return [...predefined, ...own]
  }

  /** `setEbsDefaultKmsKey`: the account's default key for EBS encryption in the region (ModifyEbsDefaultKmsKeyId). */
  setEbsDefault(region: string, identifier: string): void {
    this.ebsDefaults.set(region, identifier)
  }

  /** What GetEbsDefaultKmsKeyId answers: the identifier set, or alias/aws/ebs when the account set none. */
  ebsDefaultIdentifier(region: string): string {
    return this.ebsDefaults.get(region) ?? EBS_ALIAS
  }

  /** The key EBS encrypts with by default in the region (the AWS managed key is made if need be), or undefined. */
  ebsDefaultKey(region: string, now: number): KeyRecord | undefined {
    return this.resolve(region, this.ebsDefaultIdentifier(region), now)
  }

  /** Every key in every region, each with the aliases that point at it in its region. */
  simKeys(): SimKey[] {
    return this.keys.map((k) => this.view(k))
  }

  private view(k: KeyRecord): SimKey {
    return {
      keyId: k.keyId,
      arn: k.arn,
      region: k.region,
      keyManager: k.keyManager,
      state: k.state,
      keySpec: k.keySpec,
      keyUsage: k.keyUsage,
      multiRegion: k.multiRegion,
      aliases: this.aliases.filter((a) => a.region === k.region && a.targetKeyId === k.keyId).map((a) => a.aliasName)
    }
  }
}
