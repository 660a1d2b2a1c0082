/**
 * Finality on the EVM rail, for receipts (a receipt attests a final payment): the engine's own
 * lookup of confirmed submissions (one JSON-RPC batch: the head and the canonical block at each
 * height), measured against the reorg window by THE rule the engine watches with
 * (evmBlockWatched). The head counted is the one read now, not the highest seen: a receipt says
 * how deep its block is, and that must be true on the chain as it is.
 */
import { parseMinor } from '../../../../shared/money'
import type { RailFinality, RailSubmission } from '../Rail'
import { evmBlocksLeftInWatch, type EvmRailSetup } from './evmRailSetup'
import { lookupEvmSubmissions, type EvmHeadSeen, type EvmObservation } from './lookupEvmSubmissions'

export async function readEvmFinality(
  setup: EvmRailSetup,
  headSeen: EvmHeadSeen,
  submissions: readonly RailSubmission[],
): Promise<Map<string, RailFinality>> {
  const confirmed = submissions.filter((s) => s.state === 'confirmed' && s.block_number !== null)
  const seen = (await lookupEvmSubmissions(setup, headSeen, confirmed)) as Map<string, EvmObservation>
  const out = new Map<string, RailFinality>()
  for (const s of confirmed) {
    const o = seen.get(s.id)
    if (!o) continue
    const block = parseMinor(s.block_number!)
    out.set(s.id, {
      head: o.head,
      onChain: o.canonicalHash !== null && o.canonicalHash === s.block_hash,
      confirmations: o.head >= block ? o.head - block + 1n : 0n,
      windowBlocks: setup.reorgWatchBlocks,
      blocksLeft: evmBlocksLeftInWatch(setup.reorgWatchBlocks, block, o.head),
    })
  }
  return out
}
