/** Add payout rows to a batch. Each row is validated like an imported one; all or nothing. */
import { PAYOUT_SEALED_COLUMNS } from '../../audit/sealContent'
import { CsError } from '../../../../shared/errors'
import { ROWS_PER_BATCH_MAX } from '../../../../shared/limits'
import type { BatchSummary, PayoutRowInput, RowProblem } from '../../../../shared/payoutsApi'
import { appendAudit } from '../../audit/appendAudit'
import { openRowSeals } from '../../audit/rowSeals'
import type { Actor, CoreContext } from '../../context'
import type { PayoutRow } from '../../db/schema'
import { beginBatchEdit } from './beginBatchEdit'
import { readBatchSummary } from './readBatch'
import { refreshBatchWarnings } from './batchWarnings'
import { emitBatchChanged } from './transitionBatch'
import { checkPayoutRowsWithWarnings, codeOf } from './validatePayoutRow'

export interface AddBatchRowsParameters {
  id: string
  version?: number | undefined
  rows: PayoutRowInput[]
}
export type AddBatchRowsReturnType = BatchSummary

/** Row problems listed in one error; the rest are counted. */
export const ROW_PROBLEMS_LISTED_MAX = 5

/** Every column of a payout row, in the order insertRows gets them: the sealed ones, then the state. */
const PAYOUT_COLUMNS = [
  ...PAYOUT_SEALED_COLUMNS,
  'state',
  'attempt',
  'submission_id',
  'entry_id',
  'failure_code',
  'failure_message',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof PayoutRow)[]

export async function addBatchRows(ctx: CoreContext, actorId: Actor, input: AddBatchRowsParameters): Promise<BatchSummary> {
  const summary = await ctx.db.tx(async () => {
    const batch = await beginBatchEdit(ctx, actorId, input.id, input.version, 'add payouts to it')
    const existing = await ctx.db.first(
      ctx.db.k
        .selectFrom('payouts')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('row_no').as('maxRow')])
        .where('batch_id', '=', batch.id),
    )
    const count = Number(existing?.n ?? 0)
    if (count + input.rows.length > ROWS_PER_BATCH_MAX) {
      throw new CsError(
        'BATCH_TOO_LARGE',
        `Batch "${batch.name}" has ${count} payouts; adding ${input.rows.length} would pass the ${ROWS_PER_BATCH_MAX.toLocaleString('en-US')} a batch may hold — start another batch.`,
      )
    }
    const firstRowNo = Number(existing?.maxRow ?? 0) + 1
    const now = ctx.clock.now().toISOString()
    const problems: string[] = []
    // The same problems as structured PAYOUT_INVALID details, so a form marks the field without reading the sentence.
    const issues: RowProblem[] = []
    const candidates = input.rows.map((r, i) => ({ ...r, id: r.id ?? `${batch.id}-${firstRowNo + i}`, rowNo: firstRowNo + i }))
    const seen = new Set<string>()
    for (const [i, c] of candidates.entries()) {
      if (seen.has(c.id)) {
        const message = `"${c.id}" appears twice — every payout needs its own id`
        problems.push(`Row ${i + 1} (${c.id}), id: ${message}`)
        issues.push({ row: i + 1, column: 'id', payoutId: c.id, code: 'ID_DUPLICATE_IN_FILE', message: `${message}.` })
      }
      seen.add(c.id)
    }
    // The importer's checks, including "this id is already stored" (ids are idempotency keys).
    const { results: checked, warnings } = await checkPayoutRowsWithWarnings(ctx, candidates)
    const rows: PayoutRow[] = []
    checked.forEach((result, i) => {
      const c = candidates[i]!
      if (!result.ok) {
        issues.push({ row: i + 1, column: result.field, payoutId: c.id, ...codeOf(result), message: `${result.message}.` })
        return void problems.push(`Row ${i + 1}${input.rows[i]!.id !== undefined ? ` (${c.id})` : ''}, ${result.field}: ${result.message}`)
      }
      const v = result.row
      rows.push({
        id: c.id,
        batch_id: batch.id,
        row_no: c.rowNo,
        rail: v.asset.rail,
        network: v.asset.network,
        asset_id: v.asset.id,
        recipient: v.recipient,
        amount: v.minor.toString(),
        memo: v.memo,
        reference: v.reference,
        name: v.name,
        state: 'pending',
        attempt: 0,
        submission_id: null,
        entry_id: null,
        failure_code: null,
        failure_message: null,
        created_at: now,
        updated_at: now,
      })
    })
    if (problems.length > 0) {
      const more = problems.length > ROW_PROBLEMS_LISTED_MAX ? ` (and ${problems.length - ROW_PROBLEMS_LISTED_MAX} more)` : ''
      throw new CsError('PAYOUT_INVALID', `No rows were added: ${problems.slice(0, ROW_PROBLEMS_LISTED_MAX).join('; ')}${more}.`, {
        details: { issues },
      })
    }
    // One bulk insert, not a statement per row (a batch may take up to ROWS_PER_BATCH_MAX).
    await ctx.db.insertRows(
      'payouts',
      PAYOUT_COLUMNS,
      rows.map((row) => PAYOUT_COLUMNS.map((c) => row[c])),
    )
    const seals = await openRowSeals(ctx)
    await seals.seal(ctx, 'payouts', rows)
    await refreshBatchWarnings(ctx, batch.id, { payoutIds: rows.map((r) => r.id), warnings })
    await appendAudit(ctx, {
      actor: actorId,
      action: 'batches.rows.add',
      subject: `batch:${batch.id}`,
      change: {
        version: batch.version,
        payouts: rows.map((r) => ({ id: r.id, assetId: r.asset_id, recipient: r.recipient, amount: r.amount })),
      },
      seals,
    })
    return await readBatchSummary(ctx, batch.id)
  })
  emitBatchChanged(ctx, summary.id)
  return summary
}
