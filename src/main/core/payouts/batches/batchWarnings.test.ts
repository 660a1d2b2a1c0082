/**
 * A batch keeps its warnings (issue 17, finding 2): the approver — another operator, another
 * window, after a reload — reads what the import flagged; an edit of the rows works them out
 * again (a row added by hand is checked like an imported one, a removed row takes its warnings
 * with it); submitting refreshes them and counts them in the audit row.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ALICE, BOB, DANA, PAYEES, USDC, openDesk, type Desk } from './testKit'

let desk: Desk
beforeEach(async () => {
  desk = await openDesk()
})
afterEach(async () => {
  await desk.close()
})

const HEADER = 'id,rail,network,asset,recipient,amount,memo,reference,name'
/** A known payee in the address book, and an address with the same first and last 4 characters. */
const KNOWN = '0x1111aBaBABababAbAbABABAbaBaBabaBAbab2222'
const LOOKALIKE = '0x1111cdcdCdCdcDcDCdcdCdcdCdcDcDcDCDcD2222'

async function importFile(lines: string[]): Promise<string> {
  const r = await desk.as(ALICE, 'payouts.import', { csv: [HEADER, ...lines].join('\n') + '\n', fileName: 'march.csv' })
  expect(r.issues).toEqual([])
  return r.batchId!
}

const codesByPayout = (warnings: { payoutId: string | null; code: string }[]) =>
  warnings.map((w) => [w.payoutId, w.code] as const).sort(([a, x], [b, y]) => `${a}${x}`.localeCompare(`${b}${y}`))

describe('batch warnings', () => {
  beforeEach(async () => {
    await desk.as(DANA, 'ledger.accounts.add', { id: 'payee-acme', name: 'ACME GmbH', kind: 'payee', assetId: USDC, address: KNOWN })
  })

  it('are stored with the batch and read by the approver, each on its payout', async () => {
    const id = await importFile([
      `p-1,evm,8453,USDC,${PAYEES[0]},10,,INV-1,Anna`,
      `p-2,evm,8453,USDC,${PAYEES[1].toLowerCase()},20,,INV-2,Ben`,
      `p-3,evm,8453,USDC,${PAYEES[0]},10,,INV-3,Anna again`,
      `p-4,evm,8453,USDC,${LOOKALIKE},5,,INV-4,=HYPERLINK("x")`,
      `p-5,evm,8453,USDC,${KNOWN},7,,INV-5,ACME`,
    ])
    // Bob never saw the import: what he reads comes from the database.
    const detail = await desk.as(BOB, 'batches.get', { id })
    // Every row to a payee never paid says so (ACME is in the address book, but was never paid);
    // ACME's row and its look-alike's each point at the other.
    expect(codesByPayout(detail.warnings)).toEqual([
      ['p-1', 'PAYEE_NEW'],
      ['p-2', 'ADDRESS_NO_CHECKSUM'],
      ['p-2', 'PAYEE_NEW'],
      ['p-3', 'PAYEE_NEW'],
      ['p-3', 'PAYMENT_REPEATED'],
      ['p-4', 'PAYEE_LOOKALIKE'],
      ['p-4', 'PAYEE_NEW'],
      ['p-4', 'TEXT_FORMULA_LIKE'],
      ['p-5', 'PAYEE_LOOKALIKE'],
      ['p-5', 'PAYEE_NEW'],
    ])
    const lookalike = detail.warnings.find((w) => w.code === 'PAYEE_LOOKALIKE' && w.payoutId === 'p-4')!
    expect(lookalike).toMatchObject({ row: 5, payoutId: 'p-4' })
    expect(lookalike.problem).toContain('ACME GmbH')
    expect(lookalike.message).toBe(`Row 5, ${lookalike.column}: ${lookalike.problem}`)
    // The import's audit row counts what it stored, by kind.
    const audit = await desk.as(DANA, 'audit.list', { limit: 5 })
    const row = audit.rows.find((r) => r.action === 'payouts.import')!
    expect((row.change as { warnings: unknown }).warnings).toEqual({
      PAYEE_NEW: 5,
      ADDRESS_NO_CHECKSUM: 1,
      PAYMENT_REPEATED: 1,
      PAYEE_LOOKALIKE: 2,
      TEXT_FORMULA_LIKE: 1,
    })
  })

  it('follow the rows: removed with a removed row, worked out for a row added or changed by hand', async () => {
    const id = await importFile([`p-1,evm,8453,USDC,${PAYEES[0]},10,,,`, `p-2,evm,8453,USDC,${PAYEES[0]},10,,,`])
    let detail = await desk.as(BOB, 'batches.get', { id })
    expect(codesByPayout(detail.warnings)).toEqual([
      ['p-1', 'PAYEE_NEW'],
      ['p-2', 'PAYEE_NEW'],
      ['p-2', 'PAYMENT_REPEATED'],
    ])

    // The first row goes: the second is no longer a repeat.
    await desk.as(ALICE, 'batches.rows.remove', { id, payoutIds: ['p-1'] })
    detail = await desk.as(BOB, 'batches.get', { id })
    expect(codesByPayout(detail.warnings)).toEqual([['p-2', 'PAYEE_NEW']])

    // A row typed in by hand, all lower case and next to a known payee's look-alike.
    await desk.as(ALICE, 'batches.rows.add', { id, rows: [{ id: 'h-1', assetId: USDC, recipient: LOOKALIKE.toLowerCase(), amount: '3' }] })
    detail = await desk.as(BOB, 'batches.get', { id })
    expect(codesByPayout(detail.warnings)).toEqual([
      ['h-1', 'ADDRESS_NO_CHECKSUM'],
      ['h-1', 'PAYEE_LOOKALIKE'],
      ['h-1', 'PAYEE_NEW'],
      ['p-2', 'PAYEE_NEW'],
    ])

    // Another row's amount changes: the hand-typed row keeps its "no checksum" (the stored address is checksummed).
    await desk.as(ALICE, 'batches.rows.update', { id, payoutId: 'p-2', changes: { amount: '11' } })
    detail = await desk.as(BOB, 'batches.get', { id })
    expect(codesByPayout(detail.warnings).filter(([p]) => p === 'h-1')).toEqual([
      ['h-1', 'ADDRESS_NO_CHECKSUM'],
      ['h-1', 'PAYEE_LOOKALIKE'],
      ['h-1', 'PAYEE_NEW'],
    ])

    // Corrected to the known payee itself, typed with its checksum: no look-alike, no checksum
    // warning; ACME is in the address book but was never paid, so it is still a new payee.
    await desk.as(ALICE, 'batches.rows.update', { id, payoutId: 'h-1', changes: { recipient: KNOWN } })
    detail = await desk.as(BOB, 'batches.get', { id })
    expect(codesByPayout(detail.warnings)).toEqual([
      ['h-1', 'PAYEE_NEW'],
      ['p-2', 'PAYEE_NEW'],
    ])
  })

  it('are worked out again at submit, and the submission audit row counts them', async () => {
    const id = await importFile([`p-1,evm,8453,USDC,${PAYEES[0]},10,,,`, `p-2,evm,8453,USDC,${PAYEES[1]},10,,,`])
    // Behind the batch's back (as a bug or a hand edit could): the stored warnings are lost.
    const db = desk.core.ctx.db
    await db.run(db.k.deleteFrom('batch_warnings').where('batch_id', '=', id))
    expect((await desk.as(BOB, 'batches.get', { id })).warnings).toEqual([])

    await desk.as(ALICE, 'batches.submit', { id })
    const detail = await desk.as(BOB, 'batches.get', { id })
    expect(codesByPayout(detail.warnings)).toEqual([
      ['p-1', 'PAYEE_NEW'],
      ['p-2', 'PAYEE_NEW'],
    ])
    const audit = await desk.as(DANA, 'audit.list', { limit: 5 })
    const submittedRow = audit.rows.find((r) => r.action === 'batches.transition')!
    expect(submittedRow.change).toMatchObject({ to: 'awaiting_approval', warnings: { PAYEE_NEW: 2 } })
  })
})
