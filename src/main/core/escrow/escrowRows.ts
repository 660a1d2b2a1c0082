/**
 * Reading escrows, milestones and action requests, and the few facts every escrow operation needs
 * of them (the asset, the amounts as bigint). Reads only; writes live with their operations.
 */
import { CsError } from '../../../shared/errors'
import { parseMinor } from '../../../shared/money'
import type { CoreContext } from '../context'
import type { AssetRow, EscrowActionRow, EscrowMilestoneRow, EscrowRow } from '../db/schema'
import type { EscrowTerms } from '../rails/EscrowRail'

export async function getEscrowRow(ctx: CoreContext, escrowId: string): Promise<EscrowRow> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('escrows').selectAll().where('id', '=', escrowId))
  if (!row)
    throw new CsError('ESCROW_NOT_FOUND', `There is no escrow "${escrowId}" — pick one from the Escrow list.`, {
      cliHint: 'countersign escrow list',
    })
  return row
}

export async function milestonesOf(ctx: CoreContext, escrowId: string): Promise<EscrowMilestoneRow[]> {
  return await ctx.db.all(ctx.db.k.selectFrom('escrow_milestones').selectAll().where('escrow_id', '=', escrowId).orderBy('idx'))
}

export async function getMilestone(ctx: CoreContext, escrow: EscrowRow, index: number): Promise<EscrowMilestoneRow> {
  const row = await ctx.db.first(
    ctx.db.k.selectFrom('escrow_milestones').selectAll().where('escrow_id', '=', escrow.id).where('idx', '=', index),
  )
  if (!row) {
    throw new CsError(
      'ESCROW_MILESTONE_NOT_FOUND',
      `Escrow "${escrow.name}" has no milestone ${index} — its milestones are numbered from 1.`,
      {
        details: { escrowId: escrow.id, milestone: index },
      },
    )
  }
  return row
}

export async function getActionRow(ctx: CoreContext, actionId: string): Promise<EscrowActionRow> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('escrow_actions').selectAll().where('id', '=', actionId))
  if (!row)
    throw new CsError('ESCROW_ACTION_NOT_FOUND', `There is no escrow action "${actionId}" — the escrow's page lists its actions.`, {
      cliHint: 'countersign escrow show ESCROW_ID lists its actions',
    })
  return row
}

export async function actionsOf(ctx: CoreContext, escrowId: string): Promise<EscrowActionRow[]> {
  return await ctx.db.all(
    ctx.db.k.selectFrom('escrow_actions').selectAll().where('escrow_id', '=', escrowId).orderBy('requested_at').orderBy('id'),
  )
}

export async function assetOf(ctx: CoreContext, assetId: string): Promise<AssetRow> {
  const asset = await ctx.db.first(ctx.db.k.selectFrom('assets').selectAll().where('id', '=', assetId))
  if (!asset) throw new CsError('ASSET_NOT_FOUND', `Asset "${assetId}" is not registered — add it first (assets add).`)
  return asset
}

/** The terms a rail needs, from the stored rows (fixed at creation). */
export function termsOf(escrow: EscrowRow, milestones: readonly EscrowMilestoneRow[]): EscrowTerms {
  return {
    escrowId: escrow.id,
    railEscrowId: escrow.rail_escrow_id,
    assetId: escrow.asset_id,
    payer: escrow.payer,
    payee: escrow.payee,
    milestones: milestones.map((m) => ({
      index: m.idx,
      amount: parseMinor(m.amount),
      releaseAfter: new Date(m.review_ends_at),
      railRef: m.rail_ref,
      disputed: m.state === 'disputed',
    })),
    expiresAt: new Date(escrow.expires_at),
    fundingCharge: escrow.funding_charge,
  }
}

/** Milestones whose money is still held (on the rail or, disputed, earmarked). */
export const OPEN_MILESTONE_STATES: readonly string[] = ['held', 'disputed', 'expired']
