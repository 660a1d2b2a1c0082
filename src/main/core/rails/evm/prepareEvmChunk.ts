/**
 * Prepares one chunk: asks the node what the CountersignBatch call costs (eth_estimateGas, which
 * also proves the call would not revert today) and fixes its gas limit and fees. A chunk whose
 * estimate is over the usable gas is halved — at planning only; a retried chunk must keep its
 * payouts (its batchRef guards them), so there it is an error.
 */
import { getAddress, type Hex } from 'viem'
import { CsError } from '../../../../shared/errors'
import type { AssetRow, PayoutRow } from '../../db/schema'
import { invariant } from '../../util/invariant'
import { evmBatchRef, evmChunkCall, type EvmChunkKind } from './evmCallData'
import type { EvmFees } from './evmFees'
import { evmRailDefaults, gasPerTxMax } from './evmRailConfig'
import type { EvmRailSetup } from './evmRailSetup'
import type { EvmPrepared } from './evmPrepared'
import { bigFromHex, hexQuantity } from './evmHex'
import { rpcCall, RpcError } from './jsonRpc'

type Address = `0x${string}`

export interface PrepareEvmChunkInput {
  batchId: string
  chunkIndex: number
  payouts: readonly PayoutRow[]
  assets: ReadonlyMap<string, AssetRow>
  fees: EvmFees
  /** Halve an over-large chunk (planning) or refuse it (a retry keeps its payouts). */
  allowSplit: boolean
}

export interface PreparedEvmPiece {
  payouts: readonly PayoutRow[]
  prepared: EvmPrepared
}

/** The asset of a payout on this chain; routing one from elsewhere here is an engine bug. */
export function evmAssetOf(setup: EvmRailSetup, assets: ReadonlyMap<string, AssetRow>, assetId: string): AssetRow {
  const asset = assets.get(assetId)
  if (!asset) throw new CsError('ASSET_NOT_FOUND', `There is no asset "${assetId}" — register it before executing payouts in it.`)
  invariant(
    asset.rail === 'evm' && asset.network === setup.network,
    () => `asset ${assetId} is not on evm:${setup.network} but its payout was routed there`,
  )
  return asset
}

export function evmKindOf(asset: AssetRow): { kind: EvmChunkKind; token: Address | null } {
  return asset.issuer === null ? { kind: 'native', token: null } : { kind: 'token', token: getAddress(asset.issuer) }
}

/** One chunk, or (allowSplit) the halves it had to be cut into, in payout order. */
export async function prepareEvmChunk(setup: EvmRailSetup, input: PrepareEvmChunkInput, depth = 0): Promise<PreparedEvmPiece[]> {
  const { kind, token } = evmKindOf(evmAssetOf(setup, input.assets, input.payouts[0]!.asset_id))
  // Indexes are assigned by the caller after splitting; halves estimate under the chunk's ref.
  const gas = await estimateEvmChunk(setup, kind, token, input.payouts, evmBatchRef(setup.chainId, input.batchId, input.chunkIndex))
  if (gas > setup.usableGas) {
    if (!input.allowSplit || input.payouts.length < 2 || depth >= evmRailDefaults.chunkSplitDepthMax) {
      throw new CsError(
        'CHUNK_TOO_LARGE',
        `A chunk of ${input.payouts.length} payouts needs ${gas} gas, above the ${setup.usableGas} a transaction may safely use on chain ${setup.chainId} — split the batch.`,
      )
    }
    const half = Math.ceil(input.payouts.length / 2)
    const a = await prepareEvmChunk(setup, { ...input, payouts: input.payouts.slice(0, half) }, depth + 1)
    const b = await prepareEvmChunk(setup, { ...input, payouts: input.payouts.slice(half) }, depth + 1)
    return [...a, ...b]
  }
  const headroom = (gas * evmRailDefaults.gasLimitHeadroomNumerator) / evmRailDefaults.gasLimitHeadroomDenominator
  const gasLimit = headroom > gasPerTxMax ? gasPerTxMax : headroom
  const prepared: EvmPrepared = {
    kind,
    token,
    gasLimit: gasLimit.toString(),
    maxFeePerGas: input.fees.maxFeePerGas.toString(),
    maxPriorityFeePerGas: input.fees.maxPriorityFeePerGas.toString(),
  }
  return [{ payouts: input.payouts, prepared }]
}

async function estimateEvmChunk(
  setup: EvmRailSetup,
  kind: EvmChunkKind,
  token: Address | null,
  payouts: readonly PayoutRow[],
  batchRef: Hex,
): Promise<bigint> {
  const call = evmChunkCall(kind, token, payouts, batchRef)
  try {
    const request = { from: setup.source.address, to: setup.batchContract, data: call.data, value: hexQuantity(call.value) }
    return bigFromHex(await rpcCall<Hex>(setup.url, 'eth_estimateGas', [request]))
  } catch (error) {
    if (!(error instanceof RpcError)) throw error
    // The node says the call would revert (no allowance, not enough balance, a bad recipient):
    // refuse now, before anything is signed.
    throw new CsError(
      'PREFLIGHT_FAILED',
      `The batch contract would refuse this chunk on chain ${setup.chainId} (${error.rpcMessage.slice(0, 160)}) — check the treasury's balance and allowance; nothing was signed.`,
      { cause: error },
    )
  }
}
