/** The Horizon-compatible harness: see stellarHarness.ts. */
export {
  startStellarHarness,
  STANDALONE_PASSPHRASE,
  stroopsToString,
  stringToStroops,
  type AppliedTransaction,
  type HarnessAsset,
  type StellarHarness,
  type StellarHarnessOptions,
} from './stellarHarness'
