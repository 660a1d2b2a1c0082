import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { startStripeHarness, type StripeHarness } from '../../../../../test/harness/stripe'
import { CsError } from '../../../../shared/errors'
import { createStripeClient, stripeKeyMode } from './createStripeClient'
import { buildStripeTransferRequest, createStripeTransfer, stripeRejectionCode, stripeRejectionMessage } from './createStripeTransfer'
import { backoffMs, classifyStripeError, safeStripeMessage, type StripeRetryPolicy } from './postStripeWithRetry'
import { stripeIdempotencyKey } from './stripeIdempotencyKey'
import { assertStripeScale, stripeCurrencyOfAsset, stripeMinorUnitDecimals } from './stripeMinorUnits'

describe('stripe pure parts', () => {
  it('minor units: two, zero and three decimals, one table', () => {
    expect(stripeMinorUnitDecimals('USD')).toBe(2)
    expect(stripeMinorUnitDecimals('eur')).toBe(2)
    expect(stripeMinorUnitDecimals('jpy')).toBe(0)
    expect(stripeMinorUnitDecimals('BHD')).toBe(3)
    expect(() => stripeMinorUnitDecimals('usdc')).toThrow(CsError)
    expect(() => assertStripeScale('jpy', 2)).toThrow(/Stripe counts 0/)
    expect(() => assertStripeScale('bhd', 3)).not.toThrow()
    expect(stripeCurrencyOfAsset('BHD@stripe')).toBe('bhd')
    expect(() => stripeCurrencyOfAsset('USDC@evm:8453:0xabc')).toThrow(CsError)
  })

  it('idempotency key is derived from payout and attempt', () => {
    expect(stripeIdempotencyKey('p_1', 1)).toBe('cs_p_1_a1')
    expect(stripeIdempotencyKey('p_1', 2)).toBe('cs_p_1_a2')
    expect(() => stripeIdempotencyKey('p_1', 0)).toThrow()
    expect(stripeKeyMode('sk_test_abc')).toBe('test')
    expect(stripeKeyMode('rk_live_abc')).toBe('live')
  })

  it('classifies errors, honouring Stripe-Should-Retry', () => {
    expect(classifyStripeError({ type: 'StripeConnectionError' })).toBe('retry-unknown')
    expect(classifyStripeError({ type: 'StripeAPIError', statusCode: 500, headers: { 'stripe-should-retry': 'true' } })).toBe('retry')
    expect(classifyStripeError({ type: 'StripeAPIError', statusCode: 500, headers: { 'stripe-should-retry': 'false' } })).toBe('reject')
    expect(classifyStripeError({ type: 'StripeAPIError', statusCode: 503 })).toBe('retry')
    expect(classifyStripeError({ type: 'StripeRateLimitError', statusCode: 429 })).toBe('retry')
    expect(classifyStripeError({ type: 'StripeInvalidRequestError', statusCode: 409, code: 'idempotency_key_in_use' })).toBe('retry')
    expect(classifyStripeError({ type: 'StripeIdempotencyError', statusCode: 400, rawType: 'idempotency_error' })).toBe('idempotency')
    expect(classifyStripeError({ type: 'StripeInvalidRequestError', statusCode: 400, code: 'balance_insufficient' })).toBe('reject')
    const policy: StripeRetryPolicy = { attemptsMax: 9, backoffMsBase: 100, backoffMsMax: 1000, sleep: async () => {} }
    expect([0, 1, 2, 3, 4].map((i) => backoffMs(policy, i))).toEqual([100, 200, 400, 800, 1000])
  })

  it('maps refusals to codes naming the payee, and masks keys in messages', () => {
    expect(stripeRejectionCode({ statusCode: 400, code: 'balance_insufficient' })).toBe('STRIPE_BALANCE_INSUFFICIENT')
    expect(stripeRejectionCode({ statusCode: 404, code: 'resource_missing' })).toBe('STRIPE_ACCOUNT_MISSING')
    expect(stripeRejectionCode({ statusCode: 400, code: 'insufficient_capabilities_for_transfer' })).toBe('STRIPE_ACCOUNT_NOT_READY')
    expect(stripeRejectionCode({ statusCode: 401 })).toBe('STRIPE_AUTH_FAILED')
    expect(stripeRejectionMessage({ statusCode: 404, code: 'resource_missing' }, 'acct_X1')).toContain('acct_X1')
    expect(safeStripeMessage({ message: 'Invalid API Key provided: sk_test_abcdef123456' })).not.toContain('abcdef123456')
    expect(() =>
      buildStripeTransferRequest({ payoutId: 'p', batchId: 'b', amountMinor: 1n, currency: 'usd', destination: '0xabc' }),
    ).toThrow(CsError)
  })
})

describe('stripe transfers against the harness: our key, our retries, exactly one transfer', () => {
  let h: StripeHarness
  const slept: number[] = []
  const policy: StripeRetryPolicy = { attemptsMax: 6, backoffMsBase: 10, backoffMsMax: 200, sleep: async (ms) => void slept.push(ms) }

  beforeEach(async () => {
    slept.length = 0
    h = await startStripeHarness({ balances: { usd: 1_000_000n, jpy: 1_000_000n, bhd: 1_000_000n } })
  })
  afterEach(async () => {
    await h.stop()
  })

  async function pay(payoutId: string, amountMinor: bigint, currency: string, destination: string) {
    const stripe = await createStripeClient(h.secretKey, { host: h.host, port: h.port, protocol: h.protocol }, 2_000)
    const req = buildStripeTransferRequest({ payoutId, batchId: 'b1', amountMinor, currency, destination })
    return createStripeTransfer(stripe, req, stripeIdempotencyKey(payoutId, 1), policy)
  }

  function assertOneTransferAndOurKey(payoutId: string) {
    const transfers = h.transfers() as { metadata: Record<string, string> }[]
    expect(transfers.filter((t) => t.metadata.countersign_payout_id === payoutId)).toHaveLength(1)
    const posts = h.requests().filter((r) => r.method === 'POST')
    expect(posts.length).toBeGreaterThan(0)
    for (const r of posts) expect(r.idempotencyKey).toBe(stripeIdempotencyKey(payoutId, 1))
  }

  it('USD, JPY and BHD transfers carry exact minor units', async () => {
    const acct = h.addConnectedAccount()
    for (const [id, amt, cur] of [
      ['p_usd', 12345n, 'usd'],
      ['p_jpy', 5000n, 'jpy'],
      ['p_bhd', 1234n, 'bhd'],
    ] as const) {
      const out = await pay(id, amt, cur, acct)
      expect(out.kind).toBe('ok')
      if (out.kind === 'ok') expect(BigInt(out.value.amount)).toBe(amt)
    }
    expect(h.balance('usd')).toBe(1_000_000n - 12345n)
    expect(h.balance('jpy')).toBe(1_000_000n - 5000n)
    expect(h.balance('bhd')).toBe(1_000_000n - 1234n)
  })

  it('dropAfterCommit: resend with the same key replays, one transfer', async () => {
    const acct = h.addConnectedAccount()
    h.faults.dropAfterCommit(2, { method: 'POST', path: '/v1/transfers' })
    const out = await pay('p_drop', 500n, 'usd', acct)
    expect(out.kind).toBe('ok')
    assertOneTransferAndOurKey('p_drop')
    expect(h.requests().filter((r) => r.method === 'POST' && r.replayed).length).toBeGreaterThan(0)
  })

  it('500 then 429: retried with backoff, one transfer', async () => {
    const acct = h.addConnectedAccount()
    h.faults.error500(2, { path: '/v1/transfers' })
    h.faults.rateLimit429(1, { path: '/v1/transfers' })
    const out = await pay('p_5xx', 500n, 'usd', acct)
    expect(out.kind).toBe('ok')
    assertOneTransferAndOurKey('p_5xx')
    expect(slept).toEqual([10, 20, 40])
  })

  it('slow → timeout → 409 in use → replay: one transfer', async () => {
    const acct = h.addConnectedAccount()
    // Longer than the client timeout: the first answer is lost while the key stays held.
    h.faults.slow(2_500, 1, { path: '/v1/transfers' })
    // Our retries come back at once (injected sleep) and meet 409 idempotency_key_in_use until
    // the budget is spent: the outcome is 'unknown' — the engine's 'maybe-sent'.
    const first = await pay('p_slow', 700n, 'usd', acct)
    expect(first.kind).toBe('unknown')
    expect(h.requests().some((r) => r.status === 409)).toBe(true)
    // Wait for the held request to commit (an observable state, not a timed sleep) ...
    await vi.waitFor(() => expect(h.transfers()).toHaveLength(1), { timeout: 10_000, interval: 50 })
    // ... then `lookup` re-POSTs with the SAME key and Stripe replays the stored transfer.
    const again = await pay('p_slow', 700n, 'usd', acct)
    expect(again.kind).toBe('ok')
    expect(h.requests().at(-1)?.replayed).toBe(true)
    assertOneTransferAndOurKey('p_slow')
  })

  it('refusals are definite and name the payee; idempotency_error is a hard stop', async () => {
    const missing = await pay('p_missing', 100n, 'usd', 'acct_doesnotexist')
    expect(missing.kind).toBe('rejected')
    if (missing.kind === 'rejected') expect(stripeRejectionCode(missing.error)).toBe('STRIPE_ACCOUNT_MISSING')
    const notReady = h.addConnectedAccount({ transfersCapability: 'inactive' })
    const nr = await pay('p_nr', 100n, 'usd', notReady)
    expect(nr.kind).toBe('rejected')
    if (nr.kind === 'rejected') expect(stripeRejectionCode(nr.error)).toBe('STRIPE_ACCOUNT_NOT_READY')
    h.setBalance('usd', 10n)
    const poor = await pay('p_poor', 100n, 'usd', h.addConnectedAccount())
    expect(poor.kind).toBe('rejected')
    if (poor.kind === 'rejected') expect(stripeRejectionCode(poor.error)).toBe('STRIPE_BALANCE_INSUFFICIENT')

    h.setBalance('usd', 1000n)
    const acct = h.addConnectedAccount()
    const stripe = await createStripeClient(h.secretKey, { host: h.host, port: h.port, protocol: h.protocol }, 2_000)
    const key = stripeIdempotencyKey('p_same', 1)
    await createStripeTransfer(
      stripe,
      buildStripeTransferRequest({ payoutId: 'p_same', batchId: 'b1', amountMinor: 1n, currency: 'usd', destination: acct }),
      key,
      policy,
    )
    await expect(
      createStripeTransfer(
        stripe,
        buildStripeTransferRequest({ payoutId: 'p_same', batchId: 'b1', amountMinor: 2n, currency: 'usd', destination: acct }),
        key,
        policy,
      ),
    ).rejects.toMatchObject({ code: 'STRIPE_IDEMPOTENCY_CONFLICT' })
  })

  it('a wrong key: 401 → STRIPE_AUTH_FAILED, and the key is not in the message', async () => {
    const wrong = 'sk_test_wrongwrongwrong_1234'
    const stripe = await createStripeClient(wrong, { host: h.host, port: h.port, protocol: h.protocol }, 2_000)
    const out = await createStripeTransfer(
      stripe,
      buildStripeTransferRequest({
        payoutId: 'p_401',
        batchId: 'b',
        amountMinor: 1n,
        currency: 'usd',
        destination: h.addConnectedAccount(),
      }),
      'cs_p_401_a1',
      policy,
    )
    expect(out.kind).toBe('rejected')
    if (out.kind !== 'rejected') return
    expect(stripeRejectionCode(out.error)).toBe('STRIPE_AUTH_FAILED')
    const msg = stripeRejectionMessage(out.error, 'acct_x')
    expect(msg).not.toContain('wrongwrongwrong')
    expect(msg).not.toContain(h.secretKey)
  })
})
