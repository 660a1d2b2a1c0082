import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EntryInput } from '../../../shared/ledgerApi'
import { AMOUNT_MAX, formatAmount } from '../../../shared/money'
import { listAuditRows } from '../audit/listAuditRows'
import { verifyAudit } from '../audit/verifyAudit'
import { canonicalJson } from '../util/canonicalJson'
import { checkLedgerInvariants } from './checkLedgerInvariants'
import { createHold } from './createHold'
import { getBalances } from './getBalances'
import { listEntries } from './listEntries'
import { AUDIT_ENTRY_IDS_MAX, postEntries } from './postEntries'
import { errorOf, openAccount, openTestLedger, snapshotLedger, TEST_ACTOR, type TestLedger } from './testKit'
import { EntryLineBuilder } from './entryLineBuilder'

const USDC = 'USDC@evm:1'
const ETH = 'ETH@evm:1'
const JPY = 'JPY@stripe'

let t: TestLedger
beforeEach(async () => {
  t = await openTestLedger()
  await openAccount(t.ctx, 'world-usdc', 'external', USDC)
  await openAccount(t.ctx, 'treasury-usdc', 'treasury', USDC)
  await openAccount(t.ctx, 'payee-usdc', 'payee', USDC)
  await openAccount(t.ctx, 'world-eth', 'external', ETH)
  await openAccount(t.ctx, 'treasury-eth', 'treasury', ETH)
  await openAccount(t.ctx, 'world-jpy', 'external', JPY)
  await openAccount(t.ctx, 'treasury-jpy', 'treasury', JPY)
})
afterEach(async () => {
  await t.close()
})

const post = async (entries: EntryInput[]) => await postEntries(t.ctx, TEST_ACTOR, entries, { kind: 'manual' })
const transfer = (id: string, from: string, to: string, amount: string, extra: Partial<EntryInput> = {}): EntryInput => ({
  id,
  description: `transfer ${id}`,
  postings: [
    { account: to, debit: amount },
    { account: from, credit: amount },
  ],
  ...extra,
})
const balanceOf = async (accountId: string) => (await getBalances(t.ctx, {})).find((b) => b.accountId === accountId)!
/** Post an entry expected to be refused; assert it changed nothing; return the error. */
const refused = async (entries: EntryInput[]) => {
  const before = await snapshotLedger(t.ctx)
  const error = await errorOf(() => post(entries))
  expect(await snapshotLedger(t.ctx)).toEqual(before)
  return error
}

describe('postEntries — amounts at the ledger edge', () => {
  it('posts exact amounts and moves both balances', async () => {
    expect(await post([transfer('open-1', 'world-usdc', 'treasury-usdc', '1250.5')])).toEqual({ posted: ['open-1'], replayed: [] })
    expect(await balanceOf('treasury-usdc')).toMatchObject({
      debitsPosted: '1250.500000',
      creditsPosted: '0.000000',
      balance: '1250.500000',
      available: '1250.500000',
    })
    expect(await balanceOf('world-usdc')).toMatchObject({ creditsPosted: '1250.500000', balance: '1250.500000' })
    expect(await checkLedgerInvariants(t.ctx)).toEqual([])
  })

  it('refuses more decimals than the asset has, naming entry, posting and asset — and never rounds', async () => {
    const e = await refused([transfer('over-precise', 'world-usdc', 'treasury-usdc', '1.0000001')])
    expect(e.code).toBe('AMOUNT_PRECISION')
    expect(e.message).toContain('Entry "over-precise"')
    expect(e.message).toContain('postings[0].debit')
    expect(e.message).toContain('more than 6 decimals for USDC')
    expect((await refused([transfer('yen', 'world-jpy', 'treasury-jpy', '100.5')])).code).toBe('AMOUNT_PRECISION')
  })

  it('accepts trailing zeros beyond the scale (they add no precision)', async () => {
    await post([transfer('yen', 'world-jpy', 'treasury-jpy', '100.000')])
    expect((await balanceOf('treasury-jpy')).balance).toBe('100')
  })

  it('refuses a zero amount', async () => {
    const e = await refused([transfer('zero', 'world-usdc', 'treasury-usdc', '0.000')])
    expect(e.code).toBe('AMOUNT_INVALID')
    expect(e.message).toContain('postings[0].debit')
  })

  it('refuses a negative amount and says to use the other side', async () => {
    const e = await refused([
      {
        id: 'neg',
        description: 'credit/debit confusion',
        postings: [
          { account: 'treasury-usdc', debit: '-5' },
          { account: 'world-usdc', debit: '5' },
        ],
      },
    ])
    expect(e.code).toBe('AMOUNT_INVALID')
    expect(e.message).toContain('postings[0].debit')
    expect(e.message).toContain('put 5 in credit instead')
  })

  it('refuses malformed amounts and a posting with both or neither side', async () => {
    expect((await refused([transfer('bad', 'world-usdc', 'treasury-usdc', '1e6')])).code).toBe('AMOUNT_INVALID')
    expect((await refused([transfer('bad', 'world-usdc', 'treasury-usdc', '1,000')])).code).toBe('AMOUNT_INVALID')
    const both = await refused([
      {
        id: 'both',
        description: 'x',
        postings: [
          { account: 'treasury-usdc', debit: '1', credit: '1' },
          { account: 'world-usdc', credit: '1' },
        ],
      },
    ])
    expect(both).toMatchObject({ code: 'ENTRY_INVALID' })
    expect(both.message).toContain('postings[0]')
    expect(
      (
        await refused([
          { id: 'neither', description: 'x', postings: [{ account: 'treasury-usdc' }, { account: 'world-usdc', credit: '1' }] },
        ])
      ).code,
    ).toBe('ENTRY_INVALID')
  })

  it('refuses amounts beyond uint256', async () => {
    const tooBig = formatAmount(AMOUNT_MAX + 1n, 18)
    expect((await refused([transfer('big', 'world-eth', 'treasury-eth', tooBig)])).code).toBe('AMOUNT_RANGE')
  })

  it('refuses an unknown account, naming the posting', async () => {
    const e = await refused([transfer('ghost', 'world-usdc', 'no-such-account', '1')])
    expect(e.code).toBe('ACCOUNT_NOT_FOUND')
    expect(e.message).toContain('postings[0].account')
    expect(e.message).toContain('"no-such-account"')
  })

  it('refuses an unbalanced entry, naming the asset and the exact difference', async () => {
    const e = await refused([
      {
        id: 'unbalanced',
        description: 'x',
        postings: [
          { account: 'treasury-usdc', debit: '10' },
          { account: 'world-usdc', credit: '9.999999' },
        ],
      },
    ])
    expect(e.code).toBe('ENTRY_UNBALANCED')
    expect(e.message).toContain(USDC)
    expect(e.message).toContain('debits exceed credits by 0.000001 USDC')
  })

  it('posts a multi-asset entry when each asset balances, and refuses it when one does not', async () => {
    const swap = (ethCredit: string): EntryInput => ({
      id: 'multi',
      description: 'opening balances in two assets',
      postings: [
        { account: 'treasury-usdc', debit: '100' },
        { account: 'treasury-eth', debit: '2.5' },
        { account: 'world-usdc', credit: '60' },
        { account: 'world-usdc', credit: '40' },
        { account: 'world-eth', credit: ethCredit },
      ],
    })
    const e = await refused([swap('2.4')])
    expect(e.code).toBe('ENTRY_UNBALANCED')
    expect(e.message).toContain(ETH)
    expect(e.message).toContain('debits exceed credits by 0.100000000000000000 ETH')
    expect((await post([swap('2.5')])).posted).toEqual(['multi'])
    expect((await balanceOf('treasury-eth')).balance).toBe('2.500000000000000000')
    expect((await balanceOf('world-usdc')).creditsPosted).toBe('100.000000')
    expect(await checkLedgerInvariants(t.ctx)).toEqual([])
  })

  it('refuses an entry with fewer than two postings, a bad date, or a reserved hold id', async () => {
    expect((await refused([{ id: 'one', description: 'x', postings: [{ account: 'treasury-usdc', debit: '1' }] }])).code).toBe(
      'ENTRY_INVALID',
    )
    const badDate = await refused([transfer('d', 'world-usdc', 'treasury-usdc', '1', { date: '2026-02-30' })])
    expect(badDate).toMatchObject({ code: 'ENTRY_INVALID', details: { field: 'date' } })
    expect((await refused([transfer('hold:x:post', 'world-usdc', 'treasury-usdc', '1')])).code).toBe('ENTRY_INVALID')
  })
})

describe('postEntries — overdraft rule', () => {
  it('refuses taking a treasury below zero, naming account, available and needed', async () => {
    await post([transfer('fund', 'world-usdc', 'treasury-usdc', '100')])
    const e = await refused([transfer('pay', 'treasury-usdc', 'payee-usdc', '100.000001')])
    expect(e.code).toBe('INSUFFICIENT_FUNDS')
    expect(e.message).toContain('"treasury-usdc"')
    expect(e.message).toContain('has 100.000000 USDC available')
    expect(e.message).toContain('needs 100.000001 USDC')
    await post([transfer('pay', 'treasury-usdc', 'payee-usdc', '100')])
    expect((await balanceOf('treasury-usdc')).balance).toBe('0.000000')
  })

  it('counts earlier entries of the same batch', async () => {
    expect(
      (await post([transfer('fund', 'world-usdc', 'treasury-usdc', '10'), transfer('pay', 'treasury-usdc', 'payee-usdc', '10')])).posted,
    ).toEqual(['fund', 'pay'])
    const e = await refused([
      transfer('fund-2', 'world-usdc', 'treasury-usdc', '5'),
      transfer('pay-2', 'treasury-usdc', 'payee-usdc', '5'),
      transfer('pay-3', 'treasury-usdc', 'payee-usdc', '0.01'),
    ])
    expect(e.code).toBe('INSUFFICIENT_FUNDS')
    expect(e.message).toContain('Entry "pay-3" (3 of 3)')
  })

  it('counts pending holds against what is available', async () => {
    await post([transfer('fund', 'world-usdc', 'treasury-usdc', '100')])
    await createHold(t.ctx, TEST_ACTOR, {
      id: 'h1',
      debitAccountId: 'payee-usdc',
      creditAccountId: 'treasury-usdc',
      amount: '70',
      description: 'payout in flight',
    })
    const e = await refused([transfer('pay', 'treasury-usdc', 'payee-usdc', '30.000001')])
    expect(e.message).toContain('has 30.000000 USDC available')
    await post([transfer('pay', 'treasury-usdc', 'payee-usdc', '30')])
    expect(await balanceOf('treasury-usdc')).toMatchObject({ balance: '70.000000', available: '0.000000' })
  })

  it('lets accounts that allow it go below zero (external, clearing)', async () => {
    await openAccount(t.ctx, 'clearing-usdc', 'clearing', USDC)
    await post([transfer('out', 'clearing-usdc', 'world-usdc', '5')])
    expect((await balanceOf('clearing-usdc')).balance).toBe('-5.000000')
    expect((await balanceOf('world-usdc')).balance).toBe('-5.000000')
  })

  it('judges an entry by its net effect on an account', async () => {
    await post([transfer('fund', 'world-usdc', 'treasury-usdc', '10')])
    // Takes 15 out of treasury but puts 6 back in the same entry: net −9 of 10 available.
    await post([
      {
        id: 'net',
        description: 'net effect',
        postings: [
          { account: 'treasury-usdc', credit: '15' },
          { account: 'treasury-usdc', debit: '6' },
          { account: 'payee-usdc', debit: '9' },
        ],
      },
    ])
    expect((await balanceOf('treasury-usdc')).balance).toBe('1.000000')
  })
})

describe('postEntries — idempotency', () => {
  it('replays the same id and content without writing anything or auditing', async () => {
    await post([transfer('fund', 'world-usdc', 'treasury-usdc', '10')])
    const before = await snapshotLedger(t.ctx)
    expect(await post([transfer('fund', 'world-usdc', 'treasury-usdc', '10.000000')])).toEqual({ posted: [], replayed: ['fund'] })
    expect(await snapshotLedger(t.ctx)).toEqual(before)
    expect((await balanceOf('treasury-usdc')).balance).toBe('10.000000')
  })

  it('matches a replay without a date to whatever date was stored', async () => {
    await post([transfer('dated', 'world-usdc', 'treasury-usdc', '1', { date: '2025-12-31' })])
    t.clock.advance(3 * 24 * 3600_000)
    expect((await post([transfer('dated', 'world-usdc', 'treasury-usdc', '1')])).replayed).toEqual(['dated'])
    expect((await errorOf(() => post([transfer('dated', 'world-usdc', 'treasury-usdc', '1', { date: '2026-01-18' })]))).code).toBe(
      'ENTRY_CONFLICT',
    )
  })

  it('defaults the date to the clock’s UTC date', async () => {
    t.clock.set('2026-03-31T23:30:00.000Z')
    await post([transfer('late', 'world-usdc', 'treasury-usdc', '1')])
    expect((await listEntries(t.ctx, {})).entries[0]!.date).toBe('2026-03-31')
  })

  it('treats a duplicate id inside one batch as a replay if identical, a conflict if not', async () => {
    const a = transfer('dup', 'world-usdc', 'treasury-usdc', '1')
    expect(await post([a, a, transfer('other', 'world-usdc', 'treasury-usdc', '2')])).toEqual({
      posted: ['dup', 'other'],
      replayed: ['dup'],
    })
    expect((await balanceOf('treasury-usdc')).balance).toBe('3.000000')
    const e = await refused([
      transfer('dup-2', 'world-usdc', 'treasury-usdc', '1'),
      transfer('dup-2', 'world-usdc', 'treasury-usdc', '1.5'),
    ])
    expect(e.code).toBe('ENTRY_CONFLICT')
    expect(e.message).toContain('Entry "dup-2" (2 of 2)')
    expect(e.message).toContain('postings[0].amount')
  })
})

describe('postEntries — atomicity', () => {
  it('writes nothing from a 1,000-entry batch whose entry #700 is bad, and names #700', async () => {
    await post([transfer('fund', 'world-usdc', 'treasury-usdc', '1000000')])
    const batch = Array.from({ length: 1000 }, (_, i) =>
      transfer(`batch-${String(i + 1).padStart(4, '0')}`, 'treasury-usdc', 'payee-usdc', `${i + 1}.25`),
    )
    batch[699] = transfer('batch-0700', 'treasury-usdc', 'payee-usdc', '12.3456789')
    const e = await refused(batch)
    expect(e.code).toBe('AMOUNT_PRECISION')
    expect(e.message).toContain('Entry "batch-0700" (700 of 1000)')
    expect((await listEntries(t.ctx, {})).entries.map((x) => x.id)).toEqual(['fund'])

    // Same with a failure only the ledger state can reveal (overdraft at #700).
    const big = batch.map((x, i) => (i === 699 ? transfer('batch-0700', 'treasury-usdc', 'payee-usdc', '999999') : x))
    const e2 = await refused(big)
    expect(e2.code).toBe('INSUFFICIENT_FUNDS')
    expect(e2.message).toContain('"batch-0700"')
    expect(await checkLedgerInvariants(t.ctx)).toEqual([])
  })
})

describe('postEntries — exactness at the extremes', () => {
  it('keeps 10^30 minor units and 2^256 − 1 exact through post, balance and listEntries', async () => {
    const e30 = formatAmount(10n ** 30n, 18) // 1,000,000,000,000.000000000000000000 ETH
    const max = formatAmount(AMOUNT_MAX, 18)
    const rest = formatAmount(AMOUNT_MAX - 10n ** 30n, 18)
    expect(e30).toBe('1000000000000.000000000000000000')
    expect(max).toBe('115792089237316195423570985008687907853269984665640564039457.584007913129639935')
    await post([transfer('e30', 'world-eth', 'treasury-eth', e30)])
    // Up to exactly 2^256 − 1 (literal computed independently, with Python ints): the balance stays exact.
    expect(rest).toBe('115792089237316195423570985008687907853269984664640564039457.584007913129639935')
    await post([transfer('rest', 'world-eth', 'treasury-eth', rest)])
    expect(await balanceOf('treasury-eth')).toMatchObject({ debitsPosted: max, balance: max, available: max })
    expect(await balanceOf('world-eth')).toMatchObject({ creditsPosted: max, balance: max })
    const entries = (await listEntries(t.ctx, {})).entries
    expect(entries.map((x) => x.id)).toEqual(['rest', 'e30'])
    expect(entries[0]!.postings).toEqual([
      { accountId: 'treasury-eth', assetId: ETH, amount: rest, debit: rest, credit: null },
      { accountId: 'world-eth', assetId: ETH, amount: `-${rest}`, debit: null, credit: rest },
    ])
    expect(entries[1]!.postings[0]!.debit).toBe(e30)
    // And back out, to exactly zero.
    await post([transfer('back-1', 'treasury-eth', 'world-eth', rest), transfer('back-2', 'treasury-eth', 'world-eth', e30)])
    expect((await balanceOf('treasury-eth')).balance).toBe('0.000000000000000000')
    expect(await checkLedgerInvariants(t.ctx)).toEqual([])
  })

  it('refuses a posting or hold that would take a balance beyond 2^256 − 1, naming the entry and the account', async () => {
    const max = formatAmount(AMOUNT_MAX, 18)
    const wei = formatAmount(1n, 18)
    await post([transfer('max', 'world-eth', 'treasury-eth', max)])
    // The attack report's case: 2^256 − 1 posted onto an existing balance.
    const e = await refused([transfer('over', 'world-eth', 'treasury-eth', max)])
    expect(e.code).toBe('BALANCE_RANGE')
    expect(e.message).toContain('Entry "over"')
    expect(e.message).toContain('"treasury-eth"')
    expect(e.details).toEqual({ entryId: 'over', entryIndex: 0, accountId: 'treasury-eth' })
    // One minor unit is enough, and the refusal takes the whole call back.
    const e2 = await refused([transfer('fine', 'world-usdc', 'treasury-usdc', '1'), transfer('wei', 'world-eth', 'treasury-eth', wei)])
    expect(e2.code).toBe('BALANCE_RANGE')
    expect(e2.message).toContain('Entry "wei" (2 of 2)')
    // Debits and credits are sums that only grow: moving the money out does not make room again.
    await post([transfer('out', 'treasury-eth', 'world-eth', max)])
    expect((await balanceOf('treasury-eth')).balance).toBe('0.000000000000000000')
    expect((await refused([transfer('back-in', 'world-eth', 'treasury-eth', wei)])).code).toBe('BALANCE_RANGE')

    // Pending amounts obey the same bound.
    const maxUsdc = formatAmount(AMOUNT_MAX, 6)
    const hold = (id: string, amount: string) =>
      createHold(t.ctx, TEST_ACTOR, { id, debitAccountId: 'payee-usdc', creditAccountId: 'world-usdc', amount, description: id })
    await hold('h-max', maxUsdc)
    const before = await snapshotLedger(t.ctx)
    const e3 = await errorOf(() => hold('h-one', '0.000001'))
    expect(e3.code).toBe('BALANCE_RANGE')
    expect(e3.details).toEqual({ holdId: 'h-one', accountId: 'payee-usdc' })
    expect(await snapshotLedger(t.ctx)).toEqual(before)
    expect(await checkLedgerInvariants(t.ctx)).toEqual([])
    expect((await verifyAudit(t.ctx)).ok).toBe(true)
  })
})

describe('postEntries — audit and events', () => {
  it('records a single entry in full, in the same transaction, as the actor', async () => {
    await post([transfer('fund', 'world-usdc', 'treasury-usdc', '10', { metadata: { ref: 'bank-123' } })])
    const row = (await listAuditRows(t.ctx, { subject: 'entry:fund' })).rows[0]!
    expect(row).toMatchObject({ actor: TEST_ACTOR, action: 'ledger.entries.post' })
    expect(row.change).toMatchObject({
      count: 1,
      ids: ['fund'],
      entry: {
        id: 'fund',
        date: '2026-01-15',
        kind: 'manual',
        description: 'transfer fund',
        metadata: { ref: 'bank-123' },
        postings: [
          { account: 'treasury-usdc', asset: USDC, amount: '10.000000' },
          { account: 'world-usdc', asset: USDC, amount: '-10.000000' },
        ],
      },
    })
    expect((await verifyAudit(t.ctx)).ok).toBe(true)
  })

  it('caps the ids of a large batch and keeps a digest anyone can recompute from the rows', async () => {
    const n = AUDIT_ENTRY_IDS_MAX + 20
    const batch = Array.from({ length: n }, (_, i) =>
      transfer(`b-${i}`, 'world-usdc', 'treasury-usdc', `${i + 1}`, { metadata: { row: String(i) } }),
    )
    await post(batch)
    const rows = (await listAuditRows(t.ctx, {})).rows.filter((r) => r.action === 'ledger.entries.post')
    expect(rows).toHaveLength(1)
    const change = rows[0]!.change as { count: number; ids: string[]; idsOmitted: number; digest: string; entry?: unknown }
    expect(change).toMatchObject({ count: n, idsOmitted: 20 })
    expect(change.ids).toHaveLength(AUDIT_ENTRY_IDS_MAX)
    expect(change.entry).toBeUndefined()
    const lines = (await listEntries(t.ctx, { limit: 1000 })).entries
      .reverse()
      .map((e) =>
        canonicalJson([
          e.id,
          e.date,
          e.kind,
          e.description,
          e.metadata,
          e.postings.map((p) => [p.accountId, String(BigInt(p.amount.replace('.', '')))]),
        ]),
      )
    expect(change.digest).toBe(createHash('sha256').update(lines.join('\n')).digest('hex'))
  })

  it('builds the digest line exactly as canonicalJson would, escapes included', () => {
    const builder = new EntryLineBuilder('manual')
    for (const description of ['plain', 'quote " back \\ tab \t emoji 😀 lone \ud800', 'plain']) {
      builder.begin('x', '2026-01-01', description, canonicalJson({ b: '2', a: '1' }))
      builder.posting('treasury-usdc', '5')
      builder.posting('we"ird', '-5')
      expect(builder.end()).toBe(
        canonicalJson([
          'x',
          '2026-01-01',
          'manual',
          description,
          { a: '1', b: '2' },
          [
            ['treasury-usdc', '5'],
            ['we"ird', '-5'],
          ],
        ]),
      )
    }
  })

  it('emits ledger.changed after commit with the touched accounts, and nothing on refusal or replay', async () => {
    t.events.length = 0
    await post([transfer('fund', 'world-usdc', 'treasury-usdc', '10')])
    expect(t.events).toEqual([{ event: 'ledger.changed', payload: { accountIds: ['treasury-usdc', 'world-usdc'] } }])
    t.events.length = 0
    await post([transfer('fund', 'world-usdc', 'treasury-usdc', '10')])
    await refused([transfer('pay', 'treasury-usdc', 'payee-usdc', '11')])
    expect(t.events).toEqual([])
  })

  it('sees committed data from inside the event listener', async () => {
    // The listener stays synchronous (the core does not await listeners): it notes whether it runs
    // inside the transaction and starts a read, which must see the committed entry.
    let inTransaction: boolean | undefined
    let seen: Promise<string> | undefined
    t.ctx.events.subscribe(() => {
      inTransaction = t.ctx.db.inTransaction()
      seen = balanceOf('treasury-usdc').then((b) => b.balance)
    })
    await post([transfer('fund', 'world-usdc', 'treasury-usdc', '10')])
    expect(inTransaction).toBe(false)
    expect(await seen).toBe('10.000000')
  })
})
