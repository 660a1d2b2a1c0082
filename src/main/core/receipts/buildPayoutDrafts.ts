/**
 * Receipts of confirmed payouts, built in bulk (one query per table for a whole chunk) from the
 * records the engine keeps: the payout and its batch, the approvals of the version executed, the
 * submission that confirmed it and its audit rows (signed, broadcast, confirmed), and the ledger
 * entry that booked it (its metadata names the submission and the payout's log / operation index).
 *
 * Evidence per rail:
 *   evm      chain id, tx hash, block number and hash, the log index of the payout's own
 *            Paid(batchRef, index) event, from (treasury) and to (the contract the signed
 *            transaction called, read from the signed bytes)
 *   stellar  tx hash, ledger, the payout's operation index, source, the network passphrase's name
 *   stripe   tr_ (the transfer: the submission's block hash), the platform's balance transaction
 *            txn_ for it when the sync has seen it, the destination acct_
 *
 * Fee: the rails charge per transaction, and a transaction carries many payouts. A receipt names
 * a fee only when the payout's share is exact: the transaction carried this payout alone, or —
 * on Stellar, which charges per operation — the fee divides evenly by the operations. Otherwise
 * `fee` is null and the description says what the whole transaction cost and that the payer paid
 * it. No rail here deducts a fee from what the payee receives, so `net` is always null.
 */
import type { ReceiptEvent } from '../../../shared/receiptTypes'
import type { CoreContext } from '../context'
import type { ApprovalRow, BatchRow, PayoutRow, SubmissionRow } from '../db/schema'
import { assetIdFor } from '../ledger/ids'
import { inChunks } from '../payouts/inChunks'
import { invariant } from '../util/invariant'
import { chainEvidence } from './chainEvidence'
import { finalAsChecked, finalityDetail } from './receiptFinality'
import { event, metadataOf, payerAccountOf, receiptAmount, type ReceiptDraft, type ReceiptFacts } from './receiptFacts'

const SUBMISSION_ACTIONS = ['payouts.submission.signed', 'payouts.submission.broadcast', 'payouts.submission.confirmed'] as const

interface EntryFacts {
  id: string
  seq: number
  metadata: Record<string, string>
  auditSeq: number
  createdAt: string
}

interface AuditFacts {
  seq: number
  at: string
  actor: string
}

export interface PayoutRows {
  payouts: PayoutRow[]
  entries: Map<string, EntryFacts>
  submissions: Map<string, SubmissionRow>
  payoutsPerSubmission: Map<string, number>
  /** "submission:<id>|<action>" -> the latest such audit row. */
  audit: Map<string, AuditFacts>
  batches: Map<string, BatchRow>
  approvals: Map<string, ApprovalRow[]>
  balanceTxns: Map<string, string>
}

async function inList<T>(ids: readonly string[], load: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = []
  for (const chunk of inChunks([...new Set(ids)])) out.push(...(await load(chunk)))
  return out
}

export async function loadPayoutRows(ctx: CoreContext, payoutIds: readonly string[]): Promise<PayoutRows> {
  const k = ctx.db.k
  const payouts = await inList(payoutIds, (c) => ctx.db.all(k.selectFrom('payouts').selectAll().where('id', 'in', c)))
  const entryRows = await inList(
    payouts.map((p) => p.entry_id ?? ''),
    (c) => ctx.db.all(k.selectFrom('entries').select(['id', 'seq', 'metadata', 'audit_seq', 'created_at']).where('id', 'in', c)),
  )
  const entries = new Map(
    entryRows.map((e) => {
      invariant(e.audit_seq !== null, () => `entry ${e.id} has no audit row`)
      return [
        e.id,
        { id: e.id, seq: Number(e.seq), metadata: metadataOf(e.metadata), auditSeq: Number(e.audit_seq), createdAt: e.created_at },
      ]
    }),
  )
  const subIds = payouts.map((p) => entries.get(p.entry_id ?? '')?.metadata['submissionId'] ?? p.submission_id ?? '')
  const submissions = new Map(
    (await inList(subIds, (c) => ctx.db.all(k.selectFrom('submissions').selectAll().where('id', 'in', c)))).map((s) => [s.id, s]),
  )
  const counts = await inList([...submissions.keys()], (c) =>
    ctx.db.all(
      k
        .selectFrom('submission_payouts')
        .select(['submission_id', (eb) => eb.fn.countAll<number | string>().as('n')])
        .where('submission_id', 'in', c)
        .groupBy('submission_id'),
    ),
  )
  const auditRows = await inList(
    [...submissions.keys()].map((id) => `submission:${id}`),
    (c) =>
      ctx.db.all(
        k
          .selectFrom('audit_log')
          .select(['seq', 'at', 'actor', 'action', 'subject'])
          .where('subject', 'in', c)
          .where('action', 'in', [...SUBMISSION_ACTIONS])
          .orderBy('seq'),
      ),
  )
  const audit = new Map<string, AuditFacts>()
  for (const a of auditRows) audit.set(`${a.subject}|${a.action}`, { seq: Number(a.seq), at: a.at, actor: a.actor })
  const batchIds = payouts.map((p) => p.batch_id)
  const batches = new Map(
    (await inList(batchIds, (c) => ctx.db.all(k.selectFrom('batches').selectAll().where('id', 'in', c)))).map((b) => [b.id, b]),
  )
  const approvals = new Map<string, ApprovalRow[]>()
  for (const a of await inList(batchIds, (c) =>
    ctx.db.all(k.selectFrom('approvals').selectAll().where('batch_id', 'in', c).where('decision', '=', 'approve').orderBy('at')),
  )) {
    if (Number(a.version) !== Number(batches.get(a.batch_id)?.version)) continue
    approvals.set(a.batch_id, [...(approvals.get(a.batch_id) ?? []), a])
  }
  const transferIds = [...submissions.values()].filter((s) => s.rail === 'stripe' && s.block_hash !== null).map((s) => s.block_hash!)
  const balanceTxns = new Map(
    (
      await inList(transferIds, (c) =>
        ctx.db.all(k.selectFrom('stripe_balance_txns').select(['id', 'source']).where('source', 'in', c).orderBy('created')),
      )
    ).map((t) => [t.source ?? '', t.id]),
  )
  return {
    payouts,
    entries,
    submissions,
    payoutsPerSubmission: new Map(counts.map((c) => [c.submission_id, Number(c.n)])),
    audit,
    batches,
    approvals,
    balanceTxns,
  }
}

/** The audit rows the receipts will cite (their hashes are loaded with the facts). */
export function auditSeqsOfPayouts(rows: PayoutRows): number[] {
  return [...rows.entries.values()].map((e) => e.auditSeq)
}

/** Each payout's draft, with its booking entry's seq (issuing order); payouts not booked are left out. */
export function draftPayouts(rows: PayoutRows, facts: ReceiptFacts): ReceiptDraft[] {
  const out: ReceiptDraft[] = []
  for (const p of rows.payouts) {
    const entry = rows.entries.get(p.entry_id ?? '')
    const sub = rows.submissions.get(entry?.metadata['submissionId'] ?? p.submission_id ?? '')
    const asset = facts.asset(p.asset_id)
    if (p.state !== 'confirmed' || !entry || !sub || sub.state !== 'confirmed' || !asset) continue
    if (sub.rail === 'evm' && !finalAsChecked(facts.evmFinal(`payout:${p.id}`), sub)) continue // not final, or the engine saw a reorg since: it waits
    out.push(draftPayout(rows, facts, p, entry, sub, asset))
  }
  return out
}

function draftPayout(
  rows: PayoutRows,
  facts: ReceiptFacts,
  p: PayoutRow,
  entry: EntryFacts,
  sub: SubmissionRow,
  asset: NonNullable<ReturnType<ReceiptFacts['asset']>>,
): ReceiptDraft {
  const batch = rows.batches.get(p.batch_id)
  const confirmed = rows.audit.get(`submission:${sub.id}|payouts.submission.confirmed`)
  const paidAt = confirmed?.at ?? entry.createdAt
  const index = Number(entry.metadata['logIndex'] ?? '0')
  const { fee, feeNote } = feeShare(rows, facts, sub)
  const evidence = evidenceOf(rows, facts, p, sub, index)
  const txHash = evidence.rail === 'stripe' ? evidence.transferId : evidence.txHash
  const batchText = batch ? `batch "${batch.name}"` : `batch ${p.batch_id}`
  return {
    subjectKey: `payout:${p.id}`,
    kind: 'payout',
    previousSubjectKey: null,
    payerAccount: payerAccountOf(sub.source),
    columns: {
      payout_id: p.id,
      batch_id: p.batch_id,
      escrow_id: null,
      rail: p.rail,
      network: p.network,
      asset_id: p.asset_id,
      amount: p.amount,
      payee_name: p.name ?? '',
      recipient: p.recipient,
      reference: p.reference ?? '',
      tx_hash: txHash,
      paid_at: paidAt,
    },
    body: {
      schema: 'countersign.receipt/1',
      kind: 'payout',
      paidAt,
      payee: { name: p.name ?? '', recipient: p.recipient },
      amount: receiptAmount(BigInt(p.amount), p.asset_id, asset),
      fee,
      net: null,
      subject: {
        id: p.id,
        batchId: p.batch_id,
        escrowId: null,
        milestone: null,
        reference: p.reference ?? '',
        memo: p.memo ?? '',
        description: `Payout ${p.id} of ${batchText}.${feeNote}`,
      },
      evidence,
      timeline: timelineOf(rows, facts, p, sub, batch),
      ledger: { entryIds: [entry.id], auditSeq: entry.auditSeq, auditHash: facts.auditHash(entry.auditSeq) },
    },
  }
}

function evidenceOf(
  rows: PayoutRows,
  facts: ReceiptFacts,
  p: PayoutRow,
  sub: SubmissionRow,
  index: number,
): ReceiptDraft['body']['evidence'] {
  const chain = chainEvidence(facts, sub, index)
  if (chain !== null) return chain
  // Stripe
  const transferId = sub.block_hash ?? ''
  return {
    rail: 'stripe',
    network: sub.network,
    transferId,
    balanceTransactionId: rows.balanceTxns.get(transferId) ?? null,
    payoutId: null,
    destination: p.recipient,
  }
}

function feeShare(rows: PayoutRows, facts: ReceiptFacts, sub: SubmissionRow): { fee: ReceiptDraft['body']['fee']; feeNote: string } {
  const paid = BigInt(sub.fee_paid ?? '0')
  if (paid === 0n || sub.rail === 'stripe') return { fee: null, feeNote: '' }
  const feeAssetId = assetIdFor(sub.rail === 'evm' ? 'ETH' : 'XLM', sub.rail, sub.network)
  const feeAsset = facts.asset(feeAssetId)
  if (!feeAsset) return { fee: null, feeNote: '' }
  const count = BigInt(rows.payoutsPerSubmission.get(sub.id) ?? 1)
  if (count === 1n) return { fee: receiptAmount(paid, feeAssetId, feeAsset), feeNote: ' The network fee was paid by the payer.' }
  if (sub.rail === 'stellar' && paid % count === 0n)
    return {
      fee: receiptAmount(paid / count, feeAssetId, feeAsset),
      feeNote: ` The network fee (per operation, ${count} operations in the transaction) was paid by the payer.`,
    }
  const total = receiptAmount(paid, feeAssetId, feeAsset)
  return {
    fee: null,
    feeNote: ` The network fee of ${total.value} ${total.code} for the whole transaction (${count} payouts) was paid by the payer; nothing was deducted from this payment.`,
  }
}

function timelineOf(rows: PayoutRows, facts: ReceiptFacts, p: PayoutRow, sub: SubmissionRow, batch: BatchRow | undefined): ReceiptEvent[] {
  const out: ReceiptEvent[] = [event('created', p.created_at, batch ? facts.operator(batch.created_by) : '', `row ${p.row_no}`)]
  for (const a of rows.approvals.get(p.batch_id) ?? [])
    out.push(event('approved', a.at, facts.operator(a.operator_id), `batch version ${a.version}`))
  const at = (action: (typeof SUBMISSION_ACTIONS)[number]) => rows.audit.get(`submission:${sub.id}|${action}`)
  const signed = at('payouts.submission.signed')
  if (signed)
    out.push(event('signed', signed.at, facts.operator(signed.actor), sub.rail === 'stripe' ? 'request sealed' : `by ${sub.source}`))
  const broadcast = at('payouts.submission.broadcast')
  if (broadcast) out.push(event('broadcast', broadcast.at, facts.operator(broadcast.actor), sub.rail === 'stripe' ? 'sent to Stripe' : ''))
  const confirmed = at('payouts.submission.confirmed')
  if (confirmed) out.push(event('confirmed', confirmed.at, facts.operator(confirmed.actor), confirmationDetail(facts, p, sub)))
  return out
}

function confirmationDetail(facts: ReceiptFacts, p: PayoutRow, sub: SubmissionRow): string {
  if (sub.rail === 'evm') {
    const f = facts.evmFinal(`payout:${p.id}`)
    invariant(f !== undefined, () => `EVM payout ${p.id} drafted without finality`)
    return finalityDetail(f)
  }
  if (sub.rail === 'stellar') return `ledger ${sub.block_number ?? '?'} (final when closed)`
  return `transfer ${sub.block_hash ?? '?'}`
}
