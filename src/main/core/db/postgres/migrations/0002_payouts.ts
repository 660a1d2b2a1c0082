/**
 * PostgreSQL twin of ../../migrations/0002_payouts.ts: batches, approvals and the execution state
 * machine, with the same names and constraints. Frozen once shipped; a new migration gets a file
 * in both folders.
 *
 * Exactly once rests on three constraints here:
 * - payouts.id is the upstream idempotency key (the CSV `id`), unique forever;
 * - a submission (one EVM tx / Stellar tx / Stripe request) stores its signed bytes, hash and
 *   idempotency key before it is broadcast, and is never re-signed while it could still land;
 * - nonces are reserved in the database (per rail, network and source address), not in memory.
 *
 * Differences from SQLite, only where PostgreSQL needs them: a payout's amount (always positive,
 * importPayoutCsv asserts it) also gets a CHECK that it is unsigned decimal integer text. Nonces,
 * fees and block numbers stay plain TEXT as on SQLite.
 */
import { sql, type Kysely } from 'kysely'

/** Unsigned minor units as decimal integer text (no sign, no point, no exponent). */
const UNSIGNED_AMOUNT_PATTERN = '^[0-9]+$'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('batches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    // Bumped by every edit; approvals are for one version, so an edit voids earlier approvals.
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull().references('operators.id'))
    // JSON array of operator ids who created or edited this batch (they may not approve it).
    .addColumn('editors', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('batches_state').on('batches').columns(['state', 'created_at']).execute()

  await db.schema
    .createTable('payouts')
    // The payout's external reference and idempotency key: unique forever, across batches.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'text', (c) => c.notNull().references('batches.id'))
    .addColumn('row_no', 'integer', (c) => c.notNull())
    .addColumn('rail', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('asset_id', 'text', (c) => c.notNull().references('assets.id'))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('memo', 'text')
    .addColumn('reference', 'text')
    .addColumn('name', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    // How many submissions were built for it: a new attempt only once the previous is provably dead.
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('submission_id', 'text')
    .addColumn('entry_id', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('payouts_amount_unsigned', sql`amount ~ ${sql.lit(UNSIGNED_AMOUNT_PATTERN)}`)
    .execute()
  await db.schema.createIndex('payouts_batch').on('payouts').columns(['batch_id', 'row_no']).execute()
  await db.schema.createIndex('payouts_recipient').on('payouts').columns(['rail', 'network', 'recipient']).execute()

  await db.schema
    .createTable('approvals')
    .addColumn('batch_id', 'text', (c) => c.notNull().references('batches.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision IN ('approve', 'reject')`))
    .addColumn('comment', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('approvals_pk', ['batch_id', 'version', 'operator_id'])
    .execute()

  await db.schema
    .createTable('submissions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('batch_id', 'text', (c) => c.notNull().references('batches.id'))
    .addColumn('rail', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('chunk_index', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    // planned -> signed -> broadcast -> confirmed | failed | dead (provably never landing)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    // EVM nonce / Stellar sequence (decimal text), or null for Stripe.
    .addColumn('nonce', 'text')
    // Stripe idempotency key, Stellar time bound, EVM batchRef: whatever makes a resend the same.
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('unsigned_payload', 'text')
    .addColumn('signed_payload', 'text')
    .addColumn('tx_hash', 'text')
    .addColumn('fee_cap', 'text')
    .addColumn('fee_paid', 'text')
    .addColumn('block_number', 'text')
    .addColumn('block_hash', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('submissions_state').on('submissions').columns(['state', 'rail']).execute()
  await db.schema.createIndex('submissions_batch').on('submissions').columns(['batch_id', 'chunk_index', 'attempt']).execute()

  await db.schema
    .createTable('submission_payouts')
    .addColumn('submission_id', 'text', (c) => c.notNull().references('submissions.id'))
    .addColumn('payout_id', 'text', (c) => c.notNull().references('payouts.id'))
    // Position inside the submission (EVM batch index -> Paid event; Stellar operation index).
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('submission_payouts_pk', ['submission_id', 'idx'])
    .execute()
  await db.schema.createIndex('submission_payouts_payout').on('submission_payouts').columns(['payout_id']).execute()

  await db.schema
    .createTable('nonces')
    .addColumn('rail', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('next', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('nonces_pk', ['rail', 'network', 'source'])
    .execute()

  await db.schema
    .createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    // JSON value; amounts inside are decimal strings.
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(_db: Kysely<any>): Promise<void> {
  throw new Error('The payouts migration cannot be undone; restore from a backup instead.')
}
