/**
 * What the engine hands a rail: plain data, never the database. A submission travels as a
 * RailSubmission — the stored row plus its payout ids in on-chain order — and assets as a map by
 * id. Payout ids of many submissions are read together, in ONE query per IN_LIST_MAX of them (a
 * sweep looks up thousands of submissions; one query per submission would make the sweep's cost
 * grow with them).
 */
import type { AssetRow, SubmissionRow } from '../../db/schema'
import type { RailSubmission } from '../../rails/Rail'
import type { CoreContext } from '../../context'
import { inChunks } from '../inChunks'

export async function railSubmissionsOf(ctx: CoreContext, rows: readonly SubmissionRow[]): Promise<RailSubmission[]> {
  if (rows.length === 0) return []
  const ids = new Map<string, string[]>(rows.map((r) => [r.id, []]))
  // Ids travel as an IN list, one statement per piece (inChunks.ts): a submission's links all come in its piece.
  for (const chunk of inChunks([...ids.keys()])) {
    const links = await ctx.db.all(
      ctx.db.k
        .selectFrom('submission_payouts')
        .select(['submission_id', 'payout_id'])
        .where('submission_id', 'in', chunk)
        .orderBy('submission_id')
        .orderBy('idx'),
    )
    for (const l of links) ids.get(l.submission_id)!.push(l.payout_id)
  }
  return rows.map((r) => ({ ...r, payoutIds: ids.get(r.id)! }))
}

export async function railSubmissionOf(ctx: CoreContext, row: SubmissionRow): Promise<RailSubmission> {
  return (await railSubmissionsOf(ctx, [row]))[0]!
}

/** The assets with these ids, by id (missing ones are simply absent: the rail says what it lacks). */
export async function assetsById(ctx: CoreContext, ids: Iterable<string>): Promise<Map<string, AssetRow>> {
  const out = new Map<string, AssetRow>()
  for (const chunk of inChunks([...new Set(ids)])) {
    for (const a of await ctx.db.all(ctx.db.k.selectFrom('assets').selectAll().where('id', 'in', chunk))) out.set(a.id, a)
  }
  return out
}
