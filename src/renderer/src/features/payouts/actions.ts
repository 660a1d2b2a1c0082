/**
 * What a person does to a batch. Each action shows its outcome: a confirmation, or the core's
 * sentence as it is. Views refresh on the events the core emits; the detail is also reloaded
 * here so the screen moves on even if an event is missed.
 */
import type { CallInput, CallOutput } from '../../../../shared/api'
import type { ImportPayoutCsvResult } from '../../../../shared/payoutImport'
import type { PayoutRowInput, PayoutRowPatch, PreflightResult } from '../../../../shared/payoutsApi'
import { errorCode, errorItems, errorMessage, invoke } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import { usePayouts } from './store'

function reload(): void {
  void usePayouts.getState().refreshDetail()
  void usePayouts.getState().refreshList()
}

/** Runs one call; on failure shows the sentence under `title` and returns null. */
async function attempt<T>(title: string, run: () => Promise<T>): Promise<T | null> {
  try {
    return await run()
  } catch (error) {
    notifyError(title, error)
    return null
  } finally {
    reload()
  }
}

/** Import a CSV: errors of the file come back in the result; only failures of the call throw. */
export async function importCsv(input: CallInput<'payouts.import'>): Promise<ImportPayoutCsvResult | null> {
  const result = await attempt('Could not import the file', () => invoke('payouts.import', input))
  if (result?.batchId) {
    const left = result.issues.filter((i) => i.row !== null).length
    notifySuccess(
      'Draft batch created',
      `${formatCount(result.valid.length)} ${result.valid.length === 1 ? 'payout' : 'payouts'} imported` +
        (left > 0 ? `; ${formatCount(left)} ${left === 1 ? 'row with a problem was' : 'rows with problems were'} left out.` : '.'),
    )
  }
  return result
}

export async function submitBatch(id: string, version: number): Promise<boolean> {
  const done = await attempt('Could not submit the batch', () => invoke('batches.submit', { id, version }))
  if (done) notifySuccess('Submitted for approval', `${done.name} now waits for an approver.`)
  return done !== null
}

export async function approveBatch(id: string, version: number, comment: string): Promise<boolean> {
  const done = await attempt('Could not approve the batch', () =>
    invoke('batches.approve', { id, version, ...(comment.trim() ? { comment: comment.trim() } : {}) }),
  )
  if (done) notifySuccess('Approval recorded', `${done.batch.name}: ${done.approvalStatus.sentences.at(-1) ?? ''}`)
  return done !== null
}

export async function rejectBatch(id: string, version: number, comment: string): Promise<boolean> {
  const done = await attempt('Could not reject the batch', () =>
    invoke('batches.reject', { id, version, ...(comment.trim() ? { comment: comment.trim() } : {}) }),
  )
  if (done) notifySuccess('Batch rejected', `${done.batch.name} went back to its preparer as a draft.`)
  return done !== null
}

export async function cancelBatch(id: string, comment: string): Promise<boolean> {
  const done = await attempt('Could not cancel the batch', () =>
    invoke('batches.cancel', { id, ...(comment.trim() ? { comment: comment.trim() } : {}) }),
  )
  if (done) notifySuccess('Batch cancelled', `${done.name} will not be paid.`)
  return done !== null
}

export async function preflightBatch(id: string): Promise<PreflightResult | null> {
  return attempt('Could not run the checks', () => invoke('batches.preflight', { id }))
}

function executed(title: string, r: CallOutput<'batches.execute'>): void {
  const parts = [`${formatCount(r.broadcast)} of ${formatCount(r.chunks)} ${r.chunks === 1 ? 'transaction' : 'transactions'} broadcast`]
  if (r.undelivered > 0) parts.push(`${formatCount(r.undelivered)} signed but not yet delivered — Countersign sends them again`)
  notifySuccess(title, `${parts.join('; ')}. Payouts confirm on chain next.`)
}

/** An execution call: its failure (a device error) stays on the batch's panel until the next run. */
async function execution(
  id: string,
  title: string,
  run: () => Promise<CallOutput<'batches.execute'>>,
  done: string,
  keepProgress = false,
): Promise<boolean> {
  const store = usePayouts.getState()
  if (!keepProgress) store.clearProgress(id)
  store.setExecutionError(id, null)
  try {
    executed(done, await run())
    return true
  } catch (error) {
    usePayouts.getState().setExecutionError(id, { code: errorCode(error), message: errorMessage(error), items: errorItems(error) })
    notifyError(title, error)
    return false
  } finally {
    reload()
  }
}

export function executeBatch(id: string): Promise<boolean> {
  return execution(id, 'Could not execute the batch', () => invoke('batches.execute', { id }), 'Batch executing')
}

export function retryFailed(id: string): Promise<boolean> {
  return execution(id, 'Could not retry the failed payouts', () => invoke('batches.retryFailed', { id }), 'Retrying failed payouts')
}

/** Continue an executing batch after the device stopped it; what was signed is never signed again. */
export function resumeBatch(id: string): Promise<boolean> {
  return execution(id, 'Could not resume signing', () => invoke('batches.resume', { id }), 'Signing resumed', true)
}

/**
 * Cancel a transaction the device refused (never signed): its payouts fail as CANCELLED and the
 * later ones take over its nonce. The refusal shown on the panel is answered, so it is cleared.
 */
export async function cancelSubmission(batchId: string, submissionId: string): Promise<boolean> {
  const done = await attempt('Could not cancel the transaction', () => invoke('batches.cancelSubmission', { submissionId }))
  if (!done) return false
  usePayouts.getState().setExecutionError(batchId, null)
  const n = done.payouts.length
  const moved = done.renumbered.length
  notifySuccess(
    `Transaction ${done.submission.chunkIndex + 1} cancelled`,
    `${formatCount(n)} ${n === 1 ? 'payout' : 'payouts'} will not be paid by it` +
      (moved > 0 ? `; ${formatCount(moved)} later ${moved === 1 ? 'transaction takes' : 'transactions take'} over its nonce.` : '.'),
  )
  return true
}

/** Row edits throw, so the form can put the sentence under the field it names. */
export async function addRow(id: string, version: number, row: PayoutRowInput): Promise<void> {
  try {
    await invoke('batches.rows.add', { id, version, rows: [row] })
  } finally {
    reload()
  }
}

export async function updateRow(id: string, version: number, payoutId: string, changes: PayoutRowPatch): Promise<void> {
  try {
    await invoke('batches.rows.update', { id, version, payoutId, changes })
  } finally {
    reload()
  }
}

export async function removeRow(id: string, version: number, payoutId: string): Promise<boolean> {
  return (
    (await attempt('Could not remove the payout', () => invoke('batches.rows.remove', { id, version, payoutIds: [payoutId] }))) !== null
  )
}
