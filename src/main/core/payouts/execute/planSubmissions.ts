/**
 * Records planned chunks as submissions, INSIDE the caller's db.tx: the rail reserves each nonce
 * (nonces table) and builds the unsigned payload, the submission row and its payout links are
 * inserted, and the payouts move pending -> planned, all in the one transaction. A crash before
 * commit leaves nothing; after it, resumeOpen signs what was planned.
 */
import { CsError } from '../../../../shared/errors'
import { availableOnNormalSide } from '../../ledger'
import { parseMinor } from '../../../../shared/money'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import type { PayoutRow } from '../../db/schema'
import type { PlannedChunk, Rail } from '../../rails/Rail'
import { requireTreasuryAccount } from './bookSubmission'

export function submissionIdFor(batchId: string, chunkIndex: number, attempt: number): string {
  return `${batchId}:c${chunkIndex}:a${attempt}`
}

export function planSubmissions(
  ctx: CoreContext,
  actor: Actor,
  rail: Rail,
  batchId: string,
  chunks: readonly PlannedChunk[],
  payouts: ReadonlyMap<string, PayoutRow>,
  attemptOf: (chunkIndex: number) => number,
): string[] {
  if (!ctx.db.sqlite.inTransaction) throw new Error('invariant: planSubmissions runs inside the caller transaction')
  const now = ctx.clock.now().toISOString()
  const ids: string[] = []
  const needed = new Map<string, bigint>()
  // Taken before this call plans anything, so its own payouts are not counted twice.
  const inFlight = new Map<string, bigint>()
  for (const assetId of new Set([...chunks.map((c) => c.assetId), rail.feeAssetId])) inFlight.set(assetId, inFlightFor(ctx, assetId, rail))
  for (const chunk of chunks) {
    const rows = chunk.payoutIds.map((id) => {
      const p = payouts.get(id)
      if (!p) throw new Error(`invariant: planned payout ${id} was not loaded`)
      const fresh = ctx.db.first(ctx.db.k.selectFrom('payouts').select('state').where('id', '=', id))
      if (fresh?.state !== 'pending') {
        throw new CsError(
          'EXECUTION_STATE',
          `Payout ${id} is ${fresh?.state ?? 'gone'}, not pending — someone else is executing this batch; reload it.`,
        )
      }
      return p
    })
    const attempt = attemptOf(chunk.chunkIndex)
    const built = rail.build(ctx, batchId, chunk, attempt, rows)
    const id = submissionIdFor(batchId, chunk.chunkIndex, attempt)
    ctx.db.run(
      ctx.db.k.insertInto('submissions').values({
        id,
        batch_id: batchId,
        rail: rail.rail,
        network: rail.network,
        chunk_index: chunk.chunkIndex,
        attempt,
        state: 'planned',
        source: built.source,
        nonce: built.nonce,
        idempotency_key: built.idempotencyKey,
        unsigned_payload: built.unsignedPayload,
        signed_payload: null,
        tx_hash: null,
        fee_cap: built.feeCap,
        fee_paid: null,
        block_number: null,
        block_hash: null,
        failure_code: null,
        failure_message: null,
        created_at: now,
        updated_at: now,
      }),
    )
    ctx.db.run(ctx.db.k.insertInto('submission_payouts').values(rows.map((p, idx) => ({ submission_id: id, payout_id: p.id, idx }))))
    for (const p of rows) {
      ctx.db.run(
        ctx.db.k
          .updateTable('payouts')
          .set({ state: 'planned', attempt, submission_id: id, failure_code: null, failure_message: null, updated_at: now })
          .where('id', '=', p.id)
          .where('state', '=', 'pending'),
      )
      needed.set(p.asset_id, (needed.get(p.asset_id) ?? 0n) + parseMinor(p.amount))
    }
    if (built.feeCap !== null) needed.set(rail.feeAssetId, (needed.get(rail.feeAssetId) ?? 0n) + parseMinor(built.feeCap))
    appendAudit(ctx, {
      actor,
      action: 'payouts.submission.planned',
      subject: `submission:${id}`,
      change: {
        batchId,
        rail: rail.rail,
        network: rail.network,
        chunk: chunk.chunkIndex,
        attempt,
        nonce: built.nonce,
        payouts: rows.length,
        feeCap: built.feeCap,
      },
    })
    ids.push(id)
  }
  // The ledger must be able to book what the chain will do: refuse now rather than confirm a
  // payment the books cannot hold (booking runs in the confirm transaction and must not fail).
  for (const [assetId, amount] of needed) {
    const treasury = requireTreasuryAccount(ctx, assetId, rail.source.address)
    const b = ctx.db.first(ctx.db.k.selectFrom('balances').selectAll().where('account_id', '=', treasury.id))
    if (!b) throw new Error(`invariant: account ${treasury.id} has no balances row`)
    const available = availableOnNormalSide('debit', {
      debitsPosted: parseMinor(b.debits_posted),
      creditsPosted: parseMinor(b.credits_posted),
      debitsPending: parseMinor(b.debits_pending),
      creditsPending: parseMinor(b.credits_pending),
    })
    const taken = inFlight.get(assetId) ?? 0n
    if (available - taken < amount) {
      throw new CsError(
        'INSUFFICIENT_FUNDS',
        `The treasury account ${treasury.id} has ${available - taken} minor units of ${assetId} free in the ledger, but this batch needs up to ${amount} (payouts and fee cap) — fund it first; nothing was signed.`,
      )
    }
  }
  return ids
}

/** What earlier, still unbooked submissions of this source will take from the treasury account. */
function inFlightFor(ctx: CoreContext, assetId: string, rail: Rail): bigint {
  let sum = 0n
  const rows = ctx.db.sqlite
    .prepare(
      `SELECT p.amount AS amount FROM payouts p JOIN submissions s ON s.id = p.submission_id
       WHERE s.rail = ? AND s.network = ? AND s.source = ? AND p.asset_id = ? AND p.state IN ('planned', 'signed', 'broadcast')
       AND s.state IN ('planned', 'signed', 'broadcast')`,
    )
    .all(rail.rail, rail.network, rail.source.address, assetId) as { amount: string }[]
  for (const r of rows) sum += parseMinor(r.amount)
  return sum
}
