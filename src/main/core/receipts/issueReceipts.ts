/**
 * Issues the receipts still due (findDueReceipts.ts), in order, in transactions of at most
 * RECEIPTS_PER_TX_MAX. Inside each transaction: the rows are read again (the books as they are
 * now), each receipt takes the next number (max + 1, the write lock held), is hashed, signed with
 * the workspace key and inserted with its search terms; one audit row records the run of numbers
 * and a digest of their hashes. A crash anywhere rolls back only the open transaction: the numbers
 * committed are 1..N with no hole, and the next run continues at N + 1. Two issuers at once (the
 * poller and a command, two desks on a team database) are serialised by the write lock; the
 * second finds the subjects receipted (subject_key is unique) and skips them.
 *
 * The key and the organisation are read before the first transaction (a secret store is never
 * awaited while the books are held); the signing itself is pure CPU. So is finality
 * (receiptFinality.ts): an EVM payout or escrow outcome is receipted only once its block is past
 * the reorg window, read from its chain first; inside the transaction its draft must name that
 * very block, or it waits (the engine saw a reorg meanwhile).
 */
import { canonicalJson } from '../util/canonicalJson'
import type { IssueResult } from '../../../shared/receiptsApi'
import { RECEIPT_WAITS_LISTED_MAX } from '../../../shared/receiptWaits'
import type { ReceiptDocument } from '../../../shared/receiptTypes'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import type { SecretStore } from '../secrets/SecretStore'
import { crashPoint } from '../util/crashPoint'
import { auditSeqsOfEscrow, draftEscrow, loadEscrowRows, type EscrowSubject } from './buildEscrowDrafts'
import { auditSeqsOfPayouts, draftPayouts, loadPayoutRows } from './buildPayoutDrafts'
import { draftReversals, loadReversalRows } from './buildReversalDrafts'
import { dueItems, findDueReceipts, type DueReceipt } from './findDueReceipts'
import { readOrganisation } from './organisation'
import { sha256Hex, signHash } from './receiptCrypto'
import { loadReceiptFacts, type ReceiptDraft } from './receiptFacts'
import { readReceiptFinality, type ReceiptFinality, type ReceiptRails } from './receiptFinality'
import { loadSigningKey, workspaceIdOf, type SigningKey } from './receiptKeys'
import { displayNumberOf } from './receiptNumbers'
import { searchTermsOf } from './searchTerms'

/** Receipts per issuing transaction (and per audit row): short enough to keep the write lock briefly. */
export const RECEIPTS_PER_TX_MAX = 500

/** The receipts table's columns in insert order (the bench and tests seed rows with them too). */
export const RECEIPT_COLUMNS = [
  'number',
  'sha256',
  'kind',
  'subject_key',
  'payout_id',
  'batch_id',
  'escrow_id',
  'rail',
  'network',
  'asset_id',
  'amount',
  'payee_name',
  'recipient',
  'reference',
  'tx_hash',
  'paid_at',
  'issued_at',
  'document',
  'key_id',
  'signature',
  'previous_number',
] as const

export interface IssueReceiptsParameters {
  secrets: SecretStore
  actor: Actor
  /** The rails, to read whether EVM payments (payouts, escrow outcomes) are final (never issued before). */
  rails: ReceiptRails
  batchId?: string
  /** Tests make it small to cross transaction boundaries. */
  perTxMax?: number
}

interface IssueEnv {
  key: SigningKey
  workspaceId: string
  payer: Omit<ReceiptDocument['payer'], 'account'>
}

export async function issueReceipts(ctx: CoreContext, p: IssueReceiptsParameters): Promise<IssueResult> {
  const found = await findDueReceipts(ctx, p.batchId !== undefined ? { batchId: p.batchId } : {})
  const result: IssueResult = { issued: 0, first: null, last: null, waiting: 0, waitingFor: [] }
  if (found.length === 0) return result
  const finality = await readReceiptFinality(ctx, p.rails, found)
  const holds = (d: DueReceipt) => finality.waiting.has(d.subjectKey)
  const due = found.filter((d) => !holds(d))
  const held = found.filter(holds)
  result.waiting = held.length
  result.waitingFor = await dueItems(ctx, held.slice(0, RECEIPT_WAITS_LISTED_MAX), finality)
  if (due.length === 0) return result
  const org = await readOrganisation(ctx)
  const env: IssueEnv = {
    key: await loadSigningKey(ctx, p.secrets, p.actor, { create: true }),
    workspaceId: await workspaceIdOf(ctx),
    payer: { name: org.name, address: org.address, registrationNumber: org.registrationNumber },
  }
  const perTx = p.perTxMax ?? RECEIPTS_PER_TX_MAX
  for (let i = 0; i < due.length; i += perTx) {
    const chunk = due.slice(i, i + perTx)
    const done = await ctx.db.tx(() => issueChunk(ctx, p.actor, env, chunk, finality))
    crashPoint('receipt-issue-after-commit')
    result.waiting += done.waiting
    if (done.first === null) continue
    result.issued += done.last! - done.first + 1
    result.first ??= done.first
    result.last = done.last
    ctx.events.emit('receipts.changed', { first: done.first, last: done.last! })
  }
  return result
}

async function issueChunk(
  ctx: CoreContext,
  actor: Actor,
  env: IssueEnv,
  chunk: readonly DueReceipt[],
  finality: ReceiptFinality,
): Promise<{ first: number | null; last: number | null; waiting: number }> {
  const { drafts, taken } = await draftsOf(ctx, chunk, finality)
  const issuedAt = ctx.clock.now().toISOString()
  const top = await ctx.db.first(ctx.db.k.selectFrom('receipts').select((eb) => eb.fn.max('number').as('n')))
  const firstNumber = Number(top?.n ?? 0) + 1
  let number = firstNumber
  const inserted = new Map<string, { number: number; displayNumber: string; sha256: string }>()
  const rows: unknown[][] = []
  const terms: unknown[][] = []
  const lines: string[] = []
  let waiting = 0
  for (const due of chunk) {
    if (taken.has(due.subjectKey)) continue // another issuer got there first
    const draft = drafts.get(due.subjectKey)
    const previous = draft?.previousSubjectKey
      ? (inserted.get(draft.previousSubjectKey) ?? (await issuedReceipt(ctx, draft.previousSubjectKey)))
      : null
    if (!draft || previous === undefined) {
      waiting++
      continue
    }
    const displayNumber = displayNumberOf(number, issuedAt)
    const document: ReceiptDocument = {
      ...draft.body,
      number,
      displayNumber,
      workspaceId: env.workspaceId,
      payer: { ...env.payer, account: draft.payerAccount },
      previous,
    }
    const text = canonicalJson(document)
    const sha256 = sha256Hex(text)
    const c = draft.columns
    const row: Record<(typeof RECEIPT_COLUMNS)[number], unknown> = {
      ...c,
      number,
      sha256,
      kind: draft.kind,
      subject_key: draft.subjectKey,
      issued_at: issuedAt,
      document: text,
      key_id: env.key.keyId,
      signature: signHash(env.key.secretHex, sha256),
      previous_number: previous?.number ?? null,
    }
    rows.push(RECEIPT_COLUMNS.map((col) => row[col]))
    for (const term of searchTermsOf({
      payeeName: c.payee_name,
      recipient: c.recipient,
      reference: c.reference,
      txHash: c.tx_hash,
      subjectId: document.subject.id,
    }))
      terms.push([term, number])
    inserted.set(draft.subjectKey, { number, displayNumber, sha256 })
    lines.push(`${number} ${sha256}`)
    number++
  }
  if (rows.length > 0) {
    await ctx.db.insertRows('receipts', RECEIPT_COLUMNS, rows)
    await ctx.db.insertRows('receipt_search_terms', ['term', 'number'], terms)
    await appendAudit(ctx, {
      actor,
      action: 'receipts.issue',
      subject: `receipts:${firstNumber}-${number - 1}`,
      change: { first: firstNumber, last: number - 1, count: rows.length, keyId: env.key.keyId, digest: sha256Hex(lines.join('\n')) },
    })
  }
  // Test hook: a kill here, inside the transaction, must leave no receipt of this chunk and no hole.
  crashPoint('receipt-issue-before-commit')
  return { first: rows.length > 0 ? firstNumber : null, last: rows.length > 0 ? number - 1 : null, waiting }
}

/** The receipt of `subjectKey` as `previous` names it; undefined when it is not issued (yet). */
async function issuedReceipt(ctx: CoreContext, subjectKey: string): Promise<ReceiptDocument['previous'] | undefined> {
  const r = await ctx.db.first(
    ctx.db.k.selectFrom('receipts').select(['number', 'sha256', 'issued_at']).where('subject_key', '=', subjectKey),
  )
  return r ? { number: Number(r.number), displayNumber: displayNumberOf(Number(r.number), r.issued_at), sha256: r.sha256 } : undefined
}

/** Drafts of the chunk's subjects not receipted yet, read inside the issuing transaction. */
async function draftsOf(
  ctx: CoreContext,
  chunk: readonly DueReceipt[],
  finality: ReceiptFinality,
): Promise<{ drafts: Map<string, ReceiptDraft>; taken: Set<string> }> {
  const keys = chunk.map((d) => d.subjectKey)
  const taken = new Set(
    (await ctx.db.all(ctx.db.k.selectFrom('receipts').select('subject_key').where('subject_key', 'in', keys))).map((r) => r.subject_key),
  )
  const open = chunk.filter((d) => !taken.has(d.subjectKey))
  const payoutIds = open.flatMap((d) => (d.kind === 'payout' ? [d.payoutId] : []))
  const reversalIds = open.flatMap((d) => (d.kind === 'reversal' ? [d.entryId] : []))
  const escrows: EscrowSubject[] = open.flatMap((d) => (d.kind === 'escrow' ? [d.escrow] : []))
  const payoutRows = await loadPayoutRows(ctx, payoutIds)
  const reversalRows = await loadReversalRows(ctx, reversalIds)
  const escrowRows = await loadEscrowRows(ctx, escrows)
  const facts = await loadReceiptFacts(ctx, finality.final, [
    ...auditSeqsOfPayouts(payoutRows),
    ...reversalRows.entries.map((e) => e.auditSeq),
    ...auditSeqsOfEscrow(escrowRows),
  ])
  const out = new Map<string, ReceiptDraft>()
  for (const d of [...draftPayouts(payoutRows, facts), ...draftReversals(reversalRows, facts)]) out.set(d.subjectKey, d)
  for (const s of escrows) {
    const d = draftEscrow(escrowRows, facts, s)
    if (d) out.set(d.subjectKey, d)
  }
  return { drafts: out, taken }
}
