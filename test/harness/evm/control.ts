// Chain manipulation for tests: mine, reorg, snapshot/revert, setBalance. Anvil-only RPCs; none of
// this exists on a real network, which is why it lives in test/harness and not in the core.
import { type Address, type Hex } from 'viem'
import { createHarnessClients, type AnvilEndpoint } from './clients'

const testClientFor = (anvil: AnvilEndpoint) => createHarnessClients(anvil).testClient

/** Mines `blocks` empty-or-pending blocks at once. */
export async function mine(anvil: AnvilEndpoint, blocks: number): Promise<void> {
  if (!Number.isInteger(blocks) || blocks < 1) throw new RangeError(`blocks ${blocks} must be a positive integer`)
  await testClientFor(anvil).mine({ blocks })
}

/**
 * Replaces the last `depth` blocks with new ones of the same height (different hashes) via
 * `anvil_reorg(depth, txBlockPairs)`. With no pairs, the replacement blocks are empty and the
 * transactions of the dropped blocks are gone from the chain (Anvil does not return them to the
 * pool): a payout engine must notice the missing receipt and re-broadcast the same signed bytes.
 * To re-include transactions, pass them as [transactionRequest, blockOffset] pairs
 * (offset counted from the first replaced block).
 */
export async function reorg(
  anvil: AnvilEndpoint,
  depth: number,
  txBlockPairs: readonly [Record<string, unknown>, number][] = [],
): Promise<void> {
  if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`depth ${depth} must be a positive integer`)
  const head = await createHarnessClients(anvil).publicClient.getBlockNumber()
  if (BigInt(depth) > head) throw new RangeError(`cannot reorg ${depth} blocks: the chain is only ${head} blocks long`)
  await testClientFor(anvil).request({
    method: 'anvil_reorg' as never,
    params: [depth, txBlockPairs] as never,
  })
}

/** Saves the chain state; revert(anvil, id) returns to it (once: Anvil consumes the snapshot). */
export async function snapshot(anvil: AnvilEndpoint): Promise<Hex> {
  return testClientFor(anvil).snapshot()
}

export async function revert(anvil: AnvilEndpoint, id: Hex): Promise<void> {
  // viem's revert() drops Anvil's boolean answer; ask directly so an unknown id is an error.
  const ok = await testClientFor(anvil).request({ method: 'evm_revert' as never, params: [id] as never })
  if (ok !== true) throw new Error(`evm_revert(${id}) failed: no such snapshot (each snapshot can be reverted to once)`)
}

/** Sets an account's native balance in wei. */
export async function setBalance(anvil: AnvilEndpoint, address: Address, wei: bigint): Promise<void> {
  if (wei < 0n) throw new RangeError('balance must be >= 0')
  await testClientFor(anvil).setBalance({ address, value: wei })
}
