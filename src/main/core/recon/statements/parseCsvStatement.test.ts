/**
 * parseCsvStatement with the two example mappings (a US bank's debit/credit export, newest row
 * first; a German bank's ";" export with a preamble and "1.234,56" amounts), exact amounts up to
 * uint256, the ways a CSV goes wrong (a shifted column, a mapping pointing at the wrong column,
 * debit and credit both filled, impossible dates), the mapping schema's refusals, and a
 * 100,000-row synthetic file. There are no public bank CSV samples under a licence we can use
 * (see /work/shared SOURCES.md), so the files are written here, in the banks' layouts.
 */
import { describe, expect, it } from 'vitest'
import { AMOUNT_MAX } from '../../../../shared/money'
import { formatGermanAmount, SYNTHETIC_CSV_OPENING_MINOR, syntheticCsv } from './csvSynthetic'
import { CSV_MAPPING_EXAMPLES, CsvStatementMapping, parseCsvStatement, type CsvStatementMappingInput } from './parseCsvStatement'
import type { ParsedStatement } from './statementModel'

const US = CSV_MAPPING_EXAMPLES.usBank
const DE = CSV_MAPPING_EXAMPLES.germanBank

/** Newest first, as the bank exports it; opening 10,000.00, closing 1,246,927.06. */
const US_CSV = [
  'Posting Date,Effective Date,Description,Reference Number,Payee,Debit,Credit,Running Balance',
  '03/29/2024,03/28/2024,"ACH DEBIT ELECTRIC CO, INC",REF-1005,Electric Co,120.55,,"1,246,927.06"',
  '03/15/2024,03/15/2024,WIRE IN 240315-ACME,REF-1004,ACME Corp,,"1,234,567.89","1,247,047.61"',
  '03/12/2024,03/12/2024,ATM FEE,REF-1003,,0.29,,"12,479.72"',
  '3/5/2024,3/5/2024,CHECK 1001,REF-1002,Joe\'s Diner,19.99,,"12,480.01"',
  '03/01/2024,03/01/2024,PAYROLL DEPOSIT,REF-1001,Contoso Payroll,,"2,500.00","12,500.00"',
  '',
].join('\n')

/** A preamble of four lines (one empty), then the header on line 5; oldest first. */
const DE_CSV = [
  '"Kontonummer:";"DE89 3704 0044 0532 0130 00"',
  '"Zeitraum:";"01.03.2024 - 31.03.2024"',
  '"Kontostand vom 01.03.2024:";"1.000,00 EUR"',
  '',
  'Buchungstag;Valuta;Auftraggeber / Empfänger;IBAN;Verwendungszweck;Kundenreferenz (End-to-End);Bankreferenz;Betrag;Währung;Saldo',
  '01.03.2024;01.03.2024;Müller GmbH;DE44500105175407324931;"Rechnung 4711; Danke";E2E-4711;BR-1;1.234.567.890.123,45;EUR;1.234.567.891.123,45',
  '04.03.2024;05.03.2024;Stadtwerke Köln;DE02120300000000202051;"Abschlag\nMärz   2024";NOTPROVIDED;BR-2;-19,99;EUR;1.234.567.891.103,46',
  '05.03.2024;05.03.2024;;;Kontoführung;;BR-3;-0,29;;1.234.567.891.103,17',
  '',
  '',
].join('\n')

function only(text: string, mapping: CsvStatementMappingInput, fileName?: string): ParsedStatement {
  const file = parseCsvStatement(text, mapping, fileName === undefined ? {} : { fileName })
  expect(file.format).toBe('csv')
  expect(file.statements).toHaveLength(1)
  return file.statements[0]!
}

function sum(st: ParsedStatement): bigint {
  return st.entries.reduce((total, e) => total + e.amount, 0n)
}

function refusal(run: () => unknown): { code?: string; message: string; details?: { where?: string; issues?: { path: string }[] } } {
  try {
    run()
  } catch (error) {
    return error as { code?: string; message: string; details?: { where?: string } }
  }
  throw new Error('expected the file to be refused')
}

/** Expects STATEMENT_INVALID whose `where` is exactly `where` and whose message starts with it. */
function expectRefused(text: string, mapping: CsvStatementMappingInput, where: string, sentence: RegExp): void {
  const error = refusal(() => parseCsvStatement(text, mapping))
  expect(error.code).toBe('STATEMENT_INVALID')
  expect(error.details?.where).toBe(where)
  expect(error.message.startsWith(`${where}: `)).toBe(true)
  expect(error.message).toMatch(sentence)
}

/** A small "Date,Amount,Description" file with a mapping to go with it. */
function simple(rows: string[], mapping: Partial<CsvStatementMappingInput> = {}): { text: string; mapping: CsvStatementMappingInput } {
  return {
    text: ['Date,Amount,Description', ...rows].join('\n'),
    mapping: {
      name: 'Test bank',
      delimiter: ',',
      columns: { date: 'Date', amount: 'Amount', description: 'Description' },
      dateFormat: 'YYYY-MM-DD',
      decimalSeparator: '.',
      account: { id: 'ACC-1', currency: 'USD' },
      ...mapping,
    },
  }
}

describe('parseCsvStatement: the example layouts', () => {
  it('US bank: debit/credit columns, newest first, running balance checked, opening and closing derived', () => {
    const st = only(US_CSV, US)
    expect(st.account).toEqual({ id: '000123456789', bic: null, currency: 'USD', ownerName: null })
    expect(st.entries.map((e) => e.amount)).toEqual([-12055n, 123456789n, -29n, -1999n, 250000n])
    expect(st.entries.map((e) => e.where)).toEqual(['row 2', 'row 3', 'row 4', 'row 5', 'row 6'])
    expect([st.fromDate, st.toDate]).toEqual(['2024-03-01', '2024-03-29'])
    expect(st.opening).toEqual({ amount: 1_000_000n, date: '2024-03-01' })
    expect(st.closing).toEqual({ amount: 124_692_706n, date: '2024-03-29' })
    expect(st.opening!.amount + sum(st)).toBe(st.closing!.amount)
    expect(st.entries[0]).toMatchObject({
      index: 0,
      bookingDate: '2024-03-29',
      valueDate: '2024-03-28',
      currency: 'USD',
      status: 'booked',
      reversal: false,
      bankRef: 'REF-1005',
      counterpartyName: 'Electric Co',
      remittance: 'ACH DEBIT ELECTRIC CO, INC',
      details: [],
    })
    expect(st.entries[3]).toMatchObject({ bookingDate: '2024-03-05', counterpartyName: "Joe's Diner" })
    expect(st.entries[2]!.counterpartyName).toBeNull()
    expect(st.declared).toEqual({ count: null, sumAbs: null, net: null })
  })

  it('German bank: preamble, ";" delimiter, "1.234.567.890.123,45", currency column, oldest first', () => {
    const st = only(DE_CSV, DE)
    expect(st.account).toEqual({ id: 'DE89370400440532013000', bic: null, currency: 'EUR', ownerName: null })
    expect(st.entries.map((e) => e.amount)).toEqual([123_456_789_012_345n, -1999n, -29n])
    expect(st.entries.map((e) => e.where)).toEqual(['row 6', 'row 7', 'row 9'])
    expect(st.opening).toEqual({ amount: 100_000n, date: '2024-03-01' })
    expect(st.closing).toEqual({ amount: 123_456_789_110_317n, date: '2024-03-05' })
    expect(st.opening!.amount + sum(st)).toBe(st.closing!.amount)
    expect(st.entries[0]).toMatchObject({
      bookingDate: '2024-03-01',
      counterpartyName: 'Müller GmbH',
      counterpartyAccount: 'DE44500105175407324931',
      remittance: 'Rechnung 4711; Danke',
      endToEndId: 'E2E-4711',
      bankRef: 'BR-1',
      currency: 'EUR',
    })
    expect(st.entries[1]).toMatchObject({ valueDate: '2024-03-05', remittance: 'Abschlag März 2024' })
    expect(st.entries[2]).toMatchObject({ counterpartyName: null, counterpartyAccount: null, endToEndId: null, currency: 'EUR' })
  })

  it('reads a BOM, CRLF and lone-CR line ends the same way, with the same row numbers', () => {
    const expected = only(DE_CSV, DE)
    for (const text of [`\uFEFF${DE_CSV}`, DE_CSV.replaceAll('\n', '\r\n'), DE_CSV.replaceAll('\n', '\r')]) {
      const st = only(text, DE)
      expect(st.entries.map((e) => [e.amount, e.where, e.remittance])).toEqual(
        expected.entries.map((e) => [e.amount, e.where, e.remittance]),
      )
      expect(st.closing).toEqual(expected.closing)
    }
  })

  it('is accepted by the schema as saved (the examples are complete mappings)', () => {
    expect(CsvStatementMapping.parse(US)).toEqual(US)
    expect(CsvStatementMapping.parse(DE)).toEqual(DE)
  })
})

describe('parseCsvStatement: amounts are exact', () => {
  it('reads 19.99, 0.29, 1234567890123.45 and uint256 in each separator style', () => {
    const uint256 = '1157920892373161954235709850086879078532699846656405640394575840079131296399.35'
    const plain = simple([
      '2024-01-02,19.99,a',
      '2024-01-02,-0.29,b',
      '2024-01-02,1234567890123.45,c',
      `2024-01-02,${uint256},d`,
      `2024-01-02,-${uint256},e`,
    ])
    expect(only(plain.text, plain.mapping).entries.map((e) => e.amount)).toEqual([
      1999n,
      -29n,
      123_456_789_012_345n,
      AMOUNT_MAX,
      -AMOUNT_MAX,
    ])
    const german = formatGermanAmount(AMOUNT_MAX)
    expect(german.startsWith('1.157.920.892.373.161.954')).toBe(true)
    const de = simple(
      [`2024-01-02;"${german}";x`, '2024-01-02;0,29;y', '2024-01-02;1.234.567.890.123,45;z'].map((r) => r),
      {
        delimiter: ';',
        decimalSeparator: ',',
        thousandsSeparator: '.',
      },
    )
    expect(only(de.text.replace('Date,Amount,Description', 'Date;Amount;Description'), de.mapping).entries.map((e) => e.amount)).toEqual([
      AMOUNT_MAX,
      29n,
      123_456_789_012_345n,
    ])
  })

  it('reads trailing minus, parentheses, space and apostrophe thousands, and a currency with no or three decimals', () => {
    const trailing = simple(['2024-01-02,"1,234.50-",a', '2024-01-02,12.50,b', '2024-01-02,-3.00,c'], {
      thousandsSeparator: ',',
      negativeStyle: 'trailingMinus',
    })
    expect(only(trailing.text, trailing.mapping).entries.map((e) => e.amount)).toEqual([-123_450n, 1250n, -300n])
    const parens = simple(['2024-01-02,(19.99),a', '2024-01-02,0.29,b'], { negativeStyle: 'parentheses' })
    expect(only(parens.text, parens.mapping).entries.map((e) => e.amount)).toEqual([-1999n, 29n])
    const spaces = simple(['2024-01-02,"1 234,50",a', '2024-01-02,"-12\u00A0345,00",b', '2024-01-02,"1\u202F000,01",c'], {
      decimalSeparator: ',',
      thousandsSeparator: ' ',
    })
    expect(only(spaces.text, spaces.mapping).entries.map((e) => e.amount)).toEqual([123_450n, -1_234_500n, 100_001n])
    const swiss = simple(["2024-01-02,1'234'567.05,a"], { thousandsSeparator: "'", account: { id: 'CH', currency: 'CHF' } })
    expect(only(swiss.text, swiss.mapping).entries[0]!.amount).toBe(123_456_705n)
    const yen = simple(['2024-01-02,"-1,500",a'], { thousandsSeparator: ',', account: { id: 'JP', currency: 'JPY' } })
    expect(only(yen.text, yen.mapping).entries[0]).toMatchObject({ amount: -1500n, currency: 'JPY' })
    const dinar = simple(['2024-01-02,1.234,a'], { account: { id: 'BH', currency: 'BHD' } })
    expect(only(dinar.text, dinar.mapping).entries[0]!.amount).toBe(1234n)
  })

  it('a debit is money out even with a minus sign; a zero in the other column is ignored', () => {
    const text = [
      'Date,Debit,Credit',
      '2024-01-02,12.50,',
      '2024-01-03,-7.25,',
      '2024-01-04,,3.00',
      '2024-01-05,0.00,4.00',
      '2024-01-06,5.00,0.00',
    ].join('\n')
    const mapping = { ...simple([]).mapping, columns: { date: 'Date', debit: 'Debit', credit: 'Credit' } }
    expect(only(text, mapping).entries.map((e) => e.amount)).toEqual([-1250n, -725n, 300n, 400n, -500n])
  })
})

describe('parseCsvStatement: refuses bad files, naming the row and column', () => {
  it('a row with an unquoted delimiter in its description (a shifted column)', () => {
    const shifted = US_CSV.replace('WIRE IN 240315-ACME', 'WIRE IN 240315, ACME')
    expectRefused(shifted, US, 'row 3', /has 9 cells but the header has 8.*delimiter "," without quotes/)
    const de = DE_CSV.replace('"Rechnung 4711; Danke"', 'Rechnung 4711; Danke')
    expectRefused(de, DE, 'row 6', /has 11 cells but the header has 10/)
  })

  it('a mapping pointing at the wrong column: the running balance breaks at the first row it cannot explain', () => {
    const swapped = { ...US, columns: { ...US.columns, debit: 'Credit', credit: 'Debit' } }
    expectRefused(
      US_CSV,
      swapped,
      "row 3, column 'Running Balance'",
      /running balance 1247047\.61 does not match 1246806\.51 .*difference of 241\.10/,
    )
    const wrongAmount = { ...DE, columns: { ...DE.columns, amount: 'Saldo', balance: 'Betrag' } }
    expectRefused(DE_CSV, wrongAmount, "row 7, column 'Betrag'", /running balance -19,99|running balance -19\.99/)
    const edited = DE_CSV.replace('1.234.567.891.103,46', '1.234.567.891.103,64')
    expectRefused(edited, DE, "row 7, column 'Saldo'", /1234567891103\.64 does not match 1234567891103\.46.*difference of 0\.18.*shifted/)
  })

  it('debit and credit both filled in one row', () => {
    const both = US_CSV.replace('ATM FEE,REF-1003,,0.29,,', 'ATM FEE,REF-1003,,0.29,5.00,')
    expectRefused(both, US, 'row 4', /both 'Debit' and 'Credit' hold an amount/)
    const neither = US_CSV.replace('ATM FEE,REF-1003,,0.29,,', 'ATM FEE,REF-1003,,,,')
    expectRefused(neither, US, 'row 4', /neither 'Debit' nor 'Credit'/)
  })

  it('a credit written negative', () => {
    const negative = US_CSV.replace('"2,500.00","12,500.00"', '"-2,500.00","12,500.00"')
    expectRefused(negative, US, "row 6, column 'Credit'", /a credit is money in but this one is negative/)
  })

  it('dates that do not exist or are written another way', () => {
    expectRefused(
      DE_CSV.replace('04.03.2024;05.03.2024', '31.02.2024;05.03.2024'),
      DE,
      "row 7, column 'Buchungstag'",
      /"31\.02\.2024" is not a real date: February 2024 has 29 days/,
    )
    expectRefused(
      DE_CSV.replace('04.03.2024;05.03.2024', '04.03.2024;29.02.2023'),
      DE,
      "row 7, column 'Valuta'",
      /February 2023 has 28 days/,
    )
    expectRefused(
      DE_CSV.replace('04.03.2024;05.03.2024', '2024-03-04;05.03.2024'),
      DE,
      "row 7, column 'Buchungstag'",
      /not a date written DD\.MM\.YYYY/,
    )
    expectRefused(US_CSV.replace('03/12/2024,03/12/2024', '13/12/2024,03/12/2024'), US, "row 4, column 'Posting Date'", /has no month 13/)
    expectRefused(DE_CSV.replace('04.03.2024;05.03.2024', ';05.03.2024'), DE, "row 7, column 'Buchungstag'", /the date is empty/)
  })

  it('amounts in the wrong shape: bad thousands groups, other separators, surplus decimals, two signs', () => {
    const grouped = simple(['2024-01-02,"1,23,4",a'], { thousandsSeparator: ',' })
    expectRefused(
      grouped.text,
      grouped.mapping,
      "row 2, column 'Amount'",
      /"1,23,4" is not an amount written like "-1,234\.50" \(thousands only in groups of three\)/,
    )
    const comma = simple(['2024-01-02,"12,50",a'])
    expectRefused(comma.text, comma.mapping, "row 2, column 'Amount'", /"12,50" is not an amount/)
    const surplus = simple(['2024-01-02,12.505,a'])
    expectRefused(surplus.text, surplus.mapping, "row 2, column 'Amount'", /more than 2 decimals/)
    const twoSigns = simple(['2024-01-02,-12.50-,a'], { negativeStyle: 'trailingMinus' })
    expectRefused(twoSigns.text, twoSigns.mapping, "row 2, column 'Amount'", /two signs/)
    const empty = simple(['2024-01-02,,a'])
    expectRefused(empty.text, empty.mapping, "row 2, column 'Amount'", /the amount is empty/)
    const dollars = simple(['2024-01-02,$5.00,a'])
    expectRefused(dollars.text, dollars.mapping, "row 2, column 'Amount'", /"\$5\.00" is not an amount/)
  })

  it('an unknown currency, and a row in another currency than the running balance', () => {
    expectRefused(DE_CSV.replace('-19,99;EUR', '-19,99;EUX'), DE, "row 7, column 'Währung'", /EUX is not an ISO 4217 currency code/)
    expectRefused(DE_CSV.replace('-19,99;EUR', '-19,99;USD'), DE, "row 7, column 'Saldo'", /in USD, not the account's EUR/)
  })

  it('header problems: a missing or repeated column name, a column number past the end', () => {
    expectRefused(
      DE_CSV.replace(';Betrag;', ';Umsatz;'),
      DE,
      'row 5 (header)',
      /no column "Betrag" \(for amount\); it has "Buchungstag", "Valuta"/,
    )
    expectRefused(DE_CSV.replace(';Bankreferenz;', ';Betrag;'), DE, 'row 5 (header)', /"Betrag" 2 times \(columns 7, 8\)/)
    const numbered = simple(['2024-01-02,1.00,a'], { columns: { date: 1, amount: 5 } })
    expectRefused(numbered.text, numbered.mapping, 'row 1 (header)', /puts amount in column 5, but the rows have 3 columns/)
    expectRefused(DE_CSV.split('\n').slice(0, 3).join('\n'), DE, 'row 5', /ends before its header row/)
  })

  it('a quoted value that is never closed, and an empty file', () => {
    // A later quote closes it, so the row comes out short: still refused, naming the row.
    expectRefused(
      US_CSV.replace('"ACH DEBIT ELECTRIC CO, INC"', '"ACH DEBIT ELECTRIC CO, INC'),
      US,
      'row 2',
      /the row has 5 cells but the header has 8/,
    )
    const open = simple(['2024-01-02,1.00,ok', '2024-01-03,2.00,"never closed', '2024-01-04,3.00,x'])
    expectRefused(open.text, open.mapping, 'row 3', /a quoted value that starts here or below is never closed/)
    expectRefused('\uFEFF\n\n', US, 'row 1', /the file is empty/)
  })

  it('names the file when given', () => {
    const bad = simple(['2024-01-02,abc,a'])
    const error = refusal(() => parseCsvStatement(bad.text, bad.mapping, { fileName: 'march.csv' }))
    expect(error.details?.where).toBe("march.csv, row 2, column 'Amount'")
  })
})

describe('parseCsvStatement: other layouts', () => {
  it('no header (headerRows 0, columns by number), trailing empty lines, rows of empty cells skipped', () => {
    const mapping: CsvStatementMappingInput = {
      name: 'Headerless',
      delimiter: '|',
      headerRows: 0,
      columns: { date: 1, amount: 3, reference: 2 },
      dateFormat: 'YYYYMMDD',
      decimalSeparator: '.',
      account: { id: 'X', currency: 'GBP' },
    }
    const st = only('20240102|R1|10.00\n||\n20240103|R2|-2.50\n\n\n', mapping)
    expect(st.entries.map((e) => [e.where, e.bookingDate, e.bankRef, e.amount])).toEqual([
      ['row 1', '2024-01-02', 'R1', 1000n],
      ['row 3', '2024-01-03', 'R2', -250n],
    ])
    expect([st.opening, st.closing]).toEqual([null, null])
  })

  it('a header and no rows: a statement with no entries', () => {
    const st = only('Date,Amount,Description\n', simple([]).mapping)
    expect(st.entries).toEqual([])
    expect([st.fromDate, st.toDate, st.opening, st.closing]).toEqual([null, null, null, null])
  })

  it('an opening balance from the mapping is checked against the running balance (tab delimiter, DD/MM/YYYY)', () => {
    const text = ['Date\tAmount\tBalance', '02/01/2024\t10.00\t110.00', '03/01/2024\t-5.00\t105.00'].join('\n')
    const base: CsvStatementMappingInput = {
      name: 'UK bank',
      delimiter: '\t',
      columns: { date: 'Date', amount: 'Amount', balance: 'Balance' },
      dateFormat: 'DD/MM/YYYY',
      decimalSeparator: '.',
      account: { id: 'GB', currency: 'GBP' },
    }
    const st = only(text, { ...base, openingBalance: '100.00' })
    expect([st.opening, st.closing]).toEqual([
      { amount: 10000n, date: '2024-01-02' },
      { amount: 10500n, date: '2024-01-03' },
    ])
    expectRefused(text, { ...base, openingBalance: '99.99' }, "row 2, column 'Balance'", /110\.00 does not match 109\.99/)
    expectRefused(
      text,
      { ...base, rowOrder: 'newestFirst', openingBalance: '100.00' },
      "row 3, column 'Balance'",
      /105\.00 does not match 100\.00 \(the balance of the row above minus that row’s amount/,
    )
  })

  it('carries the balance over rows whose balance cell is empty', () => {
    const text = ['Date,Amount,Balance', '2024-01-02,10.00,', '2024-01-02,-5.00,105.00', '2024-01-03,1.00,', '2024-01-03,2.00,108.00'].join(
      '\n',
    )
    const mapping = { ...simple([]).mapping, columns: { date: 'Date', amount: 'Amount', balance: 'Balance' } }
    const st = only(text, mapping)
    expect([st.opening?.amount, st.closing?.amount]).toEqual([10000n, 10800n])
    expectRefused(text.replace('108.00', '107.00'), mapping, "row 5, column 'Balance'", /107\.00 does not match 108\.00/)
  })
})

describe('CsvStatementMapping: the schema refuses bad mappings with clear messages', () => {
  const valid = simple([]).mapping
  const issues = (mapping: unknown) => {
    const result = CsvStatementMapping.safeParse(mapping)
    expect(result.success).toBe(false)
    return result.error!.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)
  }

  it('accepts a valid mapping and fills the defaults', () => {
    expect(CsvStatementMapping.parse(valid)).toMatchObject({
      headerRows: 1,
      thousandsSeparator: 'none',
      negativeStyle: 'leadingMinus',
      rowOrder: 'oldestFirst',
    })
  })

  it('both an amount column and debit/credit, or neither', () => {
    expect(issues({ ...valid, columns: { date: 'Date', amount: 'Amount', debit: 'Out', credit: 'In' } })).toEqual([
      'columns.amount map either one signed amount column or a debit and a credit column, not both',
    ])
    expect(issues({ ...valid, columns: { date: 'Date' } })).toEqual([
      'columns.amount is missing: map one signed amount column, or both a debit and a credit column',
    ])
    expect(issues({ ...valid, columns: { date: 'Date', debit: 'Out' } })).toEqual([
      'columns.credit is missing: map one signed amount column, or both a debit and a credit column',
    ])
  })

  it('the same decimal and thousands separator', () => {
    expect(issues({ ...valid, decimalSeparator: ',', thousandsSeparator: ',' })).toEqual([
      'thousandsSeparator must differ from the decimal separator ","',
    ])
    expect(issues({ ...valid, decimalSeparator: '.', thousandsSeparator: '.' })).toEqual([
      'thousandsSeparator must differ from the decimal separator "."',
    ])
  })

  it('unknown values, names without a header, two money fields on one column, a bad currency or opening balance', () => {
    expect(issues({ ...valid, delimiter: ':' })).toEqual(['delimiter must be one of "," ";" "|" or a tab'])
    expect(issues({ ...valid, dateFormat: 'D/M/YY' })[0]).toMatch(/^dateFormat must be one of YYYY-MM-DD, DD\.MM\.YYYY/)
    expect(issues({ ...valid, headerRows: 0 })).toContain(
      'columns.date must be a column number: with headerRows 0 the file has no header to find names in',
    )
    expect(issues({ ...valid, columns: { date: 'Date', amount: 'Amount', balance: 'amount' } })).toEqual([
      'columns.balance points at the same column as amount ("amount")',
    ])
    expect(issues({ ...valid, columns: { date: 0, amount: 'Amount' } })[0]).toMatch(
      /^columns\.date must be the column's header name, or its number counted from 1/,
    )
    expect(issues({ ...valid, account: { id: 'A', currency: 'XYZ' } })).toEqual([
      'account.currency is not an ISO 4217 currency code ("XYZ")',
    ])
    expect(issues({ ...valid, account: { id: 'A', currency: 'usd' } })).toEqual([
      'account.currency must be a three-letter ISO 4217 code in capitals, such as EUR',
    ])
    expect(issues({ ...valid, openingBalance: '1,000.00' })[0]).toMatch(/^openingBalance must be a decimal such as -1234\.56/)
    expect(issues({ ...valid, openingBalance: '10.001' })).toEqual(['openingBalance has more decimals than USD has (2), or is too large'])
    expect(issues({ ...valid, colums: {} })[0]).toMatch(/colums|Unrecognized/)
  })

  it('parseCsvStatement refuses an invalid mapping with STATEMENT_MAPPING_INVALID', () => {
    const error = refusal(() => parseCsvStatement('Date,Amount\n', { ...valid, decimalSeparator: ',', thousandsSeparator: ',' }))
    expect(error.code).toBe('STATEMENT_MAPPING_INVALID')
    expect(error.message).toMatch(/^the column mapping is not valid: thousandsSeparator must differ from the decimal separator ","/)
    expect(error.details?.issues?.[0]?.path).toBe('thousandsSeparator')
  })
})

describe('parseCsvStatement: a 100,000-row file', () => {
  it('parses every row and closes on the last running balance', () => {
    const { text, mapping } = syntheticCsv(100_000, 1)
    const st = only(text, mapping)
    expect(st.entries).toHaveLength(100_000)
    expect(st.opening!.amount).toBe(SYNTHETIC_CSV_OPENING_MINOR)
    expect(st.closing!.amount).toBe(SYNTHETIC_CSV_OPENING_MINOR + sum(st))
    expect(st.entries[99_999]!.where).toBe('row 100005')
  })

  it('is deterministic for a seed', () => {
    expect(syntheticCsv(50, 9).text).toBe(syntheticCsv(50, 9).text)
    expect(syntheticCsv(50, 9).text).not.toBe(syntheticCsv(50, 10).text)
  })
})
