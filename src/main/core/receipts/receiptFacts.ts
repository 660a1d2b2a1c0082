/**
 * What every receipt builder reads besides its own rows, loaded once per issuing transaction:
 * operators' display names, assets (code and scale), the rails setting (Stellar passphrases), the
 * EVM payouts found final before the transaction (their block and depth), and the audit rows that recorded the bookings. Plus the draft shape the
 * builders return and the issuer completes (number, payer, previous receipt).
 */
import { formatAmount, parseMinor } from '../../../shared/money'
import type { ReceiptAmount, ReceiptDocument, ReceiptEvent, ReceiptKind } from '../../../shared/receiptTypes'
import { SYSTEM_ACTOR, type CoreContext } from '../context'
import { getRailsSetting } from '../rails/getRailsSetting'
import { STRIPE_PLATFORM_SOURCE } from '../rails/stripe/stripeRailConfig'
import { inChunks } from '../payouts/inChunks'
import { invariant } from '../util/invariant'
import type { ChainFinal } from './receiptFinality'

/** A receipt before it has a number: what the builders know from the books. */
export interface ReceiptDraft {
  subjectKey: string
  kind: ReceiptKind
  /** Reversal / refund of an earlier receipt: that receipt's subject key (it must be issued first). */
  previousSubjectKey: string | null
  /** The treasury the money left (payer.account). */
  payerAccount: string
  columns: {
    payout_id: string | null
    batch_id: string | null
    escrow_id: string | null
    rail: string
    network: string
    asset_id: string
    amount: string
    payee_name: string
    recipient: string
    reference: string
    tx_hash: string | null
    paid_at: string
  }
  body: Omit<ReceiptDocument, 'number' | 'displayNumber' | 'workspaceId' | 'payer' | 'previous'>
}

export interface AssetFacts {
  code: string
  scale: number
}

export interface ReceiptFacts {
  operator(id: string): string
  asset(id: string): AssetFacts | undefined
  /** An EVM payment (by its receipt's subject key) found final before this issuing transaction (receiptFinality.ts); undefined: not final (yet). */
  evmFinal(subjectKey: string): ChainFinal | undefined
  /** "public", "testnet", "futurenet", "standalone", else the passphrase itself; "" when unknown. */
  passphraseName(network: string): string
  /** The passphrase itself (to decode stored envelopes); null when unknown. */
  passphrase(network: string): string | null
  auditHash(seq: number): string
}

const PASSPHRASE_NAMES: ReadonlyMap<string, string> = new Map([
  ['Public Global Stellar Network ; September 2015', 'public'],
  ['Test SDF Network ; September 2015', 'testnet'],
  ['Test SDF Future Network ; October 2022', 'futurenet'],
  ['Standalone Network ; February 2017', 'standalone'],
])

/** Loads what the builders share; `auditSeqs`: the audit rows whose hashes the receipts cite. */
export async function loadReceiptFacts(
  ctx: CoreContext,
  evmFinal: ReadonlyMap<string, ChainFinal>,
  auditSeqs: readonly number[],
): Promise<ReceiptFacts> {
  const operators = new Map(
    (await ctx.db.all(ctx.db.k.selectFrom('operators').select(['id', 'name']))).map((o) => [o.id, `${o.name} (${o.id})`]),
  )
  const assets = new Map(
    (await ctx.db.all(ctx.db.k.selectFrom('assets').select(['id', 'code', 'scale']))).map((a) => [
      a.id,
      { code: a.code, scale: Number(a.scale) },
    ]),
  )
  const rails = (await getRailsSetting(ctx)).rails
  const hashes = new Map<number, string>()
  for (const chunk of inChunks([...new Set(auditSeqs)])) {
    const rows = await ctx.db.all(ctx.db.k.selectFrom('audit_log').select(['seq', 'hash']).where('seq', 'in', chunk))
    for (const r of rows) hashes.set(Number(r.seq), r.hash)
  }
  return {
    operator: (id) => operators.get(id) ?? (id === SYSTEM_ACTOR ? 'Countersign (system)' : id),
    asset: (id) => assets.get(id),
    evmFinal: (subjectKey) => evmFinal.get(subjectKey),
    passphraseName: (network) => {
      const p = rails.stellar?.networks.find((n) => n.network === network)?.networkPassphrase
      return p === undefined ? '' : (PASSPHRASE_NAMES.get(p) ?? p)
    },
    passphrase: (network) => rails.stellar?.networks.find((n) => n.network === network)?.networkPassphrase ?? null,
    auditHash: (seq) => {
      const h = hashes.get(seq)
      invariant(h !== undefined, () => `audit row ${seq} was not loaded`)
      return h
    },
  }
}

export function receiptAmount(minor: bigint, assetId: string, asset: AssetFacts): ReceiptAmount {
  return { value: formatAmount(minor, asset.scale), minor: minor.toString(), assetId, code: asset.code, scale: asset.scale }
}

/** The account as a receipt names it: the Stripe platform is "platform". */
export function payerAccountOf(source: string): string {
  return source === STRIPE_PLATFORM_SOURCE ? 'platform' : source
}

export function event(kind: ReceiptEvent['kind'], at: string, by: string, detail = ''): ReceiptEvent {
  return { kind, at, by, detail }
}

/** Entry metadata (JSON of string -> string). */
export function metadataOf(text: string): Record<string, string> {
  const parsed = JSON.parse(text) as unknown
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {}
}

/** The positive amount of an entry's debit posting to `accountPrefix…`, as minor units. */
export function minorOf(text: string): bigint {
  const v = parseMinor(text)
  return v < 0n ? -v : v
}
