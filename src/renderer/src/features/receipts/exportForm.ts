/**
 * The Export panel's form and the request it makes: only the options that belong to the kind
 * chosen are sent (the core refuses, with a sentence, an option of another kind), empty fields are
 * left out, and what each kind writes is said in one line.
 */
import type { ExportDateFormat, ExportFormat, ExportKind, ExportRequest } from '../../../../shared/exportsApi'

export interface ExportForm {
  kind: ExportKind
  format: ExportFormat
  /** YYYY-MM-DD or "". */
  from: string
  to: string
  batchId: string | null
  payee: string
  /** A ledger account id: QuickBooks' account (required), or the journal's filter. */
  account: string | null
  columns: 3 | 4
  /** null: the file type's own default. */
  dateFormat: ExportDateFormat | null
  taxRate: string
}

export const DEFAULT_EXPORT_FORM: ExportForm = {
  kind: 'receipts',
  format: 'csv',
  from: '',
  to: '',
  batchId: null,
  payee: '',
  account: null,
  columns: 3,
  dateFormat: null,
  taxRate: '',
}

export const EXPORT_KIND_LABELS: Record<ExportKind, string> = {
  receipts: 'Receipts',
  payouts: 'Payouts',
  journal: 'Journal entries',
  xero: 'Xero manual journal',
  quickbooks: 'QuickBooks Online bank file',
  'journal-bundle': 'Journal bundle with manifest',
}

export const EXPORT_KIND_HINTS: Record<ExportKind, string> = {
  receipts: 'One row per receipt: number, payee, amount exact, reference, transaction, hash.',
  payouts: 'One row per payout with its state and transaction.',
  journal: 'One row per posting of the double-entry journal.',
  xero: 'Xero manual-journal CSV files (Narration, Date, Description, AccountCode, TaxRate, Amount), at most 300 lines each, each balanced.',
  quickbooks: "A bank CSV of one ledger account, for QuickBooks Online's bank upload.",
  'journal-bundle': 'Every posting, the accounts, and manifest.json with each file’s SHA-256 and the debits and credits per asset.',
}

/** Kinds that may be narrowed to one ledger account (QuickBooks must be). */
export function takesAccount(kind: ExportKind): boolean {
  return kind === 'journal' || kind === 'xero' || kind === 'quickbooks' || kind === 'journal-bundle'
}

/** Kinds with a CSV / JSON choice (Xero and QuickBooks import CSV only). */
export function takesFormat(kind: ExportKind): boolean {
  return kind !== 'xero' && kind !== 'quickbooks'
}

/** The date formats a kind offers (the first is its default); none for the YYYY-MM-DD kinds. */
export function dateFormatsOf(kind: ExportKind): readonly ExportDateFormat[] {
  if (kind === 'xero') return ['DD MMM YYYY', 'DD/MM/YYYY', 'MM/DD/YYYY']
  if (kind === 'quickbooks') return ['MM/DD/YYYY', 'DD/MM/YYYY']
  return []
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

export function toExportRequest(f: ExportForm): ExportRequest {
  const payee = f.payee.trim()
  const taxRate = f.taxRate.trim()
  const dateFormat = f.dateFormat !== null && dateFormatsOf(f.kind).includes(f.dateFormat) ? f.dateFormat : null
  return {
    kind: f.kind,
    ...(takesFormat(f.kind) ? { format: f.format } : {}),
    ...(DAY.test(f.from) ? { from: f.from } : {}),
    ...(DAY.test(f.to) ? { to: f.to } : {}),
    ...(f.batchId !== null ? { batch: f.batchId } : {}),
    ...(payee !== '' ? { payee } : {}),
    ...(takesAccount(f.kind) && f.account !== null ? { account: f.account } : {}),
    ...(f.kind === 'quickbooks' ? { columns: f.columns } : {}),
    ...(dateFormat !== null ? { dateFormat } : {}),
    ...(f.kind === 'xero' && taxRate !== '' ? { taxRate } : {}),
  }
}

/** Why the form cannot be previewed yet, or null: QuickBooks needs its account. */
export function exportFormProblem(f: ExportForm): string | null {
  if (f.kind === 'quickbooks' && f.account === null) return 'Choose the ledger account whose history becomes the bank file.'
  if (DAY.test(f.from) && DAY.test(f.to) && f.from > f.to) return `"From" (${f.from}) is after "to" (${f.to}) — swap the dates.`
  return null
}
