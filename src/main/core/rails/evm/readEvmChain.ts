/**
 * The EVM rail's small reads of chain state, one JSON-RPC call each:
 * - `head`: the latest block's HASH, the poller's cheap "did anything change?" probe (the hash,
 *   not the height: anvil_reorg and real reorgs can keep the height and change the block);
 * - `nonceFloor`: the source's pending transaction count, the lowest nonce the node accepts next;
 * - `nonceConsumed`: whether a planned submission's nonce was mined by another transaction.
 */
import type { Hex } from 'viem'
import { parseMinor } from '../../../../shared/money'
import type { RailSubmission } from '../Rail'
import { invariant } from '../../util/invariant'
import type { EvmRailSetup } from './evmRailSetup'
import { bigFromHex } from './evmHex'
import { rpcCall } from './jsonRpc'

export async function readEvmHead(setup: EvmRailSetup): Promise<string> {
  const block = await rpcCall<{ hash?: unknown } | null>(setup.url, 'eth_getBlockByNumber', ['latest', false])
  invariant(typeof block?.hash === 'string', 'the node answered the latest block without a hash')
  return block.hash
}

export async function readEvmNonceFloor(setup: EvmRailSetup, source: string): Promise<bigint> {
  return bigFromHex(await rpcCall<Hex>(setup.url, 'eth_getTransactionCount', [source, 'pending']))
}

export async function evmNonceConsumed(setup: EvmRailSetup, submission: RailSubmission): Promise<boolean> {
  invariant(submission.nonce !== null, () => `EVM submission ${submission.id} has no nonce`)
  const latest = bigFromHex(await rpcCall<Hex>(setup.url, 'eth_getTransactionCount', [submission.source, 'latest']))
  return latest > parseMinor(submission.nonce)
}
