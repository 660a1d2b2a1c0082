/**
 * The Stripe rail: each payout is ONE Connect Transfer from the platform balance (chunk of 1).
 *
 * Exactly once, Stripe style:
 * - `build` (inside the engine's db.tx) derives our idempotency key `cs_<payoutId>_a<attempt>` and
 *   the request body; both commit with the submission row before any request exists.
 * - `sign` needs no device: the "signed payload" IS the request body; the engine commits it.
 * - `broadcast` POSTs /v1/transfers with our key and our bounded retries (never stripe-node's).
 * - `lookup` first LISTS the platform's newest transfers (one GET per 100, back to the oldest open
 *   submission), then, for a payout not seen there, its transfer_group (authoritative, also after
 *   Stripe forgets the key after 24 h); only when none exists does it re-POST the SAME body with
 *   the SAME key — inside 24 h Stripe replays a stored answer, after 24 h the list proved nothing landed.
 *
 * Verdict mapping (Stripe has no blocks): blockNumber = transfer.created (unix seconds),
 * blockHash = the transfer id (tr_…), the engine's tx_hash = our idempotency key (the only id
 * known before sending). Transfers carry no fee: feePaid 0. A definite refusal (4xx) → 'failed'
 * with a STRIPE_* code whose sentence names the payee; blockNumber '0', blockHash 'refused'.
 */
import type Stripe from 'stripe'
import type { PayoutRow, SubmissionRow } from '../../db/schema'
import type { BroadcastOutcome, BuiltSubmission, PlannedChunk, Rail, SignedSubmission, Verdict } from '../Rail'
import { createStripeClient, type StripeApiBase } from './createStripeClient'
import {
  buildStripeTransferRequest,
  createStripeTransfer,
  stripeRejectionCode,
  stripeRejectionMessage,
  type StripeTransferRequest,
} from './createStripeTransfer'
import { DEFAULT_STRIPE_RETRY, safeStripeMessage, type StripeRetryPolicy } from './postStripeWithRetry'
import { stripeIdempotencyKey } from './stripeIdempotencyKey'
import { stripeCurrencyOfAsset } from './stripeMinorUnits'

export const STRIPE_NETWORK = 'stripe'
/** The treasury "address" of the platform balance in the ledger. */
export const STRIPE_PLATFORM_SOURCE = 'stripe:platform'

export interface StripeRailConfig {
  apiBase: StripeApiBase
  /** Reads the secret key from the SecretStore when needed; never cached in a log or error. */
  secretKey: () => Promise<string>
  /** Asset in which "fees" are booked (always 0 on transfers); needs a treasury account. */
  feeAssetId?: string
  retry?: StripeRetryPolicy
  timeoutMs?: number
}

/** What lookup saw for one submission. */
export type StripeObservation =
  | { kind: 'transfer'; id: string; created: number; payoutIds: string[] }
  | { kind: 'rejected'; code: string; reason: string }
  | { kind: 'unknown'; message: string }

export function createStripeRail(config: StripeRailConfig): Rail & { readonly needsSigner: false } {
  const retry = config.retry ?? DEFAULT_STRIPE_RETRY
  const feeAssetId = config.feeAssetId ?? 'USD@stripe'

  async function client(): Promise<Stripe> {
    return createStripeClient(await config.secretKey(), config.apiBase, config.timeoutMs)
  }

  function planChunks(list: readonly { chunkIndex: number; payouts: readonly PayoutRow[] }[]): PlannedChunk[] {
    return list.map(({ chunkIndex, payouts }) => {
      if (payouts.length !== 1) throw new Error(`invariant: a Stripe chunk holds exactly one payout, got ${payouts.length}`)
      const p = payouts[0]!
      stripeCurrencyOfAsset(p.asset_id)
      return { chunkIndex, assetId: p.asset_id, payoutIds: [p.id], prepared: {} }
    })
  }

  function requestOf(s: SubmissionRow): StripeTransferRequest {
    const body = s.signed_payload ?? s.unsigned_payload
    if (body === null) throw new Error(`invariant: submission ${s.id} has no request body`)
    return JSON.parse(body) as StripeTransferRequest
  }

  return {
    rail: 'stripe',
    network: STRIPE_NETWORK,
    source: { address: STRIPE_PLATFORM_SOURCE, path: '' },
    feeAssetId,
    needsSigner: false,

    async plan(_ctx, _batchId, payouts, chunkIndexStart) {
      return planChunks(payouts.map((p, i) => ({ chunkIndex: chunkIndexStart + i, payouts: [p] })))
    },

    async prepare(_ctx, _batchId, list) {
      return planChunks(list)
    },

    build(ctx, batchId, chunk, attempt, payouts): BuiltSubmission {
      if (!ctx.db.sqlite.inTransaction) throw new Error('invariant: build must run inside the transaction that records the submission')
      const p = payouts.find((x) => x.id === chunk.payoutIds[0])
      if (!p) throw new Error(`invariant: payout ${chunk.payoutIds[0]} missing from build`)
      const request = buildStripeTransferRequest({
        payoutId: p.id,
        batchId,
        amountMinor: BigInt(p.amount),
        currency: stripeCurrencyOfAsset(p.asset_id),
        destination: p.recipient,
      })
      return {
        source: STRIPE_PLATFORM_SOURCE,
        nonce: null,
        idempotencyKey: stripeIdempotencyKey(p.id, attempt),
        unsignedPayload: JSON.stringify(request),
        feeCap: null,
      }
    },

    async nonceConsumed() {
      return false
    },

    async sign(_ctx, submission): Promise<SignedSubmission> {
      // Nothing to sign: the request body is what the engine commits before broadcast.
      if (submission.unsigned_payload === null) throw new Error(`invariant: submission ${submission.id} has no request body`)
      return { signedPayload: submission.unsigned_payload, txHash: submission.idempotency_key }
    },

    async broadcast(_ctx, submission): Promise<BroadcastOutcome> {
      const out = await createStripeTransfer(await client(), requestOf(submission), submission.idempotency_key, retry)
      if (out.kind === 'ok') return { kind: 'sent' }
      if (out.kind === 'rejected') return { kind: 'maybe-sent', message: safeStripeMessage(out.error) }
      return out.delivered ? { kind: 'maybe-sent', message: out.message } : { kind: 'unreachable', message: out.message }
    },

    async rebroadcast() {
      // lookup already re-POSTs with the same key when the list shows nothing.
    },

    watchedConfirmed() {
      // A transfer is final once created; reversals come through the Events sync, not here.
      return []
    },

    async lookup(_ctx, submissions) {
      const out = new Map<string, unknown>()
      const open = submissions.filter((s) => s.state === 'signed' || s.state === 'broadcast')
      if (open.length === 0) return out
      const stripe = await client()
      // One listing for all of them first (newest first, 100 a page), not one request per payout.
      const found = await findRecentTransfers(stripe, open.map(requestOf), open)
      for (const s of open) {
        const request = requestOf(s)
        const payoutIds = [request.metadata.countersign_payout_id]
        const seen = found.get(request.metadata.countersign_payout_id)
        if (seen) {
          out.set(s.id, { kind: 'transfer', id: seen.id, created: seen.created, payoutIds } satisfies StripeObservation)
          continue
        }
        try {
          const listed = await stripe.transfers.list({ transfer_group: request.transfer_group, limit: 10 })
          const mine = listed.data.filter((t) => t.metadata?.['countersign_payout_id'] === request.metadata.countersign_payout_id)
          if (mine.length > 1) throw new Error(`invariant: ${mine.length} transfers for payout ${payoutIds[0]}`)
          if (mine.length === 1) {
            out.set(s.id, { kind: 'transfer', id: mine[0]!.id, created: mine[0]!.created, payoutIds } satisfies StripeObservation)
            continue
          }
        } catch (err) {
          if (err instanceof Error && err.message.startsWith('invariant:')) throw err
          out.set(s.id, { kind: 'unknown', message: safeStripeMessage(err as object) } satisfies StripeObservation)
          continue
        }
        const again = await createStripeTransfer(stripe, request, s.idempotency_key, retry)
        if (again.kind === 'ok')
          out.set(s.id, { kind: 'transfer', id: again.value.id, created: again.value.created, payoutIds } satisfies StripeObservation)
        else if (again.kind === 'rejected')
          out.set(s.id, {
            kind: 'rejected',
            code: stripeRejectionCode(again.error),
            reason: stripeRejectionMessage(again.error, request.destination),
          } satisfies StripeObservation)
        else out.set(s.id, { kind: 'unknown', message: again.message } satisfies StripeObservation)
      }
      return out
    },

    classify(submission, observation): Verdict {
      if (submission.state === 'confirmed') return { kind: 'unchanged' }
      if (submission.state !== 'signed' && submission.state !== 'broadcast')
        throw new Error(`invariant: classify of a ${submission.state} submission`)
      const o = observation as StripeObservation
      if (o.kind === 'unknown') return { kind: 'pending', rebroadcast: false, seenByNetwork: false }
      if (o.kind === 'rejected')
        return { kind: 'failed', blockNumber: '0', blockHash: 'refused', feePaid: 0n, feeAssetId, reason: o.reason, code: o.code }
      return {
        kind: 'confirmed',
        blockNumber: String(o.created),
        blockHash: o.id,
        feePaid: 0n,
        feeAssetId,
        payouts: o.payoutIds.map((payoutId, i) => ({ payoutId, logIndex: i })),
      }
    },
  }
}

/** Pages of the newest transfers read per sweep before falling back to one lookup per payout. */
const RECENT_TRANSFER_PAGES_MAX = 20
/** Stripe's clock and ours may differ; list this far before the oldest open submission. */
const CLOCK_MARGIN_SECONDS = 600

/**
 * Our open payouts' transfers among the platform's newest ones: one GET per 100 transfers, back
 * to just before the oldest open submission. A payout not seen here is looked up on its own
 * (by transfer_group, then the same POST with the same key). Two transfers for one payout is an
 * invariant broken, never silently accepted.
 */
async function findRecentTransfers(
  stripe: Stripe,
  requests: readonly StripeTransferRequest[],
  open: readonly SubmissionRow[],
): Promise<Map<string, { id: string; created: number }>> {
  const wanted = new Set(requests.map((r) => r.metadata.countersign_payout_id))
  const oldest = Math.min(...open.map((s) => Date.parse(s.created_at) / 1000)) - CLOCK_MARGIN_SECONDS
  const found = new Map<string, { id: string; created: number }>()
  let after: string | undefined
  try {
    for (let page = 0; page < RECENT_TRANSFER_PAGES_MAX && found.size < wanted.size; page++) {
      const listed = await stripe.transfers.list({ limit: 100, ...(after ? { starting_after: after } : {}) })
      for (const t of listed.data) {
        const payoutId = t.metadata?.['countersign_payout_id']
        if (payoutId === undefined || !wanted.has(payoutId)) continue
        if (found.has(payoutId)) throw new Error(`invariant: 2 transfers for payout ${payoutId}`)
        found.set(payoutId, { id: t.id, created: t.created })
      }
      const last = listed.data.at(-1)
      if (!listed.has_more || last === undefined || last.created < oldest) break
      after = last.id
    }
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('invariant:')) throw err
    // The listing failed: each payout is looked up on its own instead.
  }
  return found
}
