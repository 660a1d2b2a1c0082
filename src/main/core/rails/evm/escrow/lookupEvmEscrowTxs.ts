/**
 * Lookup of escrow transactions on the EVM rail: the payout rail's lookup (one batch request per
 * sweep, dead proven by a second request), plus the time of each block a receipt landed in — the
 * escrow engine books a confirmed operation at the chain's time (closedAt), not at ours.
 */
import type { Hex } from 'viem'
import type { EscrowRailTx } from '../../EscrowRail'
import { rpcBatch, type JsonRpcCall } from '../jsonRpc'
import { bigFromHex } from '../evmHex'
import { lookupEvmSubmissions, type EvmHeadSeen, type EvmObservation } from '../lookupEvmSubmissions'
import type { EvmEscrowSetup } from './evmEscrowSetup'

export interface EvmEscrowObservation extends EvmObservation {
  /** Unix seconds of the receipt's block (null: no receipt, or the node lost the block meanwhile). */
  blockTimestamp: bigint | null
}

export async function lookupEvmEscrowTxs(
  setup: EvmEscrowSetup,
  headSeen: EvmHeadSeen,
  txs: readonly EscrowRailTx[],
): Promise<Map<string, unknown>> {
  const seen = (await lookupEvmSubmissions(setup, headSeen, txs)) as Map<string, EvmObservation>
  const blocks = [...new Set([...seen.values()].flatMap((o) => (o.receipt ? [o.receipt.blockHash] : [])))]
  const calls = blocks.map((hash): JsonRpcCall => ({ method: 'eth_getBlockByHash', params: [hash, false] }))
  const results = await rpcBatch(setup.url, calls)
  const times = new Map<string, bigint>()
  blocks.forEach((hash, k) => {
    const r = results[k]!
    const block = r.ok ? (r.result as { timestamp?: Hex } | null) : null
    if (block?.timestamp !== undefined) times.set(hash, bigFromHex(block.timestamp))
  })
  const out = new Map<string, unknown>()
  for (const [id, o] of seen) {
    out.set(id, { ...o, blockTimestamp: o.receipt ? (times.get(o.receipt.blockHash) ?? null) : null } satisfies EvmEscrowObservation)
  }
  return out
}
