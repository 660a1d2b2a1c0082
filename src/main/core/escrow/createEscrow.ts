/**
 * Create an escrow (preparer): its terms are checked and fixed now — asset on its rail, payee,
 * milestones (their sum is the escrow), absolute review ends and expiry — and its FUNDING is asked
 * for at once as the first action request, which approvers sign like a batch. Nothing moves until
 * that request is approved and executed. An escrow is never edited: cancel it and create another.
 */
import { randomBytes } from 'node:crypto'
import { keccak256, stringToBytes } from 'viem'
import type { EscrowCreateInput } from '../../../shared/escrowApi'
import { CsError } from '../../../shared/errors'
import { formatAmount, parseAmount } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import type { AssetRow, EscrowMilestoneRow, EscrowRow } from '../db/schema'
import { checkRecipient } from '../payouts/import/checkRecipient'
import { requireTreasuryAccount } from '../payouts/execute/treasuryAccount'
import type { EscrowRail, EscrowRailRegistry } from '../rails/EscrowRail'
import { insertActionRequest } from './requestEscrowAction'
import { assetOf } from './escrowRows'

const ESCROW_ID_RANDOM_BYTES = 6

export interface CreateEscrowReturnType {
  escrowId: string
}

export async function createEscrow(
  ctx: CoreContext,
  actor: Actor,
  rails: EscrowRailRegistry,
  input: EscrowCreateInput,
): Promise<CreateEscrowReturnType> {
  const asset = await assetOf(ctx, input.assetId)
  const rail = requireEscrowRail(rails, input.rail, input.network)
  checkAssetOnRail(asset, input)
  const payee = checkPayee(input)
  const milestones = checkMilestones(ctx, input, asset)
  const total = milestones.reduce((sum, m) => sum + m.amount, 0n)
  checkFunding(input)
  await requireTreasuryAccount(ctx, asset.id, rail.source.address)
  const id = input.id ?? newEscrowId(ctx)
  const now = ctx.clock.now().toISOString()
  const escrow: EscrowRow = {
    id,
    name: input.name,
    reference: input.reference ?? null,
    rail: input.rail,
    network: input.network,
    asset_id: asset.id,
    payer: rail.source.address,
    payee,
    payee_name: input.payeeName ?? null,
    funding: input.funding,
    funding_charge: input.fundingCharge ?? null,
    rail_escrow_id: input.rail === 'evm' ? keccak256(stringToBytes(id)) : id,
    total: total.toString(),
    auto_release: input.autoRelease ? 1 : 0,
    expires_at: new Date(input.expiresAt).toISOString(),
    state: 'draft',
    version: 1,
    created_by: actor,
    created_at: now,
    updated_at: now,
  }
  const rows: EscrowMilestoneRow[] = milestones.map((m, i) => ({
    escrow_id: id,
    idx: i + 1,
    title: m.title,
    amount: m.amount.toString(),
    review_window_hours: m.reviewWindowHours,
    review_ends_at: m.reviewEndsAt,
    state: 'draft',
    released: '0',
    refunded: '0',
    rail_ref: null,
    hold_id: null,
    auto_released: 0,
    updated_at: now,
  }))
  await ctx.db.tx(async () => {
    if (await ctx.db.first(ctx.db.k.selectFrom('escrows').select('id').where('id', '=', id)))
      throw new CsError('ESCROW_EXISTS', `An escrow "${id}" exists already — choose another id (or leave it out to get one).`)
    await ctx.db.run(ctx.db.k.insertInto('escrows').values(escrow))
    await ctx.db.run(ctx.db.k.insertInto('escrow_milestones').values(rows))
    await appendAudit(ctx, {
      actor,
      action: 'escrow.create',
      subject: `escrow:${id}`,
      change: {
        name: escrow.name,
        rail: escrow.rail,
        network: escrow.network,
        assetId: escrow.asset_id,
        payer: escrow.payer,
        payee: escrow.payee,
        funding: escrow.funding,
        fundingCharge: escrow.funding_charge,
        total: formatAmount(total, asset.scale),
        autoRelease: input.autoRelease,
        expiresAt: escrow.expires_at,
        milestones: rows.map((m) => ({
          index: m.idx,
          title: m.title,
          amount: formatAmount(BigInt(m.amount), asset.scale),
          reviewEndsAt: m.review_ends_at,
        })),
      },
    })
    await insertActionRequest(ctx, actor, escrow, rows, {
      kind: 'fund',
      milestone: null,
      amount: total,
      toPayee: null,
      toPayer: null,
      reason: null,
    })
  })
  ctx.events.emit('escrow.changed', { escrowId: id })
  return { escrowId: id }
}

export function requireEscrowRail(rails: EscrowRailRegistry, rail: string, network: string): EscrowRail {
  const found = rails.get(rail, network)
  if (!found) {
    const hint = rail === 'evm' ? ' (an EVM chain needs its escrow contract address in Settings → Rails)' : ''
    throw new CsError(
      'ESCROW_RAIL_NOT_CONFIGURED',
      `Escrow on ${rail} ${network} is not configured${hint} — configure the rail, then try again; nothing was created.`,
      { details: { rail, network } },
    )
  }
  return found
}

function newEscrowId(ctx: CoreContext): string {
  const day = ctx.clock.now().toISOString().slice(0, 10).replaceAll('-', '')
  return `esc_${day}_${randomBytes(ESCROW_ID_RANDOM_BYTES).toString('hex')}`
}

function invalid(message: string, field: string): CsError {
  return new CsError('ESCROW_INVALID', message, { details: { field } })
}

function checkAssetOnRail(asset: AssetRow, input: EscrowCreateInput): void {
  if (asset.rail !== input.rail || asset.network !== input.network)
    throw invalid(
      `Asset ${asset.id} is on ${asset.rail} ${asset.network}, not ${input.rail} ${input.network} — pick an asset of the escrow's rail.`,
      'assetId',
    )
}

function checkPayee(input: EscrowCreateInput): string {
  if (input.rail === 'stripe') {
    if (!/^acct_[A-Za-z0-9]+$/.test(input.payee))
      throw invalid(
        `The payee "${input.payee.slice(0, 40)}" is not a Stripe connected account (acct_…) — enter the payee's account id.`,
        'payee',
      )
    return input.payee
  }
  const checked = checkRecipient(input.rail, input.payee)
  if (!checked.ok) throw invalid(`Payee: ${checked.sentence}`, 'payee')
  return checked.canonical
}

function checkFunding(input: EscrowCreateInput): void {
  if (input.funding === 'charge' && input.rail !== 'stripe')
    throw invalid('Only a Stripe escrow can be funded by a customer charge — fund it from the treasury.', 'funding')
  if (input.funding === 'charge' && input.fundingCharge === undefined)
    throw invalid("A charge-funded escrow needs the customer's charge (ch_…) — give it as fundingCharge.", 'fundingCharge')
  if (input.funding === 'treasury' && input.fundingCharge !== undefined)
    throw invalid('A treasury-funded escrow takes no charge — leave fundingCharge out, or choose funding "charge".', 'fundingCharge')
}

interface CheckedMilestone {
  title: string
  amount: bigint
  reviewWindowHours: number
  reviewEndsAt: string
}

function checkMilestones(ctx: CoreContext, input: EscrowCreateInput, asset: AssetRow): CheckedMilestone[] {
  const now = ctx.clock.now().getTime()
  const expires = parseTime(input.expiresAt, 'expiresAt', 'The expiry')
  if (expires <= now) throw invalid('The expiry is in the past — give a time after every review window ends.', 'expiresAt')
  return input.milestones.map((m, i) => {
    const at = `Milestone ${i + 1}`
    let amount: bigint
    try {
      amount = parseAmount(m.amount, asset.scale)
    } catch (error) {
      throw invalid(`${at}: ${(error as Error).message}`, `milestones.${i}.amount`)
    }
    if (amount <= 0n) throw invalid(`${at}: the amount must be above zero.`, `milestones.${i}.amount`)
    const ends = parseTime(m.reviewEndsAt, `milestones.${i}.reviewEndsAt`, `${at}'s review end`)
    if (ends <= now) throw invalid(`${at}: its review ends in the past — give a later time.`, `milestones.${i}.reviewEndsAt`)
    if (ends >= expires)
      throw invalid(
        `${at}: its review ends at or after the escrow's expiry — move the expiry later, or the review end earlier.`,
        `milestones.${i}.reviewEndsAt`,
      )
    return { title: m.title, amount, reviewWindowHours: m.reviewWindowHours, reviewEndsAt: new Date(ends).toISOString() }
  })
}

function parseTime(text: string, field: string, what: string): number {
  const ms = Date.parse(text)
  if (!Number.isFinite(ms))
    throw invalid(`${what} "${text.slice(0, 40)}" is not a date and time — use ISO 8601, e.g. 2027-01-31T17:00:00Z.`, field)
  return ms
}
