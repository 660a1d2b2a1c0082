/**
 * What a person does to an escrow. Each action shows its outcome: a confirmation, or the core's
 * sentence as it is (notify). The detail the call returns is shown at once; the list and the
 * detail are reloaded as well, so the screen moves on even if an event is missed.
 */
import type { CallInput, CallName, CallOutput } from '../../../../shared/api'
import type { EscrowAction, EscrowCreateInput, EscrowDetail, EscrowRequestInput } from '../../../../shared/escrowApi'
import { invoke } from '../../lib/api'
import { formatCount } from '../../lib/format'
import { notifyError, notifySuccess } from '../notify/store'
import { ACTION_KIND_LABELS } from './states'
import { useEscrow } from './store'

function reload(): void {
  void useEscrow.getState().refreshDetail()
  void useEscrow.getState().refreshList()
}

/** Runs one call; on failure shows the sentence under `title` and returns null. */
async function attempt<K extends CallName>(title: string, name: K, input: CallInput<K>): Promise<CallOutput<K> | null> {
  try {
    return await invoke(name, input)
  } catch (error) {
    notifyError(title, error)
    return null
  } finally {
    reload()
  }
}

function shown(detail: EscrowDetail | null): EscrowDetail | null {
  if (detail) useEscrow.getState().showDetail(detail)
  return detail
}

/** Create throws, so the dialog can keep what was typed and show the sentence in place. */
export async function createEscrow(input: EscrowCreateInput): Promise<EscrowDetail> {
  try {
    const detail = await invoke('escrow.create', input)
    notifySuccess('Escrow created', `${detail.escrow.name}: its funding now waits for an approver.`)
    return detail
  } finally {
    reload()
  }
}

/** Import throws for the same reason: the dialog lists the refused rows under the file. */
export async function importEscrowCsv(csv: string, autoRelease: boolean): Promise<CallOutput<'escrow.importCsv'>> {
  try {
    const r = await invoke('escrow.importCsv', { csv, autoRelease })
    const n = r.escrows.length
    notifySuccess(
      'Escrows imported',
      `${formatCount(n)} ${n === 1 ? 'escrow was' : 'escrows were'} created; each funding waits for an approver.`,
    )
    return r
  } finally {
    reload()
  }
}

function what(action: Pick<EscrowAction, 'kind' | 'milestone'>): string {
  return `${ACTION_KIND_LABELS[action.kind]}${action.milestone !== null ? ` of milestone ${action.milestone}` : ''}`
}

export async function requestAction(input: EscrowRequestInput): Promise<boolean> {
  const done = shown(await attempt(`Could not ask for the ${input.kind}`, 'escrow.request', input))
  if (done)
    notifySuccess('Request recorded', `${what({ kind: input.kind, milestone: input.milestone ?? null })} now waits for an approver.`)
  return done !== null
}

export async function approveAction(action: EscrowAction, comment: string): Promise<boolean> {
  const c = comment.trim()
  const done = shown(
    await attempt('Could not approve the request', 'escrow.approve', { actionId: action.id, ...(c ? { comment: c } : {}) }),
  )
  if (done) notifySuccess('Approval recorded', `${what(action)}: your approval is signed and recorded.`)
  return done !== null
}

export async function rejectAction(action: EscrowAction, comment: string): Promise<boolean> {
  const c = comment.trim()
  const done = shown(await attempt('Could not reject the request', 'escrow.reject', { actionId: action.id, ...(c ? { comment: c } : {}) }))
  if (done) notifySuccess('Request rejected', `${what(action)} will not be carried out; nothing moved.`)
  return done !== null
}

export async function executeAction(action: EscrowAction): Promise<boolean> {
  const done = shown(await attempt('Could not execute the request', 'escrow.execute', { actionId: action.id }))
  if (done) notifySuccess('Executed', `${what(action)} was sent to its rail.`)
  return done !== null
}

export async function disputeMilestone(id: string, milestone: number, reason: string): Promise<boolean> {
  const done = shown(await attempt('Could not dispute the milestone', 'escrow.dispute', { id, milestone, reason: reason.trim() }))
  if (done) notifySuccess('Milestone disputed', `Milestone ${milestone} will not be released automatically; resolve it with a split.`)
  return done !== null
}

export async function cancelEscrow(id: string, comment: string): Promise<boolean> {
  const c = comment.trim()
  const done = await attempt('Could not cancel the escrow', 'escrow.cancel', { id, ...(c ? { comment: c } : {}) })
  if (done) notifySuccess('Escrow cancelled', `${done.name} will not be funded.`)
  return done !== null
}
