/**
 * The facts one EVM rail is built from, resolved once from its configuration into plain data:
 * every part of the rail (planning, building, lookup, classify) takes this and nothing else, so
 * each part is a function of its inputs and the pure ones (build, renumber, classify) can be
 * tested with a literal, no node.
 */
import { getAddress } from 'viem'
import { assetIdFor } from '../../ledger/ids'
import { invariant } from '../../util/invariant'
import { evmRailDefaults, gasPerTxMax, type EvmChainConfig } from './evmRailConfig'

type Address = `0x${string}`

export interface EvmRailSetup {
  readonly chainId: number
  /** The chain id as decimal text: the rail's `network`. */
  readonly network: string
  /** Where JSON-RPC requests go. */
  readonly url: string
  /** The CountersignBatch every payout goes through (EIP-55). */
  readonly batchContract: Address
  readonly source: { readonly address: Address; readonly path: string }
  /** ETH@evm:<chainId>: gas is paid in it. */
  readonly feeAssetId: string
  readonly confirmationsMin: bigint
  readonly reorgWatchBlocks: bigint
  /** Most we ever sign as maxFeePerGas (wei). */
  readonly maxFeePerGasCap: bigint
  readonly payoutsPerChunkMax: number | undefined
  /** The gas one transaction may use by estimate: a share of the per-transaction cap. */
  readonly usableGas: bigint
}

/** The gas one transaction may use by estimate: a share of the per-transaction cap. */
export const evmUsableGas = (gasPerTxMax * evmRailDefaults.gasCapUsableNumerator) / evmRailDefaults.gasCapUsableDenominator

/**
 * THE reorg window, one rule for every EVM part that asks it: a block is still watched (a reorg
 * may yet take it away, and the engine looks at what it holds) until the head is MORE than
 * `reorgWatchBlocks` past it. Head 0 means "not known" (after a restart): watched. The payout and
 * escrow rails' `isWatched` and the receipts' finality (a receipt attests a final payment) both
 * ask this function.
 */
export function evmBlockWatched(reorgWatchBlocks: bigint, block: bigint, head: bigint): boolean {
  return head === 0n || block + reorgWatchBlocks >= head
}

/** How many more blocks the head must advance before `block` leaves the reorg window (0: it has left). */
export function evmBlocksLeftInWatch(reorgWatchBlocks: bigint, block: bigint, head: bigint): bigint {
  return evmBlockWatched(reorgWatchBlocks, block, head) ? block + reorgWatchBlocks + 1n - head : 0n
}

export function evmRailSetup(config: EvmChainConfig, rpcUrl?: string): EvmRailSetup {
  const network = String(config.chainId)
  const confirmationsMin = BigInt(config.confirmationsMin)
  invariant(confirmationsMin >= 1n, 'confirmationsMin must be at least 1')
  return {
    chainId: config.chainId,
    network,
    url: rpcUrl ?? config.rpcUrl,
    batchContract: getAddress(config.batchContract),
    source: { address: getAddress(config.source.address), path: config.source.path },
    feeAssetId: assetIdFor('ETH', 'evm', network),
    confirmationsMin,
    reorgWatchBlocks: BigInt(config.reorgWatchBlocks ?? evmRailDefaults.reorgWatchBlocks),
    maxFeePerGasCap: config.maxFeePerGasCap,
    payoutsPerChunkMax: config.payoutsPerChunkMax,
    usableGas: evmUsableGas,
  }
}
