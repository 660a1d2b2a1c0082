/**
 * Receipts (issue 16). Frozen once shipped.
 *
 * - receipts: one signed receipt per final payment (payout, escrow release / refund, reversal).
 *   `number` is the primary key and gap-free per workspace: it is taken (max + 1) in the same
 *   transaction that inserts the receipt, and writers are serialised, so a crash leaves no hole.
 *   `subject_key` is unique: a payment is receipted once, whoever issues and however often.
 *   The columns beside `document` are copies of its fields for search and lists; the document
 *   (canonical JSON) is what is hashed and signed.
 * - receipt_keys: the workspace's Ed25519 receipt keys (public halves only; the private key lives
 *   in the SecretStore as "receipts.signingKey"). One key is live (retired_at null); a rotation
 *   retires it and stores the old key's signed hand-over on the new key's row.
 * - receipt_batch_attestations: the treasury device's signature over the Merkle root of one
 *   batch's receipts (written by receipts/attest).
 * - receipt_search_terms: what the text search matches, one row per (term, receipt): lower-cased
 *   payee name and its words, recipient, reference and its parts, transaction hash, payout id.
 *   A prefix search is then one index range on `term`, on both backends (PostgreSQL compares the
 *   column byte-wise: COLLATE "C", so a prefix range is exactly the terms that start with it).
 */
import { sql, type Kysely, type Migration } from 'kysely'

type Backend = 'sqlite' | 'postgres'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upOn(db: Kysely<any>, backend: Backend): Promise<void> {
  const int = backend === 'sqlite' ? 'integer' : 'bigint'
  await db.schema
    .createTable('receipts')
    .addColumn('number', int, (c) => c.primaryKey())
    .addColumn('sha256', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_key', 'text', (c) => c.notNull().unique())
    .addColumn('payout_id', 'text')
    .addColumn('batch_id', 'text')
    .addColumn('escrow_id', 'text')
    .addColumn('rail', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('payee_name', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('tx_hash', 'text')
    .addColumn('paid_at', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('previous_number', int)
    .execute()
  for (const column of ['payee_name', 'recipient', 'reference', 'tx_hash', 'batch_id', 'payout_id'])
    await db.schema.createIndex(`receipts_${column}`).on('receipts').column(column).execute()
  // Totals over a search read asset, kind and amount of every match: from these indexes alone,
  // never the wide rows (each carries its document) — by number (a text search, no filter) or by
  // the day paid (a date range).
  await db.schema.createIndex('receipts_paid_at').on('receipts').columns(['paid_at', 'asset_id', 'kind', 'amount']).execute()
  await db.schema.createIndex('receipts_amounts').on('receipts').columns(['number', 'asset_id', 'kind', 'amount']).execute()

  await db.schema
    .createTable('receipt_keys')
    .addColumn('key_id', 'text', (c) => c.primaryKey())
    .addColumn('public_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .addColumn('handover', 'text')
    .execute()

  await db.schema
    .createTable('receipt_batch_attestations')
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('signer', 'text', (c) => c.notNull())
    .addColumn('root', 'text', (c) => c.notNull())
    .addColumn('leaf_count', int, (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('leaves', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    // One per batch and chain: a batch paid on EVM and Stellar is vouched for by two treasury keys.
    .addPrimaryKeyConstraint('receipt_batch_attestations_pk', ['batch_id', 'chain'])
    .execute()

  await db.schema
    .createTable('receipt_search_terms')
    .addColumn('term', 'text', (c) => (backend === 'postgres' ? c.notNull().modifyFront(sql`COLLATE "C"`) : c.notNull()))
    .addColumn('number', int, (c) => c.notNull().references('receipts.number'))
    .addPrimaryKeyConstraint('receipt_search_terms_pk', ['term', 'number'])
    .execute()
  await db.schema.createIndex('receipt_search_terms_number').on('receipt_search_terms').column('number').execute()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await upOn(db, 'sqlite')
}

export const postgres: Migration = { up: (db) => upOn(db, 'postgres') }
