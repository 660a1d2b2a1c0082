/**
 * Raw rows -> payouts ready to store, or the list of every problem (row and column) at once.
 * Reads the asset registry, the treasury accounts, earlier payouts and the address book; writes
 * nothing, so it can run before any import and again when a draft's rows are edited.
 *
 * The steps, one file each: openImportScope (what is read once, and the per-value caches),
 * checkPayoutRow (one row's values, into payoutCandidates), checkFreeText (memo, reference, name),
 * idsSeen and checkStoredIds (ids repeated in the file or used before), listImportWarnings (new
 * payees, look-alikes, repeats).
 *
 * Decision: more than ROWS_PER_BATCH_MAX rows is one whole-file issue, and every row is still
 * validated so the person can fix the whole file before splitting it (the import then stores
 * nothing at all).
 */
import { ROWS_PER_BATCH_MAX } from '../../../../shared/limits'
import type { RowIssue, RowWarning } from '../../../../shared/payoutImport'
import type { CoreContext } from '../../context'
import { checkPayoutRow } from './checkPayoutRow'
import { checkStoredIds } from './checkStoredIds'
import { IdsSeen } from './idsSeen'
import { listImportWarnings } from './listImportWarnings'
import { openImportScope } from './openImportScope'
import { PayoutCandidates, type ValidPayoutRow } from './payoutCandidates'
import type { RawRow } from './payoutCsvLayouts'
import { rowIssue, sortIssues } from './rowIssues'

export type { ValidPayoutRow } from './payoutCandidates'

export interface ValidatePayoutRowsOptions {
  /** Re-validating the rows of this batch: its own stored ids are not duplicates. */
  batchIdForEdit?: string | undefined
}

export interface ValidatePayoutRowsReturnType {
  valid: ValidPayoutRow[]
  issues: RowIssue[]
  warnings: RowWarning[]
}

export async function validatePayoutRows(
  ctx: CoreContext,
  rows: readonly RawRow[],
  options: ValidatePayoutRowsOptions = {},
): Promise<ValidatePayoutRowsReturnType> {
  const issues: RowIssue[] = []
  const scope = await openImportScope(ctx)
  if (rows.length > ROWS_PER_BATCH_MAX) {
    const sentence = `The file has ${rows.length} payouts — a batch holds at most ${ROWS_PER_BATCH_MAX}; split it into files of ${ROWS_PER_BATCH_MAX} rows or fewer. Nothing was imported.`
    issues.push(rowIssue(null, null, 'ROWS_TOO_MANY', sentence))
  }
  const idsSeen = new IdsSeen()
  const checked = new PayoutCandidates(rows.length)
  for (let i = 0; i < rows.length; i++) checkPayoutRow(scope, rows[i]!, idsSeen, issues, checked)
  const candidates = checked.without(await checkStoredIds(ctx, idsSeen, options.batchIdForEdit, issues))
  // Already in sortWarnings' order and cut like it.
  const warnings = await listImportWarnings(ctx, candidates)
  return { valid: candidates.validRows(), issues: sortIssues(issues), warnings }
}
