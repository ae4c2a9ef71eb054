// ESM all the way: esbuild strips the types to ES modules (scripts/jest-esbuild.js) and jest runs them under
// --experimental-vm-modules (set by `npm test`), because @actions/core 3.x ships only as ESM.
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild.js'
  }
}

// Two projects, so that `npm test` (scripts/test.ts) can run them apart: the unit tests on this machine's Node,
// the end-to-end tests on the Node that action.yml declares (`--selectProjects unit` / `e2e`).
export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/__tests__/e2e/']
    },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'] }
  ],
  reporters: ['default', '<rootDir>/scripts/jest-require-tests.js'],
  testSequencer: '<rootDir>/scripts/jest-sequencer.js',
  // Global, not per project: jest reads the timeout of a test from the run's config.
  testTimeout: 30000
}
