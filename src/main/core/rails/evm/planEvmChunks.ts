/**
 * Planning on the EVM rail (`plan` and `prepare`): reads the network, writes nothing. Payouts are
 * grouped by asset in first-seen row order (one asset per transaction: payToken / payNative), cut
 * by a static gas bound per payout, then each piece is estimated on the node and halved if it
 * does not fit. A retry (`prepare`) gets fresh fees and estimates but never a different cut.
 */
import type { PlannedChunk, RailPlanInput, RailPrepareInput } from '../Rail'
import type { PayoutRow } from '../../db/schema'
import type { EvmChunkKind } from './evmCallData'
import { readEvmFees } from './evmFees'
import { evmRailDefaults } from './evmRailConfig'
import type { EvmRailSetup } from './evmRailSetup'
import { evmAssetOf, evmKindOf, prepareEvmChunk } from './prepareEvmChunk'

export async function planEvmChunks(setup: EvmRailSetup, checkChain: () => Promise<void>, input: RailPlanInput): Promise<PlannedChunk[]> {
  await checkChain()
  const fees = await readEvmFees(setup)
  const byAsset = new Map<string, PayoutRow[]>()
  for (const p of input.payouts) {
    const list = byAsset.get(p.asset_id) ?? []
    list.push(p)
    byAsset.set(p.asset_id, list)
  }
  const out: PlannedChunk[] = []
  let chunkIndex = input.chunkIndexStart
  for (const [assetId, list] of byAsset) {
    const { kind } = evmKindOf(evmAssetOf(setup, input.assets, assetId))
    for (const piece of cutByGasBound(setup, list, kind)) {
      const parts = await prepareEvmChunk(setup, {
        batchId: input.batchId,
        chunkIndex,
        payouts: piece,
        assets: input.assets,
        fees,
        allowSplit: true,
      })
      for (const part of parts) {
        out.push({ chunkIndex, assetId, payoutIds: part.payouts.map((p) => p.id), prepared: part.prepared })
        chunkIndex++
      }
    }
  }
  return out
}

export async function prepareEvmChunks(
  setup: EvmRailSetup,
  checkChain: () => Promise<void>,
  input: RailPrepareInput,
): Promise<PlannedChunk[]> {
  await checkChain()
  const fees = await readEvmFees(setup)
  const out: PlannedChunk[] = []
  for (const c of input.chunks) {
    // No splitting: a retried chunk keeps its payouts and batchRef (see evmCallData.ts).
    const [part] = await prepareEvmChunk(setup, {
      batchId: input.batchId,
      chunkIndex: c.chunkIndex,
      payouts: c.payouts,
      assets: input.assets,
      fees,
      allowSplit: false,
    })
    out.push({ chunkIndex: c.chunkIndex, assetId: c.payouts[0]!.asset_id, payoutIds: c.payouts.map((p) => p.id), prepared: part!.prepared })
  }
  return out
}

/**
 * PURE: most payouts of one kind a chunk is cut to before the node estimates it (the static gas
 * bound per payout, and the chain's payoutsPerChunkMax). The node's estimate may still halve a
 * chunk, so counts made from this are a lower bound (batches/countDeviceConfirmations.ts).
 */
export function evmChunkSizeMax(setup: Pick<EvmRailSetup, 'usableGas' | 'payoutsPerChunkMax'>, kind: EvmChunkKind): number {
  const per = kind === 'token' ? evmRailDefaults.gasPerTokenPayoutBound : evmRailDefaults.gasPerNativePayoutBound
  const byGas = Number((setup.usableGas - evmRailDefaults.gasPerChunkBase) / per)
  return Math.max(1, Math.min(byGas, setup.payoutsPerChunkMax ?? byGas))
}

/** Static cut by an upper bound per payout; the node's estimate then confirms (or halves) each. */
function cutByGasBound(setup: EvmRailSetup, payouts: readonly PayoutRow[], kind: EvmChunkKind): PayoutRow[][] {
  const size = evmChunkSizeMax(setup, kind)
  const out: PayoutRow[][] = []
  for (let i = 0; i < payouts.length; i += size) out.push(payouts.slice(i, i + size))
  return out
}
