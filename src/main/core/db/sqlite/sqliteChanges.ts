/**
 * Telling the other processes on one workspace file what changed (migration 0014, change_feed):
 * the SQLite side of Db.announce / Db.onRemoteChange, as NOTIFY/LISTEN is PostgreSQL's.
 *
 * announce appends `{ origin, event, payload }` after the change committed. A listener checks
 * `PRAGMA data_version` every POLL_MS — a counter SQLite keeps per connection that moves only when
 * another connection committed, so an idle check costs microseconds and never touches a table —
 * and when it moved, reads the rows after the last one it saw and delivers those of other origins
 * (a process never hears its own changes back: it emitted them already).
 *
 * Like NOTIFY, the feed is a hint to re-read, not a log: announcing is best effort (the change is
 * committed already; a failure to tell the others must not turn it into an error), rows older
 * than KEEP_MS are pruned, and a listener that starts late begins at the newest row.
 */
import { randomUUID } from 'node:crypto'
import type BetterSqlite3 from 'better-sqlite3'
import type { DbChange } from '../Db'

/** How often a listening process looks at the file's change counter. */
export const CHANGE_POLL_MS = 250
/** How long a change stays in the feed (a hint: a listener that slept longer re-reads its views anyway). */
const KEEP_MS = 10 * 60_000
/** Prune once every this many announcements. */
const PRUNE_EVERY = 200
/** A payload larger than this goes out as null — the event alone says what to re-read. */
const PAYLOAD_CHARS_MAX = 64 * 1024
/** Rows read per look; more are read in the same look. */
const ROWS_PER_READ = 500

export interface SqliteChangeFeed {
  announce(change: DbChange): Promise<void>
  subscribe(listener: (change: DbChange) => void): () => void
  close(): void
}

/**
 * `run` executes a synchronous statement on the connection in turn with this process's
 * transactions (openSqliteDb's statement()); `prepare` is that connection's statement cache (the
 * feed's few statements are prepared once, not per announcement or per look).
 */
export function createSqliteChangeFeed(options: {
  prepare: (sqlText: string) => BetterSqlite3.Statement
  run: <T>(fn: () => T) => Promise<T>
  pollMs?: number
}): SqliteChangeFeed {
  const { prepare, run } = options
  const origin = randomUUID()
  const listeners = new Set<(change: DbChange) => void>()
  let announced = 0
  let timer: NodeJS.Timeout | undefined
  let looking = false
  let lastSeq = 0
  let lastVersion = -1

  const version = (): number => (prepare('PRAGMA data_version').get() as { data_version: number }).data_version

  async function look(): Promise<void> {
    if (looking) return
    looking = true
    try {
      const moved = await run(() => {
        const v = version()
        if (v === lastVersion) return false
        lastVersion = v
        return true
      })
      if (!moved) return
      for (;;) {
        const rows = await run(
          () =>
            prepare('SELECT seq, origin, event, payload FROM change_feed WHERE seq > ? ORDER BY seq LIMIT ?').all(
              lastSeq,
              ROWS_PER_READ,
            ) as { seq: number; origin: string; event: string; payload: string }[],
        )
        for (const row of rows) {
          lastSeq = row.seq
          if (row.origin !== origin) deliver({ event: row.event, payload: JSON.parse(row.payload) as unknown })
        }
        if (rows.length < ROWS_PER_READ) break
      }
    } catch {
      // The file is busy or was closed under us: the next look tries again.
    } finally {
      looking = false
    }
  }

  function deliver(change: DbChange): void {
    for (const listener of [...listeners]) {
      try {
        listener(change)
      } catch {
        // A broken listener (a closed window) must not break the feed for the others.
      }
    }
  }

  /**
   * Synchronous, so a listener hears every change committed after subscribe() returns: read where
   * the feed and the counter stand now (a read on this connection; better-sqlite3 answers at once).
   */
  function start(): void {
    lastVersion = version()
    lastSeq = (prepare('SELECT coalesce(max(seq), 0) AS seq FROM change_feed').get() as { seq: number }).seq
    timer = setInterval(() => void look(), options.pollMs ?? CHANGE_POLL_MS)
    timer.unref()
  }

  return {
    async announce(change: DbChange): Promise<void> {
      let payload = JSON.stringify(change.payload ?? null)
      if (payload.length > PAYLOAD_CHARS_MAX) payload = 'null'
      const now = Date.now()
      await run(() => {
        prepare('INSERT INTO change_feed (origin, event, payload, at_ms) VALUES (?, ?, ?, ?)').run(origin, change.event, payload, now)
        if (++announced % PRUNE_EVERY === 0) prepare('DELETE FROM change_feed WHERE at_ms < ?').run(now - KEEP_MS)
      })
    },
    subscribe(listener: (change: DbChange) => void): () => void {
      listeners.add(listener)
      if (timer === undefined) start()
      return () => {
        if (listeners.delete(listener) && listeners.size === 0 && timer !== undefined) {
          clearInterval(timer)
          timer = undefined
        }
      }
    },
    close(): void {
      listeners.clear()
      if (timer !== undefined) clearInterval(timer)
      timer = undefined
    },
  }
}
