/**
 * What the engine hands a rail: plain data, never the database. A submission travels as a
 * RailSubmission — the stored row plus its payout ids in on-chain order — and assets as a map by
 * id. Payout ids of many submissions are read in ONE query (a sweep looks up thousands of
 * submissions; one query per submission would make the sweep's cost grow with them).
 */
import type { AssetRow, SubmissionRow } from '../../db/schema'
import type { RailSubmission } from '../../rails/Rail'
import type { CoreContext } from '../../context'

/** Ids travel as one JSON array parameter: one statement text for any count, no variable limit. */
const PAYOUT_IDS_SQL = `SELECT submission_id, payout_id FROM submission_payouts
  WHERE submission_id IN (SELECT value FROM json_each(?)) ORDER BY submission_id, idx`
const ASSETS_SQL = `SELECT * FROM assets WHERE id IN (SELECT value FROM json_each(?))`

export function railSubmissionsOf(ctx: CoreContext, rows: readonly SubmissionRow[]): RailSubmission[] {
  if (rows.length === 0) return []
  const ids = new Map<string, string[]>(rows.map((r) => [r.id, []]))
  const links = ctx.db.prepare(PAYOUT_IDS_SQL).all(JSON.stringify([...ids.keys()])) as { submission_id: string; payout_id: string }[]
  for (const l of links) ids.get(l.submission_id)!.push(l.payout_id)
  return rows.map((r) => ({ ...r, payoutIds: ids.get(r.id)! }))
}

export function railSubmissionOf(ctx: CoreContext, row: SubmissionRow): RailSubmission {
  return railSubmissionsOf(ctx, [row])[0]!
}

/** The assets with these ids, by id (missing ones are simply absent: the rail says what it lacks). */
export function assetsById(ctx: CoreContext, ids: Iterable<string>): Map<string, AssetRow> {
  const rows = ctx.db.prepare(ASSETS_SQL).all(JSON.stringify([...new Set(ids)])) as AssetRow[]
  return new Map(rows.map((a) => [a.id, a]))
}
