/** A `StateStore` in memory, for unit tests that need a `BakeState`. */
import type { StateStore } from '../../src/state.js'

export function memoryStore(): StateStore {
  const values = new Map<string, string>()
  return { save: (key, value) => void values.set(key, value), get: key => values.get(key) ?? '' }
}
