/**
 * Signs planned submissions one device prompt at a time, commits each signature, then sends it:
 *
 *   sign (device) | seal (device-free) -> COMMIT signed bytes + hash (state 'signed')
 *     -> broadcast -> state 'broadcast'
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
import { assertBatchApprovalsVerified } from '../approvals/verifyBatchApprovals'
import { CsError } from '../../../../shared/errors'
import { networkName } from '../../../../shared/networkNames'
import { formatAmountGrouped, parseMinor } from '../../../../shared/money'
import { SYSTEM_ACTOR, type Actor, type CoreContext } from '../../context'
import type { SubmissionRow } from '../../db/schema'
import { isDeviceRail, type Rail, type RailSubmission, type SignedSubmission } from '../../rails/Rail'
import { assertSignerAddressVerified } from '../../signing/verifySignerAddress'
import { crashPoint } from '../../util/crashPoint'
import { invariant } from '../../util/invariant'
import { reportProgress, type ExecuteDeps, type ExecuteOptions } from './executeDeps'
import { getSubmission, moveSubmission, movePayoutsOf, payoutsOfSubmission } from './executionStore'
import { finishBatchIfDone } from './finishBatch'
import { railSubmissionOf } from './railViews'

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
    const sub = await getSubmission(ctx, submissions[i]!.id)
    if (sub.state !== 'planned') continue // another process got there first
    const rail = deps.rails.get(sub.rail, sub.network)
    if (!rail) throw notConfigured(sub)
    // Before every chunk is signed: the approvals still verify against the stored payouts.
    await assertBatchApprovalsVerified(ctx, sub.batch_id, actor)
    const view = await railSubmissionOf(ctx, sub)
    // A planned submission whose nonce the network already used (another wallet on the same key,
    // or its time bound passed) can never land; nothing with that nonce was ever signed-and-stored
    // by us, so it is dead.
    if (await rail.nonceConsumed(view)) {
      await markNeverSignedDead(ctx, rail, sub)
      out.dead++
      continue
    }
    const signed = await signOrSeal(ctx, deps, rail, view, { chunk: i + 1, chunks: total }, options)
    crashPoint('after-sign')
    const persisted = await commitSigned(ctx, actor, view, signed)
    if (persisted === null) continue
    out.signed++
    crashPoint('after-persist')
    ctx.events.emit('payouts.changed', { batchIds: [sub.batch_id] })
    if ((await sendPersisted(ctx, rail, actor, persisted)) === 'undelivered') {
      out.undelivered++
      continue
    }
    out.broadcast++
    const unit = rail.capabilities.unit.one
    const to = rail.capabilities.sentTo === undefined ? '' : ` to ${rail.capabilities.sentTo}`
    reportProgress(options, {
      kind: 'broadcast',
      chunk: i + 1,
      chunks: total,
      message: `${capitalized(unit)} ${i + 1} of ${total} sent${to}.`,
    })
  }
  return out
}

/** The device signs (after its prompt) or, on a device-free rail, the rail seals the payload. */
async function signOrSeal(
  ctx: CoreContext,
  deps: ExecuteDeps,
  rail: Rail,
  view: RailSubmission,
  position: { chunk: number; chunks: number },
  options: ExecuteOptions,
): Promise<SignedSubmission> {
  if (!isDeviceRail(rail)) return rail.seal(view)
  if (!deps.signer) throw new CsError('DEVICE_NOT_FOUND', 'Connect and unlock your Ledger to sign the remaining payouts, then try again.')
  if (rail.capabilities.verifiesSourceAddress) await assertSignerAddressVerified(ctx, rail.capabilities.signer, rail.source.address)
  reportProgress(options, {
    kind: 'signing',
    ...position,
    message: `Confirm ${rail.capabilities.unit.one} ${position.chunk} of ${position.chunks} on ${options.deviceName ?? 'your Ledger'} — ${await describeChunk(ctx, view.id)}.`,
  })
  return rail.sign(view, deps.signer)
}

/**
 * Commits the signed bytes (state 'signed'); null when someone else moved the submission first —
 * or changed what it says: a cancel elsewhere (cancelSubmission) may have renumbered it while the
 * device signed the old payload, and those bytes must then never be committed or sent.
 */
async function commitSigned(
  ctx: CoreContext,
  actor: Actor,
  signedFrom: RailSubmission,
  signed: SignedSubmission,
): Promise<SubmissionRow | null> {
  const submissionId = signedFrom.id
  return await ctx.db.tx(async () => {
    const fresh = await getSubmission(ctx, submissionId)
    if (fresh.state !== 'planned' || fresh.unsigned_payload !== signedFrom.unsigned_payload) return null
    await moveSubmission(
      ctx,
      actor,
      fresh,
      'signed',
      { signed_payload: signed.signedPayload, tx_hash: signed.txHash },
      { txHash: signed.txHash },
    )
    await movePayoutsOf(ctx, submissionId, 'signed')
    return await getSubmission(ctx, submissionId)
  })
}

async function markNeverSignedDead(ctx: CoreContext, rail: Rail, sub: SubmissionRow): Promise<void> {
  const finished = await ctx.db.tx(async () => {
    const fresh = await getSubmission(ctx, sub.id)
    const reason = `${rail.capabilities.nonceName ?? 'nonce'} ${sub.nonce} can no longer be used (another transaction took it, or its time bound passed) — this one was never signed`
    if (
      fresh.state !== 'planned' ||
      !(await moveSubmission(ctx, SYSTEM_ACTOR, fresh, 'dead', { failure_code: 'NONCE_CONFLICT', failure_message: reason }))
    )
      return null
    await movePayoutsOf(ctx, sub.id, 'failed', { failure_code: 'NONCE_CONFLICT', failure_message: reason })
    return await finishBatchIfDone(ctx, sub.batch_id)
  })
  ctx.events.emit('payouts.changed', { batchIds: [sub.batch_id] })
  if (finished) ctx.events.emit('batches.changed', { batchId: sub.batch_id })
}

/**
 * Sends one submission whose signed bytes are ALREADY committed (state 'signed'): the device path
 * above and external signing (importSigned) both end here, so nothing is ever sent that the
 * database does not hold. 'undelivered': the node was unreachable; it stays 'signed' and the
 * poller sends the same bytes later.
 */
export async function sendPersisted(ctx: CoreContext, rail: Rail, actor: Actor, persisted: SubmissionRow): Promise<'sent' | 'undelivered'> {
  invariant(
    persisted.state === 'signed' && persisted.signed_payload !== null,
    () => `send of ${persisted.state} submission ${persisted.id}`,
  )
  const outcome = await rail.broadcast(await railSubmissionOf(ctx, persisted))
  crashPoint('after-broadcast')
  if (outcome.kind === 'unreachable') return 'undelivered'
  await ctx.db.tx(async () => {
    const fresh = await getSubmission(ctx, persisted.id)
    if (fresh.state !== 'signed') return
    await moveSubmission(
      ctx,
      actor,
      fresh,
      'broadcast',
      {},
      outcome.kind === 'maybe-sent' ? { nodeSaid: outcome.message.slice(0, 200) } : {},
    )
    await movePayoutsOf(ctx, persisted.id, 'broadcast')
  })
  ctx.events.emit('payouts.changed', { batchIds: [persisted.batch_id] })
  return 'sent'
}

export function notConfigured(sub: { rail: string; network: string }): CsError {
  return new CsError(
    'RAIL_NOT_CONFIGURED',
    `Countersign has no connection for ${networkName(sub.rail, sub.network)} — ask an admin to set this network up for payouts, then execute again.`,
    { cliHint: 'countersign settings rails set rails.json --as ADMIN (see countersign settings rails show)' },
  )
}

/** "250 payouts, 12,400.00 USDC": what the person is about to approve on the device, exactly. */
export async function describeChunk(ctx: CoreContext, submissionId: string): Promise<string> {
  const payouts = await payoutsOfSubmission(ctx, submissionId)
  const totals = new Map<string, bigint>()
  for (const p of payouts) totals.set(p.asset_id, (totals.get(p.asset_id) ?? 0n) + parseMinor(p.amount))
  const parts: string[] = []
  for (const [assetId, minor] of totals) {
    const asset = await ctx.db.first(ctx.db.k.selectFrom('assets').select(['code', 'scale']).where('id', '=', assetId))
    parts.push(asset ? `${formatAmountGrouped(minor, asset.scale)} ${asset.code}` : `${minor} ${assetId}`)
  }
  return `${payouts.length.toLocaleString('en-US')} ${payouts.length === 1 ? 'payout' : 'payouts'}, ${parts.join(' + ')}`
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}
