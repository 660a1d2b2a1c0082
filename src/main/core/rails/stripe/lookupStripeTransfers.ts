/**
 * What Stripe knows about our open transfers, gathered for `classify`. First ONE listing of the
 * platform's newest transfers (one GET per 100, back to just before the oldest open submission)
 * for all of them; then, for a payout not seen there, its transfer_group (authoritative, also
 * after Stripe forgets the key after 24 h); only when none exists is the SAME committed body
 * POSTed again with the SAME key — inside 24 h Stripe replays its stored answer, after 24 h the
 * listing proved nothing landed. Two transfers for one payout is an invariant broken, never
 * silently accepted.
 */
import type Stripe from 'stripe'
import { invariant } from '../../util/invariant'
import type { RailSubmission } from '../Rail'
import { stripeRequestOf } from './buildStripeTransfer'
import { createStripeTransfer, stripeRejectionCode, stripeRejectionMessage, type StripeTransferRequest } from './createStripeTransfer'
import { safeStripeMessage, type StripeRetryPolicy } from './postStripeWithRetry'

/** What lookup saw for one submission. */
export type StripeObservation =
  | { kind: 'transfer'; id: string; created: number; payoutIds: string[] }
  | { kind: 'rejected'; code: string; reason: string }
  | { kind: 'unknown'; message: string }

/** Pages of the newest transfers read per sweep before falling back to one lookup per payout. */
const RECENT_TRANSFER_PAGES_MAX = 20
/** Stripe's clock and ours may differ; list this far before the oldest open submission. */
const CLOCK_MARGIN_SECONDS = 600
/** Transfers of one transfer_group read when looking one payout up. */
const GROUP_TRANSFERS_MAX = 10

function isInvariantError(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('invariant:')
}

export async function lookupStripeTransfers(
  stripe: Stripe,
  submissions: readonly RailSubmission[],
  retry: StripeRetryPolicy,
): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>()
  const open = submissions.filter((s) => s.state === 'signed' || s.state === 'broadcast')
  if (open.length === 0) return out
  const found = await findRecentTransfers(stripe, open.map(stripeRequestOf), open)
  for (const s of open) {
    const request = stripeRequestOf(s)
    const seen = found.get(request.metadata.countersign_payout_id)
    const observation: StripeObservation = seen
      ? { kind: 'transfer', id: seen.id, created: seen.created, payoutIds: [request.metadata.countersign_payout_id] }
      : await lookupOne(stripe, s, request, retry)
    out.set(s.id, observation)
  }
  return out
}

/** One payout not seen in the listing: by its transfer_group, then the same POST with the same key. */
async function lookupOne(
  stripe: Stripe,
  s: RailSubmission,
  request: StripeTransferRequest,
  retry: StripeRetryPolicy,
): Promise<StripeObservation> {
  const payoutId = request.metadata.countersign_payout_id
  const payoutIds = [payoutId]
  try {
    const listed = await stripe.transfers.list({ transfer_group: request.transfer_group, limit: GROUP_TRANSFERS_MAX })
    const mine = listed.data.filter((t) => t.metadata?.['countersign_payout_id'] === payoutId)
    invariant(mine.length <= 1, () => `${mine.length} transfers for payout ${payoutId}`)
    if (mine.length === 1) return { kind: 'transfer', id: mine[0]!.id, created: mine[0]!.created, payoutIds }
  } catch (err) {
    if (isInvariantError(err)) throw err
    return { kind: 'unknown', message: safeStripeMessage(err as object) }
  }
  const again = await createStripeTransfer(stripe, request, s.idempotency_key, retry)
  if (again.kind === 'ok') return { kind: 'transfer', id: again.value.id, created: again.value.created, payoutIds }
  if (again.kind === 'rejected')
    return { kind: 'rejected', code: stripeRejectionCode(again.error), reason: stripeRejectionMessage(again.error, request.destination) }
  return { kind: 'unknown', message: again.message }
}

/** Our open payouts' transfers among the platform's newest ones (payout id → transfer). */
async function findRecentTransfers(
  stripe: Stripe,
  requests: readonly StripeTransferRequest[],
  open: readonly RailSubmission[],
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
        invariant(!found.has(payoutId), () => `2 transfers for payout ${payoutId}`)
        found.set(payoutId, { id: t.id, created: t.created })
      }
      const last = listed.data.at(-1)
      if (!listed.has_more || last === undefined || last.created < oldest) break
      after = last.id
    }
  } catch (err) {
    if (isInvariantError(err)) throw err
    // The listing failed: each payout is looked up on its own instead.
  }
  return found
}
