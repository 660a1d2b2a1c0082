/**
 * An export request, checked before anything is read: options that belong to another kind are
 * refused (a QuickBooks file needs its account, a receipts file has none), dates are real days in
 * order, and the batch, account and asset named exist. What comes out is what the readers take.
 */
import type { ExportDateFormat, ExportFormat, ExportKind, ExportRequest } from '../../../shared/exportsApi'
import { CsError } from '../../../shared/errors'
import type { Account } from '../../../shared/ledgerApi'
import type { CoreContext } from '../context'
import { getAccount } from '../ledger/getAccount'
import { getAsset } from '../ledger/getAsset'
import { isIsoDate } from '../ledger/ids'
import { getBatchRow } from '../payouts/batches/readBatch'

/** The filters every reader understands. Dates are UTC days, both included. */
export interface ExportFilters {
  from: string | null
  to: string | null
  batch: string | null
  payee: string | null
  account: string | null
  asset: string | null
}

export interface CheckedExport {
  kind: ExportKind
  format: ExportFormat
  filters: ExportFilters
  /** quickbooks: the account whose postings become bank lines. */
  account: Account | null
}

const ACCOUNT_KINDS: ReadonlySet<ExportKind> = new Set(['journal', 'xero', 'quickbooks', 'journal-bundle'])
const CSV_ONLY: ReadonlySet<ExportKind> = new Set(['xero', 'quickbooks'])
const QUICKBOOKS_DATE_FORMATS: readonly ExportDateFormat[] = ['MM/DD/YYYY', 'DD/MM/YYYY']

function refuse(sentence: string): never {
  throw new CsError('EXPORT_INVALID', sentence)
}

/** Options of one kind given to another: named, so the person sees which to drop. */
function checkOptionsFit(r: ExportRequest): void {
  if (r.account !== undefined && !ACCOUNT_KINDS.has(r.kind))
    refuse(`A ${r.kind} export has no account filter — drop the account, or export the journal instead.`)
  if (r.kind === 'quickbooks' && r.account === undefined)
    refuse('A QuickBooks bank file is the history of one account — name it (for example the treasury account of the asset).')
  if (r.format === 'json' && CSV_ONLY.has(r.kind))
    refuse(`${r.kind === 'xero' ? 'Xero' : 'QuickBooks'} imports CSV only — leave the format out, or export the journal as JSON instead.`)
  if ((r.accountCodes !== undefined || r.taxRate !== undefined) && r.kind !== 'xero')
    refuse('Account codes and a tax rate are for Xero files only — drop them for this export.')
  if (r.columns !== undefined && r.kind !== 'quickbooks') refuse('The 3- or 4-column choice is for QuickBooks files only — drop it.')
  if (r.dateFormat !== undefined && !CSV_ONLY.has(r.kind))
    refuse('The date format is for Xero and QuickBooks files; the other exports write dates as YYYY-MM-DD — drop it.')
  if (r.kind === 'quickbooks' && r.dateFormat !== undefined && !QUICKBOOKS_DATE_FORMATS.includes(r.dateFormat))
    refuse(`QuickBooks reads dates as ${QUICKBOOKS_DATE_FORMATS.join(' or ')} — pick one of those.`)
}

function checkDates(from: string | undefined, to: string | undefined): void {
  for (const [name, day] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (day !== undefined && !isIsoDate(day)) refuse(`${day} is not a day of the calendar — give --${name} as YYYY-MM-DD.`)
  }
  if (from !== undefined && to !== undefined && from > to) refuse(`The range starts on ${from}, after it ends on ${to} — swap the dates.`)
}

export async function checkExportRequest(ctx: CoreContext, r: ExportRequest): Promise<CheckedExport> {
  checkOptionsFit(r)
  checkDates(r.from, r.to)
  if (r.batch !== undefined) await getBatchRow(ctx, r.batch)
  if (r.asset !== undefined) await getAsset(ctx, r.asset)
  const account = r.account !== undefined ? await getAccount(ctx, r.account) : null
  return {
    kind: r.kind,
    format: r.format ?? 'csv',
    filters: {
      from: r.from ?? null,
      to: r.to ?? null,
      batch: r.batch ?? null,
      payee: r.payee ?? null,
      account: r.account ?? null,
      asset: r.asset ?? null,
    },
    account: r.kind === 'quickbooks' ? account : null,
  }
}

/** The day after `day` (YYYY-MM-DD), for "before the end of `to`" on timestamps. */
export function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10)
}

/** The filters in words, for the audit row and a JSON file's header. */
export function describeFilters(f: ExportFilters): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(f)) if (v !== null) out[k] = v
  return out
}
