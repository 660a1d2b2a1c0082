/**
 * The approval policy applied to one batch, explained in sentences for the operator who asks:
 * how many approvers it needs and why, who approved, what is missing, and whether *you* may
 * approve it (and if not, why not). The same rules approveBatch enforces — it calls
 * `approvalBlocker` — so the explanation and the enforcement cannot disagree.
 */
import type { Operator } from '../../../../shared/workspaceApi'
import type { BatchState } from '../../../../shared/payoutStates'
import type { Approval, ApprovalStatus } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import type { BatchRow } from '../../db/schema'
import { findOperator } from '../../operators/operators'
import { editorsOf, type AssetCache, type ExactTotal } from '../batches/readBatch'
import { checkDailyLimits } from './checkDailyLimits'
import { readApprovalPolicy } from './getApprovalPolicy'
import { requiredApprovers } from './requiredApprovers'

export interface ApprovalCount {
  required: number
  because: string | null
  /** Approvals of the current version by operators who may approve it (approver role, never an editor). */
  eligible: Approval[]
}

export async function countApprovals(
  ctx: CoreContext,
  row: BatchRow,
  totals: ReadonlyMap<string, ExactTotal>,
  assets: AssetCache,
  approvals: readonly Approval[],
): Promise<ApprovalCount> {
  const { required, because } = await requiredApprovers(await readApprovalPolicy(ctx), totals, assets)
  const editors = new Set(editorsOf(row))
  const eligible: Approval[] = []
  for (const a of approvals) {
    if (a.version !== row.version || a.decision !== 'approve' || editors.has(a.operatorId)) continue
    // An unsigned decision, or a signature that does not verify, is no approval.
    if (a.signature === 'missing' || a.signature === 'invalid') continue
    // A role taken away after approving no longer counts.
    if ((await findOperator(ctx, a.operatorId))?.roles.includes('approver') ?? false) eligible.push(a)
  }
  return { required, because, eligible }
}

/**
 * Why `operator` may not approve (or reject) the current version, as a clause
 * ("you created this batch, so you cannot approve it"), or null if they may.
 */
export function approvalBlocker(row: BatchRow, operator: Operator, approvals: readonly Approval[]): string | null {
  if (!operator.roles.includes('approver')) return 'you do not have the approver role, so you cannot approve it'
  if (operator.id === row.created_by) return 'you created this batch, so you cannot approve it'
  if (editorsOf(row).includes(operator.id)) return 'you edited this batch, so you cannot approve it'
  const mine = approvals.find((a) => a.version === row.version && a.operatorId === operator.id)
  if (mine) return `you already ${mine.decision === 'approve' ? 'approved' : 'rejected'} version ${row.version}`
  return null
}

export async function describeApprovalStatus(
  ctx: CoreContext,
  row: BatchRow,
  state: BatchState,
  totals: ReadonlyMap<string, ExactTotal>,
  assets: AssetCache,
  approvals: readonly Approval[],
  operator: Operator | null,
): Promise<ApprovalStatus> {
  const { required, because, eligible } = await countApprovals(ctx, row, totals, assets, approvals)
  const remaining = Math.max(0, required - eligible.length)
  const approvers = (n: number): string => `${n} approver${n === 1 ? '' : 's'}`
  const names = eligible.map((a) => a.operatorName)
  const sentences: string[] = []
  // The sentences that speak to the caller, kept apart so no view has to find them by their wording.
  const callerSentences: string[] = []
  const toCaller = (sentence: string): void => {
    sentences.push(sentence)
    callerSentences.push(sentence)
  }

  sentences.push(
    because === null
      ? `This batch needs ${approvers(required)} with the approver role; whoever created or edited it cannot approve it.`
      : `This batch needs ${approvers(required)} with the approver role because ${because}; whoever created or edited it cannot approve it.`,
  )

  const daily =
    state === 'awaiting_approval' || state === 'approved' ? await checkDailyLimits(ctx, row.id) : { ok: true, problems: [], usage: [] }
  let canApprove = false
  switch (state) {
    case 'draft':
      sentences.push('It is a draft: its preparer submits it for approval when it is ready.')
      break
    case 'awaiting_approval': {
      sentences.push(
        eligible.length === 0
          ? `No approvals yet for version ${row.version}; it needs ${approvers(remaining)}.`
          : `Approved so far by ${joinNames(names)} (${eligible.length} of ${required}); it needs ${remaining} more ${remaining === 1 ? 'approver' : 'approvers'} with the approver role.`,
      )
      if (operator === null) {
        toCaller('Choose your operator profile to see whether you may approve it.')
      } else {
        const blocker = approvalBlocker(row, operator, approvals)
        if (blocker !== null) toCaller(capitalise(blocker) + '.')
        else if (!daily.ok) toCaller('You cannot approve it today: it would pass a daily limit (see the daily limits).')
        else {
          canApprove = true
          toCaller(`You can approve version ${row.version}.`)
        }
      }
      break
    }
    case 'approved':
      sentences.push(
        eligible.length >= required
          ? `Version ${row.version} approved by ${joinNames(names)} — ready to execute.`
          : // Marked approved, but its approvals do not verify against the batch as stored: it will not be executed.
            `Marked approved, but only ${eligible.length} of the ${required} approvals it needs verify against the batch as stored now — it will not be executed. Check the audit log (audit verify).`,
      )
      break
    case 'cancelled':
      sentences.push('It was cancelled; nothing in it will be paid.')
      break
    default:
      sentences.push(`Version ${row.version} approved by ${joinNames(names)}; it is ${state.replace('_', ' ')}.`)
  }
  const limitSentences = daily.problems.map((p) => `Daily limit: ${p.message}.`)
  sentences.push(...limitSentences)
  return {
    required,
    approvals: eligible.length,
    remaining,
    canApprove,
    sentences,
    callerSentences,
    limitSentences,
    dailyLimits: daily.usage,
  }
}

function joinNames(names: readonly string[]): string {
  if (names.length === 0) return 'nobody'
  if (names.length === 1) return names[0]!
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`
}

function capitalise(text: string): string {
  return text.length > 0 ? text[0]!.toUpperCase() + text.slice(1) : text
}
