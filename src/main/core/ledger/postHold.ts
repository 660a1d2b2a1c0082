/**
 * Post a pending hold, in full or in part: its whole pending amount is released and the posted
 * part becomes the journal entry "hold:<id>:post" (kind 'hold') debiting the debit account and
 * crediting the credit account. A partial post ends the hold as 'partially_posted'; the rest is
 * released, not kept pending (TigerBeetle semantics: a pending transfer resolves once).
 * A hold past its expiry is expired now (committed) and the call fails with HOLD_EXPIRED.
 */
import type { Hold } from '../../../shared/ledgerApi'
import { CsError } from '../../../shared/errors'
import { formatAmount, parseMinor } from '../../../shared/money'
import { appendAudit } from '../audit/appendAudit'
import { openRowSeals } from '../audit/rowSeals'
import type { Actor, CoreContext } from '../context'
import { unreachable } from '../util/invariant'
import { parseHoldAmount } from './createHold'
import { expireHoldInTx } from './expireHolds'
import { holdExpiredError, isPastExpiry, requireHoldRow, requirePending, resolveHold, toHold } from './holdRows'
import { HOLD_ENTRY_KIND, holdPostEntryId, todayUtc } from './ids'
import { LedgerBook } from './ledgerBook'
import { writeEntries } from './writeEntries'

export interface PostHoldParameters {
  holdId: string
  /** Decimal string; omit to post the full held amount. */
  amount?: string | undefined
}
export type PostHoldReturnType = Hold

export async function postHold(ctx: CoreContext, actorId: Actor, input: PostHoldParameters): Promise<Hold> {
  const out = await ctx.db.tx(async () => {
    const nowIso = ctx.clock.now().toISOString()
    const row = await requireHoldRow(ctx, input.holdId)
    requirePending(row, 'post')
    const book = new LedgerBook(ctx)
    if (isPastExpiry(row, nowIso)) {
      const expired = await expireHoldInTx(ctx, book, row, nowIso, { trigger: 'post', by: actorId })
      return { hold: expired, expired: true, touched: await book.flush(nowIso) }
    }
    const at = `Hold "${row.id}"`
    const held = parseMinor(row.amount)
    const amount = input.amount === undefined ? held : parseHoldAmount(input.amount, { scale: row.scale, assetCode: row.asset_code }, at)
    if (amount > held) {
      throw new CsError(
        'HOLD_AMOUNT_EXCEEDED',
        `${at} holds ${formatAmount(held, row.scale)} ${row.asset_code} — it cannot post ${formatAmount(amount, row.scale)}; post at most the held amount, and book any extra as a new entry.`,
        { details: { holdId: row.id, held: formatAmount(held, row.scale), requested: formatAmount(amount, row.scale) } },
      )
    }
    const state = amount === held ? 'posted' : 'partially_posted'
    const seals = await openRowSeals(ctx)
    const resolved = await resolveHold(ctx, book, row, state, amount, nowIso, seals)
    const text = formatAmount(amount, row.scale)
    const entryId = holdPostEntryId(row.id)
    const written = await writeEntries(
      ctx,
      book,
      [
        {
          id: entryId,
          description: row.description,
          metadata: { holdId: row.id },
          postings: [
            { account: row.debit_account_id, debit: text },
            { account: row.credit_account_id, credit: text },
          ],
        },
      ],
      { kind: HOLD_ENTRY_KIND, actorId, nowIso, today: todayUtc(ctx.clock), seals },
    )
    if (written.posted.length !== 1) unreachable(`pending hold ${row.id} already had its entry ${entryId}`)
    const touched = await book.flush(nowIso)
    await appendAudit(ctx, {
      actor: actorId,
      action: 'ledger.holds.post',
      subject: `hold:${row.id}`,
      change: {
        state,
        posted: text,
        released: formatAmount(held - amount, row.scale),
        assetId: row.asset_id,
        entryId,
        digest: written.digest,
      },
      seals,
    })
    return { hold: resolved, expired: false, touched }
  })
  ctx.events.emit('ledger.changed', { accountIds: out.touched })
  if (out.expired) throw holdExpiredError(out.hold.id, out.hold.expires_at, 'posted')
  return toHold(out.hold)
}
