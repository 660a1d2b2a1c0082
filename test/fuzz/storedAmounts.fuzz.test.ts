/**
 * No amount changes between the file and storage (issue 18, item 6), on a real SQLite file: a few
 * model files per run (fuzzTargets.ts / statementModels.ts) go through the real imports — the
 * payout CSV into a draft batch (amounts up to uint256 on 18-decimal ETH), statements of every
 * format into statement_lines — and what the database holds is compared with the model's bigints.
 * Few cases (each opens a workspace); the parsers' own fuzz runs thousands without a database.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqlAll, sqlFirst } from '../dbSql'
import { CoreEvents, fixedClock, type CoreContext } from '../../src/main/core/context'
import { openDb } from '../../src/main/core/db/openDb'
import { importPayoutCsv } from '../../src/main/core/payouts/import/importPayoutCsv'
import { openImportWorld, type ImportWorld } from '../../src/main/core/payouts/import/importTestKit'
import { saveCsvMapping } from '../../src/main/core/recon/csvMappings'
import { importStatement } from '../../src/main/core/recon/importStatement'
import { payoutModel, writePayoutCsv } from './fuzzTargets'
import {
  BAI2_CEILING,
  CAMT_KINDS,
  csvStyle,
  modelStatement,
  writeBai2,
  writeCamt,
  writeCsv,
  writeMt940,
  writeOfx,
  type ModelStatement,
} from './statementModels'

const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() ^ (Math.random() * 0x7fffffff)
const CASES = Number(process.env.FUZZ_STORED_CASES ?? 4)

describe(`stored amounts equal the file's (seed ${SEED})`, () => {
  let w: ImportWorld
  beforeAll(async () => {
    w = await openImportWorld()
  })
  afterAll(async () => {
    await w.close()
  })

  it('payout CSV → draft batch: every stored amount is the model bigint, in minor units', async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(payoutModel, async (m) => {
        const prefix = `f${n++}`
        const r = await importPayoutCsv(w.core.ctx, w.operatorId, { csv: writePayoutCsv(m, prefix), fileName: 'fuzz.csv' })
        expect(r.issues).toEqual([])
        expect(r.batchId).not.toBeNull()
        const stored = await sqlAll<{ id: string; amount: string; asset_id: string }>(
          w.core.ctx.db,
          'SELECT id, amount, asset_id FROM payouts WHERE batch_id = ? ORDER BY row_no',
          r.batchId,
        )
        expect(stored).toEqual(
          m.rows.map((row, i) => ({ id: `${prefix}-${i + 1}`, amount: row.minor.toString(), asset_id: `${row.asset}@evm:8453` })),
        )
      }),
      { seed: SEED, numRuns: CASES },
    )
  })

  const formats: [string, fc.Arbitrary<{ text: string; fileName: string; mapping?: unknown; st: ModelStatement }>][] = [
    ['mt940', modelStatement().map((st) => ({ text: writeMt940(st), fileName: 'm.sta', st }))],
    ['bai2', modelStatement({ ceiling: BAI2_CEILING, reversals: false }).map((st) => ({ text: writeBai2(st), fileName: 'm.bai2', st }))],
    [
      'ofx',
      fc
        .tuple(modelStatement({ reversals: false }), fc.constantFrom(1 as const, 2 as const))
        .map(([st, v]) => ({ text: writeOfx(st, v), fileName: 'm.ofx', st })),
    ],
    [
      'camt',
      fc.tuple(modelStatement(), fc.constantFrom(...CAMT_KINDS)).map(([st, k]) => ({ text: writeCamt(st, k), fileName: 'm.xml', st })),
    ],
    [
      'csv',
      fc.tuple(modelStatement({ reversals: false }), csvStyle).map(([st, style]) => ({ ...writeCsv(st, style), fileName: 'm.csv', st })),
    ],
  ]

  it.each(formats)('%s statement → statement_lines: every stored amount and balance is the model bigint', async (_format, arbitrary) => {
    await fc.assert(
      fc.asyncProperty(arbitrary, async ({ text, fileName, mapping, st }) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-fuzz-stored-'))
        const db = await openDb({ dataDir: dir })
        try {
          const ctx: CoreContext = { db, clock: fixedClock('2026-12-05T09:00:00.000Z'), events: new CoreEvents() }
          if (mapping !== undefined) await saveCsvMapping(ctx, 'fuzz', 'fuzz bank', mapping)
          await importStatement(ctx, 'fuzz', { text, fileName, ...(mapping !== undefined ? { mapping: 'fuzz bank' } : {}) })
          const lines = await sqlAll<{ amount: string; reversal: number }>(db, 'SELECT amount, reversal FROM statement_lines ORDER BY idx')
          expect(lines.map((l) => BigInt(l.amount))).toEqual(st.entries.map((e) => e.amount))
          expect(lines.map((l) => l.reversal === 1)).toEqual(st.entries.map((e) => e.reversal))
          const stored = await sqlFirst<{ opening: string | null; closing: string | null }>(db, 'SELECT opening, closing FROM statements')
          if (stored!.closing !== null) expect(BigInt(stored!.closing)).toBe(st.closing)
          if (stored!.opening !== null) expect(BigInt(stored!.opening)).toBe(st.opening)
        } finally {
          await db.close()
          fs.rmSync(dir, { recursive: true, force: true })
        }
      }),
      { seed: SEED, numRuns: CASES },
    )
  })
})
