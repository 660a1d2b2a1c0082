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

/**
 * The head after the operations below; any change to hashing, canonical JSON or a stored value moves it.
 * (Moved with row seals, 0009: the entry, hold and hold-post rows now carry the digest of the rows
 * they wrote, and that digest is part of their hash.)
 */
const EXPECTED_HEAD = { seq: 7, hash: '8734eb3e13568bb2784dc8c126514ae4cbbc8223e67bc0d13d8685231b4cbc53' }

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
