/** A Stripe failure outside a transfer becomes our code and a sentence; a busy or failing Stripe is not called a refusal. */
import { describe, expect, it } from 'vitest'
import { stripeFailure } from './stripeFailure'

describe('stripeFailure', () => {
  it('a 429 or a 5xx left after retries is Stripe busy or failing, tried again, never "rejected"', () => {
    for (const statusCode of [429, 500, 503]) {
      const f = stripeFailure({ type: 'StripeAPIError', statusCode, message: 'try later' }, 'syncing events')
      expect(f.code).toBe('STRIPE_UNREACHABLE')
      expect(f.message).toBe(
        `Stripe was busy or failing while syncing events (StripeAPIError HTTP ${statusCode}: try later) — it is tried again on the next round; if it lasts, check Stripe's status page.`,
      )
    }
  })

  it('a 401 is the key, a 400 a refusal; the key never shows', () => {
    expect(stripeFailure({ statusCode: 401 }, 'reading the platform balance').code).toBe('STRIPE_AUTH_FAILED')
    const f = stripeFailure({ type: 'StripeInvalidRequestError', statusCode: 400, message: 'bad key sk_test_abc123' }, 'syncing events')
    expect(f.code).toBe('STRIPE_REQUEST_REJECTED')
    expect(f.message).not.toContain('abc123')
  })
})
