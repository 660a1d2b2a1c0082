/**
 * Ids of a file already stored — in any batch, ever — are refused: an id is the payout's
 * idempotency key, and reusing one is how a payment would go out twice. The batch being edited is
 * the exception (its own rows are checked again). One statement per idsPerLookupMax ids.
 */
import type { RowIssue } from '../../../../shared/payoutImport'
import type { CoreContext } from '../../context'
import { invariant } from '../../util/invariant'
import type { IdsSeen } from './idsSeen'
import { FIELD_LABELS } from './payoutCsvLayouts'
import { rowIssue } from './rowIssues'

/** Ids per duplicate lookup statement (one JSON parameter; keeps each query's memory bounded). */
const idsPerLookupMax = 10_000

interface StoredIdHit {
  id: string
  batchId: string
  batchName: string
  batchState: string
}

/** Pushes one issue per id already stored; returns the rows refused for it. */
export function checkStoredIds(ctx: CoreContext, idsSeen: IdsSeen, batchIdForEdit: string | undefined, issues: RowIssue[]): Set<number> {
  const refused = new Set<number>()
  for (const hit of lookUpStoredIds(ctx, [...idsSeen.values()])) {
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

function lookUpStoredIds(ctx: CoreContext, ids: readonly string[]): StoredIdHit[] {
  const stmt = ctx.db.prepare(
    `SELECT p.id AS id, p.batch_id AS batchId, b.name AS batchName, b.state AS batchState
       FROM json_each(?) AS j JOIN payouts AS p ON p.id = j.value JOIN batches AS b ON b.id = p.batch_id`,
  )
  const hits: StoredIdHit[] = []
  for (let i = 0; i < ids.length; i += idsPerLookupMax) {
    for (const hit of stmt.all(JSON.stringify(ids.slice(i, i + idsPerLookupMax))) as StoredIdHit[]) hits.push(hit)
  }
  return hits
}
