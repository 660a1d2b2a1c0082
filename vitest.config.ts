import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * The files that take longest (a minute or more on CI's two cores: crash points walked through
 * SIGKILLed children, the chaos campaign, a CLI build), started first. Vitest runs the longest
 * first only when it has timed a file before (node_modules/.vite/vitest, absent on a fresh CI
 * machine); untimed, it starts the biggest files first — and these are small, so one of them began
 * near the end and the other workers sat idle while it ran. Order only: every file still runs.
 */
const SLOW_FIRST = [
  'test/chaos/seeds.test.ts',
  'test/escrow/escrowCrash.test.ts',
  'test/execute/crash.test.ts',
  'test/cli/lazyRails.test.ts',
  'test/escrow/escrowCrashStellar.test.ts',
  'test/execute/stellarCrash.test.ts',
  'test/escrow/escrowCrashStripe.test.ts',
  'test/escrow/escrowPropertyStripe.test.ts',
  'test/team/concurrentDesks.test.ts',
]

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const rank = (spec: TestSpecification): number => {
      const i = SLOW_FIRST.findIndex((file) => spec.moduleId.endsWith('/' + file))
      return i === -1 ? SLOW_FIRST.length : i
    }
    // Array.prototype.sort is stable: the rest keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b))
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', 'out/**'],
    pool: 'forks',
    sequence: { sequencer: SlowFirstSequencer },
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
