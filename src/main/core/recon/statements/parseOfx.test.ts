/**
 * parseOfx against the real samples (test/fixtures/statements/ofx, SOURCES.md), the forms banks
 * actually send (one-line files, CR line ends, 2.x headers over SGML, decimal commas, CDATA,
 * entities), exact amounts up to uint256, a corpus of bad files that must each be refused naming
 * where, and a 100,000-entry synthetic file.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { AMOUNT_MAX } from '../../../../shared/money'
import { SYNTHETIC_OFX_OPENING_MINOR, syntheticOfx } from './ofxSynthetic'
import { parseOfx } from './parseOfx'
import type { ParsedStatement, StatementEntry } from './statementModel'

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url))
const FIXTURES_DIR = path.join(REPO_ROOT, 'test/fixtures/statements/ofx')

function fixture(name: string): string {
  return fs.readFileSync(path.join(FIXTURES_DIR, name), 'utf8')
}

function only(text: string): ParsedStatement {
  const file = parseOfx(text)
  expect(file.format).toBe('ofx')
  expect(file.statements).toHaveLength(1)
  return file.statements[0]!
}

function entry(st: ParsedStatement, index: number): StatementEntry {
  return st.entries[index]!
}

/** A minimal OFX 1.02 bank statement around `transactions` (SGML: leaves unclosed). */
function sgmlStatement(transactions: string, options: { curdef?: string; ledger?: string } = {}): string {
  return [
    'OFXHEADER:100',
    'DATA:OFXSGML',
    'VERSION:102',
    '',
    '<OFX>',
    '<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>',
    `<STMTRS><CURDEF>${options.curdef ?? 'USD'}`,
    '<BANKACCTFROM><BANKID>021000021<ACCTID>987654321<ACCTTYPE>CHECKING</BANKACCTFROM>',
    '<BANKTRANLIST><DTSTART>20240101<DTEND>20240131',
    transactions,
    '</BANKTRANLIST>',
    `<LEDGERBAL><BALAMT>${options.ledger ?? '0.00'}<DTASOF>20240131</LEDGERBAL>`,
    '</STMTRS></STMTTRNRS></BANKMSGSRSV1>',
    '</OFX>',
    '',
  ].join('\n')
}

function sgmlTransaction(amount: string, extra = ''): string {
  return `<STMTTRN><TRNTYPE>OTHER<DTPOSTED>20240115<TRNAMT>${amount}<FITID>F1${extra}</STMTTRN>`
}

/** Expects parse to be refused as STATEMENT_INVALID, its message starting with the place. */
function expectRefused(text: string, where: RegExp, sentence?: RegExp, fileName?: string): void {
  let thrown: unknown
  try {
    parseOfx(text, fileName === undefined ? {} : { fileName })
  } catch (error) {
    thrown = error
  }
  expect(thrown, 'the file must be refused').toBeDefined()
  const error = thrown as { code?: string; message?: string; details?: { where?: string } }
  expect(error.code).toBe('STATEMENT_INVALID')
  expect(error.details?.where).toMatch(where)
  expect(error.message).toMatch(new RegExp(`^${where.source.replace(/^\^/, '').replace(/\$$/, '')}: `))
  if (sentence) expect(error.message).toMatch(sentence)
}

describe('parseOfx: the real samples', () => {
  it('checking.ofx (1.02 SGML, indented): three USD entries and the ledger balance', () => {
    const st = only(fixture('ofxparse_checking.ofx'))
    expect(st.format).toBe('ofx')
    expect(st.account).toEqual({ id: '1452687~7', bic: null, currency: 'USD', ownerName: null })
    expect([st.fromDate, st.toDate]).toEqual(['2000-01-01', '2013-05-25'])
    expect(st.opening).toBeNull()
    expect(st.closing).toEqual({ amount: 10099n, date: '2013-05-25' })
    expect(st.createdAt).toBe('2013-05-25T22:57:31')
    expect(st.declared).toEqual({ count: null, sumAbs: null, net: null })
    expect(st.entries.map((e) => e.amount)).toEqual([1n, -3451n, -2500n])
    expect(st.entries.map((e) => e.where)).toEqual(['STMTTRN 1 (line 46)', 'STMTTRN 2 (line 54)', 'STMTTRN 3 (line 62)'])
    expect(entry(st, 0)).toMatchObject({
      index: 0,
      bookingDate: '2011-03-31',
      valueDate: null,
      currency: 'USD',
      status: 'booked',
      reversal: false,
      bankRef: '0000486',
      typeCode: 'CREDIT',
      counterpartyName: 'DIVIDEND EARNED FOR PERIOD OF 03',
      remittance: 'DIVIDEND EARNED FOR PERIOD OF 03/01/2011 THROUGH 03/31/2011 ANNUAL PERCENTAGE YIELD EARNED IS 0.05%',
      details: [],
    })
    expect(entry(st, 2)).toMatchObject({ bookingDate: '2011-04-07', customerRef: '319', bankRef: '0000488', typeCode: 'CHECK' })
    expect(entry(st, 1).customerRef).toBeNull()
  })

  it('bank_medium.ofx (1.02 SGML, aggregates run together, [-5:EST] zones): CAD entries and names as written', () => {
    const st = only(fixture('ofxparse_bank_medium.ofx'))
    expect(st.account.id).toBe('12300 000012345678')
    expect(st.account.currency).toBe('CAD')
    expect([st.fromDate, st.toDate]).toEqual(['2009-04-01', '2009-05-23'])
    expect(st.closing).toEqual({ amount: 38234n, date: '2009-05-23' })
    expect(st.entries.map((e) => [e.bookingDate, e.amount, e.typeCode])).toEqual([
      ['2009-04-01', -660n, 'POS'],
      ['2009-04-02', -31667n, 'CHECK'],
      ['2009-04-03', -2200n, 'POS'],
    ])
    expect(entry(st, 0)).toMatchObject({
      counterpartyName: "MCDONALD'S #112",
      remittance: "POS MERCHANDISE;MCDONALD'S #112",
      where: 'STMTTRN 1 (line 15)',
    })
    expect(entry(st, 1)).toMatchObject({
      bankRef: '0000123456782009040200004',
      customerRef: '0',
      counterpartyName: "Joe's Bald Hairstyles",
    })
  })

  it('suncorp.ofx (2.00 XML, CRLF, CDATA): one AUD entry, names trimmed, remittance single-spaced', () => {
    const text = fixture('ofxparse_suncorp.ofx')
    expect(text).toContain('\r\n')
    const st = only(text)
    expect(st.account).toMatchObject({ id: '123456789', currency: 'AUD' })
    expect(st.closing).toEqual({ amount: 123412n, date: '2013-12-15' })
    expect(st.createdAt).toBe('2013-12-15')
    expect(st.entries).toHaveLength(1)
    expect(entry(st, 0)).toMatchObject({
      where: 'STMTTRN 1 (line 35)',
      bookingDate: '2013-12-15',
      amount: -1685n,
      bankRef: '1',
      customerRef: '0',
      typeCode: 'DEBIT',
      counterpartyName: 'EFTPOS WDL HANDYWAY ALDI STORE',
      remittance: 'EFTPOS WDL HANDYWAY ALDI STORE GEELONG WEST VICAU',
    })
  })

  it('anzcc.ofx (2.03 header over SGML leaves): a credit card, balance owed is negative', () => {
    const st = only(fixture('ofxparse_anzcc.ofx'))
    expect(st.account).toEqual({ id: '1234123412341234', bic: null, currency: 'AUD', ownerName: null })
    expect([st.fromDate, st.toDate]).toEqual(['2017-03-11', '2017-05-09'])
    expect(st.closing).toEqual({ amount: -12345n, date: '2017-05-10' })
    expect(entry(st, 0)).toMatchObject({
      where: 'STMTTRN 1 (line 29)',
      bookingDate: '2017-05-08',
      valueDate: '2017-05-08',
      amount: -550n,
      bankRef: '201705080001',
      remittance: 'SOME MEMO',
      counterpartyName: null,
    })
  })

  it('multiple_accounts.ofx (2.11 XML): one statement per STMTTRNRS, without transaction lists', () => {
    const file = parseOfx(fixture('ofxparse_multiple_accounts.ofx'))
    expect(file.statements.map((st) => [st.account.id, st.account.currency, st.closing, st.entries.length, st.fromDate])).toEqual([
      ['9100', 'USD', { amount: 11100n, date: '2012-06-03' }, 0, null],
      ['9200', 'USD', { amount: 22200n, date: '2012-06-03' }, 0, null],
    ])
    expect(file.statements[0]!.createdAt).toBe('2012-06-03T20:31:35')
  })
})

describe('parseOfx: what banks send besides the samples', () => {
  const checking = fixture('ofxparse_checking.ofx')
  const amountsOf = (text: string) => only(text).entries.map((e) => e.amount)

  it('reads the header without CHARSET, without the blank line, and after a BOM', () => {
    const trimmed = checking.replace('CHARSET:1252\n', '').replace('NEWFILEUID:NONE\n\n', 'NEWFILEUID:NONE\n')
    expect(trimmed).not.toContain('CHARSET')
    expect(amountsOf(trimmed)).toEqual([1n, -3451n, -2500n])
    expect(amountsOf(`\uFEFF${checking}`)).toEqual([1n, -3451n, -2500n])
  })

  it('reads the whole file on one line, and lone-CR line ends with the same line numbers', () => {
    const oneLine = checking.replace(/[\n\t]/g, '')
    const st = only(oneLine)
    expect(st.entries.map((e) => [e.amount, e.where])).toEqual([
      [1n, 'STMTTRN 1 (line 1)'],
      [-3451n, 'STMTTRN 2 (line 1)'],
      [-2500n, 'STMTTRN 3 (line 1)'],
    ])
    expect(st.closing?.amount).toBe(10099n)
    const cr = only(checking.replaceAll('\n', '\r'))
    expect(cr.entries.map((e) => e.where)).toEqual(['STMTTRN 1 (line 46)', 'STMTTRN 2 (line 54)', 'STMTTRN 3 (line 62)'])
  })

  it('reads lower-case tags, a decimal comma, a "+" sign and a dropped leading zero', () => {
    const text = sgmlStatement(
      [sgmlTransaction('-34,51'), sgmlTransaction('+12.5'), sgmlTransaction('-.50'), sgmlTransaction(',29')].join('\n'),
    )
    expect(amountsOf(text)).toEqual([-3451n, 1250n, -50n, 29n])
    expect(amountsOf(text.replace('<STMTTRN><TRNTYPE>OTHER', '<stmttrn><trntype>OTHER').replace('F1</STMTTRN>', 'F1</stmttrn>'))).toEqual([
      -3451n,
      1250n,
      -50n,
      29n,
    ])
  })

  it('decodes entities, keeps a bare "&", and reads an empty SGML leaf and empty XML elements', () => {
    const text = sgmlStatement(
      [
        sgmlTransaction('-1.00', '<NAME>AT&amp;T &lt;Wireless&gt; caf&#233; &#x41;<MEMO>R&D dept'),
        sgmlTransaction('-2.00', '<MEMO><NAME>Shop'),
        `<STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20240116</DTPOSTED><TRNAMT>-3.00</TRNAMT><FITID>F3</FITID><MEMO></MEMO><NAME/></STMTTRN>`,
      ].join('\n'),
    )
    const st = only(text)
    expect(entry(st, 0)).toMatchObject({ counterpartyName: 'AT&T <Wireless> café A', remittance: 'R&D dept' })
    expect(entry(st, 1)).toMatchObject({ counterpartyName: 'Shop', remittance: null, amount: -200n })
    expect(entry(st, 2)).toMatchObject({ counterpartyName: null, remittance: null, amount: -300n, bankRef: 'F3' })
  })

  it('reads PAYEE, BANKACCTTO, REFNUM, DTUSER and the currency aggregates (CURRENCY: amounts in CURSYM; ORIGCURRENCY: still CURDEF)', () => {
    const text = sgmlStatement(
      [
        sgmlTransaction(
          '-10.00',
          '<REFNUM>R-77<DTUSER>20240114120000[0:GMT]<PAYEE><NAME>Landlord LLC<ADDR1>1 Main St</PAYEE><BANKACCTTO><BANKID>1<ACCTID>555<ACCTTYPE>CHECKING</BANKACCTTO>',
        ),
        sgmlTransaction('-1500', '<CURRENCY><CURRATE>0.0067<CURSYM>JPY</CURRENCY>'),
        sgmlTransaction('-12.34', '<ORIGCURRENCY><CURRATE>1.08<CURSYM>EUR</ORIGCURRENCY>'),
      ].join('\n'),
    )
    const st = only(text)
    expect(entry(st, 0)).toMatchObject({
      customerRef: 'R-77',
      valueDate: '2024-01-14',
      counterpartyName: 'Landlord LLC',
      counterpartyAccount: '555',
    })
    expect(entry(st, 1)).toMatchObject({ amount: -1500n, currency: 'JPY' })
    expect(entry(st, 2)).toMatchObject({ amount: -1234n, currency: 'USD' })
  })

  it('takes the date part as written, whatever the time and zone', () => {
    const dates = [
      '20240115',
      '202401152359',
      '20240115235959',
      '20240115235959.123',
      '20240115235959.123[-5:EST]',
      '20240115000000[+10:AEST]',
    ]
    const text = sgmlStatement(dates.map((d) => sgmlTransaction('1.00').replace('<DTPOSTED>20240115', `<DTPOSTED>${d}`)).join('\n'))
    expect(only(text).entries.map((e) => e.bookingDate)).toEqual(dates.map(() => '2024-01-15'))
  })
})

describe('parseOfx: amounts are exact', () => {
  it('reads 19.99, 0.29, 1234567890123.45 and a uint256-sized amount to the last digit', () => {
    const uint256Usd = '1157920892373161954235709850086879078532699846656405640394575840079131296399.35'
    const amounts = ['19.99', '-0.29', '1234567890123.45', uint256Usd, `-${uint256Usd}`, '0.1', '100']
    const st = only(sgmlStatement(amounts.map((a) => sgmlTransaction(a)).join('\n'), { ledger: '-1234567890123.45' }))
    expect(st.entries.map((e) => e.amount)).toEqual([1999n, -29n, 123456789012345n, AMOUNT_MAX, -AMOUNT_MAX, 10n, 10000n])
    expect(st.closing?.amount).toBe(-123456789012345n)
  })

  it('uses the currency scale: JPY has no decimals, BHD three', () => {
    expect(only(sgmlStatement(sgmlTransaction('-1500'), { curdef: 'JPY', ledger: '70000' })).entries[0]!.amount).toBe(-1500n)
    expect(only(sgmlStatement(sgmlTransaction('1.234'), { curdef: 'BHD' })).entries[0]!.amount).toBe(1234n)
    expect(only(sgmlStatement(sgmlTransaction('12.500'), { curdef: 'USD' })).entries[0]!.amount).toBe(1250n)
  })

  it('adds up on the synthetic file: opening + entries = LEDGERBAL, exactly', () => {
    const st = only(syntheticOfx(500, 42))
    const sum = st.entries.reduce((total, e) => total + e.amount, 0n)
    expect(st.entries).toHaveLength(500)
    expect(SYNTHETIC_OFX_OPENING_MINOR + sum).toBe(st.closing!.amount)
    expect(st.entries.some((e) => e.remittance?.includes('&'))).toBe(true)
  })
})

describe('parseOfx: refuses bad files, naming where', () => {
  const suncorp = fixture('ofxparse_suncorp.ofx')

  it('no <OFX> at all (and names the file when given)', () => {
    expectRefused('OFXHEADER:100\nDATA:OFXSGML\n\nnothing here\n', /^line 1$/, /no <OFX> tag/)
    expectRefused('<?xml version="1.0"?>\n<?OFX OFXHEADER="200"?>\n<HTML></HTML>', /^bank\.ofx, line 1$/, /not an OFX file/, 'bank.ofx')
  })

  it('a STMTTRN without TRNAMT', () => {
    expectRefused(sgmlStatement('<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20240115<FITID>X</STMTTRN>'), /^STMTTRN 1 \(line 10\)$/, /no TRNAMT/)
    expectRefused(sgmlStatement('<STMTTRN><TRNTYPE>DEBIT<TRNAMT><FITID>X</STMTTRN>'), /^STMTTRN 1 \(line 10\)$/, /no TRNAMT/)
  })

  it('an amount that is not a number, with thousands separators, or with surplus decimals', () => {
    const second = [sgmlTransaction('1.00'), `<STMTTRN>\n<TRNTYPE>DEBIT\n<TRNAMT>ten dollars\n</STMTTRN>`].join('\n')
    expectRefused(sgmlStatement(second), /^TRNAMT of STMTTRN 2 \(line 13\)$/, /"ten dollars" is not an amount/)
    expectRefused(sgmlStatement(sgmlTransaction('1,234.56')), /^TRNAMT of STMTTRN 1 \(line 10\)$/, /not an amount/)
    expectRefused(sgmlStatement(sgmlTransaction('-12.505')), /^TRNAMT of STMTTRN 1 \(line 10\)$/, /more than 2 decimals/)
    expectRefused(
      sgmlStatement(sgmlTransaction('1157920892373161954235709850086879078532699846656405640394575840079131296399.36')),
      /^TRNAMT of STMTTRN 1 \(line 10\)$/,
      /larger than any amount/,
    )
    expectRefused(sgmlStatement('', { ledger: 'n/a' }), /^BALAMT of LEDGERBAL \(line 12\)$/, /not an amount/)
  })

  it('an unknown currency (CURDEF or CURSYM)', () => {
    expectRefused(
      sgmlStatement(sgmlTransaction('1.00'), { curdef: 'XYZ' }),
      /^CURDEF of STMTRS \(line 7\)$/,
      /XYZ is not an ISO 4217 currency/,
    )
    expectRefused(
      sgmlStatement(sgmlTransaction('1.00', '<CURRENCY><CURRATE>1<CURSYM>EURO</CURRENCY>')),
      /^CURSYM of STMTTRN 1 \(line 10\)$/,
      /three-letter/,
    )
  })

  it('a 2.x XML file whose aggregates are not closed at its end (cut off or damaged)', () => {
    const cut = suncorp.slice(0, suncorp.indexOf('</STMTTRN>'))
    expectRefused(cut, /^STMTTRN 1 \(line 35\)$/, /never closed.*cut off/)
    expectRefused(suncorp.replace(/ *<\/STMTTRN>\r\n/, ''), /^STMTTRN 1 \(line 35\)$/, /not closed before <\/BANKTRANLIST> \(line 43\)/)
    expectRefused(suncorp.replace(/ *<\/BANKTRANLIST>\r\n/, ''), /^BANKTRANLIST \(line 32\)$/, /not closed before <\/STMTRS>/)
    expectRefused(suncorp.replace(/ *<\/STMTRS>\r\n/, ''), /^STMTRS \(line 25\)$/, /not closed before <\/STMTTRNRS>/)
    expectRefused(suncorp.slice(0, suncorp.indexOf('</OFX>')), /^OFX \(line 3\)$/, /never closed/)
    // SGML (1.x) lets only leaves go unclosed: a 1.x file cut off is refused the same way.
    const checking = fixture('ofxparse_checking.ofx')
    expectRefused(checking.slice(0, checking.lastIndexOf('</STMTTRN>')), /^STMTTRN 3 \(line 62\)$/, /never closed/)
  })

  it('a file cut inside a tag or a CDATA section, and a tag that is not one', () => {
    const checking = fixture('ofxparse_checking.ofx')
    expectRefused(checking.slice(0, checking.indexOf('<TRNAMT>-34.51') + 4), /^line 57$/, /not closed by ">"/)
    expectRefused(suncorp.slice(0, suncorp.indexOf('GEELONG')), /^line 42$/, /CDATA section is never closed/)
    expectRefused(sgmlStatement(sgmlTransaction('1.00', '<NAME>price < 5 USD')), /^line 10$/, /"< 5 USD<\/STMTTRN>" is not an OFX tag/)
  })

  it('a date that does not exist', () => {
    expectRefused(
      sgmlStatement(sgmlTransaction('1.00').replace('20240115', '20230229')),
      /^DTPOSTED of STMTTRN 1 \(line 10\)$/,
      /not an OFX date/,
    )
    expectRefused(
      sgmlStatement(sgmlTransaction('1.00').replace('20240115', '15.01.2024')),
      /^DTPOSTED of STMTTRN 1 \(line 10\)$/,
      /YYYYMMDD/,
    )
  })

  it('an investment statement, a bank error instead of a statement, a file with no statement, two files joined', () => {
    const invest =
      '<OFX><INVSTMTMSGSRSV1><INVSTMTTRNRS><TRNUID>1\n<INVSTMTRS><CURDEF>USD</INVSTMTRS></INVSTMTTRNRS></INVSTMTMSGSRSV1></OFX>'
    expectRefused(invest, /^INVSTMTRS \(line 2\)$/, /not a bank or credit-card statement/)
    const failed =
      '<OFX><BANKMSGSRSV1>\n<STMTTRNRS><TRNUID>1<STATUS><CODE>2000<SEVERITY>ERROR<MESSAGE>General error</STATUS></STMTTRNRS></BANKMSGSRSV1></OFX>'
    expectRefused(failed, /^STMTTRNRS \(line 2\)$/, /status 2000 \("General error"\) and sent no statement/)
    expectRefused(
      '<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</STATUS></SONRS></SIGNONMSGSRSV1></OFX>',
      /^line 1$/,
      /holds no bank or credit-card statement/,
    )
    const checking = fixture('ofxparse_checking.ofx')
    expectRefused(`${checking}\n${checking}`, /^line 94$/, /second <OFX> block/)
  })

  it('a statement without its account or currency', () => {
    expectRefused(sgmlStatement('').replace('<ACCTID>987654321', ''), /^STMTRS \(line 7\)$/, /names no account/)
    expectRefused(sgmlStatement(sgmlTransaction('1.00')).replace('<CURDEF>USD', ''), /^STMTRS \(line 7\)$/, /no CURDEF/)
  })
})

describe('parseOfx: a 100,000-entry file', () => {
  it('parses every entry and closes on the stated balance', () => {
    const text = syntheticOfx(100_000, 1)
    const st = only(text)
    expect(st.entries).toHaveLength(100_000)
    const sum = st.entries.reduce((total, e) => total + e.amount, 0n)
    expect(st.closing!.amount).toBe(SYNTHETIC_OFX_OPENING_MINOR + sum)
    expect(st.entries[99_999]!.index).toBe(99_999)
    expect(st.entries[99_999]!.bankRef).toBe('SYN1-000099999')
  })

  it('reads it in time with LF line ends or on one line (line counting stays linear)', () => {
    const text = syntheticOfx(100_000, 1)
    const lastLine = text.slice(0, text.lastIndexOf('<STMTTRN>')).split('\r\n').length
    const lf = only(text.replaceAll('\r\n', '\n'))
    expect(lf.entries[99_999]!.where).toBe(`STMTTRN 100000 (line ${lastLine})`)
    const oneLine = only(text.replaceAll('\r\n', ''))
    expect(oneLine.entries[99_999]!.where).toBe('STMTTRN 100000 (line 1)')
    expect(oneLine.closing).toEqual(lf.closing)
  })

  it('is deterministic for a seed', () => {
    expect(syntheticOfx(50, 9)).toBe(syntheticOfx(50, 9))
    expect(syntheticOfx(50, 9)).not.toBe(syntheticOfx(50, 10))
  })
})
