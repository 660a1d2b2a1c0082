/**
 * The Stripe rail's configuration: which API it talks to (api.stripe.com, or the local harness in
 * the sandbox and tests). The secret key is NOT configuration: it lives in the SecretStore under
 * STRIPE_SECRET_KEY_NAME and is read only when a request is about to be made.
 */
import { CsError } from '../../../../shared/errors'
import type { SecretStore } from '../../secrets/SecretStore'
import { checkRailUrl, type RailUrlPolicy } from '../checkRailUrl'
import type { StripeApiBase } from './createStripeClient'

export const STRIPE_SECRET_KEY_NAME = 'stripe.secretKey'
/** Stripe has one "network": the platform's account. */
export const STRIPE_NETWORK = 'stripe'
/** The treasury "address" of the platform balance in the ledger. */
export const STRIPE_PLATFORM_SOURCE = 'stripe:platform'
export const STRIPE_API_URL_DEFAULT = 'https://api.stripe.com'

export interface StripeConfig {
  /** https://api.stripe.com, or http://127.0.0.1:<port> for the harness. */
  apiUrl: string
}

/**
 * Host, port and protocol of the Stripe API this workspace may use (checkRailUrl.ts: Stripe's own
 * API, or a loopback test server in a sandbox), or RAIL_URL_REFUSED. Called wherever a client is
 * about to be made, so a stored URL is checked again at every use, before the key is read.
 */
export function stripeApiBaseOf(apiUrl: string, policy: RailUrlPolicy): StripeApiBase {
  const url = checkRailUrl('stripe', apiUrl, policy)
  const protocol = url.protocol === 'http:' ? 'http' : 'https'
  // IPv6 hosts come bracketed from URL ("[::1]"); Node's http wants them bare.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  return { host, port: url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port), protocol }
}

/** The secret key, or STRIPE_KEY_MISSING with what to do. */
export async function readStripeSecretKey(secrets: SecretStore | undefined): Promise<string> {
  const key = secrets ? await secrets.get(STRIPE_SECRET_KEY_NAME) : null
  if (key === null) {
    throw new CsError(
      'STRIPE_KEY_MISSING',
      secrets?.protection === 'environment'
        ? 'No Stripe secret key is set — export COUNTERSIGN_SECRET_STRIPE_SECRET_KEY before running the command.'
        : 'No Stripe secret key is set — an admin enters it in Settings → Stripe.',
    )
  }
  return key
}

/** Last 4 characters, the only part of the key ever shown. */
export function stripeKeyLast4(key: string): string {
  return key.slice(-4)
}
