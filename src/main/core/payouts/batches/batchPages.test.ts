/**
 * A batch read in pages (issue 17: a 10,000-payout batch page painted its first rows only after
 * every row was read and sent): `batches.get` with `payoutsLimit` carries the first payouts and
 * the warnings about them, `batches.payouts` the rest, and together they are exactly what one
 * `batches.get` without a limit answers — totals, policy and signing plan over every payout.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { BatchWarning, Payout } from '../../../../shared/payoutsApi'
import { ALICE, BOB, PAYEES, openDesk, type Desk } from './testKit'

let desk: Desk
beforeEach(async () => {
  desk = await openDesk()
})
afterEach(async () => {
  await desk.close()
})

const ROWS = 23
const PAGE = 5

/** New payees, repeated payments and addresses without a checksum: warnings on many rows. */
async function importBatch(): Promise<string> {
  const lines = ['id,rail,network,asset,recipient,amount,memo,reference,name']
  for (let i = 0; i < ROWS; i++) {
    const payee = PAYEES[i % PAYEES.length]!
    lines.push(`p-${i},evm,8453,USDC,${i % 4 === 0 ? payee.toLowerCase() : payee},${(i % 6) + 1}.50,,INV-${i},Payee ${i}`)
  }
  const r = await desk.as(ALICE, 'payouts.import', { csv: lines.join('\n') + '\n', fileName: 'march.csv' })
  expect(r.issues).toEqual([])
  return r.batchId!
}

const byKey = (warnings: readonly BatchWarning[]) =>
  [...warnings].sort((a, b) => `${a.payoutId}|${a.code}|${a.message}`.localeCompare(`${b.payoutId}|${b.code}|${b.message}`))

describe('a batch read in pages', () => {
  it('first page and the pages after it add up to the whole batch, with every warning once', async () => {
    const id = await importBatch()
    const { version } = await desk.as(ALICE, 'batches.submit', { id })
    // A signed approval: the page's approvals are checked against every payout, as the whole read's.
    await desk.as(BOB, 'batches.approve', { id, version })

    const whole = await desk.as(BOB, 'batches.get', { id })
    expect(whole.payouts).toHaveLength(ROWS)
    expect(whole.payoutsPage).toEqual({ total: ROWS, nextOffset: null })
    expect(whole.approvals.map((a) => a.signature)).toEqual(['verified'])
    expect(new Set(whole.warnings.map((w) => w.code))).toEqual(new Set(['PAYEE_NEW', 'ADDRESS_NO_CHECKSUM', 'PAYMENT_REPEATED']))

    const first = await desk.as(BOB, 'batches.get', { id, payoutsLimit: PAGE })
    expect(first.payoutsPage).toEqual({ total: ROWS, nextOffset: PAGE })
    expect(first.payouts).toEqual(whole.payouts.slice(0, PAGE))
    // Everything but the payouts and their warnings is the whole batch's.
    const { payouts: _p, warnings: _w, payoutsPage: _pp, ...rest } = first
    const { payouts: _wp, warnings: _ww, payoutsPage: _wpp, ...wholeRest } = whole
    expect(rest).toEqual(wholeRest)
    // The first page's warnings: those about its payouts, and the file's own.
    const firstIds = new Set(first.payouts.map((p) => p.id))
    expect(byKey(first.warnings)).toEqual(byKey(whole.warnings.filter((w) => w.payoutId === null || firstIds.has(w.payoutId))))

    const payouts: Payout[] = [...first.payouts]
    const warnings: BatchWarning[] = [...first.warnings]
    let next = first.payoutsPage.nextOffset
    let pages = 0
    while (next !== null) {
      const page = await desk.as(BOB, 'batches.payouts', { id, offset: next, limit: PAGE })
      expect(page).toMatchObject({ batchId: id, version, offset: next, total: ROWS })
      payouts.push(...page.payouts)
      warnings.push(...page.warnings)
      next = page.nextOffset
      pages++
    }
    expect(pages).toBe(Math.ceil(ROWS / PAGE) - 1)
    expect(payouts).toEqual(whole.payouts)
    expect(byKey(warnings)).toEqual(byKey(whole.warnings))

    // Past the end: nothing, and nothing next.
    const past = await desk.as(BOB, 'batches.payouts', { id, offset: ROWS, limit: PAGE })
    expect(past).toMatchObject({ payouts: [], warnings: [], total: ROWS, nextOffset: null })
  })

  it('a page of a batch that does not exist is refused as the batch is', async () => {
    await expect(desk.as(BOB, 'batches.payouts', { id: 'b_000000000000', offset: 0, limit: PAGE })).rejects.toMatchObject({
      code: 'BATCH_NOT_FOUND',
    })
  })
})
