import { describe, expect, it } from 'vitest'
import { decodeStatementBytes, statementChunks, statementFileTooLarge } from './statementFile'
import { formatPeriod, formatStatementAmount } from './statementWords'

describe('statement files', () => {
  it('reads UTF-8 as UTF-8 (dropping a BOM) and anything else as Windows-1252, as the CLI does', () => {
    const utf8 = new TextEncoder().encode('\uFEFFMüller GmbH — €')
    expect(decodeStatementBytes(utf8)).toEqual({ text: 'Müller GmbH — €', encoding: 'utf-8' })
    // "Müller ß" in Windows-1252: ü = 0xFC, ß = 0xDF — not valid UTF-8. (Bytes 0x80–0x9F, "€" among
    // them, are left out: Node 20's decoder reads them as Latin-1; Chromium's, which runs this, does not.)
    const cp1252 = new Uint8Array([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x20, 0xdf])
    expect(decodeStatementBytes(cp1252)).toEqual({ text: 'Müller ß', encoding: 'windows-1252' })
    // A UTF-8 file that holds a replacement character of its own stays UTF-8.
    expect(decodeStatementBytes(new TextEncoder().encode('a\uFFFDb')).encoding).toBe('utf-8')
  })

  it('cuts text into chunks that join back to it, each within the characters and the bytes on the wire', () => {
    const text = 'abcdefghij'.repeat(10)
    const chunks = statementChunks(text, 30, 1_000)
    expect(chunks.map((c) => c.length)).toEqual([30, 30, 30, 10])
    expect(chunks.join('')).toBe(text)
    expect(statementChunks('short')).toEqual(['short'])
  })

  it('makes a chunk shorter when its UTF-8 JSON would not fit, and never splits a surrogate pair', () => {
    // 3 bytes each in UTF-8: 30 characters are 92 bytes of JSON, so 40 bytes take at most 12.
    const text = '€'.repeat(30)
    const chunks = statementChunks(text, 30, 40)
    expect(chunks.join('')).toBe(text)
    for (const c of chunks) expect(new TextEncoder().encode(JSON.stringify(c)).length).toBeLessThanOrEqual(40)
    const emoji = 'a😀'.repeat(10) // each emoji is two UTF-16 units
    const cut = statementChunks(emoji, 4, 1_000)
    expect(cut.join('')).toBe(emoji)
    for (const c of cut) expect(/[\uD800-\uDBFF]$/.test(c)).toBe(false)
  })

  it('refuses unread only a file no decoding could fit', () => {
    expect(statementFileTooLarge({ name: 'a.xml', size: 1_000 })).toBeNull()
    expect(statementFileTooLarge({ name: 'a.xml', size: 700 * 1024 * 1024 })).toBe(
      'a.xml is 700 MB — a statement file can be at most 200 MB. Ask the bank for shorter periods and import each.',
    )
  })

  it('shows amounts exactly, grouped, at the scale the core wrote them', () => {
    expect(formatStatementAmount('1234567891103.15')).toBe('1,234,567,891,103.15')
    expect(formatStatementAmount('-19.99')).toBe('-19.99')
    expect(formatStatementAmount('-0.29')).toBe('-0.29')
    expect(formatStatementAmount('1000')).toBe('1,000')
    expect(formatStatementAmount('123456789012345678901234567890.123')).toBe('123,456,789,012,345,678,901,234,567,890.123')
    expect(formatPeriod('2026-11-01', '2026-11-30')).toBe('2026-11-01 – 2026-11-30')
    expect(formatPeriod('2026-11-30T00:00:00', '2026-11-30')).toBe('2026-11-30')
    expect(formatPeriod(null, null)).toBe('—')
  })
})
