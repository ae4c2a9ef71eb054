import { readEntries, readList, type Params } from './query-params.js'
import { ServiceError } from './service-error.js'
import { wildcardMatch } from './wildcard.js'

// `Filter.N.Name` / `Filter.N.Value.M`: values of one filter are alternatives, separate filters must all
// hold, and values may use the * and ? wildcards.

export interface Filter {
  name: string
  values: string[]
}

/** Reads the filters, refusing names outside `known` (and the `tag:<key>` form, always known). */
export function readFilters(params: Params, known: readonly string[]): Filter[] {
  return readEntries(params, 'Filter').map((entry) => {
    const name = entry.Name ?? ''
    if (!known.includes(name) && !(name.startsWith('tag:') && name.length > 4)) {
      throw new ServiceError(400, 'InvalidParameterValue', `The filter '${name}' is invalid`)
    }
    return { name, values: readList(entry, 'Value') }
  })
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
