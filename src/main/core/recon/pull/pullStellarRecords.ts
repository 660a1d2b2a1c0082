/**
 * Stellar's records of one treasury account, as statement lines — from tables, no network (the
 * poller's stellar.payments task keeps the payments in stellar_payments; the engine keeps each
 * submission's fee), so this works offline:
 *
 *   stellar:<network>:<operation id>    one payment / create_account operation, signed from the
 *       treasury's side (out negative), counterparty = the other account, bank_ref = the
 *       operation id, structured_ref = "<tx hash>:<operation index>" — exactly the txHash and
 *       logIndex the payout's booking records (bookSubmission.ts), so the two share one key;
 *       end_to_end_id = our payout id when the operation is one of our payouts.
 *   stellar:<network>:<tx hash>:fee     the fee of a transaction the treasury submitted (a payout
 *       chunk or an escrow transaction that landed), negative XLM, bank_ref = the tx hash alone —
 *       the key the ledger's fee entry carries (metadata txHash); an escrow transaction's fee line
 *       also names the escrow transaction (customer_ref), the key of its escrow fee entry.
 *
 * The bare tx hash is only ever on the fee line: on a payment line it would make the payment a
 * candidate of the fee posting too (same account, XLM) and, once the fee is matched, a "duplicate".
 * Left out: failed transactions' operations (nothing moved), operations between the treasury and
 * itself, path payments the treasury SENT (stellar_payments keeps the destination's amount and
 * asset, not what left the treasury), and assets the ledger has no asset for (stored once added).
 */
import { sql } from 'kysely'
import type { CoreContext } from '../../context'
import type { StellarNetworkConfig } from '../../rails/stellar/stellarRailConfig'
import { notStoredYet, payoutsOfTransactions, treasuryLinkOf } from './railRecordFacts'
import type { RailRecordsRead } from './pullStripeRecords'
import type { RailAccount, RailLine } from './storeRailLines'

/** Operations (and fees) one pull stores per network; a longer backlog is caught up over several pulls. */
export const STELLAR_RECORDS_PER_PULL_MAX = 5_000
/** Stellar amounts are stroops: every Stellar asset has 7 decimals. */
const STELLAR_SCALE = 7
/** The operation's index in its transaction: the low 12 bits of Horizon's operation id (TOID), 1-based there. */
const TOID_OPERATION_MASK = 0xfffn

interface StellarAsset {
  id: string
  code: string
  /** As stellar_payments writes it: 'native' or 'CODE:ISSUER'. */
  key: string
}

export async function readStellarRecords(ctx: CoreContext, config: StellarNetworkConfig): Promise<RailRecordsRead> {
  const { network } = config
  const treasury = config.source.address
  const assets = await stellarAssets(ctx, network)
  const accountOf = accountsFor(ctx, network, treasury)
  const lines: RailLine[] = []
  let records = 0
  if (assets.size > 0) {
    const rows = await ctx.db.all(
      ctx.db.k
        .selectFrom('stellar_payments as p')
        .selectAll('p')
        .where('p.network', '=', network)
        .where('p.account', '=', treasury)
        .where('p.successful', '=', 1)
        .where('p.asset', 'in', [...assets.keys()])
        .where(notStoredYet(`stellar:${network}:`, sql.ref('p.operation_id')))
        .orderBy('p.created_at')
        .orderBy('p.operation_id')
        .limit(STELLAR_RECORDS_PER_PULL_MAX),
    )
    records += rows.length
    const payouts = await payoutsOfTransactions(ctx, 'stellar', network, 'tx_hash', [...new Set(rows.map((r) => r.tx_hash))])
    for (const r of rows) {
      const out = r.from_account === treasury
      const into = r.to_account === treasury
      if (out === into || (out && r.type.startsWith('path_payment'))) continue
      const amount = BigInt(r.amount)
      if (amount === 0n) continue
      const opIndex = Number(BigInt(r.operation_id) & TOID_OPERATION_MASK) - 1
      const asset = assets.get(r.asset)!
      lines.push({
        externalKey: `stellar:${network}:${r.operation_id}`,
        account: await accountOf(asset),
        bookingDate: r.created_at.slice(0, 10),
        amount: out ? -amount : amount,
        bankRef: r.operation_id,
        endToEndId: out ? (payouts.get(r.tx_hash.toLowerCase())?.[opIndex] ?? null) : null,
        customerRef: null,
        structuredRef: `${r.tx_hash}:${opIndex}`,
        counterpartyAccount: out ? r.to_account : r.from_account,
        remittance: `${asset.code} ${r.type.replaceAll('_', ' ')} ${out ? 'out' : 'in'}`,
        typeCode: r.type,
        location: `operation ${r.operation_id} (tx ${r.tx_hash.slice(0, 12)}…, operation ${opIndex})`,
      })
    }
  }
  const xlm = [...assets.values()].find((a) => a.key === 'native')
  if (xlm) {
    const fees = await feeLines(ctx, network, treasury, await accountOf(xlm))
    records += fees.length
    lines.push(...fees)
  }
  return { records, lines }
}

/** Fee lines of the treasury's landed transactions (payout submissions and escrow transactions). */
async function feeLines(ctx: CoreContext, network: string, treasury: string, account: RailAccount): Promise<RailLine[]> {
  const { db } = ctx
  const prefix = `stellar:${network}:`
  const submissions = await db.all(
    db.k
      .selectFrom('submissions as s')
      .select(['s.id', 's.tx_hash', 's.fee_paid', 's.updated_at'])
      .where('s.rail', '=', 'stellar')
      .where('s.network', '=', network)
      .where('s.source', '=', treasury)
      .where('s.state', 'in', ['confirmed', 'failed'])
      .where('s.tx_hash', 'is not', null)
      .where('s.fee_paid', 'is not', null)
      .where(notStoredYet(prefix, sql.ref('s.tx_hash'), ':fee'))
      .orderBy('s.updated_at')
      .limit(STELLAR_RECORDS_PER_PULL_MAX),
  )
  const escrowTxs = await db.all(
    db.k
      .selectFrom('escrow_txs as e')
      .select(['e.id', 'e.tx_hash', 'e.fee_paid', 'e.updated_at'])
      .where('e.rail', '=', 'stellar')
      .where('e.network', '=', network)
      .where('e.source', '=', treasury)
      .where('e.state', 'in', ['confirmed', 'failed'])
      .where('e.tx_hash', 'is not', null)
      .where('e.fee_paid', 'is not', null)
      .where(notStoredYet(prefix, sql.ref('e.tx_hash'), ':fee'))
      .orderBy('e.updated_at')
      .limit(STELLAR_RECORDS_PER_PULL_MAX),
  )
  const landed = [...submissions.map((s) => ({ ...s, escrowTx: null })), ...escrowTxs.map((e) => ({ ...e, escrowTx: e.id }))]
  const closedAt = await closeTimes(
    ctx,
    network,
    landed.map((l) => l.tx_hash!),
  )
  const lines: RailLine[] = []
  for (const l of landed) {
    const fee = BigInt(l.fee_paid!)
    if (fee === 0n) continue
    const hash = l.tx_hash!
    lines.push({
      externalKey: `${prefix}${hash}:fee`,
      account,
      bookingDate: (closedAt.get(hash) ?? l.updated_at).slice(0, 10),
      amount: -fee,
      bankRef: hash,
      endToEndId: null,
      customerRef: l.escrowTx,
      structuredRef: null,
      counterpartyAccount: null,
      remittance: 'Network fee',
      typeCode: 'fee',
      location: `fee of tx ${hash}`,
    })
  }
  return lines
}

/** When each transaction closed, as its payments say (fees of transactions that paid nothing fall back to our own time). */
async function closeTimes(ctx: CoreContext, network: string, hashes: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (let start = 0; start < hashes.length; start += 500) {
    const rows = await ctx.db.all(
      ctx.db.k
        .selectFrom('stellar_payments')
        .select(['tx_hash', 'created_at'])
        .where('network', '=', network)
        .where('tx_hash', 'in', hashes.slice(start, start + 500)),
    )
    for (const r of rows) out.set(r.tx_hash, r.created_at)
  }
  return out
}

/** The ledger's assets on this network, by the key stellar_payments uses. */
async function stellarAssets(ctx: CoreContext, network: string): Promise<Map<string, StellarAsset>> {
  const rows = await ctx.db.all(
    ctx.db.k.selectFrom('assets').select(['id', 'code', 'issuer', 'scale']).where('rail', '=', 'stellar').where('network', '=', network),
  )
  const out = new Map<string, StellarAsset>()
  for (const a of rows) {
    if (Number(a.scale) !== STELLAR_SCALE) continue
    const key = a.issuer === null ? 'native' : `${a.code}:${a.issuer}`
    out.set(key, { id: a.id, code: a.code.toUpperCase(), key })
  }
  return out
}

function accountsFor(ctx: CoreContext, network: string, treasury: string): (asset: StellarAsset) => Promise<RailAccount> {
  const made = new Map<string, RailAccount>()
  return async (asset) => {
    const known = made.get(asset.id)
    if (known) return known
    const account: RailAccount = {
      externalId: `stellar:${network}:${treasury}`,
      currency: asset.code,
      scale: STELLAR_SCALE,
      name: `Stellar treasury ${treasury.slice(0, 6)}… on ${network} (${asset.code})`,
      ledgerAccountId: await treasuryLinkOf(ctx, asset.id, treasury),
    }
    made.set(asset.id, account)
    return account
  }
}
