/**
 * The parser fuzz targets (issue 18, item 6): one fast-check arbitrary and one check per target.
 * A check throws when the property breaks; the runner (runFuzz.ts) runs them in a worker thread
 * with a per-input watchdog, so a hang is caught as well as a crash.
 *
 * Properties:
 *   - *.model: a valid file written from a model (statementModels.ts) parses to exactly the
 *     model's amounts, signs and reversal marks, and its balances check passes;
 *   - *.mutate: a real fixture (test/fixtures/statements, test/fixtures/csv) after random byte and
 *     line mutations is either refused with the parser's own typed error (a CsError with a
 *     statement code and `where`), or parsed into statements whose balances check passes or is
 *     refused the same typed way — never another exception;
 *   - any.random: random text (with and without a format's opening) through format detection and
 *     every parser, and through the payout CSV reader.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { CsError, type ErrorCode } from '../../src/shared/errors'
import { AMOUNT_MAX, parseAmount } from '../../src/shared/money'
import { checkTally, emptyTally, tallyEntries } from '../../src/main/core/recon/statements/checkStatements'
import { parseStatementFile } from '../../src/main/core/recon/statements/parseStatementFile'
import type { ParsedStatementFile, StatementFormat } from '../../src/main/core/recon/statements/statementModel'
import { parsePayoutCsv } from '../../src/main/core/payouts/import/parsePayoutCsv'
import { mutation, applyMutations, type Mutation } from './mutations'
import {
  BAI2_CEILING,
  CAMT_KINDS,
  csvStyle,
  decimalText,
  magnitude,
  modelStatement,
  writeBai2,
  writeCamt,
  writeCsv,
  writeMt940,
  writeOfx,
  type CsvStyle,
  type ModelStatement,
} from './statementModels'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const STATEMENT_FIXTURES = path.join(ROOT, 'test/fixtures/statements')
const CSV_FIXTURES = path.join(ROOT, 'test/fixtures/csv')
const FUZZ_FIXTURES = path.join(ROOT, 'test/fixtures/fuzz')

export interface FuzzTarget<T = unknown> {
  arbitrary: fc.Arbitrary<T>
  /** Throws when the property breaks. */
  check(value: T): void
  /** The input as a person reads it in a failure report (the file's text). */
  show(value: T): string
}

/** The codes a statement parser (and the balances check) may refuse a file with. */
const STATEMENT_CODES: ReadonlySet<ErrorCode> = new Set([
  'STATEMENT_INVALID',
  'STATEMENT_UNBALANCED',
  'STATEMENT_FORMAT_UNKNOWN',
  'STATEMENT_MAPPING_INVALID',
])

/** A refusal is the parser's own: a CsError with a statement code and the place in the file (the file itself for format and mapping). */
export function assertTypedRefusal(error: unknown): void {
  if (!(error instanceof CsError)) throw new Error(`not a typed refusal: ${String((error as Error)?.stack ?? error)}`)
  if (!STATEMENT_CODES.has(error.code)) throw new Error(`unexpected code ${error.code}: ${error.message}`)
  const where = error.details?.where
  const placeless = error.code === 'STATEMENT_FORMAT_UNKNOWN' || error.code === 'STATEMENT_MAPPING_INVALID'
  if (!placeless && (typeof where !== 'string' || where.trim() === '')) throw new Error(`${error.code} without a place: ${error.message}`)
  if (error.message.trim().length < 10) throw new Error(`${error.code} without a sentence: "${error.message}"`)
}

/** What the import checks before it commits: every statement's lines in its currency, and its balances. */
export function checkBalances(file: ParsedStatementFile): void {
  file.statements.forEach((st, i) => {
    const tally = emptyTally()
    const label = `statement ${i + 1}`
    tallyEntries(tally, st.entries, st.account.currency, label)
    checkTally(st, tally, label)
  })
}

/** Parse + balances check: returns the file, or null after a typed refusal; anything else throws. */
export function parseOrRefuse(text: string, fileName: string, mapping?: unknown, format?: StatementFormat): ParsedStatementFile | null {
  try {
    const file = parseStatementFile(text, { fileName, mapping, format })
    checkBalances(file)
    return file
  } catch (error) {
    assertTypedRefusal(error)
    return null
  }
}

function expectEqual(what: string, got: unknown, want: unknown): void {
  if (got !== want) throw new Error(`${what}: read ${String(got)}, the file says ${String(want)}`)
}

/** The statement read matches the model exactly: every amount, sign and reversal; the balances given. */
function expectModel(
  file: ParsedStatementFile,
  model: ModelStatement,
  has: { opening: boolean; closing: boolean; reversals: boolean },
): void {
  expectEqual('statements', file.statements.length, 1)
  const st = file.statements[0]!
  expectEqual('currency', st.account.currency, model.currency)
  expectEqual('entries', st.entries.length, model.entries.length)
  model.entries.forEach((e, i) => {
    expectEqual(`entry ${i} amount`, st.entries[i]!.amount, e.amount)
    if (has.reversals) expectEqual(`entry ${i} reversal`, st.entries[i]!.reversal, e.reversal)
  })
  if (has.opening) expectEqual('opening', st.opening?.amount, model.opening)
  if (has.closing) expectEqual('closing', st.closing?.amount, model.closing)
  checkBalances(file)
}

// ---------- fixtures for mutation ----------

function filesUnder(dir: string, pattern: RegExp): { name: string; text: string }[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => pattern.test(name))
    .sort()
    .map((name) => ({ name, text: fs.readFileSync(path.join(dir, name), 'latin1') }))
}

const STATEMENT_SAMPLES = filesUnder(STATEMENT_FIXTURES, /\.(xml|sta|txt|bai2|ofx)$/).filter((f) => !/LICENSE|SOURCES/.test(f.name))
const samplesOf = (dir: string): { name: string; text: string }[] => STATEMENT_SAMPLES.filter((f) => f.name.startsWith(`${dir}/`))

/** Statement CSV: the two example layouts of csvStatementMapping.ts, as files with their mappings. */
const CSV_STATEMENT_SAMPLES: { name: string; text: string; mapping: unknown }[] = [
  {
    name: 'us-bank.csv',
    mapping: {
      name: 'US bank',
      delimiter: ',',
      columns: { date: 'Posting Date', description: 'Description', debit: 'Debit', credit: 'Credit', balance: 'Running Balance' },
      dateFormat: 'MM/DD/YYYY',
      decimalSeparator: '.',
      thousandsSeparator: ',',
      rowOrder: 'newestFirst',
      account: { id: '000123456789', currency: 'USD' },
    },
    text: [
      'Posting Date,Description,Debit,Credit,Running Balance',
      '03/29/2024,Card 1234,120.55,,"12,345.67"',
      '03/15/2024,Wire in,,"1,234,567.89","12,466.22"',
      '03/02/2024,Fee,0.29,,"-1,222,101.67"',
      '03/01/2024,Opening deposit,,2500.00,"-1,222,101.38"',
    ].join('\r\n'),
  },
  {
    name: 'german-bank.csv',
    mapping: {
      name: 'German bank',
      delimiter: ';',
      headerRows: 2,
      columns: { date: 'Buchungstag', amount: 'Betrag', description: 'Verwendungszweck', balance: 'Saldo' },
      dateFormat: 'DD.MM.YYYY',
      decimalSeparator: ',',
      thousandsSeparator: '.',
      account: { id: 'DE89370400440532013000', currency: 'EUR' },
      openingBalance: '1000.00',
    },
    text: [
      'Kontonummer:;DE89370400440532013000',
      'Buchungstag;Verwendungszweck;Betrag;Saldo',
      '01.03.2024;"Rechnung 1; Kunde 2";-12,50;987,50',
      '02.03.2024;Gehalt;1.234,56;2.222,06',
      '03.03.2024;Miete;-2.000,00;222,06',
    ].join('\n'),
  },
]

const PAYOUT_CSV_SAMPLES = filesUnder(CSV_FIXTURES, /\.csv$/)
/** Inputs that once broke a parser (test/fixtures/fuzz): mutated further, they keep the corner covered. */
const FUZZ_FINDINGS = filesUnder(FUZZ_FIXTURES, /\.(xml|sta|bai2|ofx|csv|txt)$/)

interface Mutated {
  sample: { name: string; text: string; mapping?: unknown }
  mutations: Mutation[]
}

function mutatedOf(samples: readonly { name: string; text: string; mapping?: unknown }[]): fc.Arbitrary<Mutated> {
  return fc.record({
    sample: fc.constantFrom(...samples),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  })
}

function statementMutationTarget(samples: readonly { name: string; text: string; mapping?: unknown }[]): FuzzTarget<Mutated> {
  return {
    arbitrary: mutatedOf(samples),
    check({ sample, mutations }) {
      parseOrRefuse(applyMutations(sample.text, mutations), sample.name, sample.mapping)
    },
    show: ({ sample, mutations }) => `${sample.name} mutated ${JSON.stringify(mutations)}:\n${applyMutations(sample.text, mutations)}`,
  }
}

// ---------- payout CSV ----------

/** Valid recipients on Base (checksummed), as the import test workspace knows them. */
const RECIPIENTS = ['0x4a4a4A4A4A4a4a4A4a4A4a4a4a4A4a4a4A4A4a4A', '0x5B5B5b5B5b5B5B5b5B5B5b5b5B5B5B5b5B5B5b5b'] as const
export const PAYOUT_HEADER = ['id', 'rail', 'network', 'asset', 'recipient', 'amount', 'memo', 'reference', 'name'] as const

export interface PayoutModel {
  rows: { asset: 'ETH' | 'USDC'; scale: number; minor: bigint; text: string; quoted: boolean; recipient: string }[]
  separator: ',' | ';' | '\t'
  lineEnd: '\n' | '\r\n' | '\r'
  bom: boolean
  sepLine: boolean
}

const payoutRow = fc
  .record({
    asset: fc.constantFrom(['ETH', 18] as const, ['USDC', 6] as const),
    minor: fc.oneof(magnitude(AMOUNT_MAX), fc.constant(AMOUNT_MAX)).map((v) => (v === 0n ? 1n : v)),
    pad: fc.nat({ max: 4 }),
    quoted: fc.boolean(),
    spaces: fc.boolean(),
    recipient: fc.constantFrom(...RECIPIENTS),
  })
  .map(({ asset, minor, pad, quoted, spaces, recipient }) => {
    const text = decimalText(minor, asset[1], '.', pad)
    return { asset: asset[0], scale: asset[1], minor, text: spaces ? ` ${text} ` : text, quoted, recipient }
  })

export const payoutModel: fc.Arbitrary<PayoutModel> = fc.record({
  rows: fc.array(payoutRow, { minLength: 1, maxLength: 12 }),
  separator: fc.constantFrom(',', ';', '\t'),
  lineEnd: fc.constantFrom('\n', '\r\n', '\r'),
  bom: fc.boolean(),
  sepLine: fc.boolean(),
})

/** The file a model describes; `idPrefix` keeps ids unique when one workspace imports many. */
export function writePayoutCsv(m: PayoutModel, idPrefix = 'p'): string {
  const lines = [PAYOUT_HEADER.join(m.separator)]
  m.rows.forEach((r, i) => {
    const amount = r.quoted ? `"${r.text}"` : r.text
    lines.push(
      [`${idPrefix}-${i + 1}`, 'evm', '8453', r.asset, r.recipient, amount, '', `INV ${i + 1}`, `Payee ${i + 1}`].join(m.separator),
    )
  })
  const sep = m.sepLine ? `sep=${m.separator}${m.lineEnd}` : ''
  return (m.bom ? '\uFEFF' : '') + sep + lines.join(m.lineEnd) + m.lineEnd
}

/** The payout CSV reader never throws: every problem is an issue with a stable code and a row (or none, for the file). */
function checkPayoutCsvOutcome(input: string | Uint8Array): ReturnType<typeof parsePayoutCsv> {
  const parsed = parsePayoutCsv(input, { fileName: 'fuzz.csv', network: '8453' })
  for (const issue of parsed.issues) {
    if (!/^[A-Z][A-Z_]+$/.test(issue.code)) throw new Error(`issue without a stable code: ${JSON.stringify(issue)}`)
    if (issue.row !== null && !(Number.isInteger(issue.row) && issue.row >= 1))
      throw new Error(`issue with a bad row: ${JSON.stringify(issue)}`)
    if (issue.message.trim().length < 10) throw new Error(`issue without a sentence: ${JSON.stringify(issue)}`)
  }
  if (parsed.rows.length > parsed.rowsTotal) throw new Error(`${parsed.rows.length} rows returned of ${parsed.rowsTotal} read`)
  // What validation does with each amount cell: exact, or a typed AMOUNT_* refusal.
  for (const row of parsed.rows) {
    for (const scale of [0, 6, 18]) {
      try {
        parseAmount(row.amount, scale)
      } catch (error) {
        if (!(error instanceof CsError) || !error.code.startsWith('AMOUNT_')) throw error
      }
    }
  }
  return parsed
}

// ---------- the targets ----------

const fileText = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({
    unit: fc.constantFrom(':', '6', '1', '8', '0', ',', '/', '\n', '\r', 'C', 'D', 'R', '<', '>', 'a', ' ', '-', '.', '+', '"', ';'),
    maxLength: 300,
  }),
)
/** Openings that make format detection hand the rest to one parser. */
const OPENINGS = [
  '',
  ':20:X\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C240101EUR1,00\n',
  '{1:F01COBADEFFAXXX0000000000}{2:O940COBADEFFXXXXN}{3:}{4:\r\n:20:X\r\n',
  '01,S,R,240102,0800,F,,,2/\n02,R,S,1,240101,,USD,/\n03,A,USD,010,+1,,/\n',
  'OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD',
  '<?xml version="1.0"?><?OFX OFXHEADER="200" VERSION="211"?><OFX>',
  '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>',
] as const

export const FUZZ_TARGETS = {
  'mt940.model': {
    arbitrary: modelStatement(),
    check: (st) =>
      expectModel(parseOrThrow(writeMt940(st), 'model.sta', undefined, 'mt940'), st, { opening: true, closing: true, reversals: true }),
    show: writeMt940,
  } satisfies FuzzTarget<ModelStatement>,
  'bai2.model': {
    arbitrary: modelStatement({ ceiling: BAI2_CEILING, reversals: false }),
    check: (st) =>
      expectModel(parseOrThrow(writeBai2(st), 'model.bai2', undefined, 'bai2'), st, { opening: true, closing: true, reversals: false }),
    show: writeBai2,
  } satisfies FuzzTarget<ModelStatement>,
  'ofx.model': {
    arbitrary: fc.tuple(modelStatement({ reversals: false }), fc.constantFrom(1 as const, 2 as const)),
    check: ([st, v]) =>
      expectModel(parseOrThrow(writeOfx(st, v), 'model.ofx', undefined, 'ofx'), st, { opening: false, closing: true, reversals: false }),
    show: ([st, v]) => writeOfx(st, v),
  } satisfies FuzzTarget<[ModelStatement, 1 | 2]>,
  'camt.model': {
    arbitrary: fc.tuple(modelStatement(), fc.constantFrom(...CAMT_KINDS)),
    check: ([st, kind]) => {
      const file = parseOrThrow(writeCamt(st, kind), 'model.xml', undefined, kind.format)
      const balances = kind.format !== 'camt.054'
      expectModel(file, st, { opening: balances, closing: balances, reversals: true })
    },
    show: ([st, kind]) => writeCamt(st, kind),
  } satisfies FuzzTarget<[ModelStatement, (typeof CAMT_KINDS)[number]]>,
  'csv.model': {
    arbitrary: fc.tuple(modelStatement({ reversals: false }), csvStyle),
    check: ([st, style]) => {
      const { text, mapping } = writeCsv(st, style)
      expectModel(parseOrThrow(text, 'model.csv', mapping, 'csv'), st, { opening: true, closing: true, reversals: false })
    },
    show: ([st, style]) => JSON.stringify(writeCsv(st, style)),
  } satisfies FuzzTarget<[ModelStatement, CsvStyle]>,
  'payoutCsv.model': {
    arbitrary: payoutModel,
    check(m) {
      const parsed = checkPayoutCsvOutcome(writePayoutCsv(m))
      if (parsed.issues.length > 0) throw new Error(`a valid file has issues: ${JSON.stringify(parsed.issues)}`)
      expectEqual('rows', parsed.rows.length, m.rows.length)
      m.rows.forEach((r, i) => expectEqual(`row ${i + 2} amount`, parseAmount(parsed.rows[i]!.amount, r.scale), r.minor))
    },
    show: (m) => writePayoutCsv(m),
  } satisfies FuzzTarget<PayoutModel>,
  'camt.mutate': statementMutationTarget(samplesOf('camt053')),
  'mt940.mutate': statementMutationTarget(samplesOf('mt940')),
  'bai2.mutate': statementMutationTarget(samplesOf('bai2')),
  'ofx.mutate': statementMutationTarget(samplesOf('ofx')),
  'csv.mutate': statementMutationTarget(CSV_STATEMENT_SAMPLES),
  'findings.mutate': statementMutationTarget(FUZZ_FINDINGS.length > 0 ? FUZZ_FINDINGS : STATEMENT_SAMPLES),
  'payoutCsv.mutate': {
    arbitrary: mutatedOf(PAYOUT_CSV_SAMPLES),
    check: ({ sample, mutations }) => void checkPayoutCsvOutcome(Buffer.from(applyMutations(sample.text, mutations), 'latin1')),
    show: ({ sample, mutations }) => `${sample.name} mutated ${JSON.stringify(mutations)}:\n${applyMutations(sample.text, mutations)}`,
  } satisfies FuzzTarget<Mutated>,
  'any.random': {
    arbitrary: fc.tuple(fc.constantFrom(...OPENINGS), fileText, fc.uint8Array({ maxLength: 64 })),
    check([opening, text, bytes]) {
      const input = opening + text
      parseOrRefuse(input, 'random.txt')
      checkPayoutCsvOutcome(input)
      checkPayoutCsvOutcome(Buffer.concat([Buffer.from(input, 'utf8'), bytes]))
    },
    show: ([opening, text, bytes]) => `${JSON.stringify(opening + text)} + bytes ${Buffer.from(bytes).toString('hex')}`,
  } satisfies FuzzTarget<[string, string, Uint8Array]>,
  /** The watchdog's own test (parsers.fuzz.test.ts): loops forever on its third input. Not in a campaign. */
  'selftest.hang': {
    arbitrary: fc.nat(),
    check: (() => {
      let calls = 0
      return () => {
        if (++calls === 3) for (;;);
      }
    })(),
    show: (n) => `nat ${n}`,
  } satisfies FuzzTarget<number>,
}

export type FuzzTargetName = keyof typeof FUZZ_TARGETS
export const FUZZ_TARGET_NAMES = (Object.keys(FUZZ_TARGETS) as FuzzTargetName[]).filter((t) => !t.startsWith('selftest.'))

/** A valid model file must parse: a refusal is a failure here, reported with its sentence. */
function parseOrThrow(text: string, fileName: string, mapping: unknown, format: StatementFormat): ParsedStatementFile {
  try {
    return parseStatementFile(text, { fileName, mapping, format })
  } catch (error) {
    throw new Error(`a valid ${format} file was refused: ${(error as Error).message}`)
  }
}
