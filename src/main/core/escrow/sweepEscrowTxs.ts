/**
 * The poller's pass over escrow transactions: every signed / broadcast one is looked up on its
 * rail (one lookup per rail per sweep) and classified; a confirmed one is booked in the SAME
 * transaction that marks it confirmed (completeEscrowAction.ts), a failed or dead one fails its
 * action (which may then be executed again, a new attempt), a signed one the rail has not got is
 * sent again with its SAME bytes. Never signs anything.
 */
import type { CoreContext } from '../context'
import { SYSTEM_ACTOR } from '../context'
import type { EscrowTxRow } from '../db/schema'
import { log } from '../log'
import type { EscrowRail, EscrowRailRegistry, EscrowRailTx, EscrowVerdict } from '../rails/EscrowRail'
import { sweepFingerprint, type SweepGate } from '../payouts/execute/sweepGate'
import { crashPoint, testBreak } from '../util/crashPoint'
import { assertNever } from '../util/invariant'
import { bookEscrowFee, bookEscrowFeeChange } from './bookEscrowEffects'
import { completeEscrowAction, setMilestone } from './completeEscrowAction'
import { setActionState } from './decideEscrowAction'
import { getActionRow, getEscrowRow, milestonesOf } from './escrowRows'
import { getEscrowTx, moveEscrowTx, railRefsOf, railTxOf } from './escrowTxRows'
import { sendEscrowTx } from './executeEscrowAction'
import { rollUpEscrowState } from './rollUpEscrowState'

/** At most this many open escrow transactions are looked at per sweep. */
export const ESCROW_TXS_PER_SWEEP_MAX = 200

export interface SweepEscrowTxsReturnType {
  looked: number
  settled: number
}

/** TEST ONLY (testBreak): the first sweep of a process has declared the open transactions dead. */
let brokenOnce = false

/**
 * `gate`: the poller's (one per core), so the reorg watch looks the confirmed transactions up again
 * only at a new head, a change on our side, or after SWEEP_LOOKUP_AGE_MAX_MS_DEFAULT; the CLI's
 * one-off sweep passes none and always looks.
 */
export async function sweepEscrowTxs(ctx: CoreContext, rails: EscrowRailRegistry, gate?: SweepGate): Promise<SweepEscrowTxsReturnType> {
  if (!brokenOnce && testBreak('resign-instead-of-rebroadcast')) {
    brokenOnce = true
    await breakResignInsteadOfRebroadcast(ctx, rails)
  }
  const open = await ctx.db.all(
    ctx.db.k
      .selectFrom('escrow_txs')
      .selectAll()
      .where('state', 'in', ['signed', 'broadcast'])
      .orderBy('created_at')
      .limit(ESCROW_TXS_PER_SWEEP_MAX),
  )
  const byRail = new Map<string, { rail: EscrowRail; rows: EscrowTxRow[] }>()
  for (const row of open) {
    const rail = rails.get(row.rail, row.network)
    if (!rail) continue
    const key = `${row.rail}:${row.network}`
    const group = byRail.get(key) ?? { rail, rows: [] }
    group.rows.push(row)
    byRail.set(key, group)
  }
  // One rail that cannot be reached, or one transaction whose verdict cannot be worked out or
  // stored, must not hold back every other escrow's confirmation nor the re-send of lost bytes
  // (as in the payout sweep, sweepRail.ts): each rail and each verdict stands alone, and the first
  // failure is thrown at the end (the poller backs off and reports it; the next sweep tries again).
  const failures: unknown[] = []
  const alone = async (what: Record<string, unknown>, step: () => Promise<void>): Promise<void> => {
    try {
      await step()
    } catch (error) {
      log('error', 'an escrow sweep step failed; the sweep goes on with the others', { ...what, error })
      failures.push(error)
    }
  }
  let settled = 0
  for (const { rail, rows } of byRail.values()) {
    await alone({ rail: rail.rail, network: rail.network }, async () => {
      const observations = await rail.lookup(rows.map(railTxOf))
      for (const row of rows) {
        await alone({ txId: row.id }, async () => {
          const verdict = rail.classify(railTxOf(row), observations.get(row.id))
          if (await applyEscrowVerdict(ctx, rail, row, verdict)) settled++
        })
      }
    })
  }
  // Reorg watch: the rails with confirmed escrow transactions that a deep reorg could take away.
  const withConfirmed = await ctx.db.all(
    ctx.db.k.selectFrom('escrow_txs').select(['rail', 'network']).distinct().where('state', '=', 'confirmed'),
  )
  for (const pair of withConfirmed) {
    const rail = rails.get(pair.rail, pair.network)
    if (rail?.reorgWatch) await alone({ rail: rail.rail, network: rail.network, reorgWatch: true }, () => resendReorgedOut(ctx, rail, gate))
  }
  if (failures.length > 0) throw failures[0]
  return { looked: open.length, settled }
}

/**
 * Confirmed transactions still in the reorg window whose block left the chain (deeper than
 * confirmationsMin): their SAME bytes are sent again. The books already hold the operation and
 * stay as they are; the chain comes back to them, and the nonce leaves no gap behind.
 */
async function resendReorgedOut(ctx: CoreContext, rail: EscrowRail, gate: SweepGate | undefined): Promise<void> {
  const watch = rail.reorgWatch!
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('escrow_txs')
      .selectAll()
      .where('rail', '=', rail.rail)
      .where('network', '=', rail.network)
      .where('state', '=', 'confirmed')
      .where('signed_payload', 'is not', null)
      .orderBy('updated_at', 'desc')
      .limit(watch.txsMax),
  )
  const watched = rows.filter((r) => watch.isWatched(railTxOf(r))).sort((a, b) => Number(BigInt(a.nonce ?? '0') - BigInt(b.nonce ?? '0')))
  if (watched.length === 0) return
  const probe = gate ? { head: await watch.head(), fingerprint: sweepFingerprint(watched) } : null
  if (probe && !gate!.mustLookUp(watch, probe.head, probe.fingerprint)) return
  // Looked up as sent ones are (its receipt now, the pool, the source's nonce), not by its old block.
  const asSent = (row: EscrowTxRow): EscrowRailTx => ({ ...railTxOf(row), state: 'broadcast' })
  const observations = await rail.lookup(watched.map(asSent))
  for (const row of watched) {
    const seen = observations.get(row.id)
    // Landed again in another block (after a reorg): the same operation, maybe at another fee.
    const again = rail.classify(asSent(row), seen)
    if (again.kind === 'confirmed' && again.blockHash !== row.block_hash) await relanded(ctx, row, again)
    if (again.kind === 'failed' && again.blockHash !== row.block_hash)
      log('error', 'escrow transaction landed again after a reorg and the rail refused it this time', { txId: row.id, code: again.code })
    if (!watch.resend(asSent(row), seen)) continue
    log('warn', 'escrow transaction left the chain after it was confirmed (deep reorg): sending its same bytes again', {
      txId: row.id,
      nonce: row.nonce,
    })
    await rail
      .broadcast(railTxOf(row))
      .catch((error: unknown) => log('info', 'escrow re-send after a reorg failed', { error, txId: row.id }))
  }
  // Recorded only once every verdict is stored (a failed write looks again at the next tick).
  if (probe) gate!.lookedUp(watch, probe.head, probe.fingerprint)
}

/**
 * TEST ONLY, never reached unless COUNTERSIGN_TEST_BREAK names it: after a restart every sent
 * escrow transaction is declared dead unlooked-at, so executing its failed action again signs a
 * new one while the first may still land (the chaos campaign's oracle must catch it).
 */
async function breakResignInsteadOfRebroadcast(ctx: CoreContext, rails: EscrowRailRegistry): Promise<void> {
  const open = await ctx.db.all(ctx.db.k.selectFrom('escrow_txs').selectAll().where('state', 'in', ['signed', 'broadcast']))
  for (const row of open) {
    const rail = rails.get(row.rail, row.network)
    if (rail)
      await applyEscrowVerdict(ctx, rail, row, { kind: 'dead', reason: 'TEST BREAK: declared dead without a look-up', code: 'TEST_BREAK' })
  }
}

async function relanded(ctx: CoreContext, row: EscrowTxRow, v: Extract<EscrowVerdict, { kind: 'confirmed' }>): Promise<void> {
  await ctx.db.tx(async () => {
    const fresh = await getEscrowTx(ctx, row.id)
    if (fresh.state !== 'confirmed' || fresh.block_hash === v.blockHash) return
    const escrow = await getEscrowRow(ctx, fresh.escrow_id)
    await bookEscrowFeeChange(ctx, escrow, fresh.id, v.feeAssetId, v.feePaid - BigInt(fresh.fee_paid ?? '0'), v.blockHash)
    await moveEscrowTx(
      ctx,
      SYSTEM_ACTOR,
      fresh,
      'confirmed',
      { fee_paid: v.feePaid.toString(), block_number: v.blockNumber, block_hash: v.blockHash },
      { landedAgainAfterReorg: true, feeBefore: fresh.fee_paid, blockBefore: fresh.block_number },
    )
  })
}

/** One verdict; true when the transaction settled (confirmed, failed or dead). */
export async function applyEscrowVerdict(ctx: CoreContext, rail: EscrowRail, row: EscrowTxRow, verdict: EscrowVerdict): Promise<boolean> {
  switch (verdict.kind) {
    case 'pending':
      if (verdict.rebroadcast && row.state === 'signed') await sendEscrowTx(ctx, rail, SYSTEM_ACTOR, row)
      else if (verdict.rebroadcast)
        await rail.broadcast(railTxOf(row)).catch((error: unknown) => log('info', 'escrow rebroadcast failed', { error, txId: row.id }))
      return false
    case 'confirmed':
      await settle(ctx, row, async (fresh) => {
        await moveEscrowTx(ctx, SYSTEM_ACTOR, fresh, 'confirmed', {
          fee_paid: verdict.feePaid.toString(),
          block_number: verdict.blockNumber,
          block_hash: verdict.blockHash,
        })
        crashPoint('escrow-before-book')
        const escrow = await getEscrowRow(ctx, fresh.escrow_id)
        await bookEscrowFee(ctx, escrow, fresh.id, verdict.feeAssetId, verdict.feePaid)
        await completeEscrowAction(ctx, SYSTEM_ACTOR, await getActionRow(ctx, fresh.action_id), {
          txId: fresh.id,
          txHash: fresh.tx_hash,
          railRefs: railRefsOf(fresh),
        })
      })
      return true
    case 'failed':
      await settle(ctx, row, async (fresh) => {
        await moveEscrowTx(ctx, SYSTEM_ACTOR, fresh, 'failed', {
          fee_paid: verdict.feePaid.toString(),
          block_number: verdict.blockNumber,
          block_hash: verdict.blockHash,
          failure_code: verdict.code,
          failure_message: verdict.reason,
        })
        await bookEscrowFee(ctx, await getEscrowRow(ctx, fresh.escrow_id), fresh.id, verdict.feeAssetId, verdict.feePaid)
        await failAction(ctx, fresh, verdict.code, verdict.reason)
      })
      return true
    case 'dead':
      await settle(ctx, row, async (fresh) => {
        await moveEscrowTx(ctx, SYSTEM_ACTOR, fresh, 'dead', { failure_code: verdict.code, failure_message: verdict.reason })
        await failAction(ctx, fresh, verdict.code, verdict.reason)
      })
      return true
    default:
      return assertNever(verdict)
  }
}

async function settle(ctx: CoreContext, row: EscrowTxRow, apply: (fresh: EscrowTxRow) => Promise<void>): Promise<void> {
  await ctx.db.tx(async () => {
    const fresh = await getEscrowTx(ctx, row.id)
    if (fresh.state !== 'signed' && fresh.state !== 'broadcast') return
    await apply(fresh)
  })
  ctx.events.emit('escrow.changed', { escrowId: row.escrow_id })
}

/** The action failed on the rail: nothing moved (a fund's milestones go back to draft); it may be executed again. */
async function failAction(ctx: CoreContext, tx: EscrowTxRow, code: string, reason: string): Promise<void> {
  const action = await getActionRow(ctx, tx.action_id)
  await setActionState(ctx, SYSTEM_ACTOR, action, 'failed', { txId: tx.id }, { code, message: reason.slice(0, 500) })
  if (action.kind === 'fund') {
    const escrow = await getEscrowRow(ctx, tx.escrow_id)
    for (const m of await milestonesOf(ctx, escrow.id))
      if (m.state === 'funding') await setMilestone(ctx, SYSTEM_ACTOR, escrow, m, { state: 'draft' })
    await rollUpEscrowState(ctx, SYSTEM_ACTOR, escrow.id)
  }
}
