/**
 * The Stripe escrow rail ("separate charges and transfers"): the escrowed money sits on the
 * platform balance tagged transfer_group = escrow id; a release is a Transfer to the payee, a
 * refund is a Refund of the customer's charge, a resolve both. A pure adapter over the Stripe
 * rail's parts (client, our key and retries, refusal codes, the account check): handed terms and
 * transactions, it talks to Stripe and never to the database.
 *
 * Exactly once, as for payouts: `build` (buildStripeEscrowTx.ts) derives the keys and bodies the
 * engine commits; `seal` is that payload (no device); `broadcast` and `lookup` both find each
 * request by listing first and only then POST the committed body with its key (so a new attempt
 * never repeats what an earlier one made); `classify` maps what it saw. No nonce (nonceFloor
 * null); nothing to rebroadcast.
 */
import type Stripe from 'stripe'
import type { EscrowRail } from '../../EscrowRail'
import { createStripeClient, type StripeApiBase } from '../createStripeClient'
import type { BroadcastOutcome } from '../../Rail'
import { DEFAULT_STRIPE_RETRY, type StripeRetryPolicy } from '../postStripeWithRetry'
import { STRIPE_NETWORK, STRIPE_PLATFORM_SOURCE } from '../stripeRailConfig'
import { buildStripeEscrowTx, sealStripeEscrowTx, stripeEscrowNeedsTx, stripeEscrowPayloadOf } from './buildStripeEscrowTx'
import { classifyStripeEscrowTx } from './classifyStripeEscrowTx'
import { lookupStripeEscrowTxs, type StripeEscrowObservation } from './lookupStripeEscrowTxs'
import { observeStripeEscrow } from './observeStripeEscrow'
import { preflightStripeEscrow } from './preflightStripeEscrow'

export { stripeHoldLimitDays } from './stripeHoldLimitDays'
export type { StripeEscrowObservation } from './lookupStripeEscrowTxs'

export interface StripeEscrowRailConfig {
  apiBase: StripeApiBase
  /** Reads the secret key from the SecretStore when needed; never cached in a log or error. */
  secretKey: () => Promise<string>
  /** Asset in which "fees" are booked (always 0). */
  feeAssetId?: string
  retry?: StripeRetryPolicy
  timeoutMs?: number
  /** The engine's clock: Stripe has none of its own to offer as railNow. */
  now?: () => Date
}

export function createStripeEscrowRail(config: StripeEscrowRailConfig): EscrowRail {
  const retry = config.retry ?? DEFAULT_STRIPE_RETRY
  const feeAssetId = config.feeAssetId ?? 'USD@stripe'
  const now = config.now ?? (() => new Date())

  async function client(): Promise<Stripe> {
    return createStripeClient(await config.secretKey(), config.apiBase, config.timeoutMs)
  }

  return {
    rail: 'stripe',
    network: STRIPE_NETWORK,
    source: { address: STRIPE_PLATFORM_SOURCE, path: '' },
    feeAssetId,
    signer: null,
    needsTx: stripeEscrowNeedsTx,
    preflight: (input) => preflightStripeEscrow(client, input),
    prepare: async () => ({}),
    nonceFloor: async () => null,
    build: (input) => buildStripeEscrowTx(input),
    seal: sealStripeEscrowTx,

    async broadcast(tx) {
      const { requests } = stripeEscrowPayloadOf(tx)
      // A funding check sends nothing: lookup reads the charge.
      if (requests.length === 0) return { kind: 'sent' }
      // Listed first, and sent only where Stripe has nothing for the request (our metadata names the
      // action, not the attempt): a new attempt of an action whose last one half-landed — a
      // resolve's transfer made, its refund refused — sends the rest, never the transfer again.
      const seen = (await lookupStripeEscrowTxs(await client(), [tx], retry)).get(tx.id) as StripeEscrowObservation | undefined
      return broadcastOutcome(seen)
    },

    async lookup(txs) {
      if (!txs.some((t) => t.state === 'signed' || t.state === 'broadcast')) return new Map()
      return lookupStripeEscrowTxs(await client(), txs, retry)
    },
    classify: (tx, observation) => classifyStripeEscrowTx(feeAssetId, tx, observation),
    observe: async (terms) => observeStripeEscrow(await client(), terms, now()),
  }
}

/** What one listing-then-sending pass says of the delivery; lookup and classify decide the rest with the same keys. */
function broadcastOutcome(seen: StripeEscrowObservation | undefined): BroadcastOutcome {
  if (seen === undefined || seen.kind === 'charge') return { kind: 'sent' }
  // The listing itself failed: nothing of this pass was sent; the poller looks again.
  if (seen.kind === 'unknown') return { kind: 'unreachable', message: seen.message }
  for (const p of seen.parts) {
    if (p.kind === 'rejected') return { kind: 'maybe-sent', message: `${p.code}: ${p.reason}` }
    if (p.kind === 'unknown') return { kind: 'maybe-sent', message: p.message }
  }
  return { kind: 'sent' }
}
