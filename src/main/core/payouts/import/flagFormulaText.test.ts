/** A formula-like name, reference or memo is flagged as a warning; the row is still imported as text. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { importPayoutCsv } from './importPayoutCsv'
import { HEADER, NEW_A, NEW_B, openImportWorld, STELLAR_G1, type ImportWorld } from './importTestKit'

let w: ImportWorld
beforeEach(async () => {
  w = await openImportWorld()
})
afterEach(async () => {
  await w.close()
})

const csv = (...lines: string[]) => [HEADER, ...lines].join('\n') + '\n'

describe('import: formula-like text', () => {
  it('warns on each cell that starts with = + - or @, and stores the rows with their text unchanged', async () => {
    const r = await importPayoutCsv(
      w.core.ctx,
      w.operatorId,
      {
        csv: csv(
          `p-1,evm,8453,USDC,${NEW_A},10,,INV-1,"=HYPERLINK(""http://x"")"`,
          `p-2,evm,8453,USDC,${NEW_B},11,,@SUM(A1),Plain Name`,
          `p-3,stellar,testnet,XLM,${STELLAR_G1},12,+1+1,-INV-3,`,
          `p-4,evm,8453,USDC,${NEW_B},13,,a=b,Anna - Müller`,
        ),
      },
      { newBatchId: () => 'b_000000000001' },
    )
    expect(r.issues).toEqual([])
    expect(r.batchId).toBe('b_000000000001')
    const flagged = r.warnings.filter((x) => x.code === 'TEXT_FORMULA_LIKE')
    expect(flagged.map((x) => [x.row, x.column])).toEqual([
      [2, 'name'],
      [3, 'reference'],
      [4, 'memo'],
      [4, 'reference'],
    ])
    expect(flagged[0]!.message).toBe(
      `Row 2, name: the name starts with "=", which a spreadsheet would run as a formula — check where this file came from; Countersign keeps it as text and writes it with a leading ' in its CSV exports.`,
    )
    const db = w.core.ctx.db
    const stored = await db.all(db.k.selectFrom('payouts').select(['id', 'name', 'reference', 'memo']).orderBy('row_no'))
    expect(stored[0]).toEqual({ id: 'p-1', name: '=HYPERLINK("http://x")', reference: 'INV-1', memo: null })
    expect(stored[2]).toEqual({ id: 'p-3', name: null, reference: '-INV-3', memo: '+1+1' })
  })
})
