/** Encrypted releases: the keys checked before the bake, and the image encrypted after it. The only door to `src/encryption/`. */
export { checkEncrypted, discardIntermediate, planMaking, type Making } from './encrypt.js'
export { checkKeys, type RegionKey } from './keys.js'
export { checkSharedSource } from './shared-source.js'
