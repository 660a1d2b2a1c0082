/**
 * Test helpers for the ledger (imported by *.test.ts only): a fresh workspace in a temp directory
 * (SQLite, or PostgreSQL under COUNTERSIGN_TEST_DB=postgres), a fixed clock, recorded events, and a full snapshot to prove a refused operation
 * changed nothing.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import type { AccountKind } from '../../../shared/blocks'
import type { EventName } from '../../../shared/api'
import { CoreEvents, fixedClock, type CoreContext } from '../context'
import { openDb } from '../db/openDb'
import { addAccount } from './addAccount'
import { seedDefaultAssets } from './seedDefaultAssets'

export const TEST_ACTOR = 'op-test'

export interface TestLedger {
  ctx: CoreContext
  clock: ReturnType<typeof fixedClock>
  dir: string
  events: { event: EventName; payload: unknown }[]
  close(): Promise<void>
}

export async function openTestLedger(options: { seed?: boolean; start?: string } = {}): Promise<TestLedger> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-ledger-'))
  const db = await openDb({ dataDir: dir })
  const clock = fixedClock(options.start ?? '2026-01-15T09:00:00.000Z')
  const events = new CoreEvents()
  const recorded: TestLedger['events'] = []
  events.subscribe((event, payload) => recorded.push({ event, payload }))
  const ctx: CoreContext = { db, clock, events }
  if (options.seed !== false) await seedDefaultAssets(ctx)
  return {
    ctx,
    clock,
    dir,
    events: recorded,
    async close() {
      await db.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

export async function openAccount(
  ctx: CoreContext,
  id: string,
  kind: AccountKind,
  assetId: string,
  allowNegative?: boolean,
): Promise<void> {
  await addAccount(ctx, TEST_ACTOR, { id, name: id, kind, assetId, ...(allowNegative === undefined ? {} : { allowNegative }) })
}

/** Everything a ledger write could change, as plain data to compare with toEqual. */
export async function snapshotLedger(ctx: CoreContext): Promise<unknown> {
  const db = ctx.db
  return {
    balances: await db.all(sql`SELECT * FROM balances ORDER BY account_id`),
    holds: await db.all(sql`SELECT * FROM holds ORDER BY id`),
    entries: await db.first(sql`SELECT count(*) AS n, max(seq) AS "maxSeq" FROM entries`),
    postings: await db.first(sql`SELECT count(*) AS n FROM postings`),
    accounts: await db.first(sql`SELECT count(*) AS n FROM accounts`),
    assets: await db.first(sql`SELECT count(*) AS n FROM assets`),
    audit: await db.first(sql`SELECT count(*) AS n, max(seq) AS head FROM audit_log`),
    meta: await db.all(sql`SELECT * FROM meta ORDER BY key`),
  }
}

/** The CsError code thrown (or rejected) by fn, or a failure if it did not fail with one. */
export async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn()
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string') return code
    throw error
  }
  throw new Error('expected the call to fail, but it succeeded')
}

/** The thrown (or rejected) CsError (code and message), for assertions on both. */
export async function errorOf(fn: () => unknown): Promise<{ code: string; message: string; details?: Record<string, unknown> }> {
  try {
    await fn()
  } catch (error) {
    const e = error as { code?: unknown; message: string; details?: Record<string, unknown> }
    if (typeof e.code === 'string') return { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) }
    throw error
  }
  throw new Error('expected the call to fail, but it succeeded')
}
