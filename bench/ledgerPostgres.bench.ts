/**
 * Ledger posting throughput on PostgreSQL (team mode): the transfers of the SQLite table
 * (ledgerBenchShared.ts: same books, same batch sizes, paired runs, medians) through postEntries
 * on the PostgreSQL adapter, against a plain `pg` client writing the same rows. Results are
 * printed, never asserted.
 *
 * The server: COUNTERSIGN_BENCH_PG_URL (a server URL whose account may create databases), else a
 * throwaway cluster (scripts/postgres-cluster.ts) started here and stopped at the end. Without
 * either, the table is skipped with one line saying why.
 *
 * Each side of each run gets a fresh database, migrated by openPostgresDb and seeded through the
 * core (seedLedger), then dropped. "Ours" posts through that Db; "raw" closes it and writes with
 * one pg.Client: the entries, the postings, the two balance updates and one audit_log row per call,
 * in one transaction per call — no validation, no hashing, no write lock, no reads in the timed
 * loop (the seqs it assigns are read once before it). It is the floor.
 */
import pg from 'pg'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { createPostgresDatabase, dropPostgresDatabase } from '../src/main/core/db/postgres/createDatabase'
import { openPostgresDb } from '../src/main/core/db/postgres/openPostgresDb'
import { findPostgresBin, PostgresClusterError, startPostgresCluster, stopPostgresCluster } from '../scripts/postgres-cluster'
import {
  ACTOR,
  ASSET_ID,
  ENTRY_DATE,
  ENTRY_DESCRIPTION,
  ENTRY_KIND,
  measureOurs,
  NOW_ISO,
  PAYEE,
  printLedgerTable,
  RUNS_PER_CASE,
  runPaired,
  seedLedger,
  TREASURY,
  type LedgerBenchRow,
  type Side,
  type Transfer,
} from './ledgerBenchShared'

const BENCH_PG_URL_ENV = 'COUNTERSIGN_BENCH_PG_URL'
/** Entry ids listed in the raw side's audit row, as postEntries lists them (AUDIT_ENTRY_IDS_MAX). */
const RAW_AUDIT_IDS_MAX = 100
const RAW_PLACEHOLDER_HASH = '0'.repeat(64)

/*
 * The raw side's statements: each column as one array parameter, turned back into rows by
 * unnest, as named statements (parsed and planned once per connection). Measured against
 * multi-row INSERT … VALUES with one parameter per value (chunks under the 65,535-parameter
 * limit), in this file's setup (PostgreSQL 15 throwaway cluster, 2 cores, a shared machine;
 * transfers/s, median of 5 runs):
 *   batch 1:      unnest named 876, unnamed 530; VALUES named 755, unnamed 647;
 *   batch 100:    unnest named 14,115, unnamed 13,365; VALUES named 18,372, unnamed 9,615;
 *   batch 10,000: unnest named 19,893, unnamed 19,736; VALUES named 13,199, unnamed 11,784.
 * unnest named is the fastest at 1 and 10,000 and needs no chunking; at 100 the runs of unnest
 * named and VALUES named overlap (11,014–21,510 and 11,782–21,150), so one way is kept for all.
 * Constant columns (date, kind, …) still travel as arrays: in general they vary per entry.
 * Balances are moved in SQL (numeric arithmetic on the stored text), so the raw side reads nothing.
 */
const RAW_INSERT_ENTRIES_SQL = `INSERT INTO entries (seq, id, date, kind, description, metadata, created_at, created_by)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`
const RAW_INSERT_POSTINGS_SQL = `INSERT INTO postings (entry_seq, idx, account_id, asset_id, amount)
  SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[])`
const RAW_UPDATE_BALANCES_SQL = `UPDATE balances AS b
  SET debits_posted = (b.debits_posted::numeric + v.debits)::text, credits_posted = (b.credits_posted::numeric + v.credits)::text, updated_at = $4
  FROM unnest($1::text[], $2::numeric[], $3::numeric[]) AS v(account_id, debits, credits) WHERE b.account_id = v.account_id`
const RAW_INSERT_AUDIT_SQL = `INSERT INTO audit_log (seq, at, actor, action, subject, change, prev_hash, hash)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`
const RAW_HEADS_SQL = 'SELECT (SELECT max(seq) FROM entries) AS entries, (SELECT max(seq) FROM audit_log) AS audit'

export type LedgerPostgresBench = { heading: string; rows: LedgerBenchRow[] } | { skipped: string }

interface BenchServer {
  url: string
  /** What the heading says the server is: "throwaway cluster" or the variable it came from. */
  origin: string
  stop(): Promise<void>
}

export async function runLedgerPostgresBench(): Promise<LedgerPostgresBench> {
  const server = await benchServer()
  if (typeof server === 'string') return { skipped: server }
  try {
    const heading = await describeServer(server)
    let databases = 0
    const rows = await runPaired(async (side, transfers, batch) => {
      const name = `cs_bench_${process.pid}_${++databases}_${side}`
      const url = await createPostgresDatabase(server.url, name)
      try {
        return await measureSide(url, side, transfers, batch)
      } finally {
        await dropPostgresDatabase(server.url, name)
      }
    })
    return { heading, rows }
  } finally {
    await server.stop()
  }
}

/** The server from COUNTERSIGN_BENCH_PG_URL, a throwaway cluster, or why there is neither. */
async function benchServer(): Promise<BenchServer | string> {
  const url = process.env[BENCH_PG_URL_ENV]
  if (url) return { url, origin: BENCH_PG_URL_ENV, stop: () => Promise.resolve() }
  try {
    findPostgresBin()
  } catch (error) {
    if (!(error instanceof PostgresClusterError)) throw error
    return `${error.message.replace(/\.$/, '')}; or set ${BENCH_PG_URL_ENV} to a server URL`
  }
  const cluster = await startPostgresCluster()
  return { url: cluster.url, origin: 'throwaway cluster', stop: () => stopPostgresCluster(cluster) }
}

/** "PostgreSQL (15.13, 127.0.0.1:5432; …)": the version, the host, and the durability the figures were taken with. */
async function describeServer(server: BenchServer): Promise<string> {
  const client = new pg.Client({ connectionString: server.url })
  await client.connect()
  try {
    const show = async (setting: string): Promise<string> => {
      const r = await client.query<Record<string, string>>(`SHOW ${setting}`)
      return r.rows[0]![setting]!
    }
    const version = (await show('server_version')).split(' ')[0]
    const { hostname, port } = new URL(server.url)
    const durability = `fsync=${await show('fsync')}, synchronous_commit=${await show('synchronous_commit')}`
    return (
      `PostgreSQL (${version}, ${hostname}:${port || '5432'}; ${server.origin}, ${durability}): 2-posting transfers per second ` +
      `(median of ${RUNS_PER_CASE} paired runs, fresh database each; raw = one pg.Client, unnest arrays)`
    )
  } finally {
    await client.end()
  }
}

/** One side of one run on its fresh database: migrated and seeded through the core, then timed. */
async function measureSide(url: string, side: Side, transfers: Transfer[], batch: number): Promise<number> {
  const db = await openPostgresDb({ url })
  try {
    const ctx: CoreContext = { db, clock: fixedClock(NOW_ISO), events: new CoreEvents() }
    await seedLedger(ctx)
    if (side === 'ours') return await measureOurs(ctx, transfers, batch)
  } finally {
    await db.close()
  }
  return measureRaw(url, transfers, batch)
}

interface RawHeads {
  entrySeq: number
  auditSeq: number
}

async function measureRaw(url: string, transfers: Transfer[], batch: number): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ entries: string; audit: string }>(RAW_HEADS_SQL)
    const heads: RawHeads = { entrySeq: Number(rows[0]!.entries), auditSeq: Number(rows[0]!.audit) }
    const start = process.hrtime.bigint()
    for (let i = 0; i < transfers.length; i += batch) await writeRawCall(client, transfers.slice(i, i + batch), heads)
    return Number(process.hrtime.bigint() - start) / 1e9
  } finally {
    await client.end()
  }
}

/** What one postEntries call writes, as plainly as pg can: one transaction, four statements. */
async function writeRawCall(client: pg.Client, transfers: Transfer[], heads: RawHeads): Promise<void> {
  const v = rawCallValues(transfers, heads)
  await client.query('BEGIN')
  await client.query({ name: 'raw-entries', text: RAW_INSERT_ENTRIES_SQL, values: v.entries })
  await client.query({ name: 'raw-postings', text: RAW_INSERT_POSTINGS_SQL, values: v.postings })
  await client.query({ name: 'raw-balances', text: RAW_UPDATE_BALANCES_SQL, values: v.balances })
  await client.query({ name: 'raw-audit', text: RAW_INSERT_AUDIT_SQL, values: v.audit })
  await client.query('COMMIT')
}

/** The parameters of writeRawCall's statements: the rows postEntries would write, column by column. */
function rawCallValues(transfers: Transfer[], heads: RawHeads): Record<'entries' | 'postings' | 'balances' | 'audit', unknown[]> {
  const n = transfers.length
  const entrySeqs = new Array<number>(n)
  const postingSeqs = new Array<number>(2 * n)
  const postingIdxs = new Array<number>(2 * n)
  const postingAccounts = new Array<string>(2 * n)
  const postingAmounts = new Array<string>(2 * n)
  let moved = 0n
  for (let i = 0; i < n; i++) {
    const t = transfers[i]!
    const seq = ++heads.entrySeq
    entrySeqs[i] = postingSeqs[2 * i] = postingSeqs[2 * i + 1] = seq
    postingIdxs[2 * i] = 0
    postingIdxs[2 * i + 1] = 1
    postingAccounts[2 * i] = PAYEE
    postingAccounts[2 * i + 1] = TREASURY
    postingAmounts[2 * i] = t.minor.toString()
    postingAmounts[2 * i + 1] = (-t.minor).toString()
    moved += t.minor
  }
  const column = <T>(value: T, length: number): T[] => new Array<T>(length).fill(value)
  const ids = transfers.map((t) => t.id)
  const change = JSON.stringify({
    kind: ENTRY_KIND,
    count: n,
    replayed: 0,
    ids: ids.slice(0, RAW_AUDIT_IDS_MAX),
    idsOmitted: Math.max(0, n - RAW_AUDIT_IDS_MAX),
    digest: RAW_PLACEHOLDER_HASH,
  })
  const subject = n === 1 ? `entry:${ids[0]}` : `entries:${ids[0]}..${ids[n - 1]}`
  return {
    entries: [
      entrySeqs,
      ids,
      column(ENTRY_DATE, n),
      column(ENTRY_KIND, n),
      column(ENTRY_DESCRIPTION, n),
      column('{}', n),
      column(NOW_ISO, n),
      column(ACTOR, n),
    ],
    postings: [postingSeqs, postingIdxs, postingAccounts, column(ASSET_ID, 2 * n), postingAmounts],
    balances: [[PAYEE, TREASURY], [moved.toString(), '0'], ['0', moved.toString()], NOW_ISO],
    audit: [++heads.auditSeq, NOW_ISO, ACTOR, 'ledger.entries.post', subject, change, RAW_PLACEHOLDER_HASH, RAW_PLACEHOLDER_HASH],
  }
}

export function printLedgerPostgresBench(result: LedgerPostgresBench): void {
  if ('skipped' in result) console.log(`\nPostgreSQL ledger table skipped: ${result.skipped}.`)
  else printLedgerTable(result.heading, result.rows)
}
