import { ServiceError } from './service-error.js'

// The AWS Query protocol flattens lists and structures into dotted keys: `ImageId.1`,
// `Filter.2.Value.1`, `TagSpecification.1.Tag.3.Key`. These helpers read them back. Indexes need not be
// contiguous (AWS accepts gaps), so entries come back in index order.

export type Params = Record<string, string>

/** Query APIs take their parameters from the URL, the form body, or both; the SDK sends a form body. */
export function requestParams(query: string, body: Buffer): Params {
  return { ...Object.fromEntries(new URLSearchParams(query)), ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) }
}

/** `prefix.N.rest=value` grouped by N: one record per N, keyed by `rest` ('' for `prefix.N` itself). */
export function readEntries(params: Params, prefix: string): Params[] {
  const groups = new Map<number, Params>()
  const head = `${prefix}.`
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(head)) continue
    const match = /^(\d+)(?:\.(.+))?$/.exec(key.slice(head.length))
    if (!match) continue
    const index = Number(match[1])
    const group = groups.get(index) ?? {}
    group[match[2] ?? ''] = value
    groups.set(index, group)
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([, group]) => group)
}

/** `prefix.1=a&prefix.2=b` -> ['a', 'b'] */
export function readList(params: Params, prefix: string): string[] {
  return readEntries(params, prefix)
    .map((group) => group[''])
    .filter((value): value is string => value !== undefined)
}

/** Query booleans are the strings 'true' and 'false'; anything else is refused as EC2 does. */
export function readBoolean(params: Params, name: string, parameter: string): boolean | undefined {
  const raw = params[name]
  if (raw === undefined) return undefined
  if (/^true$/i.test(raw)) return true
  if (/^false$/i.test(raw)) return false
  throw new ServiceError(400, 'InvalidParameterValue', `Value (${raw}) for parameter ${parameter} is invalid. Expected: 'true' or 'false'.`)
}

export function requireParam(params: Params, name: string): string {
  const value = params[name]
  if (value === undefined || value === '') {
    throw new ServiceError(400, 'MissingParameter', `The request must contain the parameter ${name}`)
  }
  return value
}
