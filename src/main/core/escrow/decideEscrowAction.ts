/**
 * Approve or reject an escrow action request (approver). Maker-checker as for batches: an
 * approver who created the escrow or asked for the action cannot decide it; one decision per
 * operator; the approval is a signature over the action's digest (the Ledger shows the escrow, the
 * action, the amount and the payee). When enough valid approvals are in, the action becomes
 * 'approved' in the same transaction; a rejection ends the request and nothing moves.
 */
import type { Operator } from '../../../shared/workspaceApi'
import { CsError } from '../../../shared/errors'
import { appendAudit } from '../audit/appendAudit'
import type { CoreContext } from '../context'
import type { EscrowActionRow, EscrowRow } from '../db/schema'
import type { ApprovalSigner } from '../operators/approvalSigning'
import { requireRole } from '../operators/operators'
import { checkEscrowApprovals } from './checkEscrowApprovals'
import { computeEscrowDigest } from './escrowDigest'
import { getActionRow, getEscrowRow, milestonesOf } from './escrowRows'

export interface DecideEscrowActionParameters {
  actionId: string
  comment?: string | undefined
}

export async function approveEscrowAction(
  ctx: CoreContext,
  operator: Operator | null,
  sign: ApprovalSigner | null,
  input: DecideEscrowActionParameters,
): Promise<string> {
  const approver = requireRole(operator, 'approver', 'approve escrow actions')
  if (!sign) throw new CsError('OPERATOR_LOCKED', 'Unlock your operator profile with your passphrase before you approve.')
  const { escrow, action } = await checkDecision(ctx, approver, input.actionId, 'approve')
  const signed = await computeEscrowDigest(ctx, escrow, await milestonesOf(ctx, escrow.id), action)
  const signature = await sign({ digest: signed.digest, typedData: signed.typedData })
  await ctx.db.tx(async () => {
    const again = await checkDecision(ctx, approver, input.actionId, 'approve')
    const now = await computeEscrowDigest(ctx, again.escrow, await milestonesOf(ctx, escrow.id), again.action)
    if (now.digest !== signed.digest)
      throw new CsError(
        'APPROVAL_STALE',
        `Escrow "${escrow.name}" or its approval policy changed while you were signing — review it again and approve.`,
      )
    const at = ctx.clock.now().toISOString()
    await ctx.db.run(
      ctx.db.k.insertInto('escrow_approvals').values({
        action_id: action.id,
        operator_id: approver.id,
        decision: 'approve',
        comment: input.comment ?? null,
        at,
        key_id: signature.keyId,
        digest: signed.digest,
        signature: signature.signature,
      }),
    )
    await appendAudit(ctx, {
      actor: approver.id,
      action: 'escrow.action.approve',
      subject: `escrow:${escrow.id}`,
      change: {
        actionId: action.id,
        comment: input.comment ?? null,
        digest: signed.digest,
        keyId: signature.keyId,
        signature: signature.signature,
      },
    })
    const check = await checkEscrowApprovals(ctx, again.escrow, again.action)
    if (check.valid >= check.required) await setActionState(ctx, approver.id, again.action, 'approved', { required: check.required })
  })
  ctx.events.emit('escrow.changed', { escrowId: escrow.id })
  return escrow.id
}

export async function rejectEscrowAction(
  ctx: CoreContext,
  operator: Operator | null,
  input: DecideEscrowActionParameters,
): Promise<string> {
  const approver = requireRole(operator, 'approver', 'reject escrow actions')
  const escrowId = await ctx.db.tx(async () => {
    const { escrow, action } = await checkDecision(ctx, approver, input.actionId, 'reject')
    await ctx.db.run(
      ctx.db.k.insertInto('escrow_approvals').values({
        action_id: action.id,
        operator_id: approver.id,
        decision: 'reject',
        comment: input.comment ?? null,
        at: ctx.clock.now().toISOString(),
        key_id: null,
        digest: null,
        signature: null,
      }),
    )
    await setActionState(ctx, approver.id, action, 'rejected', { comment: input.comment ?? null })
    return escrow.id
  })
  ctx.events.emit('escrow.changed', { escrowId })
  return escrowId
}

async function checkDecision(
  ctx: CoreContext,
  approver: Operator,
  actionId: string,
  verb: 'approve' | 'reject',
): Promise<{ escrow: EscrowRow; action: EscrowActionRow }> {
  const action = await getActionRow(ctx, actionId)
  const escrow = await getEscrowRow(ctx, action.escrow_id)
  if (action.state !== 'awaiting_approval')
    throw new CsError('ESCROW_STATE', `Escrow action ${action.id} is ${action.state.replaceAll('_', ' ')} — there is nothing to ${verb}.`, {
      details: { escrowId: escrow.id, actionId: action.id, state: action.state },
    })
  if (approver.id === escrow.created_by || approver.id === action.requested_by)
    throw new CsError(
      'ESCROW_APPROVAL_NOT_ALLOWED',
      `${approver.name}: you created this escrow or asked for this ${action.kind} — another approver must ${verb} it (maker and checker must differ).`,
      { details: { escrowId: escrow.id, actionId: action.id } },
    )
  const mine = await ctx.db.first(
    ctx.db.k.selectFrom('escrow_approvals').select('decision').where('action_id', '=', action.id).where('operator_id', '=', approver.id),
  )
  if (mine)
    throw new CsError('ESCROW_APPROVAL_NOT_ALLOWED', `${approver.name}: you already decided escrow action ${action.id} (${mine.decision}).`)
  return { escrow, action }
}

/** Inside the caller's transaction: one audited state change of an action request. */
export async function setActionState(
  ctx: CoreContext,
  actor: string,
  action: EscrowActionRow,
  state: EscrowActionRow['state'],
  details: Record<string, unknown> = {},
  failure: { code: string; message: string } | null = null,
): Promise<void> {
  await ctx.db.run(
    ctx.db.k
      .updateTable('escrow_actions')
      .set({
        state,
        updated_at: ctx.clock.now().toISOString(),
        failure_code: failure?.code ?? null,
        failure_message: failure?.message ?? null,
      })
      .where('id', '=', action.id),
  )
  await appendAudit(ctx, {
    actor,
    action: `escrow.action.${state}`,
    subject: `escrow:${action.escrow_id}`,
    change: {
      actionId: action.id,
      kind: action.kind,
      milestone: action.milestone,
      from: action.state,
      to: state,
      ...details,
      ...(failure ? { failure } : {}),
    },
  })
}
