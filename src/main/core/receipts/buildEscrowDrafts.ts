/**
 * Receipts of money leaving an escrow, one per milestone outcome of a done action: the payee's
 * part (release, or the payee's share of a resolve) is an `escrow_release` receipt, the payer's
 * part (refund, or the payer's share of a resolve) an `escrow_refund` receipt.
 *
 * Subject keys: "escrow:<actionId>:<milestone>" for the one part a release or refund moves; a
 * resolve that splits the milestone adds "escrow:<actionId>:<milestone>:refund" for the payer's
 * share. An escrow refund has no earlier receipt to name (funding an escrow pays nobody), so its
 * `previous` is null.
 *
 * Evidence is the action's confirmed rail transaction (escrow_txs); on EVM it is receipted only
 * once its block is past the reorg window (receiptFinality.ts), and the draft names that very
 * block. An outcome that moved nothing on a rail (the refund of a Stripe escrow the treasury
 * funded: the money never left the platform balance) gets no receipt; neither, yet, does a release the payee took on the rail by themselves
 * (no action row to hang it on — the escrow view shows it).
 */
import { TransactionBuilder, type Transaction } from '@stellar/stellar-base'
import type { ReceiptEvidence } from '../../../shared/receiptTypes'
import { SYSTEM_ACTOR, type CoreContext } from '../context'
import type { EscrowActionRow, EscrowApprovalRow, EscrowMilestoneRow, EscrowRow, EscrowTxRow } from '../db/schema'
import { holdPostEntryId } from '../ledger/ids'
import { inChunks } from '../payouts/inChunks'
import { invariant } from '../util/invariant'
import { chainEvidence } from './chainEvidence'
import { finalAsChecked } from './receiptFinality'
import { event, payerAccountOf, receiptAmount, type ReceiptDraft, type ReceiptFacts } from './receiptFacts'

export type EscrowPart = 'payee' | 'payer'

/** One milestone outcome that may get a receipt. */
export interface EscrowSubject {
  actionId: string
  part: EscrowPart
  subjectKey: string
  entryId: string
}

export interface EscrowRows {
  actions: Map<string, EscrowActionRow>
  escrows: Map<string, EscrowRow>
  milestones: Map<string, EscrowMilestoneRow>
  txs: Map<string, EscrowTxRow>
  approvals: Map<string, EscrowApprovalRow[]>
  entries: Map<string, { seq: number; auditSeq: number; createdAt: string }>
}

/** The parts of done release / resolve / refund actions, with the entry that booked each. */
export async function escrowSubjects(ctx: CoreContext): Promise<(EscrowSubject & { seq: number })[]> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('escrow_actions as a')
      .innerJoin('escrow_milestones as m', (j) => j.onRef('m.escrow_id', '=', 'a.escrow_id').onRef('m.idx', '=', 'a.milestone'))
      .select(['a.id', 'a.kind', 'a.escrow_id', 'a.milestone', 'm.released', 'm.refunded', 'm.hold_id'])
      .where('a.state', '=', 'done')
      .where('a.kind', 'in', ['release', 'resolve', 'refund']),
  )
  // Only outcomes that moved money on a rail have evidence to show (a Stripe escrow the treasury
  // funded is refunded without a request to Stripe: nothing left the platform balance).
  const withTx = new Set<string>()
  for (const chunk of inChunks(rows.map((r) => r.id)))
    for (const t of await ctx.db.all(
      ctx.db.k.selectFrom('escrow_txs').select('action_id').where('action_id', 'in', chunk).where('state', '=', 'confirmed'),
    ))
      withTx.add(t.action_id)
  const subjects: EscrowSubject[] = []
  for (const r of rows) {
    if (!withTx.has(r.id)) continue
    const base = `escrow:${r.id}:${r.milestone}`
    if (BigInt(r.released) > 0n)
      subjects.push({
        actionId: r.id,
        part: 'payee',
        subjectKey: base,
        entryId: holdPostEntryId(r.hold_id ?? `escrow:${r.escrow_id}:m${r.milestone}`),
      })
    if (BigInt(r.refunded) > 0n)
      subjects.push({
        actionId: r.id,
        part: 'payer',
        subjectKey: r.kind === 'refund' ? base : `${base}:refund`,
        entryId: `escrow:${r.escrow_id}:m${r.milestone}:to-payer`,
      })
  }
  const seqs = new Map<string, number>()
  for (const chunk of inChunks(subjects.map((s) => s.entryId)))
    for (const e of await ctx.db.all(ctx.db.k.selectFrom('entries').select(['id', 'seq']).where('id', 'in', chunk)))
      seqs.set(e.id, Number(e.seq))
  return subjects.flatMap((s) => (seqs.has(s.entryId) ? [{ ...s, seq: seqs.get(s.entryId)! }] : []))
}

export async function loadEscrowRows(ctx: CoreContext, subjects: readonly EscrowSubject[]): Promise<EscrowRows> {
  const k = ctx.db.k
  const actionIds = [...new Set(subjects.map((s) => s.actionId))]
  const out: EscrowRows = {
    actions: new Map(),
    escrows: new Map(),
    milestones: new Map(),
    txs: new Map(),
    approvals: new Map(),
    entries: new Map(),
  }
  for (const chunk of inChunks(actionIds)) {
    for (const a of await ctx.db.all(k.selectFrom('escrow_actions').selectAll().where('id', 'in', chunk))) out.actions.set(a.id, a)
    for (const t of await ctx.db.all(
      k.selectFrom('escrow_txs').selectAll().where('action_id', 'in', chunk).where('state', '=', 'confirmed').orderBy('attempt'),
    ))
      out.txs.set(t.action_id, t)
    for (const a of await ctx.db.all(
      k.selectFrom('escrow_approvals').selectAll().where('action_id', 'in', chunk).where('decision', '=', 'approve').orderBy('at'),
    ))
      out.approvals.set(a.action_id, [...(out.approvals.get(a.action_id) ?? []), a])
  }
  const escrowIds = [...new Set([...out.actions.values()].map((a) => a.escrow_id))]
  for (const chunk of inChunks(escrowIds)) {
    for (const e of await ctx.db.all(k.selectFrom('escrows').selectAll().where('id', 'in', chunk))) out.escrows.set(e.id, e)
    for (const m of await ctx.db.all(k.selectFrom('escrow_milestones').selectAll().where('escrow_id', 'in', chunk)))
      out.milestones.set(`${m.escrow_id}:${m.idx}`, m)
  }
  for (const chunk of inChunks(subjects.map((s) => s.entryId)))
    for (const e of await ctx.db.all(k.selectFrom('entries').select(['id', 'seq', 'audit_seq', 'created_at']).where('id', 'in', chunk))) {
      invariant(e.audit_seq !== null, () => `entry ${e.id} has no audit row`)
      out.entries.set(e.id, { seq: Number(e.seq), auditSeq: Number(e.audit_seq), createdAt: e.created_at })
    }
  return out
}

export function auditSeqsOfEscrow(rows: EscrowRows): number[] {
  return [...rows.entries.values()].map((e) => e.auditSeq)
}

export function draftEscrow(rows: EscrowRows, facts: ReceiptFacts, s: EscrowSubject): ReceiptDraft | null {
  const action = rows.actions.get(s.actionId)
  const escrow = action ? rows.escrows.get(action.escrow_id) : undefined
  const m = action && escrow ? rows.milestones.get(`${escrow.id}:${action.milestone}`) : undefined
  const tx = rows.txs.get(s.actionId)
  const entry = rows.entries.get(s.entryId)
  const asset = escrow ? facts.asset(escrow.asset_id) : undefined
  if (!action || !escrow || !m || !tx || !entry || !asset) return null
  // Not final, or the engine saw a reorg since the chain was read (the row names another block): it waits.
  if (tx.rail === 'evm' && !finalAsChecked(facts.evmFinal(s.subjectKey), tx)) return null
  const evidence = evidenceOf(facts, escrow, m, tx, s.part)
  if (evidence === null) return null
  const minor = BigInt(s.part === 'payee' ? m.released : m.refunded)
  const kind = s.part === 'payee' ? 'escrow_release' : 'escrow_refund'
  const outcome = s.part === 'payee' ? 'released to the payee' : 'refunded to the payer'
  const txHash = evidence.rail === 'stripe' ? evidence.transferId : evidence.txHash
  const timeline = [event('created', action.requested_at, facts.operator(action.requested_by), `${action.kind} of milestone ${m.idx}`)]
  for (const a of rows.approvals.get(action.id) ?? []) timeline.push(event('approved', a.at, facts.operator(a.operator_id), ''))
  timeline.push(event(s.part === 'payee' ? 'released' : 'refunded', entry.createdAt, facts.operator(SYSTEM_ACTOR), txHash))
  return {
    subjectKey: s.subjectKey,
    kind,
    previousSubjectKey: null,
    payerAccount: payerAccountOf(escrow.payer),
    columns: {
      payout_id: null,
      batch_id: null,
      escrow_id: escrow.id,
      rail: escrow.rail,
      network: escrow.network,
      asset_id: escrow.asset_id,
      amount: minor.toString(),
      payee_name: escrow.payee_name ?? '',
      recipient: escrow.payee,
      reference: escrow.reference ?? '',
      tx_hash: txHash,
      paid_at: entry.createdAt,
    },
    body: {
      schema: 'countersign.receipt/1',
      kind,
      paidAt: entry.createdAt,
      payee: { name: escrow.payee_name ?? '', recipient: escrow.payee },
      amount: receiptAmount(minor, escrow.asset_id, asset),
      fee: null,
      net: null,
      subject: {
        id: action.id,
        batchId: null,
        escrowId: escrow.id,
        milestone: m.idx,
        reference: escrow.reference ?? '',
        memo: '',
        description: `Escrow "${escrow.name}", milestone ${m.idx} (${m.title}): ${outcome}.`,
      },
      evidence,
      timeline,
      ledger: { entryIds: [s.entryId], auditSeq: entry.auditSeq, auditHash: facts.auditHash(entry.auditSeq) },
    },
  }
}

function evidenceOf(
  facts: ReceiptFacts,
  escrow: EscrowRow,
  m: EscrowMilestoneRow,
  tx: EscrowTxRow,
  part: EscrowPart,
): ReceiptEvidence | null {
  // The escrow contract's event index is not recorded by the engine: EVM's log index stays null.
  if (tx.rail === 'evm') return chainEvidence(facts, tx, null)
  if (tx.rail === 'stellar')
    return chainEvidence(facts, tx, stellarOperationIndex(facts.passphrase(tx.network), tx.signed_payload, escrow, m, part))
  // Stripe
  const ids = (tx.block_hash ?? '').split('+')
  const id = ids.find((i) => i.startsWith(part === 'payee' ? 'tr_' : 're_'))
  if (id === undefined) return null
  return {
    rail: 'stripe',
    network: tx.network,
    transferId: id,
    balanceTransactionId: null,
    payoutId: null,
    destination: part === 'payee' ? escrow.payee : 'platform',
  }
}

/** The operation that paid the payee (a payment to them) or gave the payer back (the milestone's claim). */
function stellarOperationIndex(
  passphrase: string | null,
  envelope: string | null,
  escrow: EscrowRow,
  m: EscrowMilestoneRow,
  part: EscrowPart,
): number {
  if (passphrase === null || envelope === null) return 0
  let tx: Transaction
  try {
    tx = TransactionBuilder.fromXDR(envelope, passphrase) as Transaction
  } catch {
    return 0
  }
  const ops = tx.operations as readonly { type: string; destination?: string; balanceId?: string }[]
  const found =
    part === 'payee'
      ? ops.findIndex((o) => o.type === 'payment' && o.destination === escrow.payee)
      : ops.findIndex((o) => o.type === 'claimClaimableBalance' && (m.rail_ref === null || o.balanceId === m.rail_ref))
  return found >= 0 ? found : 0
}
