import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { csvLine, csvNumber, formulaTrigger, neutraliseFormula, toCsv } from './csvSafety'

describe('csvSafety', () => {
  it('neutralises every text cell a spreadsheet would run as a formula, and keeps it quoted', () => {
    for (const text of ['=HYPERLINK("http://x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      expect(formulaTrigger(text)).toBe(text.charAt(0))
      const line = csvLine([text])
      expect(line.startsWith(`"'`)).toBe(true)
      // Read back by a CSV reader, the cell is the text with one leading quote: shown as text.
      expect(parse(line + '\r\n', { relax_quotes: false })).toEqual([[`'${text}`]])
    }
    expect(neutraliseFormula('Anna Müller')).toBe('Anna Müller')
    expect(formulaTrigger('a=b')).toBeNull()
    expect(formulaTrigger('')).toBeNull()
  })

  it('writes our own amounts as bare numbers, negative ones too — never neutralised', () => {
    expect(csvLine(['-12.50', csvNumber('-12.50'), csvNumber('1234.000000000000000001')])).toBe(`"'-12.50",-12.50,1234.000000000000000001`)
    expect(() => csvNumber('=1+1')).toThrow(/not a plain decimal/)
    expect(() => csvNumber('1e5')).toThrow(/not a plain decimal/)
  })

  it('quotes only what needs it, ends lines in CRLF, and reads back cell for cell', () => {
    const rows = [
      ['O"Brien, Pat', 'line\nbreak', null, csvNumber('0.01')],
      ['plain', '', 'x', csvNumber('-0.01')],
    ] as const
    const text = toCsv(['Name', 'Memo', 'Empty', 'Amount'], rows)
    expect(text).toBe('Name,Memo,Empty,Amount\r\n"O""Brien, Pat","line\nbreak",,0.01\r\nplain,,x,-0.01\r\n')
    expect(parse(text)).toEqual([
      ['Name', 'Memo', 'Empty', 'Amount'],
      ['O"Brien, Pat', 'line\nbreak', '', '0.01'],
      ['plain', '', 'x', '-0.01'],
    ])
    expect(() => toCsv(['A', 'B'], [['only one']])).toThrow(/1 cells for 2 columns/)
  })
})
