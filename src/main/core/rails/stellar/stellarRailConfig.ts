/** Configuration of the Stellar rail: one entry per network (pubnet, testnet, a local standalone). */

export interface StellarNetworkConfig {
  /** Countersign's network name, as in asset ids ("XLM@stellar:<network>") and the CSV. */
  network: string
  horizonUrl: string
  /** Must equal what Horizon reports; signatures are bound to it. */
  networkPassphrase: string
  source: { address: string; path: string }
  /** Highest fee bid per operation, in stroops: above it nothing is signed. */
  maxFeePerOpStroops: bigint
  /** A transaction is valid until built-at + this (default 300 s). */
  timeBoundSeconds?: number
  /** Pay an unfunded destination with create_account (XLM only) instead of refusing. */
  allowCreateAccount?: boolean
  /** At most this many operations per transaction (Stellar allows 100). */
  opsPerTxMax?: number
}

export const stellarRailDefaults = {
  timeBoundSeconds: 300,
  /** Stellar's own limit. */
  opsPerTxMax: 100,
  /**
   * After the time bound, wait until a ledger closed this much later before declaring a missing
   * transaction dead: the latest ledger Horizon reports then provably came after the bound.
   */
  expiryMarginSeconds: 5,
  /** Payments read per page when following the treasury's payments. */
  paymentsPageLimit: 200,
} as const
