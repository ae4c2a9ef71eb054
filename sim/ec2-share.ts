import { readEntries, readList, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { itemSet, leaf } from './xml.js'

// Sharing an image (launch permission) or a snapshot (create-volume permission) with other accounts. Both
// take the same two request shapes: `<Prefix>.Add.N.<Kind>` / `<Prefix>.Remove.N.<Kind>`, which the SDK
// sends for `LaunchPermission: { Add: [...] }`, and the older `OperationType` with `UserId.N` and
// `UserGroup.N` lists.

/** One grant, keyed as in the SDK (`{ UserId: '111122223333' }`, `{ Group: 'all' }`, ...). */
export type GrantKind = 'UserId' | 'Group' | 'OrganizationArn' | 'OrganizationalUnitArn'
export interface Grant {
  kind: GrantKind
  value: string
}

export interface GrantChanges {
  add: Grant[]
  remove: Grant[]
}

/** What EC2 accepts for each kind of grant, and how to say so. */
const GRANT_RULES: Record<GrantKind, { pattern: RegExp; expected: string }> = {
  UserId: { pattern: /^\d{12}$/, expected: 'an AWS account id of 12 digits' },
  Group: { pattern: /^all$/, expected: "'all'" },
  OrganizationArn: {
    pattern: /^arn:aws[a-z-]*:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/,
    expected: 'arn:aws:organizations::<account>:organization/o-<id>'
  },
  OrganizationalUnitArn: {
    pattern: /^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/,
    expected: 'arn:aws:organizations::<account>:ou/o-<id>/ou-<id>'
  }
}
/** The older list parameters and the kind each one grants. */
const LEGACY_LISTS: [string, GrantKind][] = [
  ['UserId', 'UserId'],
  ['UserGroup', 'Group'],
  ['OrganizationArn', 'OrganizationArn'],
  ['OrganizationalUnitArn', 'OrganizationalUnitArn']
]

/** The XML element (and error message) name of a kind: userId, group, organizationArn, ... */
const elementName = (kind: GrantKind): string => kind.charAt(0).toLowerCase() + kind.slice(1)

/**
 * EC2 checks each item. It answers a bad item of an image attribute with InvalidAMIAttributeItemValue and
 * of a snapshot attribute with InvalidParameterValue.
 */
function checkGrant(grant: Grant, badItemCode: string): Grant {
  const { pattern, expected } = GRANT_RULES[grant.kind]
  if (pattern.test(grant.value)) return grant
  throw new ServiceError(400, badItemCode, `Invalid attribute item value "${grant.value}" for ${elementName(grant.kind)} item type: expected ${expected}.`)
}

function readGrantList(params: Params, prefix: string, kinds: readonly GrantKind[]): Grant[] {
  return readEntries(params, prefix).flatMap((entry) =>
    Object.entries(entry).map(([key, value]) => {
      if (!(kinds as readonly string[]).includes(key)) {
        throw new ServiceError(400, 'InvalidParameterValue', `Unknown parameter ${prefix}.N.${key}; allowed: ${kinds.join(', ')}`)
      }
      return { kind: key as GrantKind, value }
    })
  )
}

/**
 * The grants a request adds and removes, from either request shape, each checked. Empty lists when the
 * request has neither (the caller decides whether that is an error).
 */
export function readGrantChanges(params: Params, prefix: string, kinds: readonly GrantKind[], badItemCode: string): GrantChanges {
  const add = readGrantList(params, `${prefix}.Add`, kinds)
  const remove = readGrantList(params, `${prefix}.Remove`, kinds)
  const legacy = LEGACY_LISTS.filter(([, kind]) => kinds.includes(kind)).flatMap(([list, kind]) =>
    readList(params, list).map((value) => ({ kind, value }))
  )
  if (legacy.length > 0) {
    const operation = params.OperationType
    if (operation !== 'add' && operation !== 'remove') {
      throw new ServiceError(400, 'InvalidParameterValue', `Value (${operation ?? ''}) for parameter operationType is invalid. Expected: 'add' or 'remove'.`)
    }
    ;(operation === 'add' ? add : remove).push(...legacy)
  }
  const check = (grant: Grant): Grant => checkGrant(grant, badItemCode)
  return { add: add.map(check), remove: remove.map(check) }
}

/** Applies the changes in place: adding twice keeps one grant, removing an absent one does nothing (as EC2). */
export function applyGrantChanges(grants: Grant[], changes: GrantChanges): void {
  const same = (a: Grant) => (b: Grant) => a.kind === b.kind && a.value === b.value
  for (const grant of changes.add) if (!grants.some(same(grant))) grants.push(grant)
  for (const grant of changes.remove) {
    const index = grants.findIndex(same(grant))
    if (index >= 0) grants.splice(index, 1)
  }
}

/** `<name><item><userId>…</userId></item>…</name>`, the element names of the SDK's LaunchPermission. */
export function grantsXml(name: string, grants: Grant[]): string {
  return itemSet(
    name,
    grants.map((grant) => leaf(elementName(grant.kind), grant.value))
  )
}

/** As the SDK hands them to its caller, for SimImage and SimSnapshot. */
export function sdkGrants(grants: Grant[]): Partial<Record<GrantKind, string>>[] {
  return grants.map((grant) => ({ [grant.kind]: grant.value }))
}
