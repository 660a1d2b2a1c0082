/**
 * A Stripe failure met outside a transfer (a balance read, an account check, the Events sync) as
 * our code and a sentence saying what to do. Never carries the key: safeStripeMessage masks it.
 */
import { CsError } from '../../../../shared/errors'
import { safeStripeMessage, type StripeErrorLike } from './postStripeWithRetry'

/** `doing` completes "while …": "reading the platform balance". */
export function stripeFailure(error: unknown, doing: string): CsError {
  if (error instanceof CsError) return error
  const e = error as StripeErrorLike
  if (e.statusCode === 401)
    return new CsError('STRIPE_AUTH_FAILED', `Stripe refused the secret key while ${doing} — enter the right key in Settings → Stripe.`)
  if (e.statusCode === undefined || e.type === 'StripeConnectionError')
    return new CsError(
      'STRIPE_UNREACHABLE',
      `Stripe could not be reached while ${doing} (${safeStripeMessage(e)}) — check the connection; it is retried.`,
    )
  // Busy (429) or failing (5xx) after the client's own retries: nothing was refused — the next round tries again.
  if (e.statusCode === 429 || e.statusCode >= 500)
    return new CsError(
      'STRIPE_UNREACHABLE',
      `Stripe was busy or failing while ${doing} (${safeStripeMessage(e)}) — it is tried again on the next round; if it lasts, check Stripe's status page.`,
    )
  return new CsError('STRIPE_REQUEST_REJECTED', `Stripe answered an error while ${doing} (${safeStripeMessage(e)}).`)
}
