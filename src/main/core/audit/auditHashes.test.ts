/**
 * The hash-chained audit log is the same on both backends: the same operations, with the same
 * clock and ids, end at the same head hash — asserted as one constant, so the SQLite pass and the
 * PostgreSQL pass (COUNTERSIGN_TEST_DB=postgres) each prove it against the other.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { readAuditHead } from './appendAudit'
import { verifyAudit } from './verifyAudit'
import { openTestLedger, openAccount, TEST_ACTOR, type TestLedger } from '../ledger/testKit'
import { createHold, postEntries, postHold } from '../ledger'

/** The head after the operations below; any change to hashing, canonical JSON or a stored value moves it. */
const EXPECTED_HEAD = { seq: 7, hash: '33045e3d9456c26aee8f19cd9f808fe8298803ac7b2eac1844fa8d341dd6264c' }

let t: TestLedger
afterEach(async () => t?.close())

describe('audit hashes across backends', () => {
  it('the same operations give the same audit head on SQLite and PostgreSQL', async () => {
    t = await openTestLedger({ start: '2026-03-01T08:00:00.000Z' })
    await openAccount(t.ctx, 'treasury', 'treasury', 'USDC@evm:1')
    await openAccount(t.ctx, 'opening', 'external', 'USDC@evm:1')
    await openAccount(t.ctx, 'payee', 'payee', 'USDC@evm:1')
    t.clock.advance(1_000)
    await postEntries(
      t.ctx,
      TEST_ACTOR,
      [
        {
          id: 'open-1',
          description: 'Opening — 115792089237316195423570985008687907853269984665640564039457584007913129.639935 USDC',
          postings: [
            { account: 'treasury', debit: '115792089237316195423570985008687907853269984665640564039457584007913129.639935' },
            { account: 'opening', credit: '115792089237316195423570985008687907853269984665640564039457584007913129.639935' },
          ],
          metadata: { invoice: 'INV-7', ünïcode: 'ꝏ 𝄞' },
        },
      ],
      { kind: 'manual' },
    )
    t.clock.advance(1_000)
    await createHold(t.ctx, TEST_ACTOR, {
      id: 'h1',
      debitAccountId: 'payee',
      creditAccountId: 'treasury',
      amount: '12.345678',
      description: 'Escrow',
    })
    t.clock.advance(1_000)
    await postHold(t.ctx, TEST_ACTOR, { holdId: 'h1', amount: '10' })
    const head = await readAuditHead(t.ctx)
    expect((await verifyAudit(t.ctx)).ok).toBe(true)
    expect(head).toEqual(EXPECTED_HEAD)
  })
})
