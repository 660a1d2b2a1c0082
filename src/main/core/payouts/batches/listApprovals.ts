/** Approval decisions of a batch, with the operator's name, oldest first. */
import type { Approval } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'

export async function listApprovals(ctx: CoreContext, batchId: string, version?: number): Promise<Approval[]> {
  let q = ctx.db.k
    .selectFrom('approvals as a')
    .leftJoin('operators as o', 'o.id', 'a.operator_id')
    .leftJoin('operator_keys as k', 'k.id', 'a.key_id')
    .select(['a.version', 'a.operator_id', 'o.name', 'a.decision', 'a.comment', 'a.at', 'a.signature', 'k.fingerprint'])
    .where('a.batch_id', '=', batchId)
    .orderBy('a.at')
    .orderBy('a.operator_id')
  if (version !== undefined) q = q.where('a.version', '=', version)
  return (await ctx.db.all(q)).map((r) => ({
    version: r.version,
    operatorId: r.operator_id,
    operatorName: r.name ?? r.operator_id,
    decision: r.decision,
    comment: r.comment,
    at: r.at,
    keyFingerprint: r.fingerprint ?? null,
    signature: r.signature === null ? ('missing' as const) : ('unchecked' as const),
  }))
}

/** The newest rejection of any version, or null. */
export async function lastRejection(ctx: CoreContext, batchId: string): Promise<Approval | null> {
  const rejections = await ctx.db.all(
    ctx.db.k
      .selectFrom('approvals as a')
      .leftJoin('operators as o', 'o.id', 'a.operator_id')
      .leftJoin('operator_keys as k', 'k.id', 'a.key_id')
      .select(['a.version', 'a.operator_id', 'o.name', 'a.decision', 'a.comment', 'a.at', 'a.signature', 'k.fingerprint'])
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
        keyFingerprint: r.fingerprint ?? null,
        signature: r.signature === null ? ('missing' as const) : ('unchecked' as const),
      }
    : null
}
