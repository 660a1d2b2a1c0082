/**
 * The change feed of a single-desk (SQLite) workspace. Frozen once shipped.
 *
 * Two processes often work on one workspace file — the app and the CLI, or the app and the
 * sandbox. Each appends what its core's events say (an event name and its payload, as JSON) to
 * change_feed after the change committed; the others notice that the file changed (PRAGMA
 * data_version, a cheap per-connection counter) and read the rows after the last they saw, so a
 * view in one process updates when another process changes the books. Old rows are pruned: the
 * feed is a hint to re-read, never a record (the audit log is that).
 *
 * PostgreSQL desks tell each other through NOTIFY instead (postgres/postgresChanges.ts): nothing
 * to create there. The table is not part of the books' schema (db/schema.ts), so it is never
 * copied by `workspace migrate`.
 */
import { sql, type Kysely, type Migration } from 'kysely'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE TABLE change_feed (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    origin TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    at_ms INTEGER NOT NULL
  )`.execute(db)
}

export const postgres: Migration = { up: async () => {} }
