/**
 * Expire pending holds whose time has run out: their pending amounts are released and they end
 * as 'expired'. Run by the poller; postHold and voidHold also expire a hold they find past its
 * time (and then refuse with HOLD_EXPIRED).
 */
import { appendAudit } from '../audit/appendAudit'
import { openRowSeals } from '../audit/rowSeals'
import { SYSTEM_ACTOR, type Actor, type CoreContext } from '../context'
import { formatAmount, parseMinor } from '../../../shared/money'
import { resolveHold, type HoldRowWithScale } from './holdRows'
import { LedgerBook } from './ledgerBook'

/** Holds one sweep expires at most; the next sweep takes the rest (keeps the transaction short). */
export const EXPIRE_HOLDS_PER_SWEEP_MAX = 1_000

/** Ids of the holds expired now, oldest expiry first. */
export async function expireHolds(ctx: CoreContext): Promise<string[]> {
  const out = await ctx.db.tx(async () => {
    const nowIso = ctx.clock.now().toISOString()
    const rows = await ctx.db.all(
      ctx.db.k
        .selectFrom('holds as h')
        .innerJoin('assets as s', 's.id', 'h.asset_id')
        .selectAll('h')
        .select(['s.scale', 's.code as asset_code'])
        .where('h.state', '=', 'pending')
        .where('h.expires_at', 'is not', null)
        .where('h.expires_at', '<=', nowIso)
        .orderBy('h.expires_at')
        .orderBy('h.id')
        .limit(EXPIRE_HOLDS_PER_SWEEP_MAX),
    )
    if (rows.length === 0) return { ids: [], touched: [] }
    const book = new LedgerBook(ctx)
    for (const row of rows) await expireHoldInTx(ctx, book, row, nowIso, { trigger: 'sweep', by: SYSTEM_ACTOR })
    return { ids: rows.map((r) => r.id), touched: await book.flush(nowIso) }
  })
  if (out.ids.length > 0) ctx.events.emit('ledger.changed', { accountIds: out.touched })
  return out.ids
}

/** In the caller's transaction and book: expire one pending hold and audit it as the system's act. */
export async function expireHoldInTx(
  ctx: CoreContext,
  book: LedgerBook,
  row: HoldRowWithScale,
  nowIso: string,
  cause: { trigger: 'sweep' | 'post' | 'void'; by: Actor },
): Promise<HoldRowWithScale> {
  const seals = await openRowSeals(ctx)
  const expired = await resolveHold(ctx, book, row, 'expired', 0n, nowIso, seals)
  await appendAudit(ctx, {
    actor: SYSTEM_ACTOR,
    action: 'ledger.holds.expire',
    subject: `hold:${row.id}`,
    change: {
      released: formatAmount(parseMinor(row.amount), row.scale),
      assetId: row.asset_id,
      expiresAt: row.expires_at,
      trigger: cause.trigger,
      triggeredBy: cause.by,
    },
    seals,
  })
  return expired
}
