/**
 * Ids of a file already stored — in any batch, ever — are refused: an id is the payout's
 * idempotency key, and reusing one is how a payment would go out twice. The batch being edited is
 * the exception (its own rows are checked again). One statement per IN_LIST_MAX ids (inChunks.ts).
 */
import type { RowIssue } from '../../../../shared/payoutImport'
import type { CoreContext } from '../../context'
import { invariant } from '../../util/invariant'
import { inChunks } from '../inChunks'
import type { IdsSeen } from './idsSeen'
import { FIELD_LABELS } from './payoutCsvLayouts'
import { rowIssue } from './rowIssues'

interface StoredIdHit {
  id: string
  batchId: string
  batchName: string
  batchState: string
}

/** Pushes one issue per id already stored; returns the rows refused for it. */
export async function checkStoredIds(
  ctx: CoreContext,
  idsSeen: IdsSeen,
  batchIdForEdit: string | undefined,
  issues: RowIssue[],
): Promise<Set<number>> {
  const refused = new Set<number>()
  for (const hit of await lookUpStoredIds(ctx, [...idsSeen.values()])) {
    if (batchIdForEdit !== undefined && hit.batchId === batchIdForEdit) continue
    const raw = idsSeen.firstRow(hit.id)
    invariant(raw !== null, () => `the stored-id lookup returned ${hit.id}, which the file does not hold`)
    const batch = `batch "${hit.batchName}" (${hit.batchId}, ${hit.batchState.replace('_', ' ')})`
    const sentence = raw.idDerived
      ? `the same payment (chain, token, receiver and amount) is already in ${batch} — remove the row; if it is a new payment, put a new value in the id column.`
      : `"${hit.id}" is already used by a payout in ${batch} — ids are unique forever; remove the row, or give it a new id if it is a different payment.`
    issues.push(rowIssue(raw.row, FIELD_LABELS[raw.layout].id, 'ID_DUPLICATE_STORED', sentence))
    refused.add(raw.row)
  }
  return refused
}

/** The stored ones of `ids`, in the order of `ids` (the file's). */
async function lookUpStoredIds(ctx: CoreContext, ids: readonly string[]): Promise<StoredIdHit[]> {
  const hits: StoredIdHit[] = []
  for (const chunk of inChunks(ids)) {
    const found = await ctx.db.all(
      ctx.db.k
        .selectFrom('payouts as p')
        .innerJoin('batches as b', 'b.id', 'p.batch_id')
        .select(['p.id as id', 'p.batch_id as batchId', 'b.name as batchName', 'b.state as batchState'])
        .where('p.id', 'in', chunk),
    )
    const byId = new Map(found.map((h) => [h.id, h]))
    for (const id of chunk) {
      const hit = byId.get(id)
      if (hit) hits.push(hit)
    }
  }
  return hits
}
