/**
 * Void a pending hold: release its whole pending amount, post nothing. A hold past its expiry is
 * expired instead (committed) and the call fails with HOLD_EXPIRED, so the record says how it
 * really ended.
 */
import type { Hold } from '../../../shared/ledgerApi'
import { formatAmount, parseMinor } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import type { Actor, CoreContext } from '../context'
import { expireHoldInTx } from './expireHolds'
import { holdExpiredError, isPastExpiry, requireHoldRow, requirePending, resolveHold, toHold } from './holdRows'
import { LedgerBook } from './ledgerBook'

export interface VoidHoldParameters {
  holdId: string
}
export type VoidHoldReturnType = Hold

export function voidHold(ctx: CoreContext, actorId: Actor, input: VoidHoldParameters): Hold {
  const out = ctx.db.tx(() => {
    const nowIso = ctx.clock.now().toISOString()
    const row = requireHoldRow(ctx, input.holdId)
    requirePending(row, 'void')
    const book = new LedgerBook(ctx)
    if (isPastExpiry(row, nowIso)) {
      const expired = expireHoldInTx(ctx, book, row, nowIso, { trigger: 'void', by: actorId })
      return { hold: expired, expired: true, touched: book.flush(nowIso) }
    }
    const voided = resolveHold(ctx, book, row, 'voided', 0n, nowIso)
    const touched = book.flush(nowIso)
    appendAudit(ctx, {
      actor: actorId,
      action: 'ledger.holds.void',
      subject: `hold:${row.id}`,
      change: { released: formatAmount(parseMinor(row.amount), row.scale), assetId: row.asset_id },
    })
    return { hold: voided, expired: false, touched }
  })
  ctx.events.emit('ledger.changed', { accountIds: out.touched })
  if (out.expired) throw holdExpiredError(out.hold.id, out.hold.expires_at, 'voided')
  return toHold(out.hold)
}
