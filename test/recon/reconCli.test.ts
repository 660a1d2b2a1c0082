/**
 * Statements through the CLI, as a controller would bring them in: every real sample file of
 * test/fixtures/statements either imports with its balances checked or is refused with the
 * reason and the numbers (five of the public samples do not add up: truncated test files, a line
 * in another currency, stale BAI2 trailers); the --json output carries ids, states and amounts as
 * decimal strings; a file is imported once; a file larger than one request goes in chunks; an
 * older bank's Windows-1252 CSV reads right with its saved mapping.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STATEMENT_CHUNK_CHARS_MAX } from '../../src/shared/limits'
import { ImportStatementResult, ReconAccount, StatementLine, StatementSummary } from '../../src/shared/reconApi'
import { syntheticCamt053 } from '../../src/main/core/recon/statements/camt053Synthetic'
import { z } from 'zod'
import { initPayoutDesk, json, REPO_ROOT, runCli, tempDir, type CliResult } from '../cli/cliHarness'

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'statements')
const ALICE = ['--as', 'Alice Preparer']

let root: string
let dir: string

async function cli(...args: string[]): Promise<CliResult> {
  return await runCli(['--data-dir', dir, ...args])
}
async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  return r
}

/** What each public sample does on import: its format and statements, or the refusal and why. */
const SAMPLES: Record<string, { format: string; statements: number } | { refused: string; because: RegExp }> = {
  'camt053/genkgo_camt053_v08.xml': { format: 'camt.053', statements: 1 },
  'camt053/ing_example_camt053_v02.xml': { format: 'camt.053', statements: 1 },
  'camt053/nordea_example_camt053_v02.xml': { format: 'camt.053', statements: 1 },
  'camt053/goldman_sachs_us_camt053_v02.xml': {
    refused: 'STATEMENT_INVALID',
    because: /Ntry 8 \(line 460\): the line is in EUR but the statement is in USD/,
  },
  'camt053/postfinance_ch_camt053_v04.xml': {
    refused: 'STATEMENT_UNBALANCED',
    because: /opening 211993\.19 CHF \+ booked lines 4656\.02 CHF = 216649\.21 CHF, but the closing balance is 215112\.21 CHF/,
  },
  'mt940/asnb_swift_blocks.mt940.txt': { format: 'mt940', statements: 31 },
  'mt940/cmxl_mt940.sta': { format: 'mt940', statements: 3 },
  'mt940/betterplace_sepa_snippet.sta': { refused: 'STATEMENT_UNBALANCED', because: /statement 2 .*\(300\.08 EUR unaccounted for\)/ },
  'mt940/jejik_abnamro.sta': { refused: 'STATEMENT_UNBALANCED', because: /\(-2038\.00 EUR unaccounted for\)/ },
  'mt940/jejik_ing.sta': { refused: 'STATEMENT_UNBALANCED', because: /\(49\.06 EUR unaccounted for\)/ },
  'bai2/moov_sample1_cad.bai2': { format: 'bai2', statements: 2 },
  'bai2/moov_sample2_spec_example.bai2': { format: 'bai2', statements: 5 },
  'bai2/moov_sample4_gs_continuations.bai2': {
    refused: 'STATEMENT_INVALID',
    because: /record 22 \(line 22\): the 49 account control total/,
  },
  'ofx/ofxparse_anzcc.ofx': { format: 'ofx', statements: 1 },
  'ofx/ofxparse_bank_medium.ofx': { format: 'ofx', statements: 1 },
  'ofx/ofxparse_checking.ofx': { format: 'ofx', statements: 1 },
  'ofx/ofxparse_multiple_accounts.ofx': { format: 'ofx', statements: 2 },
  'ofx/ofxparse_suncorp.ofx': { format: 'ofx', statements: 1 },
}

beforeAll(async () => {
  root = tempDir('countersign-recon-cli-')
  dir = path.join(root, 'books')
  await initPayoutDesk(dir)
}, 120_000)

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

describe('recon through the CLI', () => {
  it('every public sample imports with its balances checked, or is refused with the reason and the numbers', async () => {
    const onDisk = ['camt053', 'mt940', 'bai2', 'ofx'].flatMap((f) =>
      fs
        .readdirSync(path.join(FIXTURES, f))
        .filter((n) => !/^(SOURCES|LICENSE)/.test(n))
        .map((n) => `${f}/${n}`),
    )
    expect(onDisk.sort()).toEqual(Object.keys(SAMPLES).sort())
    for (const [file, expected] of Object.entries(SAMPLES)) {
      const r = await cli('recon', 'import', path.join(FIXTURES, file), '--dry-run', '--json', ...ALICE)
      if ('refused' in expected) {
        expect(r.code, `${file}: ${r.stdout}`).toBe(1)
        const error = (json(r) as { error: { code: string; message: string } }).error
        expect(error.code, file).toBe(expected.refused)
        expect(error.message, file).toMatch(expected.because)
      } else {
        expect(r.code, `${file}: ${r.stderr}`).toBe(0)
        const result = ImportStatementResult.parse(json(r))
        expect([result.format, result.statements.length, result.dryRun], file).toEqual([expected.format, expected.statements, true])
      }
    }
    // Dry runs stored nothing.
    expect(z.object({ statements: z.array(StatementSummary) }).parse(json(await ok('recon', 'statements', '--json'))).statements).toEqual(
      [],
    )
  })

  it('imports a statement once, with stable JSON for statements, lines and accounts', async () => {
    const file = path.join(FIXTURES, 'camt053', 'nordea_example_camt053_v02.xml')
    const imported = ImportStatementResult.parse(json(await ok('recon', 'import', file, '--json', ...ALICE)))
    expect(imported).toMatchObject({ format: 'camt.053', dryRun: false, fileName: 'nordea_example_camt053_v02.xml' })
    expect(imported.sha256).toMatch(/^[0-9a-f]{64}$/)
    const st = imported.statements[0]!
    expect(st.lines).toBe(imported.lines)
    const lines = z
      .object({ lines: z.array(StatementLine), total: z.number() })
      .parse(json(await ok('recon', 'lines', st.id, '--json', '--limit', '1000')))
    expect(lines.total).toBe(st.lines)
    expect(lines.lines.every((l) => l.state === 'unmatched' && /^-?\d+\.\d{2}$/.test(l.amount))).toBe(true)
    // The booked lines add up to the statement's own movement, exactly.
    const toMinor = (d: string) => BigInt(d.replace('.', ''))
    const booked = lines.lines.filter((l) => l.status === 'booked').reduce((s, l) => s + toMinor(l.amount), 0n)
    expect(booked).toBe(toMinor(st.credits) + toMinor(st.debits))
    expect(toMinor(st.opening!) + booked).toBe(toMinor(st.closing!))

    const accounts = z.object({ accounts: z.array(ReconAccount) }).parse(json(await ok('recon', 'accounts', '--json')))
    expect(accounts.accounts.map((a) => a.id)).toEqual([st.accountId])

    const again = await cli('recon', 'import', file, ...ALICE)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^error STATEMENT_DUPLICATE: nordea_example_camt053_v02\.xml was imported already/)
    const human = await ok('recon', 'statements')
    expect(human.stdout).toContain(st.id)
  })

  it('sends a file larger than one request in chunks and imports it whole', async () => {
    const text = syntheticCamt053(12_000, 7)
    expect(text.length).toBeGreaterThan(STATEMENT_CHUNK_CHARS_MAX)
    const file = path.join(root, 'large-camt053.xml')
    fs.writeFileSync(file, text)
    const imported = ImportStatementResult.parse(json(await ok('recon', 'import', file, '--json', ...ALICE)))
    expect(imported.lines).toBe(12_000)
    const list = z.object({ statements: z.array(StatementSummary) }).parse(json(await ok('recon', 'statements', '--json')))
    expect(list.statements.find((s) => s.fileId === imported.fileId)?.lines).toBe(12_000)
  })

  it('reads a Windows-1252 CSV with its saved mapping', async () => {
    const mappingFile = path.join(root, 'mapping.json')
    fs.writeFileSync(
      mappingFile,
      JSON.stringify({
        name: 'Altbank',
        delimiter: ';',
        columns: { date: 'Datum', amount: 'Betrag', counterpartyName: 'Empfänger', description: 'Zweck', balance: 'Saldo' },
        dateFormat: 'DD.MM.YYYY',
        decimalSeparator: ',',
        thousandsSeparator: '.',
        account: { id: 'DE02120300000000202051', currency: 'EUR' },
      }),
    )
    await ok('recon', 'mapping', 'save', 'altbank', '--file', mappingFile, ...ALICE)
    const csv =
      'Datum;Betrag;Empfänger;Zweck;Saldo\r\n02.11.2026;-19,99;Müller & Söhne;Miete € „Nov“;980,01\r\n03.11.2026;0,29;Zoë;Zinsen;980,30\r\n'
    const file = path.join(root, 'umsaetze.csv')
    // Windows-1252: € is byte 0x80, „ 0x84, “ 0x93 (latin1 writes U+0080.. as those bytes).
    fs.writeFileSync(file, Buffer.from(csv.replace('€', '\u0080').replace('„', '\u0084').replace('“', '\u0093'), 'latin1'))
    const imported = ImportStatementResult.parse(json(await ok('recon', 'import', file, '--mapping', 'altbank', '--json', ...ALICE)))
    expect(imported.statements[0]).toMatchObject({ opening: '1000.00', closing: '980.30', credits: '0.29', debits: '-19.99' })
    const lines = z.object({ lines: z.array(StatementLine) }).parse(json(await ok('recon', 'lines', imported.statements[0]!.id, '--json')))
    expect(lines.lines.map((l) => [l.counterpartyName, l.remittance, l.amount])).toEqual([
      ['Müller & Söhne', 'Miete € „Nov“', '-19.99'],
      ['Zoë', 'Zinsen', '0.29'],
    ])
  })
})
