// SCRATCH: compare plain-pg ways of writing the ledger's rows. Deleted after use.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { createPostgresDatabase, dropPostgresDatabase } from '../src/main/core/db/postgres/createDatabase'
import { openPostgresDb } from '../src/main/core/db/postgres/openPostgresDb'
import { ACTOR, ASSET_ID, ENTRY_DATE, ENTRY_DESCRIPTION, ENTRY_KIND, makeTransfers, measureOurs, NOW_ISO, PAYEE, seedLedger, TREASURY, type Transfer } from './ledgerBenchShared'

const SERVER = process.env.SERVER!
type Mode = 'unnest-named' | 'unnest' | 'values' | 'values-named'

const ENTRIES_UNNEST = `INSERT INTO entries (seq, id, date, kind, description, metadata, created_at, created_by)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`
const POSTINGS_UNNEST = `INSERT INTO postings (entry_seq, idx, account_id, asset_id, amount)
  SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[])`
const BALANCES = `UPDATE balances AS b SET debits_posted = (b.debits_posted::numeric + v.debits)::text,
  credits_posted = (b.credits_posted::numeric + v.credits)::text, updated_at = $4
  FROM unnest($1::text[], $2::numeric[], $3::numeric[]) AS v(account_id, debits, credits) WHERE b.account_id = v.account_id`
const AUDIT = `INSERT INTO audit_log (seq, at, actor, action, subject, change, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`

function valuesSql(table: string, cols: string[], n: number): string {
  const rows: string[] = []
  let p = 1
  for (let r = 0; r < n; r++) rows.push(`(${cols.map(() => `$${p++}`).join(', ')})`)
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${rows.join(', ')}`
}

async function raw(url: string, transfers: Transfer[], batch: number, mode: Mode): Promise<number> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    let seq = Number((await c.query('SELECT max(seq) AS s FROM entries')).rows[0].s)
    let auditSeq = Number((await c.query('SELECT max(seq) AS s FROM audit_log')).rows[0].s)
    const q = (name: string, text: string, values: unknown[]) =>
      mode.endsWith('named') ? c.query({ name, text, values }) : c.query(text, values)
    const start = process.hrtime.bigint()
    for (let i = 0; i < transfers.length; i += batch) {
      const rows = transfers.slice(i, i + batch)
      await c.query('BEGIN')
      let sum = 0n
      if (mode.startsWith('unnest')) {
        const seqs: number[] = [], ids: string[] = [], dates: string[] = [], kinds: string[] = [], descs: string[] = [], metas: string[] = [], ats: string[] = [], bys: string[] = []
        const pseq: number[] = [], pidx: number[] = [], pacc: string[] = [], passet: string[] = [], pamt: string[] = []
        for (const t of rows) {
          const s = ++seq
          seqs.push(s); ids.push(t.id); dates.push(ENTRY_DATE); kinds.push(ENTRY_KIND); descs.push(ENTRY_DESCRIPTION); metas.push('{}'); ats.push(NOW_ISO); bys.push(ACTOR)
          pseq.push(s, s); pidx.push(0, 1); pacc.push(PAYEE, TREASURY); passet.push(ASSET_ID, ASSET_ID); pamt.push(t.minor.toString(), (-t.minor).toString())
          sum += t.minor
        }
        await q('re', ENTRIES_UNNEST, [seqs, ids, dates, kinds, descs, metas, ats, bys])
        await q('rp', POSTINGS_UNNEST, [pseq, pidx, pacc, passet, pamt])
      } else {
        const ENTRY_PER = 8000, POST_PER = 13000
        for (let j = 0; j < rows.length; j += ENTRY_PER) {
          const chunk = rows.slice(j, j + ENTRY_PER)
          const vals: unknown[] = []
          const s0 = seq
          for (const t of chunk) { vals.push(++seq, t.id, ENTRY_DATE, ENTRY_KIND, ENTRY_DESCRIPTION, '{}', NOW_ISO, ACTOR); sum += t.minor }
          await q(`re${chunk.length}`, valuesSql('entries', ['seq', 'id', 'date', 'kind', 'description', 'metadata', 'created_at', 'created_by'], chunk.length), vals)
          const pv: unknown[] = []
          let s = s0
          for (const t of chunk) { s++; pv.push(s, 0, PAYEE, ASSET_ID, t.minor.toString(), s, 1, TREASURY, ASSET_ID, (-t.minor).toString()) }
          for (let k = 0; k < pv.length; k += POST_PER * 5) {
            const part = pv.slice(k, k + POST_PER * 5)
            await q(`rp${part.length}`, valuesSql('postings', ['entry_seq', 'idx', 'account_id', 'asset_id', 'amount'], part.length / 5), part)
          }
        }
      }
      await q('rb', BALANCES, [[PAYEE, TREASURY], [sum.toString(), '0'], ['0', sum.toString()], NOW_ISO])
      const change = JSON.stringify({ kind: ENTRY_KIND, count: rows.length, ids: rows.slice(0, 100).map((t) => t.id) })
      await q('ra', AUDIT, [++auditSeq, NOW_ISO, ACTOR, 'ledger.entries.post', `entries:${rows[0]!.id}..${rows.at(-1)!.id}`, change, '0'.repeat(64), '0'.repeat(64)])
      await c.query('COMMIT')
    }
    return Number(process.hrtime.bigint() - start) / 1e9
  } finally {
    await c.end()
  }
}

async function side(kind: Mode | 'ours', transfers: Transfer[], batch: number): Promise<number> {
  const name = `cs_scratch_${randomBytes(4).toString('hex')}`
  const url = await createPostgresDatabase(SERVER, name)
  try {
    const t0 = Date.now()
    const db = await openPostgresDb({ url })
    const ctx: CoreContext = { db, clock: fixedClock(NOW_ISO), events: new CoreEvents() }
    await seedLedger(ctx)
    if (process.env.VERBOSE) console.log('setup ms', Date.now() - t0)
    if (kind === 'ours') {
      try { return await measureOurs(ctx, transfers, batch) } finally { await db.close() }
    }
    await db.close()
    return await raw(url, transfers, batch, kind)
  } finally {
    await dropPostgresDatabase(SERVER, name)
  }
}

const modes = (process.env.MODES ?? 'unnest-named,unnest,values,values-named,ours').split(',') as (Mode | 'ours')[]
const plan = [{ batch: 1, entries: 300 }, { batch: 100, entries: 20000 }, { batch: 10000, entries: 50000 }].filter((p) => !process.env.BATCH || String(p.batch) === process.env.BATCH)
for (const { batch, entries } of plan) {
  const res: Record<string, number[]> = {}
  for (let run = 0; run < Number(process.env.RUNS ?? 4); run++) {
    for (const m of modes) (res[m] ??= []).push(entries / (await side(m, makeTransfers(entries, `${m}${run}`), batch)))
  }
  for (const m of modes) { const v = [...res[m]!].sort((a, b) => a - b); console.log(batch, m.padEnd(14), "median", Math.round(v[v.length >> 1]!), "all", res[m]!.map((x) => Math.round(x)).join(" ")) }
}
