/**
 * Waiting for images to become available: the only door into `wait/`. The loop (`loop.ts`) looks at each image
 * when its cadence (`cadence.ts`, pure) says, and logs progress (`progress-log.ts`).
 */
export { waitForImages, type ImageRef, type ImageResult, type ImageSource, type WaitOptions } from './loop.js'
export type { Verdict } from './progress-log.js'
