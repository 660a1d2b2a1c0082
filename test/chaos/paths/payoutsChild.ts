/**
 * The payouts path, child side: what a person and the app do with payout batches in one phase.
 * Resume (the start-up resume, and the Resume button after signing stopped), Execute every
 * approved batch, Retry every failed or partially failed one (a person who saw "failed" and fixed
 * the cause). Each step may throw; the child records it and carries on, as the app would.
 */
import { MAKER } from '../../execute/executeKit'
import { executeBatch, resumeOpen, retryFailed } from '../../../src/main/core/payouts/execute'
import type { ChildStep } from './types'

async function batchesIn(ctx: Parameters<ChildStep['run']>[0], states: string[]): Promise<string[]> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('batches')
      .select('id')
      .where('state', 'in', states as never)
      .orderBy('id'),
  )
  return rows.map((r) => r.id)
}

export const payoutsChildSteps: ChildStep[] = [
  { name: 'payouts.resume', run: async (ctx, deps) => void (await resumeOpen(ctx, deps)) },
  {
    name: 'payouts.execute',
    run: async (ctx, deps) => {
      for (const id of await batchesIn(ctx, ['approved'])) await executeBatch(ctx, deps, id, MAKER)
    },
  },
  {
    name: 'payouts.retry',
    run: async (ctx, deps) => {
      for (const id of await batchesIn(ctx, ['failed', 'partially_failed'])) await retryFailed(ctx, deps, id, MAKER)
    },
  },
]
