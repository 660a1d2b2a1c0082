/**
 * The CLI in-process through main(): a workspace round trip, --json outputs checked against the
 * contract's own zod schemas, exactness of huge amounts, and every failure a person can meet
 * (code, sentence, exit code).
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calls, ErrorPayloadSchema } from '../../src/shared/api'
import { openDb } from '../../src/main/core/db/openDb'
import { sqlRun } from '../dbSql'
import { addOperatorCli, json, runCli, tempDir, type CliResult } from './cliHarness'

const ASSET = 'USDC@evm:8453'
/** 10^30 minor units of a 6-decimal asset. */
const HUGE = '1000000000000000000000000.000000'
const HUGE_GROUPED = '1,000,000,000,000,000,000,000,000.000000'

const ErrorOutput = z.object({ error: ErrorPayloadSchema }).strict()

let root: string
let dir: string
const as = ['--as', 'Dana Admin']

function cli(...args: string[]): Promise<CliResult> {
  return runCli(['--data-dir', dir, ...args])
}

function writeJson(name: string, value: unknown): string {
  const file = path.join(root, name)
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2))
  return file
}

function entry(id: string, debit: string, credit: string, amount: string) {
  return {
    id,
    date: '2026-01-02',
    description: `test ${id}`,
    postings: [
      { account: debit, debit: amount },
      { account: credit, credit: amount },
    ],
  }
}

function expectFailure(result: CliResult, code: string, exit = 1): void {
  expect(result.code, result.stderr).toBe(exit)
  expect(result.stderr).toMatch(new RegExp(`^error ${code}: \\S`, 'm'))
  expect(result.stderr).not.toMatch(/\n\s+at /) // never a stack
}

beforeAll(async () => {
  root = tempDir()
  dir = path.join(root, 'books')
  const init = await cli('init', '--admin', 'Dana Admin')
  expect(init.code, init.stderr).toBe(0)
  expect(init.stdout).toContain(`Workspace created: ${dir}`)
  expect(init.stdout).toContain('Admin operator "Dana Admin" created (id dana-admin)')
  // Invited by Dana, then Alice sets her own passphrase with the one-time code.
  await addOperatorCli(dir, 'Dana Admin', 'Alice Preparer', ['preparer'])
  for (const args of [
    ['ledger', 'accounts', 'add', ...as, '--id', 'treasury-usdc', '--name', 'Treasury USDC', '--kind', 'treasury', '--asset', ASSET],
    ['ledger', 'accounts', 'add', ...as, '--id', 'opening-usdc', '--name', 'Opening USDC', '--kind', 'external', '--asset', ASSET],
    [
      'ledger',
      'accounts',
      'add',
      ...as,
      '--id',
      'payee-acme',
      '--name',
      'Acme',
      '--kind',
      'payee',
      '--asset',
      ASSET,
      '--address',
      '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    ],
  ]) {
    const r = await cli(...args)
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  }
})

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('round trip', () => {
  it('init is idempotent and --json prints app.info and the admin', async () => {
    const r = await cli('init', '--admin', 'Dana Admin', '--json')
    expect(r.code, r.stderr).toBe(0)
    const out = z
      .object({
        info: calls['app.info'].output,
        admin: calls['operators.list'].output.element.nullable(),
        inviteCode: z.string().nullable(),
      })
      .strict()
      .parse(json(r))
    expect(out.info.dataDir).toBe(dir)
    expect(out.info.sandbox).toBe(false)
    expect(out.admin?.name).toBe('Dana Admin')
    // The admin set their passphrase at init: an approval key exists and no invite is pending.
    expect(out.admin?.passphraseSet).toBe(true)
    expect(out.admin?.approvalKey?.fingerprint).toMatch(/^ed25519:/)
    expect(out.inviteCode).toBeNull()
    expect((await cli('init')).stdout).toContain('Workspace ready (already existed)')
  })

  it('lists operators, assets and accounts as the contract says', async () => {
    const ops = calls['operators.list'].output.parse(json(await cli('operators', 'list', '--json')))
    expect(ops.map((o) => [o.name, o.roles])).toEqual([
      ['Alice Preparer', ['preparer']],
      ['Dana Admin', ['admin']],
    ])
    const assets = calls['assets.list'].output.parse(json(await cli('assets', '--json')))
    expect(assets.find((a) => a.id === ASSET)?.scale).toBe(6)
    const accounts = calls['ledger.accounts.list'].output.parse(json(await cli('ledger', 'accounts', '--kind', 'payee', '--json')))
    expect(accounts).toEqual([
      expect.objectContaining({ id: 'payee-acme', kind: 'payee', assetId: ASSET, address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }),
    ])
    const human = await cli('ledger', 'accounts')
    expect(human.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+KIND\s+ASSET/)
    expect(human.stdout).toContain('treasury-usdc')
  })

  it('posts 10^30 minor units from a file and reads them back exactly, in JSON and in the table', async () => {
    const file = writeJson('huge.json', { entries: [entry('opening-huge', 'treasury-usdc', 'opening-usdc', HUGE)] })
    const posted = await cli('ledger', 'post', file, ...as, '--json')
    expect(posted.code, posted.stderr).toBe(0)
    expect(calls['ledger.entries.post'].output.parse(json(posted))).toEqual({ posted: ['opening-huge'], replayed: [] })

    const balances = calls['ledger.balances'].output.parse(json(await cli('ledger', 'balances', '--asset', ASSET, '--json')))
    const treasury = balances.find((b) => b.accountId === 'treasury-usdc')!
    expect(treasury.balance).toBe(HUGE)
    expect(treasury.available).toBe(HUGE)
    expect(treasury.debitsPosted).toBe(HUGE)
    expect(balances.find((b) => b.accountId === 'opening-usdc')!.balance).toBe(HUGE)

    const table = await cli('ledger', 'balances', '--kind', 'treasury')
    expect(table.code).toBe(0)
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ACCOUNT\s+KIND\s+ASSET\s+BALANCE\s+AVAILABLE\s+NAME$/)
    const row = lines.find((l) => l.startsWith('treasury-usdc'))!
    expect(row).toContain(`${HUGE_GROUPED}  ${HUGE_GROUPED}`)
    // Right-aligned: the amount ends exactly where the BALANCE header ends.
    expect(row.indexOf(HUGE_GROUPED) + HUGE_GROUPED.length).toBe(lines[0]!.indexOf('BALANCE') + 'BALANCE'.length)
    expect(table.stdout).not.toMatch(/\u001b\[/) // no escape codes when not a TTY
  })

  it('replays an entry posted again with the same content, from stdin too', async () => {
    const again = await runCli(['--data-dir', dir, 'ledger', 'post', '-', ...as], {
      stdin: JSON.stringify(entry('opening-huge', 'treasury-usdc', 'opening-usdc', HUGE)),
    })
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toContain('stdin: 0 posted, 1 replayed')
    expect(again.stdout).toMatch(/replayed\s+opening-huge/)
    const treasury = calls['ledger.balances'].output.parse(json(await cli('ledger', 'balances', '--kind', 'treasury', '--json')))[0]!
    expect(treasury.balance).toBe(HUGE)
  })

  it('takes the operator from COUNTERSIGN_OPERATOR and posts an array of entries', async () => {
    const file = writeJson('pay.json', [
      entry('pay-1', 'payee-acme', 'treasury-usdc', '1234.500000'),
      entry('pay-2', 'payee-acme', 'treasury-usdc', '0.000001'),
    ])
    const r = await runCli(['--data-dir', dir, 'ledger', 'post', file], { env: { COUNTERSIGN_OPERATOR: 'dana-admin' } })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/posted\s+pay-1\n\s+posted\s+pay-2/)
    const acme = calls['ledger.balances'].output.parse(json(await cli('ledger', 'balances', '--kind', 'payee', '--json')))[0]!
    expect(acme.balance).toBe('1234.500001')
  })

  it('lists entries and audit rows matching the contract', async () => {
    const page = calls['ledger.entries.list'].output.parse(
      json(await cli('ledger', 'entries', '--account', 'payee-acme', '--limit', '1', '--json')),
    )
    expect(page.entries.map((e) => e.id)).toEqual(['pay-2'])
    expect(page.nextBeforeSeq).not.toBeNull()
    const human = await cli('ledger', 'entries')
    expect(human.stdout).toContain(HUGE_GROUPED)
    expect(human.stdout).toMatch(/opening-huge\s+treasury-usdc\s+1,000,000/)

    const audit = calls['audit.list'].output.parse(json(await cli('audit', 'list', '--subject', 'account:payee-acme', '--json')))
    expect(audit.rows).toEqual([
      expect.objectContaining({ actor: 'dana-admin', action: 'ledger.accounts.add', subject: 'account:payee-acme' }),
    ])
    const verify = await cli('audit', 'verify', '--json')
    expect(verify.code).toBe(0)
    expect(calls['audit.verify'].output.parse(json(verify))).toMatchObject({ ok: true, firstBroken: null })
  })
})

describe('failures', () => {
  async function treasuryBalance(): Promise<string> {
    return calls['ledger.balances'].output.parse(json(await cli('ledger', 'balances', '--kind', 'treasury', '--json')))[0]!.balance
  }

  it('refuses an over-precise amount with AMOUNT_PRECISION and changes nothing', async () => {
    const before = await treasuryBalance()
    const file = writeJson('precise.json', [entry('too-precise', 'treasury-usdc', 'opening-usdc', '1.0000001')])
    const r = await cli('ledger', 'post', file, ...as)
    expectFailure(r, 'AMOUNT_PRECISION')
    expect(r.stderr).toContain('1.0000001 has more than 6 decimals for USDC')
    expect(r.stdout).toBe('')
    const j = await cli('ledger', 'post', file, ...as, '--json')
    expect(j.code).toBe(1)
    expect(ErrorOutput.parse(json(j)).error.code).toBe('AMOUNT_PRECISION')
    expect(await treasuryBalance()).toBe(before)
  })

  it('needs an operator for a mutation: OPERATOR_REQUIRED', async () => {
    const file = writeJson('noone.json', [entry('no-operator', 'treasury-usdc', 'opening-usdc', '1')])
    const r = await cli('ledger', 'post', file)
    expectFailure(r, 'OPERATOR_REQUIRED')
    expect(r.stderr).toContain('--as')
    expectFailure(await cli('operators', 'add', '--name', 'Eve', '--role', 'admin'), 'OPERATOR_REQUIRED')
    expectFailure(await cli('ledger', 'post', file, '--as', 'Nobody'), 'OPERATOR_NOT_FOUND')
  })

  it('needs the admin role to post: ROLE_REQUIRED', async () => {
    const file = writeJson('alice.json', [entry('by-alice', 'treasury-usdc', 'opening-usdc', '1')])
    const r = await cli('ledger', 'post', file, '--as', 'Alice Preparer')
    expectFailure(r, 'ROLE_REQUIRED')
    expect(r.stderr).toContain('Alice Preparer cannot post manual journal entries')
  })

  it('explains a bad entries file with FILE_INVALID, naming the file and the problem', async () => {
    const broken = writeJson('broken.json', '{\n  "id": "x",\n  "postings": [\n}\n')
    const r = await cli('ledger', 'post', broken, ...as)
    expectFailure(r, 'FILE_INVALID')
    expect(r.stderr).toContain(`${broken} is not valid JSON`)
    expect(r.stderr).toMatch(/line 4, column 1/)

    const numbers = writeJson('numbers.json', [
      {
        id: 'n',
        description: 'n',
        postings: [
          { account: 'treasury-usdc', debit: 0.1 },
          { account: 'opening-usdc', credit: '0.1' },
        ],
      },
    ])
    const n = await cli('ledger', 'post', numbers, ...as)
    expectFailure(n, 'FILE_INVALID')
    expect(n.stderr).toContain('entry 1 ("n"), posting 1: the debit is a JSON number')

    for (const [name, text, expected] of [
      ['empty.json', '', 'is empty'],
      ['scalar.json', '42', 'holds a number'],
      ['none.json', '[]', 'holds no entries'],
      ['entries-object.json', '{"entries": {}}', '"entries" must be an array'],
    ] as const) {
      const f = writeJson(name, text)
      const res = await cli('ledger', 'post', f, ...as, '--json')
      expect(res.code).toBe(1)
      const err = ErrorOutput.parse(json(res)).error
      expect(err.code).toBe('FILE_INVALID')
      expect(err.message).toContain(f)
      expect(err.message).toContain(expected)
    }
    const missing = await cli('ledger', 'post', path.join(root, 'nope.json'), ...as)
    expectFailure(missing, 'FILE_INVALID')
    expect(missing.stderr).toContain('nope.json: there is no such file')
  })

  it("passes the core's own validation through (INVALID_INPUT names the field)", async () => {
    const file = writeJson('one-leg.json', [{ id: 'one-leg', description: 'x', postings: [{ account: 'treasury-usdc', debit: '1' }] }])
    const r = await cli('ledger', 'post', file, ...as)
    expectFailure(r, 'INVALID_INPUT')
    expect(r.stderr).toContain('entries.0.postings')
  })

  it('exits 2 on usage errors, in both output forms', async () => {
    const unknown = await cli('ledger', 'balancez')
    expectFailure(unknown, 'INVALID_INPUT', 2)
    expect(unknown.stderr).toContain('see countersign ledger --help')
    expectFailure(await cli('ledger', 'balances', '--kind', 'wallet'), 'INVALID_INPUT', 2)
    expectFailure(await cli('ledger', 'entries', '--limit', '-3'), 'INVALID_INPUT', 2)
    expectFailure(await cli('operators', 'add', '--name', 'X'), 'INVALID_INPUT', 2)
    const j = await cli('ledger', 'post', '--json')
    expect(j.code).toBe(2)
    expect(ErrorOutput.parse(json(j)).error.message).toContain("Missing required argument 'file'")
    expect((await runCli([])).code).toBe(2)
  })

  it('refuses to invent a workspace out of a mistyped --data-dir', async () => {
    const elsewhere = path.join(root, 'typo')
    const r = await runCli(['--data-dir', elsewhere, 'ledger', 'balances'])
    expectFailure(r, 'DATA_DIR_INVALID')
    expect(r.stderr).toContain(`countersign init --data-dir ${elsewhere}`)
    expect(fs.existsSync(elsewhere)).toBe(false)
  })

  it('audit verify exits 1 and names the row after a tamper', async () => {
    const other = path.join(root, 'tampered')
    expect((await runCli(['--data-dir', other, 'init', '--admin', 'Dana Admin'])).code).toBe(0)
    await addOperatorCli(other, 'Dana Admin', 'Bob Approver', ['approver'])
    expect((await runCli(['--data-dir', other, 'audit', 'verify'])).code).toBe(0)
    const db = await openDb({ dataDir: other })
    try {
      expect((await sqlRun(db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")).changes).toBe(1)
    } finally {
      await db.close()
    }
    const r = await runCli(['--data-dir', other, 'audit', 'verify'])
    expectFailure(r, 'AUDIT_BROKEN')
    expect(r.stderr).toContain('broken at row 2')
    expect(r.stdout).toContain('BROKEN at row 2')
    const j = await runCli(['--data-dir', other, 'audit', 'verify', '--json'])
    expect(j.code).toBe(1)
    expect(calls['audit.verify'].output.parse(json(j))).toMatchObject({ ok: false, firstBroken: { seq: 2 } })
  })
})

describe('help', () => {
  it('shows usage and examples for every command', async () => {
    const paths = [
      [],
      ['init'],
      ['info'],
      ['operators'],
      ['operators', 'list'],
      ['operators', 'add'],
      ['assets'],
      ['assets', 'list'],
      ['assets', 'add'],
      ['ledger'],
      ['ledger', 'accounts'],
      ['ledger', 'accounts', 'list'],
      ['ledger', 'accounts', 'add'],
      ['ledger', 'balances'],
      ['ledger', 'summary'],
      ['ledger', 'entries'],
      ['ledger', 'post'],
      ['ledger', 'holds'],
      ['audit'],
      ['audit', 'list'],
      ['audit', 'verify'],
      ['sandbox'],
      ['sandbox', 'up'],
    ]
    for (const p of paths) {
      const r = await runCli([...p, '--help'])
      expect(r.code, p.join(' ')).toBe(0)
      expect(r.stdout, p.join(' ')).toMatch(/^Usage: countersign/)
      expect(r.stdout, p.join(' ')).toContain('Examples:\n  $ countersign')
    }
  })
})
