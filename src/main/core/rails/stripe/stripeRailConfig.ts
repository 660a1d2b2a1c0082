/**
 * The Stripe rail's configuration: which API it talks to (api.stripe.com, or the local harness in
 * the sandbox and tests). The secret key is NOT configuration: it lives in the SecretStore under
 * STRIPE_SECRET_KEY_NAME and is read only when a request is about to be made.
 */
import { CsError } from '../../../../shared/errors'
import type { SecretStore } from '../../secrets/SecretStore'
import { STRIPE_API_BASE_DEFAULT, type StripeApiBase } from './createStripeClient'

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

export function stripeApiBaseOf(apiUrl: string): StripeApiBase {
  const url = new URL(apiUrl)
  const protocol = url.protocol === 'http:' ? 'http' : url.protocol === 'https:' ? 'https' : null
  if (protocol === null)
    throw new CsError(
      'INVALID_INPUT',
      `Stripe API URL ${apiUrl.slice(0, 80)} must start with https:// (or http:// for a local test server).`,
    )
  if (url.hostname === STRIPE_API_BASE_DEFAULT.host && protocol === 'http')
    throw new CsError('INVALID_INPUT', 'The Stripe API must be reached over https:// — fix the URL in the rails settings.')
  return { host: url.hostname, port: url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port), protocol }
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
