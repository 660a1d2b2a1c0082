/**
 * One payee's history (receipts.payee): their receipts, newest first and paged, with totals per
 * asset and per month (UTC, by paid_at). A payee is named by the recipient as paid (0x…, G…,
 * acct_…) or by their name exactly; the answer lists every name and recipient seen, so a person
 * sees when one payee was paid under two spellings.
 */
import type { CallOutput } from '../../../shared/api'
import type { CoreContext } from '../context'
import { assetsOf, filteredReceipts, listReceipts, sumByAsset } from './listReceipts'

export async function payeeHistory(
  ctx: CoreContext,
  p: { payee: string; cursor?: string; limit?: number },
): Promise<CallOutput<'receipts.payee'>> {
  const rows = await ctx.db.all(
    filteredReceipts(ctx, { payee: p.payee })
      .select(['r.asset_id', 'r.kind', 'r.amount', 'r.paid_at', 'r.payee_name', 'r.recipient'])
      .orderBy('r.number', 'desc'),
  )
  const assets = await assetsOf(ctx)
  const months = new Map<string, typeof rows>()
  for (const r of rows) {
    const month = r.paid_at.slice(0, 7)
    months.set(month, [...(months.get(month) ?? []), r])
  }
  const page = await listReceipts(ctx, {
    payee: p.payee,
    ...(p.cursor !== undefined ? { cursor: p.cursor } : {}),
    ...(p.limit !== undefined ? { limit: p.limit } : {}),
  })
  return {
    payee: p.payee,
    names: [...new Set(rows.map((r) => r.payee_name).filter((n) => n !== ''))],
    recipients: [...new Set(rows.map((r) => r.recipient))],
    page,
    totals: sumByAsset(rows, assets),
    months: [...months.entries()]
      .sort(([a], [b]) => (a < b ? 1 : -1))
      .flatMap(([month, inMonth]) => sumByAsset(inMonth, assets).map((t) => ({ ...t, month }))),
  }
}
