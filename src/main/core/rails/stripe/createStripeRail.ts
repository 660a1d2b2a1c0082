/**
 * The Stripe rail: each payout is ONE Connect Transfer from the platform balance (chunk of 1),
 * assembled from its operations. A pure adapter: handed payouts and submissions, it talks to
 * Stripe and never to the database; bank payouts, the Events sync and their booking are not a
 * rail's job and live in core/stripe.
 *
 * Exactly once, Stripe style:
 * - `build` (pure; the engine commits its result) derives our idempotency key
 *   `cs_<payoutId>_a<attempt>` and the request body; both are stored before any request exists.
 * - `seal` needs no device: the final payload IS the committed request body.
 * - `broadcast` POSTs /v1/transfers with our key and our bounded retries (never stripe-node's).
 * - `lookup` (lookupStripeTransfers.ts) finds the transfer by listing, then by transfer_group,
 *   and only then re-POSTs the SAME body with the SAME key; `classify` maps what it saw.
 * Stripe has no nonce (nonceFloor null) and nothing to rebroadcast or watch for reorgs:
 * reversals come through the Events sync.
 */
import type Stripe from 'stripe'
import type { DeviceFreeRail, RailCapabilities } from '../Rail'
import { checkStripeRecipients } from './checkStripeRecipients'
import { buildStripeTransfer, planStripeChunks, sealStripeTransfer, stripeRequestOf } from './buildStripeTransfer'
import { classifyStripeTransfer } from './classifyStripeTransfer'
import { createStripeClient, type StripeApiBase } from './createStripeClient'
import { createStripeTransfer } from './createStripeTransfer'
import { lookupStripeTransfers } from './lookupStripeTransfers'
import { DEFAULT_STRIPE_RETRY, safeStripeMessage, type StripeRetryPolicy } from './postStripeWithRetry'
import { readStripeBalances } from './readStripeBalances'
import { stripePreflight } from './stripePreflight'
import { STRIPE_NETWORK, STRIPE_PLATFORM_SOURCE } from './stripeRailConfig'

export { STRIPE_NETWORK, STRIPE_PLATFORM_SOURCE } from './stripeRailConfig'
export type { StripeObservation } from './lookupStripeTransfers'

export interface StripeRailConfig {
  apiBase: StripeApiBase
  /** Reads the secret key from the SecretStore when needed; never cached in a log or error. */
  secretKey: () => Promise<string>
  /** Asset in which "fees" are booked (always 0 on transfers); needs a treasury account. */
  feeAssetId?: string
  retry?: StripeRetryPolicy
  timeoutMs?: number
}

/** Per account request when rows are typed in. */
const RECIPIENT_CHECK_TIMEOUT_MS = 5_000

export const STRIPE_CAPABILITIES = {
  signer: null,
  verifiesSourceAddress: false,
  externalSigning: false,
  unit: { one: 'transfer', other: 'transfers' },
  nonceName: null,
  sentTo: 'Stripe',
} as const satisfies RailCapabilities

export function createStripeRail(config: StripeRailConfig): DeviceFreeRail {
  const retry = config.retry ?? DEFAULT_STRIPE_RETRY
  const feeAssetId = config.feeAssetId ?? 'USD@stripe'

  async function client(): Promise<Stripe> {
    return createStripeClient(await config.secretKey(), config.apiBase, config.timeoutMs)
  }

  return {
    rail: 'stripe',
    network: STRIPE_NETWORK,
    source: { address: STRIPE_PLATFORM_SOURCE, path: '' },
    feeAssetId,
    capabilities: STRIPE_CAPABILITIES,

    plan: async ({ payouts, chunkIndexStart }) =>
      planStripeChunks(payouts.map((p, i) => ({ chunkIndex: chunkIndexStart + i, payouts: [p] }))),
    prepare: async ({ chunks }) => planStripeChunks(chunks),
    nonceFloor: async () => null,
    build: buildStripeTransfer,
    seal: sealStripeTransfer,
    nonceConsumed: async () => false,

    async broadcast(submission) {
      const out = await createStripeTransfer(await client(), stripeRequestOf(submission), submission.idempotency_key, retry)
      if (out.kind === 'ok') return { kind: 'sent' }
      if (out.kind === 'rejected') return { kind: 'maybe-sent', message: safeStripeMessage(out.error) }
      return out.delivered ? { kind: 'maybe-sent', message: out.message } : { kind: 'unreachable', message: out.message }
    },

    async rebroadcast() {
      // lookup already re-POSTs with the same key when the listing shows nothing.
    },

    async lookup(submissions) {
      if (!submissions.some((s) => s.state === 'signed' || s.state === 'broadcast')) return new Map()
      return lookupStripeTransfers(await client(), submissions, retry)
    },
    classify: (submission, observation) => classifyStripeTransfer(feeAssetId, submission, observation),
    preflight: (input) => stripePreflight(client, input),
    // Asked while a person waits on an import: a short timeout, the pre-flight at Submit asks again.
    checkRecipients: (recipients) =>
      checkStripeRecipients(
        async () =>
          createStripeClient(
            await config.secretKey(),
            config.apiBase,
            Math.min(config.timeoutMs ?? RECIPIENT_CHECK_TIMEOUT_MS, RECIPIENT_CHECK_TIMEOUT_MS),
          ),
        recipients,
      ),
    readBalances: (address, assets) => readStripeBalances(client, address, assets),
  }
}
