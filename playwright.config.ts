/**
 * End-to-end tests: the real renderer (out/renderer — run `npx electron-vite build` first; `npm
 * test` does) served by browser mode, against a real core on a temp workspace, in Debian's
 * Chromium (no browser download, no Electron binary needed).
 */
import { defineConfig } from '@playwright/test'

const CHROMIUM_PATH = process.env.COUNTERSIGN_CHROMIUM ?? '/usr/bin/chromium'

// Operators' passphrases hashed at the test suite's light scrypt cost, as the vitest suite does
// (vitest.config.ts): the specs set and unlock passphrases dozens of times, each a real-cost
// scrypt (64 MiB, ~0.5 s quiet and several seconds on a loaded two-core runner). The same code
// runs — only N differs, and it is stored with each hash; the real cost is measured by
// `npm run bench -- unlock`. Set before the workers start, so their cores and the CLIs they
// spawn (test/cli/cliHarness.ts passes it on) use it.
process.env.COUNTERSIGN_KDF_PROFILE ??= 'test'

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results/e2e',
  reporter: 'list',
  // One worker: each worker owns a core, a workspace and a server; tests within share them.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1440, height: 900 },
    colorScheme: 'light',
    locale: 'en-US',
    timezoneId: 'UTC',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    },
  },
})
