/**
 * Stripe's own view of an escrow's milestones, for the poller and the balance check: the
 * transfers of its transfer_group and the refunds of its charge, each put to its milestone by our
 * metadata (escrow_id, milestone, op). Stripe holds no lock of its own, so a milestone with
 * nothing sent is 'held' (a dispute only freezes our side); a transfer made by a resolve, or a
 * transfer and a refund together, is a 'split'. Transfers count net of reversals. Stripe has no
 * clock of its own to compare deadlines with: railNow is ours.
 */
import type Stripe from 'stripe'
import type { EscrowOnRail, EscrowTerms, MilestoneOnRail } from '../../EscrowRail'
import { listRefunds, listTransfers } from './lookupStripeEscrowTxs'

interface Moved {
  amount: bigint
  id: string
  created: number
  op: string | undefined
}

export async function observeStripeEscrow(stripe: Stripe, terms: EscrowTerms, now: Date): Promise<EscrowOnRail> {
  const transfers = await listTransfers(stripe, terms.railEscrowId)
  const refunds = terms.fundingCharge === null ? [] : await listRefunds(stripe, terms.fundingCharge)
  const milestones = new Map<number, MilestoneOnRail>()
  for (const m of terms.milestones) {
    const key = String(m.index)
    const mine = (md: Stripe.Metadata | null | undefined): boolean => md?.['escrow_id'] === terms.escrowId && md['milestone'] === key
    const paid = transfers
      .filter((t) => mine(t.metadata))
      .map((t) => ({ amount: BigInt(t.amount) - BigInt(t.amount_reversed), id: t.id, created: t.created, op: t.metadata['op'] }))
    const back = refunds
      .filter((r) => mine(r.metadata) && r.status !== 'failed' && r.status !== 'canceled')
      .map((r) => ({ amount: BigInt(r.amount), id: r.id, created: r.created, op: r.metadata?.['op'] }))
    milestones.set(m.index, milestoneState(m.amount, paid, back))
  }
  return { milestones, railNow: now }
}

function milestoneState(amount: bigint, paid: readonly Moved[], back: readonly Moved[]): MilestoneOnRail {
  const sum = (list: readonly Moved[]): bigint => list.reduce((s, x) => s + x.amount, 0n)
  const all = [...paid, ...back].sort((a, b) => b.created - a.created)
  const latest = all[0]
  if (latest === undefined) return { state: 'held', amount }
  const at = new Date(latest.created * 1000)
  const txHash = latest.id
  const toPayee = sum(paid)
  const toPayer = sum(back)
  const resolved = all.some((x) => x.op === 'resolve')
  if (resolved || (toPayee > 0n && toPayer > 0n))
    return { state: 'split', toPayee, toPayer: resolved ? amount - toPayee : toPayer, txHash, at }
  if (toPayee > 0n) return { state: 'released', amount: toPayee, txHash, at }
  return { state: 'refunded', amount: toPayer, txHash, at }
}
