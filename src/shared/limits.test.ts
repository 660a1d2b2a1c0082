/**
 * The relations between limits, one test each, so a change that breaks one names it (limits.ts
 * also asserts them when it loads). Plus the relations to limits declared outside limits.ts: the
 * money type's own range, and the copies the core still keeps while they move here.
 */
import { describe, expect, it } from 'vitest'
import * as limits from './limits'
import { DECIMAL_CHARS_MAX } from './money'

describe('limits', () => {
  it.each(limits.LIMIT_RELATIONS.map(([relation, holds]) => ({ relation, holds })))('$relation', ({ holds }) => {
    expect(holds).toBe(true)
  })

  it('a CSV of CSV_BYTES_MAX bytes, as a spreadsheet exports it (every cell quoted, CRLF), fits in one request as JSON', () => {
    // JSON escapes each quote and both line-end bytes: this layout grows by ~17%. A file made of
    // little but quotes or control characters grows more and is refused whole as PAYLOAD_TOO_LARGE.
    const row =
      '"pay-000123","evm","8453","USDC","0x70997970C51812dc3A010C7d01b50e0d17dc79C8","1250.00","","INV-2024-0001","Alice Example"\r\n'
    const csv = row.repeat(Math.floor(limits.CSV_BYTES_MAX / row.length))
    expect(csv.length).toBeLessThanOrEqual(limits.CSV_BYTES_MAX)
    const request = JSON.stringify({
      csv,
      fileName: 'x'.repeat(limits.FILE_NAME_CHARS_MAX),
      batchName: 'x'.repeat(limits.BATCH_NAME_CHARS_MAX),
    })
    expect(new TextEncoder().encode(request).length).toBeLessThanOrEqual(limits.PAYLOAD_BYTES_MAX)
  })

  it('a decimal string the contract accepts may be longer than any amount, so the money parser words the refusal', () => {
    expect(limits.DECIMAL_STRING_CHARS_MAX).toBeGreaterThanOrEqual(DECIMAL_CHARS_MAX)
  })

  it('every limit is a positive integer, its unit last in its name', () => {
    for (const [name, value] of Object.entries(limits)) {
      if (name === 'LIMIT_RELATIONS') continue
      expect(Number.isSafeInteger(value) && (value as number) > 0, name).toBe(true)
      expect(name, name).toMatch(/^[A-Z][A-Z0-9_]*_(MAX|MIN|DEFAULT|NUMERATOR|DENOMINATOR)$/)
    }
  })
})
