/**
 * Tamper-evident books: the audit chain commits to what every change wrote, so an SQL edit of the
 * books — not only of the audit log — fails `audit verify`, naming the row. A real workspace (a
 * SQLite file, or a fresh PostgreSQL database on the PostgreSQL pass) with a few thousand rows is
 * built through the core's own operations; every tamper is raw SQL in a transaction that is rolled
 * back after verifying, so each case starts from the untouched books. The last case commits its
 * tamper and runs the CLI.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { calls } from '../../src/shared/api'
import { formatAmount } from '../../src/shared/money'
import { StoredEntrySealer, type StoredEntry, type StoredPosting } from '../../src/main/core/audit/journalSeal'
import { payoutSeal } from '../../src/main/core/audit/sealContent'
import { verifyAudit } from '../../src/main/core/audit/verifyAudit'
import { fixedClock } from '../../src/main/core/context'
import { createCore, type Core } from '../../src/main/core/core'
import type { Db } from '../../src/main/core/db/Db'
import { createHold, postHold, voidHold } from '../../src/main/core/ledger'
import { addOperatorForTest } from '../../src/main/core/operators/operatorTestKit'
import { PAYEES, USDC } from '../../src/main/core/payouts/batches/testKit'
import { json, runCli } from '../cli/cliHarness'
import { sqlAll, sqlFirst, sqlRun } from '../dbSql'

/** Journal entries posted (three calls), each with two postings. */
const ENTRIES = 1_200
const ENTRIES_PER_CALL = 400
const PAYOUTS = 300
type Verification = Awaited<ReturnType<typeof verifyAudit>>

let root: string
let dir: string
let core: Core
let db: Db
let batchId: string
let payoutIds: string[]

const entryId = (i: number) => `pay-${String(i).padStart(4, '0')}`

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-books-'))
  dir = path.join(root, 'books')
  const clock = fixedClock('2026-04-01T09:00:00.000Z')
  core = await createCore({ dataDir: dir, clock })
  db = core.ctx.db
  const dana = await addOperatorForTest(core.api, { name: 'Dana Admin', roles: ['admin'] })
  const alice = await addOperatorForTest(core.api, { name: 'Alice Preparer', roles: ['preparer'] }, { operatorId: dana.id })
  const as = { operatorId: dana.id }
  for (const [id, kind] of [
    ['treasury-usdc', 'treasury'],
    ['opening-usdc', 'external'],
    ['payee-usdc', 'payee'],
    ['escrow-usdc', 'escrow'],
  ] as const) {
    await core.api.call('ledger.accounts.add', { id, name: id, kind, assetId: USDC }, as)
  }
  const transfer = (id: string, from: string, to: string, amount: string) => ({
    id,
    description: `transfer ${id}`,
    postings: [
      { account: to, debit: amount },
      { account: from, credit: amount },
    ],
  })
  await core.api.call('ledger.entries.post', { entries: [transfer('opening', 'opening-usdc', 'treasury-usdc', '10000000')] }, as)
  for (let call = 0; call < ENTRIES / ENTRIES_PER_CALL; call++) {
    const entries = Array.from({ length: ENTRIES_PER_CALL }, (_, k) => {
      const i = call * ENTRIES_PER_CALL + k
      return transfer(entryId(i), 'treasury-usdc', 'payee-usdc', formatAmount(BigInt(1_000_000 + i * 7_919), 6))
    })
    clock.advance(1_000)
    await core.api.call('ledger.entries.post', { entries }, as)
  }
  // Holds: one posted, one voided, one still pending.
  for (const id of ['h-post', 'h-void', 'h-open']) {
    await createHold(core.ctx, dana.id, {
      id,
      debitAccountId: 'escrow-usdc',
      creditAccountId: 'treasury-usdc',
      amount: '250',
      description: id,
    })
  }
  await postHold(core.ctx, dana.id, { holdId: 'h-post', amount: '100' })
  await voidHold(core.ctx, dana.id, { holdId: 'h-void' })
  // A batch of payouts, one edited (re-sealed) and one removed (its seal becomes a removal).
  const batch = await core.api.call('batches.create', { name: 'April contractors' }, { operatorId: alice.id })
  batchId = batch.id
  await core.api.call(
    'batches.rows.add',
    {
      id: batchId,
      rows: Array.from({ length: PAYOUTS }, (_, i) => ({
        id: `po-${String(i).padStart(3, '0')}`,
        assetId: USDC,
        recipient: PAYEES[i % PAYEES.length]!,
        amount: `${100 + i}.25`,
      })),
    },
    { operatorId: alice.id },
  )
  await core.api.call('batches.rows.update', { id: batchId, payoutId: 'po-007', changes: { amount: '7777.77' } }, { operatorId: alice.id })
  await core.api.call('batches.rows.remove', { id: batchId, payoutIds: ['po-009'] }, { operatorId: alice.id })
  payoutIds = (await sqlAll<{ id: string }>(db, 'SELECT id FROM payouts ORDER BY row_no')).map((r) => r.id)
}, 120_000)

afterAll(async () => {
  await core?.close()
  fs.rmSync(root, { recursive: true, force: true })
})

/** Thrown to roll back the tampering transaction once the books have been verified. */
class RollBack extends Error {
  constructor(readonly result: Verification) {
    super('roll back')
  }
}

/** `tamper` edits the books with raw SQL in a transaction; they are verified there, then it is rolled back. */
async function verifyTampered(tamper: (db: Db) => Promise<unknown>): Promise<Verification> {
  try {
    await db.tx(async () => {
      await tamper(db)
      throw new RollBack(await verifyAudit(core.ctx))
    })
  } catch (error) {
    if (error instanceof RollBack) return error.result
    throw error
  }
  throw new Error('unreachable: the tampering transaction always rolls back')
}

async function entryRow(id: string): Promise<{ seq: number; audit_seq: number }> {
  const row = await sqlFirst<{ seq: number | string; audit_seq: number | string }>(
    db,
    'SELECT seq, audit_seq FROM entries WHERE id = ?',
    id,
  )
  return { seq: Number(row!.seq), audit_seq: Number(row!.audit_seq) }
}

async function latestSealSeq(table: string, key: string): Promise<number> {
  const row = await sqlFirst<{ s: number | string }>(
    db,
    'SELECT max(audit_seq) AS s FROM row_seals WHERE table_name = ? AND row_key = ?',
    table,
    key,
  )
  return Number(row!.s)
}

function expectBroken(result: Verification, expected: { kind: string; subject: string; seq?: number; reason: RegExp }): void {
  expect(result.ok, JSON.stringify(result.firstBroken)).toBe(false)
  expect(result.firstBroken).toMatchObject({ kind: expected.kind, subject: expected.subject })
  expect(result.firstBroken!.reason).toMatch(expected.reason)
  if (expected.seq !== undefined) expect(result.firstBroken!.seq).toBe(expected.seq)
  // The chain itself is intact: every audit row checked.
  expect(result.rowsChecked).toBe(result.headSeq)
}

describe('tamper-evident books', () => {
  it('verifies a clean workspace of a few thousand rows, checking every one', async () => {
    const started = performance.now()
    const result = await verifyAudit(core.ctx)
    const ms = performance.now() - started
    expect(result, JSON.stringify(result.firstBroken)).toMatchObject({ ok: true, firstBroken: null })
    // Entries with their postings (the opening entry, the transfers, the hold's post), holds and payouts.
    const journalRows = (ENTRIES + 2) * 3
    expect(result.booksChecked).toEqual({ rows: journalRows + 3 + (PAYOUTS - 1), accounts: 4 })
    expect(payoutIds).toHaveLength(PAYOUTS - 1)
    console.log(
      `audit verify: ${result.booksChecked!.rows} book rows and ${result.rowsChecked} audit rows in ${ms.toFixed(0)} ms (${db.backend})`,
    )
  })

  it('names a posting whose amount was edited', async () => {
    const { seq, audit_seq } = await entryRow(entryId(123))
    const result = await verifyTampered((d) => sqlRun(d, "UPDATE postings SET amount = '1' WHERE entry_seq = ? AND idx = 0", seq))
    expectBroken(result, {
      kind: 'row-changed',
      subject: `posting:${entryId(123)}/0`,
      seq: audit_seq,
      reason: /posting 0 of entry pay-0123 was changed/,
    })
  })

  it('names the posting even when its account balance was edited to match', async () => {
    const { seq } = await entryRow(entryId(5))
    const result = await verifyTampered(async (d) => {
      const p = await sqlFirst<{ amount: string }>(d, 'SELECT amount FROM postings WHERE entry_seq = ? AND idx = 0', seq)
      const b = await sqlFirst<{ debits_posted: string }>(d, "SELECT debits_posted FROM balances WHERE account_id = 'payee-usdc'")
      const less = BigInt(p!.amount) - 1_000_000n
      await sqlRun(d, 'UPDATE postings SET amount = ? WHERE entry_seq = ? AND idx = 0', less.toString(), seq)
      await sqlRun(d, 'UPDATE postings SET amount = ? WHERE entry_seq = ? AND idx = 1', (-less).toString(), seq)
      await sqlRun(
        d,
        "UPDATE balances SET debits_posted = ? WHERE account_id = 'payee-usdc'",
        (BigInt(b!.debits_posted) - 1_000_000n).toString(),
      )
    })
    expectBroken(result, { kind: 'row-changed', subject: `posting:${entryId(5)}/0`, reason: /was changed after it was written/ })
  })

  it('names the account whose stored balance was edited', async () => {
    const result = await verifyTampered((d) =>
      sqlRun(d, "UPDATE balances SET debits_posted = '999999999999' WHERE account_id = 'payee-usdc'"),
    )
    expectBroken(result, {
      kind: 'balance',
      subject: 'account:payee-usdc',
      reason: /debits_posted is 999999999999 but its postings add up to \d+/,
    })
    const pending = await verifyTampered((d) => sqlRun(d, "UPDATE balances SET credits_pending = '0' WHERE account_id = 'treasury-usdc'"))
    expectBroken(pending, {
      kind: 'balance',
      subject: 'account:treasury-usdc',
      reason: /credits_pending is 0 but its pending holds add up to 250000000/,
    })
  })

  it('names a payout whose amount was edited, and one whose edit was re-sealed by the attacker', async () => {
    const id = payoutIds[42]!
    const sealedAt = await latestSealSeq('payouts', id)
    const result = await verifyTampered((d) => sqlRun(d, "UPDATE payouts SET amount = '999000000' WHERE id = ?", id))
    expectBroken(result, {
      kind: 'row-changed',
      subject: `payout:${id}`,
      seq: sealedAt,
      reason: new RegExp(`payout ${id} was changed after it was written`),
    })
    // Someone who read the code recomputes the row's seal too: the audit row's digest no longer matches.
    const resealed = await verifyTampered(async (d) => {
      await sqlRun(d, "UPDATE payouts SET amount = '999000000' WHERE id = ?", id)
      const p = await sqlFirst<Parameters<typeof payoutSeal>[0]>(d, 'SELECT * FROM payouts WHERE id = ?', id)
      await sqlRun(
        d,
        'UPDATE row_seals SET hash = ? WHERE table_name = ? AND row_key = ? AND audit_seq = ?',
        payoutSeal(p!),
        'payouts',
        id,
        sealedAt,
      )
    })
    expectBroken(resealed, { kind: 'seal', subject: `batch:${batchId}`, seq: sealedAt, reason: /a seal was changed after it was written/ })
  })

  it('keeps the mutable execution state of a payout out of the seal', async () => {
    const result = await verifyTampered((d) => sqlRun(d, "UPDATE payouts SET state = 'failed', attempt = 3 WHERE id = ?", payoutIds[0]))
    expect(result.ok).toBe(true)
  })

  it('names a payout row inserted with SQL, with or without a forged seal', async () => {
    const insert = (d: Db) =>
      sqlRun(
        d,
        `INSERT INTO payouts (id, batch_id, row_no, rail, network, asset_id, recipient, amount, state, attempt, created_at, updated_at)
         VALUES ('p_evil', ?, 999, 'evm', '8453', ?, ?, '5000000000', 'pending', 0, '2026-04-01T09:00:00.000Z', '2026-04-01T09:00:00.000Z')`,
        batchId,
        USDC,
        PAYEES[0],
      )
    expectBroken(await verifyTampered(insert), {
      kind: 'row-unsealed',
      subject: 'payout:p_evil',
      reason: /payout p_evil was not written by Countersign/,
    })
    // A forged seal claiming the newest audit row: that row's digest does not cover it.
    const head = await sqlFirst<{ seq: number | string }>(db, 'SELECT max(seq) AS seq FROM audit_log')
    const forged = await verifyTampered(async (d) => {
      await insert(d)
      const p = await sqlFirst<Parameters<typeof payoutSeal>[0]>(d, "SELECT * FROM payouts WHERE id = 'p_evil'")
      await sqlRun(
        d,
        "INSERT INTO row_seals (audit_seq, idx, table_name, row_key, hash) VALUES (?, 999, 'payouts', 'p_evil', ?)",
        Number(head!.seq),
        payoutSeal(p!),
      )
    })
    expectBroken(forged, { kind: 'seal', seq: Number(head!.seq), subject: `batch:${batchId}`, reason: /were not written by Countersign/ })
  })

  it('names a payout deleted with SQL, and a removed payout put back', async () => {
    const id = payoutIds[100]!
    const deleted = await verifyTampered((d) => sqlRun(d, 'DELETE FROM payouts WHERE id = ?', id))
    expectBroken(deleted, { kind: 'row-missing', subject: `payout:${id}`, reason: new RegExp(`payout ${id} is gone`) })
    const removedAt = await latestSealSeq('payouts', 'po-009')
    const back = await verifyTampered((d) =>
      sqlRun(
        d,
        `INSERT INTO payouts (id, batch_id, row_no, rail, network, asset_id, recipient, amount, state, attempt, created_at, updated_at)
         VALUES ('po-009', ?, 10, 'evm', '8453', ?, ?, '109250000', 'pending', 0, '2026-04-01T09:00:00.000Z', '2026-04-01T09:00:00.000Z')`,
        batchId,
        USDC,
        PAYEES[0],
      ),
    )
    expectBroken(back, {
      kind: 'row-unsealed',
      subject: 'payout:po-009',
      seq: removedAt,
      reason: /was removed at audit row \d+ but is back/,
    })
  })

  it('names a deleted posting, first or last', async () => {
    const { seq, audit_seq } = await entryRow(entryId(200))
    const first = await verifyTampered((d) => sqlRun(d, 'DELETE FROM postings WHERE entry_seq = ? AND idx = 0', seq))
    expectBroken(first, {
      kind: 'row-missing',
      subject: `posting:${entryId(200)}/0`,
      seq: audit_seq,
      reason: /posting 0 of entry pay-0200 is missing/,
    })
    const last = await verifyTampered((d) => sqlRun(d, 'DELETE FROM postings WHERE entry_seq = ? AND idx = 1', seq))
    expectBroken(last, { kind: 'row-missing', subject: `posting:${entryId(200)}/1`, reason: /posting 1 of entry pay-0200 is missing/ })
  })

  it('catches an entry deleted whole, and an entry re-sealed after an edit', async () => {
    const { seq, audit_seq } = await entryRow(entryId(401))
    const gone = await verifyTampered(async (d) => {
      await sqlRun(d, 'DELETE FROM postings WHERE entry_seq = ?', seq)
      await sqlRun(d, 'DELETE FROM entries WHERE seq = ?', seq)
    })
    expectBroken(gone, {
      kind: 'seal',
      seq: audit_seq,
      subject: `entries:${entryId(400)}..${entryId(799)}`,
      reason: /1 of the 400 entries .* are gone/,
    })
    // Edit a description and recompute the entry's seal as the code does: the audit row's digest catches it.
    const reseal = async (d: Db) => {
      const e = await sqlFirst<StoredEntry>(d, 'SELECT * FROM entries WHERE seq = ?', seq)
      const ps = await sqlAll<StoredPosting>(
        d,
        'SELECT idx, account_id, asset_id, amount FROM postings WHERE entry_seq = ? ORDER BY idx',
        seq,
      )
      const sealer = new StoredEntrySealer()
      await sqlRun(
        d,
        'UPDATE entries SET seal = ?, posting_checks = ? WHERE seq = ?',
        sealer.seal({ ...e!, seq }, ps),
        sealer.checks(ps).join(' '),
        seq,
      )
    }
    const resealed = await verifyTampered(async (d) => {
      await sqlRun(d, "UPDATE entries SET description = 'nothing to see' WHERE seq = ?", seq)
      await reseal(d)
    })
    const batchSubject = `entries:${entryId(400)}..${entryId(799)}`
    expectBroken(resealed, { kind: 'seal', seq: audit_seq, reason: /a seal was changed after it was written/, subject: batchSubject })
    // And a posting moved to another account, re-sealed all the way up: still the digest.
    const deep = await verifyTampered(async (d) => {
      await sqlRun(d, "UPDATE postings SET account_id = 'escrow-usdc' WHERE entry_seq = ? AND idx = 0", seq)
      await reseal(d)
    })
    expectBroken(deep, { kind: 'seal', seq: audit_seq, reason: /a seal was changed/, subject: batchSubject })
    // Unsealed, the moved posting is named.
    const moved = await verifyTampered((d) =>
      sqlRun(d, "UPDATE postings SET account_id = 'escrow-usdc' WHERE entry_seq = ? AND idx = 0", seq),
    )
    expectBroken(moved, {
      kind: 'row-changed',
      seq: audit_seq,
      subject: `posting:${entryId(401)}/0`,
      reason: /was changed after it was written/,
    })
    // A changed description names the entry itself.
    const described = await verifyTampered((d) => sqlRun(d, "UPDATE entries SET description = 'nothing to see' WHERE seq = ?", seq))
    expectBroken(described, { kind: 'row-changed', seq: audit_seq, subject: `entry:${entryId(401)}`, reason: /entry pay-0401 was changed/ })
  })

  it('names a hold whose state was edited, even with the balances moved to match', async () => {
    const sealedAt = await latestSealSeq('holds', 'h-open')
    const result = await verifyTampered(async (d) => {
      await sqlRun(d, "UPDATE holds SET state = 'voided' WHERE id = 'h-open'")
      await sqlRun(d, "UPDATE balances SET debits_pending = '0' WHERE account_id = 'escrow-usdc'")
      await sqlRun(d, "UPDATE balances SET credits_pending = '0' WHERE account_id = 'treasury-usdc'")
    })
    expectBroken(result, {
      kind: 'row-changed',
      subject: 'hold:h-open',
      seq: sealedAt,
      reason: /hold h-open was changed after it was written/,
    })
  })

  it('makes the CLI `audit verify --json` exit non-zero, naming the row', async () => {
    const id = payoutIds[17]!
    expect((await sqlRun(db, "UPDATE payouts SET amount = '1' WHERE id = ?", id)).changes).toBe(1)
    await core.close()
    const j = await runCli(['--data-dir', dir, 'audit', 'verify', '--json'])
    expect(j.code, j.stderr).toBe(1)
    expect(calls['audit.verify'].output.parse(json(j))).toMatchObject({
      ok: false,
      firstBroken: { kind: 'row-changed', subject: `payout:${id}`, reason: expect.stringContaining(`payout ${id} was changed`) },
    })
    const text = await runCli(['--data-dir', dir, 'audit', 'verify'])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain(`payout ${id} was changed after it was written`)
    expect(text.stderr).toMatch(/^error AUDIT_BROKEN: /m)
  })
})
