/**
 * Submit a draft for approval. The pre-flight runs first, outside any transaction (rail checks
 * may call the network); the transition then requires the version it checked, so rows changed
 * in between are never submitted unchecked.
 */
import { CsError } from '../../../../shared/errors'
import type { BatchSummary } from '../../../../shared/payoutsApi'
import type { Actor, CoreContext } from '../../context'
import type { RailRegistry } from '../../rails/Rail'
import { preflightBatch } from './preflightBatch'
import { batchStateOf, getBatchRow, readBatchSummary } from './readBatch'
import { emitBatchChanged, requireBatchState, transitionBatch } from './transitionBatch'
import { refreshBatchWarnings } from './batchWarnings'

export interface SubmitBatchParameters {
  id: string
  version?: number | undefined
}
export type SubmitBatchReturnType = BatchSummary

/** Problems quoted in the PREFLIGHT_FAILED sentence; all are in the error's details and in batches.preflight. */
export const PREFLIGHT_PROBLEMS_QUOTED_MAX = 5

export async function submitBatch(
  ctx: CoreContext,
  actorId: Actor,
  input: SubmitBatchParameters,
  rails: RailRegistry,
): Promise<BatchSummary> {
  const row = await getBatchRow(ctx, input.id)
  requireBatchState(row.name, batchStateOf(row), ['draft'], 'submit it')
  const version = input.version ?? row.version
  if (version !== row.version) {
    throw new CsError(
      'BATCH_STALE',
      `Batch "${row.name}" changed since you read it (now version ${row.version}, you had ${version}) — reload it and try again.`,
    )
  }
  const preflight = await preflightBatch(ctx, row.id, rails)
  if (!preflight.ok) {
    const quoted = preflight.problems.slice(0, PREFLIGHT_PROBLEMS_QUOTED_MAX).map((p) => p.message)
    const more = preflight.problems.length > quoted.length ? ` (and ${preflight.problems.length - quoted.length} more)` : ''
    throw new CsError(
      'PREFLIGHT_FAILED',
      `Batch "${row.name}" was not submitted: ${quoted.join('; ')}${more}. Fix ${preflight.problems.length === 1 ? 'it' : 'them'} and submit again.`,
      { details: { problems: preflight.problems }, ...(preflight.cliHints ? { cliHint: preflight.cliHints.join('\n      ') } : {}) },
    )
  }
  // The warnings the approver will read, true of the rows and the payees as they are now; the
  // audit row of the submission counts them by kind. The pre-flight just checked every recipient
  // with its rail, so what the rails said when rows were typed in is no longer news.
  await ctx.db.tx(async () => {
    const warnings = await refreshBatchWarnings(ctx, row.id, undefined, { recipientsChecked: true })
    await transitionBatch(ctx, actorId, row.id, 'awaiting_approval', { reason: 'submitted', expectVersion: version, details: { warnings } })
  })
  emitBatchChanged(ctx, row.id)
  return await readBatchSummary(ctx, row.id)
}
