/**
 * Records planned chunks as submissions, INSIDE the caller's db.tx: the engine reserves the
 * chunks' nonces (reserveNonce.ts), the rail builds each unsigned payload at its nonce (pure),
 * the submission row and its payout links are inserted, and the payouts move pending -> planned,
 * all in the one transaction. A crash before commit leaves nothing; after it, resumeOpen signs
 * what was planned.
 */
import { CsError } from '../../../../shared/errors'
import { parseMinor } from '../../../../shared/money'
import { appendAudit } from '../../audit/appendAudit'
import type { Actor, CoreContext } from '../../context'
import type { AssetRow, PayoutRow } from '../../db/schema'
import { availableOnNormalSide } from '../../ledger'
import type { BuiltSubmission, PlannedChunk, Rail } from '../../rails/Rail'
import { invariant } from '../../util/invariant'
import { inChunks } from '../inChunks'
import { reserveNonces } from './reserveNonce'
import { requireTreasuryAccount } from './treasuryAccount'

export function submissionIdFor(batchId: string, chunkIndex: number, attempt: number): string {
  return `${batchId}:c${chunkIndex}:a${attempt}`
}

export interface PlanSubmissionsInput {
  rail: Rail
  batchId: string
  chunks: readonly PlannedChunk[]
  payouts: ReadonlyMap<string, PayoutRow>
  assets: ReadonlyMap<string, AssetRow>
  /** rail.nonceFloor(source), read from the network before the transaction. */
  nonceFloor: bigint | null
  attemptOf: (chunkIndex: number) => number
}

export async function planSubmissions(ctx: CoreContext, actor: Actor, input: PlanSubmissionsInput): Promise<string[]> {
  invariant(ctx.db.inTransaction(), 'planSubmissions runs inside the caller transaction')
  const { rail, batchId } = input
  const now = ctx.clock.now()
  const needed = new Map<string, bigint>()
  // Taken before this call plans anything, so its own payouts are not counted twice.
  const inFlight = new Map<string, bigint>()
  for (const assetId of new Set([...input.chunks.map((c) => c.assetId), rail.feeAssetId]))
    inFlight.set(assetId, await inFlightFor(ctx, assetId, rail))
  invariant(
    (input.nonceFloor === null) === (rail.capabilities.nonceName === null),
    () => `rail ${rail.rail}:${rail.network} gave a nonce floor that does not match whether it has nonces`,
  )
  const nonces = await reserveNonces(
    ctx,
    { rail: rail.rail, network: rail.network, source: rail.source.address },
    input.nonceFloor,
    Math.max(1, input.chunks.length),
  )
  const ids: string[] = []
  for (const [i, chunk] of input.chunks.entries()) {
    const rows = await pendingPayoutsOf(ctx, chunk, input.payouts)
    const attempt = input.attemptOf(chunk.chunkIndex)
    const nonce = nonces === null ? null : nonces[i]!
    const built = rail.build({ batchId, chunk, attempt, payouts: rows, assets: input.assets, nonce, now })
    invariant(
      built.source === rail.source.address,
      () => `rail ${rail.rail}:${rail.network} built a submission from ${built.source}, not its source`,
    )
    const id = submissionIdFor(batchId, chunk.chunkIndex, attempt)
    await insertPlanned(ctx, { id, rail, batchId, chunk, attempt, nonce, built, rows, now: now.toISOString() })
    for (const p of rows) needed.set(p.asset_id, (needed.get(p.asset_id) ?? 0n) + parseMinor(p.amount))
    if (built.feeCap !== null) needed.set(rail.feeAssetId, (needed.get(rail.feeAssetId) ?? 0n) + parseMinor(built.feeCap))
    await appendAudit(ctx, {
      actor,
      action: 'payouts.submission.planned',
      subject: `submission:${id}`,
      change: {
        batchId,
        rail: rail.rail,
        network: rail.network,
        chunk: chunk.chunkIndex,
        attempt,
        nonce: nonce === null ? null : nonce.toString(),
        payouts: rows.length,
        feeCap: built.feeCap,
      },
    })
    ids.push(id)
  }
  await assertLedgerCovers(ctx, rail, needed, inFlight)
  return ids
}

/** The chunk's payouts in its order, each still pending (else someone else is executing the batch). */
async function pendingPayoutsOf(ctx: CoreContext, chunk: PlannedChunk, payouts: ReadonlyMap<string, PayoutRow>): Promise<PayoutRow[]> {
  const fresh = new Map<string, string>()
  for (const ids of inChunks(chunk.payoutIds)) {
    for (const r of await ctx.db.all(ctx.db.k.selectFrom('payouts').select(['id', 'state']).where('id', 'in', ids)))
      fresh.set(r.id, r.state)
  }
  return chunk.payoutIds.map((id) => {
    const p = payouts.get(id)
    invariant(p, () => `planned payout ${id} was not loaded`)
    const state = fresh.get(id)
    if (state !== 'pending') {
      throw new CsError(
        'EXECUTION_STATE',
        `Payout ${id} is ${state ?? 'gone'}, not pending — someone else is executing this batch; reload it.`,
      )
    }
    return p
  })
}

interface PlannedRow {
  id: string
  rail: Rail
  batchId: string
  chunk: PlannedChunk
  attempt: number
  nonce: bigint | null
  built: BuiltSubmission
  rows: readonly PayoutRow[]
  now: string
}

async function insertPlanned(ctx: CoreContext, r: PlannedRow): Promise<void> {
  await ctx.db.run(
    ctx.db.k.insertInto('submissions').values({
      id: r.id,
      batch_id: r.batchId,
      rail: r.rail.rail,
      network: r.rail.network,
      chunk_index: r.chunk.chunkIndex,
      attempt: r.attempt,
      state: 'planned',
      source: r.built.source,
      nonce: r.nonce === null ? null : r.nonce.toString(),
      idempotency_key: r.built.idempotencyKey,
      unsigned_payload: r.built.unsignedPayload,
      signed_payload: null,
      tx_hash: null,
      fee_cap: r.built.feeCap,
      fee_paid: null,
      block_number: null,
      block_hash: null,
      failure_code: null,
      failure_message: null,
      created_at: r.now,
      updated_at: r.now,
    }),
  )
  await ctx.db.insertRows(
    'submission_payouts',
    ['submission_id', 'payout_id', 'idx'],
    r.rows.map((p, idx) => [r.id, p.id, idx]),
  )
  for (const ids of inChunks(r.rows.map((p) => p.id))) {
    await ctx.db.run(
      ctx.db.k
        .updateTable('payouts')
        .set({ state: 'planned', attempt: r.attempt, submission_id: r.id, failure_code: null, failure_message: null, updated_at: r.now })
        .where('id', 'in', ids)
        .where('state', '=', 'pending'),
    )
  }
}

/**
 * The ledger must be able to book what the network will do: refuse now rather than confirm a
 * payment the books cannot hold (booking runs in the confirm transaction and must not fail).
 */
async function assertLedgerCovers(
  ctx: CoreContext,
  rail: Rail,
  needed: ReadonlyMap<string, bigint>,
  inFlight: ReadonlyMap<string, bigint>,
): Promise<void> {
  for (const [assetId, amount] of needed) {
    const treasury = await requireTreasuryAccount(ctx, assetId, rail.source.address)
    const b = await ctx.db.first(ctx.db.k.selectFrom('balances').selectAll().where('account_id', '=', treasury.id))
    invariant(b, () => `account ${treasury.id} has no balances row`)
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
}

/** What earlier, still unbooked submissions of this source will take from the treasury account. */
async function inFlightFor(ctx: CoreContext, assetId: string, rail: Rail): Promise<bigint> {
  let sum = 0n
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('payouts as p')
      .innerJoin('submissions as s', 's.id', 'p.submission_id')
      .select('p.amount as amount')
      .where('s.rail', '=', rail.rail)
      .where('s.network', '=', rail.network)
      .where('s.source', '=', rail.source.address)
      .where('p.asset_id', '=', assetId)
      .where('p.state', 'in', ['planned', 'signed', 'broadcast'])
      .where('s.state', 'in', ['planned', 'signed', 'broadcast']),
  )
  for (const r of rows) sum += parseMinor(r.amount)
  return sum
}
