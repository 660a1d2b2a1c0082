/**
 * Batches whose signing stopped part-way: executing, with transactions still to be signed on the
 * device, and nobody signing them now (no live claim — the process that signed was closed or
 * killed, or the device stopped and the person has not pressed Resume yet). Nothing carries these
 * on by itself: the signer must resume at the device. The batch list, the batch page and the
 * refusal to execute again all say so, with what to do.
 *
 * Only the rails signed on the device count: a Stripe transfer needs no signature, and its
 * planned requests are sent again by the core on its own (resumeOpen).
 */
import type { SigningStopped } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import { liveClaims } from '../execute/claimBatch'

const SIGNED_ON_DEVICE = ['evm', 'stellar']
/** Attempts that were replaced (a retry made a new one) are not part of "transaction N of M". */
const REPLACED_STATES = ['failed', 'dead']

export async function signingStoppedOf(
  ctx: CoreContext,
  batches: readonly { id: string; state: string }[],
): Promise<Map<string, SigningStopped>> {
  const executing = batches.filter((b) => b.state === 'executing').map((b) => b.id)
  const stopped = new Map<string, SigningStopped>()
  if (executing.length === 0) return stopped
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('submissions')
      .select(['batch_id', 'state'])
      .where('batch_id', 'in', executing)
      .where('rail', 'in', SIGNED_ON_DEVICE)
      .where('state', 'not in', REPLACED_STATES),
  )
  const counts = new Map<string, { total: number; unsigned: number }>()
  for (const r of rows) {
    const c = counts.get(r.batch_id) ?? { total: 0, unsigned: 0 }
    c.total++
    if (r.state === 'planned') c.unsigned++
    counts.set(r.batch_id, c)
  }
  const busy = await liveClaims(ctx)
  for (const [batchId, c] of counts) {
    if (c.unsigned === 0 || busy.has(batchId)) continue
    stopped.set(batchId, { signed: c.total - c.unsigned, total: c.total, unsigned: c.unsigned })
  }
  return stopped
}
