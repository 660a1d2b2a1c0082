/**
 * Models of valid statement files for the parser fuzz (issue 18, item 6): a statement is drawn as
 * data — currency, opening balance, entries with exact bigint amounts, signs and reversal marks —
 * and written out in one format the way banks write it (decimal comma in MT940, implied decimals
 * in BAI2, signed TRNAMT in OFX 1.x SGML and 2.x XML, CdtDbtInd + RvslInd in camt, any mapping's
 * separators and negative style in CSV). The fuzz parses the text and compares every amount with
 * the model's bigint: nothing may change between the file and what is read.
 */
import fc from 'fast-check'
import { AMOUNT_MAX } from '../../src/shared/money'
import type { CsvStatementMappingInput } from '../../src/main/core/recon/statements/csvStatementMapping'

export interface ModelEntry {
  /** Signed minor units, as the parser must return them (money in positive). */
  amount: bigint
  reversal: boolean
}

export interface ModelStatement {
  currency: string
  scale: number
  opening: bigint
  entries: ModelEntry[]
  /** opening + entries (every model entry is booked). */
  closing: bigint
  /** Extra zeros written after the last significant decimal (1,50 → 1,5000). */
  padZeros: number
  crlf: boolean
  /** Written with the format's optional wrapping: MT940's SWIFT blocks, camt's TxsSummry totals. */
  extras: boolean
}

/** Currencies of every scale ISO 4217 uses: 0 (JPY), 2 (EUR, USD), 3 (BHD), 4 (CLF). */
export const MODEL_CURRENCIES = [
  ['EUR', 2],
  ['USD', 2],
  ['JPY', 0],
  ['BHD', 3],
  ['CLF', 4],
] as const

/** Entries per model statement: enough to mix signs, few enough that sums stay under uint256. */
const ENTRIES_MAX = 8

/**
 * Magnitudes from zero to the format's ceiling: mostly small and medium (real statements), the
 * boundaries (0, 1, the ceiling itself) and anything in between up to it.
 */
export function magnitude(max: bigint): fc.Arbitrary<bigint> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 100_000n < max ? 100_000n : max }) },
    { weight: 3, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 20n < max ? 10n ** 20n : max }) },
    { weight: 3, arbitrary: fc.bigInt({ min: 0n, max }) },
    { weight: 1, arbitrary: fc.constantFrom(0n, 1n, max) },
  )
}

/**
 * A statement whose every amount, opening and closing fit in `ceiling` (uint256 by default; BAI2
 * adds every amount into its control totals, so its ceiling is lower).
 */
export function modelStatement(options: { ceiling?: bigint; reversals?: boolean } = {}): fc.Arbitrary<ModelStatement> {
  const ceiling = options.ceiling ?? AMOUNT_MAX
  // Opening ≤ ceiling/2 and ENTRIES_MAX entries ≤ ceiling/(2·ENTRIES_MAX): |closing| ≤ ceiling.
  const entryMax = ceiling / BigInt(2 * ENTRIES_MAX)
  const entry = fc.record({
    magnitude: magnitude(entryMax),
    credit: fc.boolean(),
    reversal: options.reversals === false ? fc.constant(false) : fc.boolean(),
  })
  return fc
    .record({
      currency: fc.constantFrom(...MODEL_CURRENCIES),
      opening: magnitude(ceiling / 2n),
      openingCredit: fc.boolean(),
      entries: fc.array(entry, { minLength: 1, maxLength: ENTRIES_MAX }),
      padZeros: fc.nat({ max: 3 }),
      crlf: fc.boolean(),
      extras: fc.boolean(),
    })
    .map(({ currency, opening, openingCredit, entries, padZeros, crlf, extras }) => {
      const model = entries.map((e) => ({ amount: e.credit ? e.magnitude : -e.magnitude, reversal: e.reversal }))
      const open = openingCredit ? opening : -opening
      const closing = model.reduce((sum, e) => sum + e.amount, open)
      return { currency: currency[0], scale: currency[1], opening: open, entries: model, closing, padZeros, crlf, extras }
    })
}

/** |minor| as a decimal at `scale` with `separator`, trailing zeros trimmed then `pad` zeros added ("12,5" + "00"). */
export function decimalText(minor: bigint, scale: number, separator: '.' | ',', pad: number, keepEmptyFraction = false): string {
  const digits = (minor < 0n ? -minor : minor).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const fraction = (scale === 0 ? '' : digits.slice(digits.length - scale)).replace(/0+$/, '') + '0'.repeat(pad)
  if (fraction === '') return keepEmptyFraction ? `${whole}${separator}` : whole
  return `${whole}${separator}${fraction}`
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v
}

// ---------- MT940 ----------

export function writeMt940(st: ModelStatement): string {
  // SWIFT amounts always carry the comma; "1234," has no decimals.
  const amount = (v: bigint): string => decimalText(v, st.scale, ',', st.padZeros, true)
  const balance = (tag: string, v: bigint): string => `:${tag}:${v < 0n ? 'D' : 'C'}240101${st.currency}${amount(v)}`
  const lines = [':20:FUZZ', ':25:NL91ABNA0417164300', ':28C:1/1', balance('60F', st.opening)]
  st.entries.forEach((e, i) => {
    // RD = a debit reversed: the money comes back in. RC = a credit reversed: it goes out.
    const mark = e.reversal ? (e.amount >= 0n ? 'RD' : 'RC') : e.amount >= 0n ? 'C' : 'D'
    lines.push(`:61:2401010101${mark}${amount(e.amount)}NTRFREF${i}//B${i}`, `:86:Payment ${i}`)
    if (i % 2 === 1) lines.push(`Invoice ${i}/2024 - paid, ref: ${i}`)
  })
  lines.push(balance('62F', st.closing))
  // In its SWIFT envelope ({1:}{2:}{4: … -}) as banks send it, or bare with a closing "-".
  if (st.extras) {
    lines.unshift('{1:F01COBADEFFAXXX0000000000}{2:O940COBADEFFXXXXN}{3:}{4:')
    lines.push('-}{5:}')
  } else lines.push('-')
  return lines.join(st.crlf ? '\r\n' : '\n') + (st.crlf ? '\r\n' : '\n')
}

// ---------- BAI2 ----------

/** BAI2 adds opening, closing and every amount into each trailer's control total: keep those within uint256 too. */
export const BAI2_CEILING = AMOUNT_MAX / 64n

export function writeBai2(st: ModelStatement): string {
  const signed = (v: bigint): string => (v < 0n ? `${v}` : `+${v}`)
  const account = [`03,ACC1,${st.currency},010,${signed(st.opening)},,,015,${signed(st.closing)},,/`]
  let total = st.opening + st.closing
  st.entries.forEach((e, i) => {
    account.push(`16,${e.amount >= 0n ? '195' : '495'},${abs(e.amount)},,B${i},C${i},entry ${i}/`)
    total += abs(e.amount)
  })
  account.push(`49,${total},${account.length + 1}/`)
  const lines = ['01,SENDER,RECEIVER,240102,0800,FUZZ,,,2/', `02,RECEIVER,SENDER,1,240101,,${st.currency},/`, ...account]
  lines.push(`98,${total},1,${lines.length}/`)
  lines.push(`99,${total},1,${lines.length + 1}/`)
  return lines.join(st.crlf ? '\r\n' : '\n') + '\n'
}

// ---------- OFX ----------

export function writeOfx(st: ModelStatement, version: 1 | 2): string {
  const amount = (v: bigint): string => `${v < 0n ? '-' : ''}${decimalText(v, st.scale, '.', st.padZeros)}`
  const leaf = (tag: string, value: string): string => (version === 1 ? `<${tag}>${value}` : `<${tag}>${value}</${tag}>`)
  const transactions = st.entries.map(
    (e, i) =>
      `<STMTTRN>${leaf('TRNTYPE', e.amount >= 0n ? 'CREDIT' : 'DEBIT')}${leaf('DTPOSTED', '20240115')}${leaf('TRNAMT', amount(e.amount))}${leaf('FITID', `F${i}`)}</STMTTRN>`,
  )
  const head =
    version === 1
      ? ['OFXHEADER:100', 'DATA:OFXSGML', 'VERSION:102', '']
      : [
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>',
        ]
  return [
    ...head,
    '<OFX>',
    `<BANKMSGSRSV1><STMTTRNRS>${leaf('TRNUID', '1')}<STATUS>${leaf('CODE', '0')}${leaf('SEVERITY', 'INFO')}</STATUS>`,
    `<STMTRS>${leaf('CURDEF', st.currency)}`,
    `<BANKACCTFROM>${leaf('BANKID', '021000021')}${leaf('ACCTID', '987654321')}${leaf('ACCTTYPE', 'CHECKING')}</BANKACCTFROM>`,
    `<BANKTRANLIST>${leaf('DTSTART', '20240101')}${leaf('DTEND', '20240131')}`,
    ...transactions,
    '</BANKTRANLIST>',
    `<LEDGERBAL>${leaf('BALAMT', amount(st.closing))}${leaf('DTASOF', '20240131')}</LEDGERBAL>`,
    '</STMTRS></STMTTRNRS></BANKMSGSRSV1>',
    '</OFX>',
    '',
  ].join(st.crlf ? '\r\n' : '\n')
}

// ---------- camt.05x ----------

export const CAMT_KINDS = [
  { format: 'camt.053', namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.02', message: 'BkToCstmrStmt', statement: 'Stmt' },
  { format: 'camt.053', namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08', message: 'BkToCstmrStmt', statement: 'Stmt' },
  { format: 'camt.052', namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.052.001.02', message: 'BkToCstmrAcctRpt', statement: 'Rpt' },
  {
    format: 'camt.054',
    namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.054.001.02',
    message: 'BkToCstmrDbtCdtNtfctn',
    statement: 'Ntfctn',
  },
] as const

export function writeCamt(st: ModelStatement, kind: (typeof CAMT_KINDS)[number]): string {
  const amount = (v: bigint): string => decimalText(v, st.scale, '.', st.padZeros)
  const indicator = (v: bigint): string => (v < 0n ? 'DBIT' : 'CRDT')
  const balance = (code: string, v: bigint): string =>
    `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="${st.currency}">${amount(v)}</Amt><CdtDbtInd>${indicator(v)}</CdtDbtInd><Dt><Dt>2024-03-01</Dt></Dt></Bal>\n`
  // camt.054 notifications carry no balances.
  const balances = kind.format === 'camt.054' ? '' : balance('OPBD', st.opening) + balance('CLBD', st.closing)
  // TxsSummry: the count, sum and net the file declares, checked against the entries.
  const net = st.entries.reduce((sum, e) => sum + e.amount, 0n)
  const part = (tag: string, list: readonly ModelEntry[]): string =>
    `<${tag}><NbOfNtries>${list.length}</NbOfNtries><Sum>${amount(list.reduce((sum, e) => sum + abs(e.amount), 0n))}</Sum></${tag}>`
  const summary = st.extras
    ? `<TxsSummry><TtlNtries><NbOfNtries>${st.entries.length}</NbOfNtries><Sum>${amount(st.entries.reduce((sum, e) => sum + abs(e.amount), 0n))}</Sum><TtlNetNtry><Amt>${amount(net)}</Amt><CdtDbtInd>${indicator(net)}</CdtDbtInd></TtlNetNtry></TtlNtries>${part(
        'TtlCdtNtries',
        st.entries.filter((e) => e.amount >= 0n),
      )}${part(
        'TtlDbtNtries',
        st.entries.filter((e) => e.amount < 0n),
      )}</TxsSummry>\n`
    : ''
  const entries = st.entries
    .map(
      (e, i) =>
        `<Ntry><NtryRef>${i}</NtryRef><Amt Ccy="${st.currency}">${amount(e.amount)}</Amt><CdtDbtInd>${indicator(e.amount)}</CdtDbtInd>${e.reversal ? '<RvslInd>true</RvslInd>' : ''}<Sts>BOOK</Sts><BookgDt><Dt>2024-03-01</Dt></BookgDt><AcctSvcrRef>R${i}</AcctSvcrRef></Ntry>\n`,
    )
    .join('')
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="${kind.namespace}">
<${kind.message}>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-02T06:00:00</CreDtTm></GrpHdr>
<${kind.statement}>
<Id>S1</Id>
<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>${st.currency}</Ccy></Acct>
${balances}${summary}${entries}</${kind.statement}>
</${kind.message}>
</Document>
`
}

// ---------- CSV with a mapping ----------

export interface CsvStyle {
  delimiter: ',' | ';' | '\t' | '|'
  decimalSeparator: '.' | ','
  thousandsSeparator: 'none' | ',' | '.' | ' ' | "'"
  negativeStyle: 'leadingMinus' | 'trailingMinus' | 'parentheses'
  /** Debit and credit columns instead of one signed amount. */
  split: boolean
  quoteAmounts: boolean
}

export const csvStyle: fc.Arbitrary<CsvStyle> = fc
  .record({
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    decimalSeparator: fc.constantFrom('.', ','),
    thousandsSeparator: fc.constantFrom('none', ',', '.', ' ', "'"),
    negativeStyle: fc.constantFrom('leadingMinus', 'trailingMinus', 'parentheses'),
    split: fc.boolean(),
    quoteAmounts: fc.boolean(),
  })
  .filter((s) => s.thousandsSeparator !== s.decimalSeparator)

function grouped(whole: string, thousands: CsvStyle['thousandsSeparator']): string {
  if (thousands === 'none') return whole
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, thousands)
}

export function writeCsv(st: ModelStatement, style: CsvStyle): { text: string; mapping: CsvStatementMappingInput } {
  const money = (v: bigint, signed: boolean): string => {
    const body = decimalText(v, st.scale, style.decimalSeparator, st.padZeros)
    const [whole, fraction] = body.split(style.decimalSeparator) as [string, string | undefined]
    const text = grouped(whole, style.thousandsSeparator) + (fraction === undefined ? '' : style.decimalSeparator + fraction)
    if (!signed || v >= 0n) return text
    return style.negativeStyle === 'leadingMinus' ? `-${text}` : style.negativeStyle === 'trailingMinus' ? `${text}-` : `(${text})`
  }
  // A value holding the delimiter (or a quote) is quoted, as every spreadsheet does.
  const cell = (text: string, quote: boolean): string =>
    quote || text.includes(style.delimiter) || text.includes('"') ? `"${text.replaceAll('"', '""')}"` : text
  const header = style.split ? ['Date', 'Debit', 'Credit', 'Balance'] : ['Date', 'Amount', 'Balance']
  const rows = [header.join(style.delimiter)]
  let balance = st.opening
  for (const e of st.entries) {
    balance += e.amount
    const amounts = style.split
      ? [
          e.amount < 0n ? cell(money(-e.amount, false), style.quoteAmounts) : '',
          e.amount >= 0n ? cell(money(e.amount, false), style.quoteAmounts) : '',
        ]
      : [cell(money(e.amount, true), style.quoteAmounts)]
    rows.push(['2024-03-01', ...amounts, cell(money(balance, true), style.quoteAmounts)].join(style.delimiter))
  }
  const columns = style.split
    ? { date: 'Date', debit: 'Debit', credit: 'Credit', balance: 'Balance' }
    : { date: 'Date', amount: 'Amount', balance: 'Balance' }
  const mapping: CsvStatementMappingInput = {
    name: 'Fuzz bank',
    delimiter: style.delimiter,
    columns,
    dateFormat: 'YYYY-MM-DD',
    decimalSeparator: style.decimalSeparator,
    thousandsSeparator: style.thousandsSeparator,
    negativeStyle: style.negativeStyle,
    account: { id: 'ACC-1', currency: st.currency },
    openingBalance: `${st.opening < 0n ? '-' : ''}${decimalText(st.opening, st.scale, '.', 0)}`,
  }
  return { text: rows.join(st.crlf ? '\r\n' : '\n') + (st.crlf ? '\r\n' : '\n'), mapping }
}
