/**
 * Tamper-evidence of the audit chain, exhaustively: a chain of real rows written by real
 * operations, then for EVERY row every single-column edit, its deletion, and its swap with every
 * other row — each made with raw SQL inside a transaction that is rolled back afterwards, so every
 * case starts from the untouched books, on SQLite and PostgreSQL alike — must be reported, and the
 * first broken row must be exactly the one touched (the lower one for a swap).
 */
import { addOperatorForTest } from '../operators/operatorTestKit'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CoreEvents, fixedClock, type CoreContext } from '../context'
import { createCore } from '../core'
import type { Db } from '../db/Db'
import { openDb } from '../db/openDb'
import { sqlAll, sqlRun } from '../../../../test/dbSql'
import { AUDIT_HEAD_KEY } from './appendAudit'
import { verifyAudit } from './verifyAudit'

/** The chain must be at least this long for the test to mean something. */
const AUDIT_ROWS_MIN = 12
const CONTENT_COLUMNS = ['at', 'actor', 'action', 'subject', 'change', 'prev_hash', 'hash', 'rows_digest'] as const

interface AuditDbRow {
  seq: number
  at: string
  actor: string
  action: string
  subject: string
  change: string
  prev_hash: string
  hash: string
  /** Null on rows that sealed nothing: setting one is an edit too. */
  rows_digest: string | null
}

let root: string
let baseDir: string
let rows: AuditDbRow[]
let db: Db

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-audit-'))
  baseDir = path.join(root, 'base')
  const clock = fixedClock('2026-03-01T08:00:00.000Z')
  const core = await createCore({ dataDir: baseDir, clock })
  const api = core.api
  const step = (): void => clock.advance(1_000)
  try {
    const dana = await addOperatorForTest(api, { name: 'Dana Admin', roles: ['admin'] })
    const as = { operatorId: dana.id }
    for (const [name, role] of [
      ['Alice Preparer', 'preparer'],
      ['Bob Approver', 'approver'],
      ['Carol Signer', 'signer'],
    ] as const) {
      step()
      await addOperatorForTest(api, { name, roles: [role] }, as)
    }
    step()
    await api.call(
      'assets.add',
      { code: 'USDC', scale: 6, rail: 'evm', network: '31337', issuer: '0x5FbDB2315678afecb367f032d93F642f64180aa3' },
      as,
    )
    for (const [id, kind] of [
      ['treasury', 'treasury'],
      ['opening', 'external'],
      ['escrow', 'escrow'],
      ['payee', 'payee'],
    ] as const) {
      step()
      await api.call('ledger.accounts.add', { id, name: id, kind, assetId: 'USDC@evm:31337' }, as)
    }
    const post = (id: string, debit: string, credit: string, amount: string) =>
      api.call(
        'ledger.entries.post',
        {
          entries: [
            {
              id,
              date: '2026-03-01',
              description: id,
              postings: [
                { account: debit, debit: amount },
                { account: credit, credit: amount },
              ],
            },
          ],
        },
        as,
      )
    step()
    await post('opening', 'treasury', 'opening', '1000000.000000')
    step()
    await post('escrow-1', 'escrow', 'treasury', '2500.500000')
    step()
    await post('pay-1', 'payee', 'escrow', '1250.250000')
  } finally {
    await core.close()
  }
  // The workspace reopened, as a later session (or another process) sees it.
  db = await openDb({ dataDir: baseDir })
  rows = await sqlAll<AuditDbRow>(db, 'SELECT * FROM audit_log ORDER BY seq')
})

afterAll(async () => {
  await db?.close()
  fs.rmSync(root, { recursive: true, force: true })
})

afterEach(async () => {
  // Every tamper was rolled back: the books are whole again for the next case.
  expect(await verifyAudit(ctxOf(db))).toMatchObject({ ok: true, rowsChecked: rows.length })
})

const ctxOf = (db: Db): CoreContext => ({ db, clock: fixedClock(), events: new CoreEvents() })

/** Thrown to roll back the tampering transaction once the chain has been verified. */
class RollBack extends Error {
  constructor(readonly result: Awaited<ReturnType<typeof verifyAudit>>) {
    super('roll back')
  }
}

/** `tamper` edits the books with raw SQL in a transaction; the chain is verified there, then it is rolled back. */
async function verifyTampered(tamper: (db: Db) => Promise<unknown>): Promise<Awaited<ReturnType<typeof verifyAudit>>> {
  try {
    await db.tx(async () => {
      await tamper(db)
      throw new RollBack(await verifyAudit(ctxOf(db)))
    })
  } catch (error) {
    if (error instanceof RollBack) return error.result
    throw error
  }
  throw new Error('unreachable: the tampering transaction always rolls back')
}

function expectBrokenAt(result: Awaited<ReturnType<typeof verifyAudit>>, seq: number, what: string): void {
  expect(result.ok, what).toBe(false)
  expect(result.firstBroken?.seq, `${what}: ${result.firstBroken?.reason ?? 'no reason'}`).toBe(seq)
  expect(result.firstBroken?.reason.length, what).toBeGreaterThan(0)
  expect(result.rowsChecked, what).toBe(seq - 1)
}

/** A value for `column` that differs from the row's. */
function otherValue(row: AuditDbRow, column: (typeof CONTENT_COLUMNS)[number]): string {
  switch (column) {
    case 'at':
      return '2099-12-31T23:59:59.000Z'
    case 'actor':
      return row.actor === 'mallory' ? 'eve' : 'mallory'
    case 'action':
      return `${row.action}.tampered`
    case 'subject':
      return `${row.subject}-tampered`
    case 'change':
      // Even an equivalent JSON with different spacing is a different stored change.
      return row.change === '{"tampered":true}' ? '{"tampered":false}' : '{"tampered":true}'
    case 'prev_hash':
    case 'hash':
      return (row[column].startsWith('f') ? 'e' : 'f').repeat(64)
    case 'rows_digest':
      return row.rows_digest === null ? `1:0:${'d'.repeat(64)}` : row.rows_digest.replace(/.$/, (c) => (c === '0' ? '1' : '0'))
  }
}

describe('verifyAudit on a real chain', () => {
  it('has a long enough chain of real operations, and an untouched copy verifies', async () => {
    expect(rows.length).toBeGreaterThanOrEqual(AUDIT_ROWS_MIN)
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1))
    expect(new Set(rows.map((r) => r.action))).toEqual(
      new Set([
        'assets.seed',
        'operators.change.request',
        'operators.add',
        'operators.activate',
        'assets.add',
        'ledger.accounts.add',
        'ledger.entries.post',
      ]),
    )
    const result = await verifyTampered(async () => undefined)
    expect(result).toEqual({
      ok: true,
      rowsChecked: rows.length,
      headSeq: rows.length,
      headHash: rows.at(-1)!.hash,
      firstBroken: null,
      // Three entries of two postings each, checked against their seals; four accounts recomputed.
      booksChecked: { rows: 9, accounts: 4 },
    })
  })

  it('catches every single-column edit of every row at exactly that row', async () => {
    for (const row of rows) {
      for (const column of CONTENT_COLUMNS) {
        const value = otherValue(row, column)
        expect(value).not.toBe(row[column])
        const result = await verifyTampered((d) => sqlRun(d, `UPDATE audit_log SET "${column}" = ? WHERE seq = ?`, value, row.seq))
        expectBrokenAt(result, row.seq, `edit ${column} of row ${row.seq}`)
      }
      // seq itself: the row moves beyond the end, leaving a gap where it was.
      const moved = await verifyTampered((d) => sqlRun(d, 'UPDATE audit_log SET seq = seq + 1000 WHERE seq = ?', row.seq))
      expectBrokenAt(moved, row.seq, `edit seq of row ${row.seq}`)
    }
  })

  it('catches the deletion of every row at exactly that row (the last one through the head in meta)', async () => {
    for (const row of rows) {
      const result = await verifyTampered((d) => sqlRun(d, 'DELETE FROM audit_log WHERE seq = ?', row.seq))
      expectBrokenAt(result, row.seq, `delete row ${row.seq}`)
    }
    const last = rows.at(-1)!
    const result = await verifyTampered((d) => sqlRun(d, 'DELETE FROM audit_log WHERE seq = ?', last.seq))
    expect(result.firstBroken?.reason).toMatch(/missing/)
  })

  it('catches every swap of two rows (all content columns) at the lower row', async () => {
    const swapSql = `UPDATE audit_log SET ${CONTENT_COLUMNS.map((c) => `"${c}" = ?`).join(', ')} WHERE seq = ?`
    for (const a of rows) {
      for (const b of rows) {
        if (b.seq <= a.seq) continue
        const result = await verifyTampered(async (d) => {
          await sqlRun(d, swapSql, ...CONTENT_COLUMNS.map((c) => b[c]), a.seq)
          await sqlRun(d, swapSql, ...CONTENT_COLUMNS.map((c) => a[c]), b.seq)
        })
        expectBrokenAt(result, a.seq, `swap rows ${a.seq} and ${b.seq}`)
      }
    }
  })

  it('catches a head in meta that does not match the last row', async () => {
    const last = rows.at(-1)!
    const result = await verifyTampered((d) =>
      sqlRun(d, 'UPDATE meta SET value = ? WHERE key = ?', `${last.seq}:${'a'.repeat(64)}`, AUDIT_HEAD_KEY),
    )
    expect(result.ok).toBe(false)
    expect(result.rowsChecked).toBe(rows.length)
  })
})
