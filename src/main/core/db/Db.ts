/**
 * The database port: what the core asks of a workspace database, served by two adapters —
 * SQLite (./sqlite/openSqliteDb.ts, the embedded single-desk default) and PostgreSQL
 * (./postgres/openPostgresDb.ts, team mode: several desktops on one set of books).
 *
 * Kysely is the query layer on both: `db.k` builds a query (compiled for this backend's dialect),
 * and `all` / `first` / `run` execute it. Every call is asynchronous, because a server is a
 * network hop away; on SQLite the promise is already settled when it is returned.
 *
 * Transactions (`tx`) are the unit of every change:
 * - writers of one workspace are serialised, as SQLite always did (SQLite: BEGIN IMMEDIATE;
 *   PostgreSQL: an advisory transaction lock taken first), so every check-then-write inside
 *   a transaction sees the latest committed state, on one desktop or eight;
 * - the function awaits only this database — never the network, a rail or a device — so a
 *   transaction is short and a slow answer elsewhere never holds the books;
 * - inside `fn`, `all` / `first` / `run` on this same `Db` run in the transaction (the adapter
 *   carries it through the async call chain), so domain code keeps calling `ctx.db.*`;
 * - a nested `tx` becomes a savepoint.
 */
import type { Compilable, CompiledQuery, Kysely, RawBuilder } from 'kysely'
import type { Database } from './schema'

export type DbBackend = 'sqlite' | 'postgres'

/** A Kysely builder, a compiled query, or a `sql` template (compiled against `db.k`). */
export type DbQuery<R> = Compilable<R> | CompiledQuery<R> | RawBuilder<R>

export interface DbRunResult {
  /** Rows inserted, updated or deleted. */
  changes: number
}

/** A change another process (another desktop) committed, as it announced it. */
export interface DbChange {
  /** The core event name the writer emitted ('batches.changed', …). */
  event: string
  payload: unknown
}

export interface Db {
  readonly backend: DbBackend
  /** Where the books are, for people and logs: the file path, or host:port/database (never a password). */
  readonly location: string
  /** The query builder of this backend's dialect. Build with it; execute with all / first / run. */
  readonly k: Kysely<Database>
  all<R>(query: DbQuery<R>): Promise<R[]>
  first<R>(query: DbQuery<R>): Promise<R | undefined>
  run(query: DbQuery<unknown>): Promise<DbRunResult>
  /** One write transaction, serialised against every other writer of this workspace (see above). */
  tx<T>(fn: () => Promise<T>): Promise<T>
  /** Whether the caller runs inside a `tx` of this database. */
  inTransaction(): boolean
  /**
   * Bulk insert (the hot path of posting): `rows` are value arrays in `columns` order.
   * SQLite runs one cached prepared statement per row; PostgreSQL sends multi-row statements.
   */
  insertRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>
  /**
   * Bulk update by key: each row is [key, ...values of `columns`]. Returns how many rows matched,
   * so a caller can assert every key existed.
   */
  updateRows(table: string, key: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<number>
  /**
   * Announce a committed change to the other processes on this workspace (PostgreSQL: NOTIFY;
   * SQLite: a row in the file's change feed, sqlite/sqliteChanges.ts). Called after commit.
   */
  announce(change: DbChange): Promise<void>
  /** Listen for changes other processes announce. Returns the unsubscribe function. */
  onRemoteChange(listener: (change: DbChange) => void): () => void
  /**
   * Try to take a named lease for this process (the poller's, so one desktop polls at a time):
   * null when another process holds it. PostgreSQL: a session advisory lock on a connection of
   * its own, released by `release()` or when the process dies. SQLite: always granted (one desk;
   * two processes on one file stay safe through the transactions alone, as before).
   */
  tryLease(name: string): Promise<DbLease | null>
  close(): Promise<void>
}

export interface DbLease {
  release(): Promise<void>
}
