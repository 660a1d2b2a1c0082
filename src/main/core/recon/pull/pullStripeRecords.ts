/**
 * Stripe's records of the platform balance, as statement lines: the balance transactions the
 * poller's sync keeps in stripe_balance_txns (stripe/syncStripe.ts), read from the table — no
 * network, so this works offline. Each transaction gives
 *
 *   stripe:<txn id>       the gross amount, type_code = its type; bank_ref = the txn id,
 *                         customer_ref = its source (tr_…, po_…, ch_…), end_to_end_id = our payout
 *                         id when the source is the transfer of one of our confirmed payouts (the
 *                         key its ledger posting carries as payoutId);
 *   stripe:<txn id>:fee   when Stripe kept a fee: the fee, negative, on its own line. It carries no
 *                         id of the transaction it belongs to (bank_ref is "<txn id>:fee"), so it
 *                         is never taken for the gross movement; a fee rule explains it.
 *
 * Statement account "stripe:platform" per currency, linked to the ledger's Stripe platform
 * treasury account of that asset. Currencies the ledger has no asset for are left in the table
 * until one is added (the next pull stores them).
 */
import { sql } from 'kysely'
import type { CoreContext } from '../../context'
import { STRIPE_NETWORK, STRIPE_PLATFORM_SOURCE } from '../../rails/stripe/stripeRailConfig'
import { notStoredYet, payoutsOfTransactions, treasuryLinkOf, utcDate } from './railRecordFacts'
import type { RailAccount, RailLine } from './storeRailLines'

/** Balance transactions one pull stores; a longer backlog is caught up over several pulls. */
export const STRIPE_RECORDS_PER_PULL_MAX = 5_000

export interface RailRecordsRead {
  records: number
  lines: RailLine[]
}

export async function readStripeRecords(ctx: CoreContext): Promise<RailRecordsRead> {
  const assets = await ctx.db.all(
    ctx.db.k.selectFrom('assets').select(['id', 'code', 'scale']).where('rail', '=', 'stripe').where('network', '=', STRIPE_NETWORK),
  )
  if (assets.length === 0) return { records: 0, lines: [] }
  const byCurrency = new Map(assets.map((a) => [a.code.toLowerCase(), a]))
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('stripe_balance_txns as t')
      .selectAll('t')
      .where(sql<string>`lower(${sql.ref('t.currency')})`, 'in', [...byCurrency.keys()])
      .where(notStoredYet('stripe:', sql.ref('t.id')))
      .orderBy('t.created')
      .orderBy('t.id')
      .limit(STRIPE_RECORDS_PER_PULL_MAX),
  )
  const transfers = rows.map((r) => r.source).filter((s): s is string => s !== null && s.startsWith('tr_'))
  const payouts = await payoutsOfTransactions(ctx, 'stripe', STRIPE_NETWORK, 'block_hash', transfers)
  const accounts = new Map<string, RailAccount>()
  const lines: RailLine[] = []
  for (const r of rows) {
    const asset = byCurrency.get(r.currency.toLowerCase())!
    let account = accounts.get(asset.id)
    if (!account) {
      account = {
        externalId: STRIPE_PLATFORM_SOURCE,
        currency: asset.code.toUpperCase(),
        scale: asset.scale,
        name: `Stripe platform balance (${asset.code.toUpperCase()})`,
        ledgerAccountId: await treasuryLinkOf(ctx, asset.id, STRIPE_PLATFORM_SOURCE),
      }
      accounts.set(asset.id, account)
    }
    const date = utcDate(Number(r.created))
    const payoutId = r.source !== null ? (payouts.get(r.source)?.[0] ?? null) : null
    lines.push({
      externalKey: `stripe:${r.id}`,
      account,
      bookingDate: date,
      amount: BigInt(r.amount),
      bankRef: r.id,
      endToEndId: payoutId,
      customerRef: r.source,
      structuredRef: null,
      counterpartyAccount: null,
      remittance: `Stripe ${r.type.replaceAll('_', ' ')}`,
      typeCode: r.type,
      location: `balance transaction ${r.id}`,
    })
    const fee = BigInt(r.fee)
    if (fee !== 0n) {
      lines.push({
        externalKey: `stripe:${r.id}:fee`,
        account,
        bookingDate: date,
        amount: -fee,
        bankRef: `${r.id}:fee`,
        endToEndId: null,
        customerRef: null,
        structuredRef: null,
        counterpartyAccount: null,
        remittance: 'Stripe fee',
        typeCode: 'stripe_fee',
        location: `fee of balance transaction ${r.id}`,
      })
    }
  }
  return { records: rows.length, lines }
}
