/**
 * Jest's TypeScript transform: esbuild strips the types of each file on its own, as tsconfig.json's
 * isolatedModules guarantees it can. Type errors are `npm run typecheck`'s job, which CI runs. ts-jest did the
 * same file-by-file work through the TypeScript compiler, loaded in every worker: the unit run took twice as long.
 */
import { createHash } from 'node:crypto'
import { transform, transformSync, version } from 'esbuild'

/**
 * ES modules when jest asks for them (extensionsToTreatAsEsm: @actions/core 3 is ESM only).
 * @param {string} filename @param {boolean | undefined} esm
 */
const options = (filename, esm) => ({ loader: 'ts', format: esm ? 'esm' : 'cjs', target: 'es2022', sourcemap: true, sourcefile: filename })

export default {
  /** @param {string} source @param {string} filename @param {{ supportsStaticESM?: boolean }} jestOptions */
  process(source, filename, jestOptions) {
    const { code, map } = transformSync(source, options(filename, jestOptions.supportsStaticESM))
    return { code, map }
  },

  /** @param {string} source @param {string} filename @param {{ supportsStaticESM?: boolean }} jestOptions */
  async processAsync(source, filename, jestOptions) {
    const { code, map } = await transform(source, options(filename, jestOptions.supportsStaticESM))
    return { code, map }
  },

  /**
   * Everything the output depends on, esbuild's version and options included, so that jest's cache never serves
   * an older transform. @param {string} source @param {string} filename
   * @param {{ configString: string, instrument: boolean, supportsStaticESM?: boolean }} jestOptions
   */
  getCacheKey(source, filename, { configString, instrument, supportsStaticESM }) {
    const esbuild = JSON.stringify([version, options(filename, supportsStaticESM)])
    return createHash('sha256').update([esbuild, configString, String(instrument)].join('\0')).update(source).digest('hex')
  }
}
