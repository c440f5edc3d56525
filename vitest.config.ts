import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    // End-to-end tests spawn the bundled action and wait for emulated updates.
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
