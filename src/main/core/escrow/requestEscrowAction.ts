/**
 * Ask for a release, a resolve (split after a dispute) or a refund (preparer). The request is
 * checked against the milestone's state now and waits for approvers, who sign its digest; the
 * engine checks again before it executes. A milestone has at most one open request at a time.
 */
import type { EscrowRequestInput } from '../../../shared/escrowApi'
import { CsError } from '../../../shared/errors'
import { formatAmount, parseAmount, parseMinor } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import type { EscrowActionRow, EscrowMilestoneRow, EscrowRow } from '../db/schema'
import { computeEscrowDigest } from './escrowDigest'
import { assetOf, getEscrowRow, getMilestone, milestonesOf } from './escrowRows'

/** Action states that still hold a milestone. */
export const OPEN_ACTION_STATES: readonly string[] = ['awaiting_approval', 'approved', 'executing']

export interface NewAction {
  kind: 'fund' | 'release' | 'dispute' | 'resolve' | 'refund'
  milestone: number | null
  amount: bigint
  toPayee: bigint | null
  toPayer: bigint | null
  reason: string | null
  /** Default awaiting_approval; a dispute and an automatic release start approved. */
  state?: 'awaiting_approval' | 'approved'
}

export async function requestEscrowAction(ctx: CoreContext, actor: Actor, input: EscrowRequestInput): Promise<string> {
  const actionId = await ctx.db.tx(async () => {
    const escrow = await getEscrowRow(ctx, input.id)
    const milestones = await milestonesOf(ctx, escrow.id)
    if (input.milestone === undefined)
      throw new CsError('ESCROW_INVALID', `Say which milestone to ${input.kind} (1 to ${milestones.length}).`, {
        details: { field: 'milestone' },
      })
    const milestone = await getMilestone(ctx, escrow, input.milestone)
    await refuseOpenAction(ctx, escrow, milestone)
    const action = await checkRequest(ctx, escrow, milestone, input)
    const id = await insertActionRequest(ctx, actor, escrow, milestones, action)
    return id
  })
  ctx.events.emit('escrow.changed', { escrowId: input.id })
  return actionId
}

async function checkRequest(ctx: CoreContext, escrow: EscrowRow, m: EscrowMilestoneRow, input: EscrowRequestInput): Promise<NewAction> {
  const amount = parseMinor(m.amount)
  const reason = input.reason ?? null
  const at = `Milestone ${m.idx} of "${escrow.name}"`
  switch (input.kind) {
    case 'release':
      if (m.state === 'disputed')
        throw new CsError(
          'ESCROW_MILESTONE_DISPUTED',
          `${at} is disputed — it cannot be released; resolve the dispute with a split instead.`,
          {
            details: { escrowId: escrow.id, milestone: m.idx },
          },
        )
      requireMilestoneState(escrow, m, ['held'], 'release it')
      return { kind: 'release', milestone: m.idx, amount, toPayee: amount, toPayer: null, reason }
    case 'resolve': {
      requireMilestoneState(escrow, m, ['disputed'], 'resolve it (dispute it first)')
      const scale = (await assetOf(ctx, escrow.asset_id)).scale
      const toPayee = parsePart(input.toPayee, scale, 'toPayee')
      const toPayer = parsePart(input.toPayer, scale, 'toPayer')
      if (toPayee + toPayer !== amount) {
        throw new CsError(
          'ESCROW_SPLIT_MISMATCH',
          `${at} holds ${formatAmount(amount, scale)}; ${formatAmount(toPayee, scale)} to the payee and ${formatAmount(toPayer, scale)} to the payer make ${formatAmount(toPayee + toPayer, scale)} — the parts must add up to the milestone exactly.`,
          { details: { escrowId: escrow.id, milestone: m.idx, held: formatAmount(amount, scale) } },
        )
      }
      return { kind: 'resolve', milestone: m.idx, amount, toPayee, toPayer, reason }
    }
    case 'refund': {
      const expired = ctx.clock.now().toISOString() >= escrow.expires_at
      if (m.state === 'held' && !expired) {
        throw new CsError(
          'ESCROW_REFUND_BEFORE_EXPIRY',
          `${at} is held until ${escrow.expires_at}: before the expiry it goes back to the payer only after a dispute — dispute it, then ask for a refund or a split.`,
          { details: { escrowId: escrow.id, milestone: m.idx, expiresAt: escrow.expires_at } },
        )
      }
      requireMilestoneState(escrow, m, ['held', 'disputed', 'expired'], 'refund it')
      return { kind: 'refund', milestone: m.idx, amount, toPayee: null, toPayer: amount, reason }
    }
  }
}

function parsePart(text: string | undefined, scale: number, field: string): bigint {
  if (text === undefined)
    throw new CsError('ESCROW_INVALID', `A split needs both parts — give ${field} (0 is allowed).`, { details: { field } })
  try {
    return parseAmount(text, scale, { allowZero: true })
  } catch (error) {
    throw new CsError('ESCROW_INVALID', `${field}: ${(error as Error).message}`, { details: { field } })
  }
}

export function requireMilestoneState(escrow: EscrowRow, m: EscrowMilestoneRow, allowed: readonly string[], what: string): void {
  if (!allowed.includes(m.state)) {
    // An expired milestone has one way left, and the person is told it (a failed dispute tried again after the expiry, seed 670.8).
    const left = m.state === 'expired' ? '; ask for a refund to the payer' : ''
    throw new CsError('ESCROW_STATE', `Milestone ${m.idx} of "${escrow.name}" is ${m.state} — you cannot ${what} now${left}.`, {
      details: { escrowId: escrow.id, milestone: m.idx, state: m.state },
    })
  }
}

async function refuseOpenAction(ctx: CoreContext, escrow: EscrowRow, m: EscrowMilestoneRow): Promise<void> {
  const open = await ctx.db.first(
    ctx.db.k
      .selectFrom('escrow_actions')
      .select(['id', 'kind', 'state'])
      .where('escrow_id', '=', escrow.id)
      .where('milestone', '=', m.idx)
      .where('state', 'in', [...OPEN_ACTION_STATES]),
  )
  if (open) {
    throw new CsError(
      'ESCROW_STATE',
      `Milestone ${m.idx} of "${escrow.name}" already has a ${open.kind} request (${open.id}, ${open.state.replaceAll('_', ' ')}) — finish or reject it first.`,
      { details: { escrowId: escrow.id, milestone: m.idx, actionId: open.id } },
    )
  }
}

/** Inside the caller's transaction: the request row, its digest, and the audit row. */
export async function insertActionRequest(
  ctx: CoreContext,
  actor: Actor,
  escrow: EscrowRow,
  milestones: readonly EscrowMilestoneRow[],
  action: NewAction,
): Promise<string> {
  const count = await ctx.db.first(
    ctx.db.k
      .selectFrom('escrow_actions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('escrow_id', '=', escrow.id),
  )
  const id = `${escrow.id}:a${Number(count?.n ?? 0) + 1}`
  const now = ctx.clock.now().toISOString()
  const fields = {
    id,
    kind: action.kind,
    milestone: action.milestone,
    amount: action.amount.toString(),
    to_payee: action.toPayee === null ? null : action.toPayee.toString(),
    to_payer: action.toPayer === null ? null : action.toPayer.toString(),
  }
  const { digest } = await computeEscrowDigest(ctx, escrow, milestones, fields)
  const row: EscrowActionRow = {
    ...fields,
    escrow_id: escrow.id,
    reason: action.reason,
    state: action.state ?? 'awaiting_approval',
    digest,
    requested_by: actor,
    requested_at: now,
    failure_code: null,
    failure_message: null,
    updated_at: now,
  }
  await ctx.db.run(ctx.db.k.insertInto('escrow_actions').values(row))
  const scale = (await assetOf(ctx, escrow.asset_id)).scale
  await appendAudit(ctx, {
    actor,
    action: 'escrow.action.request',
    subject: `escrow:${escrow.id}`,
    change: {
      actionId: id,
      kind: action.kind,
      milestone: action.milestone,
      amount: formatAmount(action.amount, scale),
      toPayee: action.toPayee === null ? null : formatAmount(action.toPayee, scale),
      toPayer: action.toPayer === null ? null : formatAmount(action.toPayer, scale),
      reason: action.reason,
      state: row.state,
      digest,
    },
  })
  return id
}
