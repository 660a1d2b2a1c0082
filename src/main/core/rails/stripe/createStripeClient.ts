/**
 * stripe-node configured for Countersign: our host (harness or api.stripe.com), NO automatic
 * retries (they would invent their own idempotency keys), a bounded timeout, fetch-based HTTP.
 */
import Stripe from 'stripe'

export interface StripeApiBase {
  host: string
  port: number
  protocol: 'http' | 'https'
}

export const STRIPE_API_BASE_DEFAULT: StripeApiBase = { host: 'api.stripe.com', port: 443, protocol: 'https' }
export const STRIPE_TIMEOUT_MS = 20_000

export function createStripeClient(
  secretKey: string,
  apiBase: StripeApiBase = STRIPE_API_BASE_DEFAULT,
  timeoutMs = STRIPE_TIMEOUT_MS,
): Stripe {
  return new Stripe(secretKey, {
    host: apiBase.host,
    port: apiBase.port,
    protocol: apiBase.protocol,
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
    appInfo: { name: 'Countersign' },
  })
}

/** "test" / "live" from the key prefix; never returns any part of the key itself. */
export function stripeKeyMode(secretKey: string): 'test' | 'live' | 'unknown' {
  if (/^(sk|rk)_test_/.test(secretKey)) return 'test'
  if (/^(sk|rk)_live_/.test(secretKey)) return 'live'
  return 'unknown'
}
