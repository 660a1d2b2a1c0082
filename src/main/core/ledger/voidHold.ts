/**
 * Void a pending hold: release its whole pending amount, post nothing. A hold past its expiry is
 * expired instead (committed) and the call fails with HOLD_EXPIRED, so the record says how it
 * really ended.
 */
import type { Hold } from '../../../shared/ledgerApi'
import { formatAmount, parseMinor } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import { openRowSeals } from '../audit/rowSeals'
import type { Actor, CoreContext } from '../context'
import { expireHoldInTx } from './expireHolds'
import { holdExpiredError, isPastExpiry, requireHoldRow, requirePending, resolveHold, toHold } from './holdRows'
import { LedgerBook } from './ledgerBook'

export interface VoidHoldParameters {
  holdId: string
}
export type VoidHoldReturnType = Hold

export async function voidHold(ctx: CoreContext, actorId: Actor, input: VoidHoldParameters): Promise<Hold> {
  const out = await ctx.db.tx(async () => {
    const nowIso = ctx.clock.now().toISOString()
    const row = await requireHoldRow(ctx, input.holdId)
    requirePending(row, 'void')
    const book = new LedgerBook(ctx)
    if (isPastExpiry(row, nowIso)) {
      const expired = await expireHoldInTx(ctx, book, row, nowIso, { trigger: 'void', by: actorId })
      return { hold: expired, expired: true, touched: await book.flush(nowIso) }
    }
    const seals = await openRowSeals(ctx)
    const voided = await resolveHold(ctx, book, row, 'voided', 0n, nowIso, seals)
    const touched = await book.flush(nowIso)
    await appendAudit(ctx, {
      actor: actorId,
      action: 'ledger.holds.void',
      subject: `hold:${row.id}`,
      change: { released: formatAmount(parseMinor(row.amount), row.scale), assetId: row.asset_id },
      seals,
    })
    return { hold: voided, expired: false, touched }
  })
  ctx.events.emit('ledger.changed', { accountIds: out.touched })
  if (out.expired) throw holdExpiredError(out.hold.id, out.hold.expires_at, 'voided')
  return toHold(out.hold)
}
