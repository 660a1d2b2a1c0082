/**
 * Signs planned submissions one device prompt at a time, commits each signature, then sends it:
 *
 *   sign (device) -> COMMIT signed bytes + hash (state 'signed') -> broadcast -> state 'broadcast'
 *
 * Nothing is ever sent that is not committed first, so after any crash the database knows every
 * transaction that might be on the network, and resumeOpen re-sends those same bytes.
 *
 * Re-signing a 'planned' submission after a crash is safe. A crash after the device signed and
 * before the commit loses a signature that existed only in this process's memory: it was never
 * broadcast (broadcast happens only after the commit) and never written anywhere, so no
 * transaction with that nonce exists outside. Signing the stored unsigned payload again yields
 * the same transaction — same nonce, same calldata, same fees (RFC 6979 even gives the same
 * signature) — so there is still at most one transaction per nonce.
 */
import { CsError } from '../../../../shared/errors'
import { SYSTEM_ACTOR, type Actor, type CoreContext } from '../../context'
import type { SubmissionRow } from '../../db/schema'
import type { Rail } from '../../rails/Rail'
import type { Signer } from '../../signing/Signer'
import { assertSignerAddressVerified } from '../../signing/verifySignerAddress'
import { crashPoint } from '../../util/crashPoint'
import { reportProgress, type ExecuteDeps, type ExecuteOptions } from './executeDeps'
import { getSubmission, moveSubmission, movePayoutsOf, payoutsOfSubmission } from './executionStore'
import { finishBatchIfDone } from './finishBatch'
import { formatAmountGrouped, parseMinor } from '../../../../shared/money'

export interface SignAndBroadcastResult {
  signed: number
  broadcast: number
  dead: number
  /** Signed but not delivered: the node was unreachable (the poller sends them later). */
  undelivered: number
}

export async function signAndBroadcast(
  ctx: CoreContext,
  deps: ExecuteDeps,
  actor: Actor,
  submissions: readonly SubmissionRow[],
  options: ExecuteOptions = {},
): Promise<SignAndBroadcastResult> {
  const out: SignAndBroadcastResult = { signed: 0, broadcast: 0, dead: 0, undelivered: 0 }
  const total = submissions.length
  for (let i = 0; i < total; i++) {
    const sub = getSubmission(ctx, submissions[i]!.id)
    if (sub.state !== 'planned') continue // another process got there first
    const rail = deps.rails.get(sub.rail, sub.network)
    if (!rail) throw notConfigured(sub)
    // A planned submission whose nonce the chain already used (another wallet on the same key)
    // can never land; nothing with that nonce was ever signed-and-stored by us, so it is dead.
    if (await rail.nonceConsumed(ctx, sub)) {
      const finished = ctx.db.tx(() => {
        const fresh = getSubmission(ctx, sub.id)
        const reason = `nonce ${sub.nonce} can no longer be used (another transaction took it, or its time bound passed) — this one was never signed`
        if (
          fresh.state !== 'planned' ||
          !moveSubmission(ctx, SYSTEM_ACTOR, fresh, 'dead', { failure_code: 'NONCE_CONFLICT', failure_message: reason })
        )
          return null
        movePayoutsOf(ctx, sub.id, 'failed', { failure_code: 'NONCE_CONFLICT', failure_message: reason })
        return finishBatchIfDone(ctx, sub.batch_id)
      })
      out.dead++
      ctx.events.emit('payouts.changed', { batchIds: [sub.batch_id] })
      if (finished) ctx.events.emit('batches.changed', { batchId: sub.batch_id })
      continue
    }
    const deviceFree = rail.needsSigner === false
    if (!deviceFree && !deps.signer)
      throw new CsError('DEVICE_NOT_FOUND', 'Connect and unlock your Ledger to sign the remaining payouts, then try again.')
    if (rail.rail === 'evm' || rail.rail === 'stellar') assertSignerAddressVerified(ctx, rail.rail, rail.source.address)
    if (!deviceFree)
      reportProgress(options, {
        kind: 'signing',
        chunk: i + 1,
        chunks: total,
        message: `Confirm transaction ${i + 1} of ${total} on your Ledger — ${describeChunk(ctx, sub.id)}.`,
      })
    // A device-free rail (Stripe) ignores the signer argument; it is never called.
    const signed = await rail.sign(ctx, sub, deps.signer as Signer)
    crashPoint('after-sign')
    const persisted = ctx.db.tx(() => {
      const fresh = getSubmission(ctx, sub.id)
      if (fresh.state !== 'planned') return null
      moveSubmission(
        ctx,
        actor,
        fresh,
        'signed',
        { signed_payload: signed.signedPayload, tx_hash: signed.txHash },
        { txHash: signed.txHash },
      )
      movePayoutsOf(ctx, sub.id, 'signed')
      return getSubmission(ctx, sub.id)
    })
    if (persisted === null) continue
    out.signed++
    crashPoint('after-persist')
    ctx.events.emit('payouts.changed', { batchIds: [sub.batch_id] })
    const sent = await sendPersisted(ctx, rail, actor, persisted)
    if (sent === 'undelivered') {
      out.undelivered++
      continue
    }
    out.broadcast++
    reportProgress(options, {
      kind: 'broadcast',
      chunk: i + 1,
      chunks: total,
      message: rail.rail === 'stripe' ? `Transfer ${i + 1} of ${total} sent to Stripe.` : `Transaction ${i + 1} of ${total} sent.`,
    })
  }
  return out
}

/**
 * Sends one submission whose signed bytes are ALREADY committed (state 'signed'): the device path
 * above and external signing (importSigned) both end here, so nothing is ever sent that the
 * database does not hold. 'undelivered': the node was unreachable; it stays 'signed' and the
 * poller sends the same bytes later.
 */
export async function sendPersisted(ctx: CoreContext, rail: Rail, actor: Actor, persisted: SubmissionRow): Promise<'sent' | 'undelivered'> {
  if (persisted.state !== 'signed' || persisted.signed_payload === null)
    throw new Error(`invariant: send of ${persisted.state} submission ${persisted.id}`)
  const outcome = await rail.broadcast(ctx, persisted)
  crashPoint('after-broadcast')
  if (outcome.kind === 'unreachable') return 'undelivered'
  ctx.db.tx(() => {
    const fresh = getSubmission(ctx, persisted.id)
    if (fresh.state !== 'signed') return
    moveSubmission(ctx, actor, fresh, 'broadcast', {}, outcome.kind === 'maybe-sent' ? { nodeSaid: outcome.message.slice(0, 200) } : {})
    movePayoutsOf(ctx, persisted.id, 'broadcast')
  })
  ctx.events.emit('payouts.changed', { batchIds: [persisted.batch_id] })
  return 'sent'
}

export function notConfigured(sub: { rail: string; network: string }): CsError {
  return new CsError(
    'RAIL_NOT_CONFIGURED',
    `Countersign has no ${sub.rail} connection for network ${sub.network} — add it to the rails configuration and restart.`,
  )
}

/** "250 payouts, 12,400.00 USDC": what the person is about to approve on the device, exactly. */
export function describeChunk(ctx: CoreContext, submissionId: string): string {
  const payouts = payoutsOfSubmission(ctx, submissionId)
  const totals = new Map<string, bigint>()
  for (const p of payouts) totals.set(p.asset_id, (totals.get(p.asset_id) ?? 0n) + parseMinor(p.amount))
  const parts = [...totals].map(([assetId, minor]) => {
    const asset = ctx.db.first(ctx.db.k.selectFrom('assets').select(['code', 'scale']).where('id', '=', assetId))
    return asset ? `${formatAmountGrouped(minor, asset.scale)} ${asset.code}` : `${minor} ${assetId}`
  })
  return `${payouts.length.toLocaleString('en-US')} ${payouts.length === 1 ? 'payout' : 'payouts'}, ${parts.join(' + ')}`
}
