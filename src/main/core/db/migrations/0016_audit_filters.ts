/**
 * The audit log's filters (issue 17, finding 10). Frozen once shipped.
 *
 * The audit view and `audit list` filter by who (actor), what (action) and when (at), newest
 * first and paged by seq. The log holds 100,000+ rows on a busy desk; without an index a filter
 * that matches few rows walks the whole log from the newest row back. (subject, seq) has been
 * indexed since 0001.
 * - (actor, seq) and (action, seq): an equality filter reads its rows in seq order straight from
 *   the index.
 * - (at): a date range reads only its rows.
 * Same on both backends: plain indexes on text and integer columns.
 */
import type { Kysely, Migration } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('audit_actor').on('audit_log').columns(['actor', 'seq']).execute()
  await db.schema.createIndex('audit_action').on('audit_log').columns(['action', 'seq']).execute()
  await db.schema.createIndex('audit_at').on('audit_log').column('at').execute()
}

export const postgres: Migration = { up }
