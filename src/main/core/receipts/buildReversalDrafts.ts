/**
 * Receipts of Stripe transfer reversals: money a connected account gave back, booked by the sync
 * as entry "stripe:<evt_id>" (kind stripe.reversal, stripe/stripeBooking.ts). A reversal is a new
 * receipt that names the payout's receipt (`previous`: its number and hash), which is always
 * issued first: the reversal's entry comes after the payout's booking, and receipts are issued in
 * booking order.
 */
import type { CoreContext } from '../context'
import type { PayoutRow } from '../db/schema'
import { inChunks } from '../payouts/inChunks'
import { invariant } from '../util/invariant'
import { event, metadataOf, minorOf, receiptAmount, type ReceiptDraft, type ReceiptFacts } from './receiptFacts'

export interface ReversalRows {
  entries: {
    id: string
    seq: number
    metadata: Record<string, string>
    auditSeq: number
    createdAt: string
    assetId: string
    minor: bigint
  }[]
  payouts: Map<string, PayoutRow>
}

export async function loadReversalRows(ctx: CoreContext, entryIds: readonly string[]): Promise<ReversalRows> {
  const k = ctx.db.k
  const entries: ReversalRows['entries'] = []
  for (const chunk of inChunks([...new Set(entryIds)])) {
    const rows = await ctx.db.all(
      k
        .selectFrom('entries as e')
        .innerJoin('postings as p', 'p.entry_seq', 'e.seq')
        .select(['e.id', 'e.seq', 'e.metadata', 'e.audit_seq', 'e.created_at', 'p.asset_id', 'p.amount'])
        .where('e.id', 'in', chunk)
        .where('p.idx', '=', 0),
    )
    for (const r of rows) {
      invariant(r.audit_seq !== null, () => `entry ${r.id} has no audit row`)
      entries.push({
        id: r.id,
        seq: Number(r.seq),
        metadata: metadataOf(r.metadata),
        auditSeq: Number(r.audit_seq),
        createdAt: r.created_at,
        assetId: r.asset_id,
        minor: minorOf(r.amount),
      })
    }
  }
  const payoutIds = entries.map((e) => e.metadata['payoutId'] ?? '')
  const payouts = new Map<string, PayoutRow>()
  for (const chunk of inChunks([...new Set(payoutIds)]))
    for (const p of await ctx.db.all(k.selectFrom('payouts').selectAll().where('id', 'in', chunk))) payouts.set(p.id, p)
  return { entries, payouts }
}

export function draftReversals(rows: ReversalRows, facts: ReceiptFacts): ReceiptDraft[] {
  const out: ReceiptDraft[] = []
  for (const e of rows.entries) {
    const payout = rows.payouts.get(e.metadata['payoutId'] ?? '')
    const asset = facts.asset(e.assetId)
    if (!payout || !asset) continue
    const transferId = e.metadata['transferId'] ?? ''
    const amount = receiptAmount(e.minor, e.assetId, asset)
    out.push({
      subjectKey: `reversal:${e.id}`,
      kind: 'reversal',
      previousSubjectKey: `payout:${payout.id}`,
      payerAccount: 'platform',
      columns: {
        payout_id: payout.id,
        batch_id: payout.batch_id,
        escrow_id: null,
        rail: payout.rail,
        network: payout.network,
        asset_id: e.assetId,
        amount: e.minor.toString(),
        payee_name: payout.name ?? '',
        recipient: payout.recipient,
        reference: payout.reference ?? '',
        tx_hash: transferId,
        paid_at: e.createdAt,
      },
      body: {
        schema: 'countersign.receipt/1',
        kind: 'reversal',
        paidAt: e.createdAt,
        payee: { name: payout.name ?? '', recipient: payout.recipient },
        amount,
        fee: null,
        net: null,
        subject: {
          id: payout.id,
          batchId: payout.batch_id,
          escrowId: null,
          milestone: null,
          reference: payout.reference ?? '',
          memo: payout.memo ?? '',
          description: `Stripe reversed ${amount.value} ${amount.code} of transfer ${transferId} (payout ${payout.id}) back to the payer's platform balance.`,
        },
        evidence: {
          rail: 'stripe',
          network: payout.network,
          transferId,
          balanceTransactionId: null,
          payoutId: null,
          destination: payout.recipient,
        },
        timeline: [event('reversed', e.createdAt, 'Stripe', `event ${e.metadata['eventId'] ?? '?'}`)],
        ledger: { entryIds: [e.id], auditSeq: e.auditSeq, auditHash: facts.auditHash(e.auditSeq) },
      },
    })
  }
  return out
}
