/**
 * Importing a camt file as it is read (SQLite; PostgreSQL in the suite's second pass, openDb
 * follows COUNTERSIGN_TEST_DB): the lines go into the database a chunk at a time inside the one
 * transaction, every line stored is exactly the line parsed at every chunk boundary, and a file
 * found wrong only at its end — a closing balance that does not add up, a bad last amount, a cut
 * last entry, a second statement that fails — leaves nothing at all behind, though every chunk
 * before it was already written.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sqlAll } from '../../../../test/dbSql'
import { CoreEvents, fixedClock, type CoreContext } from '../context'
import type { Db } from '../db/Db'
import { openDb } from '../db/openDb'
import { importStatement, LINE_COLUMNS, LINES_PER_INSERT } from './importStatement'
import { syntheticCamt053 } from './statements/camt053Synthetic'
import { parseCamt } from './statements/parseCamt'
import type { StatementEntry } from './statements/statementModel'

const ACTOR = 'importer'
/** Large enough for many chunks; small enough for a quick PostgreSQL pass. */
const LARGE_ENTRIES = 10_000

let db: Db
let ctx: CoreContext
/** Rows per statement_lines insert, in order, as the import wrote them. */
let lineInserts: number[]

beforeEach(async () => {
  db = await openDb({ dataDir: ':memory:' })
  lineInserts = []
  // The same database, with each statement_lines insert counted on its way through.
  const counted: Db = {
    ...db,
    insertRows(table, columns, rows) {
      if (table === 'statement_lines') lineInserts.push(rows.length)
      return db.insertRows(table, columns, rows)
    },
  }
  ctx = { db: counted, clock: fixedClock('2026-12-04T09:00:00.000Z'), events: new CoreEvents() }
})
afterEach(async () => {
  await db.close()
})

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const table of ['statement_files', 'statements', 'statement_lines', 'recon_accounts', 'audit_log']) {
    const [row] = await sqlAll<{ n: number | string }>(db, `SELECT COUNT(*) AS n FROM ${table}`)
    out[table] = Number(row!.n)
  }
  return out
}

/** What the import must store for one parsed entry, in LINE_COLUMNS order. */
function expectedRow(statementId: string, accountId: string, e: StatementEntry): unknown[] {
  const details = e.details.map((d) => ({
    amount: d.amount === null ? null : d.amount.toString(),
    endToEndId: d.endToEndId,
    bankRef: d.bankRef,
    instructionId: d.instructionId,
    counterpartyName: d.counterpartyName,
    counterpartyAccount: d.counterpartyAccount,
    remittance: d.remittance,
    structuredRef: d.structuredRef,
  }))
  return [
    `${statementId}:${e.index + 1}`,
    statementId,
    accountId,
    e.index + 1,
    e.bookingDate,
    e.valueDate,
    e.amount.toString(),
    e.currency,
    e.reversal ? 1 : 0,
    e.status,
    e.bankRef,
    e.endToEndId,
    e.customerRef,
    e.counterpartyName,
    e.counterpartyAccount,
    e.counterpartyBic,
    e.remittance,
    e.structuredRef,
    e.typeCode,
    JSON.stringify(details),
    'unmatched',
    e.where,
  ]
}

async function storedRows(): Promise<unknown[][]> {
  const rows = await sqlAll<Record<string, unknown>>(
    db,
    `SELECT ${LINE_COLUMNS.join(', ')} FROM statement_lines ORDER BY statement_id, idx`,
  )
  return rows.map((row) => LINE_COLUMNS.map((c) => (c === 'idx' || c === 'reversal' ? Number(row[c]) : row[c])))
}

/** The synthetic file with its closing balance one cent off: only the end of the statement can tell. */
function closingOffByOneCent(text: string): string {
  return text.replace(/(<Cd>CLBD<\/Cd>[\s\S]*?<Amt Ccy="EUR">)(\d+)\.(\d\d)/, (_m, head: string, units: string, cents: string) =>
    cents === '99' ? `${head}${BigInt(units) + 1n}.00` : `${head}${units}.${String(Number(cents) + 1).padStart(2, '0')}`,
  )
}

describe('statement import, streamed in chunks', () => {
  for (const entries of [1, LINES_PER_INSERT - 1, LINES_PER_INSERT, LINES_PER_INSERT + 1, 2 * LINES_PER_INSERT + 1]) {
    it(`stores exactly the ${entries} line${entries === 1 ? '' : 's'} parsed, in inserts of at most ${LINES_PER_INSERT}`, async () => {
      const text = syntheticCamt053(entries, entries)
      const r = await importStatement(ctx, ACTOR, { text, fileName: `s${entries}.xml` })
      const statement = parseCamt(text).statements[0]!
      const id = r.statements[0]!.id
      const accountId = r.statements[0]!.accountId
      expect(r.lines).toBe(entries)
      expect(await storedRows()).toEqual(statement.entries.map((e) => expectedRow(id, accountId, e)))
      const full = Math.floor(entries / LINES_PER_INSERT)
      expect(lineInserts).toEqual([
        ...Array<number>(full).fill(LINES_PER_INSERT),
        ...(entries % LINES_PER_INSERT ? [entries % LINES_PER_INSERT] : []),
      ])
      // The rows written before the lines were read are completed at the end.
      const [file] = await sqlAll<{ statements: number | string; lines: number | string }>(
        db,
        'SELECT statements, lines FROM statement_files',
      )
      expect([Number(file!.statements), Number(file!.lines)]).toEqual([1, entries])
      const [st] = await sqlAll<Record<string, unknown>>(db, 'SELECT lines, credits, debits, opening, closing, warnings FROM statements')
      const credits = statement.entries.filter((e) => e.amount > 0n).reduce((s, e) => s + e.amount, 0n)
      expect(st).toMatchObject({
        credits: credits.toString(),
        debits: statement.entries.reduce((s, e) => s + e.amount, 0n) - credits + '',
        opening: statement.opening!.amount.toString(),
        closing: statement.closing!.amount.toString(),
      })
      expect(Number(st!['lines'])).toBe(entries)
      expect(JSON.parse(st!['warnings'] as string)).toEqual(r.statements[0]!.warnings)
      expect(await counts()).toEqual({ statement_files: 1, statements: 1, statement_lines: entries, recon_accounts: 1, audit_log: 1 })
    })
  }

  it(`a closing balance that does not add up, found after all ${LARGE_ENTRIES} lines were written, leaves nothing`, async () => {
    const good = syntheticCamt053(LARGE_ENTRIES, 11)
    const error = await importStatement(ctx, ACTOR, { text: closingOffByOneCent(good), fileName: 'off.xml' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATEMENT_UNBALANCED', message: expect.stringMatching(/0\.01 EUR unaccounted for/) })
    // Every chunk had gone in before the end of the statement showed the file wrong.
    expect(lineInserts.reduce((a, b) => a + b, 0)).toBe(LARGE_ENTRIES)
    expect(await counts()).toEqual({ statement_files: 0, statements: 0, statement_lines: 0, recon_accounts: 0, audit_log: 0 })
    // Nothing left behind stands in the way of the right file.
    expect((await importStatement(ctx, ACTOR, { text: good, fileName: 'good.xml' })).lines).toBe(LARGE_ENTRIES)
  })

  it('a bad amount or a cut in the last entry leaves nothing', async () => {
    const good = syntheticCamt053(LARGE_ENTRIES, 12)
    const lastAmount = good.lastIndexOf('<Amt Ccy="EUR">')
    const badAmount = `${good.slice(0, lastAmount)}<Amt Ccy="EUR">1.001</Amt>${good.slice(good.indexOf('</Amt>', lastAmount) + 6)}`
    const cut = good.slice(0, good.lastIndexOf('<Ntry>') + 100)
    for (const [text, where] of [
      [badAmount, new RegExp(`^Ntry ${LARGE_ENTRIES} \\(line \\d+\\)`)],
      [cut, /^line \d+$/],
    ] as const) {
      lineInserts = []
      const error = await importStatement(ctx, ACTOR, { text, fileName: 'bad.xml' }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'STATEMENT_INVALID', details: { where: expect.stringMatching(where) } })
      expect(lineInserts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(LARGE_ENTRIES - LINES_PER_INSERT)
      expect(await counts()).toEqual({ statement_files: 0, statements: 0, statement_lines: 0, recon_accounts: 0, audit_log: 0 })
    }
  })

  it('a second statement that fails takes the first one with it', async () => {
    const one = syntheticCamt053(LINES_PER_INSERT + 3, 13)
    const statement = (text: string) => text.slice(text.indexOf('<Stmt>'), text.indexOf('</Stmt>') + '</Stmt>'.length)
    const second = closingOffByOneCent(syntheticCamt053(7, 14)).replace('<Id>SYNTH-STMT-7</Id>', '<Id>SECOND</Id>')
    const two = one.replace('</Stmt>', `</Stmt>\n${statement(second)}`)
    const error = await importStatement(ctx, ACTOR, { text: two, fileName: 'two.xml' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'STATEMENT_UNBALANCED', message: expect.stringMatching(/^two\.xml, statement 2 \(SECOND\)/) })
    expect(await counts()).toEqual({ statement_files: 0, statements: 0, statement_lines: 0, recon_accounts: 0, audit_log: 0 })
  })

  it('a dry run of a large file checks every line and stores nothing', async () => {
    const r = await importStatement(ctx, ACTOR, { text: syntheticCamt053(LARGE_ENTRIES, 15), fileName: 'dry.xml', dryRun: true })
    expect(r).toMatchObject({ dryRun: true, lines: LARGE_ENTRIES, statements: [{ lines: LARGE_ENTRIES }] })
    expect(lineInserts).toEqual([])
    expect(await counts()).toEqual({ statement_files: 0, statements: 0, statement_lines: 0, recon_accounts: 0, audit_log: 0 })
    const refused = await importStatement(ctx, ACTOR, {
      text: closingOffByOneCent(syntheticCamt053(LARGE_ENTRIES, 15)),
      fileName: 'dry.xml',
      dryRun: true,
    }).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'STATEMENT_UNBALANCED' })
  })
})
