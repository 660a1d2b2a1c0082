import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'out/**'],
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: ONE on CI's two, so the files ran one
    // after another while most of each one's time is spent waiting — on Anvil, the harness
    // servers, PostgreSQL, spawned CLI processes. Three at once keep both cores busy (about half
    // the wall time); COUNTERSIGN_TEST_WORKERS overrides it (1 to debug an interaction).
    maxWorkers: Number(process.env.COUNTERSIGN_TEST_WORKERS ?? 3),
    // Integration tests spawn real processes (CLI, Anvil, crash children); a loaded 2-core CI box needs room.
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Operators' passphrases are hashed with a light scrypt cost in tests (hundreds of unlocks);
    // the real cost is measured by `npm run bench -- unlock`.
    env: { COUNTERSIGN_KDF_PROFILE: 'test' },
  },
})
