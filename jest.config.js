/* global process */
/**
 * Jest in ES-module mode (run with NODE_OPTIONS=--experimental-vm-modules, see package.json), in
 * two projects: `unit` (the sources in process: rules, settings, reports, gateways, commands
 * against the emulator) and `e2e` (the bundle, run as a runner runs it). The e2e project's global
 * setup builds that bundle from the current sources (test-support/jest-global-setup.ts); one
 * smoke suite runs the committed dist/.
 */
const shared = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  // src/ too, so that coverage counts the files no test loads
  roots: ['<rootDir>/__tests__', '<rootDir>/src'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }]
  }
}

// npm run test:unit / test:e2e pick one (TEST_PROJECT); file patterns after `--` still work.
const only = process.env.TEST_PROJECT

const E2E = ['**/e2e-*.test.ts', '**/bundle.test.ts']

export default {
  testTimeout: 60000,
  coverageProvider: 'v8',
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary', 'text', 'lcov'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/e2e-', '/bundle\\.test\\.ts$']
    },
    { ...shared, displayName: 'e2e', testMatch: E2E, globalSetup: '<rootDir>/test-support/jest-global-setup.ts' }
  ].filter((project) => !only || project.displayName === only)
}
