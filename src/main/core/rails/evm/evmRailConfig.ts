import type { StellarNetworkConfig } from '../stellar/stellarRailConfig'
import type { StripeConfig } from '../stripe/stripeRailConfig'

/**
 * Configuration of the EVM rail, one entry per chain. Amounts and fees are bigint in wei; the
 * config crosses no process boundary, so no string forms are needed here.
 */

export interface EvmChainConfig {
  chainId: number
  rpcUrl: string
  /** The deployed CountersignBatch; its runtime code hash is checked before anything is signed. */
  batchContract: `0x${string}`
  /** The deployed CountersignEscrow (absent: no escrow on this chain); its runtime code hash is checked too. */
  escrowContract?: `0x${string}`
  /** Blocks on top of (and including) the receipt's block before a submission counts as confirmed. */
  confirmationsMin: number
  /** Most we ever sign as maxFeePerGas (wei); the node asking for more is refused, not followed. */
  maxFeePerGasCap: bigint
  /** The treasury account that pays: its address and its path on the Ledger. */
  source: { address: `0x${string}`; path: string }
  /** Confirmed submissions are watched for reorgs this many blocks past their block. */
  reorgWatchBlocks?: number
  /** Upper bound on payouts in one transaction (tests make it small to get many chunks). */
  payoutsPerChunkMax?: number
  /** Block explorer base URL (https://basescan.org); shown as {explorerUrl}/tx/{hash}. Not used to pay. */
  explorerUrl?: string
}

export interface RailsConfig {
  evm?: { chains: readonly EvmChainConfig[] }
  stellar?: { networks: readonly StellarNetworkConfig[] }
  stripe?: StripeConfig
}

/** EIP-7825 (Osaka): no transaction may ask for more gas than this. */
export const gasPerTxMax = 2n ** 24n

export const evmRailDefaults = {
  reorgWatchBlocks: 64,
  /**
   * A chunk's estimate must stay under 90 % of the cap: the estimate is taken against today's
   * state, and a recipient's first token balance or account costs more than a funded one.
   */
  gasCapUsableNumerator: 9n,
  gasCapUsableDenominator: 10n,
  /** Gas limit = estimate + 20 %, never above the cap. */
  gasLimitHeadroomNumerator: 6n,
  gasLimitHeadroomDenominator: 5n,
  /**
   * Static per-payout upper bounds used to cut chunks before estimating (measured by
   * bench/gas.bench.ts: ~29.5k per fresh token recipient, ~38.2k per fresh native recipient,
   * plus room); each chunk is then estimated on the node and halved if it does not fit.
   */
  gasPerTokenPayoutBound: 32_000n,
  gasPerNativePayoutBound: 41_000n,
  gasPerChunkBase: 60_000n,
  /** Times a chunk may be halved after a too-large estimate before giving up. */
  chunkSplitDepthMax: 6,
  /** Confirmed submissions passed to one reorg check. */
  watchedConfirmedMax: 256,
  /** Priority fee used when the node does not answer eth_maxPriorityFeePerGas (1 gwei). */
  priorityFeeFallbackWei: 1_000_000_000n,
  /** maxFeePerGas = base fee × this + priority fee: survives several full blocks of base-fee rise. */
  baseFeeMultiplier: 2n,
} as const

/** A transaction on the chain's block explorer ({explorerUrl}/tx/{hash}); null when none is configured (a local chain). */
export function evmExplorerTxUrl(explorerUrl: string | undefined, txHash: string): string | null {
  return explorerUrl ? `${explorerUrl.replace(/\/+$/, '')}/tx/${txHash}` : null
}
