// SCRATCH: where does postEntries' time go? Wraps ctx.db to time every statement. Deleted after use.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import type { Db } from '../src/main/core/db/Db'
import { compileQuery } from '../src/main/core/db/dbQuery'
import { openDb } from '../src/main/core/db/openDb'
import { createPostgresDatabase, dropPostgresDatabase } from '../src/main/core/db/postgres/createDatabase'
import { openPostgresDb } from '../src/main/core/db/postgres/openPostgresDb'
import { makeTransfers, measureOurs, NOW_ISO, seedLedger } from './ledgerBenchShared'

const SERVER = process.env.SERVER
const batch = Number(process.env.BATCH ?? 10000)
const entries = Number(process.env.ENTRIES ?? 50000)
const times = new Map<string, { ms: number; n: number }>()
let on = false
function timed(db: Db): Db {
  const rec = (key: string, t0: bigint) => {
    if (!on) return
    const e = times.get(key) ?? { ms: 0, n: 0 }
    e.ms += Number(process.hrtime.bigint() - t0) / 1e6
    e.n++
    times.set(key, e)
  }
  const key = (q: any) => compileQuery(db.k, q).sql.replace(/\s+/g, ' ').replace(/(\$\d+|\?)(, (\$\d+|\?))+/g, '…').slice(0, 90)
  const wrap = (name: string, f: (...a: any[]) => Promise<any>, k: (...a: any[]) => string) => async (...a: any[]) => {
    const t0 = process.hrtime.bigint()
    try { return await f(...a) } finally { rec(`${name} ${k(...a)}`, t0) }
  }
  return {
    ...db,
    backend: db.backend, location: db.location, k: db.k,
    all: wrap('all', db.all.bind(db), key),
    first: wrap('first', db.first.bind(db), key),
    run: wrap('run', db.run.bind(db), key),
    insertRows: wrap('insertRows', db.insertRows.bind(db), (t) => t),
    updateRows: wrap('updateRows', db.updateRows.bind(db), (t) => t),
    tx: async (fn: any) => {
      const t0 = process.hrtime.bigint()
      try { return await db.tx(fn) } finally { rec('tx (whole)', t0) }
    },
    inTransaction: db.inTransaction.bind(db),
    close: db.close.bind(db),
  } as Db
}

let total = 0
for (let run = 0; run < Number(process.env.RUNS ?? 3); run++) {
  let db: Db, cleanup: () => Promise<void>
  if (SERVER) {
    const name = `cs_prof_${randomBytes(4).toString('hex')}`
    const url = await createPostgresDatabase(SERVER, name)
    db = await openPostgresDb({ url })
    cleanup = () => dropPostgresDatabase(SERVER, name)
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-prof-'))
    db = await openDb({ dataDir: dir })
    cleanup = async () => fs.rmSync(dir, { recursive: true, force: true })
  }
  const tdb = timed(db)
  const ctx: CoreContext = { db: tdb, clock: fixedClock(NOW_ISO), events: new CoreEvents() }
  await seedLedger(ctx)
  on = run > 0
  const s = await measureOurs(ctx, makeTransfers(entries, `p${run}`), batch)
  if (on) total += s * 1000
  console.log('ours/s', Math.round(entries / s))
  on = false
  await db.close()
  await cleanup()
}
console.log('timed total ms', total.toFixed(0))
for (const [k, v] of [...times].sort((a, b) => b[1].ms - a[1].ms)) console.log(v.ms.toFixed(0).padStart(7), String(v.n).padStart(6), k)
