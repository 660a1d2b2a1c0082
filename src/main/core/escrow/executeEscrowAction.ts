/**
 * Carry out one approved escrow action on its rail, exactly once — the payout engine's discipline
 * for a single transaction:
 *   1. check: the action's approvals verify now (checkEscrowApprovals.ts), the milestone is in the
 *      state the action needs, the treasury can fund it (ledger and rail pre-flight); network calls
 *      for gas / fees / the nonce floor happen here, before anything is written;
 *   2. plan, in ONE transaction: the nonce reserved (shared with payout submissions of the same
 *      source), the unsigned payload built, the escrow_txs row 'planned', the action 'executing';
 *   3. sign on the device (or seal, Stripe) and commit the bytes ('signed') BEFORE they are sent;
 *   4. broadcast the committed bytes; the poller (sweepEscrowTxs.ts) confirms and books.
 * An action the rail carries out without a transaction (Stripe's treasury funding, a Stripe
 * dispute) is booked at once. Calling execute again on an 'executing' action resumes it from where
 * a crash left it: a planned transaction is signed with its SAME payload and nonce, a signed one is
 * sent again with its SAME bytes. A failed action may be executed again: a new attempt.
 */
import { CsError } from '../../../shared/errors'
import { formatAmount, parseMinor } from '../../../shared/money'
import type { Actor, CoreContext } from '../context'
import type { EscrowActionRow, EscrowRow, EscrowTxRow } from '../db/schema'
import { availableOnNormalSide } from '../ledger/accountRules'
import { reserveNonces } from '../payouts/execute/reserveNonce'
import { requireTreasuryAccount } from '../payouts/execute/treasuryAccount'
import type { EscrowOp, EscrowOpInput, EscrowRail, EscrowRailRegistry } from '../rails/EscrowRail'
import type { Signer } from '../signing/Signer'
import { signerUnavailable } from '../signing/signerSource'
import { assertSignerAddressVerified } from '../signing/verifySignerAddress'
import { crashPoint } from '../util/crashPoint'
import { invariant } from '../util/invariant'
import { assertEscrowActionApproved } from './checkEscrowApprovals'
import { REQUEST_MILESTONE_STATES } from './closeMootRequests'
import { completeEscrowAction, setMilestone } from './completeEscrowAction'
import { requireEscrowRail } from './createEscrow'
import { setActionState } from './decideEscrowAction'
import { getActionRow, getEscrowRow, milestonesOf, termsOf } from './escrowRows'
import { getEscrowTx, moveEscrowTx, opToJson, railTxOf } from './escrowTxRows'
import { requireMilestoneState } from './requestEscrowAction'
import { rollUpEscrowState } from './rollUpEscrowState'

export interface EscrowDeps {
  rails: EscrowRailRegistry
  signer?: Signer
  /** Reaches the device only when a transaction must be signed (checks and refusals come first). */
  getSigner?: () => Promise<Signer>
}

async function signerOf(deps: EscrowDeps): Promise<Signer> {
  if (deps.signer) return deps.signer
  if (deps.getSigner) return await deps.getSigner()
  throw signerUnavailable()
}

export type ExecuteEscrowResult = 'done' | 'sent' | 'undelivered' | 'pending'

export async function executeEscrowAction(
  ctx: CoreContext,
  deps: EscrowDeps,
  actionId: string,
  actor: Actor,
): Promise<ExecuteEscrowResult> {
  const action = await getActionRow(ctx, actionId)
  const escrow = await getEscrowRow(ctx, action.escrow_id)
  const rail = requireEscrowRail(deps.rails, escrow.rail, escrow.network)
  const open = await openTxOf(ctx, action.id)
  if (open) return await continueTx(ctx, deps, rail, actor, open)
  if (action.state !== 'approved' && action.state !== 'failed') {
    throw new CsError(
      'ESCROW_NOT_APPROVED',
      `Escrow action ${action.id} is ${action.state.replaceAll('_', ' ')} — only an approved (or failed) action can be executed.`,
      {
        details: { escrowId: escrow.id, actionId: action.id, state: action.state },
      },
    )
  }
  await assertEscrowActionApproved(ctx, action, actor)
  const input = await opInput(ctx, escrow, action, rail)
  await checkPreconditions(ctx, escrow, action, rail)
  const problems = await rail.preflight(input)
  if (problems.length > 0) throw railRefusal(escrow, problems)
  if (!rail.needsTx(input.terms, input.op)) {
    await ctx.db.tx(async () => {
      const fresh = await getActionRow(ctx, action.id)
      if (fresh.state !== action.state) return
      await completeEscrowAction(ctx, actor, fresh, { txId: null, txHash: null, railRefs: new Map() })
    })
    ctx.events.emit('escrow.changed', { escrowId: escrow.id })
    return 'done'
  }
  if (rail.signer !== null) {
    await signerOf(deps)
    await assertSignerAddressVerified(ctx, rail.signer, rail.source.address)
  }
  const prepared = await rail.prepare(input)
  const floor = await rail.nonceFloor(rail.source.address)
  const planned = await planTx(ctx, actor, rail, action, input, prepared, floor)
  crashPoint('escrow-after-plan')
  ctx.events.emit('escrow.changed', { escrowId: escrow.id })
  return await continueTx(ctx, deps, rail, actor, planned)
}

async function opInput(ctx: CoreContext, escrow: EscrowRow, action: EscrowActionRow, rail: EscrowRail): Promise<EscrowOpInput> {
  const milestones = await milestonesOf(ctx, escrow.id)
  const assets = new Map()
  for (const id of new Set([escrow.asset_id, rail.feeAssetId])) {
    const asset = await ctx.db.first(ctx.db.k.selectFrom('assets').selectAll().where('id', '=', id))
    if (asset) assets.set(id, asset)
  }
  const attempts = await ctx.db.all(ctx.db.k.selectFrom('escrow_txs').select('attempt').where('action_id', '=', action.id))
  return { terms: termsOf(escrow, milestones), op: opOf(action), assets, actionId: action.id, attempt: attempts.length + 1 }
}

export function opOf(action: EscrowActionRow): EscrowOp {
  const milestone = action.milestone ?? 0
  switch (action.kind) {
    case 'fund':
      return { kind: 'fund' }
    case 'release':
      return { kind: 'release', milestone }
    case 'dispute':
      return { kind: 'dispute', milestone }
    case 'resolve':
      return { kind: 'resolve', milestone, toPayee: parseMinor(action.to_payee ?? '0'), toPayer: parseMinor(action.to_payer ?? '0') }
    case 'refund':
      return { kind: 'refund', milestones: [milestone] }
    default:
      throw new CsError('ESCROW_INVALID', `Escrow action ${action.id} has an unknown kind "${action.kind}".`)
  }
}

/** What must hold for the action, checked again now (the request was checked when it was made). */
async function checkPreconditions(ctx: CoreContext, escrow: EscrowRow, action: EscrowActionRow, rail: EscrowRail): Promise<void> {
  if (action.kind === 'fund') {
    if (escrow.state !== 'draft' && escrow.state !== 'failed')
      throw new CsError('ESCROW_STATE', `Escrow "${escrow.name}" is ${escrow.state} — it is funded once.`, {
        details: { escrowId: escrow.id },
      })
    // Funded from the treasury after its expiry, an escrow would hold money nobody could release — only
    // refund (and on Stellar the payee's claim window would be closed before it opened): refused before
    // any network call. A customer's charge is already at Stripe: it is booked into the escrow even
    // late, so that the refund after the expiry gives it back (cancelled instead, it would be nobody's
    // in the books — seed 900.9).
    if (escrow.funding === 'treasury' && ctx.clock.now().toISOString() >= escrow.expires_at)
      throw new CsError(
        'ESCROW_STATE',
        `Escrow "${escrow.name}" expired at ${escrow.expires_at} before it was funded — nothing was sent. Cancel it, and create it again with a later expiry.`,
        { details: { escrowId: escrow.id, expiresAt: escrow.expires_at } },
      )
    if (escrow.funding === 'treasury') await assertTreasuryAvailable(ctx, escrow, rail)
    return
  }
  const m = (await milestonesOf(ctx, escrow.id)).find((x) => x.idx === action.milestone)
  invariant(m !== undefined, 'an escrow action names an existing milestone')
  if (action.kind === 'release' && m.state === 'disputed')
    throw new CsError(
      'ESCROW_MILESTONE_DISPUTED',
      `Milestone ${m.idx} of "${escrow.name}" is disputed — it cannot be released; resolve it with a split.`,
      {
        details: { escrowId: escrow.id, milestone: m.idx },
      },
    )
  requireMilestoneState(escrow, m, REQUEST_MILESTONE_STATES[action.kind as 'release'], `${action.kind} it`)
  // The milestone row and the books must agree: its (sealed) ledger hold is still pending. A milestone
  // put back to 'held' with SQL after it was paid is refused here, before any rail is asked to pay it again.
  const hold = m.hold_id === null ? undefined : await ctx.db.first(ctx.db.k.selectFrom('holds').select('state').where('id', '=', m.hold_id))
  if (hold?.state !== 'pending') {
    throw new CsError(
      'ESCROW_STATE',
      `Milestone ${m.idx} of "${escrow.name}" says ${m.state}, but its ledger hold is ${hold?.state ?? 'missing'} — the escrow's records were changed outside Countersign; run \`countersign audit verify\` and restore a backup. Nothing was signed or sent.`,
      { details: { escrowId: escrow.id, milestone: m.idx, state: m.state } },
    )
  }
}

async function assertTreasuryAvailable(ctx: CoreContext, escrow: EscrowRow, rail: EscrowRail): Promise<void> {
  const treasury = await requireTreasuryAccount(ctx, escrow.asset_id, rail.source.address)
  const b = await ctx.db.first(ctx.db.k.selectFrom('balances').selectAll().where('account_id', '=', treasury.id))
  const available = b
    ? availableOnNormalSide('debit', {
        debitsPosted: parseMinor(b.debits_posted),
        creditsPosted: parseMinor(b.credits_posted),
        debitsPending: parseMinor(b.debits_pending),
        creditsPending: parseMinor(b.credits_pending),
      })
    : 0n
  const total = parseMinor(escrow.total)
  if (available < total) {
    const scale = (await ctx.db.first(ctx.db.k.selectFrom('assets').select('scale').where('id', '=', escrow.asset_id)))?.scale ?? 0
    throw new CsError(
      'ESCROW_FUNDS_INSUFFICIENT',
      `The treasury has ${formatAmount(available, scale)} available in ${escrow.asset_id}; escrow "${escrow.name}" needs ${formatAmount(total, scale)} — top up the treasury or lower the milestones; nothing was signed.`,
      { details: { escrowId: escrow.id, available: formatAmount(available, scale), needed: formatAmount(total, scale) } },
    )
  }
}

function railRefusal(escrow: EscrowRow, problems: readonly { code: string; message: string }[]): CsError {
  const first = problems[0]!
  const known = ['ESCROW_MILESTONE_DISPUTED', 'ESCROW_TOKEN_REFUSED', 'ESCROW_CHARGE_MISMATCH', 'ESCROW_FUNDS_INSUFFICIENT'] as const
  const code = (known as readonly string[]).includes(first.code) ? (first.code as (typeof known)[number]) : 'ESCROW_RAIL_REFUSED'
  return new CsError(
    code,
    `${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''} — nothing was signed or sent.`,
    {
      details: { escrowId: escrow.id, problems: problems.map((p) => p.code) },
    },
  )
}

async function openTxOf(ctx: CoreContext, actionId: string): Promise<EscrowTxRow | undefined> {
  return await ctx.db.first(
    ctx.db.k
      .selectFrom('escrow_txs')
      .selectAll()
      .where('action_id', '=', actionId)
      .where('state', 'in', ['planned', 'signed', 'broadcast']),
  )
}

async function planTx(
  ctx: CoreContext,
  actor: Actor,
  rail: EscrowRail,
  action: EscrowActionRow,
  input: EscrowOpInput,
  prepared: unknown,
  floor: bigint | null,
): Promise<EscrowTxRow> {
  return await ctx.db.tx(async () => {
    const fresh = await getActionRow(ctx, action.id)
    if (fresh.state !== action.state || (await openTxOf(ctx, action.id)))
      throw new CsError('ESCROW_STATE', `Escrow action ${action.id} was started elsewhere — refresh and look again.`)
    const nonce = (await reserveNonces(ctx, { rail: rail.rail, network: rail.network, source: rail.source.address }, floor, 1))?.[0] ?? null
    const now = ctx.clock.now()
    const built = rail.build(input, prepared, nonce, now)
    const row: EscrowTxRow = {
      id: `${action.id}:t${input.attempt}`,
      escrow_id: action.escrow_id,
      action_id: action.id,
      op: opToJson(input.op),
      rail: rail.rail,
      network: rail.network,
      attempt: input.attempt,
      state: 'planned',
      source: built.source,
      nonce: nonce === null ? null : nonce.toString(),
      idempotency_key: built.idempotencyKey,
      unsigned_payload: built.unsignedPayload,
      signed_payload: null,
      tx_hash: null,
      rail_refs: built.railRefs.size === 0 ? null : JSON.stringify(Object.fromEntries(built.railRefs)),
      fee_cap: built.feeCap,
      fee_paid: null,
      block_number: null,
      block_hash: null,
      failure_code: null,
      failure_message: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    }
    await ctx.db.run(ctx.db.k.insertInto('escrow_txs').values(row))
    await moveEscrowTx(ctx, actor, { ...row, state: 'new' }, 'planned', {}, { nonce: row.nonce, idempotencyKey: row.idempotency_key })
    await setActionState(ctx, actor, fresh, 'executing', { txId: row.id })
    if (action.kind === 'fund') {
      const escrow = await getEscrowRow(ctx, action.escrow_id)
      for (const m of await milestonesOf(ctx, escrow.id)) await setMilestone(ctx, actor, escrow, m, { state: 'funding' }, { txId: row.id })
      await rollUpEscrowState(ctx, actor, escrow.id)
    }
    return row
  })
}

async function continueTx(
  ctx: CoreContext,
  deps: EscrowDeps,
  rail: EscrowRail,
  actor: Actor,
  row: EscrowTxRow,
): Promise<ExecuteEscrowResult> {
  let current = row
  if (current.state === 'planned') {
    const view = railTxOf(current)
    let signed
    if (rail.sign) signed = await rail.sign(view, await signerOf(deps))
    else if (rail.seal) signed = rail.seal(view)
    else
      throw new CsError(
        'ESCROW_RAIL_REFUSED',
        `The ${rail.rail} escrow rail can neither sign nor seal — this is a bug in Countersign; report it.`,
      )
    const committed = await ctx.db.tx(async () => {
      const fresh = await getEscrowTx(ctx, current.id)
      if (fresh.state !== 'planned' || fresh.unsigned_payload !== current.unsigned_payload) return null
      await moveEscrowTx(ctx, actor, fresh, 'signed', { signed_payload: signed.signedPayload, tx_hash: signed.txHash })
      return await getEscrowTx(ctx, current.id)
    })
    if (!committed) return 'pending'
    current = committed
    crashPoint('escrow-after-persist')
    ctx.events.emit('escrow.changed', { escrowId: current.escrow_id })
  }
  if (current.state !== 'signed') return 'pending'
  return await sendEscrowTx(ctx, rail, actor, current)
}

/** Sends bytes already committed ('signed'); the poller re-sends the same bytes while it stays so. */
export async function sendEscrowTx(ctx: CoreContext, rail: EscrowRail, actor: Actor, row: EscrowTxRow): Promise<'sent' | 'undelivered'> {
  invariant(row.state === 'signed' && row.signed_payload !== null, 'only committed bytes are sent')
  const outcome = await rail.broadcast(railTxOf(row))
  crashPoint('escrow-after-broadcast')
  if (outcome.kind === 'unreachable') return 'undelivered'
  await ctx.db.tx(async () => {
    const fresh = await getEscrowTx(ctx, row.id)
    if (fresh.state !== 'signed') return
    await moveEscrowTx(ctx, actor, fresh, 'broadcast', {}, outcome.kind === 'maybe-sent' ? { nodeSaid: outcome.message.slice(0, 200) } : {})
  })
  ctx.events.emit('escrow.changed', { escrowId: row.escrow_id })
  return 'sent'
}
