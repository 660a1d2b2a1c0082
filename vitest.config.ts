import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'out/**'],
    pool: 'forks',
    // Integration tests spawn real processes (CLI, Anvil, crash children); a loaded 2-core CI box needs room.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Operators' passphrases are hashed with a light scrypt cost in tests (hundreds of unlocks);
    // the real cost is measured by `npm run bench -- unlock`.
    env: { COUNTERSIGN_KDF_PROFILE: 'test' },
  },
})
