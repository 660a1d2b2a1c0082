/**
 * A workspace from before row seals: built by today's code, then taken back to the schema of
 * 0008 with SQL (seal columns and row_seals dropped, the audit chain rehashed without digests,
 * 0009 unrecorded) — what an older Countersign left on disk. Reopened, migration 0009 marks it,
 * the start-up step seals every row once in one 'audit.seal-existing' audit row, the workspace
 * verifies, and a later SQL edit of an old row is caught. On SQLite and PostgreSQL alike.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sqlAll, sqlFirst, sqlRun } from '../../../../test/dbSql'
import { CoreEvents, fixedClock, type CoreContext } from '../context'
import { createCore } from '../core'
import type { Db } from '../db/Db'
import { ROW_SEALS_BACKFILL_KEY } from '../db/migrations/0009_row_seals'
import { openDb } from '../db/openDb'
import { HEAD_FILE_NAME } from '../db/sqlite/workspaceHead'
import { createHold } from '../ledger'
import { addOperatorForTest } from '../operators/operatorTestKit'
import { PAYEES, USDC } from '../payouts/batches/testKit'
import { AUDIT_GENESIS_HASH, AUDIT_HEAD_KEY, auditRowHash } from './appendAudit'
import { SEAL_EXISTING_ACTION } from './sealExistingRows'
import { verifyAudit } from './verifyAudit'

const ENTRIES = 50
const PAYOUTS = 20

let root: string
let dir: string

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-seal-existing-'))
  dir = path.join(root, 'books')
  const clock = fixedClock('2026-05-01T09:00:00.000Z')
  const core = await createCore({ dataDir: dir, clock })
  try {
    const dana = await addOperatorForTest(core.api, { name: 'Dana Admin', roles: ['admin', 'preparer'] })
    const as = { operatorId: dana.id }
    for (const [id, kind] of [
      ['treasury-usdc', 'treasury'],
      ['opening-usdc', 'external'],
      ['escrow-usdc', 'escrow'],
    ] as const)
      await core.api.call('ledger.accounts.add', { id, name: id, kind, assetId: USDC }, as)
    const entries = Array.from({ length: ENTRIES }, (_, i) => ({
      id: `old-${i}`,
      description: `old entry ${i}`,
      postings: [
        { account: 'treasury-usdc', debit: `${1000 + i}` },
        { account: 'opening-usdc', credit: `${1000 + i}` },
      ],
    }))
    await core.api.call('ledger.entries.post', { entries }, as)
    await createHold(core.ctx, dana.id, {
      id: 'h-old',
      debitAccountId: 'escrow-usdc',
      creditAccountId: 'treasury-usdc',
      amount: '5',
      description: 'old',
    })
    const batch = await core.api.call('batches.create', { name: 'Old batch' }, as)
    await core.api.call(
      'batches.rows.add',
      {
        id: batch.id,
        rows: Array.from({ length: PAYOUTS }, (_, i) => ({ assetId: USDC, recipient: PAYEES[i % PAYEES.length]!, amount: `${i + 1}` })),
      },
      as,
    )
  } finally {
    await core.close()
  }
  await downgradeTo0008(dir)
}, 60_000)

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

/** Take the workspace back to what Countersign before migration 0009 wrote. */
async function downgradeTo0008(dataDir: string): Promise<void> {
  const db = await openDb({ dataDir })
  try {
    await db.tx(async () => {
      let prev = AUDIT_GENESIS_HASH
      const rows = await sqlAll<{ seq: number; at: string; actor: string; action: string; subject: string; change: string }>(
        db,
        'SELECT seq, at, actor, action, subject, change FROM audit_log ORDER BY seq',
      )
      for (const row of rows) {
        const hash = auditRowHash(prev, { ...row, seq: Number(row.seq) })
        await sqlRun(db, 'UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?', prev, hash, row.seq)
        prev = hash
      }
      await sqlRun(db, 'UPDATE meta SET value = ? WHERE key = ?', `${rows.length}:${prev}`, AUDIT_HEAD_KEY)
      // Later migrations (0010 escrow, 0011 reconciliation, 0013 receipts, 0014 change feed) did not exist either.
      for (const table of ['receipt_search_terms', 'receipts', 'receipt_keys', 'receipt_batch_attestations'])
        await sqlRun(db, `DROP TABLE ${table}`)
      for (const table of [
        'recon_balance_checks',
        'recon_periods',
        'recon_adjustments',
        'recon_exceptions',
        'recon_match_items',
        'recon_matches',
        'recon_runs',
        'recon_rules',
      ])
        await sqlRun(db, `DROP TABLE ${table}`)
      for (const table of ['statement_lines', 'statements', 'statement_files', 'recon_accounts', 'recon_csv_mappings'])
        await sqlRun(db, `DROP TABLE ${table}`)
      for (const table of ['escrow_txs', 'escrow_approvals', 'escrow_actions', 'escrow_milestones', 'escrows'])
        await sqlRun(db, `DROP TABLE ${table}`)
      await sqlRun(db, 'DROP TABLE IF EXISTS change_feed') // SQLite only (a team database hears changes through NOTIFY)
      await sqlRun(db, 'DROP TABLE batch_warnings')
      for (const index of ['audit_actor', 'audit_action', 'audit_at']) await sqlRun(db, `DROP INDEX ${index}`)
      await sqlRun(
        db,
        "DELETE FROM kysely_migration WHERE name IN ('0010_escrow', '0011_recon', '0012_recon_matching', '0013_receipts', '0014_change_feed', '0015_batch_warnings', '0016_audit_filters')",
      )
      await sqlRun(db, 'DROP TABLE row_seals')
      for (const column of ['seal', 'posting_checks', 'audit_seq']) await sqlRun(db, `ALTER TABLE entries DROP COLUMN ${column}`)
      await sqlRun(db, 'ALTER TABLE audit_log DROP COLUMN rows_digest')
      await sqlRun(db, "DELETE FROM kysely_migration WHERE name = '0009_row_seals'")
    })
  } finally {
    await db.close()
  }
  // The head file records the head of the chain as it was before it was rehashed here.
  fs.rmSync(path.join(dataDir, HEAD_FILE_NAME), { force: true })
}

const ctxOf = (db: Db): CoreContext => ({ db, clock: fixedClock(), events: new CoreEvents() })

describe('sealing the books of a workspace from before row seals', () => {
  it('is marked by the migration, refused by verify until sealed, then sealed once at start-up', async () => {
    // Migrated to 0009 but not started: the marker is there and verify says what to do.
    const migrated = await openDb({ dataDir: dir })
    try {
      expect(await sqlFirst(migrated, 'SELECT value FROM meta WHERE key = ?', ROW_SEALS_BACKFILL_KEY)).toEqual({ value: 'pending' })
      const before = await verifyAudit(ctxOf(migrated))
      expect(before.ok).toBe(false)
      expect(before.firstBroken).toMatchObject({ kind: 'row-unsealed', subject: 'books' })
      expect(before.firstBroken!.reason).toMatch(/have not been sealed yet/)
    } finally {
      await migrated.close()
    }

    const core = await createCore({ dataDir: dir, clock: fixedClock('2026-05-02T09:00:00.000Z') })
    try {
      const verified = await verifyAudit(core.ctx)
      expect(verified, JSON.stringify(verified.firstBroken)).toMatchObject({ ok: true, firstBroken: null })
      expect(verified.booksChecked).toEqual({ rows: ENTRIES * 3 + 1 + PAYOUTS, accounts: 3 })
      const sealRows = await sqlAll<{ actor: string; subject: string; change: string; rows_digest: string }>(
        core.ctx.db,
        'SELECT actor, subject, change, rows_digest FROM audit_log WHERE action = ?',
        SEAL_EXISTING_ACTION,
      )
      expect(sealRows).toHaveLength(1)
      expect(sealRows[0]).toMatchObject({
        actor: 'system',
        subject: 'books',
        rows_digest: expect.stringMatching(new RegExp(`^${ENTRIES}:${1 + PAYOUTS}:`)),
      })
      expect(JSON.parse(sealRows[0]!.change)).toMatchObject({ entries: ENTRIES, holds: 1, payouts: PAYOUTS })
      expect(await sqlFirst(core.ctx.db, 'SELECT value FROM meta WHERE key = ?', ROW_SEALS_BACKFILL_KEY)).toBeUndefined()
      // New writes after it are sealed as usual.
      await createHold(core.ctx, 'system', {
        id: 'h-new',
        debitAccountId: 'escrow-usdc',
        creditAccountId: 'treasury-usdc',
        amount: '1',
        description: 'new',
      })
      expect((await verifyAudit(core.ctx)).ok).toBe(true)
    } finally {
      await core.close()
    }

    // Started again: nothing left to seal, no second audit row.
    const again = await createCore({ dataDir: dir, clock: fixedClock('2026-05-03T09:00:00.000Z') })
    try {
      const n = await sqlFirst<{ n: number | string }>(
        again.ctx.db,
        'SELECT count(*) AS n FROM audit_log WHERE action = ?',
        SEAL_EXISTING_ACTION,
      )
      expect(Number(n!.n)).toBe(1)
      // And an SQL edit of a row written before sealing began is caught, naming it.
      const seq = (await sqlFirst<{ seq: number | string }>(again.ctx.db, "SELECT seq FROM entries WHERE id = 'old-7'"))!.seq
      await sqlRun(again.ctx.db, "UPDATE postings SET amount = '1' WHERE entry_seq = ? AND idx = 1", seq)
      const tampered = await verifyAudit(again.ctx)
      expect(tampered.firstBroken).toMatchObject({ kind: 'row-changed', subject: 'posting:old-7/1' })
    } finally {
      await again.close()
    }
  })
})
