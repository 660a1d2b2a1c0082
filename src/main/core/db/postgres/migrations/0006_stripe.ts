/**
 * PostgreSQL twin of ../../migrations/0006_stripe.ts. Stripe: what the Events API sync saw (no
 * webhooks on a desktop), the platform's payouts to its bank, and the balance transactions kept
 * for reconciliation. Frozen once shipped; a new migration gets a file in both folders.
 *
 * - stripe_events: one row per event id, applied in Stripe's order; `booked_entry_id` names the
 *   journal entry it booked (null: nothing to book). Replaying a page writes nothing twice.
 * - stripe_cursors: per stream ('events', 'balance_transactions') the newest id stored.
 * - stripe_bank_payouts: a payout from the platform balance to its bank. Ours start as a row with
 *   our idempotency key BEFORE the request (id null until Stripe answers); the Dashboard's and
 *   automatic ones appear through events. `booked` is the status whose entries are posted.
 * - stripe_balance_txns: Stripe's balance transactions (amounts in minor units, decimal text).
 *
 * Differences from SQLite, only where PostgreSQL needs them: `created` (Stripe's unix seconds) is
 * `bigint`, as SQLite's INTEGER always was, so it never meets int4's 2038 wall. Amounts stay plain
 * TEXT: a balance transaction's amount, fee and net can be negative (a payout, a refund).
 */
import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stripe_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('booked_entry_id', 'text')
    .addColumn('received_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('stripe_events_object').on('stripe_events').columns(['object_id']).execute()
  await db.schema
    .createTable('stripe_cursors')
    .addColumn('stream', 'text', (c) => c.primaryKey())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('stripe_bank_payouts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('stripe_id', 'text', (c) => c.unique())
    .addColumn('asset_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    // requested (ours, no answer yet) | pending | in_transit | paid | failed | canceled | refused
    .addColumn('status', 'text', (c) => c.notNull())
    // The status whose ledger entries are posted (null: none yet).
    .addColumn('booked', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('failure_message', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('stripe_balance_txns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('fee', 'text', (c) => c.notNull())
    .addColumn('net', 'text', (c) => c.notNull())
    .addColumn('source', 'text')
    .addColumn('created', 'bigint', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .execute()
}
