/** batches.submissions: every submission of a batch, chunk by chunk, attempt by attempt. */
import type { Submission } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import type { SubmissionRow } from '../../db/schema'
import type { RailRegistry } from '../../rails/Rail'
import { getBatchRow } from '../batches/readBatch'

export type ListSubmissionsReturnType = Submission[]

export async function listSubmissions(ctx: CoreContext, rails: RailRegistry, batchId: string): Promise<Submission[]> {
  await getBatchRow(ctx, batchId)
  const rows = await ctx.db.all(
    ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId).orderBy('chunk_index').orderBy('attempt'),
  )
  const counts = new Map(
    (
      await ctx.db.all(
        ctx.db.k
          .selectFrom('submission_payouts')
          .innerJoin('submissions', 'submissions.id', 'submission_payouts.submission_id')
          .select(['submission_payouts.submission_id as id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('submissions.batch_id', '=', batchId)
          .groupBy('submission_payouts.submission_id'),
      )
    ).map((r) => [r.id, Number(r.n)]),
  )
  return rows.map((s: SubmissionRow) => {
    const explorerUrl = s.tx_hash === null ? null : (rails.get(s.rail, s.network)?.explorerUrl?.(s.tx_hash) ?? null)
    return {
      id: s.id,
      rail: s.rail as Submission['rail'],
      network: s.network,
      chunkIndex: s.chunk_index,
      attempt: s.attempt,
      state: s.state as Submission['state'],
      txHash: s.tx_hash,
      nonce: s.nonce,
      payoutCount: counts.get(s.id) ?? 0,
      failure: s.failure_code !== null ? { code: s.failure_code, message: s.failure_message ?? '' } : null,
      explorerUrl,
      createdAt: s.created_at,
      updatedAt: s.updated_at,
    }
  })
}
