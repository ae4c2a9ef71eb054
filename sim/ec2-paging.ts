import { createHash } from 'node:crypto'
import type { Params } from './query-params.js'
import { ServiceError } from './service-error.js'

// MaxResults and NextToken. EC2's older Describe calls (images, snapshots, instances) answer everything at once
// unless MaxResults is given; the newer ones page on their own. A token names the position after which the next
// page starts, in an order that never changes (records are never removed, only marked), so an item that goes away
// between two pages cannot make the next page skip another one. A token is bound to the request it came from: used
// with other parameters it is refused, as EC2 refuses a token from another query.

export interface PageRule {
  /** The action, so that a token from one call is refused by another. */
  action: string
  /** Smallest MaxResults EC2 takes; a smaller one is refused. */
  min: number
  /** Largest page EC2 answers; a larger MaxResults is answered with this many (as DescribeSnapshots documents). */
  max: number
  /** Page size when the request gives no MaxResults; undefined answers everything. */
  defaultSize?: number
}

export interface Page<T> {
  items: T[]
  nextToken?: string
}

const invalidToken = (): ServiceError => new ServiceError(400, 'InvalidPaginationToken', 'The specified pagination token is not valid or is expired.')

/** Everything in the request but the paging itself, so a token only works for the query that made it. */
function queryFingerprint(action: string, params: Params): string {
  const kept = Object.entries(params)
    .filter(([key]) => key !== 'NextToken' && key !== 'MaxResults')
    .sort(([a], [b]) => a.localeCompare(b))
  return createHash('sha256').update(JSON.stringify([action, kept])).digest('hex').slice(0, 16)
}

/** MaxResults, checked: a whole number from `min` up; above `max` it is cut to `max`. */
export function readMaxResults(params: Params, rule: PageRule): number | undefined {
  const raw = params.MaxResults
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < rule.min) {
    throw new ServiceError(400, 'InvalidParameterValue', `Value (${raw}) for parameter maxResults is invalid. Expecting a value greater than or equal to ${rule.min}.`)
  }
  return Math.min(value, rule.max)
}

/** A request's paging, read and checked before anything is looked up. */
export interface Paging {
  size: number
  /** The position after which this page starts; -1 for the first page. */
  after: number
  fingerprint: string
}

/** MaxResults and NextToken, checked against `rule`, where EC2 checks parameters: before permission. */
export function readPaging(params: Params, rule: PageRule): Paging {
  const maxResults = readMaxResults(params, rule)
  const fingerprint = queryFingerprint(rule.action, params)
  let after = -1
  if (params.NextToken !== undefined) {
    let token: { q?: unknown; after?: unknown }
    try {
      token = JSON.parse(Buffer.from(params.NextToken, 'base64url').toString('utf8')) as { q?: unknown; after?: unknown }
    } catch {
      throw invalidToken()
    }
    if (token === null || token.q !== fingerprint || typeof token.after !== 'number') throw invalidToken()
    after = token.after
  }
  return { size: maxResults ?? rule.defaultSize ?? Infinity, after, fingerprint }
}

/** One page of `items`, which come in a stable order with each one's `position` in it. */
export function pageOf<T>(paging: Paging, items: { item: T; position: number }[]): Page<T> {
  const rest = items.filter(({ position }) => position > paging.after)
  const page = rest.slice(0, paging.size)
  const result = page.map(({ item }) => item)
  if (page.length === rest.length) return { items: result }
  const last = page[page.length - 1].position
  return { items: result, nextToken: Buffer.from(JSON.stringify({ q: paging.fingerprint, after: last })).toString('base64url') }
}
