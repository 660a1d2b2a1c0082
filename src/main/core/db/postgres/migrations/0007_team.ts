/**
 * PostgreSQL twin of ../../migrations/0007_team.ts (team mode: batch claims, holds.seq). Frozen
 * once shipped; a new migration gets a file in both folders.
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
  await db.schema.alterTable('holds').addColumn('seq', 'bigint').execute()
  // Holds made before this migration: creation order as well as it is known.
  await sql`UPDATE holds SET seq = o.n FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM holds) o WHERE holds.id = o.id`.execute(
    db,
  )
  await db.schema.createIndex('holds_seq').on('holds').column('seq').unique().execute()
}
