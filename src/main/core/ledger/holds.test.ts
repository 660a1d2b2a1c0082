/** createHold, postHold, voidHold, expireHolds, listHolds, getHold: two-phase transfers. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listAuditRows } from '../audit/listAuditRows'
import { verifyAudit } from '../audit/verifyAudit'
import { checkLedgerInvariants } from './checkLedgerInvariants'
import { createHold, type CreateHoldParameters } from './createHold'
import { expireHolds } from './expireHolds'
import { getBalances } from './getBalances'
import { getHold } from './getHold'
import { listEntries } from './listEntries'
import { listHolds } from './listHolds'
import { postEntries } from './postEntries'
import { postHold } from './postHold'
import { errorOf, openAccount, openTestLedger, snapshotLedger, TEST_ACTOR, type TestLedger } from './testKit'
import { voidHold } from './voidHold'

const USDC = 'USDC@evm:8453'
const HOUR_MS = 3_600_000

let t: TestLedger
beforeEach(async () => {
  t = await openTestLedger()
  await openAccount(t.ctx, 'world', 'external', USDC)
  await openAccount(t.ctx, 'treasury', 'treasury', USDC)
  await openAccount(t.ctx, 'payee', 'payee', USDC)
  await openAccount(t.ctx, 'eth-payee', 'payee', 'ETH@evm:8453')
  await postEntries(
    t.ctx,
    TEST_ACTOR,
    [
      {
        id: 'fund',
        description: 'fund',
        postings: [
          { account: 'treasury', debit: '100' },
          { account: 'world', credit: '100' },
        ],
      },
    ],
    { kind: 'manual' },
  )
})
afterEach(async () => {
  expect(await checkLedgerInvariants(t.ctx)).toEqual([])
  expect((await verifyAudit(t.ctx)).ok).toBe(true)
  await t.close()
})

const hold = (over: Partial<CreateHoldParameters> = {}): CreateHoldParameters => ({
  id: 'h1',
  debitAccountId: 'payee',
  creditAccountId: 'treasury',
  amount: '40',
  description: 'Payout to ACME',
  ...over,
})
const bal = async (id: string) => (await getBalances(t.ctx, {})).find((b) => b.accountId === id)!
const refused = async (fn: () => unknown) => {
  const before = await snapshotLedger(t.ctx)
  const e = await errorOf(fn)
  expect(await snapshotLedger(t.ctx)).toEqual(before)
  return e
}

describe('createHold', () => {
  it('moves the amount to pending on both accounts and out of what the treasury has available', async () => {
    const h = await createHold(t.ctx, TEST_ACTOR, hold())
    expect(h).toMatchObject({
      id: 'h1',
      state: 'pending',
      amount: '40.000000',
      postedAmount: '0.000000',
      assetId: USDC,
      expiresAt: null,
      resolvedAt: null,
    })
    expect(await bal('treasury')).toMatchObject({ balance: '100.000000', available: '60.000000', creditsPending: '40.000000' })
    // Pending debits do not count as available until posted: the hold may still be voided.
    expect(await bal('payee')).toMatchObject({ balance: '0.000000', available: '0.000000', debitsPending: '40.000000' })
    expect((await listAuditRows(t.ctx, { subject: 'hold:h1' })).rows[0]).toMatchObject({ action: 'ledger.holds.create', actor: TEST_ACTOR })
    expect(t.events.at(-1)).toEqual({ event: 'ledger.changed', payload: { accountIds: ['payee', 'treasury'] } })
  })

  it('applies the overdraft rule to pending amounts, counting other holds', async () => {
    await createHold(t.ctx, TEST_ACTOR, hold({ amount: '60' }))
    const e = await refused(() => createHold(t.ctx, TEST_ACTOR, hold({ id: 'h2', amount: '40.000001' })))
    expect(e.code).toBe('INSUFFICIENT_FUNDS')
    expect(e.message).toContain('"treasury" has 40.000000 USDC available but the hold needs 40.000001 USDC')
    await createHold(t.ctx, TEST_ACTOR, hold({ id: 'h2', amount: '40' }))
    expect((await bal('treasury')).available).toBe('0.000000')
  })

  it('is idempotent by id, and refuses a different hold under the same id naming the field', async () => {
    const first = await createHold(t.ctx, TEST_ACTOR, hold({ expiresAt: '2026-01-16T00:00:00Z' }))
    const before = await snapshotLedger(t.ctx)
    expect(await createHold(t.ctx, TEST_ACTOR, hold({ amount: '40.000', expiresAt: '2026-01-16T00:00:00.000Z' }))).toEqual(first)
    expect(await snapshotLedger(t.ctx)).toEqual(before)
    const cases: [Partial<CreateHoldParameters>, string][] = [
      [{ debitAccountId: 'world' }, 'debitAccountId'],
      [{ creditAccountId: 'world' }, 'creditAccountId'],
      [{ amount: '40.000001' }, 'amount'],
      [{ description: 'other' }, 'description'],
      [{ expiresAt: '2026-01-17T00:00:00Z' }, 'expiresAt'],
      [{ expiresAt: undefined }, 'expiresAt'],
    ]
    for (const [change, field] of cases) {
      const e = await refused(() => createHold(t.ctx, TEST_ACTOR, { ...hold({ expiresAt: '2026-01-16T00:00:00Z' }), ...change }))
      expect(e).toMatchObject({ code: 'HOLD_CONFLICT', details: { field } })
      expect(e.message).toContain(`different ${field}`)
    }
  })

  it('refuses bad holds with actionable errors', async () => {
    expect((await refused(() => createHold(t.ctx, TEST_ACTOR, hold({ debitAccountId: 'nope' })))).code).toBe('ACCOUNT_NOT_FOUND')
    expect((await refused(() => createHold(t.ctx, TEST_ACTOR, hold({ debitAccountId: 'treasury' })))).code).toBe('HOLD_INVALID')
    expect((await refused(() => createHold(t.ctx, TEST_ACTOR, hold({ debitAccountId: 'eth-payee' })))).code).toBe('HOLD_INVALID')
    expect((await refused(() => createHold(t.ctx, TEST_ACTOR, hold({ amount: '1.0000001' })))).code).toBe('AMOUNT_PRECISION')
    expect((await refused(() => createHold(t.ctx, TEST_ACTOR, hold({ amount: '0' })))).code).toBe('AMOUNT_INVALID')
    expect((await refused(() => createHold(t.ctx, TEST_ACTOR, hold({ expiresAt: '2026-01-15T09:00:00Z' })))).code).toBe('HOLD_INVALID')
    expect((await refused(() => createHold(t.ctx, TEST_ACTOR, hold({ expiresAt: 'tomorrow' })))).code).toBe('HOLD_INVALID')
  })
})

describe('postHold', () => {
  it('posts in full: pending becomes posted through the entry hold:<id>:post', async () => {
    await createHold(t.ctx, TEST_ACTOR, hold())
    const h = await postHold(t.ctx, TEST_ACTOR, { holdId: 'h1' })
    expect(h).toMatchObject({ state: 'posted', postedAmount: '40.000000', resolvedAt: '2026-01-15T09:00:00.000Z' })
    expect(await bal('treasury')).toMatchObject({ balance: '60.000000', available: '60.000000', creditsPending: '0.000000' })
    expect(await bal('payee')).toMatchObject({ balance: '40.000000', debitsPending: '0.000000' })
    const entry = (await listEntries(t.ctx, {})).entries[0]!
    expect(entry).toMatchObject({ id: 'hold:h1:post', kind: 'hold', description: 'Payout to ACME', metadata: { holdId: 'h1' } })
    expect(entry.postings.map((p) => [p.accountId, p.amount])).toEqual([
      ['payee', '40.000000'],
      ['treasury', '-40.000000'],
    ])
    expect((await listAuditRows(t.ctx, { subject: 'hold:h1' })).rows[0]).toMatchObject({
      action: 'ledger.holds.post',
      change: { state: 'posted', posted: '40.000000', released: '0.000000' },
    })
  })

  it('posts in part and releases the rest', async () => {
    await createHold(t.ctx, TEST_ACTOR, hold())
    expect(await postHold(t.ctx, TEST_ACTOR, { holdId: 'h1', amount: '12.5' })).toMatchObject({
      state: 'partially_posted',
      postedAmount: '12.500000',
      amount: '40.000000',
    })
    expect(await bal('treasury')).toMatchObject({ balance: '87.500000', available: '87.500000' })
    expect((await bal('payee')).balance).toBe('12.500000')
  })

  it('refuses to post more than is held, and changes nothing', async () => {
    await createHold(t.ctx, TEST_ACTOR, hold())
    const e = await refused(() => postHold(t.ctx, TEST_ACTOR, { holdId: 'h1', amount: '40.000001' }))
    expect(e.code).toBe('HOLD_AMOUNT_EXCEEDED')
    expect(e.message).toContain('holds 40.000000 USDC')
  })

  it('refuses to resolve a hold twice, naming its state', async () => {
    await createHold(t.ctx, TEST_ACTOR, hold())
    await postHold(t.ctx, TEST_ACTOR, { holdId: 'h1', amount: '1' })
    const e = await refused(() => postHold(t.ctx, TEST_ACTOR, { holdId: 'h1' }))
    expect(e.code).toBe('HOLD_ALREADY_RESOLVED')
    expect(e.message).toContain('already partially posted')
    expect((await refused(() => voidHold(t.ctx, TEST_ACTOR, { holdId: 'h1' }))).code).toBe('HOLD_ALREADY_RESOLVED')
    expect((await refused(() => postHold(t.ctx, TEST_ACTOR, { holdId: 'nope' }))).code).toBe('HOLD_NOT_FOUND')
  })

  it('expires a hold found past its time, commits that, and refuses with HOLD_EXPIRED', async () => {
    await createHold(t.ctx, TEST_ACTOR, hold({ expiresAt: '2026-01-15T10:00:00Z' }))
    t.clock.advance(HOUR_MS) // exactly at expiry: no longer postable
    const e = await errorOf(() => postHold(t.ctx, TEST_ACTOR, { holdId: 'h1' }))
    expect(e.code).toBe('HOLD_EXPIRED')
    expect(await getHold(t.ctx, 'h1')).toMatchObject({ state: 'expired', postedAmount: '0.000000', resolvedAt: '2026-01-15T10:00:00.000Z' })
    expect(await bal('treasury')).toMatchObject({ balance: '100.000000', available: '100.000000' })
    expect((await listAuditRows(t.ctx, { subject: 'hold:h1' })).rows[0]).toMatchObject({
      action: 'ledger.holds.expire',
      actor: 'system',
      change: { trigger: 'post', triggeredBy: TEST_ACTOR },
    })
    expect(t.events.at(-1)?.event).toBe('ledger.changed')
    expect((await errorOf(() => postHold(t.ctx, TEST_ACTOR, { holdId: 'h1' }))).code).toBe('HOLD_ALREADY_RESOLVED')
  })
})

describe('voidHold', () => {
  it('releases everything and posts nothing', async () => {
    await createHold(t.ctx, TEST_ACTOR, hold())
    expect(await voidHold(t.ctx, TEST_ACTOR, { holdId: 'h1' })).toMatchObject({ state: 'voided', postedAmount: '0.000000' })
    expect(await bal('treasury')).toMatchObject({ balance: '100.000000', available: '100.000000', creditsPending: '0.000000' })
    expect(await bal('payee')).toMatchObject({ debitsPending: '0.000000', debitsPosted: '0.000000' })
    expect((await listEntries(t.ctx, {})).entries.map((e) => e.id)).toEqual(['fund'])
  })

  it('expires instead when past expiry', async () => {
    await createHold(t.ctx, TEST_ACTOR, hold({ expiresAt: '2026-01-15T09:30:00Z' }))
    t.clock.advance(HOUR_MS)
    expect((await errorOf(() => voidHold(t.ctx, TEST_ACTOR, { holdId: 'h1' }))).code).toBe('HOLD_EXPIRED')
    expect((await getHold(t.ctx, 'h1')).state).toBe('expired')
  })
})

describe('expireHolds', () => {
  it('expires exactly the pending holds whose time has come, as the system', async () => {
    await createHold(t.ctx, TEST_ACTOR, hold({ id: 'soon', amount: '10', expiresAt: '2026-01-15T09:10:00Z' }))
    await createHold(t.ctx, TEST_ACTOR, hold({ id: 'later', amount: '10', expiresAt: '2026-01-15T11:00:00Z' }))
    await createHold(t.ctx, TEST_ACTOR, hold({ id: 'never', amount: '10' }))
    await createHold(t.ctx, TEST_ACTOR, hold({ id: 'done', amount: '10', expiresAt: '2026-01-15T09:05:00Z' }))
    await postHold(t.ctx, TEST_ACTOR, { holdId: 'done' })
    expect(await expireHolds(t.ctx)).toEqual([])
    t.clock.advance(HOUR_MS)
    expect(await expireHolds(t.ctx)).toEqual(['soon'])
    expect(await expireHolds(t.ctx)).toEqual([])
    expect(await bal('treasury')).toMatchObject({ balance: '90.000000', available: '70.000000' })
    t.clock.advance(HOUR_MS)
    expect(await expireHolds(t.ctx)).toEqual(['later'])
    expect((await listHolds(t.ctx, { state: 'expired' })).map((h) => h.id).sort()).toEqual(['later', 'soon'])
    expect((await listAuditRows(t.ctx, { subject: 'hold:soon' })).rows[0]).toMatchObject({
      actor: 'system',
      action: 'ledger.holds.expire',
      change: { trigger: 'sweep' },
    })
  })
})

describe('listHolds', () => {
  it('lists newest first, by state, and pages by creation order', async () => {
    for (const id of ['a', 'b', 'c', 'd']) await createHold(t.ctx, TEST_ACTOR, hold({ id, amount: '1' }))
    await voidHold(t.ctx, TEST_ACTOR, { holdId: 'b' })
    expect((await listHolds(t.ctx, {})).map((h) => h.id)).toEqual(['d', 'c', 'b', 'a'])
    expect((await listHolds(t.ctx, { state: 'pending' })).map((h) => h.id)).toEqual(['d', 'c', 'a'])
    expect((await listHolds(t.ctx, { limit: 2 })).map((h) => h.id)).toEqual(['d', 'c'])
    expect((await listHolds(t.ctx, { beforeSeq: 3 })).map((h) => h.id)).toEqual(['b', 'a'])
    expect((await errorOf(() => getHold(t.ctx, 'zz'))).code).toBe('HOLD_NOT_FOUND')
  })
})
