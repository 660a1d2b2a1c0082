/**
 * `audit verify` reads page by page outside any transaction, so a write can land mid-way. That
 * must never be reported as tampering: the run is repeated while the head moves. The write is
 * injected deterministically, between two of the verifier's own reads.
 */
import { afterEach, describe, expect, it } from 'vitest'
import type { Db, DbQuery } from '../db/Db'
import { postEntries } from '../ledger'
import { openAccount, openTestLedger, TEST_ACTOR, type TestLedger } from '../ledger/testKit'
import { verifyAudit } from './verifyAudit'

let t: TestLedger
afterEach(async () => t?.close())

const transfer = (id: string) => ({
  id,
  description: id,
  postings: [
    { account: 'treasury', debit: '10' },
    { account: 'opening', credit: '10' },
  ],
})

/** The same database, but `write` runs (once) just before the verifier's read number `at`. */
function interleaved(db: Db, at: number, write: () => Promise<unknown>): { db: Db; reads: () => number } {
  let reads = 0
  const all = async <R>(q: DbQuery<R>): Promise<R[]> => {
    if (++reads === at) await write()
    return db.all(q)
  }
  return { db: Object.assign(Object.create(db) as Db, { all }), reads: () => reads }
}

describe('verifyAudit while the books change', () => {
  it('repeats a run that a concurrent write made disagree, and reports the books intact', async () => {
    t = await openTestLedger()
    await openAccount(t.ctx, 'treasury', 'treasury', 'USDC@evm:1')
    await openAccount(t.ctx, 'opening', 'external', 'USDC@evm:1')
    await postEntries(t.ctx, TEST_ACTOR, [transfer('e-1'), transfer('e-2')], { kind: 'manual' })
    // Read 3 is the journal's first page, after the chain was walked (page, then the empty page):
    // the entry written now names an audit row the walk never saw.
    const view = interleaved(t.ctx.db, 3, () => postEntries(t.ctx, TEST_ACTOR, [transfer('e-3')], { kind: 'manual' }))
    const result = await verifyAudit({ ...t.ctx, db: view.db })
    expect(result, JSON.stringify(result.firstBroken)).toMatchObject({ ok: true, firstBroken: null })
    expect(result.booksChecked?.rows).toBe(9)
    expect(view.reads()).toBeGreaterThan(6) // it ran twice
  })
})
