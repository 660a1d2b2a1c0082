/**
 * Opens the workspace database: better-sqlite3 (WAL, synchronous=FULL) with Kysely as the schema
 * and query layer. Queries are built with Kysely and executed synchronously on the same
 * connection (`db.all(query)`), so a write transaction is one synchronous function: it cannot
 * await a network call or a Ledger prompt while it holds the only connection (docs/STYLE.md, "Transactions never await the network").
 */
import fs from 'node:fs'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import {
  Kysely,
  Migrator,
  SqliteAdapter,
  SqliteDialect,
  type CompiledQuery,
  type Compilable,
  type Migration,
  type MigrationProvider,
} from 'kysely'
import { CsError } from '../../../shared/errors'
import type { Database } from './schema'
import * as m0001 from './migrations/0001_foundation'
import * as m0002 from './migrations/0002_payouts'
import * as m0003 from './migrations/0003_stellar'
import * as m0005 from './migrations/0005_signers'
import * as m0006 from './migrations/0006_stripe'
import { unreachable } from '../util/invariant'

/** The migrations, in name order. Frozen: add new files, never edit old ones. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_payouts': m0002,
  '0003_stellar': m0003,
  '0005_signers': m0005,
  '0006_stripe': m0006,
}
export const SCHEMA_VERSION = Object.keys(MIGRATIONS).sort().at(-1)!

export const DB_FILE_NAME = 'countersign.sqlite'
/** How long a writer waits for another process (the CLI beside the app) before DB_LOCKED. */
const BUSY_TIMEOUT_MS = 5_000
/** Prepared statements kept per connection. */
const STATEMENT_CACHE_MAX = 512

export interface Db {
  readonly file: string
  readonly sqlite: BetterSqlite3.Database
  readonly k: Kysely<Database>
  all<R>(query: Compilable<R> | CompiledQuery<R>): R[]
  first<R>(query: Compilable<R> | CompiledQuery<R>): R | undefined
  run(query: Compilable<unknown> | CompiledQuery<unknown>): BetterSqlite3.RunResult
  /** A cached prepared statement for hot paths (bulk posting). */
  prepare(sqlText: string): BetterSqlite3.Statement
  /** Run `fn` in one IMMEDIATE transaction (nested calls become savepoints). */
  tx<T>(fn: () => T): T
  close(): Promise<void>
}

export interface OpenDbOptions {
  /** Directory holding countersign.sqlite, or ':memory:'. */
  dataDir: string
  /** Path to a better_sqlite3.node built for this runtime's ABI (Electron); Node uses the default. */
  nativeBinding?: string
  readonly?: boolean
}

/** SQLite does run DDL inside transactions; Kysely's adapter says it does not, so say it does. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true
  }
}
class CountersignSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter()
  }
}

export async function openDb(options: OpenDbOptions): Promise<Db> {
  const file = options.dataDir === ':memory:' ? ':memory:' : path.join(options.dataDir, DB_FILE_NAME)
  if (file !== ':memory:') {
    try {
      fs.mkdirSync(options.dataDir, { recursive: true })
    } catch (cause) {
      throw new CsError(
        'DATA_DIR_INVALID',
        `Cannot create the data folder ${options.dataDir} — choose a folder you can write to with --data-dir.`,
        { cause },
      )
    }
  }
  let sqlite: BetterSqlite3.Database
  try {
    sqlite = new BetterSqlite3(file, {
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      ...(options.readonly ? { readonly: true } : {}),
    })
  } catch (cause) {
    throw new CsError(
      'DATA_DIR_INVALID',
      `Cannot open the workspace database in ${options.dataDir} — check the folder exists and is writable.`,
      { cause },
    )
  }
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
  if (!options.readonly) {
    sqlite.pragma('journal_mode = WAL')
  }
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')

  const k = new Kysely<Database>({ dialect: new CountersignSqliteDialect({ database: sqlite }) })
  if (!options.readonly) {
    await migrateToLatest(k)
  }
  return wrap(file, sqlite, k)
}

async function migrateToLatest(k: Kysely<Database>): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS }
  const migrator = new Migrator({ db: k, provider })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const text = error instanceof Error ? error.message : String(error)
    if (/corrupted migrations/i.test(text)) {
      throw new CsError('DB_NEWER_THAN_APP', 'This workspace was written by a newer Countersign — update the app before opening it.', {
        cause: error,
      })
    }
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new CsError(
      'INTERNAL',
      `The database upgrade (${failed}) failed and was rolled back — nothing was changed. Report this with the log.`,
      { cause: error },
    )
  }
}

function wrap(file: string, sqlite: BetterSqlite3.Database, k: Kysely<Database>): Db {
  const cache = new Map<string, BetterSqlite3.Statement>()
  const prepare = (sqlText: string): BetterSqlite3.Statement => {
    let stmt = cache.get(sqlText)
    if (!stmt) {
      if (cache.size >= STATEMENT_CACHE_MAX) cache.delete(cache.keys().next().value!)
      stmt = sqlite.prepare(sqlText)
      cache.set(sqlText, stmt)
    }
    return stmt
  }
  const compile = <R>(q: Compilable<R> | CompiledQuery<R>): CompiledQuery<R> => ('compile' in q ? q.compile() : q)
  const txDepth = { n: 0 }
  // One transaction wrapper for the connection (creating one per call costs ~µs on hot paths).
  const runInTx = sqlite.transaction((fn: () => unknown) => {
    txDepth.n++
    try {
      const out = fn()
      if (out instanceof Promise) unreachable('a DB transaction must be synchronous (no await inside)')
      return out
    } finally {
      txDepth.n--
    }
  })
  return {
    file,
    sqlite,
    k,
    all<R>(q: Compilable<R> | CompiledQuery<R>): R[] {
      const c = compile(q)
      return mapBusy(() => prepare(c.sql).all(...(c.parameters as unknown[])) as R[])
    },
    first<R>(q: Compilable<R> | CompiledQuery<R>): R | undefined {
      const c = compile(q)
      return mapBusy(() => prepare(c.sql).get(...(c.parameters as unknown[])) as R | undefined)
    },
    run(q: Compilable<unknown> | CompiledQuery<unknown>): BetterSqlite3.RunResult {
      const c = compile(q)
      return mapBusy(() => prepare(c.sql).run(...(c.parameters as unknown[])))
    },
    prepare,
    tx<T>(fn: () => T): T {
      return mapBusy(() => (txDepth.n === 0 ? runInTx.immediate(fn) : runInTx(fn)) as T)
    },
    async close(): Promise<void> {
      cache.clear()
      await k.destroy()
    },
  }
}

function mapBusy<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new CsError('DB_LOCKED', 'The workspace is busy in another Countersign window or command — wait a moment and try again.', {
        cause: error,
      })
    }
    throw error
  }
}
