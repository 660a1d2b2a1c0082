import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CoreEvents, fixedClock, type CoreContext } from '../src/main/core/context'
import { openDb } from '../src/main/core/db/openDb'
import { makeTransfers, measureOurs, NOW_ISO, seedLedger } from './ledgerBenchShared'
const batch = Number(process.env.BATCH ?? 10000)
const entries = Number(process.env.ENTRIES ?? 50000)
for (let run = 0; run < Number(process.env.RUNS ?? 3); run++) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-scr-'))
  const ctx: CoreContext = { db: await openDb({ dataDir: dir }), clock: fixedClock(NOW_ISO), events: new CoreEvents() }
  await seedLedger(ctx)
  const s = await measureOurs(ctx, makeTransfers(entries, `o${run}`), batch)
  console.log('ours/s', Math.round(entries / s))
  await ctx.db.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
