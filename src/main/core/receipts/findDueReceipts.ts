/**
 * What is final and has no receipt yet, in issuing order: confirmed payouts, done escrow
 * outcomes and Stripe reversals, ordered by the ledger entry that booked each (entries.seq). That
 * order is deterministic (the same books give the same numbers), follows when each payment was
 * recorded, and puts every reversal after the payout it reverses.
 */
import type { ReceiptDueItem } from '../../../shared/receiptsApi'
import { receiptWaitSentence } from '../../../shared/receiptWaits'
import type { CoreContext } from '../context'
import { inChunks } from '../payouts/inChunks'
import { escrowSubjects, type EscrowSubject } from './buildEscrowDrafts'
import { metadataOf } from './receiptFacts'
import { readReceiptFinality, type ReceiptFinality, type ReceiptRails } from './receiptFinality'

export type DueReceipt = { subjectKey: string; seq: number } & (
  { kind: 'payout'; payoutId: string } | { kind: 'escrow'; escrow: EscrowSubject } | { kind: 'reversal'; entryId: string }
)

export async function findDueReceipts(ctx: CoreContext, filter: { batchId?: string } = {}): Promise<DueReceipt[]> {
  const k = ctx.db.k
  let payouts = k
    .selectFrom('payouts as p')
    .innerJoin('entries as e', 'e.id', 'p.entry_id')
    .select(['p.id', 'e.seq'])
    .where('p.state', '=', 'confirmed')
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('receipts as r').select('r.number').whereRef('r.payout_id', '=', 'p.id').where('r.kind', '=', 'payout'))),
    )
  if (filter.batchId !== undefined) payouts = payouts.where('p.batch_id', '=', filter.batchId)
  const due: DueReceipt[] = (await ctx.db.all(payouts)).map((p) => ({
    kind: 'payout',
    subjectKey: `payout:${p.id}`,
    payoutId: p.id,
    seq: Number(p.seq),
  }))

  const reversals = await ctx.db.all(
    k
      .selectFrom('stripe_events as s')
      .innerJoin('entries as e', 'e.id', 's.booked_entry_id')
      .select(['e.id', 'e.seq', 'e.metadata'])
      .where('s.type', '=', 'transfer.reversed')
      .where('e.kind', '=', 'stripe.reversal'),
  )
  let inBatch: (payoutId: string) => boolean = () => true
  if (filter.batchId !== undefined) {
    const ids = reversals.map((r) => metadataOf(r.metadata)['payoutId'] ?? '')
    const of = new Set<string>()
    for (const chunk of inChunks([...new Set(ids)]))
      for (const p of await ctx.db.all(
        k.selectFrom('payouts').select('id').where('id', 'in', chunk).where('batch_id', '=', filter.batchId),
      ))
        of.add(p.id)
    inBatch = (id) => of.has(id)
  }
  for (const r of reversals)
    if (inBatch(metadataOf(r.metadata)['payoutId'] ?? ''))
      due.push({ kind: 'reversal', subjectKey: `reversal:${r.id}`, entryId: r.id, seq: Number(r.seq) })

  if (filter.batchId === undefined)
    for (const s of await escrowSubjects(ctx)) due.push({ kind: 'escrow', subjectKey: s.subjectKey, escrow: s, seq: s.seq })

  // Payouts were filtered in SQL; the few others here.
  const others = due.filter((d) => d.kind !== 'payout').map((d) => d.subjectKey)
  const issued = new Set<string>()
  for (const chunk of inChunks(others))
    for (const r of await ctx.db.all(k.selectFrom('receipts').select('subject_key').where('subject_key', 'in', chunk)))
      issued.add(r.subject_key)
  return due.filter((d) => !issued.has(d.subjectKey)).sort((a, b) => a.seq - b.seq || (a.subjectKey < b.subjectKey ? -1 : 1))
}

export function payoutIdsOf(due: readonly DueReceipt[]): string[] {
  return due.flatMap((d) => (d.kind === 'payout' ? [d.payoutId] : []))
}

/** Due receipts as a person reads them: each with its rail, what it is, and why it waits (null: issued at the next sweep). */
export async function dueItems(ctx: CoreContext, due: readonly DueReceipt[], finality: ReceiptFinality): Promise<ReceiptDueItem[]> {
  const where = new Map<string, { rail: string; network: string }>()
  for (const chunk of inChunks(payoutIdsOf(due)))
    for (const p of await ctx.db.all(ctx.db.k.selectFrom('payouts').select(['id', 'rail', 'network']).where('id', 'in', chunk)))
      where.set(p.id, { rail: p.rail, network: p.network })
  const escrowOf = new Map<string, { rail: string; network: string; name: string; kind: string; milestone: number }>()
  const actionIds = [...new Set(due.flatMap((d) => (d.kind === 'escrow' ? [d.escrow.actionId] : [])))]
  for (const chunk of inChunks(actionIds))
    for (const a of await ctx.db.all(
      ctx.db.k
        .selectFrom('escrow_actions as a')
        .innerJoin('escrows as e', 'e.id', 'a.escrow_id')
        .select(['a.id', 'a.kind', 'a.milestone', 'e.rail', 'e.network', 'e.name'])
        .where('a.id', 'in', chunk),
    ))
      escrowOf.set(a.id, { rail: a.rail, network: a.network, name: a.name, kind: a.kind, milestone: Number(a.milestone) })
  return due.map((d) => {
    const payoutId = d.kind === 'payout' ? d.payoutId : null
    const escrow = d.kind === 'escrow' ? escrowOf.get(d.escrow.actionId) : undefined
    const at = payoutId !== null ? where.get(payoutId) : escrow
    const waitingFor = finality.waiting.get(d.subjectKey) ?? null
    return {
      subjectKey: d.subjectKey,
      kind: d.kind,
      payoutId,
      rail: at?.rail ?? (d.kind === 'reversal' ? 'stripe' : null),
      network: at?.network ?? null,
      title: titleOf(d, escrow),
      waitingFor,
      reason:
        waitingFor !== null
          ? receiptWaitSentence(waitingFor)
          : 'Final: its receipt is issued at the next sweep, or now with Issue due receipts (countersign receipts issue).',
    }
  })
}

/** What a person reads as the payment's name. */
function titleOf(d: DueReceipt, escrow: { name: string; kind: string; milestone: number } | undefined): string {
  if (d.kind === 'payout') return `Payout ${d.payoutId}`
  if (d.kind === 'reversal') return `Stripe reversal ${d.entryId}`
  const to = d.escrow.part === 'payee' ? 'the payee' : 'the payer'
  if (!escrow) return `Escrow action ${d.escrow.actionId} (to ${to})`
  const outcome =
    escrow.kind === 'resolve' ? `resolved, ${to}'s share` : escrow.kind === 'refund' ? `refunded to ${to}` : `released to ${to}`
  return `Escrow "${escrow.name}", milestone ${escrow.milestone}: ${outcome}`
}

/** receipts.due: what is due, waiting ones first (then issuing order), each with why; reads the chains' heads. */
export async function listDueReceipts(
  ctx: CoreContext,
  rails: ReceiptRails,
  filter: { batchId?: string; limit?: number } = {},
): Promise<{ due: number; waiting: number; items: ReceiptDueItem[] }> {
  const due = await findDueReceipts(ctx, filter.batchId !== undefined ? { batchId: filter.batchId } : {})
  const finality = await readReceiptFinality(ctx, rails, due)
  const waits = (d: DueReceipt) => finality.waiting.has(d.subjectKey)
  const ordered = [...due.filter(waits), ...due.filter((d) => !waits(d))]
  return {
    due: due.length,
    waiting: finality.waiting.size,
    items: await dueItems(ctx, ordered.slice(0, filter.limit ?? 50), finality),
  }
}
