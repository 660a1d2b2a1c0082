/**
 * Tamper-evident books (row seals, ../../audit/rowSeals.ts). Frozen once shipped.
 *
 * The audit chain covered the audit rows, not the books they describe: an SQL edit of a posting,
 * a balance or a payout's amount passed `audit verify`. From here on every audit row commits to
 * what its change wrote:
 * - entries.seal / posting_checks / audit_seq: the journal is append-only, so an entry carries its
 *   own seal (the hash of its content and its postings'), a short check per posting (to name the
 *   posting that changed) and the seq of the audit row that sealed it — no extra row per entry
 *   on the hot path of posting;
 * - row_seals: seals of rows that change or disappear (holds, payouts), kept as history — one row
 *   per (audit row, position) — so every audit row's digest stays recomputable after a later
 *   re-seal; a removal is a seal with no hash;
 * - audit_log.rows_digest: the digest of the seals an audit row made, hashed into the row only
 *   when present, so every existing row keeps its hash.
 *
 * Rows written before this migration have no seal. A migration appends no audit rows, so it only
 * leaves a marker in meta when there is something to seal; the core's start-up step
 * (../../audit/sealExistingRows.ts) seals those rows once, in one 'audit.seal-existing' audit row.
 */
import { sql, type Kysely, type Migration } from 'kysely'

type Backend = 'sqlite' | 'postgres'

/** meta key: rows written before 0009 still wait for their one-time seal. */
export const ROW_SEALS_BACKFILL_KEY = 'row_seals_backfill'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function upOn(db: Kysely<any>, backend: Backend): Promise<void> {
  const int = backend === 'sqlite' ? 'integer' : 'bigint'
  await db.schema.alterTable('audit_log').addColumn('rows_digest', 'text').execute()
  await db.schema.alterTable('entries').addColumn('seal', 'text').execute()
  await db.schema.alterTable('entries').addColumn('posting_checks', 'text').execute()
  await db.schema.alterTable('entries').addColumn('audit_seq', int).execute()
  await db.schema
    .createTable('row_seals')
    .addColumn('audit_seq', int, (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('table_name', 'text', (c) => c.notNull())
    .addColumn('row_key', 'text', (c) => c.notNull())
    // NULL: the row was removed by this audit row's change.
    .addColumn('hash', 'text')
    .addPrimaryKeyConstraint('row_seals_pk', ['audit_seq', 'idx'])
    .execute()
  // The latest seal of a row: max(audit_seq) per (table_name, row_key).
  await db.schema.createIndex('row_seals_row').on('row_seals').columns(['table_name', 'row_key', 'audit_seq']).unique().execute()
  await sql`INSERT INTO meta (key, value)
    SELECT ${sql.lit(ROW_SEALS_BACKFILL_KEY)}, 'pending'
    WHERE EXISTS (SELECT 1 FROM entries) OR EXISTS (SELECT 1 FROM holds) OR EXISTS (SELECT 1 FROM payouts)`.execute(db)
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await upOn(db, 'sqlite')
}

export const postgres: Migration = { up: (db) => upOn(db, 'postgres') }
