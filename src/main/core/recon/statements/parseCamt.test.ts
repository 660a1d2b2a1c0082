/**
 * parseCamt against the real bank samples (test/fixtures/statements/camt053, see SOURCES.md there),
 * exact amounts, the camt.052 / camt.054 / prefixed / CRLF variants, a bad-input corpus (each a
 * STATEMENT_INVALID naming where) and a 100,000-entry synthetic file.
 */
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CsError } from '../../../../shared/errors'
import { AMOUNT_MAX } from '../../../../shared/money'
import { syntheticCamt053 } from './camt053Synthetic'
import { parseCamt } from './parseCamt'
import type { ParsedStatement, StatementEntry } from './statementModel'

const FIXTURES_DIR = fileURLToPath(new URL('../../../../../test/fixtures/statements/camt053/', import.meta.url))

function readSample(name: string): string {
  return fs.readFileSync(FIXTURES_DIR + name, 'utf8')
}

function onlyStatement(text: string): ParsedStatement {
  const file = parseCamt(text)
  expect(file.statements).toHaveLength(1)
  return file.statements[0]!
}

function sum(entries: readonly StatementEntry[]): bigint {
  return entries.reduce((total, e) => total + e.amount, 0n)
}

/** 1-based line of the `occurrence`-th (1-based) `needle` in `text`. */
function lineOf(text: string, needle: string, occurrence = 1): number {
  let at = -1
  for (let i = 0; i < occurrence; i++) {
    at = text.indexOf(needle, at + 1)
    if (at === -1) throw new Error(`${needle} #${occurrence} not in text`)
  }
  return text.slice(0, at).split('\n').length
}

describe('parseCamt: the real samples', () => {
  it('reads every sample in the folder', () => {
    const counts: Record<string, number> = {
      'genkgo_camt053_v08.xml': 1,
      'goldman_sachs_us_camt053_v02.xml': 15,
      'ing_example_camt053_v02.xml': 9,
      'nordea_example_camt053_v02.xml': 6,
      'postfinance_ch_camt053_v04.xml': 5,
    }
    const samples = fs.readdirSync(FIXTURES_DIR).filter((name) => name.endsWith('.xml'))
    expect(samples.sort()).toEqual(Object.keys(counts).sort())
    for (const name of samples) {
      const file = parseCamt(readSample(name), { fileName: name })
      expect(file.format).toBe('camt.053')
      expect(file.statements.map((s) => s.entries.length)).toEqual([counts[name]])
      file.statements[0]!.entries.forEach((e, i) => {
        expect(e.index).toBe(i)
        expect(e.where).toMatch(new RegExp(`^Ntry ${i + 1} \\(line \\d+\\)$`))
      })
    }
  })

  it('ING (v02): header, OPBD over PRCD, batch bookings, a reversal, balances that add up', () => {
    const text = readSample('ing_example_camt053_v02.xml')
    const st = onlyStatement(text)
    expect(st).toMatchObject({
      format: 'camt.053',
      statementId: '201401030009999',
      sequence: '03',
      createdAt: '2014-01-04T01:55:04.378+01:00',
      account: { id: 'NL08INGB0000001234', bic: 'INGBNL2A', currency: 'EUR', ownerName: 'INGBankNV' },
      fromDate: '2014-01-03',
      toDate: '2014-01-03',
      // OPBD (dated the 3rd) wins over PRCD (the 2nd), both 1000.00.
      opening: { amount: 100000n, date: '2014-01-03' },
      closing: { amount: 160500n, date: '2014-01-03' },
      // TtlNtries gives count and sum; the net is what TtlCdtNtries (990.00) less TtlDbtNtries (385.00) states.
      declared: { count: 9, sumAbs: 137500n, net: 60500n },
    })
    expect(st.entries.map((e) => e.amount)).toEqual([35000n, 12500n, 12000n, 27000n, 12500n, -2500n, -30000n, -3000n, -3000n])
    expect(st.opening!.amount + sum(st.entries)).toBe(st.closing!.amount)
    expect(st.entries[0]).toMatchObject({
      where: `Ntry 1 (line ${lineOf(text, '<Ntry>')})`,
      bookingDate: '2014-01-03',
      valueDate: '2014-01-03',
      currency: 'EUR',
      status: 'booked',
      reversal: false,
      bankRef: '59999208N9',
      counterpartyName: 'INGTestrekening',
      counterpartyAccount: 'NL20INGB0001234567',
      counterpartyBic: 'INGBNL2A',
      structuredRef: '0010008346912014',
      remittance: null,
      typeCode: 'PMNT/RCDT/ESCT',
      details: [],
    })
    expect(st.entries[0]!.where).toBe('Ntry 1 (line 106)')
    // A batch booking without TxDtls: one line, its PmtInfId as the owner's reference.
    expect(st.entries[3]).toMatchObject({ amount: 27000n, customerRef: 'SCTBtchId20140103A2PSTN', typeCode: 'PMNT/IDDT/ESDD', details: [] })
    expect(st.entries[6]).toMatchObject({ amount: -30000n, customerRef: '20140103MctBtchId2VZ', bankRef: '98997828N7', details: [] })
    // A debit: the counterparty is the creditor.
    expect(st.entries[5]).toMatchObject({
      endToEndId: 'INGBE2EId545448451E5',
      counterpartyName: 'INGTestrekening',
      counterpartyAccount: 'NL20INGB0001234567',
      structuredRef: '1234567812345678',
    })
    expect(st.entries[7]).toMatchObject({
      counterpartyName: 'INGBANKNV',
      remittance: 'INGB20140103UstrdRemiInf454655GHF',
      endToEndId: '6010512558977000',
    })
    // The reversal keeps the sign of the money's movement (DBIT).
    expect(st.entries[8]).toMatchObject({ reversal: true, amount: -3000n, valueDate: '2013-12-20', typeCode: 'PMNT/IDDT/UPDD' })
  })

  it('Nordea (v02): NOTPROVIDED, two Ustrd lines joined, PmtInfId, balances that add up', () => {
    const st = onlyStatement(readSample('nordea_example_camt053_v02.xml'))
    expect(st).toMatchObject({
      statementId: '2019-05-09-04.44.12-EUR0574',
      sequence: '25',
      createdAt: '2019-05-09T04:33:00.444Z',
      account: { id: 'FI8529501800030574', bic: 'NDEAFIHH', currency: 'EUR', ownerName: 'TEST COMPANY' },
      fromDate: null,
      toDate: null,
      opening: { amount: 20050n, date: '2019-05-08' },
      closing: { amount: 880050n, date: '2019-05-08' },
      declared: { count: null, sumAbs: null, net: null },
    })
    expect(st.entries.map((e) => e.amount)).toEqual([1000000n, 10050n, -70050n, -30000n, -40000n, -10000n])
    expect(st.opening!.amount + sum(st.entries)).toBe(st.closing!.amount)
    expect(st.entries[0]).toMatchObject({
      bankRef: '1905082588CEAA0001',
      endToEndId: '20190501-E00005',
      structuredRef: '00000000000000001245',
    })
    expect(st.entries[1]).toMatchObject({ endToEndId: null, remittance: 'Free text max 140 characters and ma x 35 characters in one line' })
    expect(st.entries[2]).toMatchObject({
      endToEndId: '20190508-E123456',
      customerRef: 'PMNTINFID08052019',
      structuredRef: 'RF332348236',
      typeCode: 'PMNT/ICDT/ESCT',
    })
    expect(st.entries[5]).toMatchObject({ bankRef: '1905082588AU123456', remittance: 'CMS/Account Number', typeCode: 'CAMT/ACCB/SWEP' })
  })

  it('Goldman Sachs (v02, US): an account without IBAN, DtTm dates, DBIT balances, proprietary codes', () => {
    const st = onlyStatement(readSample('goldman_sachs_us_camt053_v02.xml'))
    expect(st).toMatchObject({
      statementId: '258158850',
      sequence: '1',
      account: { id: 'DD01100056869', bic: 'GSCRUS30', currency: 'USD', ownerName: null },
      fromDate: '2023-09-30',
      toDate: '2023-10-01',
      opening: { amount: -84368620n, date: '2023-09-30' },
      closing: { amount: -84666515n, date: '2023-09-30' },
      declared: { count: 14, sumAbs: 14000n, net: 4000n },
    })
    expect(st.entries[0]).toMatchObject({
      amount: 1000n,
      currency: 'USD',
      reversal: true,
      bookingDate: '2023-10-01',
      // No entry-level AcctSvcrRef: the transaction's, before the NtryRef.
      bankRef: 'B20092800002225',
      endToEndId: 'GSGWGDNCTAHQM8',
      customerRef: 'RP/GS/CTFILERP0002/CTBA0003',
      remittance: 'Sample Unstructured Remittance 123',
      typeCode: 'ACH Credit Reject',
    })
    expect(st.entries[6]).toMatchObject({
      amount: -1000n,
      counterpartyName: 'ABC INC',
      counterpartyAccount: '4356695007',
      counterpartyBic: 'WFBIUS6S',
      typeCode: 'PMNT/ICDT/DMCT',
    })
    // An EUR entry on the USD account keeps its own currency and scale (the common check refuses it).
    expect(st.entries[7]).toMatchObject({ amount: -2906n, currency: 'EUR', bookingDate: '2023-08-02' })
    expect(st.entries[14]).toMatchObject({ amount: -1000n, customerRef: 'CLIENTID200928A0000001', counterpartyName: 'GS Bank USA' })
    // A format sample, not a real day: 15 entries against a declared 14, and balances that do not add up.
    expect(st.entries).toHaveLength(15)
    expect(st.opening!.amount + sum(st.entries)).not.toBe(st.closing!.amount)
  })

  it('PostFinance (v04): currency from the balances, RvslInd false, AddtlNtryInf, UTF-8 text', () => {
    const st = onlyStatement(readSample('postfinance_ch_camt053_v04.xml'))
    expect(st).toMatchObject({
      statementId: '20201124375204229003973',
      sequence: '118',
      account: { id: 'CH2909000000250094239', bic: null, currency: 'CHF', ownerName: 'Robert Schneider SA Grands magasins Biel/Bienne' },
      fromDate: '2020-06-24',
      opening: { amount: 21199319n, date: '2020-11-24' },
      closing: { amount: 21511221n, date: '2020-11-24' },
    })
    expect(st.entries.map((e) => e.amount)).toEqual([450n, -7770n, 150000n, 153700n, 169222n])
    expect(st.entries.every((e) => !e.reversal && e.status === 'booked')).toBe(true)
    expect(st.entries[0]!.remittance).toBe(
      'GUTSCHRIFT CH-DD-BASISLASTSCHRIFT ID-NR. DES ZAHLUNGSEMPFÄNGERS: 41100000000872849 REFERENZ-NR: PmtInfId-CHDD-1',
    )
    expect(st.entries[3]).toMatchObject({ valueDate: '2020-11-25', bankRef: '07582000303KBMSU', typeCode: 'PMNT/RCDT/VCOM' })
    // The bank's CLBD leaves out the 1537.00 valued the next day (its FWAV balance has it).
    expect(st.opening!.amount + sum(st.entries)).toBe(st.closing!.amount + 153700n)
  })

  it('Genkgo (v08): <Sts><Cd>, Pty/Nm, Othr account id, a closing balance in another currency left out', () => {
    const st = onlyStatement(readSample('genkgo_camt053_v08.xml'))
    expect(st).toMatchObject({
      statementId: '253EURNL26VAYB8060476890',
      sequence: '12312',
      createdAt: '2015-03-10T18:43:50+00:00',
      account: { id: 'NL26VAYB8060476890', bic: null, currency: 'EUR', ownerName: 'FINPETROL' },
      fromDate: '2007-10-18',
      toDate: '2007-10-18',
      opening: { amount: 1815n, date: '2014-12-30' },
      // The only CLBD is 27.00 SEK: not expressible in the account's EUR, so no closing balance.
      closing: null,
    })
    expect(st.entries[0]).toMatchObject({
      amount: 885n,
      currency: 'EUR',
      status: 'booked',
      bookingDate: '2014-12-31',
      valueDate: '2015-01-02',
      bankRef: 'AAAASESS-FP-CN_98765/01',
      endToEndId: 'MUELL/FINP/RA12345',
      counterpartyName: 'NAME NAME',
      counterpartyAccount: 'NL56AGDH9619008421',
      structuredRef: '4654654654654654',
      typeCode: 'PMNT/RCDT/BOOK',
      details: [],
    })
  })
})

// ---------------------------------------------------------------------------------------------
// Small files written here

const IBAN = 'DE89370400440532013000'

interface EntryOptions {
  amount?: string | null
  ccy?: string | null
  indicator?: string | null
  status?: string | null
  inner?: string
}

function ntry(options: EntryOptions = {}): string {
  const { amount = '10.00', ccy = 'EUR', indicator = 'CRDT', status = 'BOOK', inner = '' } = options
  const amt = amount === null ? '' : `<Amt${ccy === null ? '' : ` Ccy="${ccy}"`}>${amount}</Amt>\n`
  return `<Ntry>
${amt}${indicator === null ? '' : `<CdtDbtInd>${indicator}</CdtDbtInd>\n`}${status === null ? '' : `<Sts>${status}</Sts>\n`}<BookgDt><Dt>2024-03-01</Dt></BookgDt>
${inner}</Ntry>
`
}

interface DocOptions {
  namespace?: string
  message?: string
  statement?: string
  header?: string
  prefix?: string
}

function camtDoc(entries: string[], options: DocOptions = {}): string {
  const {
    namespace = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02',
    message = 'BkToCstmrStmt',
    statement = 'Stmt',
    header = `<Acct><Id><IBAN>${IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n`,
  } = options
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="${namespace}">
<${message}>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-02T06:00:00</CreDtTm></GrpHdr>
<${statement}>
<Id>S1</Id>
${header}${entries.join('')}</${statement}>
</${message}>
</Document>
`
}

describe('parseCamt: exact amounts', () => {
  it('turns decimal text into minor units exactly, never through a JS number', () => {
    const uint256 = '1157920892373161954235709850086879078532699846656405640394575840079131296399.35'
    const cases: [string, string, string, bigint][] = [
      ['19.99', 'EUR', 'CRDT', 1999n],
      ['0.29', 'EUR', 'DBIT', -29n],
      ['1234567890123.45', 'EUR', 'CRDT', 123456789012345n],
      ['0.290', 'EUR', 'CRDT', 29n],
      ['7', 'EUR', 'CRDT', 700n],
      ['2700', 'JPY', 'DBIT', -2700n],
      ['1.234', 'BHD', 'CRDT', 1234n],
      // The ISO schema caps amounts at 18 digits; nothing here depends on that, up to uint256.
      [uint256, 'EUR', 'CRDT', AMOUNT_MAX],
    ]
    const text = camtDoc(cases.map(([amount, ccy, indicator]) => ntry({ amount, ccy, indicator })))
    const st = onlyStatement(text)
    expect(st.entries.map((e) => e.amount)).toEqual(cases.map((c) => c[3]))
    expect(st.entries.map((e) => e.currency)).toEqual(cases.map((c) => c[1]))
    expect(AMOUNT_MAX).toBe((1n << 256n) - 1n)
  })

  it('refuses one minor unit more than uint256', () => {
    const over = '1157920892373161954235709850086879078532699846656405640394575840079131296399.36'
    expectInvalid(camtDoc([ntry({ amount: over })]), /^Ntry 1 \(line \d+\)$/, /larger than any amount/)
  })

  it('reads balances, TxsSummry (v3+ TtlNetNtry) and batch details exactly', () => {
    const header = `<Acct><Id><Othr><Id>ACC-1</Id></Othr></Id><Ccy>EUR</Ccy><Svcr><FinInstnId><BICFI>BANKDEFFXXX</BICFI></FinInstnId></Svcr></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.01</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><DtTm>2024-03-01T00:00:00+01:00</DtTm></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1234567890123.44</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>
<TxsSummry><TtlNtries><NbOfNtries>1</NbOfNtries><Sum>1234567890123.45</Sum><TtlNetNtry><Amt>1234567890123.45</Amt><CdtDbtInd>CRDT</CdtDbtInd></TtlNetNtry></TtlNtries></TxsSummry>
`
    const batch = `<NtryDtls><Btch><PmtInfId>PAYOUT-7</PmtInfId><NbOfTxs>2</NbOfTxs></Btch>
<TxDtls><Refs><EndToEndId>E2E-1</EndToEndId><InstrId>I-1</InstrId></Refs><Amt Ccy="EUR">1234567890000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<RltdPties><Dbtr><Nm>Payer &amp; Co</Nm></Dbtr><DbtrAcct><Id><IBAN>NL20INGB0001234567</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>inv 1</Ustrd></RmtInf></TxDtls>
<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">123.45</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Pty><Nm>Second Payer</Nm></Pty></Dbtr></RltdPties><RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>
</NtryDtls><AddtlNtryInf>Batch of two</AddtlNtryInf>
`
    const text = camtDoc([ntry({ amount: '1234567890123.45', inner: batch })], {
      namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08',
      header,
    })
    const st = onlyStatement(text)
    expect(st.account).toEqual({ id: 'ACC-1', bic: 'BANKDEFFXXX', currency: 'EUR', ownerName: null })
    expect(st.opening).toEqual({ amount: -1n, date: '2024-03-01' })
    expect(st.closing).toEqual({ amount: 123456789012344n, date: '2024-03-01' })
    expect(st.declared).toEqual({ count: 1, sumAbs: 123456789012345n, net: 123456789012345n })
    expect(st.opening!.amount + sum(st.entries)).toBe(st.closing!.amount)
    const [entry] = st.entries
    expect(entry).toMatchObject({
      amount: 123456789012345n,
      customerRef: 'PAYOUT-7',
      endToEndId: null,
      counterpartyName: null,
      remittance: 'Batch of two',
      structuredRef: null,
    })
    expect(entry!.details).toEqual([
      {
        amount: 123456789000000n,
        endToEndId: 'E2E-1',
        bankRef: null,
        instructionId: 'I-1',
        counterpartyName: 'Payer & Co',
        counterpartyAccount: 'NL20INGB0001234567',
        remittance: 'inv 1',
        structuredRef: null,
      },
      {
        amount: 12345n,
        endToEndId: null,
        bankRef: null,
        instructionId: null,
        counterpartyName: 'Second Payer',
        counterpartyAccount: null,
        remittance: null,
        structuredRef: 'RF18539007547034',
      },
    ])
    expect(entry!.details.reduce((total, d) => total + d.amount!, 0n)).toBe(entry!.amount)
  })
})

describe('parseCamt: message types and file shapes', () => {
  it('reads camt.052 (Rpt) and camt.054 (Ntfctn, no balances: currency from Acct, else the first entry)', () => {
    const report = parseCamt(
      camtDoc([ntry({ amount: '5.00', status: 'PDNG' })], {
        namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.052.001.06',
        message: 'BkToCstmrAcctRpt',
        statement: 'Rpt',
      }),
    )
    expect(report.format).toBe('camt.052')
    expect(report.statements[0]).toMatchObject({ format: 'camt.052', statementId: 'S1', createdAt: '2024-03-02T06:00:00' })
    expect(report.statements[0]!.entries[0]).toMatchObject({ amount: 500n, status: 'pending' })

    const notification = parseCamt(
      camtDoc([ntry({ amount: '3.5', ccy: 'USD', status: 'INFO', indicator: 'DBIT' })], {
        namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.054.001.02',
        message: 'BkToCstmrDbtCdtNtfctn',
        statement: 'Ntfctn',
        header: `<Acct><Id><IBAN>${IBAN}</IBAN></Id></Acct>\n`,
      }),
    )
    expect(notification.format).toBe('camt.054')
    expect(notification.statements[0]).toMatchObject({ account: { currency: 'USD' }, opening: null, closing: null })
    expect(notification.statements[0]!.entries[0]).toMatchObject({ amount: -350n, status: 'info' })
  })

  it('reads several statements in one message', () => {
    const two = camtDoc([ntry()]).replace(
      '</Stmt>',
      `</Stmt>\n<Stmt><Id>S2</Id><Acct><Id><IBAN>${IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n${ntry()}${ntry()}</Stmt>`,
    )
    const file = parseCamt(two)
    expect(file.statements.map((s) => [s.statementId, s.entries.length])).toEqual([
      ['S1', 1],
      ['S2', 2],
    ])
    expect(file.statements[1]!.entries[1]!.index).toBe(1)
  })

  it('reads namespace prefixes, a BOM, CRLF and CR line ends, comments and CDATA alike', () => {
    const plain = readSample('nordea_example_camt053_v02.xml')
    const expected = onlyStatement(plain)
    const prefixed = plain.replace(/<(\/?)([A-Za-z])/g, '<$1ns2:$2').replace('xmlns=', 'xmlns:ns2=')
    const withComments = plain.replace(
      '<Ustrd>CMS/Account Number</Ustrd>',
      '<Ustrd>CMS/<!-- x --><![CDATA[Account]]> Number</Ustrd><!-- <Ntry> -->',
    )
    for (const variant of [prefixed, `\uFEFF${plain.replace(/\n/g, '\r\n')}`, plain.replace(/\n/g, '\r'), withComments]) {
      expect(onlyStatement(variant)).toEqual(expected)
    }
  })

  it('numbers lines the same for LF, CRLF and lone CR files', () => {
    const text = camtDoc([ntry(), ntry({ amount: '1.234' })])
    const line = lineOf(text, '<Ntry>', 2)
    for (const variant of [text, text.replace(/\n/g, '\r\n'), text.replace(/\n/g, '\r')]) {
      expectInvalid(variant, `Ntry 2 (line ${line})`, /1\.234 has more than 2 decimals/)
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Bad input: each a STATEMENT_INVALID whose message starts with where it is

function expectInvalid(text: string, where: string | RegExp, sentence: RegExp): void {
  let caught: unknown = null
  try {
    parseCamt(text)
  } catch (error) {
    caught = error
  }
  expect(caught, 'parseCamt should have refused the file').toBeInstanceOf(CsError)
  const error = caught as CsError
  expect(error.code).toBe('STATEMENT_INVALID')
  const actualWhere = error.details?.['where']
  if (typeof where === 'string') expect(actualWhere).toBe(where)
  else expect(actualWhere).toMatch(where)
  expect(error.message.startsWith(`${String(actualWhere)}: `)).toBe(true)
  expect(error.message).toMatch(sentence)
}

describe('parseCamt: bad input', () => {
  const ing = readSample('ing_example_camt053_v02.xml')

  it('refuses an empty file and a file that is not XML', () => {
    expectInvalid('', 'line 1', /is empty/)
    expectInvalid('\uFEFF  \r\n ', 'line 1', /is empty/)
    expectInvalid('Date,Amount\n2024-01-01,19.99\n', 'line 1', /"Date,Amount" — this is not a well-formed XML file/)
    expectInvalid('{"statement": []}', 'line 1', /not a well-formed XML file/)
    expectInvalid('<?xml version="1.0"?>\n', 'line 2', /holds no XML element/)
  })

  it('refuses truncated XML, naming the line and the unclosed element', () => {
    const cut = ing.slice(0, ing.indexOf('<Amt Ccy="EUR">270.00</Amt>') + 20)
    const lastLine = cut.split('\n').length
    expectInvalid(cut, `line ${lastLine}`, new RegExp(`ends inside <Amt> \\(opened on line ${lastLine}\\): it is truncated`))
    const afterEntry = ing.slice(0, ing.indexOf('</Ntry>') + 7)
    expectInvalid(afterEntry, /^line \d+$/, /ends inside <Stmt> \(opened on line 19\)/)
    expectInvalid(ing.slice(0, ing.indexOf('<Amt Ccy="EUR">125.00') + 8), /^line \d+$/, /ends inside the tag <Amt/)
  })

  it('refuses unclosed and mismatched tags with the line', () => {
    const unclosed = ing.replace('<NtryRef>011111333306999888111100008</NtryRef>', '<NtryRef>011111333306999888111100008')
    const line = lineOf(ing, '</Ntry>', 2)
    expectInvalid(unclosed, `line ${line}`, new RegExp(`</Ntry> does not match <NtryRef> opened on line ${lineOf(ing, '<NtryRef>', 2)}`))
    expectInvalid(camtDoc([ntry()]).replace('</Sts>', '</Status>'), /^line \d+$/, /<\/Status> does not match <Sts>/)
    expectInvalid(camtDoc([ntry()]) + '<Document/>', /^line \d+$/, /a second root element/)
    expectInvalid(camtDoc([ntry()]).replace('<Ntry>', '<Ntry attr=1>'), /^line \d+$/, /malformed/)
  })

  it('refuses other namespaces and roots, naming what it found', () => {
    expectInvalid(
      camtDoc([ntry()], { namespace: 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03' }),
      'line 2',
      /pain\.001\.001\.03", which is not a camt/,
    )
    expectInvalid(
      camtDoc([ntry()], { namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.13' }),
      'line 2',
      /camt\.053 version 13; Countersign reads versions 001\.02 to 001\.08/,
    )
    expectInvalid(
      camtDoc([ntry()], { namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.056.001.02' }),
      'line 2',
      /camt\.056\.001\.02", which is not/,
    )
    expectInvalid(camtDoc([ntry()]).replace(' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"', ''), 'line 2', /has no namespace/)
    expectInvalid('<OFX><BANKMSGSRSV1/></OFX>', 'line 1', /root element is <OFX> with no namespace, not an ISO 20022 camt <Document>/)
    expectInvalid(
      camtDoc([ntry()], { message: 'BkToCstmrAcctRpt' }),
      'line 3',
      /a camt\.053 <Document> must hold <BkToCstmrStmt>, not <BkToCstmrAcctRpt>/,
    )
    expectInvalid(camtDoc([ntry()], { statement: 'Rpt' }), 'line 5', /<Rpt> does not belong in <BkToCstmrStmt>/)
    expectInvalid(camtDoc([ntry()]).replace('<!DOCTYPE', '').replace('<Document', '<!DOCTYPE Document>\n<Document'), 'line 2', /DOCTYPE/)
  })

  it('refuses an entry without amount, direction or status', () => {
    const where = (text: string) => `Ntry 2 (line ${lineOf(text, '<Ntry>', 2)})`
    const noAmount = camtDoc([ntry(), ntry({ amount: null })])
    expectInvalid(noAmount, where(noAmount), /there is no <Amt>/)
    const noIndicator = camtDoc([ntry(), ntry({ indicator: null })])
    expectInvalid(noIndicator, where(noIndicator), /no <CdtDbtInd>/)
    const badIndicator = camtDoc([ntry(), ntry({ indicator: 'CREDIT' })])
    expectInvalid(badIndicator, where(badIndicator), /"CREDIT"; it must be CRDT \(money in\) or DBIT \(money out\)/)
    const noStatus = camtDoc([ntry(), ntry({ status: null })])
    expectInvalid(noStatus, where(noStatus), /no <Sts>/)
    const badStatus = camtDoc([ntry(), ntry({ status: 'DONE' })])
    expectInvalid(badStatus, where(badStatus), /status "DONE" is not BOOK, PDNG, FUTR or INFO/)
    const twoAmounts = camtDoc([ntry(), ntry({ inner: '<Amt Ccy="EUR">1.00</Amt>\n' })])
    expectInvalid(twoAmounts, where(twoAmounts), /2 <Amt> elements/)
  })

  it('refuses amounts that are not exact camt amounts of their currency', () => {
    const cases: [EntryOptions, RegExp][] = [
      [{ amount: '1.234' }, /1\.234 has more than 2 decimals for its currency — the file is wrong; amounts are never rounded/],
      [{ amount: '5.5', ccy: 'JPY' }, /5\.5 has more than 0 decimals/],
      [{ amount: 'abc' }, /"abc" is not a camt amount/],
      [{ amount: '1,000.00' }, /"1,000.00" is not a camt amount/],
      [{ amount: '12,50' }, /"12,50" is not a camt amount/],
      [{ amount: '-5.00' }, /"-5.00" is not a camt amount/],
      [{ amount: '1e3' }, /"1e3" is not a camt amount/],
      [{ amount: '' }, /an empty value is not a camt amount/],
      [{ ccy: 'XYZ' }, /XYZ is not an ISO 4217 currency code/],
      [{ ccy: 'EURO' }, /"EURO" is not a three-letter currency code/],
      [{ ccy: null }, /<Amt> has no Ccy attribute/],
    ]
    for (const [options, sentence] of cases) {
      const text = camtDoc([ntry(options)])
      expectInvalid(text, `Ntry 1 (line ${lineOf(text, '<Ntry>')})`, sentence)
    }
  })

  it('refuses bad balances, dates, entities, a missing account and a statement-less message', () => {
    const badBalance = camtDoc([], {
      header: `<Acct><Id><IBAN>${IBAN}</IBAN></Id></Acct>\n<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">10.001</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>\n`,
    })
    expectInvalid(badBalance, 'Stmt 1 (line 5), Bal 1 (line 8)', /10\.001 has more than 2 decimals/)
    const badDate = camtDoc([ntry()]).replace('<Dt>2024-03-01</Dt>', '<Dt>01.03.2024</Dt>')
    expectInvalid(badDate, /^Ntry 1 \(line \d+\)$/, /"01\.03\.2024" is not an ISO date/)
    expectInvalid(camtDoc([ntry({ inner: '<AddtlNtryInf>Smith & Sons</AddtlNtryInf>\n' })]), /^line \d+$/, /"&" is not an XML entity/)
    expectInvalid(camtDoc([ntry()], { header: '<Acct><Id></Id><Ccy>EUR</Ccy></Acct>\n' }), 'Stmt 1 (line 5)', /names no account/)
    expectInvalid(camtDoc([], { header: `<Acct><Id><IBAN>${IBAN}</IBAN></Id></Acct>\n` }), 'Stmt 1 (line 5)', /names no currency/)
    expectInvalid(camtDoc([]).replace(/<Stmt>[\s\S]*<\/Stmt>\n/, ''), 'line 3', /holds no <Stmt>/)
  })

  it('refuses a batch that lists another number of transactions than it declares', () => {
    const batch = `<NtryDtls><Btch><NbOfTxs>3</NbOfTxs></Btch><TxDtls><Refs><EndToEndId>A</EndToEndId></Refs></TxDtls><TxDtls/></NtryDtls>\n`
    const text = camtDoc([ntry({ inner: batch })])
    expectInvalid(text, /^Ntry 1 \(line \d+\), NtryDtls \(line \d+\)$/, /declares 3 transactions \(Btch\/NbOfTxs\) but lists 2 <TxDtls>/)
  })
})

describe('syntheticCamt053', () => {
  it('writes the same file for the same seed, and a file with no entries that still balances', () => {
    expect(syntheticCamt053(20, 3)).toBe(syntheticCamt053(20, 3))
    expect(syntheticCamt053(20, 3)).not.toBe(syntheticCamt053(20, 4))
    const empty = onlyStatement(syntheticCamt053(0, 1))
    expect(empty.entries).toEqual([])
    expect(empty.closing!.amount).toBe(empty.opening!.amount)
  })

  it('parses a 100,000-entry file: count, declared totals and closing balance', () => {
    const st = onlyStatement(syntheticCamt053(100_000, 7))
    expect(st.entries).toHaveLength(100_000)
    const net = sum(st.entries)
    const sumAbs = st.entries.reduce((total, e) => total + (e.amount < 0n ? -e.amount : e.amount), 0n)
    expect(st.closing!.amount).toBe(st.opening!.amount + net)
    expect(st.declared).toEqual({ count: 100_000, sumAbs, net })
    expect(st.entries[99_999]!.index).toBe(99_999)
    // Every 50th entry is a batch of three whose amounts add up to the entry's.
    const batch = st.entries[49]!
    expect(batch.details).toHaveLength(3)
    expect(batch.details.reduce((total, d) => total + d.amount!, 0n)).toBe(batch.amount)
    expect(st.entries.filter((e) => e.reversal)).toHaveLength(Math.floor(100_000 / 97))
  })
})
