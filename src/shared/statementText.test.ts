import { describe, expect, it } from 'vitest'
import { decodeStatementBytes, decodeWindows1252 } from './statementText'

describe('statement text', () => {
  it('decodes Windows-1252 by its table, 0x80–0x9F included (not as Latin-1 control characters)', () => {
    const bytes = Uint8Array.from([0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x20, 0x80, 0x20, 0x84, 0x93, 0x94, 0x96, 0x9f, 0x81])
    expect(decodeWindows1252(bytes)).toBe('Müller € „“”–Ÿ\u0081')
    expect(decodeStatementBytes(bytes)).toEqual({ text: 'Müller € „“”–Ÿ\u0081', encoding: 'windows-1252' })
    // Every byte decodes to one character, across the slices the decoder works in.
    const long = new Uint8Array(20_000).fill(0x80)
    expect(decodeWindows1252(long)).toBe('€'.repeat(20_000))
  })

  it('keeps valid UTF-8 as UTF-8 and drops its BOM', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('Zoë €')])
    expect(decodeStatementBytes(bytes)).toEqual({ text: 'Zoë €', encoding: 'utf-8' })
  })
})
