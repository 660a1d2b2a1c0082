/**
 * How many confirmations on the device paying a batch will take, per rail and network — said
 * BEFORE Execute, so a batch whose rows force one transaction each (distinct Stellar memos: a
 * transaction holds up to 100 payments but one memo) is seen as "25 confirmations", not found
 * out at the device. PURE: it groups the payouts the way the rails' planning does
 * (groupStellarChunks; evmChunkSizeMax), reading no network.
 *
 * Counted are the payouts still to be sent: pending ones (grouped as planning will group them)
 * and failed ones (a retry sends each failed chunk again as the same chunk: one transaction per
 * failed submission). EVM counts are a lower bound — the node's gas estimate may halve a chunk.
 */
import type { SigningPlanRail } from '../../../../shared/payoutsApi'
import type { RailsConfigSetting } from '../../../../shared/payoutsApi'
import type { Rail } from '../../../../shared/blocks'
import type { PayoutRow } from '../../db/schema'
import { evmChunkSizeMax } from '../../rails/evm/planEvmChunks'
import { evmUsableGas } from '../../rails/evm/evmRailSetup'
import { groupStellarChunks } from '../../rails/stellar/planStellarChunks'
import { stellarRailDefaults } from '../../rails/stellar/stellarRailConfig'
import { assertNever } from '../../util/invariant'

export type CountedPayout = Pick<PayoutRow, 'id' | 'rail' | 'network' | 'asset_id' | 'memo' | 'state' | 'submission_id'>

/** What the count needs to know about an asset: whether it is a token (EVM: payToken, which costs less gas per payout). */
export type CountedAsset = { readonly issuer: string | null }

export interface CountDeviceConfirmationsParameters {
  payouts: readonly CountedPayout[]
  assets: ReadonlyMap<string, CountedAsset>
  /** The workspace's rails setting: per-chain chunk limits. A network not in it counts with the rails' defaults. */
  rails: RailsConfigSetting
}
export type CountDeviceConfirmationsReturnType = SigningPlanRail[]

export function countDeviceConfirmations(input: CountDeviceConfirmationsParameters): SigningPlanRail[] {
  const byRail = new Map<string, { rail: Rail; network: string; pending: CountedPayout[]; failed: CountedPayout[] }>()
  for (const p of input.payouts) {
    if (p.state !== 'pending' && p.state !== 'failed') continue
    const key = `${p.rail}:${p.network}`
    const group = byRail.get(key) ?? { rail: p.rail as Rail, network: p.network, pending: [], failed: [] }
    ;(p.state === 'pending' ? group.pending : group.failed).push(p)
    byRail.set(key, group)
  }
  const out: SigningPlanRail[] = []
  for (const g of byRail.values()) {
    // A retry resends each failed chunk as it was: one transaction per failed submission.
    const retried = new Set(g.failed.map((p) => p.submission_id ?? p.id)).size
    const pending = countPending(g.rail, g.network, g.pending, input)
    const transactions = pending.transactions + retried
    const onDevice = g.rail !== 'stripe'
    out.push({
      rail: g.rail,
      network: g.network,
      payouts: g.pending.length + g.failed.length,
      transactions,
      deviceConfirmations: onDevice ? transactions : 0,
      deviceConfirmationsIfShared: onDevice ? pending.transactionsIfShared + retried : 0,
      distinctMemos: g.rail === 'stellar' ? new Set(g.pending.map((p) => p.memo || null).filter((m) => m !== null)).size : 0,
      precision: g.rail === 'evm' ? 'atLeast' : 'exact',
    })
  }
  return out.sort((a, b) => a.rail.localeCompare(b.rail) || a.network.localeCompare(b.network))
}

interface PendingCount {
  transactions: number
  /** Had every payout of one asset been free to share a transaction (no memo forcing a split). */
  transactionsIfShared: number
}

function countPending(
  rail: Rail,
  network: string,
  payouts: readonly CountedPayout[],
  input: CountDeviceConfirmationsParameters,
): PendingCount {
  switch (rail) {
    case 'stellar': {
      const setting = input.rails.stellar?.networks.find((n) => n.network === network)
      const opsPerTx = setting?.opsPerTxMax ?? stellarRailDefaults.opsPerTxMax
      const transactions = groupStellarChunks(payouts, opsPerTx).length
      return { transactions, transactionsIfShared: perAsset(payouts, () => opsPerTx) }
    }
    case 'evm': {
      const setting = input.rails.evm?.chains.find((c) => String(c.chainId) === network)
      const setup = { usableGas: evmUsableGas, payoutsPerChunkMax: setting?.payoutsPerChunkMax }
      const size = (assetId: string) => evmChunkSizeMax(setup, input.assets.get(assetId)?.issuer == null ? 'native' : 'token')
      const transactions = perAsset(payouts, size)
      return { transactions, transactionsIfShared: transactions }
    }
    case 'stripe':
      // One transfer per payout, each sent with its own idempotency key; nothing to sign.
      return { transactions: payouts.length, transactionsIfShared: payouts.length }
    default:
      return assertNever(rail)
  }
}

/** Transactions when each asset's payouts are cut into pieces of at most `size(assetId)`. */
function perAsset(payouts: readonly CountedPayout[], size: (assetId: string) => number): number {
  const counts = new Map<string, number>()
  for (const p of payouts) counts.set(p.asset_id, (counts.get(p.asset_id) ?? 0) + 1)
  let transactions = 0
  for (const [assetId, n] of counts) transactions += Math.ceil(n / size(assetId))
  return transactions
}
