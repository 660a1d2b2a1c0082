/**
 * A synthetic OFX 1.02 (SGML) bank statement of any size, for the parser's large-file test and the
 * statement benchmark. Deterministic for a seed; its LEDGERBAL equals
 * SYNTHETIC_OFX_OPENING_MINOR + the sum of its entries, so a reader can check it exactly. It uses
 * what real files use: CRLF, indentation, unclosed leaves, time-zone suffixes, `&amp;`, CHECKNUM.
 */
import { seededUint32 } from '../../util/seededRandom'
import { formatAmount } from '../../../../shared/money'

/** The balance before the first entry (OFX does not state it): 12,345.67 USD. */
export const SYNTHETIC_OFX_OPENING_MINOR = 1_234_567n
const SCALE = 2
/** Entries booked per calendar day. */
const ENTRIES_PER_DAY = 40
const FIRST_DAY_MS = Date.UTC(2024, 0, 1)
const DAY_MS = 86_400_000
/** Largest synthetic amount in cents (below 1,000,000.00). */
const AMOUNT_CENTS_MAX = 100_000_000
const COUNTERPARTIES = ['ACME SUPPLIES & CO', 'Northwind Traders', 'Contoso Payroll', 'Fabrikam Rent', "O'Neil Consulting"] as const

function ofxDate(dayIndex: number): string {
  return new Date(FIRST_DAY_MS + dayIndex * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '')
}

function escapeSgml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}

/** An OFX 1.02 file with `entries` transactions in USD on one checking account. */
export function syntheticOfx(entries: number, seed: number): string {
  const next = seededUint32(seed)
  const lastDay = ofxDate(Math.max(0, Math.ceil(entries / ENTRIES_PER_DAY) - 1))
  const parts: string[] = [
    'OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n',
    '<OFX>\r\n <SIGNONMSGSRSV1>\r\n  <SONRS>\r\n   <STATUS>\r\n    <CODE>0\r\n    <SEVERITY>INFO\r\n   </STATUS>\r\n',
    `   <DTSERVER>${lastDay}235959.000[-5:EST]\r\n   <LANGUAGE>ENG\r\n  </SONRS>\r\n </SIGNONMSGSRSV1>\r\n`,
    ' <BANKMSGSRSV1>\r\n  <STMTTRNRS>\r\n   <TRNUID>1\r\n   <STATUS>\r\n    <CODE>0\r\n    <SEVERITY>INFO\r\n   </STATUS>\r\n',
    '   <STMTRS>\r\n    <CURDEF>USD\r\n    <BANKACCTFROM>\r\n     <BANKID>021000021\r\n     <ACCTID>000123456789\r\n     <ACCTTYPE>CHECKING\r\n    </BANKACCTFROM>\r\n',
    `    <BANKTRANLIST>\r\n     <DTSTART>${ofxDate(0)}\r\n     <DTEND>${lastDay}\r\n`,
  ]
  let balance = SYNTHETIC_OFX_OPENING_MINOR
  for (let i = 0; i < entries; i++) {
    const cents = BigInt((next() % AMOUNT_CENTS_MAX) + 1)
    const credit = next() % 5 < 2
    const amount = credit ? cents : -cents
    balance += amount
    const counterparty = COUNTERPARTIES[next() % COUNTERPARTIES.length]!
    const check = !credit && next() % 10 === 0 ? `      <CHECKNUM>${1000 + i}\r\n` : ''
    parts.push(
      `     <STMTTRN>\r\n      <TRNTYPE>${credit ? 'CREDIT' : check ? 'CHECK' : 'DEBIT'}\r\n      <DTPOSTED>${ofxDate(Math.floor(i / ENTRIES_PER_DAY))}120000.000[-5:EST]\r\n`,
      `      <TRNAMT>${formatAmount(amount, SCALE)}\r\n      <FITID>SYN${seed}-${String(i).padStart(9, '0')}\r\n${check}`,
      `      <NAME>${escapeSgml(counterparty)}\r\n      <MEMO>Invoice ${escapeSgml(`INV-${seed}-${i}`)} &amp; fees\r\n     </STMTTRN>\r\n`,
    )
  }
  parts.push(
    `    </BANKTRANLIST>\r\n    <LEDGERBAL>\r\n     <BALAMT>${formatAmount(balance, SCALE)}\r\n     <DTASOF>${lastDay}235959.000[-5:EST]\r\n    </LEDGERBAL>\r\n`,
    '   </STMTRS>\r\n  </STMTTRNRS>\r\n </BANKMSGSRSV1>\r\n</OFX>\r\n',
  )
  return parts.join('')
}
