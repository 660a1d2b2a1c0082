/**
 * Booking of an executed submission, always inside the transaction that changes its state, so a
 * submission is confirmed-and-booked or neither (a crash between the two cannot exist).
 *
 * Entry ids are the idempotency keys of the ledger (a replay writes nothing):
 *   payout:<payoutId>            treasury -> payee, first confirmation
 *   payout:<payoutId>:reorg:<g>  reversal of booking g-1 when its block was reorged out (g = 1, 2, …)
 *   payout:<payoutId>:<g>        booking after the g-th reorg, on re-confirmation
 *   fee:<submissionId>[…]        the network fee, treasury (native asset) -> fees, same scheme
 * The current booking of a payout is payouts.entry_id; the generation g is read from it (the
 * payout id is known exactly, so parsing the suffix is unambiguous even for ids with ':').
 * Net effect: a payout reorged out and confirmed again is booked once.
 *
 * Accounts (ledger/payeeAccounts.ts): the payee's one account for the asset, found by its address
 * (the address book first); the workspace's fees account for the fee asset. A booking whose id
 * is already in the journal is never resolved again, and a reversal swaps the postings of the
 * booking it reverses, so a change in resolution between runs can neither post twice nor
 * reverse into an account the money never went to.
 */
import type { EntryInput } from '../../../../shared/ledgerApi'
import { formatAmount, parseMinor } from '../../../../shared/money'
import type { CoreContext } from '../../context'
import { SYSTEM_ACTOR } from '../../context'
import type { PayoutRow, SubmissionRow } from '../../db/schema'
import { postEntries } from '../../ledger'
import { ensurePayeeAccount, entryExists, feesAccountFor, reversedPostings } from '../../ledger/payeeAccounts'
import type { ConfirmedPayout } from '../../rails/Rail'
import { invariant, unreachable } from '../../util/invariant'
import { setPayoutEntry } from './executionStore'
import { requireTreasuryAccount } from './treasuryAccount'

/** The Stripe bookings and handlers find the treasury here too; it lives in its own file. */
export { requireTreasuryAccount, treasuryAccount } from './treasuryAccount'

export const PAYOUT_ENTRY_KIND = 'payout'
export const PAYOUT_FEE_ENTRY_KIND = 'payout.fee'
export const PAYOUT_REORG_ENTRY_KIND = 'payout.reorg'

/** Generation of a payout's booking: 0 before any reorg, g after the g-th. Reversed: waiting for re-confirmation. */
function generationOf(baseId: string, entryId: string | null): { g: number; reversed: boolean; booked: boolean } {
  if (entryId === null) return { g: 0, reversed: false, booked: false }
  if (entryId === baseId) return { g: 0, reversed: false, booked: true }
  const rest = entryId.slice(baseId.length)
  invariant(entryId.startsWith(baseId) && rest.length > 0, () => `entry ${entryId} is not a booking of ${baseId}`)
  const reorg = /^:reorg:(\d+)$/.exec(rest)
  if (reorg) return { g: Number(reorg[1]), reversed: true, booked: false }
  const again = /^:(\d+)$/.exec(rest)
  if (again) return { g: Number(again[1]), reversed: false, booked: true }
  return unreachable(`entry ${entryId} is not a booking of ${baseId}`)
}

function bookingId(baseId: string, g: number): string {
  return g === 0 ? baseId : `${baseId}:${g}`
}

async function payeeAccountId(ctx: CoreContext, p: PayoutRow): Promise<string> {
  return await ensurePayeeAccount(ctx, { assetId: p.asset_id, address: p.recipient, name: p.name })
}

async function scaleOf(ctx: CoreContext, assetId: string): Promise<number> {
  const a = await ctx.db.first(ctx.db.k.selectFrom('assets').select('scale').where('id', '=', assetId))
  invariant(a, () => `asset ${assetId} vanished`)
  return a.scale
}

export interface BookConfirmedParameters {
  submission: SubmissionRow
  payouts: readonly PayoutRow[]
  confirmed: readonly ConfirmedPayout[]
  feePaid: bigint
  feeAssetId: string
  blockNumber: string
  blockHash: string
}

/** Books the payouts (per payout) and the fee of a confirmed submission. Inside the caller's tx. */
export async function bookConfirmed(ctx: CoreContext, p: BookConfirmedParameters): Promise<void> {
  const sub = p.submission
  const txHash = sub.tx_hash ?? ''
  const byId = new Map(p.payouts.map((x) => [x.id, x]))
  const entries: EntryInput[] = []
  for (const c of p.confirmed) {
    const payout = byId.get(c.payoutId)
    invariant(payout, () => `confirmed payout ${c.payoutId} is not in submission ${sub.id}`)
    const base = `payout:${payout.id}`
    const gen = generationOf(base, payout.entry_id)
    if (gen.booked) continue // already booked for this generation: never twice
    const id = bookingId(base, gen.g)
    // Written by an earlier run whose payout row did not follow (it always does, in the same tx;
    // this is the belt to those braces): never resolve the accounts again, never post twice.
    if (await entryExists(ctx, id)) {
      await setPayoutEntry(ctx, payout.id, id)
      continue
    }
    const treasury = await requireTreasuryAccount(ctx, payout.asset_id, sub.source)
    const amount = formatAmount(parseMinor(payout.amount), await scaleOf(ctx, payout.asset_id))
    entries.push({
      id,
      description: `Payout ${payout.id} to ${payout.recipient}`.slice(0, 500),
      postings: [
        { account: await payeeAccountId(ctx, payout), debit: amount },
        { account: treasury.id, credit: amount },
      ],
      metadata: {
        payoutId: payout.id,
        batchId: payout.batch_id,
        submissionId: sub.id,
        rail: sub.rail,
        network: sub.network,
        txHash,
        logIndex: String(c.logIndex),
        blockNumber: p.blockNumber,
        blockHash: p.blockHash,
      },
    })
    await setPayoutEntry(ctx, payout.id, id)
  }
  await postEntries(ctx, SYSTEM_ACTOR, entries, { kind: PAYOUT_ENTRY_KIND })
  const fee = await feeEntry(ctx, sub, p.feePaid, p.feeAssetId, p.blockNumber, p.blockHash)
  if (fee) await postEntries(ctx, SYSTEM_ACTOR, [fee], { kind: PAYOUT_FEE_ENTRY_KIND })
}

/** The fee of a submission that landed (confirmed or reverted); null when it is zero. */
async function feeEntry(
  ctx: CoreContext,
  sub: SubmissionRow,
  feePaid: bigint,
  feeAssetId: string,
  blockNumber: string,
  blockHash: string,
): Promise<EntryInput | null> {
  if (feePaid === 0n) return null
  const base = `fee:${sub.id}`
  const g = await feeGeneration(ctx, base)
  const id = bookingId(base, g)
  // Already booked (a replay): the accounts it used stand, even if the fees account changed since.
  if (await entryExists(ctx, id)) return null
  const amount = formatAmount(feePaid, await scaleOf(ctx, feeAssetId))
  const treasury = await requireTreasuryAccount(ctx, feeAssetId, sub.source)
  return {
    id,
    description: `Network fee of ${sub.rail} submission ${sub.id}`.slice(0, 500),
    postings: [
      { account: await feesAccountFor(ctx, feeAssetId), debit: amount },
      { account: treasury.id, credit: amount },
    ],
    metadata: { submissionId: sub.id, batchId: sub.batch_id, txHash: sub.tx_hash ?? '', blockNumber, blockHash },
  }
}

/**
 * Reorgs one submission may live through before we call it a bug: far beyond any real chain
 * (each one needs the same transaction re-mined after its block left the canonical chain).
 */
export const REORG_GENERATIONS_MAX = 1_000

/** Fee bookings follow the submission: g = number of reversals already written for it. */
async function feeGeneration(ctx: CoreContext, base: string): Promise<number> {
  for (let g = 0; g < REORG_GENERATIONS_MAX; g++) {
    const reversal = await ctx.db.first(
      ctx.db.k
        .selectFrom('entries')
        .select('id')
        .where('id', '=', `${base}:reorg:${g + 1}`),
    )
    if (!reversal) return g
  }
  return unreachable(`${base} was reversed more than ${REORG_GENERATIONS_MAX} times`)
}

/** Books only the fee of a submission that landed and reverted. */
export async function bookFailedFee(
  ctx: CoreContext,
  sub: SubmissionRow,
  feePaid: bigint,
  feeAssetId: string,
  blockNumber: string,
  blockHash: string,
): Promise<void> {
  const fee = await feeEntry(ctx, sub, feePaid, feeAssetId, blockNumber, blockHash)
  if (fee) await postEntries(ctx, SYSTEM_ACTOR, [fee], { kind: PAYOUT_FEE_ENTRY_KIND })
}

/**
 * A confirmed submission's block left the canonical chain: reverse its payouts' bookings and its
 * fee with reversal entries, and point each payout at its reversal (the next confirmation books
 * generation g). Inside the caller's tx.
 */
export async function reverseBookings(
  ctx: CoreContext,
  sub: SubmissionRow,
  payouts: readonly PayoutRow[],
  _feeAssetId: string,
): Promise<void> {
  const entries: EntryInput[] = []
  for (const payout of payouts) {
    const base = `payout:${payout.id}`
    const gen = generationOf(base, payout.entry_id)
    if (!gen.booked) continue
    const id = `${base}:reorg:${gen.g + 1}`
    const reverses = bookingId(base, gen.g)
    // The accounts of the booking itself: a payee or fees account resolved differently today
    // (an address-book entry added since) must not receive a reversal of money it never got.
    const postings = await reversedPostings(ctx, reverses)
    invariant(postings, () => `payout ${payout.id} points at booking ${reverses}, which is not in the journal`)
    entries.push({
      id,
      description: `Reorg: payout ${payout.id} left the chain with block ${sub.block_number}; reversed until it confirms again`.slice(
        0,
        500,
      ),
      postings,
      metadata: { payoutId: payout.id, reverses, txHash: sub.tx_hash ?? '', blockHash: sub.block_hash ?? '' },
    })
    await setPayoutEntry(ctx, payout.id, id)
  }
  const feePaid = sub.fee_paid === null ? 0n : parseMinor(sub.fee_paid)
  if (feePaid > 0n) {
    const base = `fee:${sub.id}`
    const g = await feeGeneration(ctx, base)
    const reverses = bookingId(base, g)
    const postings = await reversedPostings(ctx, reverses)
    // No fee booking to reverse (the fee was never booked for this generation): nothing to undo.
    if (postings) {
      entries.push({
        id: `${base}:reorg:${g + 1}`,
        description: `Reorg: fee of submission ${sub.id} reversed until it confirms again`,
        postings,
        metadata: { submissionId: sub.id, reverses, txHash: sub.tx_hash ?? '' },
      })
    }
  }
  await postEntries(ctx, SYSTEM_ACTOR, entries, { kind: PAYOUT_REORG_ENTRY_KIND })
}
