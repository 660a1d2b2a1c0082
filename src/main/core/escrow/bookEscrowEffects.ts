/**
 * What a carried-out escrow action does to the books, inside the transaction that records it
 * (a confirmed rail transaction, an action that needs none, or a milestone the payee took on the
 * rail without us). Each booking has a fixed entry / hold id, and the milestone's state is checked
 * first, so nothing is ever booked twice.
 *
 *   fund      entry  escrow  ← treasury (or the customer, charge-funded)   total
 *             holds  payee   ← escrow, pending, one per milestone           milestone
 *   release   post the milestone's hold in full (payee ← escrow)
 *   resolve   post the hold for the payee's part; entry treasury ← escrow for the payer's part
 *   refund    void the hold; entry treasury ← escrow
 *   fee       entry  fees    ← treasury (fee asset), when the rail charged one
 *
 * "In escrow" is the escrow accounts' balance, which equals the sum of the open escrow holds.
 */
import { formatAmount, parseMinor } from '../../../shared/money'
import type { CoreContext } from '../context'
import { SYSTEM_ACTOR } from '../context'
import type { EscrowActionRow, EscrowMilestoneRow, EscrowRow } from '../db/schema'
import { createHold, postEntries, postHold } from '../ledger'
import { ensureAccount } from '../ledger/ensureAccount'
import { ensurePayeeAccount, entryExists, feesAccountFor } from '../ledger/payeeAccounts'
import { voidHold } from '../ledger/voidHold'
import { requireTreasuryAccount } from '../payouts/execute/treasuryAccount'
import { unreachable } from '../util/invariant'
import { assetOf } from './escrowRows'

export const ESCROW_ENTRY_KIND = 'escrow'

export async function escrowAccountId(ctx: CoreContext, assetId: string): Promise<string> {
  return await ensureAccount(ctx, { id: `escrow:${assetId}`, kind: 'escrow', assetId: assetId, name: `Escrow (${assetId})`.slice(0, 120) })
}

/** The same payee account payouts book to (ledger/payeeAccounts.ts): one per address and asset. */
async function payeeAccountId(ctx: CoreContext, escrow: EscrowRow): Promise<string> {
  return await ensurePayeeAccount(ctx, { assetId: escrow.asset_id, address: escrow.payee, name: escrow.payee_name })
}

/** Where money comes from and goes back to: the treasury, or the customer whose charge funded it. */
async function payerAccountId(ctx: CoreContext, escrow: EscrowRow): Promise<string> {
  if (escrow.funding === 'charge')
    return await ensureAccount(ctx, {
      id: `customer:${escrow.asset_id}`,
      kind: 'external',
      assetId: escrow.asset_id,
      name: `Customers paying into escrow (${escrow.asset_id})`.slice(0, 120),
    })
  return (await requireTreasuryAccount(ctx, escrow.asset_id, escrow.payer)).id
}

export function milestoneHoldId(escrow: EscrowRow, index: number): string {
  return `escrow:${escrow.id}:m${index}`
}

export async function bookFunding(
  ctx: CoreContext,
  actor: string,
  escrow: EscrowRow,
  milestones: readonly EscrowMilestoneRow[],
  meta: Record<string, string>,
) {
  const asset = await assetOf(ctx, escrow.asset_id)
  const escrowAccount = await escrowAccountId(ctx, escrow.asset_id)
  const total = formatAmount(parseMinor(escrow.total), asset.scale)
  await postEntries(
    ctx,
    actor,
    [
      {
        id: `escrow:${escrow.id}:fund`,
        description: `Escrow "${escrow.name}" funded`.slice(0, 500),
        postings: [
          { account: escrowAccount, debit: total },
          { account: await payerAccountId(ctx, escrow), credit: total },
        ],
        metadata: { escrowId: escrow.id, ...meta },
      },
    ],
    { kind: ESCROW_ENTRY_KIND },
  )
  const payee = await payeeAccountId(ctx, escrow)
  for (const m of milestones) {
    await createHold(ctx, actor, {
      id: milestoneHoldId(escrow, m.idx),
      debitAccountId: payee,
      creditAccountId: escrowAccount,
      amount: formatAmount(parseMinor(m.amount), asset.scale),
      description: `Escrow "${escrow.name}" milestone ${m.idx}: ${m.title}`.slice(0, 500),
    })
  }
}

/** Release, resolve or refund of one milestone: its hold posted (payee's part) and the rest back to the payer. */
export async function bookMilestoneOutcome(
  ctx: CoreContext,
  actor: string,
  escrow: EscrowRow,
  m: EscrowMilestoneRow,
  toPayee: bigint,
  toPayer: bigint,
  meta: Record<string, string>,
): Promise<void> {
  if (toPayee + toPayer !== parseMinor(m.amount))
    unreachable(`escrow ${escrow.id} milestone ${m.idx}: ${toPayee} + ${toPayer} is not ${m.amount}`)
  const asset = await assetOf(ctx, escrow.asset_id)
  const holdId = m.hold_id ?? milestoneHoldId(escrow, m.idx)
  if (toPayee > 0n) await postHold(ctx, actor, { holdId, amount: formatAmount(toPayee, asset.scale) })
  else await voidHold(ctx, actor, { holdId })
  if (toPayer === 0n) return
  const amount = formatAmount(toPayer, asset.scale)
  await postEntries(
    ctx,
    actor,
    [
      {
        id: `escrow:${escrow.id}:m${m.idx}:to-payer`,
        description: `Escrow "${escrow.name}" milestone ${m.idx} back to the payer`.slice(0, 500),
        postings: [
          { account: await payerAccountId(ctx, escrow), debit: amount },
          { account: await escrowAccountId(ctx, escrow.asset_id), credit: amount },
        ],
        metadata: { escrowId: escrow.id, milestone: String(m.idx), ...meta },
      },
    ],
    { kind: ESCROW_ENTRY_KIND },
  )
}

export async function bookEscrowFee(ctx: CoreContext, escrow: EscrowRow, txId: string, feeAssetId: string, fee: bigint): Promise<void> {
  if (fee === 0n) return
  const asset = await assetOf(ctx, feeAssetId)
  const amount = formatAmount(fee, asset.scale)
  const id = `escrow:${escrow.id}:tx:${txId}:fee`
  // Booked already (a replay): keep the accounts it used, even if the fees account changed since.
  if (await entryExists(ctx, id)) return
  const fees = await feesAccountFor(ctx, feeAssetId)
  await postEntries(
    ctx,
    SYSTEM_ACTOR,
    [
      {
        id,
        description: `Network fee of escrow "${escrow.name}" transaction ${txId}`.slice(0, 500),
        postings: [
          { account: fees, debit: amount },
          { account: (await requireTreasuryAccount(ctx, feeAssetId, escrow.payer)).id, credit: amount },
        ],
        metadata: { escrowId: escrow.id, txId },
      },
    ],
    { kind: ESCROW_ENTRY_KIND },
  )
}

/**
 * A confirmed transaction that a deep reorg took away landed again in another block, at another
 * fee: the difference is booked (fees ← treasury, or back), once per block it landed in.
 */
export async function bookEscrowFeeChange(
  ctx: CoreContext,
  escrow: EscrowRow,
  txId: string,
  feeAssetId: string,
  delta: bigint,
  blockHash: string,
): Promise<void> {
  const id = `escrow:${escrow.id}:tx:${txId}:fee:${blockHash}`
  if (delta === 0n || (await entryExists(ctx, id))) return
  const asset = await assetOf(ctx, feeAssetId)
  const amount = formatAmount(delta < 0n ? -delta : delta, asset.scale)
  const fees = await feesAccountFor(ctx, feeAssetId)
  const treasury = (await requireTreasuryAccount(ctx, feeAssetId, escrow.payer)).id
  await postEntries(
    ctx,
    SYSTEM_ACTOR,
    [
      {
        id,
        description: `Network fee of escrow "${escrow.name}" transaction ${txId} after it landed again in block ${blockHash}`.slice(0, 500),
        postings:
          delta > 0n
            ? [
                { account: fees, debit: amount },
                { account: treasury, credit: amount },
              ]
            : [
                { account: treasury, debit: amount },
                { account: fees, credit: amount },
              ],
        metadata: { escrowId: escrow.id, txId, blockHash },
      },
    ],
    { kind: ESCROW_ENTRY_KIND },
  )
}

/** The parts of a milestone an action sends to the payee and the payer. */
export function partsOf(action: EscrowActionRow, m: EscrowMilestoneRow): { toPayee: bigint; toPayer: bigint } {
  const amount = parseMinor(m.amount)
  switch (action.kind) {
    case 'release':
      return { toPayee: amount, toPayer: 0n }
    case 'refund':
      return { toPayee: 0n, toPayer: amount }
    case 'resolve':
      return { toPayee: parseMinor(action.to_payee ?? '0'), toPayer: parseMinor(action.to_payer ?? '0') }
    default:
      return unreachable(`escrow action ${action.id} of kind ${action.kind} moves no milestone money`)
  }
}
