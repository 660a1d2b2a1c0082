/**
 * stripe-node configured for Countersign: our host (api.stripe.com, or the harness on loopback —
 * any other is refused, RAIL_URL_REFUSED), NO automatic retries (they would invent their own
 * idempotency keys), a bounded timeout, fetch-based HTTP.
 *
 * stripe-node is loaded on the first client (a dynamic import): a command that never talks to
 * Stripe (`countersign batches list`) never pays for loading it (test/cli/lazyRails.test.ts).
 */
import type Stripe from 'stripe'
import { CsError } from '../../../../shared/errors'
import { isLoopbackHost, STRIPE_API_ORIGIN } from '../checkRailUrl'

export interface StripeApiBase {
  host: string
  port: number
  protocol: 'http' | 'https'
}

export const STRIPE_API_BASE_DEFAULT: StripeApiBase = { host: 'api.stripe.com', port: 443, protocol: 'https' }
export const STRIPE_TIMEOUT_MS = 20_000

export async function createStripeClient(
  secretKey: string,
  apiBase: StripeApiBase = STRIPE_API_BASE_DEFAULT,
  timeoutMs = STRIPE_TIMEOUT_MS,
): Promise<Stripe> {
  // The last door before the key leaves: whatever a caller resolved, it goes to Stripe over https
  // or to a server on this machine (the harness), never elsewhere (checkRailUrl.ts has the rules).
  const stripeOwn = apiBase.host === STRIPE_API_BASE_DEFAULT.host && apiBase.protocol === 'https' && apiBase.port === 443
  if (!stripeOwn && !isLoopbackHost(apiBase.host.includes(':') ? `[${apiBase.host}]` : apiBase.host))
    throw new CsError(
      'RAIL_URL_REFUSED',
      `The Stripe key is only sent to ${STRIPE_API_ORIGIN} — fix the Stripe API URL in the rails settings.`,
    )
  const { default: StripeClient } = await import('stripe')
  return new StripeClient(secretKey, {
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
