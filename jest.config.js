// ESM all the way: ts-jest compiles to ESM and jest runs it under --experimental-vm-modules
// (set by `npm test`), because @actions/core 3.x ships only as ESM.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testTimeout: 30000,
  // The end-to-end files spend their time waiting on the local endpoint's bake timelines, not on the CPU: run
  // three files at once rather than jest's default of one per core but one (a single worker on 2 cores).
  maxWorkers: 3
}
