/**
 * Contract tests of the database port (./Db.ts), run against every adapter: SQLite always, and
 * PostgreSQL when COUNTERSIGN_TEST_PG_URL names a server (an admin URL such as
 * postgres://postgres@127.0.0.1:55432/postgres) — a fresh database is created for this file and
 * dropped after it. What one backend cannot show (another desk's view, NOTIFY, leases) is
 * asserted for PostgreSQL alone; the rest holds on both.
 */
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { AsyncResource } from 'node:async_hooks'
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db, DbBackend, DbChange } from './Db'
import { openSqliteDb, SQLITE_MIGRATIONS } from './sqlite/openSqliteDb'
import { openPostgresDb } from './postgres/openPostgresDb'
import { createPostgresDatabase, dropPostgresDatabase } from './postgres/createDatabase'
import { POSTGRES_MIGRATIONS } from './postgres/migrations'

const PG_ADMIN_URL = process.env.COUNTERSIGN_TEST_PG_URL
const UINT256_MAX = (2n ** 256n - 1n).toString()
const BULK_ROWS = 10_001
const CONCURRENT_TX_PER_DB = 20
const NOTICE_WAIT_MS = 5_000

interface Backend {
  name: DbBackend
  /** Another Db on the same books (a second desk, or a second process on the same file). */
  open(): Promise<Db>
}

const dbName = (tag: string): string => `cs_port_${tag}_${process.pid}_${randomBytes(4).toString('hex')}`
const uniq = (tag: string): string => `${tag}_${randomBytes(6).toString('hex')}`

let sqliteDir = ''
let pgUrl = ''
const opened: Db[] = []

async function track(db: Promise<Db>): Promise<Db> {
  const d = await db
  opened.push(d)
  return d
}

const backends: Backend[] = [{ name: 'sqlite', open: () => track(openSqliteDb({ dataDir: sqliteDir })) }]
if (PG_ADMIN_URL) backends.push({ name: 'postgres', open: () => track(openPostgresDb({ url: pgUrl })) })

beforeAll(async () => {
  sqliteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-port-'))
  if (PG_ADMIN_URL) pgUrl = await createPostgresDatabase(PG_ADMIN_URL, dbName('main'))
})

afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()))
  fs.rmSync(sqliteDir, { recursive: true, force: true })
  if (PG_ADMIN_URL) await dropPostgresDatabase(PG_ADMIN_URL, new URL(pgUrl).pathname.slice(1))
})

const metaValue = async (db: Db, key: string): Promise<string | undefined> =>
  (await db.first(db.k.selectFrom('meta').select('value').where('key', '=', key)))?.value
const putMeta = (db: Db, key: string, value: string): Promise<unknown> => db.run(db.k.insertInto('meta').values({ key, value }))

describe.each(backends)('the Db port on $name', (backend) => {
  it('commits a transaction and rolls one back on throw, rethrowing the original error', async () => {
    const db = await backend.open()
    const [kept, lost] = [uniq('kept'), uniq('lost')]
    await db.tx(async () => {
      await putMeta(db, kept, '1')
      expect(db.inTransaction()).toBe(true)
    })
    const boom = new Error('boom')
    await expect(
      db.tx(async () => {
        await putMeta(db, lost, '1')
        throw boom
      }),
    ).rejects.toBe(boom)
    expect(db.inTransaction()).toBe(false)
    expect(await metaValue(db, kept)).toBe('1')
    expect(await metaValue(db, lost)).toBeUndefined()
  })

  it('rolls back a nested transaction to its savepoint and keeps the outer one', async () => {
    const db = await backend.open()
    const [outer, inner, after] = [uniq('outer'), uniq('inner'), uniq('after')]
    await db.tx(async () => {
      await putMeta(db, outer, '1')
      await expect(
        db.tx(async () => {
          await putMeta(db, inner, '1')
          // A failing statement inside the savepoint: the enclosing transaction must survive it.
          await putMeta(db, outer, 'duplicate key')
        }),
      ).rejects.toBeTruthy()
      await putMeta(db, after, '1')
    })
    expect(await metaValue(db, outer)).toBe('1')
    expect(await metaValue(db, inner)).toBeUndefined()
    expect(await metaValue(db, after)).toBe('1')
  })

  it('serialises concurrent transactions of one Db: 40 read-then-write increments give 40', async () => {
    const db = await backend.open()
    const key = uniq('counter')
    await putMeta(db, key, '0')
    await Promise.all(Array.from({ length: 2 * CONCURRENT_TX_PER_DB }, () => increment(db, key)))
    expect(await metaValue(db, key)).toBe(String(2 * CONCURRENT_TX_PER_DB))
  })

  it('sends a stray statement that outlives its transaction outside it, not into a released connection', async () => {
    const db = await backend.open()
    const key = uniq('stray')
    let stray: Promise<{ inTx: boolean; value: string | undefined }> | undefined
    await db.tx(async () => {
      stray = new Promise((resolve) => setTimeout(resolve, 30)).then(async () => ({
        inTx: db.inTransaction(),
        value: await metaValue(db, key),
      }))
      await putMeta(db, key, 'committed')
    })
    await expect(stray).resolves.toEqual({ inTx: false, value: 'committed' })
  })

  it('bulk-inserts and bulk-updates 10,001 rows, uint256 amounts and int8 numbers intact', async () => {
    const db = await backend.open()
    const tag = uniq('bulk')
    const created = 2 ** 40 // beyond int4: read back as a number, not a string
    const rows = Array.from({ length: BULK_ROWS }, (_, i) => [
      `${tag}_${i}`,
      'charge',
      'usd',
      UINT256_MAX,
      String(i),
      '-' + String(i),
      created + i,
      'now',
    ])
    const columns = ['id', 'type', 'currency', 'amount', 'fee', 'net', 'created', 'seen_at']
    await db.tx(() => db.insertRows('stripe_balance_txns', columns, rows))
    const updates = rows.map((r, i) => [r[0], String(i * 2), 'later'])
    updates.push([`${tag}_missing`, '0', 'later'])
    expect(await db.tx(() => db.updateRows('stripe_balance_txns', 'id', ['fee', 'seen_at'], updates))).toBe(BULK_ROWS)
    const back = await db.all(
      db.k
        .selectFrom('stripe_balance_txns')
        .select(['id', 'amount', 'fee', 'net', 'created', 'seen_at'])
        .where('id', 'like', `${tag}_%`)
        .orderBy('created'),
    )
    expect(back).toHaveLength(BULK_ROWS)
    expect(back[BULK_ROWS - 1]).toEqual({
      id: `${tag}_${BULK_ROWS - 1}`,
      amount: UINT256_MAX,
      fee: String(2 * (BULK_ROWS - 1)),
      net: `-${BULK_ROWS - 1}`,
      created: created + BULK_ROWS - 1,
      seen_at: 'later',
    })
    expect(back.every((r, i) => r.fee === String(i * 2) && typeof r.created === 'number')).toBe(true)
    const count = await db.first(sql<{ n: number }>`SELECT count(*) AS n FROM stripe_balance_txns WHERE id LIKE ${tag + '_%'}`)
    expect(count).toEqual({ n: BULK_ROWS })
  })

  it('refuses a bulk insert with a row of another width, and keeps none of it inside a transaction', async () => {
    const db = await backend.open()
    const tag = uniq('width')
    // 120 rows: whole batches of a multi-row insert and a tail of single rows; the short row sits inside a batch.
    const rows: unknown[][] = Array.from({ length: 120 }, (_, i) => [`${tag}_${i}`, String(i)])
    rows[57] = [`${tag}_57`]
    await expect(db.tx(() => db.insertRows('meta', ['key', 'value'], rows))).rejects.toThrow()
    const count = await db.first(sql<{ n: number }>`SELECT count(*) AS n FROM meta WHERE key LIKE ${tag + '_%'}`)
    expect(Number(count?.n)).toBe(0)
  })

  it('writes outside a transaction on its own, and bulk calls outside one too', async () => {
    const db = await backend.open()
    const key = uniq('solo')
    expect(await db.run(db.k.insertInto('meta').values({ key, value: UINT256_MAX }))).toEqual({ changes: 1 })
    await db.insertRows('meta', ['key', 'value'], [[`${key}_b`, 'x']])
    expect(await db.updateRows('meta', 'key', ['value'], [[`${key}_b`, 'y']])).toBe(1)
    expect(await metaValue(db, key)).toBe(UINT256_MAX)
    expect(await metaValue(db, `${key}_b`)).toBe('y')
  })

  it('keeps the announce / listen / lease calls (SQLite: nothing to send, every lease granted)', async () => {
    const db = await backend.open()
    const unsubscribe = db.onRemoteChange(() => undefined)
    await db.announce({ event: 'batches.changed', payload: { id: 'b1' } })
    unsubscribe()
    const lease = await db.tryLease(uniq('lease'))
    expect(lease).not.toBeNull()
    await lease!.release()
  })
})

describe.runIf(PG_ADMIN_URL)('the Db port on postgres, between desks', () => {
  const open = (): Promise<Db> => track(openPostgresDb({ url: pgUrl }))

  it('serialises transactions of two Dbs: 20 + 20 concurrent read-then-write increments give 40', async () => {
    const [a, b] = [await open(), await open()]
    const key = uniq('counter2')
    await putMeta(a, key, '0')
    await Promise.all(Array.from({ length: CONCURRENT_TX_PER_DB }, () => [increment(a, key), increment(b, key)]).flat())
    expect(await metaValue(b, key)).toBe(String(2 * CONCURRENT_TX_PER_DB))
  })

  it('shows a transaction its own writes, and everyone else only after COMMIT', async () => {
    const [db, other] = [await open(), await open()]
    const key = uniq('visible')
    // Bound here, outside the transaction: runs on the pool even when called from inside it.
    const outside = AsyncResource.bind(() => metaValue(db, key))
    await db.tx(async () => {
      await putMeta(db, key, 'v')
      expect(await metaValue(db, key)).toBe('v')
      expect(await outside()).toBeUndefined()
      expect(await metaValue(other, key)).toBeUndefined()
    })
    expect(await outside()).toBe('v')
    expect(await metaValue(other, key)).toBe('v')
  })

  it('refuses to commit a transaction whose failed statement was caught without a savepoint', async () => {
    const db = await open()
    const [key, later] = [uniq('aborted'), uniq('aborted_later')]
    await putMeta(db, key, '1')
    await expect(
      db.tx(async () => {
        await putMeta(db, key, 'duplicate').catch(() => undefined)
        await putMeta(db, later, '1').catch(() => undefined)
      }),
    ).rejects.toThrow(/nested db.tx/)
    expect(await metaValue(db, later)).toBeUndefined()
  })

  it('reads int8 as numbers and refuses one beyond 2^53 instead of rounding it', async () => {
    const db = await open()
    expect(await db.first(sql<{ n: number }>`SELECT 9007199254740991::bigint AS n`)).toEqual({ n: Number.MAX_SAFE_INTEGER })
    await expect(db.first(sql`SELECT 9007199254740993::bigint AS n`)).rejects.toThrow(/MAX_SAFE_INTEGER/)
  })

  it('delivers an announced change to another Db but not back to its sender; a large payload goes as null', async () => {
    const [a, b] = [await open(), await open()]
    const heardA: DbChange[] = []
    const heardB: DbChange[] = []
    const offA = a.onRemoteChange((c) => heardA.push(c))
    const offB = b.onRemoteChange((c) => heardB.push(c))
    try {
      // LISTEN is set up asynchronously: announce until the other side hears, then check what it heard.
      await until(async () => {
        await a.announce({ event: 'batches.changed', payload: { id: 'b1' } })
        return heardB.length > 0
      })
      expect(heardB[0]).toEqual({ event: 'batches.changed', payload: { id: 'b1' } })
      await a.announce({ event: 'ledger.changed', payload: { blob: 'x'.repeat(9_000) } })
      await until(async () => heardB.some((c) => c.event === 'ledger.changed'))
      expect(heardB.find((c) => c.event === 'ledger.changed')).toEqual({ event: 'ledger.changed', payload: null })
      expect(heardA).toEqual([])
    } finally {
      offA()
      offB()
    }
  })

  it('survives the server dropping its connections: the pool reconnects, the LISTEN connection comes back', async () => {
    const app = uniq('desk')
    const [a, b] = [await open(), await track(openPostgresDb({ url: pgUrl, applicationName: app }))]
    const heard: DbChange[] = []
    const off = b.onRemoteChange((c) => heard.push(c))
    try {
      await until(async () => {
        await a.announce({ event: 'before', payload: null })
        return heard.length > 0
      })
      await b.first(sql`SELECT 1`)
      const dropped = await a.all(
        sql<{ ok: boolean }>`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = ${app}`,
      )
      expect(dropped.length).toBeGreaterThanOrEqual(2)
      await until(async () => {
        await a.announce({ event: 'after', payload: null })
        return heard.some((c) => c.event === 'after')
      })
      expect(await b.first(sql<{ n: number }>`SELECT 1 AS n`)).toEqual({ n: 1 })
    } finally {
      off()
    }
  })

  it('grants a lease to one Db at a time, and again after release', async () => {
    const [a, b] = [await open(), await open()]
    const name = uniq('poller')
    const held = await a.tryLease(name)
    expect(held).not.toBeNull()
    expect(await b.tryLease(name)).toBeNull()
    expect(await a.tryLease(name)).toBeNull()
    await held!.release()
    const next = await b.tryLease(name)
    expect(next).not.toBeNull()
    await next!.release()
  })

  it('says DB_UNREACHABLE for a closed port and DB_NOT_FOUND for a missing database', async () => {
    const port = await closedPort()
    await expect(openPostgresDb({ url: `postgres://postgres@127.0.0.1:${port}/nowhere` })).rejects.toMatchObject({
      code: 'DB_UNREACHABLE',
      message: expect.stringContaining(`127.0.0.1:${port}/nowhere`),
    })
    const missing = new URL(PG_ADMIN_URL!)
    missing.pathname = `/${dbName('missing')}`
    await expect(openPostgresDb({ url: missing.toString() })).rejects.toMatchObject({ code: 'DB_NOT_FOUND' })
  })

  it('says DB_AUTH_FAILED when the server refuses the login', async () => {
    const db = await open()
    const role = uniq('cs_nologin')
    await db.run(sql.raw(`CREATE ROLE ${role} NOLOGIN`))
    try {
      const url = new URL(pgUrl)
      url.username = role
      // Refused as NOLOGIN (a server that trusts the address) or for want of a password (one that asks for it).
      await expect(openPostgresDb({ url: url.toString() })).rejects.toMatchObject({ code: 'DB_AUTH_FAILED' })
    } finally {
      await db.run(sql.raw(`DROP ROLE ${role}`))
    }
  })

  it('names host:port/database as its location, never a password', async () => {
    const url = new URL(pgUrl)
    url.password = 's3cret'
    const db = await track(openPostgresDb({ url: url.toString(), password: 'other-s3cret' }))
    expect(db.location).toBe(`${url.hostname}:${url.port}${url.pathname}`)
    expect(db.location).not.toContain('s3cret')
  })

  it('refuses writes on a read-only Db and still reads', async () => {
    const [db, ro] = [await open(), await track(openPostgresDb({ url: pgUrl, readonly: true }))]
    const key = uniq('ro')
    await putMeta(db, key, '1')
    expect(await metaValue(ro, key)).toBe('1')
    await expect(putMeta(ro, uniq('ro_write'), '1')).rejects.toMatchObject({ code: '25006' })
  })

  it('migrates a fresh database once when three desks open it at the same moment, and refuses a newer one', async () => {
    const name = dbName('race')
    const url = await createPostgresDatabase(PG_ADMIN_URL!, name)
    try {
      const dbs = await Promise.all([0, 1, 2].map(() => openPostgresDb({ url })))
      const ran = await dbs[0]!.all(sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`)
      expect(ran.map((r) => r.name)).toEqual(Object.keys(POSTGRES_MIGRATIONS).sort())
      await dbs[0]!.run(sql`INSERT INTO kysely_migration (name, "timestamp") VALUES ('9999_from_the_future', 'now')`)
      await Promise.all(dbs.map((d) => d.close()))
      await expect(openPostgresDb({ url })).rejects.toMatchObject({ code: 'DB_NEWER_THAN_APP' })
    } finally {
      await dropPostgresDatabase(PG_ADMIN_URL!, name)
    }
  })

  it('builds the same tables, columns, indexes and foreign keys as the SQLite migrations', async () => {
    expect(Object.keys(POSTGRES_MIGRATIONS)).toEqual(Object.keys(SQLITE_MIGRATIONS))
    const [lite, pg] = [await track(openSqliteDb({ dataDir: sqliteDir })), await open()]
    expect(await postgresShape(pg)).toEqual(await sqliteShape(lite))
  })
})

async function increment(db: Db, key: string): Promise<void> {
  await db.tx(async () => {
    const value = Number(await metaValue(db, key))
    // Give a competing writer every chance to read the same value before we write.
    await new Promise((resolve) => setTimeout(resolve, 1))
    await db.run(
      db.k
        .updateTable('meta')
        .set({ value: String(value + 1) })
        .where('key', '=', key),
    )
  })
}

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + NOTICE_WAIT_MS
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a notification')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Per table: columns as "name type notnull", indexes, foreign keys — in a form both backends can produce. */
type Shape = Record<string, { columns: string[]; indexes: string[]; foreignKeys: string[] }>

/** SQLite's own tables that a team database has no counterpart of (PostgreSQL desks hear changes through NOTIFY). */
const SQLITE_ONLY_TABLES = ['change_feed']

async function sqliteShape(db: Db): Promise<Shape> {
  const shape: Shape = {}
  const tables = (
    await db.all(sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
  ).filter((t) => !SQLITE_ONLY_TABLES.includes(t.name))
  for (const { name } of tables) {
    const columns = await db.all(sql<{ name: string; type: string; notnull: number; pk: number }>`SELECT * FROM pragma_table_info(${name})`)
    const indexes = await db.all(
      sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ${name} AND sql IS NOT NULL`,
    )
    const fks = await db.all(sql<{ from: string; table: string; to: string }>`SELECT * FROM pragma_foreign_key_list(${name})`)
    shape[name] = {
      // A primary key column is NOT NULL on PostgreSQL whether or not SQLite says so.
      columns: columns.map((c) => `${c.name} ${c.type.toLowerCase()} ${c.notnull || c.pk ? 'not null' : 'null'}`),
      indexes: indexes.map((i) => i.name).sort(),
      foreignKeys: fks.map((f) => `${f.from} -> ${f.table}.${f.to}`).sort(),
    }
  }
  return shape
}

async function postgresShape(db: Db): Promise<Shape> {
  const shape: Shape = {}
  const columns = await db.all(sql<{ table: string; name: string; type: string; nullable: string }>`
    SELECT table_name AS table, column_name AS name, data_type AS type, is_nullable AS nullable
    FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
  // SQLite's INTEGER is 64-bit: bigint on PostgreSQL is the same type; Kysely's own tables use varchar(255).
  const sqliteType = (t: string): string => ({ bigint: 'integer', 'character varying': 'varchar(255)' })[t] ?? t
  for (const c of columns) {
    shape[c.table] ??= { columns: [], indexes: [], foreignKeys: [] }
    shape[c.table]!.columns.push(`${c.name} ${sqliteType(c.type)} ${c.nullable === 'NO' ? 'not null' : 'null'}`)
  }
  const indexes = await db.all(sql<{ table: string; name: string }>`
    SELECT i.tablename AS table, i.indexname AS name FROM pg_indexes i
    WHERE i.schemaname = current_schema()
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype IN ('p', 'u'))`)
  for (const i of indexes) shape[i.table]!.indexes.push(i.name)
  const fks = await db.all(sql<{ table: string; from: string; to_table: string; to: string }>`
    SELECT c.conrelid::regclass::text AS table, a.attname AS from, c.confrelid::regclass::text AS to_table, af.attname AS to
    FROM pg_constraint c
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
    WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`)
  for (const f of fks) shape[f.table]!.foreignKeys.push(`${f.from} -> ${f.to_table}.${f.to}`)
  for (const t of Object.values(shape)) {
    t.indexes.sort()
    t.foreignKeys.sort()
  }
  return shape
}
