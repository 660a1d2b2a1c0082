/**
 * parseBai2: the real samples in test/fixtures/statements/bai2 (see SOURCES.md there), exact
 * amounts, funds types, continuations, and a corpus of broken files — each refused with
 * STATEMENT_INVALID naming the record and line. Every trailer total and count is checked.
 */
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { AMOUNT_MAX } from '../../../../shared/money'
import { syntheticBai2 } from './bai2Synthetic'
import { parseBai2 } from './parseBai2'
import type { ParsedStatement } from './statementModel'

const FIXTURES_DIR = fileURLToPath(new URL('../../../../../test/fixtures/statements/bai2/', import.meta.url))

function readSample(name: string): string {
  return fs.readFileSync(FIXTURES_DIR + name, 'utf8')
}

function net(statement: ParsedStatement): bigint {
  return statement.entries.reduce((sum, entry) => sum + entry.amount, 0n)
}

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
  const error = refusal(() => parseBai2(text))
  expect(error.code).toBe('STATEMENT_INVALID')
  expect(error.where).toBe(where)
  expect(error.message.startsWith(`${where}: `)).toBe(true)
  expect(error.message).toMatch(sentence)
}

/** Replaces whole lines (1-based) of a sample. */
function withLines(text: string, replacements: Record<number, string>): string {
  return text
    .split('\n')
    .map((line, i) => replacements[i + 1] ?? line)
    .join('\n')
}

/** A small valid file: one account with opening 1000, two details (1999 in, 29 out); totals 3028, records 4/6/8. */
const SMALL = [
  '01,SENDER,RECEIVER,240102,0800,EX1,,,2/',
  '02,RECEIVER,SENDER,1,240101,,USD,/',
  '03,ACC1,USD,010,+1000,,/',
  '16,195,1999,,B1,C1,first/',
  '16,495,29,0,B2,,second/',
  '49,3028,4/',
  '98,3028,1,6/',
  '99,3028,1,8/',
].join('\n')

describe('parseBai2 samples', () => {
  it('sample1 (CAD): two reports of one account, 88 summaries, funds type V; every trailer holds', () => {
    const file = parseBai2(readSample('moov_sample1_cad.bai2'), { fileName: 'moov_sample1_cad.bai2' })
    expect(file.format).toBe('bai2')
    expect(file.statements).toHaveLength(2)
    const [first, second] = file.statements as [ParsedStatement, ParsedStatement]
    expect(first).toMatchObject({
      format: 'bai2',
      statementId: '001/1/10200123456',
      createdAt: '2006-03-21T08:29:00',
      fromDate: '2006-03-17',
      toDate: '2006-03-17',
      opening: null,
      closing: null,
      declared: { count: null, sumAbs: null, net: null },
    })
    expect(first.account).toEqual({ id: '10200123456', bic: null, currency: 'CAD', ownerName: null })
    expect(second.statementId).toBe('001/1/10200123456/2')
    expect(first.entries).toHaveLength(11)
    expect(second.entries).toHaveLength(6)
    expect(first.entries[0]).toMatchObject({
      index: 0,
      where: 'record 5 (line 5)',
      typeCode: '409',
      amount: -2500n,
      valueDate: '2006-03-16',
      bookingDate: '2006-03-17',
      bankRef: null,
      customerRef: null,
      remittance: 'RETURNED CHEQUE',
      status: 'booked',
      reversal: false,
      currency: 'CAD',
    })
    expect(first.entries[3]).toMatchObject({ typeCode: '108', amount: 203500n, remittance: 'TFR 1020 0345678' })
    expect(first.entries[10]).toMatchObject({ amount: -1000n, remittance: 'PLAZA ROCK FOREST' })
    // Its 100/400 summaries: 3 credits and 8 debits of 2085.00 each — the details net to zero, as 040 → 045 (0 → 0) says.
    expect(first.entries.filter((e) => e.amount > 0n)).toHaveLength(3)
    expect(net(first)).toBe(0n)
    expect(second.entries.map((e) => e.amount)).toEqual([11500n, 100000n, -100000n, -9000n, -2000n, -500n])
    expect(net(second)).toBe(0n)
  })

  it('sample2 (the spec example): four groups, USD by default, S/V/1/D funds types, continued summaries', () => {
    const { statements } = parseBai2(readSample('moov_sample2_spec_example.bai2'))
    expect(statements.map((s) => s.statementId)).toEqual([
      '1/1/0123456789',
      '1/1/9876543210',
      '1/2/4589761203',
      '1/3/0975312468',
      '1/4/7890654321',
    ])
    expect(statements.map((s) => s.opening?.amount)).toEqual([4350000n, -500000n, 10000000n, 500000n, 800000n])
    expect(statements.map((s) => s.entries.length)).toEqual([1, 1, 2, 0, 0])
    for (const st of statements) {
      expect(st.account.currency).toBe('USD')
      expect(st.closing).toBeNull()
      expect(st).toMatchObject({ createdAt: '2004-06-21T02:00:00', fromDate: '2004-06-20' })
    }
    expect(statements[0]!.opening).toEqual({ amount: 4350000n, date: '2004-06-20' })
    expect(statements[0]!.entries[0]).toMatchObject({ typeCode: '115', amount: 450000n, valueDate: null, remittance: null })
    expect(statements[1]!.entries[0]).toMatchObject({ amount: 500000n, remittance: 'LOCK BOX NO.68751' })
    expect(statements[2]!.entries[0]).toMatchObject({
      where: 'record 16 (line 16)',
      typeCode: '218',
      amount: 20000000n,
      valueDate: '2004-06-22',
      bankRef: 'SP4738',
      customerRef: 'YRC065321',
      remittance: 'PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO',
    })
    expect(statements[2]!.entries[1]).toMatchObject({ where: 'record 18 (line 18)', typeCode: '195', amount: 10000000n })
  })

  it('sample4 (Goldman Sachs style) is refused: its trailers do not match its records', () => {
    expectRefused(
      readSample('moov_sample4_gs_continuations.bai2'),
      'record 22 (line 22)',
      /49 account control total is -1260161341762 but the amounts of account 107049932 .* add up to 7999960/,
    )
  })

  it('sample4 with its four wrong trailer lines corrected: continuation sub-fields, text with commas', () => {
    // The values below are what the records add up to (checked by hand; see SOURCES.md).
    const corrected = withLines(readSample('moov_sample4_gs_continuations.bai2'), {
      22: '49,7999960,18/',
      110: '49,666917818,88/',
      115: '98,13728243218,5,114/',
      116: '99,13728243218,1,116/',
    })
    const { statements } = parseBai2(corrected)
    expect(statements.map((s) => [s.statementId, s.entries.length])).toEqual([
      ['1/1/107049924', 0],
      ['1/1/107049932', 3],
      ['1/1/104108339', 14],
      ['1/1/260000033037', 0],
      ['1/1/280000010657', 0],
    ])
    const [, ach, wires] = statements as [ParsedStatement, ParsedStatement, ParsedStatement]
    expect(ach).toMatchObject({ createdAt: '2021-07-06T12:49:00', fromDate: '2023-09-06' })
    expect(ach.entries[0]).toMatchObject({
      typeCode: '447',
      amount: -60000n,
      bankRef: 'SPB2322984714570',
      customerRef: '1111',
      endToEndId: '1111',
      remittance: 'ACH Credit Payment,Entry Description: EXP; -, SEC: CCD, Client Ref ID: 1111, GS ID: SPB2322984714570',
    })
    expect(ach.entries[1]).toMatchObject({
      typeCode: '261',
      amount: 143500n,
      endToEndId: 'GSQ4FBGFDGWGKY',
      counterpartyName: 'SAMPLE INC',
      counterpartyAccount: '101152046',
      remittance: 'ACH- Test - Addenda Record',
    })
    expect(wires.opening).toEqual({ amount: 159581194n, date: '2023-09-06' })
    expect(wires.closing).toEqual({ amount: 159381194n, date: '2023-09-06' })
    expect(wires.entries[3]).toMatchObject({
      typeCode: '495',
      amount: -50500n,
      bankRef: 'GI2321400000090',
      customerRef: 'GSV0DL6RKT',
      endToEndId: 'GSV0DL6RKT',
      counterpartyName: 'TEST COMPANY',
      counterpartyBic: 'COBADEFF',
      remittance: 'QWERTIOP',
    })
    expect(wires.entries[4]).toMatchObject({
      typeCode: '195',
      amount: 1125n,
      counterpartyBic: 'CITIUS30XXX',
      counterpartyAccount: '8348572423',
      counterpartyName: null,
    })
    expect(wires.entries[6]).toMatchObject({
      typeCode: '255',
      customerRef: null,
      endToEndId: '07370568132',
      counterpartyName: 'Test2 Customer',
    })
    expect(wires.entries[13]).toMatchObject({
      amount: -30000000n,
      counterpartyName: 'TEST AND COMPANY',
      counterpartyAccount: '609873838',
      remittance: '081823 Invoice - Sample',
    })
    // The account's balances fit only its first detail (a 2000.00 return): the sample was assembled by hand.
    expect(wires.closing!.amount - wires.opening!.amount).toBe(wires.entries[0]!.amount)
    expect(net(wires)).toBe(-29903174n)
  })

  it('reads the same file with CRLF or CR line ends and a BOM', () => {
    const text = readSample('moov_sample2_spec_example.bai2')
    const plain = parseBai2(text)
    expect(parseBai2(`\uFEFF${text.replace(/\n/g, '\r\n')}`)).toEqual(plain)
    expect(parseBai2(text.replace(/\n/g, '\r'))).toEqual(plain)
  })
})

describe('parseBai2 amounts and fields', () => {
  it('keeps amounts exact in minor units: 19.99, 0.29, 1234567890123.45', () => {
    const text = [
      '01,SENDER,RECEIVER,240102,0800,EX1,,,2/',
      '02,RECEIVER,SENDER,1,240101,,USD,/',
      '03,ACC1,USD,010,+1000,,,015,-123456789009375,,/',
      '16,195,1999,,B1,C1,first/',
      '16,495,29,0,B2,,second/',
      '16,495,123456789012345,0,B3,,third/',
      // 1000 - 123456789009375 (balances) + 1999 + 29 + 123456789012345 (details, unsigned)
      '49,5998,5/',
      '98,5998,1,7/',
      '99,5998,1,9/',
    ].join('\n')
    const st = parseBai2(text).statements[0]!
    expect(st.entries.map((e) => e.amount)).toEqual([1999n, -29n, -123456789012345n])
    expect(st.opening!.amount + net(st)).toBe(st.closing!.amount)
  })

  it('holds a uint256-sized amount exactly, and refuses one minor unit more', () => {
    const file = (amount: string) =>
      [
        '01,S,R,240102,0800,EX2,,,2/',
        '02,R,S,1,240101,,USD,/',
        '03,ACC1,USD/',
        `16,195,${amount},,B1,,huge/`,
        `49,${amount},3/`,
        `98,${amount},1,5/`,
        `99,${amount},1,7/`,
      ].join('\n')
    expect(parseBai2(file(AMOUNT_MAX.toString())).statements[0]!.entries[0]!.amount).toBe(AMOUNT_MAX)
    expectRefused(file((AMOUNT_MAX + 1n).toString()), 'record 4 (line 4)', /larger than any amount Countersign can hold/)
  })

  it('uses the type code for the direction: credits, debits, custom ranges, loan/status codes as info', () => {
    const text = [
      '01,S,R,240102,0800,EX3,,,2/',
      '02,R,S,1,240101,,USD,/',
      '03,ACC1,USD/',
      '16,399,1,,,,/',
      '16,400,2,,,,/',
      '16,699,3,,,,/',
      '16,925,4,,,,/',
      '16,965,5,,,,/',
      '16,721,6,,,,/',
      '16,910,7,,,,/',
      '49,28,9/',
      '98,28,1,11/',
      '99,28,1,13/',
    ].join('\n')
    const entries = parseBai2(text).statements[0]!.entries
    expect(entries.map((e) => [e.typeCode, e.amount, e.status])).toEqual([
      ['399', 1n, 'booked'],
      ['400', -2n, 'booked'],
      ['699', -3n, 'booked'],
      ['925', 4n, 'booked'],
      ['965', -5n, 'booked'],
      ['721', 6n, 'info'],
      ['910', 7n, 'info'],
    ])
  })

  it('keeps field positions through funds types S, V and D, in 03 summaries and 16 details', () => {
    const text = [
      '01,S,R,240102,0800,EX4,,,2/',
      '02,R,S,1,240101,2359,EUR,/',
      '03,ACC1,,010,500,,D,2,0,100,1,200,015,1300/',
      '16,175,300,D,2,0,100,2,200,BREF1,CREF1,deposit, with a comma/',
      '16,175,400,S,100,200,100,BREF2,CREF2,split/',
      '16,175,100,V,240103,1200,BREF3,,valued/',
      '49,2600,5/',
      '98,2600,1,7/',
      '99,2600,1,9/',
    ].join('\n')
    const st = parseBai2(text).statements[0]!
    expect(st.account.currency).toBe('EUR')
    expect(st.opening).toEqual({ amount: 500n, date: '2024-01-01' })
    expect(st.closing).toEqual({ amount: 1300n, date: '2024-01-01' })
    expect(st.entries.map((e) => [e.amount, e.bankRef, e.customerRef, e.valueDate, e.remittance])).toEqual([
      [300n, 'BREF1', 'CREF1', null, 'deposit, with a comma'],
      [400n, 'BREF2', 'CREF2', null, 'split'],
      [100n, 'BREF3', null, '2024-01-03', 'valued'],
    ])
  })

  it('continues a 16 record over 88 records: first its fields, then its text', () => {
    const text = [
      '01,S,R,240102,0800,EX5,,,2/',
      '02,R,S,1,240101,,USD,/',
      '03,ACC1,USD/',
      '16,195,700',
      '88,V,240101,,BANKREF',
      '88,CUSTREF,first line of text',
      '88,second line, with a comma',
      '88,EREF: E2E-1',
      '88,DBNM: Payer Ltd',
      '88,DACT: 12345',
      '16,495,50,,B2,C2,Wire out',
      '88,CRNM: Payee Inc',
      '88,CBIC: DEUTDEFF',
      '88,REMI: Invoice 9',
      '88,REMI: and 10',
      '49,750,14/',
      '98,750,1,16/',
      '99,750,1,18/',
    ].join('\n')
    const [incoming, outgoing] = parseBai2(text).statements[0]!.entries
    expect(incoming).toMatchObject({
      amount: 700n,
      valueDate: '2024-01-01',
      bankRef: 'BANKREF',
      customerRef: 'CUSTREF',
      endToEndId: 'E2E-1',
      counterpartyName: 'Payer Ltd',
      counterpartyAccount: '12345',
      remittance: 'first line of text second line, with a comma',
    })
    expect(outgoing).toMatchObject({
      amount: -50n,
      counterpartyName: 'Payee Inc',
      counterpartyBic: 'DEUTDEFF',
      remittance: 'Invoice 9 and 10',
    })
  })
})

describe('parseBai2 refuses broken files, naming the record', () => {
  const sample1 = (): string => readSample('moov_sample1_cad.bai2')
  it.each([
    [
      'a wrong 49 control total',
      () => withLines(sample1(), { 16: '49,+00000000000834001,14/' }),
      'record 16 (line 16)',
      /49 account control total is 834001 but .* add up to 834000/,
    ],
    [
      'a wrong 49 record count',
      () => withLines(sample1(), { 16: '49,+00000000000834000,13/' }),
      'record 16 (line 16)',
      /declares 13 records in account 10200123456 .* has 14/,
    ],
    [
      'a wrong 98 group total',
      () => withLines(sample1(), { 26: '98,+00000000001280001,2,25/' }),
      'record 26 (line 26)',
      /98 group control total is 1280001 .* add up to 1280000/,
    ],
    [
      'a wrong 98 account count',
      () => withLines(sample1(), { 26: '98,+00000000001280000,3,25/' }),
      'record 26 (line 26)',
      /declares 3 accounts in the group, but the file has 2/,
    ],
    [
      'a wrong 99 file total',
      () => withLines(sample1(), { 27: '99,+00000000001280009,1,27/' }),
      'record 27 (line 27)',
      /99 file control total is 1280009/,
    ],
    [
      'a wrong 99 record count',
      () => withLines(sample1(), { 27: '99,+00000000001280000,1,28/' }),
      'record 27 (line 27)',
      /declares 28 records in the file .* has 27/,
    ],
    [
      'a wrong 99 group count',
      () => withLines(sample1(), { 27: '99,+00000000001280000,2,27/' }),
      'record 27 (line 27)',
      /declares 2 groups in the file, but the file has 1/,
    ],
    [
      'a 16 before any 03',
      () => SMALL.replace('03,ACC1,USD,010,+1000,,/\n', ''),
      'record 3 (line 3)',
      /16 transaction detail outside an account: it must follow a 03/,
    ],
    [
      'an amount with a decimal point',
      () => SMALL.replace('16,195,1999,', '16,195,19.99,'),
      'record 4 (line 4)',
      /"19\.99" is not an amount in minor units \(digits only, no decimal point\)/,
    ],
    ['a detail amount with a minus sign', () => SMALL.replace('16,195,1999,', '16,195,-1999,'), 'record 4 (line 4)', /has a minus sign/],
    ['a detail without amount', () => SMALL.replace('16,195,1999,', '16,195,,'), 'record 4 (line 4)', /has no amount/],
    ['a truncated file without 99', () => SMALL.split('\n').slice(0, -1).join('\n'), 'line 7', /ends without a 99 file trailer/],
    ['a truncated file cut inside an account', () => SMALL.split('\n').slice(0, 4).join('\n'), 'line 4', /ends without a 99 file trailer/],
    [
      'a file not starting with 01',
      () => SMALL.split('\n').slice(1).join('\n'),
      'record 1 (line 1)',
      /starts with a 01 file header, not a 02/,
    ],
    ['a BAI version 1 file', () => SMALL.replace('EX1,,,2/', 'EX1,,,1/'), 'record 1 (line 1)', /BAI version "1"/],
    ['an impossible as-of date', () => SMALL.replace('1,240101,', '1,230231,'), 'record 2 (line 2)', /as-of date "230231" is not a date/],
    [
      'an unknown funds type',
      () => SMALL.replace('16,495,29,0,', '16,495,29,X,'),
      'record 5 (line 5)',
      /funds type "X" is not a BAI2 funds type/,
    ],
    [
      'an impossible value date',
      () => SMALL.replace('16,495,29,0,B2,', '16,495,29,V,991399,,B2,'),
      'record 5 (line 5)',
      /value date "991399" is not a date/,
    ],
    [
      'an 88 with nothing to continue',
      () => SMALL.replace('02,RECEIVER', '88,oops\n02,RECEIVER'),
      'record 2 (line 2)',
      /88 continuation record with nothing to continue/,
    ],
    ['a 98 while an account is open', () => SMALL.replace('49,3028,4/\n', ''), 'record 6 (line 6)', /has no 49 trailer before this 98/],
    ['an unknown record code', () => SMALL.replace('16,495', '17,495'), 'record 5 (line 5)', /17 is not a BAI2 record code/],
    ['a line that is not a record', () => SMALL.replace('16,495', 'hello'), 'record 5 (line 5)', /does not start with a BAI2 record code/],
    [
      'records after the 99',
      () => `${SMALL}\n01,SENDER,RECEIVER,240102,0800,EX1,,,2/`,
      'record 9 (line 9)',
      /more after the 99 file trailer/,
    ],
    ['an empty file', () => '\n\n', 'line 1', /holds no BAI2 records/],
    [
      'a currency that is not one',
      () => SMALL.replace('240101,,USD,', '240101,,XXY,'),
      'record 2 (line 2)',
      /XXY is not an ISO 4217 currency code/,
    ],
  ])('%s', (_name, text, where, sentence) => {
    expectRefused(text(), where, sentence)
  })

  it('the small file they start from is valid', () => {
    const st = parseBai2(SMALL).statements[0]!
    expect(st.entries.map((e) => e.amount)).toEqual([1999n, -29n])
  })
})

describe('syntheticBai2', () => {
  it('writes 100,000 details that parse back whole, every account adding up', () => {
    const { statements } = parseBai2(syntheticBai2(100_000, 42))
    expect(statements.reduce((n, s) => n + s.entries.length, 0)).toBe(100_000)
    for (const st of statements) expect(st.opening!.amount + net(st)).toBe(st.closing!.amount)
    const last = statements[statements.length - 1]!
    expect(last.closing!.amount).toBe(last.opening!.amount + net(last))
  })

  it('is deterministic', () => {
    expect(syntheticBai2(50, 7)).toBe(syntheticBai2(50, 7))
    expect(syntheticBai2(50, 7)).not.toBe(syntheticBai2(50, 8))
  })
})
