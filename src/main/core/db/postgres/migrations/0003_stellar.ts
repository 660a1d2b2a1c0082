/**
 * PostgreSQL twin of ../../migrations/0003_stellar.ts. Stellar: what the poller saw of each
 * treasury's payments on Horizon, read from a saved cursor (the payments' paging_token) for
 * reconciliation. Frozen once shipped; a new migration gets a file in both folders.
 *
 * A row per operation (Horizon's operation id is unique per network); the cursor per
 * (network, account) is the last paging_token stored, so a restart continues where it stopped
 * and a replayed page writes nothing twice. Identical to SQLite: every column is text or a small
 * integer (`successful` is 0 | 1).
 */
import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stellar_payments')
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('operation_id', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('paging_token', 'text', (c) => c.notNull())
    .addColumn('tx_hash', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('from_account', 'text')
    .addColumn('to_account', 'text')
    // 'native' or CODE:ISSUER
    .addColumn('asset', 'text', (c) => c.notNull())
    // Stroops, decimal text.
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('successful', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('stellar_payments_pk', ['network', 'operation_id'])
    .execute()
  await db.schema.createIndex('stellar_payments_tx').on('stellar_payments').columns(['network', 'tx_hash']).execute()
  await db.schema
    .createTable('stellar_cursors')
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('stellar_cursors_pk', ['network', 'account'])
    .execute()
}
