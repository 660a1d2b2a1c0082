/** listEntries, getBalances, getSummary: what the views read. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EntryInput } from '../../../shared/ledgerApi'
import { createHold } from './createHold'
import { getBalances } from './getBalances'
import { getSummary } from './getSummary'
import { listEntries } from './listEntries'
import { postEntries } from './postEntries'
import { openAccount, openTestLedger, TEST_ACTOR, type TestLedger } from './testKit'

let t: TestLedger
beforeEach(async () => {
  t = await openTestLedger()
  await openAccount(t.ctx, 'world-jpy', 'external', 'JPY@stripe')
  await openAccount(t.ctx, 'treasury-jpy', 'treasury', 'JPY@stripe')
  await openAccount(t.ctx, 'payee-jpy', 'payee', 'JPY@stripe')
  await openAccount(t.ctx, 'fees-jpy', 'fees', 'JPY@stripe')
  await openAccount(t.ctx, 'escrow-jpy', 'escrow', 'JPY@stripe')
  await openAccount(t.ctx, 'world-bhd', 'external', 'BHD@stripe')
  await openAccount(t.ctx, 'treasury-bhd', 'treasury', 'BHD@stripe')
})
afterEach(async () => {
  await t.close()
})

const tx = (id: string, from: string, to: string, amount: string): EntryInput => ({
  id,
  description: id,
  postings: [
    { account: to, debit: amount },
    { account: from, credit: amount },
  ],
})
const post = async (...entries: EntryInput[]) => await postEntries(t.ctx, TEST_ACTOR, entries, { kind: 'manual' })

describe('listEntries', () => {
  it('formats postings at each asset’s scale (JPY has no decimals, BHD three)', async () => {
    await post(tx('a', 'world-jpy', 'treasury-jpy', '15000'), tx('b', 'world-bhd', 'treasury-bhd', '1.5'))
    const [b, a] = (await listEntries(t.ctx, {})).entries
    expect(a!.postings).toEqual([
      { accountId: 'treasury-jpy', assetId: 'JPY@stripe', amount: '15000', debit: '15000', credit: null },
      { accountId: 'world-jpy', assetId: 'JPY@stripe', amount: '-15000', debit: null, credit: '15000' },
    ])
    expect(b!.postings[1]).toEqual({ accountId: 'world-bhd', assetId: 'BHD@stripe', amount: '-1.500', debit: null, credit: '1.500' })
    expect(a).toMatchObject({
      kind: 'manual',
      createdBy: TEST_ACTOR,
      createdAt: '2026-01-15T09:00:00.000Z',
      date: '2026-01-15',
      metadata: {},
    })
  })

  it('pages newest first with nextBeforeSeq, overall and per account', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `e${i}`)
    await post(...ids.map((id, i) => (i % 2 === 0 ? tx(id, 'world-jpy', 'treasury-jpy', '10') : tx(id, 'world-bhd', 'treasury-bhd', '1'))))
    const seen: string[] = []
    let before: number | undefined
    for (let page = 0; page < 10; page++) {
      const r = await listEntries(t.ctx, { limit: 3, ...(before === undefined ? {} : { beforeSeq: before }) })
      seen.push(...r.entries.map((e) => e.id))
      if (r.nextBeforeSeq === null) break
      before = r.nextBeforeSeq
    }
    expect(seen).toEqual([...ids].reverse())
    const jpy = await listEntries(t.ctx, { accountId: 'treasury-jpy', limit: 2 })
    expect(jpy.entries.map((e) => e.id)).toEqual(['e6', 'e4'])
    expect((await listEntries(t.ctx, { accountId: 'treasury-jpy', beforeSeq: jpy.nextBeforeSeq! })).entries.map((e) => e.id)).toEqual([
      'e2',
      'e0',
    ])
    expect(await listEntries(t.ctx, { accountId: 'nobody' })).toEqual({ entries: [], nextBeforeSeq: null })
  })
})

describe('getBalances and getSummary', () => {
  it('report balances on each account’s normal side, available net of holds, and dashboard totals', async () => {
    await post(
      tx('fund', 'world-jpy', 'treasury-jpy', '100000'),
      tx('pay', 'treasury-jpy', 'payee-jpy', '30000'),
      tx('fee', 'treasury-jpy', 'fees-jpy', '500'),
    )
    await post(tx('lock', 'treasury-jpy', 'escrow-jpy', '9500'))
    await createHold(t.ctx, TEST_ACTOR, {
      id: 'h',
      debitAccountId: 'payee-jpy',
      creditAccountId: 'treasury-jpy',
      amount: '20000',
      description: 'in flight',
    })
    const b = new Map((await getBalances(t.ctx, { assetId: 'JPY@stripe' })).map((x) => [x.accountId, x]))
    expect(b.get('world-jpy')).toMatchObject({ kind: 'external', balance: '100000', creditsPosted: '100000' })
    expect(b.get('treasury-jpy')).toMatchObject({ balance: '60000', available: '40000', creditsPending: '20000' })
    expect(b.get('payee-jpy')).toMatchObject({ balance: '30000', available: '30000', debitsPending: '20000' })
    expect((await getBalances(t.ctx, { kind: 'treasury' })).map((x) => x.accountId)).toEqual(['treasury-bhd', 'treasury-jpy'])

    expect(await getSummary(t.ctx)).toEqual([
      {
        assetId: 'BHD@stripe',
        assetCode: 'BHD',
        network: 'stripe',
        rail: 'stripe',
        scale: 3,
        treasury: '0.000',
        treasuryAvailable: '0.000',
        escrow: '0.000',
        paidOut: '0.000',
        fees: '0.000',
        accounts: 2,
        payeeAccounts: 0,
      },
      {
        assetId: 'JPY@stripe',
        assetCode: 'JPY',
        network: 'stripe',
        rail: 'stripe',
        scale: 0,
        treasury: '60000',
        treasuryAvailable: '40000',
        escrow: '9500',
        paidOut: '30000',
        fees: '500',
        accounts: 5,
        payeeAccounts: 1,
      },
    ])
  })
})
