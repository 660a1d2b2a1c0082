/**
 * Team mode (several desktops on one set of books). Frozen once shipped; its PostgreSQL twin is
 * ../postgres/migrations/0007_team.ts.
 *
 * - batch_claims: who is executing a batch from which desktop. Taken in one transaction before
 *   the pre-flight checks, so when two people press Execute on the same batch — in two windows or
 *   on two machines — exactly one goes on and the other is told who got there first. A claim
 *   expires (its holder crashed) and is kept after release as the record of the last execution.
 * - holds.seq: creation order, for paging holds (SQLite's rowid did this; PostgreSQL has none).
 */
import { sql, type Kysely } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('batch_claims')
    .addColumn('batch_id', 'text', (c) => c.primaryKey().references('batches.id'))
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('operator_name', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('released_at', 'text')
    .execute()
  await db.schema.alterTable('holds').addColumn('seq', 'integer').execute()
  await sql`UPDATE holds SET seq = rowid`.execute(db)
  await db.schema.createIndex('holds_seq').on('holds').column('seq').unique().execute()
}
