/**
 * Injected faults, seen through the REAL `stripe` package: what the Stripe rail meets when the
 * network or Stripe misbehaves. The point of each test is what is (not) committed, since that is
 * what decides whether a retry with the same idempotency key is safe.
 */
import Stripe from 'stripe'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startStripeHarness, type StripeHarness } from './index'

let h: StripeHarness
let acct: string

function clientFor(harness: StripeHarness, maxNetworkRetries = 0): Stripe {
  return new Stripe(harness.secretKey, { host: harness.host, port: harness.port, protocol: harness.protocol, maxNetworkRetries })
}

async function failure(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(Stripe.errors.StripeError)
    return e as Stripe.errors.StripeError
  }
  throw new Error('expected the Stripe call to fail')
}

const transferParams = (amount = 700): Stripe.TransferCreateParams => ({
  amount,
  currency: 'usd',
  destination: acct,
  metadata: { payout_id: 'p_f' },
})

beforeEach(async () => {
  h = await startStripeHarness({ balances: { usd: 100_000n } })
  acct = h.addConnectedAccount()
})

afterEach(async () => {
  await h.stop()
})

describe('faults', () => {
  it('error500: api_error with Stripe-Should-Retry, nothing committed, the same key then runs', async () => {
    const stripe = clientFor(h)
    h.faults.error500(1, { method: 'POST', path: '/v1/transfers' })
    const err = await failure(stripe.transfers.create(transferParams(), { idempotencyKey: 'k-500' }))
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError)
    expect(err.statusCode).toBe(500)
    expect(err.raw).toMatchObject({ type: 'api_error' })
    expect(err.headers?.['stripe-should-retry']).toBe('true')
    expect(h.transfers()).toHaveLength(0)
    expect(h.balance('usd')).toBe(100_000n)
    const ok = await stripe.transfers.create(transferParams(), { idempotencyKey: 'k-500' })
    expect(ok.lastResponse.headers['idempotent-replayed']).toBeUndefined()
    expect(h.transfers()).toHaveLength(1)
    expect(h.requests().map((r) => [r.status, r.fault])).toEqual([
      [500, 'error500'],
      [200, null],
    ])
  })

  it('error500 is retried by stripe-node itself when retries are on (Stripe-Should-Retry: true)', async () => {
    h.faults.error500(1)
    const t = await clientFor(h, 1).transfers.create(transferParams())
    expect(t.amount).toBe(700)
    expect(h.transfers()).toHaveLength(1)
    const keys = h.requests().map((r) => r.idempotencyKey)
    expect(keys).toHaveLength(2)
    expect(keys[0]).toBe(keys[1])
  })

  it('rateLimit429: StripeRateLimitError code rate_limit, nothing committed or stored', async () => {
    const stripe = clientFor(h)
    h.faults.rateLimit429(2)
    for (let i = 0; i < 2; i++) {
      const err = await failure(stripe.transfers.create(transferParams(), { idempotencyKey: 'k-429' }))
      expect(err).toBeInstanceOf(Stripe.errors.StripeRateLimitError)
      expect(err.statusCode).toBe(429)
      expect(err.code).toBe('rate_limit')
    }
    expect(h.transfers()).toHaveLength(0)
    await stripe.transfers.create(transferParams(), { idempotencyKey: 'k-429' })
    expect(h.transfers()).toHaveLength(1)
  })

  it('dropAfterCommit: the transfer is committed; stripe-node retries the closed connection once and gets the replay', async () => {
    const stripe = clientFor(h) // maxNetworkRetries 0: stripe-node still retries ECONNRESET once
    h.faults.dropAfterCommit(1, { path: '/v1/transfers' })
    const t = await stripe.transfers.create(transferParams(), { idempotencyKey: 'k-drop' })
    expect(t.lastResponse.headers['idempotent-replayed']).toBe('true')
    expect(h.transfers()).toHaveLength(1)
    expect(h.balance('usd')).toBe(100_000n - 700n)
    expect(h.requests().map((r) => [r.status, r.fault, r.replayed, r.idempotencyKey])).toEqual([
      [0, 'dropAfterCommit', false, 'k-drop'],
      [200, null, true, 'k-drop'],
    ])
  })

  it('dropAfterCommit twice: StripeConnectionError, yet committed; a later retry with the key replays it', async () => {
    const stripe = clientFor(h)
    h.faults.dropAfterCommit(2)
    const err = await failure(stripe.transfers.create(transferParams(), { idempotencyKey: 'k-drop2' }))
    expect(err).toBeInstanceOf(Stripe.errors.StripeConnectionError)
    expect(h.transfers()).toHaveLength(1)
    const replay = await stripe.transfers.create(transferParams(), { idempotencyKey: 'k-drop2' })
    expect(replay.id).toBe((h.transfers()[0] as { id: string }).id)
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true')
    expect(h.transfers()).toHaveLength(1)
  })

  it('slow: a concurrent request with the same key meets 409 idempotency_key_in_use', async () => {
    const stripe = clientFor(h)
    h.faults.slow(400, 1, { method: 'POST', path: '/v1/transfers' })
    const started = Date.now()
    const first = stripe.transfers.create(transferParams(), { idempotencyKey: 'k-race' })
    // Send the second only once the first holds the key (is inside its slow window): no timing guess.
    for (let waitedMs = 0; !h.requests().some((r) => r.fault === 'slow'); waitedMs += 5) {
      if (waitedMs > 5_000) throw new Error('the first request never reached the harness')
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const second = stripe.transfers.create(transferParams(), { idempotencyKey: 'k-race' })
    const results = await Promise.allSettled([first, second])
    expect(Date.now() - started).toBeGreaterThanOrEqual(390)
    const [won, lost] = results
    expect(won?.status).toBe('fulfilled')
    expect(lost?.status).toBe('rejected')
    const err = (lost as PromiseRejectedResult).reason as Stripe.errors.StripeError
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError)
    expect(err.statusCode).toBe(409)
    expect(err.code).toBe('idempotency_key_in_use')
    expect(h.transfers()).toHaveLength(1)
    // Once the first finished, the same key replays.
    const replay = await stripe.transfers.create(transferParams(), { idempotencyKey: 'k-race' })
    expect(replay.id).toBe((won as PromiseFulfilledResult<Stripe.Transfer>).value.id)
  })

  it('faults match by method and path prefix, count down, and clear', async () => {
    const stripe = clientFor(h)
    h.faults.error500(1, { method: 'GET', path: '/v1/balance' })
    h.faults.rateLimit429(5, { path: '/v1/payouts' })
    await stripe.transfers.create(transferParams()) // not matched
    await failure(stripe.balance.retrieve())
    await stripe.balance.retrieve() // the one 500 is used up
    await failure(stripe.payouts.create({ amount: 1, currency: 'usd' }))
    h.faults.clear()
    await stripe.payouts.create({ amount: 1, currency: 'usd' })
    expect(h.requests().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /v1/transfers 200',
      'GET /v1/balance 500',
      'GET /v1/balance 200',
      'POST /v1/payouts 429',
      'POST /v1/payouts 200',
    ])
  })

  it('refuses nonsense fault counts (programmer error)', () => {
    expect(() => h.faults.error500(0)).toThrow()
    expect(() => h.faults.slow(-1)).toThrow()
  })
})
