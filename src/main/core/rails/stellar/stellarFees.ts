/**
 * The fee Countersign bids per Stellar operation: the network's base fee, or the 90th percentile
 * of what recent ledgers charged when that is higher (so a busy network still takes it), and
 * never above the configured cap — checked at planning (refused) and in pre-flight (reported).
 */
import type { HorizonClient } from './horizon'

/** Stellar's minimum base fee, stroops, when Horizon does not say. */
const BASE_FEE_DEFAULT_STROOPS = '100'

/** The bid per operation, in stroops, from Horizon's fee statistics. */
export async function readFeeBidStroops(horizon: HorizonClient): Promise<bigint> {
  const stats = await horizon.feeStats()
  const base = BigInt(stats?.last_ledger_base_fee ?? BASE_FEE_DEFAULT_STROOPS)
  const p90 = BigInt(stats?.fee_charged.p90 ?? '0')
  return p90 > base ? p90 : base
}
