/**
 * parseMt940: the real samples in test/fixtures/statements/mt940 (see SOURCES.md there), exact
 * amounts, reversals, year turns, MT942, the :86: layouts, and a corpus of broken files — each
 * refused with STATEMENT_INVALID naming the line.
 */
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { AMOUNT_MAX } from '../../../../shared/money'
import { syntheticMt940 } from './mt940Synthetic'
import { parseMt940 } from './parseMt940'
import type { ParsedStatement } from './statementModel'

const FIXTURES_DIR = fileURLToPath(new URL('../../../../../test/fixtures/statements/mt940/', import.meta.url))
const SAMPLES = ['asnb_swift_blocks.mt940.txt', 'jejik_abnamro.sta', 'jejik_ing.sta', 'cmxl_mt940.sta', 'betterplace_sepa_snippet.sta']

function readSample(name: string): string {
  return fs.readFileSync(FIXTURES_DIR + name, 'utf8')
}

function net(statement: ParsedStatement): bigint {
  return statement.entries.reduce((sum, entry) => sum + entry.amount, 0n)
}

/** opening + entries - closing: 0n when the statement adds up. */
function imbalance(statement: ParsedStatement): bigint {
  return statement.opening!.amount + net(statement) - statement.closing!.amount
}

/** The refusal `run` throws: code, where and message checked by the caller. */
function refusal(run: () => unknown): { code: string; where: string; message: string } {
  try {
    run()
  } catch (error) {
    const e = error as { code?: string; message: string; details?: { where?: string } }
    return { code: e.code ?? '', where: e.details?.where ?? '', message: e.message }
  }
  throw new Error('expected the file to be refused')
}

function expectRefused(text: string, where: string, sentence: RegExp): void {
  const error = refusal(() => parseMt940(text))
  expect(error.code).toBe('STATEMENT_INVALID')
  expect(error.where).toBe(where)
  expect(error.message.startsWith(`${where}: `)).toBe(true)
  expect(error.message).toMatch(sentence)
}

/** A bare one-statement MT940 around the given :61:/:86: lines. */
function statement(body: string[], opening = ':60F:C240101EUR1000,00', closing = ':62F:C240101EUR1000,00'): string {
  return [':20:TEST', ':25:NL91ABNA0417164300', ':28C:1/1', opening, ...body, closing, '-'].join('\r\n')
}

describe('parseMt940 samples', () => {
  it.each(SAMPLES)('parses %s whole', (name) => {
    const file = parseMt940(readSample(name), { fileName: name })
    expect(file.format).toBe('mt940')
    expect(file.statements.length).toBeGreaterThan(0)
    for (const st of file.statements) {
      expect(st.format).toBe('mt940')
      expect(st.opening).not.toBeNull()
      expect(st.closing).not.toBeNull()
      st.entries.forEach((entry, i) => {
        expect(entry.index).toBe(i)
        expect(entry.currency).toBe(st.account.currency)
        expect(entry.status).toBe('booked')
        expect(entry.where).toMatch(/^line \d+$/)
      })
    }
  })

  it('ASNB: 31 enveloped messages with blank lines inside :86:, all adding up', () => {
    const { statements } = parseMt940(readSample('asnb_swift_blocks.mt940.txt'))
    expect(statements).toHaveLength(31)
    expect(statements.map((s) => s.sequence)).toEqual(Array.from({ length: 31 }, (_, i) => `${i + 1}/1`))
    expect(statements.reduce((n, s) => n + s.entries.length, 0)).toBe(8)
    for (const st of statements) {
      expect(st.statementId).toBe('0000000000')
      expect(st.account).toEqual({ id: 'NL81ASNB9999999999', bic: null, currency: 'EUR', ownerName: null })
      expect(imbalance(st)).toBe(0n)
    }
    // Each day opens where the day before closed.
    for (let i = 1; i < statements.length; i++) expect(statements[i]!.opening!.amount).toBe(statements[i - 1]!.closing!.amount)
    const first = statements[0]!
    expect(first.opening).toEqual({ amount: 44429n, date: '2020-01-01' })
    expect(first.closing).toEqual({ amount: 37929n, date: '2020-01-01' })
    expect(first.entries[0]).toMatchObject({
      where: 'line 6',
      amount: -6500n,
      valueDate: '2020-01-01',
      bookingDate: '2020-01-01',
      typeCode: 'NOVB',
      customerRef: 'NL47INGB9999999999',
      bankRef: null,
      remittance: 'NL47INGB9999999999 hr gjlm paulissen Betaling sieraden',
      reversal: false,
    })
    const fifth = statements[4]!
    expect(fifth.entries.map((e) => e.amount)).toEqual([100000n, -80155n])
    // A 65-character line was cut mid-word ("I" / "CS"): joined without a space.
    expect(fifth.entries[1]!.remittance).toContain('Betaling aan ICS 99999999999 ICS Referentie: 2020-01-05 19:47')
    expect(statements[30]!.closing).toEqual({ amount: 50123n, date: '2020-01-31' })
  })

  it('ABN AMRO: header lines skipped, :28:, :60M:/:62M:, short amounts, entry dates', () => {
    const { statements } = parseMt940(readSample('jejik_abnamro.sta'))
    expect(statements).toHaveLength(2)
    const [first, second] = statements as [ParsedStatement, ParsedStatement]
    expect(first).toMatchObject({ statementId: 'ABN AMRO BANK NV', sequence: '19321/1', fromDate: '2011-05-22', toDate: '2011-05-23' })
    expect(first.account.id).toBe('517852257')
    expect(first.opening).toEqual({ amount: 323628n, date: '2011-05-22' })
    expect(first.closing).toEqual({ amount: 87684n, date: '2011-05-23' })
    expect(first.entries.map((e) => e.amount)).toEqual([-900n, -1159n, -1163n, -1180n, -1345n, -1549n, -10700n, -14148n])
    expect(first.entries[0]).toMatchObject({ typeCode: 'N192', customerRef: null, bankRef: null })
    expect(first.entries[0]!.remittance).toBe(
      'GIRO 428428 KPN - DIGITENNE BETALINGSKENM. 000000042188659 5314606715 BETREFT FACTUUR D.D. 20-05-2011 INCL. 1,44 BTW',
    )
    expect(first.entries[1]).toMatchObject({ valueDate: '2011-05-21', bookingDate: '2011-05-23' })
    expect(second).toMatchObject({ sequence: '19322/1' })
    expect(second.opening).toEqual({ amount: 287684n, date: '2011-05-23' })
    expect(second.closing).toEqual({ amount: 184975n, date: '2011-05-24' })
    expect(second.entries[1]!.remittance).toBe('52.89.39.882 MYCOM DEN HAAG')
    // The anonymised sample does not add up; that is the common check's business, not the parser's.
    expect(imbalance(first)).toBe(203800n)
  })

  it('ING: preamble skipped, tab in :86:, statement-level :86: kept out of the entries', () => {
    const { statements } = parseMt940(readSample('jejik_ing.sta'))
    expect(statements).toHaveLength(1)
    const st = statements[0]!
    expect(st).toMatchObject({ statementId: 'MPBZ', sequence: '000' })
    expect(st.account.id).toBe('0001234567')
    expect(st.opening).toEqual({ amount: 0n, date: '2010-07-22' })
    expect(st.closing).toEqual({ amount: 347n, date: '2010-07-23' })
    expect(st.entries.map((e) => e.amount)).toEqual([-2503n, -303n, -111n, -2000n, -110n, 368n, 100n])
    expect(st.entries[1]!.remittance).toBe('0111111111 GPSEOUL SPOEDBETALING MPBZS1016000047 GPSEOUL')
    expect(st.entries[2]!.customerRef).toBe('TMG TANGO')
    expect(st.entries[6]!.remittance).toBe('0111111111 Hr S Marechal ROSMALEN Hr S Marechal ROSMALEN Betaling transactiedatum: 22-07-2010')
    for (const entry of st.entries) expect(entry.remittance).not.toMatch(/D000004C000002|XXX/)
  })

  it('cmxl: German BLZ/account, DEM, GV-code :86:, a Polish message with ?38 IBAN', () => {
    const { statements } = parseMt940(readSample('cmxl_mt940.sta'))
    expect(statements).toHaveLength(3)
    const [dem, eur, pln] = statements as [ParsedStatement, ParsedStatement, ParsedStatement]
    expect(dem.account).toEqual({ id: '45050050/76198810', bic: null, currency: 'DEM', ownerName: null })
    expect(dem).toMatchObject({ statementId: '131110', sequence: '27/01' })
    expect(dem.opening).toEqual({ amount: 8434974n, date: '2013-10-16' })
    expect(dem.closing).toEqual({ amount: 8443704n, date: '2013-10-17' })
    expect(dem.entries).toHaveLength(11)
    expect(dem.entries[0]).toMatchObject({
      amount: -680000n,
      typeCode: 'NCHK',
      customerRef: '16703074',
      remittance: 'PN5477SCHECK-NR. 0000016703074',
    })
    expect(dem.entries[1]!.amount).toBe(-62030n) // "620,3"
    expect(dem.entries[3]).toMatchObject({ valueDate: '2013-10-15', amount: -1422000n })
    expect(eur).toMatchObject({ statementId: '1234567' })
    expect(eur.account.id).toBe('10020030/1234567')
    expect(eur.entries[0]).toMatchObject({
      amount: -80000n,
      valueDate: '2002-11-01',
      bookingDate: '2002-11-02',
      bankRef: '55555',
      customerRef: null,
      counterpartyName: 'MUELLER',
      counterpartyAccount: '10020030/234567',
      counterpartyBic: null,
      remittance: 'Miete November',
    })
    expect(pln.account).toEqual({ id: 'BPHKPLPK/320000546101', bic: 'BPHKPLPK', currency: 'PLN', ownerName: null })
    expect(pln.entries.map((e) => e.amount)).toEqual([2000000n, -1000000n, 4000n])
    expect(pln.entries[0]).toMatchObject({
      typeCode: 'FMSC',
      bankRef: '8327000090031789',
      counterpartyAccount: 'PL08106000760000777777777777',
      counterpartyName: 'HUTA SZKLA TOPIC ULPRZEMYSLOWA 67 32-669 WROCLAW',
    })
    expect(pln.entries[1]).toMatchObject({ customerRef: 'REF 25611247', typeCode: 'FTRF' })
    expect(pln.entries[2]!.remittance).toBe('Odsetki od lokaty nr 101000022086')
    for (const st of statements) expect(imbalance(st)).toBe(0n)
  })

  it('betterplace: SEPA ?20 EREF+/SVWZ+, ?30 BIC, ?31 IBAN, ?32/?33 name, CR/DR funds code', () => {
    const { statements } = parseMt940(readSample('betterplace_sepa_snippet.sta'))
    expect(statements).toHaveLength(2)
    const [first, second] = statements as [ParsedStatement, ParsedStatement]
    expect(first).toMatchObject({ statementId: 'T089414086000001', sequence: '00004/00001' })
    expect(first.account.id).toBe('50880050/0194787400888')
    expect(first.opening).toEqual({ amount: 76665649n, date: '2007-09-03' })
    expect(first.closing).toEqual({ amount: 112525040n, date: '2007-09-04' })
    expect(first.entries.map((e) => e.amount)).toEqual([5099005n, 15455193n, 15455193n, -150000n])
    expect(first.entries[0]).toMatchObject({
      valueDate: '2007-09-07',
      bookingDate: '2007-09-04',
      typeCode: 'NTRF',
      customerRef: null,
      bankRef: '0724710333343453',
      endToEndId: 'EndToEndId TFNR 22 004 00001',
      remittance: 'Verw CTSc-01 BC-PPP TFNr 22 004',
      counterpartyBic: 'DRESDEFF508',
      counterpartyAccount: 'DE14508800500194785000',
      counterpartyName: 'KARL KAUFMANN',
    })
    expect(first.entries[1]).toMatchObject({ endToEndId: 'TFNR 0300300004', remittance: 'Strukturierter Verwendungszweck 30030004 DE' })
    // ":61:…NTRFKREF+//…": the reference is the KREF+ in :86:.
    expect(first.entries[3]).toMatchObject({ customerRef: 'TFNr 01022 MSGID CTSc-01 EBB', bankRef: '536D80EFEC56ACF8' })
    expect(imbalance(first)).toBe(0n)

    expect(second.opening).toEqual({ amount: -197043187n, date: '2007-09-03' })
    expect(second.closing).toEqual({ amount: -447204909n, date: '2007-09-04' })
    expect(second.entries.map((e) => e.amount)).toEqual([-8n, 33533n, 1500000n, 1500005n, 12500488n, 91531155n, -357256903n])
    expect(second.entries[0]).toMatchObject({
      endToEndId: 'TFNR 40001 00005',
      customerRef: 'TFNr 40001 MSGID',
      remittance: 'MTLG:Grund nicht spezifiziert Reject aus SEPA-Ueberweisungsauftrag',
    })
    expect(second.entries[6]).toMatchObject({ typeCode: 'NMSC', customerRef: null, bankRef: null, remittance: '0904059001' })
    // The sample's second statement is 300,08 EUR short of its own closing balance.
    expect(imbalance(second)).toBe(-30008n)
  })

  it('reads the same file with CR or CRLF line ends and a BOM', () => {
    const text = readSample('cmxl_mt940.sta')
    const plain = parseMt940(text)
    expect(parseMt940(`\uFEFF${text.replace(/\n/g, '\r\n')}`)).toEqual(plain)
    expect(parseMt940(text.replace(/\n/g, '\r'))).toEqual(plain)
  })
})

describe('parseMt940 amounts and marks', () => {
  it('keeps every amount exact, up to the largest Countersign holds', () => {
    const maxCents = AMOUNT_MAX.toString()
    const maxText = `${maxCents.slice(0, -2)},${maxCents.slice(-2)}`
    const text = statement([
      ':61:240101C19,99NTRFNONREF',
      ':61:240101C0,29NTRFNONREF',
      ':61:240101C1234567890123,45NTRFNONREF',
      ':61:240101D1234567890123,45NTRFNONREF',
      ':61:240101C1,NTRFNONREF',
      ':61:240101D0,3NTRFNONREF',
      `:61:240101C${maxText}NTRFNONREF`,
      `:61:240101D${maxText}NTRFNONREF`,
    ])
    const entries = parseMt940(text).statements[0]!.entries
    expect(entries.map((e) => e.amount)).toEqual([1999n, 29n, 123456789012345n, -123456789012345n, 100n, -30n, AMOUNT_MAX, -AMOUNT_MAX])
  })

  it("uses the currency's decimals: JPY none, BHD three; surplus decimals are refused, never rounded", () => {
    const yen = statement([':61:240101C1500,NTRFNONREF'], ':60F:C240101JPY100,', ':62F:C240101JPY1600,')
    expect(parseMt940(yen).statements[0]!.entries[0]!.amount).toBe(1500n)
    const dinar = statement([':61:240101D1,234NTRFNONREF'], ':60F:C240101BHD2,', ':62F:C240101BHD0,766')
    expect(parseMt940(dinar).statements[0]!.entries[0]!.amount).toBe(-1234n)
    expectRefused(
      statement([':61:240101C1500,5NTRFNONREF'], ':60F:C240101JPY100,', ':62F:C240101JPY1600,'),
      'line 5',
      /more than 0 decimals/,
    )
  })

  it('RD is a debit reversed (money back in), RC a credit reversed (money out); a funds code may follow', () => {
    const text = statement([
      ':61:2401010101RD100,00NTRFNONREF//B1',
      ':61:2401010101RC25,50NTRFNONREF//B2',
      ':61:2401010101RCR1,00NTRFNONREF//B3',
      ':61:2401010101CR2,00NTRFREF4//B4',
      ':61:2401010101DR3,00NTRFREF5//B5',
    ])
    const entries = parseMt940(text).statements[0]!.entries
    expect(entries.map((e) => [e.amount, e.reversal])).toEqual([
      [10000n, true],
      [-2550n, true],
      [-100n, true],
      [200n, false],
      [-300n, false],
    ])
    expect(entries[3]).toMatchObject({ customerRef: 'REF4', bankRef: 'B4' })
  })

  it('gives the entry date the year nearest its value date, across New Year both ways', () => {
    const text = statement(
      [':61:2312310102C1,00NTRFNONREF', ':61:2401021229D1,00NTRFNONREF', ':61:2402290301C1,00NTRFNONREF'],
      ':60F:C231230EUR10,00',
      ':62F:C240301EUR11,00',
    )
    const entries = parseMt940(text).statements[0]!.entries
    expect(entries.map((e) => [e.valueDate, e.bookingDate])).toEqual([
      ['2023-12-31', '2024-01-02'],
      ['2024-01-02', '2023-12-29'],
      ['2024-02-29', '2024-03-01'],
    ])
  })

  it('reads customer and bank references, NONREF and supplementary details', () => {
    const text = statement([
      ':61:240101C1,00NMSCINV 2024/001//BANKREF1',
      'Supplementary details',
      ':61:240101C1,00NCHKNONREF',
      'Only details, no :86:',
      ':86:free text wins',
    ])
    const entries = parseMt940(text).statements[0]!.entries
    expect(entries[0]).toMatchObject({
      typeCode: 'NMSC',
      customerRef: 'INV 2024/001',
      bankRef: 'BANKREF1',
      remittance: 'Supplementary details',
    })
    expect(entries[1]).toMatchObject({ typeCode: 'NCHK', customerRef: null, bankRef: null, remittance: 'free text wins' })
  })
})

describe('parseMt940 :86: layouts', () => {
  it('reads /TAG/ keys: EREF, ORDP//NAME, BENM, IBAN, BIC, REMI/USTD, ultimate parties ignored', () => {
    const text = statement([
      ':61:240101C5,00NTRFNONREF',
      ':86:/TRTP/SEPA OVERBOEKING/IBAN/NL20INGB0001234567/BIC/INGBNL2A/NAME/J. JANSEN/REMI/Factuur 2024/0',
      '01 termijn 2/EREF/E2E-2024-001',
      ':61:240101D5,00NTRFNONREF',
      ':86:/EREF/NOTPROVIDED//BENM//NAME/Acme B.V./ADDR/Main 1/ULTD//NAME/Someone Else/REMI/USTD//Invoice 7/',
      ':61:240101C5,00NTRFNONREF',
      ':86:/CNTP/NL20INGB0001234567/INGBNL2A/Piet Puk/AMSTERDAM/REMI/USTD//Gift/CDTRREF/RF18539007547034/',
    ])
    const [first, second, third] = parseMt940(text).statements[0]!.entries
    expect(first).toMatchObject({
      counterpartyAccount: 'NL20INGB0001234567',
      counterpartyBic: 'INGBNL2A',
      counterpartyName: 'J. JANSEN',
      remittance: 'Factuur 2024/001 termijn 2',
      endToEndId: 'E2E-2024-001',
    })
    expect(second).toMatchObject({ endToEndId: null, counterpartyName: 'Acme B.V.', remittance: 'Invoice 7' })
    expect(third).toMatchObject({
      counterpartyAccount: 'NL20INGB0001234567',
      counterpartyBic: 'INGBNL2A',
      counterpartyName: 'Piet Puk',
      remittance: 'Gift',
      structuredRef: 'RF18539007547034',
    })
  })

  it('keeps colons, unknown :NN: lines, "-" lines and blank lines inside :86: as text', () => {
    const text = statement([
      ':61:240101C1,00NTRFNONREF',
      ':86:Order: 12:30 today',
      ':99:not a tag we know',
      '-- signed: the bank',
      '',
      'last line',
    ])
    expect(parseMt940(text).statements[0]!.entries[0]!.remittance).toBe(
      'Order: 12:30 today :99:not a tag we know -- signed: the bank last line',
    )
  })

  it('reads text that only looks like /TAG/ keys as free text', () => {
    const text = statement([':61:240101C1,00NTRFNONREF', ':86:/ABC/ order 12/2024'])
    expect(parseMt940(text).statements[0]!.entries[0]!.remittance).toBe('/ABC/ order 12/2024')
  })

  it('attaches an :86: only to the :61: before it', () => {
    const text = [
      ':20:X',
      ':25:DE89370400440532013000',
      ':28C:7/1',
      ':60F:C240101EUR1,00',
      ':86:about the day',
      ':61:240101C1,00NTRFNONREF',
      ':62F:C240101EUR2,00',
      ':86:after the closing',
      '-',
    ].join('\n')
    const entry = parseMt940(text).statements[0]!.entries[0]!
    expect(entry.remittance).toBeNull()
  })
})

describe('parseMt940 envelopes and MT942', () => {
  const mt942 = [
    '{1:F01INGBNL2AXXXX0000000000}{2:O942INGBNL2AXXXXN}{3:{108:REF}}{4:',
    ':20:INTRADAY1',
    ':25:NL20INGB0001234567EUR',
    ':28C:12/1',
    ':34F:EURD0,',
    ':34F:EURC0,',
    ':13D:2401011200+0100',
    ':61:2401010101C19,99NTRFNONREF//B1',
    ':86:/EREF/E1/REMI/USTD//First/',
    ':61:2401010101D0,29NTRFNONREF//B2',
    ':90D:1EUR0,29',
    ':90C:1EUR19,99',
    ':86:statement information',
    '-}{5:{CHK:123456789ABC}}',
  ].join('\r\n')

  it('reads an MT942 interim report: pending lines, no balances, declared totals', () => {
    const file = parseMt940(mt942)
    expect(file.format).toBe('mt942')
    const st = file.statements[0]!
    expect(st).toMatchObject({
      format: 'mt942',
      statementId: 'INTRADAY1',
      sequence: '12/1',
      createdAt: '2024-01-01T12:00:00+01:00',
      opening: null,
      closing: null,
    })
    expect(st.account).toEqual({ id: 'NL20INGB0001234567', bic: null, currency: 'EUR', ownerName: null })
    expect(st.entries.map((e) => [e.amount, e.status])).toEqual([
      [1999n, 'pending'],
      [-29n, 'pending'],
    ])
    expect(st.entries[0]).toMatchObject({ endToEndId: 'E1', remittance: 'First' })
    expect(st.declared).toEqual({ count: 2, sumAbs: 2028n, net: 1970n })
  })

  it('knows an MT942 without an envelope by its tags', () => {
    const bare = mt942.split('\r\n').slice(1, -1).join('\n')
    expect(parseMt940(bare).statements[0]!.format).toBe('mt942')
  })

  it('reads several messages without "-" between them, and :25P: with a BIC', () => {
    const text = [
      ':20:A',
      ':25P:12345678',
      'DEUTDEFFXXX',
      ':28C:1/1',
      ':60F:C240101EUR1,',
      ':62F:C240101EUR1,',
      ':20:B',
      ':25:12345678',
      ':28C:2/1',
      ':60F:C240102EUR1,',
      ':62F:C240102EUR1,',
    ].join('\n')
    const { statements } = parseMt940(text)
    expect(statements.map((s) => [s.statementId, s.account.id, s.account.bic])).toEqual([
      ['A', '12345678', 'DEUTDEFFXXX'],
      ['B', '12345678', null],
    ])
  })
})

describe('parseMt940 refuses broken files, naming the line', () => {
  it.each([
    ['a :61: amount with a decimal point', statement([':61:240101C12.34NTRFNONREF']), 'line 5', /"12\.34" has a decimal point.*12,34/],
    ['a :61: amount that is not a number', statement([':61:240101Dabc,00NTRFNONREF']), 'line 5', /no amount after the D\/C mark "D"/],
    ['a :61: amount without a decimal comma', statement([':61:240101C1234NTRFNONREF']), 'line 5', /not an MT940 amount/],
    ['an unknown D/C mark', statement([':61:2401010101X65,00NTRFNONREF']), 'line 5', /D\/C mark "X" is not C, D, RC or RD/],
    ['a transaction type that is not N/F/S', statement([':61:240101C1,00XTRFNONREF']), 'line 5', /transaction type "XTRF"/],
    ['an impossible value date', statement([':61:230231C1,00NTRFNONREF']), 'line 5', /value date "230231" is not a date/],
    ['an impossible entry date', statement([':61:2402011340C1,00NTRFNONREF']), 'line 5', /entry date "1340" is not a date/],
    ['an impossible balance date', statement([], ':60F:C230231EUR1,00'), 'line 4', /date "230231" is not a date/],
    ['a balance without D/C mark', statement([], ':60F:X240101EUR1,00'), 'line 4', /must start with C \(credit\) or D \(debit\)/],
    ['a balance in no currency', statement([], ':60F:C240101XYZ1,00'), 'line 4', /XYZ is not an ISO 4217 currency code/],
    ['a balance running onto a second line', statement([], ':60F:C240101EUR1,00\r\n2,00'), 'line 4', /unexpected text "2,00" under :60F:/],
    [
      'a :61: before the opening balance',
      [':20:X', ':25:DE89370400440532013000', ':61:240101C1,00NTRFNONREF', ':60F:C240101EUR1,00', ':62F:C240101EUR2,00', '-'].join('\n'),
      'line 3',
      /before the opening balance :60F:/,
    ],
    [
      'a missing opening balance',
      [':20:X', ':25:DE89370400440532013000', ':62F:C240101EUR2,00', '-'].join('\n'),
      'line 3',
      /no opening balance :60F: before it/,
    ],
    [
      'no balances at all in an MT940',
      [':20:X', ':25:DE89370400440532013000', '-'].join('\n'),
      'line 3',
      /statement that starts at line 1 has no opening balance :60F:/,
    ],
    [
      'a missing closing balance',
      [':20:X', ':25:DE89370400440532013000', ':60F:C240101EUR1,00', ':61:240101C1,00NTRFNONREF', '-'].join('\n'),
      'line 5',
      /has no closing balance :62F:/,
    ],
    [
      'a missing closing balance at the end of the file',
      [':20:X', ':25:DE89370400440532013000', ':60F:C240101EUR1,00'].join('\n'),
      'line 3',
      /has no closing balance/,
    ],
    [
      'a :61: after the closing balance',
      [':20:X', ':25:DE89370400440532013000', ':60F:C240101EUR1,00', ':62F:C240101EUR1,00', ':61:240101C1,00NTRFNONREF', '-'].join('\n'),
      'line 5',
      /after the closing balance/,
    ],
    ['two opening balances', statement([':60F:C240101EUR1,00']), 'line 5', /second opening balance/],
    ['no :25: account', [':20:X', ':60F:C240101EUR1,00', ':62F:C240101EUR1,00', '-'].join('\n'), 'line 4', /has no :25: account/],
    [
      'two currencies in one statement',
      statement([], ':60F:C240101EUR1,00', ':62F:C240101USD1,00'),
      'line 6',
      /mixes currencies EUR and USD/,
    ],
    [
      'a tag before any :20:',
      ['HEADER', ':25:DE89370400440532013000', ':20:X'].join('\n'),
      'line 2',
      /outside a statement.*starts with :20:/,
    ],
    [
      'an envelope never closed',
      [
        '{1:F01BANKDEFFXXXX0000000000}{2:O940BANKDEFFXXXXN}{4:',
        ':20:X',
        ':25:DE89370400440532013000',
        ':60F:C240101EUR1,00',
        ':62F:C240101EUR1,00',
      ].join('\n'),
      'line 1',
      /never closed with "-}"/,
    ],
    [
      'an envelope opened inside another',
      ['{1:F01A}{2:O940A}{4:', ':20:X', '{1:F01B}{2:O940B}{4:', '-}'].join('\n'),
      'line 1',
      /never closed/,
    ],
    ['a SWIFT message that is not MT940/942', ['{1:F01A}{2:O950BANKDEFFXXXXN}{4:', ':20:X', '-}'].join('\n'), 'line 1', /MT950 message/],
    ['a file with no statement', 'hello\nworld\n', 'line 1', /no MT940\/MT942 statement/],
    [
      'an MT942 without a currency',
      [':20:X', ':25:DE89370400440532013000', ':13D:2401011200+0100', ':61:240101C1,00NTRFNONREF', '-'].join('\n'),
      'line 4',
      /floor limit that gives the report's currency/,
    ],
    [
      'an MT942 time that is not one',
      [':20:X', ':25:DE89370400440532013000', ':34F:EUR0,', ':13D:2401012500+0100', '-'].join('\n'),
      'line 4',
      /:13D: "2401012500\+0100" is not a date/,
    ],
  ])('%s', (_name, text, where, sentence) => {
    expectRefused(text, where, sentence)
  })
})

describe('syntheticMt940', () => {
  it('writes 100,000 lines that parse back whole, every day adding up', () => {
    const file = parseMt940(syntheticMt940(100_000, 42))
    const { statements } = file
    expect(statements.reduce((n, s) => n + s.entries.length, 0)).toBe(100_000)
    let closing = statements[0]!.opening!.amount
    for (const st of statements) {
      expect(st.opening!.amount).toBe(closing)
      expect(imbalance(st)).toBe(0n)
      closing = st.closing!.amount
    }
    const total = statements.reduce((sum, s) => sum + net(s), 0n)
    expect(statements[statements.length - 1]!.closing!.amount).toBe(statements[0]!.opening!.amount + total)
    expect(statements.some((s) => s.entries.some((e) => e.reversal))).toBe(true)
  })

  it('is deterministic', () => {
    expect(syntheticMt940(50, 7)).toBe(syntheticMt940(50, 7))
    expect(syntheticMt940(50, 7)).not.toBe(syntheticMt940(50, 8))
  })
})
