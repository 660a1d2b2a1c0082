/**
 * PostgreSQL twin of ../../migrations/0005_signers.ts. Signers: which device addresses a person
 * has checked on the Ledger screen. Frozen once shipped; a new migration gets a file in both
 * folders.
 *
 * One row per (chain, address): the engine refuses to sign for a treasury source without one, so a
 * wrong path or another recovery phrase is caught before the first payment, not after. Identical to
 * SQLite (all text).
 */
import type { Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signer_addresses')
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text', (c) => c.notNull())
    .addColumn('verified_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('signer_addresses_pk', ['chain', 'address'])
    .execute()
}
