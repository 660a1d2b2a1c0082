/**
 * What Stellar says about an escrow's milestones, for the poller: a balance still there is held;
 * a balance gone was claimed, and Horizon's operations on it say by whom — the payee (it took
 * the milestone in its window, without us: released) or the treasury (a release, dispute or
 * refund of ours: reported as refunded; the engine knows which of its own actions it was).
 * Stellar has no "locked" state of its own: a disputed milestone was claimed back. Reads only.
 */
import type { EscrowOnRail, EscrowRailMilestone, EscrowTerms, MilestoneOnRail } from '../../EscrowRail'
import { stringToStroopsText } from '../stellarAmounts'
import type { StellarRailEnv } from '../stellarRailEnv'

/** A balance has two operations (create, claim); a few more pages nothing. */
const BALANCE_OPERATIONS_MAX = 10

export async function observeStellarEscrow(env: StellarRailEnv, terms: EscrowTerms): Promise<EscrowOnRail> {
  const milestones = new Map<number, MilestoneOnRail>()
  for (const m of terms.milestones) milestones.set(m.index, await observeMilestone(env, terms, m))
  // Read after the balances: a claim seen above happened at or before this close time.
  const ledger = await env.horizon.latestLedger()
  return { milestones, railNow: new Date(ledger.closed_at) }
}

async function observeMilestone(env: StellarRailEnv, terms: EscrowTerms, m: EscrowRailMilestone): Promise<MilestoneOnRail> {
  if (m.railRef === null) return { state: 'absent' }
  const balance = await env.horizon.claimableBalance(m.railRef)
  if (balance) return { state: 'held', amount: BigInt(stringToStroopsText(balance.amount)) }
  const ops = (await env.horizon.claimableBalanceOperations(m.railRef, BALANCE_OPERATIONS_MAX)) ?? []
  const claim = ops.find((o) => o.type === 'claim_claimable_balance' && o.transaction_successful)
  if (!claim) return { state: 'absent' }
  const created = ops.find((o) => o.type === 'create_claimable_balance' && o.amount !== undefined)
  const amount = created?.amount !== undefined ? BigInt(stringToStroopsText(created.amount)) : m.amount
  const claimer = claim.claimant ?? claim.source_account
  const at = new Date(claim.created_at)
  if (claimer === terms.payee) return { state: 'released', amount, txHash: claim.transaction_hash, at }
  return { state: 'refunded', amount, txHash: claim.transaction_hash, at }
}
