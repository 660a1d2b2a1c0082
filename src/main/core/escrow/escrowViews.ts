/**
 * What the surfaces show of escrows: the list with the next deadline and the sums held per asset
 * ("In escrow", from the ledger's open escrow holds), and one escrow whole — milestones (with
 * `in_review` computed from the clock), action requests with their approvals checked as the
 * engine checks them and what the caller may do, rail transactions, and its audit history.
 */
import type { EscrowAction, EscrowDetail, EscrowList, EscrowMilestone, EscrowSummary } from '../../../shared/escrowApi'
import { formatAmount, parseMinor } from '../../../shared/money'
import type { Operator } from '../../../shared/workspaceApi'
import type { CoreContext } from '../context'
import type { AssetRow, EscrowActionRow, EscrowMilestoneRow, EscrowRow, EscrowTxRow } from '../db/schema'
import type { EscrowRailRegistry } from '../rails/EscrowRail'
import { checkEscrowApprovals, AUTO_RELEASE_ACTOR } from './checkEscrowApprovals'
import { actionsOf, assetOf, getEscrowRow, milestonesOf } from './escrowRows'
import { OPEN_ACTION_STATES } from './requestEscrowAction'
import { escrowHistoryText } from './escrowHistoryText'

/** Stripe lets a platform hold funds for a connected account this long in most countries (separate charges and transfers). */
export const STRIPE_HOLD_LIMIT_DAYS_DEFAULT = 90
/** Warn this long before Stripe's hold limit runs out. */
export const STRIPE_HOLD_WARN_BEFORE_DAYS = 14
const DAY_MS = 86_400_000
const HISTORY_ROWS_MAX = 200

function milestoneView(m: EscrowMilestoneRow, scale: number, now: Date): EscrowMilestone {
  const startsAt = new Date(Date.parse(m.review_ends_at) - m.review_window_hours * 3_600_000)
  const inReview = m.state === 'held' && now >= startsAt && now.toISOString() < m.review_ends_at
  return {
    index: m.idx,
    title: m.title,
    amount: formatAmount(parseMinor(m.amount), scale),
    state: inReview ? 'in_review' : (m.state as EscrowMilestone['state']),
    reviewWindowHours: m.review_window_hours,
    reviewStartsAt: startsAt.toISOString(),
    reviewEndsAt: m.review_ends_at,
    released: formatAmount(parseMinor(m.released), scale),
    refunded: formatAmount(parseMinor(m.refunded), scale),
    railRef: m.rail_ref,
    holdId: m.hold_id,
    autoReleased: m.auto_released === 1,
  }
}

function summaryOf(
  e: EscrowRow,
  milestones: readonly EscrowMilestoneRow[],
  asset: AssetRow,
  openActions: number,
  now: Date,
): EscrowSummary {
  const sum = (pick: (m: EscrowMilestoneRow) => bigint) => milestones.reduce((s, m) => s + pick(m), 0n)
  const held = sum((m) => (['held', 'disputed', 'expired'].includes(m.state) ? parseMinor(m.amount) : 0n))
  const views = milestones.map((m) => milestoneView(m, asset.scale, now))
  const next = milestones.find((m) => m.state === 'held' && m.review_ends_at > now.toISOString())
  const nextDeadline = next
    ? { kind: 'review_ends' as const, at: next.review_ends_at, milestone: next.idx }
    : held > 0n && e.expires_at > now.toISOString()
      ? { kind: 'expires' as const, at: e.expires_at, milestone: null }
      : null
  const state = e.state === 'held' && views.some((v) => v.state === 'in_review') ? 'in_review' : e.state
  return {
    id: e.id,
    name: e.name,
    reference: e.reference,
    rail: e.rail as EscrowSummary['rail'],
    network: e.network,
    assetId: e.asset_id,
    assetCode: asset.code,
    scale: asset.scale,
    payee: e.payee,
    payeeName: e.payee_name,
    funding: e.funding as EscrowSummary['funding'],
    total: formatAmount(parseMinor(e.total), asset.scale),
    held: formatAmount(held, asset.scale),
    released: formatAmount(
      sum((m) => parseMinor(m.released)),
      asset.scale,
    ),
    refunded: formatAmount(
      sum((m) => parseMinor(m.refunded)),
      asset.scale,
    ),
    state: state as EscrowSummary['state'],
    version: e.version,
    autoRelease: e.auto_release === 1,
    expiresAt: e.expires_at,
    milestones: milestones.length,
    nextDeadline,
    openActions,
    createdBy: e.created_by,
    createdAt: e.created_at,
    updatedAt: e.updated_at,
  }
}

export async function listEscrows(
  ctx: CoreContext,
  input: { state?: string | undefined; limit?: number | undefined },
): Promise<EscrowList> {
  let q = ctx.db.k
    .selectFrom('escrows')
    .selectAll()
    .orderBy('created_at', 'desc')
    .limit(input.limit ?? 200)
  if (input.state !== undefined && input.state !== 'in_review') q = q.where('state', '=', input.state)
  if (input.state === 'in_review') q = q.where('state', '=', 'held')
  const rows = await ctx.db.all(q)
  const now = ctx.clock.now()
  const escrows: EscrowSummary[] = []
  for (const e of rows) {
    const open = await ctx.db.all(
      ctx.db.k
        .selectFrom('escrow_actions')
        .select('id')
        .where('escrow_id', '=', e.id)
        .where('state', 'in', [...OPEN_ACTION_STATES]),
    )
    const summary = summaryOf(e, await milestonesOf(ctx, e.id), await assetOf(ctx, e.asset_id), open.length, now)
    if (input.state === 'in_review' && summary.state !== 'in_review') continue
    escrows.push(summary)
  }
  return { escrows, inEscrow: await inEscrow(ctx) }
}

/** Per asset, the open escrow holds of the ledger: what is in escrow. */
export async function inEscrow(ctx: CoreContext): Promise<EscrowList['inEscrow']> {
  const holds = await ctx.db.all(
    ctx.db.k.selectFrom('holds').select(['asset_id', 'amount']).where('id', 'like', 'escrow:%').where('state', '=', 'pending'),
  )
  const sums = new Map<string, bigint>()
  for (const h of holds) sums.set(h.asset_id, (sums.get(h.asset_id) ?? 0n) + parseMinor(h.amount))
  const out: EscrowList['inEscrow'] = []
  for (const [assetId, minor] of [...sums].sort(([a], [b]) => a.localeCompare(b))) {
    const asset = await assetOf(ctx, assetId)
    out.push({ assetId, assetCode: asset.code, scale: asset.scale, held: formatAmount(minor, asset.scale) })
  }
  return out
}

export async function getEscrowDetail(
  ctx: CoreContext,
  rails: EscrowRailRegistry,
  id: string,
  operator: Operator | null,
): Promise<EscrowDetail> {
  const e = await getEscrowRow(ctx, id)
  const asset = await assetOf(ctx, e.asset_id)
  const milestones = await milestonesOf(ctx, id)
  const now = ctx.clock.now()
  const actionRows = await actionsOf(ctx, id)
  const actions: EscrowAction[] = []
  for (const a of actionRows) actions.push(await actionView(ctx, e, a, asset, operator))
  const txRows = await ctx.db.all(ctx.db.k.selectFrom('escrow_txs').selectAll().where('escrow_id', '=', id).orderBy('created_at'))
  const rail = rails.get(e.rail, e.network)
  const feeAsset = rail ? await ctx.db.first(ctx.db.k.selectFrom('assets').selectAll().where('id', '=', rail.feeAssetId)) : undefined
  const history = await ctx.db.all(
    ctx.db.k
      .selectFrom('audit_log')
      .select(['at', 'actor', 'action', 'change'])
      .where('subject', '=', `escrow:${id}`)
      .orderBy('seq')
      .limit(HISTORY_ROWS_MAX),
  )
  const open = actionRows.filter((a) => OPEN_ACTION_STATES.includes(a.state)).length
  const actionKinds = new Map(actionRows.map((a) => [a.id, { kind: a.kind, milestone: a.milestone }]))
  return {
    escrow: summaryOf(e, milestones, asset, open, now),
    milestoneList: milestones.map((m) => milestoneView(m, asset.scale, now)),
    actions,
    txs: txRows.map((t) => txView(t, rail?.explorerUrl?.bind(rail) ?? null, feeAsset ?? null)),
    history: history.map((h) => ({
      at: h.at,
      actor: h.actor,
      action: h.action,
      text: escrowHistoryText(h.action, h.change, asset, actionKinds),
    })),
    holdLimit: holdLimitOf(e, actionRows, now),
  }
}

/**
 * The rail's own id of an escrow transaction: the transaction hash on EVM and Stellar; on Stripe
 * the first object id (tr_…, re_…) the poller kept as the block hash — tx_hash there is our
 * idempotency key.
 */
function escrowRailRefOf(t: EscrowTxRow): string | null {
  if (t.rail !== 'stripe') return t.tx_hash
  const ids = (t.block_hash ?? '').split(',').map((i) => i.trim())
  return ids.find((i) => /^(tr|re|py|po)_/.test(i)) ?? null
}

function txView(t: EscrowTxRow, explorer: ((hash: string) => string | null) | null, feeAsset: AssetRow | null) {
  const fee = t.fee_paid === null || feeAsset === null || t.fee_paid === '0' ? null : formatAmount(parseMinor(t.fee_paid), feeAsset.scale)
  return {
    id: t.id,
    actionId: t.action_id,
    kind: (JSON.parse(t.op) as { kind: string }).kind,
    state: t.state as 'planned',
    txHash: t.tx_hash,
    railRef: escrowRailRefOf(t),
    explorerUrl: t.tx_hash && explorer ? explorer(t.tx_hash) : null,
    feePaid: fee,
    feeAssetCode: fee === null ? null : (feeAsset?.code ?? null),
    feeAssetScale: fee === null ? null : (feeAsset?.scale ?? null),
    failureMessage: t.failure_message,
    createdAt: t.created_at,
    updatedAt: t.updated_at,
  }
}

async function actionView(
  ctx: CoreContext,
  e: EscrowRow,
  a: EscrowActionRow,
  asset: AssetRow,
  operator: Operator | null,
): Promise<EscrowAction> {
  const check = await checkEscrowApprovals(ctx, e, a)
  const approvals = []
  for (const c of check.approvals) {
    const op = await ctx.db.first(ctx.db.k.selectFrom('operators').select('name').where('id', '=', c.operatorId))
    approvals.push({
      operatorId: c.operatorId,
      operatorName: op?.name ?? c.operatorId,
      at: c.at,
      keyFingerprint: c.keyFingerprint,
      verified: c.ok,
    })
  }
  const sentences: string[] = []
  let canApprove = false
  const needsApproval = a.kind !== 'dispute' && a.requested_by !== AUTO_RELEASE_ACTOR
  if (a.state === 'awaiting_approval') {
    sentences.push(`${check.valid} of ${check.required} approval(s) in.`)
    if (!operator) sentences.push('Unlock to see whether you may approve.')
    else if (!operator.roles.includes('approver')) sentences.push('You do not hold the approver role.')
    else if (operator.id === e.created_by || operator.id === a.requested_by)
      sentences.push('You created this escrow or asked for this action: another approver must approve it.')
    else if (check.approvals.some((x) => x.operatorId === operator.id)) sentences.push('You already approved it.')
    else canApprove = true
  }
  const canExecute = operator !== null && operator.roles.includes('signer') && ['approved', 'failed', 'executing'].includes(a.state)
  if (a.state === 'approved') sentences.push(needsApproval ? 'Approved: a signer may execute it.' : 'Ready: a signer may execute it.')
  const fmt = (v: string | null) => (v === null ? null : formatAmount(parseMinor(v), asset.scale))
  return {
    id: a.id,
    escrowId: a.escrow_id,
    kind: a.kind as EscrowAction['kind'],
    milestone: a.milestone,
    amount: formatAmount(parseMinor(a.amount), asset.scale),
    toPayee: fmt(a.to_payee),
    toPayer: fmt(a.to_payer),
    reason: a.reason,
    state: a.state as EscrowAction['state'],
    requestedBy: a.requested_by,
    requestedAt: a.requested_at,
    required: needsApproval ? check.required : 0,
    approvals,
    digest: a.digest,
    canApprove,
    canExecute,
    sentences,
    failureCode: a.failure_code,
    failureMessage: a.failure_message,
  }
}

function holdLimitOf(e: EscrowRow, actions: readonly EscrowActionRow[], now: Date): EscrowDetail['holdLimit'] {
  if (e.rail !== 'stripe') return null
  const funded = actions.find((a) => a.kind === 'fund' && a.state === 'done')
  if (!funded) return null
  const days = STRIPE_HOLD_LIMIT_DAYS_DEFAULT
  const endsAt = new Date(Date.parse(funded.updated_at) + days * DAY_MS)
  const open = ['held', 'disputed', 'expired', 'in_review'].includes(e.state)
  return {
    days,
    country: 'default',
    endsAt: endsAt.toISOString(),
    warn: open && endsAt.getTime() - now.getTime() < STRIPE_HOLD_WARN_BEFORE_DAYS * DAY_MS,
  }
}
