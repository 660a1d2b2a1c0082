/**
 * The matching commands as a script uses them (real CLI processes on a real SQLite workspace):
 * run, rules, list, reject, exceptions, exception (assign, note, accept), match by hand — each
 * with --json, and the refusals with their codes.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { initPayoutDesk, json, runCli, tempDir, type CliResult } from '../cli/cliHarness'
import { camtText, CAMT_TEST_IBAN } from './camtText'

let root: string
let dir: string
const ACCOUNT = `${CAMT_TEST_IBAN}:EUR`

async function cli(...args: string[]): Promise<CliResult> {
  return await runCli(['--data-dir', dir, ...args])
}
async function ok(...args: string[]): Promise<unknown> {
  const r = await cli(...args)
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return args.includes('--json') ? json(r) : r.stdout
}

interface Match {
  id: string
  kind: string
  state: string
  summary: string
  statement: { id: string }[]
}
interface Exception {
  id: string
  reason: string
  side: string
  assignee: string | null
  notes: { text: string }[]
  item: { id: string; amount: string; ageDays: number | null }
  state: string
}

beforeAll(async () => {
  root = tempDir('countersign-recon-match-cli-')
  dir = path.join(root, 'ws')
  await initPayoutDesk(dir)
  const dana = ['--as', 'Dana Admin']
  await ok('ledger', 'accounts', 'add', ...dana, '--id', 'bank-eur', '--name', 'Bank EUR', '--kind', 'treasury', '--asset', 'EUR@stripe')
  await ok('ledger', 'accounts', 'add', ...dana, '--id', 'world-eur', '--name', 'World EUR', '--kind', 'external', '--asset', 'EUR@stripe')
  const entries = [
    ['in-1', '2026-11-02', 'bank-eur', 'world-eur', '1000.00', { reference: 'INV-2026-0001' }],
    ['pay-2', '2026-11-04', 'world-eur', 'bank-eur', '99.95', {}],
    ['pay-7', '2026-11-12', 'world-eur', 'bank-eur', '10.00', {}],
    ['pay-8', '2026-11-12', 'world-eur', 'bank-eur', '10.00', {}],
  ] as const
  const file = path.join(root, 'entries.json')
  fs.writeFileSync(
    file,
    JSON.stringify(
      entries.map(([id, date, debit, credit, amount, metadata]) => ({
        id,
        date,
        description: `Test ${id}`,
        metadata,
        postings: [
          { account: debit, debit: amount },
          { account: credit, credit: amount },
        ],
      })),
    ),
  )
  await ok('ledger', 'post', ...dana, file)
  const statement = path.join(root, 'nov.xml')
  fs.writeFileSync(
    statement,
    camtText({
      id: 'CLI-1',
      seq: 1,
      opening: '0.00',
      closing: '895.05',
      lines: [
        { amount: '1000.00', dir: 'CRDT', e2e: 'INV-2026-0001', date: '2026-11-02' },
        { amount: '99.95', dir: 'DBIT', date: '2026-11-04', text: 'Supplier' },
        { amount: '10.00', dir: 'DBIT', date: '2026-11-12', text: 'Small payout' },
        { amount: '5.00', dir: 'CRDT', date: '2026-11-13', text: 'Unknown' },
      ],
    }),
  )
  await ok('recon', 'import', statement, '--ledger-account', 'bank-eur', '--as', 'Alice Preparer', '--json')
}, 120_000)

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('countersign recon (matching)', () => {
  it('runs, lists, rejects, works the queue and matches by hand', async () => {
    const rules = (await ok('recon', 'rules', '--json')) as { rules: { id: string }[] }
    expect(rules.rules.map((r) => r.id)).toEqual(['same-amount', 'near-amount', 'bank-charges'])

    const dry = (await ok('recon', 'run', '--dry-run', '--as', 'Alice Preparer', '--json')) as { runId: null; matches: Match[] }
    expect(dry.runId).toBeNull()
    const run = (await ok('recon', 'run', '--as', 'Alice Preparer', '--json')) as {
      runId: string
      matches: Match[]
      stats: { exceptions: Record<string, number> }
    }
    expect(run.matches.map((m) => [m.kind, m.state]).sort()).toEqual([
      ['1:1', 'suggested'],
      ['key', 'confirmed'],
    ])
    expect(run.stats.exceptions).toEqual({ ambiguous: 1, unmatched: 3 })
    const text = (await ok('recon', 'list', '--state', 'suggested')) as string
    expect(text).toContain('Same amount')

    const suggested = ((await ok('recon', 'list', '--state', 'suggested', '--json')) as { matches: Match[] }).matches
    expect(suggested).toHaveLength(1)
    await ok('recon', 'reject', suggested[0]!.id, '--reason', 'not this supplier', '--as', 'Alice Preparer', '--json')
    const again = (await ok('recon', 'run', '--as', 'Alice Preparer', '--json')) as { stats: { rejectedBefore: number }; matches: Match[] }
    expect(again).toMatchObject({ stats: { rejectedBefore: 1 }, matches: [] })

    const queue = ((await ok('recon', 'exceptions', '--json')) as { exceptions: Exception[] }).exceptions
    const ambiguous = queue.find((e) => e.reason === 'ambiguous')!
    expect(ambiguous.item.amount).toBe('-10.00')
    const assigned = (await ok(
      'recon',
      'exception',
      ambiguous.id,
      '--assign',
      'Alice Preparer',
      '--note',
      'Which of the two?',
      '--as',
      'Alice Preparer',
      '--json',
    )) as Exception
    expect(assigned).toMatchObject({ assignee: 'Alice Preparer', notes: [{ text: 'Which of the two?' }], state: 'open' })
    expect((await ok('recon', 'exceptions', '--assignee', 'Alice Preparer', '--json')) as { total: number }).toMatchObject({ total: 1 })

    // A hand match that does not add up is refused with its code; one that does is confirmed.
    const refused = await cli(
      'recon',
      'match',
      '--statement',
      ambiguous.item.id,
      '--ledger',
      'pay-2/1',
      '--note',
      'wrong',
      '--as',
      'Alice Preparer',
    )
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toContain('RECON_MATCH_UNBALANCED')
    const hand = (await ok(
      'recon',
      'match',
      '--statement',
      ambiguous.item.id,
      '--ledger',
      'pay-7/1',
      '--note',
      'The bank reference names pay-7',
      '--as',
      'Alice Preparer',
      '--json',
    )) as Match
    expect(hand).toMatchObject({ kind: 'manual', state: 'confirmed', summary: 'The bank reference names pay-7' })
    const taken = await cli(
      'recon',
      'match',
      '--statement',
      ambiguous.item.id,
      '--ledger',
      'pay-8/1',
      '--note',
      'again',
      '--as',
      'Alice Preparer',
    )
    expect(taken.stderr).toContain('RECON_ITEM_TAKEN')

    const unknown = queue.find((e) => e.item.amount === '5.00')!
    const accepted = (await ok(
      'recon',
      'exception',
      unknown.id,
      '--resolve',
      'accept',
      '--note',
      'Interest, booked next month',
      '--as',
      'Alice Preparer',
      '--json',
    )) as Exception
    expect(accepted.state).toBe('resolved')
    const open = ((await ok('recon', 'exceptions', '--json')) as { exceptions: Exception[] }).exceptions
    expect(open.map((e) => `${e.side}:${e.item.amount}`).sort()).toEqual(['ledger:-10.00', 'ledger:-99.95', 'statement:-99.95'])
    // Only approvers close; the human output says what was locked.
    expect((await cli('recon', 'close', ACCOUNT, '--period', '2026-11', '--as', 'Alice Preparer')).stderr).toContain('ROLE_REQUIRED')
    expect(await ok('recon', 'close', ACCOUNT, '--period', '2026-11', '--as', 'Bob Approver')).toContain('Closed 2026-11')
  }, 120_000)
})
