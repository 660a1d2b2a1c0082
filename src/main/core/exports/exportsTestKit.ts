/**
 * Test helpers for the exports (imported by *.test.ts only): books on the ledger test kit (a funded
 * "Treasury USDC"), and rows reached under the core for what an export only reads and other
 * modules write — payouts, a confirmed payout with its submission, a stored receipt — so the
 * export tests need no chain, no rail and no receipt key.
 */
import { parse } from 'csv-parse/sync'
import type { ExportFile } from '../../../shared/exportsApi'
import type { EntryInput } from '../../../shared/ledgerApi'
import { RECEIPT_SCHEMA, type ReceiptDocument } from '../../../shared/receiptTypes'
import type { CoreContext } from '../context'
import { addAccount } from '../ledger/addAccount'
import { postEntries } from '../ledger/postEntries'
import { TEST_ACTOR } from '../ledger/testKit'
import { canonicalJson } from '../util/canonicalJson'
import { sha256Hex } from './buildJournalBundle'

export const USDC = 'USDC@evm:8453'
export const ETH = 'ETH@evm:8453'

/**
 * Books for the ledger-only tests: "Treasury USDC" (treasury) opened with 1,000,000 USDC from
 * "opening-usdc" (external) on the clock's day, and a payee account per id ("Payee <id>").
 */
export async function openBooks(ctx: CoreContext, payees: readonly string[], options: { treasury?: boolean } = {}): Promise<void> {
  if (options.treasury !== false) {
    await addAccount(ctx, TEST_ACTOR, { id: 'treasury-usdc', name: 'Treasury USDC', kind: 'treasury', assetId: USDC })
    await addAccount(ctx, TEST_ACTOR, { id: 'opening-usdc', name: 'Opening USDC', kind: 'external', assetId: USDC })
    await post(ctx, [
      {
        id: 'opening-usdc',
        description: 'Opening balance',
        postings: [
          { account: 'treasury-usdc', debit: '1000000' },
          { account: 'opening-usdc', credit: '1000000' },
        ],
      },
    ])
  }
  for (const id of payees) await addAccount(ctx, TEST_ACTOR, { id, name: `Payee ${id}`, kind: 'payee', assetId: USDC })
}

export async function post(ctx: CoreContext, entries: readonly EntryInput[]): Promise<void> {
  await postEntries(ctx, TEST_ACTOR, entries, { kind: 'manual' })
}

/** A file's text, from the base64 the contract carries. */
export function textOf(file: ExportFile): string {
  return Buffer.from(file.content, 'base64').toString('utf8')
}

/** A CSV file's rows (header first), as a spreadsheet reads the cells. */
export function csvRowsOf(file: ExportFile): string[][] {
  return parse(textOf(file)) as string[][]
}

export interface TestPayout {
  id: string
  batchId: string
  row: number
  recipient: string
  amount: string
  assetId?: string
  name?: string | null
  reference?: string | null
  createdAt: string
}

/** A draft batch and its pending payouts, as an import stores them (no seals: exports do not check them). */
export async function insertPayouts(ctx: CoreContext, batchId: string, payouts: readonly Omit<TestPayout, 'batchId'>[]): Promise<void> {
  const db = ctx.db
  const at = payouts[0]?.createdAt ?? '2026-03-01T00:00:00.000Z'
  // A batch names who made it: the test actor, as an operator row.
  if (!(await db.first(db.k.selectFrom('operators').select('id').where('id', '=', TEST_ACTOR))))
    await db.run(db.k.insertInto('operators').values({ id: TEST_ACTOR, name: 'Test Operator', roles: '["preparer"]', created_at: at }))
  await db.run(
    db.k.insertInto('batches').values({
      id: batchId,
      name: batchId,
      state: 'draft',
      version: 1,
      source: null,
      created_by: TEST_ACTOR,
      editors: JSON.stringify([TEST_ACTOR]),
      created_at: at,
      updated_at: at,
    }),
  )
  for (const p of payouts) {
    await db.run(
      db.k.insertInto('payouts').values({
        id: p.id,
        batch_id: batchId,
        row_no: p.row,
        rail: 'evm',
        network: '8453',
        asset_id: p.assetId ?? USDC,
        recipient: p.recipient,
        amount: p.amount,
        memo: null,
        reference: p.reference ?? null,
        name: p.name ?? null,
        state: 'pending',
        attempt: 0,
        submission_id: null,
        entry_id: null,
        failure_code: null,
        failure_message: null,
        created_at: p.createdAt,
        updated_at: p.createdAt,
      }),
    )
  }
}

/** Marks a payout confirmed by a submission carrying `txHash` (the engine's columns; no ledger booking). */
export async function markConfirmed(ctx: CoreContext, payoutId: string, at: string, txHash: string): Promise<void> {
  const db = ctx.db
  const p = (await db.first(db.k.selectFrom('payouts').selectAll().where('id', '=', payoutId)))!
  const subId = `${p.batch_id}:test:${payoutId}`
  await db.run(
    db.k.insertInto('submissions').values({
      id: subId,
      batch_id: p.batch_id,
      rail: p.rail,
      network: p.network,
      chunk_index: p.row_no,
      attempt: 1,
      state: 'confirmed',
      source: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      nonce: null,
      idempotency_key: `test:${payoutId}`,
      unsigned_payload: null,
      signed_payload: null,
      tx_hash: txHash,
      fee_cap: null,
      fee_paid: null,
      block_number: '1',
      block_hash: '0xblock',
      failure_code: null,
      failure_message: null,
      created_at: at,
      updated_at: at,
    }),
  )
  await db.run(db.k.updateTable('payouts').set({ state: 'confirmed', submission_id: subId, updated_at: at }).where('id', '=', payoutId))
}

export interface TestReceipt {
  number: number
  payeeName: string
  recipient: string
  assetId: string
  code: string
  scale: number
  minor: string
  paidAt: string
  batchId: string | null
  payoutId: string | null
  reference: string
  txHash: string
  fee?: { minor: string; assetId: string; code: string; scale: number }
}

function receiptAmount(minor: string, assetId: string, code: string, scale: number): ReceiptDocument['amount'] {
  const digits = minor.padStart(scale + 1, '0')
  const value = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`
  return { value, minor, assetId, code, scale }
}

/** Stores a receipt row with a plausible document, as the receipts core would (unsigned: exports do not verify). */
export async function insertReceipt(ctx: CoreContext, r: TestReceipt): Promise<string> {
  const document: ReceiptDocument = {
    schema: RECEIPT_SCHEMA,
    kind: 'payout',
    number: r.number,
    displayNumber: `CS-2026-${String(r.number).padStart(6, '0')}`,
    workspaceId: 'ws-test',
    paidAt: r.paidAt,
    payer: { name: 'Test Org', address: '', registrationNumber: '', account: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' },
    payee: { name: r.payeeName, recipient: r.recipient },
    amount: receiptAmount(r.minor, r.assetId, r.code, r.scale),
    fee: r.fee ? receiptAmount(r.fee.minor, r.fee.assetId, r.fee.code, r.fee.scale) : null,
    net: null,
    subject: {
      id: r.payoutId ?? `x-${r.number}`,
      batchId: r.batchId,
      escrowId: null,
      milestone: null,
      reference: r.reference,
      memo: '',
      description: '',
    },
    evidence: {
      rail: 'evm',
      chainId: '8453',
      network: '8453',
      txHash: r.txHash,
      blockNumber: '1',
      blockHash: '0xblock',
      logIndex: 0,
      from: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
      to: '0xbatch',
    },
    timeline: [],
    ledger: { entryIds: [], auditSeq: 1, auditHash: '0'.repeat(64) },
    previous: null,
  }
  const text = canonicalJson(document)
  const sha256 = sha256Hex(text)
  const db = ctx.db
  await db.run(
    db.k.insertInto('receipts').values({
      number: r.number,
      sha256,
      kind: 'payout',
      subject_key: `payout:${r.payoutId ?? `x-${r.number}`}`,
      payout_id: r.payoutId,
      batch_id: r.batchId,
      escrow_id: null,
      rail: 'evm',
      network: '8453',
      asset_id: r.assetId,
      amount: r.minor,
      payee_name: r.payeeName,
      recipient: r.recipient,
      reference: r.reference,
      tx_hash: r.txHash,
      paid_at: r.paidAt,
      issued_at: r.paidAt,
      document: text,
      key_id: 'k-test',
      signature: '00'.repeat(64),
      previous_number: null,
    }),
  )
  return sha256
}
