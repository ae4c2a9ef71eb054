/** Distribution: the image's journey after it is made and available. The only door to `src/distribute/`. */
export { copyToRegions, type CopyAsked, type CopyOptions } from './copy.js'
export { checkHandOff, checkLaunchTemplate, handOff, type HandedOff } from './hand-off.js'
export { protect } from './protect.js'
export { describeAudience, publish, type Publication, type ReadyImage } from './publish.js'
export { retire, type KeptImage, type RetiredImage, type Retention, type RetirementReport } from './retire.js'
