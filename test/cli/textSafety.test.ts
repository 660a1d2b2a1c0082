/**
 * Text is safe everywhere (issue 13, item 10), through the real CLI on a real workspace:
 * - a batch name carrying a terminal escape sequence is refused by the contract and by the CLI,
 *   and nothing is stored;
 * - an operator named "Bоb Approver" (Cyrillic о) beside "Bob Approver" is refused
 *   (OPERATOR_NAME_CONFUSABLE), through the contract and through the CLI;
 * - whatever the database holds (escapes, carriage returns, bidi overrides, zero-width and C1
 *   characters written straight into it with SQL, bypassing the contract), nothing the CLI
 *   prints — tables, sentences, errors, --json — carries a raw one: each is escaped as \uXXXX,
 *   and --json still reads back the stored value exactly.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calls } from '../../src/shared/api'
import { hasErrorCode } from '../../src/shared/errors'
import { createCore } from '../../src/main/core/core'
import { openDb } from '../../src/main/core/db/openDb'
import { demoPassphrase } from '../../src/main/sandbox/sandboxPlan'
import { sqlRun } from '../dbSql'
import { addOperatorCli, json, runCli, tempDir, type CliResult } from './cliHarness'

/** What rewrote the approver's terminal line in the attack report, plus bidi, zero-width, C1 and a line separator. */
const HOSTILE = 'Payroll\u001b]0;pwned\u0007\u001b[2K\rAPPROVED by Bob \u202Etxe.exe\u2066 zero\u200Bwidth \u0085\u009B2J \u2028end'
/**
 * Written out by hand, not taken from the code under test: every character a terminal acts on, or
 * that hides or reorders text — C0 but LF and TAB, DEL, C1, Arabic letter mark, zero-width and
 * direction marks, line/paragraph separators, embeddings and overrides, word joiner, isolates, BOM.
 */
const RAW_UNSAFE_RE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/
const ASSET = 'USDC@evm:8453'
const RECIPIENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const ADMIN = ['--as', 'Dana Admin']
const PREPARER = ['--as', 'Alice Preparer']

let root: string
let dir: string
const printed: CliResult[] = []

async function cli(...args: string[]): Promise<CliResult> {
  const r = await runCli(['--data-dir', dir, ...args])
  printed.push(r)
  return r
}
async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}
function expectClean(r: CliResult): void {
  expect(r.stdout).not.toMatch(RAW_UNSAFE_RE)
  expect(r.stderr).not.toMatch(RAW_UNSAFE_RE)
}
function payoutsFile(name: string, rows: string[]): string {
  const file = path.join(root, name)
  fs.writeFileSync(file, ['id,rail,network,asset,recipient,amount,reference,name', ...rows].join('\n') + '\n')
  return file
}

beforeAll(async () => {
  root = tempDir('countersign-text-')
  dir = path.join(root, 'books')
  await ok('init', '--admin', 'Dana Admin')
  await addOperatorCli(dir, 'Dana Admin', 'Alice Preparer', ['preparer'])
  await addOperatorCli(dir, 'Dana Admin', 'Bob Approver', ['approver'])
}, 60_000)

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('a batch name with an escape sequence', () => {
  it('is refused by the contract, with the position and the character named', () => {
    const expected = 'position 8: an escape character (U+001B) — remove it'
    for (const parsed of [
      calls['batches.create'].input.safeParse({ name: HOSTILE }),
      calls['payouts.import'].input.safeParse({ csv: 'id\n', batchName: HOSTILE }),
    ]) {
      expect(parsed.success).toBe(false)
      expect(parsed.error?.issues.map((i) => i.message)).toEqual([expected])
    }
    expect(calls['batches.create'].input.parse({ name: '  Payroll März  ' })).toEqual({ name: 'Payroll März' })
  })

  it('is refused by the CLI: INVALID_INPUT naming the escape, nothing stored, nothing raw printed', async () => {
    const file = payoutsFile('march.csv', [`p-1,evm,8453,USDC,${RECIPIENT},10.00,INV-1,Acme`])
    const r = await cli('payouts', 'import', file, '--name', HOSTILE, ...PREPARER)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error INVALID_INPUT: .*batchName: position 8: an escape character \(U\+001B\) — remove it/m)
    expectClean(r)
    expect(json(await ok('batches', 'list', '--json'))).toMatchObject({ batches: [] })
  })

  it('in a CSV cell is a row problem, with the same words', async () => {
    const file = payoutsFile('cells.csv', [`p-2,evm,8453,USDC,${RECIPIENT},10.00,INV\u202E-2,Acme`])
    const r = await cli('payouts', 'import', file, ...PREPARER, '--json')
    expect(r.code).toBe(1) // an import with problems fails, and says which
    const result = calls['payouts.import'].output.parse(json(r))
    expect(result.batchId).toBeNull()
    expect(result.issues.map((i) => [i.row, i.column, i.code, i.problem])).toEqual([
      [2, 'reference', 'TEXT_INVALID', 'position 4: a right-to-left override (U+202E) — remove it and retype it as plain text.'],
    ])
    expectClean(r)
  })
})

describe('an operator named with a Cyrillic look-alike', () => {
  const LOOKALIKE = 'B\u043Eb Approver' // "Bоb Approver": the о is Cyrillic

  it('is refused by the CLI with OPERATOR_NAME_CONFUSABLE naming the existing operator', async () => {
    expect(LOOKALIKE).not.toBe('Bob Approver')
    const r = await cli('operators', 'add', ...ADMIN, '--name', LOOKALIKE, '--role', 'approver')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^error OPERATOR_NAME_CONFUSABLE: "Bоb Approver" looks like the operator "Bob Approver"/m)
    expectClean(r)
    const names = (json(await ok('operators', 'list', '--json')) as { name: string }[]).map((o) => o.name)
    expect(names.sort()).toEqual(['Alice Preparer', 'Bob Approver', 'Dana Admin'])
  })

  it('is refused through the contract as well, and a zero-width trick never reaches the check', async () => {
    const core = await createCore({ dataDir: dir, resumeOnStart: false, pollIntervalMs: 3_600_000 })
    try {
      await core.api.call('operators.unlock', { operatorId: 'dana-admin', passphrase: demoPassphrase('Dana Admin') })
      const meta = { operatorId: 'dana-admin' }
      const confusable = await core.api.call('operators.add', { name: LOOKALIKE, roles: ['approver'] }, meta).then(
        () => null,
        (error: unknown) => error,
      )
      expect(hasErrorCode(confusable, 'OPERATOR_NAME_CONFUSABLE')).toBe(true)
      expect((confusable as Error).message).toContain('"Bob Approver"')
      const zeroWidth = await core.api.call('operators.add', { name: 'Bob\u200B Approver', roles: ['approver'] }, meta).then(
        () => null,
        (error: unknown) => error,
      )
      expect(hasErrorCode(zeroWidth, 'INVALID_INPUT')).toBe(true)
      expect((zeroWidth as Error).message).toContain('name: position 4: a zero-width space (U+200B) — remove it')
      expect((await core.api.call('operators.list', {})).map((o) => o.name).sort()).toEqual([
        'Alice Preparer',
        'Bob Approver',
        'Dana Admin',
      ])
    } finally {
      await core.close()
    }
  })
})

describe('CLI output with hostile text stored straight into the database', () => {
  let batchId: string

  beforeAll(async () => {
    const file = payoutsFile('april.csv', [`p-10,evm,8453,USDC,${RECIPIENT},12.50,INV-10,Acme`])
    batchId = (json(await ok('payouts', 'import', file, '--name', 'April', ...PREPARER, '--json')) as { batchId: string }).batchId
    await ok('ledger', 'accounts', 'add', ...ADMIN, '--id', 'treasury-usdc', '--name', 'Treasury', '--kind', 'treasury', '--asset', ASSET)
    await ok('ledger', 'accounts', 'add', ...ADMIN, '--id', 'opening-usdc', '--name', 'Opening', '--kind', 'external', '--asset', ASSET)
    const entries = path.join(root, 'opening.json')
    const postings = [
      { account: 'treasury-usdc', debit: '100.00' },
      { account: 'opening-usdc', credit: '100.00' },
    ]
    fs.writeFileSync(entries, JSON.stringify({ entries: [{ id: 'opening-1', description: 'Opening', postings }] }))
    await ok('ledger', 'post', entries, ...ADMIN)
    // Bypass the contract: what an old version, a restore or a hand edit could have left.
    const db = await openDb({ dataDir: dir })
    try {
      expect((await sqlRun(db, 'UPDATE batches SET name = ? WHERE id = ?', HOSTILE, batchId)).changes).toBe(1)
      expect((await sqlRun(db, 'UPDATE payouts SET name = ?, reference = ? WHERE id = ?', HOSTILE, HOSTILE, 'p-10')).changes).toBe(1)
      expect((await sqlRun(db, 'UPDATE operators SET name = ? WHERE id = ?', HOSTILE, 'bob-approver')).changes).toBe(1)
      expect((await sqlRun(db, 'UPDATE accounts SET name = ? WHERE id = ?', HOSTILE, 'treasury-usdc')).changes).toBe(1)
      expect((await sqlRun(db, 'UPDATE entries SET description = ? WHERE id = ?', HOSTILE, 'opening-1')).changes).toBe(1)
    } finally {
      await db.close()
    }
  }, 60_000)

  it('tables and sentences show it escaped, never raw', async () => {
    const shown = await ok('batches', 'show', batchId)
    expectClean(shown)
    expect(shown.stdout).toContain('— Payroll\\u001b]0;pwned\\u0007\\u001b[2K\\u000dAPPROVED by Bob \\u202etxe.exe\\u2066 zero\\u200bwidth')
    // The forged "APPROVED by Bob" never starts a line of its own.
    expect(shown.stdout.split('\n').some((line) => line.startsWith('APPROVED'))).toBe(false)
    for (const args of [
      ['batches', 'list'],
      ['operators', 'list'],
      ['ledger', 'accounts'],
      ['ledger', 'balances'],
      ['ledger', 'entries'],
      ['audit', 'list'],
    ]) {
      const r = await ok(...args)
      expectClean(r)
      if (args[0] !== 'audit') expect(r.stdout, args.join(' ')).toContain('Payroll\\u001b]0;')
    }
  })

  it('--json escapes them too and still reads back exactly what is stored', async () => {
    const shown = await ok('batches', 'show', batchId, '--json')
    expectClean(shown)
    const detail = calls['batches.get'].output.parse(json(shown))
    expect(detail.batch.name).toBe(HOSTILE)
    expect(detail.payouts[0]).toMatchObject({ name: HOSTILE, reference: HOSTILE })
    const operators = await ok('operators', 'list', '--json')
    expectClean(operators)
    expect(calls['operators.list'].output.parse(json(operators)).map((o) => o.name)).toContain(HOSTILE)
    const entries = await ok('ledger', 'entries', '--json')
    expectClean(entries)
    expect(JSON.stringify(json(entries))).toContain(JSON.stringify(HOSTILE).slice(1, -1))
  })

  it('errors that quote stored or typed text are escaped as well', async () => {
    const notFound = await cli('operators', 'list', '--as', HOSTILE)
    expectClean(notFound)
    const refused = await cli('batches', 'approve', batchId, '--batch-version', '1', '--as', 'bob-approver')
    expect(refused.code).toBe(1)
    expectClean(refused)
  })

  it('no run of this file printed a raw control, bidi or zero-width character', () => {
    expect(printed.length).toBeGreaterThan(15)
    for (const r of printed) expectClean(r)
  })
})
