/**
 * `countersign recon pull` in a real workspace, with every network out of reach: Stripe is
 * configured (https://api.stripe.com, no key) and the balance transactions the sync would have
 * kept are in its table, so the pull stores them — a gross line and a fee line — as a statement
 * the other recon commands list; a second pull stores nothing; a rail that is not configured is a
 * problem (exit code 1) and an approver may not pull. The --json shape is the README's.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { RailPullResult } from '../../src/shared/reconPullApi'
import { StatementLine, StatementSummary } from '../../src/shared/reconApi'
import { openDb } from '../../src/main/core/db/openDb'
import { sqlRun } from '../dbSql'
import { initPayoutDesk, json, runCli, tempDir, type CliResult } from '../cli/cliHarness'

const ALICE = ['--as', 'Alice Preparer']
const DANA = ['--as', 'Dana Admin']
const Pulled = z.object({ pulls: z.array(RailPullResult) }).strict()

let root: string
let dir: string

async function cli(...args: string[]): Promise<CliResult> {
  return await runCli(['--data-dir', dir, ...args])
}
async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

beforeAll(async () => {
  root = tempDir('countersign-recon-pull-cli-')
  dir = path.join(root, 'books')
  await initPayoutDesk(dir)
  const rails = path.join(root, 'rails.json')
  fs.writeFileSync(rails, JSON.stringify({ stripe: { apiUrl: 'https://api.stripe.com' } }))
  await ok('settings', 'rails', 'set', rails, ...DANA)
  await ok(
    'ledger',
    'accounts',
    'add',
    ...DANA,
    '--id',
    'treasury-usd',
    '--name',
    'Stripe USD',
    '--kind',
    'treasury',
    '--asset',
    'USD@stripe',
    '--address',
    'stripe:platform',
  )
  const db = await openDb({ dataDir: dir })
  try {
    const insert =
      'INSERT INTO stripe_balance_txns (id, type, currency, amount, fee, net, source, created, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'
    await sqlRun(
      db,
      insert,
      'txn_CliCharge000001',
      'charge',
      'usd',
      '2500',
      '103',
      '2397',
      'ch_CliCharge000001',
      1_764_547_200,
      '2026-12-01T00:00:00Z',
    )
    await sqlRun(
      db,
      insert,
      'txn_CliPayout000002',
      'payout',
      'usd',
      '-2000',
      '0',
      '-2000',
      'po_CliPayout000002',
      1_764_633_600,
      '2026-12-02T00:00:00Z',
    )
  } finally {
    await db.close()
  }
}, 120_000)

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('recon pull through the CLI', () => {
  it('stores the Stripe records offline as a statement, once', async () => {
    const refused = await cli('recon', 'pull', '--as', 'Bob Approver')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/ROLE_REQUIRED/)

    const first = Pulled.parse(json(await ok('recon', 'pull', ...ALICE, '--json')))
    expect(first.pulls).toEqual([
      { rail: 'stripe', network: 'stripe', records: 2, lines: 3, fileId: expect.stringMatching(/^stf_/), problem: null },
    ])

    const statements = z.object({ statements: z.array(StatementSummary) }).parse(json(await ok('recon', 'statements', '--json')))
    expect(statements.statements).toMatchObject([
      {
        fileId: first.pulls[0]!.fileId,
        format: 'stripe',
        accountId: 'STRIPE:PLATFORM:USD',
        credits: '25.00',
        debits: '-21.03',
        lines: 3,
        opening: null,
        closing: null,
      },
    ])
    const lines = z
      .object({ lines: z.array(StatementLine), total: z.number() })
      .parse(json(await ok('recon', 'lines', statements.statements[0]!.id, '--json')))
    expect(lines.lines.map((l) => [l.amount, l.bankRef, l.customerRef])).toEqual([
      ['25.00', 'txn_CliCharge000001', 'ch_CliCharge000001'],
      ['-1.03', 'txn_CliCharge000001:fee', null],
      ['-20.00', 'txn_CliPayout000002', 'po_CliPayout000002'],
    ])
    const accounts = json(await ok('recon', 'accounts', '--json')) as { accounts: { id: string; ledgerAccountId: string | null }[] }
    expect(accounts.accounts).toMatchObject([{ id: 'STRIPE:PLATFORM:USD', ledgerAccountId: 'treasury-usd' }])

    const again = await ok('recon', 'pull', ...ALICE)
    expect(again.stdout).toMatch(/Stripe\s+0\s+0\s+nothing new/)
  }, 60_000)

  it('a rail that is not configured is a problem: exit code 1, the rest still answered', async () => {
    const r = await cli('recon', 'pull', '--rail', 'evm', ...ALICE, '--json')
    expect(r.code).toBe(1)
    expect(Pulled.parse(json(r)).pulls).toEqual([
      {
        rail: 'evm',
        network: '',
        records: 0,
        lines: 0,
        fileId: null,
        problem: { code: 'RAIL_NOT_CONFIGURED', message: expect.stringMatching(/not configured/) },
      },
    ])
    const wrong = await cli('recon', 'pull', '--rail', 'bitcoin', ...ALICE)
    expect(wrong.code).not.toBe(0)
  }, 60_000)
})
