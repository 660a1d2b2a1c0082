/**
 * The warnings of a batch, kept with it (migration 0015): what the import flagged — a payee never
 * paid, a look-alike address, no checksum, a repeated payment, text a spreadsheet would run — so
 * that the approver, in another window or on another desk, sees what the preparer saw.
 *
 * They are worked out again over the stored payouts whenever the rows change (rows add, update,
 * remove) and when the batch is submitted, by the importer's own rules (checkPayoutRowsWithWarnings):
 * a row added by hand is checked like an imported one, a removed row takes its warnings with it,
 * and "never paid before" is true of the moment the batch went for approval. Two kinds speak of
 * how a value was written, which the stored payout no longer shows (it keeps the canonical form):
 * an id derived from the row, an address typed without its checksum. They are kept from when the
 * row was typed in — imported, added or its recipient changed — until the row goes or is retyped.
 * Always called inside the caller's write transaction.
 */
import type { RowWarning } from '../../../../shared/payoutImport'
import type { BatchWarning } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import { payoutRowsOf } from './readBatch'
import { checkPayoutRowsWithWarnings, storedPayoutCandidates } from './validatePayoutRow'

/** Warnings about how a value was typed: known when it is typed in, not from the stored payout. */
const AS_TYPED_CODES: ReadonlySet<string> = new Set(['ID_DERIVED', 'ADDRESS_NO_CHECKSUM'])
/**
 * What a rail said of the recipients when they were typed in (checkRecipientsOnline.ts): asked of
 * the network, so kept like the typed ones until the row is retyped (then asked again) or a passed
 * pre-flight at Submit has checked every recipient anew.
 */
export const ONLINE_CODES: ReadonlySet<string> = new Set(['RECIPIENT_CANNOT_RECEIVE', 'RECIPIENTS_NOT_CHECKED'])
const KEPT_CODES: ReadonlySet<string> = new Set([...AS_TYPED_CODES, ...ONLINE_CODES])

/** Rows typed in by this edit, with what the check of their input said (by row number). */
export interface TypedRows {
  payoutIds: readonly string[]
  warnings: readonly RowWarning[]
}

const COLUMNS = ['batch_id', 'seq', 'payout_id', 'row_no', 'code', 'column_name', 'problem', 'message'] as const

/**
 * Store the import's warnings with its new batch. Warnings on rows that were not stored (the file
 * had problems and the person kept the valid rows) are left out: they speak of no payout.
 */
export async function storeImportWarnings(
  ctx: CoreContext,
  batchId: string,
  warnings: readonly RowWarning[],
  payoutIdByRow: ReadonlyMap<number, string>,
): Promise<RowWarning[]> {
  const kept = warnings.filter((w) => w.row === null || payoutIdByRow.has(w.row))
  await insertWarnings(ctx, batchId, kept, payoutIdByRow)
  return kept
}

/**
 * Work the batch's warnings out again over its stored payouts, and replace them; `typed` are the
 * rows this edit typed in. Returns how many of each kind.
 */
export async function refreshBatchWarnings(
  ctx: CoreContext,
  batchId: string,
  typed?: TypedRows,
  options: { recipientsChecked?: boolean } = {},
): Promise<Record<string, number>> {
  const payouts = await payoutRowsOf(ctx, batchId)
  const checked = await checkPayoutRowsWithWarnings(ctx, await storedPayoutCandidates(ctx, payouts), { batchIdForEdit: batchId })
  const present = new Set(payouts.map((p) => p.id))
  const retyped = new Set(typed?.payoutIds ?? [])
  const asTyped = (await readBatchWarnings(ctx, batchId)).filter(
    (w) =>
      KEPT_CODES.has(w.code) &&
      !(options.recipientsChecked === true && ONLINE_CODES.has(w.code)) &&
      (w.payoutId === null || (present.has(w.payoutId) && !retyped.has(w.payoutId))),
  )
  const warnings = byRow([
    ...asTyped,
    ...(typed?.warnings ?? []).filter((w) => AS_TYPED_CODES.has(w.code)),
    ...checked.warnings.filter((w) => !AS_TYPED_CODES.has(w.code)),
  ])
  await ctx.db.run(ctx.db.k.deleteFrom('batch_warnings').where('batch_id', '=', batchId))
  await insertWarnings(ctx, batchId, warnings, new Map(payouts.map((p) => [p.row_no, p.id])))
  return countByCode(warnings)
}

/**
 * Put what the rails said of some recipients in place of what they said before: `checked` are the
 * recipients asked, per rail and network; their earlier RECIPIENT_CANNOT_RECEIVE warnings go, the
 * new ones (by row) come in. A new RECIPIENTS_NOT_CHECKED replaces the old one; a check that
 * asked about all of the batch's recipients (`whole`) clears the old one.
 */
export async function replaceOnlineWarnings(
  ctx: CoreContext,
  batchId: string,
  checked: readonly { rail: string; network: string; recipients: ReadonlySet<string> }[],
  found: readonly RowWarning[],
  whole: boolean,
): Promise<void> {
  const payouts = await payoutRowsOf(ctx, batchId)
  const byId = new Map(payouts.map((p) => [p.id, p]))
  const wasAsked = (payoutId: string): boolean => {
    const p = byId.get(payoutId)
    return p !== undefined && checked.some((c) => c.rail === p.rail && c.network === p.network && c.recipients.has(p.recipient))
  }
  const newNotChecked = found.some((w) => w.code === 'RECIPIENTS_NOT_CHECKED')
  const kept = (await readBatchWarnings(ctx, batchId)).filter((w) => {
    if (w.code === 'RECIPIENTS_NOT_CHECKED') return !newNotChecked && !whole
    if (w.code !== 'RECIPIENT_CANNOT_RECEIVE') return true
    return w.payoutId !== null && byId.has(w.payoutId) && !wasAsked(w.payoutId)
  })
  const rows = new Set(payouts.map((p) => p.row_no))
  const warnings = byRow([...kept, ...found.filter((w) => w.row === null || rows.has(w.row))])
  await ctx.db.run(ctx.db.k.deleteFrom('batch_warnings').where('batch_id', '=', batchId))
  await insertWarnings(ctx, batchId, warnings, new Map(payouts.map((p) => [p.row_no, p.id])))
}

/** Whole-file warnings first, then by row; stable (the importer's column order within a row stays). */
function byRow<T extends { row: number | null }>(warnings: T[]): T[] {
  return warnings
    .map((w, i) => ({ w, i }))
    .sort((a, b) => (a.w.row ?? 0) - (b.w.row ?? 0) || a.i - b.i)
    .map(({ w }) => w)
}

/** The batch's warnings in the importer's order (whole-file ones first, then by row and column). */
export async function readBatchWarnings(
  ctx: CoreContext,
  batchId: string,
  /** Only those about these payouts (and, with `wholeFile`, those about the whole file): a page's. */
  only?: { payoutIds: readonly string[]; wholeFile: boolean },
): Promise<BatchWarning[]> {
  let query = ctx.db.k.selectFrom('batch_warnings').selectAll().where('batch_id', '=', batchId)
  if (only) {
    const ids = [...only.payoutIds]
    if (ids.length === 0 && !only.wholeFile) return []
    query = query.where((eb) =>
      eb.or([...(ids.length > 0 ? [eb('payout_id', 'in', ids)] : []), ...(only.wholeFile ? [eb('payout_id', 'is', null)] : [])]),
    )
  }
  const rows = await ctx.db.all(query.orderBy('seq'))
  return rows.map((r) => ({
    payoutId: r.payout_id,
    row: r.row_no === null ? null : Number(r.row_no),
    column: r.column_name,
    code: r.code,
    problem: r.problem,
    message: r.message,
  }))
}

/** How many warnings of each kind, by code (for audit rows). */
export function countByCode(warnings: readonly { code: string }[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const w of warnings) counts[w.code] = (counts[w.code] ?? 0) + 1
  return counts
}

async function insertWarnings(
  ctx: CoreContext,
  batchId: string,
  warnings: readonly (RowWarning | BatchWarning)[],
  payoutIdByRow: ReadonlyMap<number, string>,
): Promise<void> {
  if (warnings.length === 0) return
  const values = warnings.map((w, seq) => [
    batchId,
    seq,
    w.row === null ? null : (payoutIdByRow.get(w.row) ?? null),
    w.row,
    w.code,
    w.column,
    w.problem,
    w.message,
  ])
  await ctx.db.insertRows('batch_warnings', COLUMNS, values)
}
