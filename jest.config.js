/**
 * Jest runs the TypeScript tests as ES modules, as actions/typescript-action configures it:
 * ts-jest with useESM, .ts treated as ESM, and NODE_OPTIONS=--experimental-vm-modules (npm test).
 * Type checking is `npm run lint`'s job; ts-jest only transpiles (isolatedModules in tsconfig.json).
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Sources import './x.js' as Node resolves the compiled output; in tests that is './x.ts'.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/dist/', '/node_modules/'],
  // End-to-end tests spawn the bundled action and wait for emulated updates.
  testTimeout: 60_000,
  // Test files run in parallel workers; the end-to-end files mostly wait on child processes.
  maxWorkers: 4
}
