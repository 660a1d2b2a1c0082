/** The checker must find what is wrong, or the property tests that lean on it prove nothing. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkLedgerInvariants } from './checkLedgerInvariants'
import { createHold } from './createHold'
import { postEntries } from './postEntries'
import { postHold } from './postHold'
import { sqlRun } from '../../../../test/dbSql'
import { openAccount, openTestLedger, TEST_ACTOR, type TestLedger } from './testKit'

let t: TestLedger
beforeEach(async () => {
  t = await openTestLedger()
  await openAccount(t.ctx, 'world', 'external', 'USD@stripe')
  await openAccount(t.ctx, 'treasury', 'treasury', 'USD@stripe')
  await openAccount(t.ctx, 'payee', 'payee', 'USD@stripe')
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
  await createHold(t.ctx, TEST_ACTOR, {
    id: 'pending',
    debitAccountId: 'payee',
    creditAccountId: 'treasury',
    amount: '10',
    description: 'x',
  })
  await createHold(t.ctx, TEST_ACTOR, { id: 'done', debitAccountId: 'payee', creditAccountId: 'treasury', amount: '10', description: 'x' })
  await postHold(t.ctx, TEST_ACTOR, { holdId: 'done', amount: '4' })
})
afterEach(async () => {
  await t.close()
})

describe('checkLedgerInvariants', () => {
  it('finds nothing wrong with sound books', async () => {
    expect(await checkLedgerInvariants(t.ctx)).toEqual([])
  })

  it.each([
    [
      'a balance that is not the sum of postings',
      "UPDATE balances SET debits_posted = '10001' WHERE account_id = 'treasury'",
      /treasury: debits_posted 10001 but its postings sum to 10000/,
    ],
    [
      'a posting changed behind the ledger’s back',
      "UPDATE postings SET amount = '9999' WHERE idx = 0 AND entry_seq = 1",
      /entry seq 1: postings sum to -1/,
    ],
    ['a missing posting', 'DELETE FROM postings WHERE idx = 1 AND entry_seq = 1', /entry fund: has 1 posting/],
    [
      'pending that is not the sum of pending holds',
      "UPDATE balances SET credits_pending = '0' WHERE account_id = 'treasury'",
      /credits_pending 0 but its pending holds sum to 1000/,
    ],
    ['a non-canonical amount', "UPDATE balances SET debits_pending = '007' WHERE account_id = 'world'", /not a canonical integer/],
    ['a posted hold without its entry amount', "UPDATE holds SET posted_amount = '500' WHERE id = 'done'", /hold done/],
    [
      'a no-negative account below zero',
      "UPDATE balances SET credits_posted = '10001' WHERE account_id = 'treasury'",
      /treasury: may not go negative/,
    ],
  ])('finds %s', async (_name, change, expected) => {
    await sqlRun(t.ctx.db, change)
    const violations = await checkLedgerInvariants(t.ctx)
    expect(
      violations.some((v) => expected.test(v)),
      violations.join('\n'),
    ).toBe(true)
  })
})
