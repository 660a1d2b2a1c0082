/**
 * Team mode (several desktops on one set of books). Frozen once shipped. One file for both
 * backends (from here on a migration is written once, with its few dialect differences inside):
 * SQLite runs `up`, PostgreSQL runs `postgres.up` (../postgres/migrations/index.ts).
 *
 * - batch_claims: who is executing a batch from which desktop. Taken in one transaction before
 *   the pre-flight checks, so when two people press Execute on the same batch — in two windows or
 *   on two machines — exactly one goes on and the other is told who got there first. A claim
 *   expires (its holder crashed) and is kept after release as the record of the last execution.
 * - holds.seq: creation order, for paging holds (SQLite's rowid did this; PostgreSQL has none).
 */
import { sql, type Kysely, type Migration } from 'kysely'

type Backend = 'sqlite' | 'postgres'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upOn(db: Kysely<any>, backend: Backend): Promise<void> {
  await db.schema
    .createTable('batch_claims')
    .addColumn('batch_id', 'text', (c) => c.primaryKey().references('batches.id'))
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('operator_name', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    // The holder's process id: on its own host a claim whose process is gone is not live.
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('released_at', 'text')
    .execute()
  await db.schema
    .alterTable('holds')
    .addColumn('seq', backend === 'sqlite' ? 'integer' : 'bigint')
    .execute()
  // Holds made before this migration: SQLite's rowid is their creation order; PostgreSQL has none,
  // so creation time (then id) is the best order known.
  await (
    backend === 'sqlite'
      ? sql`UPDATE holds SET seq = rowid`
      : sql`UPDATE holds SET seq = o.n FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM holds) o WHERE holds.id = o.id`
  ).execute(db)
  await db.schema.createIndex('holds_seq').on('holds').column('seq').unique().execute()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await upOn(db, 'sqlite')
}

export const postgres: Migration = { up: (db) => upOn(db, 'postgres') }
