/**
 * Our own Stripe idempotency key for one payout attempt. Derived, never random, so the same
 * submission always resends with the same key; stripe-node's automatic keys (uuid per call) are
 * never used — `createStripeClient` sets maxNetworkRetries 0 and every POST passes this key.
 * Stripe allows 255 characters; payout ids are far shorter, asserted anyway.
 */
import { invariant } from '../../util/invariant'

const IDEMPOTENCY_KEY_LENGTH_MAX = 255

export function stripeIdempotencyKey(payoutId: string, attempt: number): string {
  invariant(Number.isSafeInteger(attempt) && attempt >= 1, () => `attempt must be a positive integer, got ${attempt}`)
  const key = `cs_${payoutId}_a${attempt}`
  invariant(key.length <= IDEMPOTENCY_KEY_LENGTH_MAX, `idempotency key longer than ${IDEMPOTENCY_KEY_LENGTH_MAX}`)
  return key
}
