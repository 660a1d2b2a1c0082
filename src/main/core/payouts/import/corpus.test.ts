/**
 * The bad-input corpus (test/fixtures/csv): each file gives exactly its expected problems, with
 * row and column, and a refused import stores nothing (batches, payouts and audit rows unchanged).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importPayoutCsv } from './importPayoutCsv'
import { openImportWorld, readFixture, type ImportWorld } from './importTestKit'

interface Expected {
  row: number | null
  column: string | null
  code: string
}

const CORPUS: Record<string, { expect: Expected[]; network?: string }> = {
  'bad-checksum.csv': { expect: [{ row: 3, column: 'recipient', code: 'ADDRESS_CHECKSUM' }] },
  'malformed-address.csv': { expect: [{ row: 2, column: 'recipient', code: 'ADDRESS_INVALID' }] },
  'unknown-asset.csv': { expect: [{ row: 2, column: 'asset', code: 'ASSET_UNKNOWN' }] },
  'unknown-network.csv': { expect: [{ row: 2, column: 'network', code: 'NETWORK_UNKNOWN' }] },
  'unknown-rail.csv': { expect: [{ row: 2, column: 'rail', code: 'RAIL_UNKNOWN' }] },
  'zero-amount.csv': { expect: [{ row: 2, column: 'amount', code: 'AMOUNT_INVALID' }] },
  'negative-amount.csv': { expect: [{ row: 2, column: 'amount', code: 'AMOUNT_INVALID' }] },
  'non-numeric-amount.csv': { expect: [{ row: 2, column: 'amount', code: 'AMOUNT_INVALID' }] },
  'over-precise-amount.csv': { expect: [{ row: 14, column: 'amount', code: 'AMOUNT_PRECISION' }] },
  'duplicate-id.csv': { expect: [{ row: 3, column: 'id', code: 'ID_DUPLICATE_IN_FILE' }] },
  'recipient-is-treasury.csv': { expect: [{ row: 2, column: 'recipient', code: 'RECIPIENT_IS_TREASURY' }] },
  'zero-address.csv': { expect: [{ row: 2, column: 'recipient', code: 'RECIPIENT_FORBIDDEN' }] },
  'header-missing-column.csv': { expect: [{ row: 1, column: null, code: 'HEADER_MISSING_COLUMNS' }] },
  'header-unknown-column.csv': { expect: [{ row: 1, column: 'notes', code: 'HEADER_UNKNOWN_COLUMN' }] },
  'header-duplicate-column.csv': { expect: [{ row: 1, column: 'amount', code: 'HEADER_DUPLICATE_COLUMN' }] },
  'no-header.csv': { expect: [{ row: 1, column: null, code: 'HEADER_MISSING_COLUMNS' }] },
  'empty.csv': { expect: [{ row: null, column: null, code: 'FILE_EMPTY' }] },
  'unclosed-quote.csv': { expect: [{ row: 3, column: null, code: 'ROW_MALFORMED' }] },
  'text-after-quote.csv': { expect: [{ row: 2, column: null, code: 'ROW_MALFORMED' }] },
  'unquoted-comma-amount.csv': { expect: [{ row: 2, column: null, code: 'ROW_MALFORMED' }] },
  'unquoted-thousands-amount.csv': { expect: [{ row: 2, column: 'amount', code: 'AMOUNT_INVALID' }] },
  'memo-on-evm.csv': { expect: [{ row: 2, column: 'memo', code: 'MEMO_NOT_SUPPORTED' }] },
  'stellar-memo-too-long.csv': { expect: [{ row: 2, column: 'memo', code: 'MEMO_TOO_LONG' }] },
  'stellar-muxed.csv': { expect: [{ row: 2, column: 'recipient', code: 'ADDRESS_MUXED' }] },
  'stellar-bad-strkey.csv': { expect: [{ row: 2, column: 'recipient', code: 'ADDRESS_INVALID' }] },
  'stripe-bad-account.csv': { expect: [{ row: 2, column: 'recipient', code: 'ADDRESS_INVALID' }] },
  'jpy-decimals.csv': { expect: [{ row: 2, column: 'amount', code: 'AMOUNT_PRECISION' }] },
  'bad-id.csv': { expect: [{ row: 2, column: 'id', code: 'ID_INVALID' }] },
  'control-chars-in-name.csv': { expect: [{ row: 2, column: 'name', code: 'TEXT_INVALID' }] },
  'safe-nft.csv': { network: '8453', expect: [{ row: 2, column: 'token_type', code: 'TOKEN_TYPE_UNSUPPORTED' }] },
  'latin1.csv': { expect: [{ row: 2, column: 'name', code: 'FILE_ENCODING' }] },
  'utf16.csv': { expect: [{ row: null, column: null, code: 'FILE_ENCODING' }] },
  'five-problems.csv': {
    expect: [
      { row: 3, column: 'recipient', code: 'ADDRESS_CHECKSUM' },
      { row: 4, column: 'asset', code: 'ASSET_UNKNOWN' },
      { row: 5, column: 'amount', code: 'AMOUNT_INVALID' },
      { row: 6, column: 'id', code: 'ID_DUPLICATE_IN_FILE' },
      { row: 7, column: 'memo', code: 'MEMO_NOT_SUPPORTED' },
    ],
  },
}

let w: ImportWorld
beforeAll(async () => {
  w = await openImportWorld()
})
afterAll(async () => {
  await w.close()
})

describe('bad-input corpus', () => {
  for (const [file, spec] of Object.entries(CORPUS)) {
    it(`${file} → ${spec.expect.map((e) => e.code).join(', ')}; nothing stored`, async () => {
      const before = await w.counts()
      const result = await importPayoutCsv(w.core.ctx, w.operatorId, { csv: readFixture(file), fileName: file, network: spec.network })
      expect(result.issues.map((i) => ({ row: i.row, column: i.column, code: i.code }))).toEqual(spec.expect)
      for (const issue of result.issues) {
        // Every message is a sentence that says where; row issues start with "Row N".
        if (issue.row !== null) expect(issue.message.startsWith(`Row ${issue.row}`)).toBe(true)
        expect(issue.message).toMatch(/[.)]$/)
      }
      expect(result.batchId).toBeNull()
      expect(await w.counts()).toEqual(before)
    })
  }

  it('says the sample sentence for the over-precise USDC amount', async () => {
    const result = await importPayoutCsv(w.core.ctx, w.operatorId, { csv: readFixture('over-precise-amount.csv') })
    expect(result.issues[0]!.message).toContain('Row 14, amount: 1.0000001 has more than 6 decimals for USDC')
  })

  it('names the earlier row of a duplicate id', async () => {
    const result = await importPayoutCsv(w.core.ctx, w.operatorId, { csv: readFixture('duplicate-id.csv') })
    expect(result.issues[0]!.message).toMatch(/^Row 3, id: "p-1" is also the id of row 2/)
  })

  it('lists five different problems at once, in row order', async () => {
    const result = await importPayoutCsv(w.core.ctx, w.operatorId, { csv: readFixture('five-problems.csv') })
    expect(result.issues).toHaveLength(5)
    expect(result.valid.map((v) => v.id)).toEqual(['p-1'])
  })
})
