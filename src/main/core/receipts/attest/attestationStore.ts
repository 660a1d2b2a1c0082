/**
 * Reading what an attestation is built from and stored as: the receipts of one batch on one chain
 * (leaves in receipt-number order), and receipt_batch_attestations rows. One row per batch and
 * chain: a batch that paid on EVM and Stellar has two treasury keys, so two attestations.
 */
import type { ReceiptDocument } from '../../../../shared/receiptTypes'
import type { CoreContext } from '../../context'
import type { ReceiptBatchAttestationsTable } from '../../db/schema'
import { invariant } from '../../util/invariant'
import type { AttestationChain } from './attestationMessage'
import { isMerkleHash } from './merkle'

/** A stored attestation (one receipt_batch_attestations row), read back and checked. */
export interface AttestationRow {
  batchId: string
  chain: AttestationChain
  /** EIP-55 address / G… account. */
  signer: string
  root: string
  leafCount: number
  message: string
  /** Lower-case hex without 0x (EVM 65 bytes r ‖ s ‖ v; Stellar 64 bytes). */
  signature: string
  /** Receipt numbers in leaf order (ascending). */
  leaves: number[]
  createdAt: string
  createdBy: string
}

/** Receipts read per query while walking a batch's receipts (their documents are a few KB each). */
const RECEIPTS_PAGE_ROWS = 1_000
/** Number and hash only: a whole batch (ROWS_PER_BATCH_MAX) in one page. */
const HASHES_PAGE_ROWS = 10_000

export function toAttestationRow(row: ReceiptBatchAttestationsTable): AttestationRow {
  const leaves: unknown = JSON.parse(row.leaves)
  // Assert on read what was asserted on write: a stored row that breaks these is damage, not input.
  invariant(row.chain === 'evm' || row.chain === 'stellar', () => `attestation of ${row.batch_id} has chain ${row.chain}`)
  invariant(isMerkleHash(row.root), () => `attestation of ${row.batch_id} has a malformed root`)
  invariant(
    Array.isArray(leaves) &&
      leaves.length === Number(row.leaf_count) &&
      leaves.every((n, i) => Number.isSafeInteger(n) && (i === 0 || n > leaves[i - 1])),
    () => `attestation of ${row.batch_id} has leaves that are not ${row.leaf_count} ascending receipt numbers`,
  )
  return {
    batchId: row.batch_id,
    chain: row.chain,
    signer: row.signer,
    root: row.root,
    leafCount: Number(row.leaf_count),
    message: row.message,
    signature: row.signature,
    leaves: leaves as number[],
    createdAt: row.created_at,
    createdBy: row.created_by,
  }
}

export async function findAttestation(ctx: CoreContext, batchId: string, chain: AttestationChain): Promise<AttestationRow | undefined> {
  const row = await ctx.db.first(
    ctx.db.k.selectFrom('receipt_batch_attestations').selectAll().where('batch_id', '=', batchId).where('chain', '=', chain),
  )
  return row ? toAttestationRow(row) : undefined
}

export async function attestationsOfBatch(ctx: CoreContext, batchId: string): Promise<AttestationRow[]> {
  const rows = await ctx.db.all(
    ctx.db.k.selectFrom('receipt_batch_attestations').selectAll().where('batch_id', '=', batchId).orderBy('chain'),
  )
  return rows.map(toAttestationRow)
}

/** One receipt of a batch as a leaf: its number and hash, and what its document says about the payer. */
export interface BatchReceipt {
  number: number
  sha256: string
  payoutId: string | null
  workspaceId: string
  /** The account the document says the money left (payer.account). */
  payerAccount: string
}

/** The receipts of `batchId` on `chain`, in number order, read a page at a time. */
export async function batchReceipts(ctx: CoreContext, batchId: string, chain: AttestationChain): Promise<BatchReceipt[]> {
  const out: BatchReceipt[] = []
  for (let after = 0; ;) {
    const page = await ctx.db.all(
      ctx.db.k
        .selectFrom('receipts')
        .select(['number', 'sha256', 'payout_id', 'document'])
        .where('batch_id', '=', batchId)
        .where('rail', '=', chain)
        .where('number', '>', after)
        .orderBy('number')
        .limit(RECEIPTS_PAGE_ROWS),
    )
    for (const r of page) {
      const document = JSON.parse(r.document) as Pick<ReceiptDocument, 'workspaceId' | 'payer'>
      invariant(isMerkleHash(r.sha256), () => `receipt ${r.number} has a malformed sha256`)
      out.push({
        number: Number(r.number),
        sha256: r.sha256,
        payoutId: r.payout_id,
        workspaceId: document.workspaceId,
        payerAccount: document.payer.account,
      })
    }
    if (page.length < RECEIPTS_PAGE_ROWS) return out
    after = Number(page[page.length - 1]!.number)
  }
}

/** Number and hash of each receipt of `batchId` on `chain`, in number order (no documents: cheap inside a transaction). */
export async function batchReceiptHashes(
  ctx: CoreContext,
  batchId: string,
  chain: AttestationChain,
): Promise<Array<{ number: number; sha256: string }>> {
  const out: Array<{ number: number; sha256: string }> = []
  for (let after = 0; ;) {
    const page = await ctx.db.all(
      ctx.db.k
        .selectFrom('receipts')
        .select(['number', 'sha256'])
        .where('batch_id', '=', batchId)
        .where('rail', '=', chain)
        .where('number', '>', after)
        .orderBy('number')
        .limit(HASHES_PAGE_ROWS),
    )
    for (const r of page) out.push({ number: Number(r.number), sha256: r.sha256 })
    if (page.length < HASHES_PAGE_ROWS) return out
    after = out[out.length - 1]!.number
  }
}

/** Hashes of the receipts `numbers` (one attestation's leaves), in that order; a missing receipt is damage. */
export async function leafHashesOf(
  ctx: CoreContext,
  batchId: string,
  chain: AttestationChain,
  numbers: readonly number[],
): Promise<string[]> {
  const byNumber = new Map((await batchReceiptHashes(ctx, batchId, chain)).map((r) => [r.number, r.sha256]))
  return numbers.map((n) => {
    const sha = byNumber.get(n)
    invariant(sha !== undefined, () => `receipt ${n} of the attestation of batch ${batchId} is missing`)
    return sha
  })
}
