/** The Horizon-compatible harness: see stellarHarness.ts. */
export {
  startStellarHarness,
  HARNESS_CLOCK_ROUTE,
  STANDALONE_PASSPHRASE,
  stroopsToString,
  stringToStroops,
  type AppliedTransaction,
  type HarnessAsset,
  type StellarHarness,
  type StellarHarnessOptions,
} from './stellarHarness'
export { advanceStellarHarnessClock, type HarnessClock } from '../../../src/main/sandbox/harness/stellar/advanceStellarHarnessClock'
export { claimableBalanceId } from '../../../src/main/sandbox/harness/stellar/claimableBalances'
