/**
 * Jest's TypeScript transform: esbuild strips the types of each file on its own, as tsconfig.json's
 * isolatedModules guarantees it can. Type errors are `npm run typecheck`'s job (CI runs it); ts-jest did the same
 * transpile-only work through the TypeScript compiler at about twice the cost of the whole unit run.
 */
import { createHash } from 'node:crypto'
import { transform, transformSync, version } from 'esbuild'

/** @param {string} filename @param {boolean} esm */
const options = (filename, esm) => ({
  loader: /** @type {const} */ ('ts'),
  // jest asks for ES modules (extensionsToTreatAsEsm), as @actions/core 3 is ESM only.
  format: esm ? /** @type {const} */ ('esm') : /** @type {const} */ ('cjs'),
  target: 'es2022',
  sourcemap: true,
  sourcefile: filename
})

export default {
  /** @param {string} source @param {string} filename @param {{ supportsStaticESM?: boolean }} jestOptions */
  process(source, filename, jestOptions) {
    const { code, map } = transformSync(source, options(filename, jestOptions.supportsStaticESM === true))
    return { code, map }
  },

  /** @param {string} source @param {string} filename @param {{ supportsStaticESM?: boolean }} jestOptions */
  async processAsync(source, filename, jestOptions) {
    const { code, map } = await transform(source, options(filename, jestOptions.supportsStaticESM === true))
    return { code, map }
  },

  /**
   * What the output depends on, esbuild's version included, so that jest's cache never serves an older
   * transform. @param {string} source @param {string} filename
   * @param {{ configString: string, instrument: boolean, supportsStaticESM?: boolean }} jestOptions
   */
  getCacheKey(source, filename, { configString, instrument, supportsStaticESM }) {
    return createHash('sha256')
      .update([version, filename, configString, String(instrument), String(supportsStaticESM)].join('\0'))
      .update(source)
      .digest('hex')
  }
}
