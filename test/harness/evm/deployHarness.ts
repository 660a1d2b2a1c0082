/** Moved to src/main/sandbox/harness/evm/deployHarness.ts (the sandbox runs it; src never imports test/). */
export * from '../../../src/main/sandbox/harness/evm/deployHarness'
