/**
 * How the Reconciliation view words what the core sends: amounts exact and grouped, a period,
 * a warning's kind, a line's state, and a refused import with the detail that helps (where in
 * the file; when and as what a duplicate came in before). Acts on codes and details, never on
 * the core's sentences, which are shown as they are.
 */
import type { ReconAccount, StatementFormatName, StatementLine, StatementWarning } from '../../../../shared/reconApi'
import { detailsOf, errorCode, errorItems, errorMessage } from '../../lib/api'
import { formatExact, formatTimestamp } from '../../lib/format'

/**
 * A decimal as the core sent it ("-1234.50"), digits grouped, nothing rounded. The core writes
 * every amount of a statement at its currency's scale, so the scale is the digits it wrote.
 */
export function formatStatementAmount(decimal: string): string {
  const dot = decimal.indexOf('.')
  return formatExact(decimal, dot === -1 ? 0 : decimal.length - dot - 1)
}

/** "2026-11-01 – 2026-11-30", one date when both are the same, "—" when the file gave none. */
export function formatPeriod(from: string | null, to: string | null): string {
  if (!from && !to) return '—'
  const f = from?.slice(0, 10) ?? '?'
  const t = to?.slice(0, 10) ?? '?'
  return f === t ? f : `${f} – ${t}`
}

export const FORMAT_LABELS: Record<StatementFormatName, string> = {
  'camt.052': 'camt.052 (intraday report)',
  'camt.053': 'camt.053 (statement)',
  'camt.054': 'camt.054 (notification)',
  mt940: 'MT940 (statement)',
  mt942: 'MT942 (intraday)',
  bai2: 'BAI2',
  ofx: 'OFX',
  csv: 'CSV (with a saved column mapping)',
  stripe: 'Stripe balance transactions (pulled)',
  stellar: 'Stellar operations (pulled)',
  evm: 'Chain transfers and gas (pulled)',
}

export const WARNING_LABELS: Record<StatementWarning['code'], string> = {
  SEQUENCE_GAP: 'Statements missing in the sequence',
  NO_BALANCES: 'No balances to check against',
  OPENING_DIFFERS: 'Opening differs from the last closing',
  PENDING_LINES: 'Lines not booked yet',
  ACCOUNT_UNLINKED: 'Account not linked to the ledger',
}

/**
 * What resolved a warning since the import, or null while it still holds: an ACCOUNT_UNLINKED
 * warning is resolved once its account is linked ("Linked since to Bank EUR (main), bank-eur.").
 */
export function warningResolution(
  warning: StatementWarning,
  account: ReconAccount | undefined,
  ledgerName: (id: string) => string | undefined,
): string | null {
  if (warning.code !== 'ACCOUNT_UNLINKED' || !account?.ledgerAccountId) return null
  const name = ledgerName(account.ledgerAccountId)
  return `Linked since to ${name ? `${name}, ${account.ledgerAccountId}` : account.ledgerAccountId}.`
}

export const LINE_STATE_LABELS: Record<StatementLine['state'], string> = {
  unmatched: 'Unmatched',
  suggested: 'Suggested',
  matched: 'Matched',
  exception: 'Exception',
}

export const LINE_STATE_COLORS: Record<StatementLine['state'], string> = {
  unmatched: 'gray',
  suggested: 'blue',
  matched: 'teal',
  exception: 'red',
}

/** A refused import as the dialog shows it. */
export interface ImportFailure {
  code: string | null
  message: string
  /** Further lines: where in the file, the refused fields (a duplicate's earlier import is `duplicateOf`). */
  items: string[]
  /** For a duplicate: the earlier import, so the view can open it. */
  duplicateOf: { fileId: string; importedAt: string } | null
}

export function importFailureOf(error: unknown): ImportFailure {
  const code = errorCode(error)
  const items: string[] = []
  const where = detailsOf(error, 'STATEMENT_INVALID')?.where ?? detailsOf(error, 'STATEMENT_UNBALANCED')?.where
  if (where) items.push(`Where in the file: ${where}`)
  const duplicate = detailsOf(error, 'STATEMENT_DUPLICATE')
  items.push(...errorItems(error))
  return {
    code,
    message: errorMessage(error),
    items,
    duplicateOf: duplicate ? { fileId: duplicate.fileId, importedAt: duplicate.importedAt } : null,
  }
}

/**
 * When and as what a duplicate came in before: "First imported 2026-12-04 11:57:14 as nov.xml
 * (STMT-2026-11) by Alice Preparer — file stf_…". The list gives the name and the statement when
 * it holds them; the error's details alone give the time and the file id.
 */
export function duplicateSentence(
  duplicateOf: { fileId: string; importedAt: string },
  earlier: { fileName: string; statementRef: string | null } | undefined,
  importerName: string | undefined,
): string {
  const as = earlier ? ` as ${earlier.fileName}${earlier.statementRef ? ` (${earlier.statementRef})` : ''}` : ''
  const by = importerName ? ` by ${importerName}` : ''
  return `First imported ${formatTimestamp(duplicateOf.importedAt)}${as}${by} — file ${duplicateOf.fileId}.`
}
