import { readEntries, readList, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { wildcardMatch } from './wildcard.js'

// `Filter.N.Name` / `Filter.N.Value.M`: values of one filter are alternatives, separate filters must all
// hold, and values may use the * and ? wildcards.

/**
 * EC2 refuses a call whose filters carry more than 200 values between them ("The maximum number of filter values
 * specified on a single call is 200"). The total is what counts: code that batches instance ids for DescribeInstances
 * sends 199 of them next to one more filter value.
 */
export const MAX_FILTER_VALUES = 200

export interface Filter {
  name: string
  values: string[]
}

/** Reads the filters, refusing names outside `known` (and the `tag:<key>` form, always known). */
export function readFilters(params: Params, known: readonly string[]): Filter[] {
  const filters = readEntries(params, 'Filter').map((entry) => {
    const name = entry.Name ?? ''
    if (!known.includes(name) && !(name.startsWith('tag:') && name.length > 4)) {
      throw new ServiceError(400, 'InvalidParameterValue', `The filter '${name}' is invalid`)
    }
    return { name, values: readList(entry, 'Value') }
  })
  const count = filters.reduce((sum, filter) => sum + filter.values.length, 0)
  if (count > MAX_FILTER_VALUES) {
    throw new ServiceError(400, 'FilterLimitExceeded', `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`)
  }
  return filters
}

/** `fieldValues(name)` gives the resource's values for a filter name ([] when it has none). */
export function matchesFilters(filters: Filter[], fieldValues: (name: string) => string[]): boolean {
  return filters.every(({ name, values }) => {
    const actual = fieldValues(name)
    return values.some((pattern) => actual.some((value) => wildcardMatch(pattern, value)))
  })
}

/** tag:<key> and tag-key, common to every taggable resource. */
export function tagFieldValues(tags: Record<string, string>, name: string): string[] | undefined {
  if (name.startsWith('tag:')) {
    const key = name.slice(4)
    return Object.hasOwn(tags, key) ? [tags[key]] : []
  }
  if (name === 'tag-key') return Object.keys(tags)
  return undefined
}
