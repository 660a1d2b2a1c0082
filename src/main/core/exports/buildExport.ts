/**
 * One export, built in memory from a checked request: the kind picks the reader and the writer.
 * Nothing here writes to disk or to the database (./runExport.ts records it, the CLI writes it).
 */
import type { ExportKind, ExportRequest } from '../../../shared/exportsApi'
import type { CoreContext } from '../context'
import { assertNever, invariant, unreachable } from '../util/invariant'
import { openAccountCodeBook } from './accountCodes'
import { buildJournalBundle } from './buildJournalBundle'
import { buildQuickbooksBank } from './buildQuickbooksBank'
import { buildXeroJournals } from './buildXeroJournals'
import { checkExportRequest, describeFilters, type CheckedExport, type ExportFilters } from './checkExportRequest'
import { fileSlug, rangeSlug, tableFile, type BuiltFile } from './exportFiles'
import { balancedTotals } from './journalChecks'
import { JOURNAL_COLUMNS, journalRecords } from './journalRecords'
import { PAYOUT_COLUMNS, readPayoutRows } from './readPayoutRows'
import { readJournal } from './readJournal'
import { readReceiptRows, RECEIPT_COLUMNS } from './readReceiptRows'

export interface BuiltExport {
  kind: ExportKind
  files: BuiltFile[]
  /** Receipts, payouts, postings or bank lines exported (a manifest is not counted). */
  rowsTotal: number
  /** One sentence: what the files hold and how amounts are signed. */
  note: string
}

/** The filters in a file name, then the range: "batch-b_12-2026-03-01_2026-03-31". */
function nameTail(f: ExportFilters): string {
  const parts: string[] = []
  if (f.batch !== null) parts.push(`batch-${fileSlug(f.batch)}`)
  if (f.account !== null) parts.push(fileSlug(f.account))
  if (f.asset !== null) parts.push(fileSlug(f.asset))
  if (f.payee !== null) parts.push(`payee-${fileSlug(f.payee)}`)
  parts.push(rangeSlug(f.from, f.to))
  return parts.join('-')
}

function jsonHeader(ctx: CoreContext, c: CheckedExport): Record<string, unknown> {
  return { schema: `countersign.export.${c.kind}/1`, generatedAt: ctx.clock.now().toISOString(), filters: describeFilters(c.filters) }
}

const SIGNED_NOTE = 'Amounts are exact decimals at the asset’s scale; debits and credits are in their own columns, both positive.'

async function buildRows(ctx: CoreContext, c: CheckedExport): Promise<BuiltExport> {
  const tail = nameTail(c.filters)
  if (c.kind === 'receipts' || c.kind === 'payouts') {
    const receipts = c.kind === 'receipts'
    const records = receipts ? await readReceiptRows(ctx, c.filters) : await readPayoutRows(ctx, c.filters)
    const file = tableFile(`${c.kind}-${tail}`, c.format, receipts ? RECEIPT_COLUMNS : PAYOUT_COLUMNS, records, jsonHeader(ctx, c))
    const note = `${records.length} ${c.kind}, one per row; amounts are exact decimals at the asset’s scale (never rounded).`
    return { kind: c.kind, files: [file], rowsTotal: records.length, note }
  }
  const entries = await readJournal(ctx, c.filters)
  const totals = balancedTotals(entries)
  const records = journalRecords(entries)
  const file = tableFile(`journal-${tail}`, c.format, JOURNAL_COLUMNS, records, jsonHeader(ctx, c))
  return {
    kind: 'journal',
    files: [file],
    rowsTotal: records.length,
    note: `${records.length} postings of ${entries.length} entries, balanced in ${totals.length} asset(s). ${SIGNED_NOTE}`,
  }
}

async function buildAccounting(ctx: CoreContext, c: CheckedExport, r: ExportRequest): Promise<BuiltExport> {
  const tail = nameTail(c.filters)
  const entries = await readJournal(ctx, c.filters)
  const totals = balancedTotals(entries)
  switch (c.kind) {
    case 'xero': {
      const book = await openAccountCodeBook(ctx, r.accountCodes, r.taxRate)
      const files = buildXeroJournals(entries, book, r.dateFormat ?? 'DD MMM YYYY', tail)
      const lines = files.reduce((n, f) => n + f.rows, 0)
      const note = `${lines} journal lines of ${entries.length} entries in ${files.length} Xero file(s), one set per asset, each balanced; debits are positive amounts and credits negative; tax rate "${book.taxRate}".`
      return { kind: 'xero', files, rowsTotal: lines, note }
    }
    case 'quickbooks': {
      invariant(c.account !== null, 'a QuickBooks export is checked to name its account')
      const built = buildQuickbooksBank(entries, c.account, r.columns ?? 3, r.dateFormat ?? 'MM/DD/YYYY', tail)
      return { kind: 'quickbooks', files: [built.file], rowsTotal: built.file.rows, note: built.note }
    }
    case 'journal-bundle': {
      const generatedAt = ctx.clock.now().toISOString()
      const files = await buildJournalBundle(ctx, entries, totals, {
        format: c.format,
        range: tail,
        generatedAt,
        filters: describeFilters(c.filters),
      })
      const postings = files[0]!.rows
      const note = `${postings} postings, balanced to zero in each of ${totals.length} asset(s); manifest.json lists each file's SHA-256 and the debits and credits per asset.`
      return { kind: 'journal-bundle', files, rowsTotal: postings, note }
    }
    default:
      return unreachable(`${c.kind} is not an accounting kind`)
  }
}

export async function buildExport(ctx: CoreContext, request: ExportRequest): Promise<BuiltExport> {
  const checked = await checkExportRequest(ctx, request)
  switch (checked.kind) {
    case 'receipts':
    case 'payouts':
    case 'journal':
      return await buildRows(ctx, checked)
    case 'xero':
    case 'quickbooks':
    case 'journal-bundle':
      return await buildAccounting(ctx, checked, request)
    default:
      return assertNever(checked.kind, 'export kind')
  }
}
