/**
 * The SQLite adapter of the database port (../Db.ts): one better-sqlite3 connection (WAL,
 * synchronous=FULL) with Kysely as the schema and query layer — the embedded default, one desk.
 *
 * better-sqlite3 is synchronous, so every call runs at once and returns a settled promise. The
 * port is async, and a transaction function awaits between its queries; while it does, other
 * work of this process (the poller, another call) must not run statements on the same
 * connection — they would land inside the open transaction. So a transaction holds a gate:
 * statements from outside it wait until it ends (statements inside it pass, recognised through
 * AsyncLocalStorage). Other processes on the same file wait on SQLite's own lock (BEGIN
 * IMMEDIATE, busy_timeout).
 *
 * Damage and rollback are never silent: before a file is opened for writing it is checked from
 * outside (./checkSqliteWorkspace.ts: empty, not a database, quick_check, behind or other than
 * the head file → DB_CORRUPT / DB_ROLLED_BACK), it is backed up before any migration, and after
 * each commit the head file follows the audit head (./keepWorkspaceHead.ts). SQLite's own
 * "corrupt" errors surface as DB_CORRUPT wherever they happen.
 */
import fs from 'node:fs'
import path from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { AsyncLocalStorage } from 'node:async_hooks'
import { Kysely, Migrator, SqliteAdapter, SqliteDialect, type Migration, type MigrationProvider } from 'kysely'
import { CsError } from '../../../../shared/errors'
import type { Database } from '../schema'
import type { Db, DbQuery, DbRunResult } from '../Db'
import { assertIdentifier, compileQuery } from '../dbQuery'
import { migrationFailure } from '../migrationFailure'
import { createBackup } from '../backups/createBackup'
import { checkSqliteWorkspace } from './checkSqliteWorkspace'
import { mapSqliteDamage } from './sqliteDamage'
import { createHeadKeeper } from './keepWorkspaceHead'
import { createSqliteChangeFeed } from './sqliteChanges'
import { DB_FILE_NAME, newWorkspaceId, WORKSPACE_ID_KEY } from './sqliteFile'
import * as m0001 from '../migrations/0001_foundation'
import * as m0002 from '../migrations/0002_payouts'
import * as m0003 from '../migrations/0003_stellar'
import * as m0005 from '../migrations/0005_signers'
import * as m0006 from '../migrations/0006_stripe'
import * as m0007 from '../migrations/0007_team'
import * as m0008 from '../migrations/0008_operator_auth'
import * as m0009 from '../migrations/0009_row_seals'
import * as m0010 from '../migrations/0010_escrow'
import * as m0011 from '../migrations/0011_recon'
import * as m0012 from '../migrations/0012_recon_matching'
import * as m0013 from '../migrations/0013_receipts'
import * as m0014 from '../migrations/0014_change_feed'
import * as m0015 from '../migrations/0015_batch_warnings'
import * as m0016 from '../migrations/0016_audit_filters'

/** The migrations, in name order. Frozen: add new files, never edit old ones. */
export const SQLITE_MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_payouts': m0002,
  '0003_stellar': m0003,
  '0005_signers': m0005,
  '0006_stripe': m0006,
  '0007_team': m0007,
  '0008_operator_auth': m0008,
  '0009_row_seals': m0009,
  '0010_escrow': m0010,
  '0011_recon': m0011,
  '0012_recon_matching': m0012,
  '0013_receipts': m0013,
  '0014_change_feed': m0014,
  '0015_batch_warnings': m0015,
  '0016_audit_filters': m0016,
}

export { DB_FILE_NAME }
/** How long a writer waits for another process (the CLI beside the app) before DB_LOCKED. */
const BUSY_TIMEOUT_MS = 5_000
/** Prepared statements kept per connection. */
const STATEMENT_CACHE_MAX = 512

export interface OpenSqliteDbOptions {
  /** Directory holding countersign.sqlite, or ':memory:'. */
  dataDir: string
  /** Path to a better_sqlite3.node built for this runtime's ABI (Electron); Node uses the default. */
  nativeBinding?: string
  readonly?: boolean
  /** Back the file up before migrating it (default true; a restore's staging copy says false). */
  backupBeforeMigration?: boolean
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

export async function openSqliteDb(options: OpenSqliteDbOptions): Promise<Db> {
  const memory = options.dataDir === ':memory:'
  const file = memory ? ':memory:' : path.join(options.dataDir, DB_FILE_NAME)
  const binding = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}
  if (!memory) {
    try {
      fs.mkdirSync(options.dataDir, { recursive: true })
    } catch (cause) {
      throw new CsError(
        'DATA_DIR_INVALID',
        `Cannot create the data folder ${options.dataDir} — choose a folder you can write to with --data-dir.`,
        { cause },
      )
    }
    // Before anything writes to it: refuse a file that is damaged, emptied, replaced or behind
    // what this folder committed (DB_CORRUPT / DB_ROLLED_BACK) — never make a new workspace of it.
    const check = checkSqliteWorkspace({ dataDir: options.dataDir, file, migrations: Object.keys(SQLITE_MIGRATIONS), ...binding })
    if (!options.readonly && check.pendingMigrations.length > 0 && options.backupBeforeMigration !== false)
      createBackup({ dataDir: options.dataDir, now: new Date(), ...binding })
  }
  let sqlite: BetterSqlite3.Database
  try {
    sqlite = new BetterSqlite3(file, {
      ...binding,
      ...(options.readonly ? { readonly: true } : {}),
    })
  } catch (cause) {
    throw new CsError(
      'DATA_DIR_INVALID',
      `Cannot open the workspace database in ${options.dataDir} — check the folder exists and is writable.`,
      { cause },
    )
  }
  try {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    if (!options.readonly) {
      sqlite.pragma('journal_mode = WAL')
    }
    sqlite.pragma('synchronous = FULL')
    sqlite.pragma('foreign_keys = ON')
  } catch (error) {
    sqlite.close()
    throw mapSqliteDamage(error, memory ? null : options.dataDir)
  }

  const k = new Kysely<Database>({ dialect: new CountersignSqliteDialect({ database: sqlite }) })
  if (!options.readonly) {
    await migrateToLatest(k)
  }
  const hooks = { afterCommit: (): void => {} }
  const db = wrap(file, sqlite, k, hooks)
  if (!memory && !options.readonly) {
    const keeper = createHeadKeeper(options.dataDir, sqlite, await ensureWorkspaceId(db))
    keeper.advance()
    hooks.afterCommit = () => keeper.advance()
  }
  return db
}

/** The workspace's id (meta 'workspace_id'), made on first open: the head file and every backup carry it. */
async function ensureWorkspaceId(db: Db): Promise<string> {
  const read = async (): Promise<string | undefined> =>
    (await db.first(db.k.selectFrom('meta').select('value').where('key', '=', WORKSPACE_ID_KEY)))?.value
  const existing = await read()
  if (existing !== undefined) return existing
  const id = newWorkspaceId()
  await db.tx(() =>
    db.run(
      db.k
        .insertInto('meta')
        .values({ key: WORKSPACE_ID_KEY, value: id })
        .onConflict((oc) => oc.column('key').doNothing()),
    ),
  )
  // Another process may have made it first: theirs stands.
  return (await read()) ?? id
}

async function migrateToLatest(k: Kysely<Database>): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => SQLITE_MIGRATIONS }
  const migrator = new Migrator({ db: k, provider })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw migrationFailure(error, results)
}

/** A transaction of this connection, carried through the async chain of its function. */
interface SqliteTx {
  readonly db: object
  open: boolean
  savepoints: number
  /** The error after which SQLite had rolled the whole transaction back (a full disk, an I/O error). */
  endedBy?: unknown
}

/**
 * The gate a transaction holds: statements and transactions from outside it queue until it ends,
 * in arrival order.
 */
class Gate {
  private held = false
  private readonly waiters: (() => void)[] = []
  get isHeld(): boolean {
    return this.held
  }
  async acquire(): Promise<void> {
    if (!this.held) {
      this.held = true
      return
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve))
  }
  release(): void {
    const next = this.waiters.shift()
    if (next) next()
    else this.held = false
  }
}

const txStore = new AsyncLocalStorage<SqliteTx>()

/**
 * One gate per database FILE in this process, shared by every connection to it (tests run the
 * sandbox's core and the CLI's side by side): SQLite's own lock between two connections of one
 * process would busy-wait synchronously — blocking the very event loop the holder needs to
 * finish — so in-process connections queue here instead. Other processes still meet SQLite's lock.
 */
const fileGates = new Map<string, { gate: Gate; connections: number }>()

function gateFor(file: string): { gate: Gate; release(): void } {
  if (file === ':memory:') return { gate: new Gate(), release: () => {} }
  let entry = fileGates.get(file)
  if (!entry) fileGates.set(file, (entry = { gate: new Gate(), connections: 0 }))
  entry.connections++
  let released = false
  return {
    gate: entry.gate,
    release() {
      if (released) return
      released = true
      if (--entry.connections === 0) fileGates.delete(file)
    },
  }
}

/** After a top-level transaction committed (the head file follows the audit head). Must not throw. */
interface CommitHooks {
  afterCommit(): void
}

function wrap(file: string, sqlite: BetterSqlite3.Database, k: Kysely<Database>, hooks: CommitHooks): Db {
  const dataDir = file === ':memory:' ? null : path.dirname(file)
  const guard = <T>(fn: () => T): T => mapSqliteErrors(fn, dataDir)
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
  const shared = gateFor(file === ':memory:' ? file : path.resolve(file))
  const gate = shared.gate
  const self = {}
  const currentTx = (): SqliteTx | undefined => {
    const tx = txStore.getStore()
    return tx && tx.open && tx.db === self ? tx : undefined
  }
  /** Run one synchronous statement: at once inside our transaction or when no one holds the gate, else after. */
  async function statement<T>(fn: () => T): Promise<T> {
    const tx = currentTx()
    if (tx) {
      // SQLite may end a transaction itself on SQLITE_FULL or an I/O error. A statement after that
      // would run on its own, committed at once, outside the all-or-nothing the caller is in —
      // so every later statement of that transaction fails with the error that ended it.
      if (tx.endedBy !== undefined) throw tx.endedBy
      if (!sqlite.inTransaction) {
        tx.endedBy = new CsError(
          'DISK_FULL',
          'Countersign could not save to the workspace: the disk refused a write and the change was rolled back. Free disk space (or check the drive), then try again.',
          { details: { reason: 'io' } },
        )
        throw tx.endedBy
      }
      try {
        return guard(fn)
      } catch (error) {
        if (!sqlite.inTransaction) tx.endedBy = error
        throw error
      }
    }
    if (!gate.isHeld) return guard(fn)
    await gate.acquire()
    try {
      return guard(fn)
    } finally {
      gate.release()
    }
  }
  const params = (values: readonly unknown[]): unknown[] => values as unknown[]
  const changes = createSqliteChangeFeed({ prepare, run: statement })

  const db: Db = {
    backend: 'sqlite',
    location: file,
    k,
    all<R>(q: DbQuery<R>): Promise<R[]> {
      const c = compileQuery(k, q)
      return statement(() => prepare(c.sql).all(...params(c.parameters)) as R[])
    },
    first<R>(q: DbQuery<R>): Promise<R | undefined> {
      const c = compileQuery(k, q)
      return statement(() => prepare(c.sql).get(...params(c.parameters)) as R | undefined)
    },
    run(q: DbQuery<unknown>): Promise<DbRunResult> {
      const c = compileQuery(k, q)
      return statement(() => ({ changes: prepare(c.sql).run(...params(c.parameters)).changes }))
    },
    async tx<T>(fn: () => Promise<T>): Promise<T> {
      const outer = currentTx()
      if (outer) {
        const name = `sp_${++outer.savepoints}`
        guard(() => sqlite.exec(`SAVEPOINT ${name}`))
        try {
          const out = await fn()
          guard(() => sqlite.exec(`RELEASE ${name}`))
          return out
        } catch (error) {
          // A full disk or an I/O error may have made SQLite roll back the whole transaction:
          // then there is no savepoint to return to, and the error is what the caller must see.
          if (sqlite.inTransaction) {
            sqlite.exec(`ROLLBACK TO ${name}`)
            sqlite.exec(`RELEASE ${name}`)
          }
          throw error
        }
      }
      await gate.acquire()
      const tx: SqliteTx = { db: self, open: true, savepoints: 0 }
      try {
        guard(() => prepare('BEGIN IMMEDIATE').run())
        let out: T
        try {
          out = await txStore.run(tx, fn)
        } catch (error) {
          tx.open = false
          if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
          throw error
        }
        tx.open = false
        guard(() => prepare('COMMIT').run())
        // Still holding the gate: in this process no other commit runs until the head file is written.
        hooks.afterCommit()
        return out
      } finally {
        tx.open = false
        // A failed COMMIT (disk full, busy) leaves the transaction open: end it before the next one.
        if (sqlite.inTransaction) sqlite.exec('ROLLBACK')
        gate.release()
      }
    },
    inTransaction(): boolean {
      return currentTx() !== undefined
    },
    insertRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
      const text = `INSERT INTO ${assertIdentifier(table)} (${columns.map(assertIdentifier).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`
      return statement(() => {
        const stmt = prepare(text)
        for (const row of rows) stmt.run(...params(row))
      })
    },
    updateRows(table: string, key: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<number> {
      const text = `UPDATE ${assertIdentifier(table)} SET ${columns.map((c) => `${assertIdentifier(c)} = ?`).join(', ')} WHERE ${assertIdentifier(key)} = ?`
      return statement(() => {
        const stmt = prepare(text)
        let matched = 0
        for (const [keyValue, ...values] of rows) matched += stmt.run(...values, keyValue).changes
        return matched
      })
    },
    // Other processes on this file (the app and the CLI) hear changes through its change feed.
    announce: (change) => changes.announce(change),
    onRemoteChange: (listener) => changes.subscribe(listener),
    async tryLease() {
      return { async release() {} }
    },
    async close(): Promise<void> {
      changes.close()
      cache.clear()
      shared.release()
      await k.destroy()
    },
  }
  return db
}

/** SQLite's busy as DB_LOCKED, a damaged file as DB_CORRUPT (naming the latest backup), a refused write as DISK_FULL; the rest as it was. */
function mapSqliteErrors<T>(fn: () => T, dataDir: string | null): T {
  try {
    return fn()
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new CsError('DB_LOCKED', 'The workspace is busy in another Countersign window or command — wait a moment and try again.', {
        cause: error,
      })
    }
    throw mapSqliteDamage(error, dataDir)
  }
}
