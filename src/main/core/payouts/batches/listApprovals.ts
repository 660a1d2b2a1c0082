/** Approval decisions of a batch, with the operator's name, oldest first. */
import type { Approval } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'

export function listApprovals(ctx: CoreContext, batchId: string, version?: number): Approval[] {
  let q = ctx.db.k
    .selectFrom('approvals as a')
    .leftJoin('operators as o', 'o.id', 'a.operator_id')
    .select(['a.version', 'a.operator_id', 'o.name', 'a.decision', 'a.comment', 'a.at'])
    .where('a.batch_id', '=', batchId)
    .orderBy('a.at')
    .orderBy('a.operator_id')
  if (version !== undefined) q = q.where('a.version', '=', version)
  return ctx.db.all(q).map((r) => ({
    version: r.version,
    operatorId: r.operator_id,
    operatorName: r.name ?? r.operator_id,
    decision: r.decision,
    comment: r.comment,
    at: r.at,
  }))
}

/** The newest rejection of any version, or null. */
export function lastRejection(ctx: CoreContext, batchId: string): Approval | null {
  const rejections = ctx.db.all(
    ctx.db.k
      .selectFrom('approvals as a')
      .leftJoin('operators as o', 'o.id', 'a.operator_id')
      .select(['a.version', 'a.operator_id', 'o.name', 'a.decision', 'a.comment', 'a.at'])
      .where('a.batch_id', '=', batchId)
      .where('a.decision', '=', 'reject')
      .orderBy('a.version', 'desc')
      .orderBy('a.at', 'desc')
      .limit(1),
  )
  const r = rejections[0]
  return r
    ? {
        version: r.version,
        operatorId: r.operator_id,
        operatorName: r.name ?? r.operator_id,
        decision: r.decision,
        comment: r.comment,
        at: r.at,
      }
    : null
}
