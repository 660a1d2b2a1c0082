/**
 * `countersign recon …`: bring bank, Stripe and chain statements in and look at them. Files are
 * read as bytes and decoded as the app decodes them (src/shared/statementText.ts: UTF-8, else
 * Windows-1252); large files go to the core in chunks (recon.upload).
 */
import fs from 'node:fs'
import path from 'node:path'
import { Option, type Command } from 'commander'
import { CsError } from '../../shared/errors'
import { fileTooLargeMessage } from '../../shared/fileSize'
import { RECON_LINES_PAGE_MAX, RECON_LIST_MAX, STATEMENT_CHARS_MAX } from '../../shared/limits'
import {
  STATEMENT_FILE_FORMAT_NAMES,
  type ImportStatementResult,
  type StatementFileFormatName,
  type StatementSummary,
} from '../../shared/reconApi'
import { decodeStatementBytes, statementChunks } from '../../shared/statementText'
import { registerReconPull } from './reconPull'
import { registerReconMatching } from './reconMatch'
import type { RailBalanceCheck } from '../../shared/reconBalancesApi'
import { EXIT_FAILURE } from '../errors'
import { cell, groupDecimal, shortTimestamp } from '../format'
import type { CliIo } from '../io'
import { examples, intArg } from '../options'
import { renderTable } from '../table'
import { withSession, type RunState, type Session } from '../session'
import { networkName } from '../../shared/networkNames'

/** Read a statement file: UTF-8 when it is valid UTF-8 (a BOM is dropped), else Windows-1252. */
export function readStatementFile(file: string): string {
  let bytes: Buffer
  try {
    const stat = fs.statSync(file)
    if (!stat.isFile()) throw new CsError('FILE_INVALID', `${file} is not a file — give the path of a statement file.`)
    // A UTF-8 file never has more characters than bytes; the core checks the exact limit.
    if (stat.size > STATEMENT_CHARS_MAX * 3) throw statementTooLarge(file, stat.size)
    bytes = fs.readFileSync(file)
  } catch (cause) {
    if (cause instanceof CsError) throw cause
    const code = (cause as { code?: unknown }).code
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : String((cause as Error).message)
    throw new CsError('FILE_INVALID', `Cannot read ${file}: ${why} — check the path.`, { cause })
  }
  const { text } = decodeStatementBytes(bytes)
  // The exact limit counts characters; a file that has more has at least as many bytes.
  if (text.length > STATEMENT_CHARS_MAX) throw statementTooLarge(file, bytes.length)
  return text
}

/** In the file's terms: plain-text statements have a byte per character, so the limit reads as bytes. */
function statementTooLarge(file: string, bytes: number): CsError {
  return new CsError(
    'STATEMENT_TOO_LARGE',
    fileTooLargeMessage({
      name: file,
      bytes,
      limitBytes: STATEMENT_CHARS_MAX,
      kind: 'a statement file',
      fix: 'Ask the bank for shorter periods and import each.',
    }),
  )
}

interface ImportOpts {
  format?: StatementFileFormatName
  mapping?: string
  ledgerAccount?: string
  dryRun?: boolean
}

const STATEMENT_COLUMNS = [
  { header: 'Statement', align: 'left' as const },
  { header: 'Account', align: 'left' as const },
  { header: 'Seq', align: 'left' as const },
  { header: 'Period', align: 'left' as const },
  { header: 'Opening', align: 'right' as const },
  { header: 'In', align: 'right' as const },
  { header: 'Out', align: 'right' as const },
  { header: 'Closing', align: 'right' as const },
  { header: 'Lines', align: 'right' as const },
  { header: 'Unmatched', align: 'right' as const },
]

function statementRow(st: StatementSummary): string[] {
  return [
    st.id,
    `${st.accountId}`,
    cell(st.sequence ?? ''),
    st.fromDate || st.toDate ? `${st.fromDate ?? '?'} – ${st.toDate ?? '?'}` : '',
    st.opening === null ? '—' : groupDecimal(st.opening),
    groupDecimal(st.credits),
    groupDecimal(st.debits),
    st.closing === null ? '—' : groupDecimal(st.closing),
    String(st.lines),
    String(st.unmatched),
  ]
}

async function sendFile(s: Session, text: string, fileName: string, opts: ImportOpts): Promise<ImportStatementResult> {
  const common = {
    fileName,
    ...(opts.format ? { format: opts.format } : {}),
    ...(opts.mapping ? { mapping: opts.mapping } : {}),
    ...(opts.ledgerAccount ? { ledgerAccountId: opts.ledgerAccount } : {}),
    ...(opts.dryRun ? { dryRun: true } : {}),
  }
  const chunks = statementChunks(text)
  if (chunks.length === 1) return await s.call('recon.import', { ...common, content: text })
  let uploadId: string | undefined
  let sent = 0
  for (const [i, chunk] of chunks.entries()) {
    const answer = await s.call('recon.upload', { ...(uploadId ? { uploadId } : {}), chunk, final: i === chunks.length - 1 })
    uploadId = answer.uploadId
    sent += chunk.length
    if (!s.out.json) s.io.stderr.write(`\rSending ${fileName}: ${Math.round((sent / text.length) * 100)}%`)
  }
  if (!s.out.json) s.io.stderr.write('\n')
  return await s.call('recon.import', { ...common, uploadId: uploadId! })
}

export function registerRecon(program: Command, io: CliIo, state: RunState): Command {
  const recon = program
    .command('recon')
    .description('Reconciliation: import bank, Stripe and chain statements (camt.053/052/054, MT940/942, BAI2, OFX, CSV) and look at them.')
    .addHelpText(
      'after',
      examples(
        'countersign recon import statement.xml --as "Alice Preparer"',
        'countersign recon import 2026-11.sta --ledger-account bank:USD@stripe --as "Alice Preparer" --json',
        'countersign recon mapping save mybank --file mybank-mapping.json --as "Alice Preparer"',
        'countersign recon import export.csv --mapping mybank --as "Alice Preparer"',
        'countersign recon statements --json',
      ),
    )

  recon
    .command('import')
    .argument('<file>', 'the statement file')
    .description('Import a statement file: parsed exactly, checked against its own balances and totals, refused if it was imported before.')
    .addOption(new Option('--format <format>', 'the format (default: recognised from the content)').choices(STATEMENT_FILE_FORMAT_NAMES))
    .option('--mapping <name>', 'the saved column mapping to read a CSV with')
    .option('--ledger-account <id>', 'link the statement account to this ledger account (first import)')
    .option('--dry-run', 'check the file and show what would be imported; store nothing', false)
    .action(async (file: string, opts: ImportOpts, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const text = readStatementFile(file)
        const result = await sendFile(s, text, path.basename(file), opts)
        if (s.out.json) return s.out.data(result)
        const verb = result.dryRun ? 'Would import' : 'Imported'
        s.out.line(
          `${verb} ${result.fileName} (${result.format}, ${result.fileId}): ${result.statements.length} statement(s), ${result.lines} line(s), every balance checked.`,
        )
        s.out.line(renderTable(STATEMENT_COLUMNS, result.statements.map(statementRow), s.out.bold))
        for (const w of result.warnings) s.out.line(`warning ${w.code}: ${w.where}: ${w.message}`)
      })
    })

  recon
    .command('statements')
    .description('Imported statements, newest first.')
    .option('--account <id>', 'only this statement account')
    .option('--limit <n>', `how many (1–${RECON_LIST_MAX})`, intArg(1, RECON_LIST_MAX))
    .action(async (opts: { account?: string; limit?: number }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('recon.statements', {
          ...(opts.account ? { accountId: opts.account } : {}),
          ...(opts.limit ? { limit: opts.limit } : {}),
        })
        if (s.out.json) return s.out.data(list)
        if (list.statements.length === 0) s.out.line('No statements imported yet: countersign recon import FILE')
        else s.out.line(renderTable(STATEMENT_COLUMNS, list.statements.map(statementRow), s.out.bold))
      })
    })

  recon
    .command('lines')
    .argument('<statement>', 'statement id (recon statements)')
    .description('The lines of one statement, in file order.')
    .option('--offset <n>', 'skip this many lines', intArg(0, Number.MAX_SAFE_INTEGER))
    .option('--limit <n>', `how many (1–${RECON_LINES_PAGE_MAX})`, intArg(1, RECON_LINES_PAGE_MAX))
    .action(async (statementId: string, opts: { offset?: number; limit?: number }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const page = await s.call('recon.lines', {
          statementId,
          ...(opts.offset !== undefined ? { offset: opts.offset } : {}),
          ...(opts.limit ? { limit: opts.limit } : {}),
        })
        if (s.out.json) return s.out.data(page)
        s.out.line(
          renderTable(
            [
              { header: '#', align: 'right' },
              { header: 'Booked', align: 'left' },
              { header: 'Amount', align: 'right' },
              { header: 'Counterparty', align: 'left' },
              { header: 'Reference', align: 'left' },
              { header: 'Text', align: 'left' },
              { header: 'State', align: 'left' },
            ],
            page.lines.map((l) => [
              String(l.index),
              l.bookingDate ?? '',
              `${groupDecimal(l.amount)} ${l.currency}${l.reversal ? ' (reversal)' : ''}${l.status === 'booked' ? '' : ` [${l.status}]`}`,
              cell(l.counterpartyName ?? ''),
              cell(l.endToEndId ?? l.bankRef ?? l.customerRef ?? ''),
              cell(l.remittance ?? ''),
              l.state,
            ]),
            s.out.bold,
          ),
        )
        s.out.line(`${page.lines.length} of ${page.total} line(s).`)
      })
    })

  recon
    .command('accounts')
    .description('Statement accounts seen so far and the ledger account each is linked to.')
    .action(async (_o: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const { accounts } = await s.call('recon.accounts', {})
        if (s.out.json) return s.out.data({ accounts })
        if (accounts.length === 0) s.out.line('No statement accounts yet: countersign recon import FILE')
        else
          s.out.line(
            renderTable(
              [
                { header: 'Account', align: 'left' },
                { header: 'Name', align: 'left' },
                { header: 'Ledger account', align: 'left' },
                { header: 'Statements', align: 'right' },
                { header: 'Last seq', align: 'left' },
                { header: 'Last closing', align: 'right' },
              ],
              accounts.map((a) => [
                a.id,
                cell(a.name ?? ''),
                a.ledgerAccountId ?? '(not linked)',
                String(a.statements),
                a.lastSequence ?? '',
                a.lastClosing === null
                  ? ''
                  : `${groupDecimal(a.lastClosing)} ${a.currency}${a.lastClosingDate ? ` on ${a.lastClosingDate}` : ''}`,
              ]),
              s.out.bold,
            ),
          )
      })
    })

  recon
    .command('link')
    .argument('<account>', 'statement account id (recon accounts)')
    .argument('<ledgerAccount>', 'the ledger account its statements show')
    .description('Link a statement account to the ledger account whose movements it should show.')
    .action(async (accountId: string, ledgerAccountId: string, _o: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const account = await s.call('recon.linkAccount', { accountId, ledgerAccountId })
        if (s.out.json) return s.out.data(account)
        s.out.line(`Linked ${account.id} to the ledger account ${account.ledgerAccountId ?? ''}.`)
      })
    })

  recon
    .command('balances')
    .description(
      "Each treasury account's balance on its rail (chain, Horizon, Stripe) beside the ledger's, as last checked; exit code 1 when one differs.",
    )
    .option('--check', 'read the rails now (with --as): a change is stored, a new difference audited', false)
    .action(async (opts: { check?: boolean }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const result = opts.check ? await s.call('recon.checkBalances', {}) : await s.call('recon.balances', {})
        if (s.out.json) s.out.data(result)
        else printRailBalances(s, result.accounts, result.checkedAt)
        return result.accounts.some((a) => a.state === 'differs') ? EXIT_FAILURE : 0
      })
    })

  const mapping = recon.command('mapping').description('Saved CSV column mappings, one per bank layout.')
  mapping
    .command('list', { isDefault: true })
    .description('The saved mappings.')
    .action(async (_o: object, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        const list = await s.call('recon.mappings', {})
        if (s.out.json) return s.out.data(list)
        if (list.mappings.length === 0) s.out.line('No saved mappings: countersign recon mapping save NAME --file mapping.json')
        for (const m of list.mappings) s.out.line(`${m.name} (saved ${shortTimestamp(m.updatedAt)})`)
      })
    })
  mapping
    .command('save')
    .argument('<name>', 'a name for the bank layout')
    .requiredOption('--file <json>', 'the mapping as JSON (see README, Reconciliation)')
    .description('Save (or replace) a CSV column mapping.')
    .action(async (name: string, opts: { file: string }, cmd: Command) => {
      state.exitCode = await withSession(io, cmd, { mode: 'existing' }, async (s) => {
        let parsed: unknown
        try {
          parsed = JSON.parse(readStatementFile(opts.file)) as unknown
        } catch (cause) {
          if (cause instanceof CsError) throw cause
          throw new CsError('STATEMENT_MAPPING_INVALID', `${opts.file} is not JSON — write the mapping as a JSON object.`, { cause })
        }
        const saved = await s.call('recon.saveMapping', { name, mapping: parsed })
        if (s.out.json) return s.out.data(saved)
        s.out.line(`Saved the column mapping "${saved.name}".`)
      })
    })
  registerReconPull(recon, io, state)
  registerReconMatching(recon, io, state)
  return recon
}

function printRailBalances(s: Session, accounts: readonly RailBalanceCheck[], checkedAt: string | null): void {
  if (accounts.length === 0) return s.out.line('No treasury account has an address on a rail: nothing to compare.')
  const money = (text: string | null, code: string) => (text === null ? '—' : `${groupDecimal(text)} ${code}`)
  const stateOf = (a: RailBalanceCheck) =>
    a.state === null ? 'not checked' : a.state === 'differs' ? `DIFFERS by ${groupDecimal(a.difference ?? '0')}` : a.state
  s.out.line(
    renderTable(
      [
        { header: 'Account', align: 'left' },
        { header: 'Network', align: 'left' },
        { header: 'Ledger', align: 'right' },
        { header: 'On the rail', align: 'right' },
        { header: 'State', align: 'left' },
        { header: 'Since', align: 'left' },
      ],
      accounts.map((a) => [
        a.ledgerAccountId,
        networkName(a.rail, a.network),
        money(a.ledgerBalance, a.assetCode),
        money(a.railBalance, a.assetCode),
        stateOf(a),
        a.since === null ? '' : shortTimestamp(a.since),
      ]),
      s.out.bold,
    ),
  )
  for (const a of accounts) if (a.problem !== null) s.out.line(`${a.ledgerAccountId}: ${a.problem}`)
  s.out.line(checkedAt === null ? 'Never checked: countersign recon balances --check --as NAME' : `Checked ${shortTimestamp(checkedAt)}.`)
}
