/**
 * `countersign receipts export`: the books for an accountant, written into a folder — receipts,
 * payouts or journal postings as CSV or JSON, the balanced journal bundle with its manifest, Xero
 * manual-journal files or a QuickBooks Online bank file. The core builds the files (exports.run,
 * recorded in the audit log); this command writes each one atomically into --out and prints what
 * it wrote (--json: names, paths, SHA-256 and row counts). --preview shows the first rows and how
 * amounts are signed, and writes nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { Option, type Command } from 'commander'
import { CsError } from '../../shared/errors'
import { EXPORT_DATE_FORMATS, type ExportAccountCodes, type ExportRequest } from '../../shared/exportsApi'
import { writeExportFiles } from '../../main/core/exports/writeExportFiles'
import { UsageError } from '../errors'
import { shortHash } from '../format'
import type { CliIo } from '../io'
import { examples } from '../options'
import { renderTable } from '../table'
import { withSession, type RunState, type Session } from '../session'

const FORMATS = ['xero', 'quickbooks', 'csv', 'json'] as const
const KINDS = ['receipts', 'payouts', 'journal', 'bundle'] as const
/** An account-code file is a small JSON document; anything larger is not one. */
const ACCOUNT_CODES_FILE_BYTES_MAX = 1024 * 1024

interface ExportOpts {
  format: (typeof FORMATS)[number]
  kind?: (typeof KINDS)[number]
  from?: string
  to?: string
  payee?: string
  batch?: string
  account?: string
  asset?: string
  accountCodes?: string
  taxRate?: string
  dateFormat?: (typeof EXPORT_DATE_FORMATS)[number]
  columns?: '3' | '4'
  out?: string
  preview?: boolean
}

function readAccountCodes(file: string): ExportAccountCodes {
  let text: string
  try {
    if (fs.statSync(file).size > ACCOUNT_CODES_FILE_BYTES_MAX)
      throw new CsError('FILE_INVALID', `${file} is too large for an account-code mapping.`)
    text = fs.readFileSync(file, 'utf8')
  } catch (cause) {
    if (cause instanceof CsError) throw cause
    throw new CsError('FILE_INVALID', `Cannot read ${file} — check the path of the account-code file.`, { cause })
  }
  try {
    // The contract checks the shape (byAccount, byKind, taxRate) and names a bad field.
    return JSON.parse(text) as ExportAccountCodes
  } catch (cause) {
    throw new CsError(
      'FILE_INVALID',
      `${file} is not JSON — write it as {"byKind": {"treasury": "090"}, "byAccount": {"fees:ETH@evm:8453": "404"}}.`,
      {
        cause,
      },
    )
  }
}

/** The command line as one export request; options of another format are usage errors. */
function requestOf(opts: ExportOpts): ExportRequest {
  const table = opts.format === 'csv' || opts.format === 'json'
  if (!table && opts.kind !== undefined)
    throw new UsageError(`--kind is for --format csv or json; --format ${opts.format} is its own kind.`)
  const kind =
    opts.format === 'xero' || opts.format === 'quickbooks'
      ? opts.format
      : opts.kind === 'bundle'
        ? 'journal-bundle'
        : (opts.kind ?? 'receipts')
  return {
    kind,
    ...(table ? { format: opts.format as 'csv' | 'json' } : {}),
    ...(opts.from !== undefined ? { from: opts.from } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
    ...(opts.payee !== undefined ? { payee: opts.payee } : {}),
    ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
    ...(opts.account !== undefined ? { account: opts.account } : {}),
    ...(opts.asset !== undefined ? { asset: opts.asset } : {}),
    ...(opts.accountCodes !== undefined ? { accountCodes: readAccountCodes(opts.accountCodes) } : {}),
    ...(opts.taxRate !== undefined ? { taxRate: opts.taxRate } : {}),
    ...(opts.dateFormat !== undefined ? { dateFormat: opts.dateFormat } : {}),
    ...(opts.columns !== undefined ? { columns: opts.columns === '4' ? 4 : 3 } : {}),
  }
}

async function preview(s: Session, request: ExportRequest): Promise<void> {
  const p = await s.call('exports.preview', request)
  if (s.out.json) return s.out.data(p)
  s.out.line(p.note)
  for (const f of p.files) s.out.line(`  ${f.name}  ${f.rows} rows`)
  if (p.columns.length > 0)
    s.out.line(
      renderTable(
        p.columns.map((header) => ({ header })),
        p.rows,
        s.out.bold,
      ),
    )
}

async function run(s: Session, request: ExportRequest, out: string): Promise<void> {
  const result = await s.call('exports.run', request)
  const dir = path.resolve(out)
  const written = writeExportFiles(dir, result.files)
  if (s.out.json) return s.out.data({ kind: result.kind, out: dir, rowsTotal: result.rowsTotal, note: result.note, files: written })
  s.out.line(`Wrote ${written.length} file(s) to ${dir} (${result.rowsTotal} rows).`)
  s.out.line(
    renderTable(
      [{ header: 'File' }, { header: 'Rows', align: 'right' }, { header: 'SHA-256' }],
      written.map((w) => [w.name, String(w.rows), shortHash(w.sha256, 16)]),
      s.out.bold,
    ),
  )
  s.out.line(result.note)
}

export function registerReceiptsExport(receipts: Command, io: CliIo, state: RunState): void {
  receipts
    .command('export')
    .description('Export receipts, payouts or the journal for an accountant: CSV, JSON, Xero manual journals, QuickBooks bank CSV.')
    .addOption(new Option('--format <format>', 'csv | json (with --kind), xero or quickbooks').choices(FORMATS).default('csv'))
    .addOption(new Option('--kind <kind>', 'csv / json: what to export (bundle: balanced journal + manifest.json)').choices(KINDS))
    .option('--from <day>', 'first day (YYYY-MM-DD, UTC), included')
    .option('--to <day>', 'last day (YYYY-MM-DD, UTC), included')
    .option('--payee <name-or-address>', "only this payee's (name or address, case ignored)")
    .option('--batch <id>', "only this batch's")
    .option('--account <id>', 'journal / xero / bundle: entries touching this account; quickbooks: the account to export')
    .option('--asset <id>', 'only this asset (e.g. USDC@evm:8453)')
    .option('--account-codes <file>', 'xero: JSON {"byKind":{…},"byAccount":{…},"taxRate":"…"} over the saved codes')
    .option('--tax-rate <name>', 'xero: the tax rate on every line, as named in Xero (default "Tax Exempt")')
    .addOption(new Option('--date-format <format>', 'xero / quickbooks: how dates are written').choices(EXPORT_DATE_FORMATS))
    .addOption(new Option('--columns <n>', 'quickbooks: 3 (signed Amount) or 4 (Credit = money out, Debit = money in)').choices(['3', '4']))
    .option('--out <dir>', 'the folder to write into (made if missing; files of the same name are replaced)')
    .option('--preview', 'show the first rows and how amounts are signed; write nothing')
    .addHelpText(
      'after',
      examples(
        'countersign receipts export --format csv --kind payouts --from 2026-03-01 --to 2026-03-31 --out ./march --as "Alice Preparer"',
        'countersign receipts export --format xero --account-codes codes.json --tax-rate "No VAT" --out ./xero --as "Alice Preparer"',
        'countersign receipts export --format quickbooks --account treasury-usdc --columns 4 --preview',
        'countersign receipts export --format json --kind bundle --out ./books --as "Alice Preparer" --json',
      ),
    )
    .action(async (opts: ExportOpts, cmd: Command) => {
      const request = requestOf(opts)
      if (opts.preview !== true && opts.out === undefined)
        throw new UsageError('Give --out DIR, the folder to write the files into (or --preview).')
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        if (opts.preview === true) await preview(s, request)
        else await run(s, request, opts.out!)
      })
    })
}
