/**
 * A full disk, honestly simulated: SQLite's own page limit (PRAGMA max_page_count, per
 * connection) set to the pages the database has now, so the next write that needs a page fails
 * inside SQLite with SQLITE_FULL — the error, and the rollback path, a full disk gives. Nothing in
 * Countersign is told or stubbed. (A real full file system was tried too — a 1 MB tmpfs mounted as
 * root — but CI cannot mount, and SQLite reuses WAL space it already holds, so the failure point
 * moves; the page limit fails at the same write every run.) `freeDisk` lifts the limit: "space
 * came back".
 */
import { sql } from 'kysely'
import type { Db } from '../../src/main/core/db/Db'
import { sqlAll } from '../dbSql'

/** The PostgreSQL pass (vitest.pg.config.ts): the full disk here is SQLite's; those tests are skipped there. */
export const ON_POSTGRES = process.env.COUNTERSIGN_TEST_DB === 'postgres'

/** SQLite's default ceiling (2^32 − 2 pages in current builds; any large value lifts the limit). */
const PAGES_UNLIMITED = 4_294_967_294

async function pragmaNumber(db: Db, text: string): Promise<number> {
  const row = await db.first<Record<string, number>>(sql.raw(text))
  return Number(Object.values(row ?? {})[0])
}

/** From now on this connection cannot grow the database by one page. Returns the page count. */
export async function fillDisk(db: Db): Promise<number> {
  if (db.backend !== 'sqlite') throw new Error('fillDisk simulates a full disk for the SQLite workspace only')
  const pages = await pragmaNumber(db, 'PRAGMA page_count')
  // Free pages would be reused without growing the file: a full disk has none to give either.
  const free = await pragmaNumber(db, 'PRAGMA freelist_count')
  if (free > 0) await db.run(sql.raw('VACUUM'))
  const now = await pragmaNumber(db, 'PRAGMA page_count')
  const limit = await pragmaNumber(db, `PRAGMA max_page_count = ${now}`)
  if (limit !== now) throw new Error(`max_page_count stayed ${limit}, not ${now} (was ${pages})`)
  return now
}

/** Space is back: the page limit lifted. */
export async function freeDisk(db: Db): Promise<void> {
  await pragmaNumber(db, `PRAGMA max_page_count = ${PAGES_UNLIMITED}`)
}

/** Where a batch stands after a write failed or succeeded: its submissions' and payouts' states, and its payouts booked. */
export async function executionStates(db: Db, batchId: string): Promise<{ submissions: string[]; payouts: string[]; entries: number }> {
  const subs = await sqlAll<{ state: string }>(db, 'SELECT state FROM submissions WHERE batch_id = ? ORDER BY id', batchId)
  const payouts = await sqlAll<{ state: string }>(db, 'SELECT DISTINCT state FROM payouts WHERE batch_id = ?', batchId)
  const entries = await sqlAll<{ id: string }>(
    db,
    `SELECT e.id FROM entries e JOIN payouts p ON p.entry_id = e.id WHERE p.batch_id = ? AND e.kind = 'payout'`,
    batchId,
  )
  return { submissions: subs.map((x) => x.state), payouts: payouts.map((x) => x.state).sort(), entries: entries.length }
}
