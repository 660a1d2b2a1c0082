/**
 * The Stripe harness against the REAL `stripe` package (the client the Stripe rail uses): if
 * stripe-node can create transfers, replay them by idempotency key, page events and balance
 * transactions here, the rail's own calls can too. Each refusal is checked for the error class
 * stripe-node raises for it, since that is what the rail branches on.
 */
import Stripe from 'stripe'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { maskKey, startStripeHarness, type StripeHarness } from './index'

const T0 = new Date('2026-11-22T10:00:00Z')

let h: StripeHarness
let stripe: Stripe

function clientFor(harness: StripeHarness, key = harness.secretKey): Stripe {
  return new Stripe(key, { host: harness.host, port: harness.port, protocol: harness.protocol, maxNetworkRetries: 0 })
}

/** Catch a rejection and return it as a StripeError (the test fails if the call succeeds). */
async function failure(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(Stripe.errors.StripeError)
    return e as Stripe.errors.StripeError
  }
  throw new Error('expected the Stripe call to fail')
}

beforeEach(async () => {
  h = await startStripeHarness({ balances: { usd: 1_000_000n } })
  h.setTime(T0)
  stripe = clientFor(h)
})

afterEach(async () => {
  await h.stop()
})

describe('authentication', () => {
  it('refuses a wrong key with a masked key in the message', async () => {
    const wrongKey = 'sk_test_thisIsNotTheHarnessKey0042'
    const err = await failure(clientFor(h, wrongKey).balance.retrieve())
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError)
    expect(err.statusCode).toBe(401)
    expect(err.type).toBe('StripeAuthenticationError')
    expect(err.raw).toMatchObject({ type: 'invalid_request_error' })
    expect(err.message).toContain(maskKey(wrongKey))
    expect(err.message).not.toContain(wrongKey)
    expect(err.message).not.toContain('thisIsNotTheHarnessKey')
    expect(h.requests().at(-1)?.status).toBe(401)
  })

  it('refuses a request without a key', async () => {
    const res = await fetch(`${h.url}/v1/balance`)
    expect(res.status).toBe(401)
    const body = (await res.json()) as { error: { type: string; message: string } }
    expect(body.error.type).toBe('invalid_request_error')
    expect(body.error.message).toMatch(/did not provide an API key/)
  })

  it('masks keys without leaking more than the last 4 characters', () => {
    expect(maskKey('sk_test_abcdefghijkl1234')).toBe('sk_test_********1234')
    expect(maskKey('short')).toBe('********')
  })
})

describe('transfers', () => {
  it('creates a transfer with an idempotency key and records the request as sent', async () => {
    const acct = h.addConnectedAccount()
    const t = await stripe.transfers.create(
      { amount: 1100, currency: 'usd', destination: acct, transfer_group: 'batch_7', description: 'row 3', metadata: { payout_id: 'p_1' } },
      { idempotencyKey: 'payout-p_1' },
    )
    expect(t).toMatchObject({
      object: 'transfer',
      amount: 1100,
      currency: 'usd',
      destination: acct,
      transfer_group: 'batch_7',
      description: 'row 3',
    })
    expect(t.id).toMatch(/^tr_/)
    expect(t.metadata).toEqual({ payout_id: 'p_1' })
    expect(t.created).toBe(T0.getTime() / 1000)
    expect(h.balance('usd')).toBe(1_000_000n - 1100n)
    expect(h.transfers()).toHaveLength(1)

    const req = h.requests().at(-1)
    expect(req).toMatchObject({ method: 'POST', path: '/v1/transfers', idempotencyKey: 'payout-p_1', status: 200, replayed: false })
    expect(req?.params).toEqual({
      amount: '1100',
      currency: 'usd',
      destination: acct,
      transfer_group: 'batch_7',
      description: 'row 3',
      metadata: { payout_id: 'p_1' },
    })
    expect(req?.stripeVersion).toMatch(/^\d{4}-\d{2}-\d{2}/)

    const fetched = await stripe.transfers.retrieve(t.id)
    expect(fetched.id).toBe(t.id)
    expect(fetched.amount).toBe(1100)
  })

  it('replays the same key + same params: same id, Idempotent-Replayed, no second transfer', async () => {
    const acct = h.addConnectedAccount()
    const params = { amount: 500, currency: 'usd', destination: acct, metadata: { payout_id: 'p_2' } }
    const first = await stripe.transfers.create(params, { idempotencyKey: 'k-replay' })
    const eventsBefore = h.events().length
    const second = await stripe.transfers.create({ ...params, metadata: { payout_id: 'p_2' } }, { idempotencyKey: 'k-replay' })
    expect(second.id).toBe(first.id)
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true')
    expect(second.lastResponse.headers['original-request']).toBe(first.lastResponse.requestId)
    expect(second.lastResponse.requestId).not.toBe(first.lastResponse.requestId)
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined()
    expect(h.transfers()).toHaveLength(1)
    expect(h.balance('usd')).toBe(1_000_000n - 500n)
    expect(h.events()).toHaveLength(eventsBefore)
    expect(h.requests().map((r) => r.replayed)).toEqual([false, true])
  })

  it('refuses the same key with other params: StripeIdempotencyError', async () => {
    const acct = h.addConnectedAccount()
    await stripe.transfers.create({ amount: 500, currency: 'usd', destination: acct }, { idempotencyKey: 'k-other' })
    const err = await failure(stripe.transfers.create({ amount: 501, currency: 'usd', destination: acct }, { idempotencyKey: 'k-other' }))
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
    expect(err.statusCode).toBe(400)
    expect(err.raw).toMatchObject({ type: 'idempotency_error' })
    expect(h.transfers()).toHaveLength(1)
    const otherEndpoint = await failure(stripe.payouts.create({ amount: 500, currency: 'usd' }, { idempotencyKey: 'k-other' }))
    expect(otherEndpoint).toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
    expect(otherEndpoint.message).toMatch(/same endpoint/)
    expect(h.payouts()).toHaveLength(0)
  })

  it('forgets a key after 24 hours (harness clock)', async () => {
    const acct = h.addConnectedAccount()
    await stripe.transfers.create({ amount: 500, currency: 'usd', destination: acct }, { idempotencyKey: 'k-ttl' })
    h.advanceTime(24 * 60 * 60 * 1000 - 1)
    await failure(stripe.transfers.create({ amount: 600, currency: 'usd', destination: acct }, { idempotencyKey: 'k-ttl' }))
    h.advanceTime(1)
    const again = await stripe.transfers.create({ amount: 600, currency: 'usd', destination: acct }, { idempotencyKey: 'k-ttl' })
    expect(again.amount).toBe(600)
    expect(h.transfers()).toHaveLength(2)
  })

  it('refuses a transfer beyond the available balance (balance_insufficient), and stores the refusal under its key', async () => {
    const acct = h.addConnectedAccount()
    const err = await failure(
      stripe.transfers.create({ amount: 1_000_001, currency: 'usd', destination: acct }, { idempotencyKey: 'k-poor' }),
    )
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(err.code).toBe('balance_insufficient')
    expect(h.transfers()).toHaveLength(0)
    expect(h.balance('usd')).toBe(1_000_000n)
    // Stripe keeps a refusal of an executing request: the same key replays it even after a top-up.
    h.setBalance('usd', 2_000_000n)
    const replay = await failure(
      stripe.transfers.create({ amount: 1_000_001, currency: 'usd', destination: acct }, { idempotencyKey: 'k-poor' }),
    )
    expect(replay.code).toBe('balance_insufficient')
    expect(replay.headers?.['idempotent-replayed']).toBe('true')
    const fresh = await stripe.transfers.create({ amount: 1_000_001, currency: 'usd', destination: acct }, { idempotencyKey: 'k-poor-2' })
    expect(fresh.amount).toBe(1_000_001)
    // A currency never funded has nothing available.
    expect((await failure(stripe.transfers.create({ amount: 1, currency: 'eur', destination: acct }))).code).toBe('balance_insufficient')
  })

  it('refuses an unknown destination (resource_missing, param destination)', async () => {
    const err = await failure(stripe.transfers.create({ amount: 100, currency: 'usd', destination: 'acct_doesnotexist00' }))
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(err.code).toBe('resource_missing')
    expect(err.param).toBe('destination')
    expect(h.balance('usd')).toBe(1_000_000n)
  })

  it('refuses a destination whose transfers capability is not active', async () => {
    const inactive = h.addConnectedAccount({ transfersCapability: 'inactive' })
    const pending = h.addConnectedAccount({ transfersCapability: 'pending' })
    for (const destination of [inactive, pending]) {
      const err = await failure(stripe.transfers.create({ amount: 100, currency: 'usd', destination }))
      expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
      expect(err.code).toBe('insufficient_capabilities_for_transfer')
    }
    h.setTransfersCapability(pending, 'active')
    expect((await stripe.transfers.create({ amount: 100, currency: 'usd', destination: pending })).amount).toBe(100)
  })

  it('refuses malformed amounts without storing them under the key', async () => {
    const acct = h.addConnectedAccount()
    const res = await fetch(`${h.url}/v1/transfers`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${h.secretKey}`, 'Idempotency-Key': 'k-bad', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `amount=10.5&currency=usd&destination=${acct}`,
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('parameter_invalid_integer')
    // Not stored: the corrected request with the same key runs.
    const ok = await stripe.transfers.create({ amount: 10, currency: 'usd', destination: acct }, { idempotencyKey: 'k-bad' })
    expect(ok.amount).toBe(10)
  })

  it('keeps JPY (0 decimals) and BHD (3 decimals) amounts exact', async () => {
    const acct = h.addConnectedAccount({ country: 'JP', defaultCurrency: 'jpy' })
    h.setBalance('jpy', 987_654_321n)
    h.setBalance('BHD', 12_345_678n)
    const yen = await stripe.transfers.create({ amount: 123_456_789, currency: 'jpy', destination: acct })
    const fils = await stripe.transfers.create({ amount: 1_234_567, currency: 'BHD', destination: acct })
    expect(yen).toMatchObject({ amount: 123_456_789, currency: 'jpy' })
    expect(fils).toMatchObject({ amount: 1_234_567, currency: 'bhd' })
    expect(h.balance('jpy')).toBe(864_197_532n)
    expect(h.balance('bhd')).toBe(11_111_111n)
    const balance = await stripe.balance.retrieve()
    expect(balance.available.find((b) => b.currency === 'jpy')?.amount).toBe(864_197_532)
    expect(balance.available.find((b) => b.currency === 'bhd')?.amount).toBe(11_111_111)
    const txns = await stripe.balanceTransactions.list({ type: 'transfer' })
    expect(txns.data.map((t) => [t.currency, t.amount])).toEqual([
      ['bhd', -1_234_567],
      ['jpy', -123_456_789],
    ])
  })

  it('writes amounts beyond 2^53 as exact JSON integers', async () => {
    h.setBalance('jpy', 9_007_199_254_740_993n)
    const res = await fetch(`${h.url}/v1/balance`, { headers: { Authorization: `Bearer ${h.secretKey}` } })
    expect(await res.text()).toContain('"amount":9007199254740993,')
  })

  it('lists transfers of one transfer_group, newest first', async () => {
    const acct = h.addConnectedAccount()
    const a = await stripe.transfers.create({ amount: 1, currency: 'usd', destination: acct, transfer_group: 'g1' })
    await stripe.transfers.create({ amount: 2, currency: 'usd', destination: acct, transfer_group: 'g2' })
    const c = await stripe.transfers.create({ amount: 3, currency: 'usd', destination: acct, transfer_group: 'g1' })
    const list = await stripe.transfers.list({ transfer_group: 'g1' })
    expect(list.data.map((t) => t.id)).toEqual([c.id, a.id])
    expect(list.has_more).toBe(false)
  })

  it('reverses a transfer over the API and from the control API', async () => {
    const acct = h.addConnectedAccount()
    const t = await stripe.transfers.create({ amount: 1000, currency: 'usd', destination: acct })
    const r1 = await stripe.transfers.createReversal(t.id, { amount: 300 }, { idempotencyKey: 'rev-1' })
    expect(r1).toMatchObject({ object: 'transfer_reversal', amount: 300, transfer: t.id, currency: 'usd' })
    expect(h.balance('usd')).toBe(1_000_000n - 700n)
    const over = await failure(stripe.transfers.createReversal(t.id, { amount: 701 }))
    expect(over).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    h.reverseTransfer(t.id)
    const after = await stripe.transfers.retrieve(t.id)
    expect(after).toMatchObject({ amount_reversed: 1000, reversed: true })
    expect(after.reversals.data.map((r) => r.amount)).toEqual([700, 300])
    expect(h.balance('usd')).toBe(1_000_000n)
    const reversedEvents = h.events().filter((e) => (e as { type: string }).type === 'transfer.reversed')
    expect(reversedEvents).toHaveLength(2)
  })

  it('retrieves connected accounts with their capability', async () => {
    const id = h.addConnectedAccount({ id: 'acct_1Countersign0001', country: 'DE', defaultCurrency: 'EUR', transfersCapability: 'pending' })
    const account = await stripe.accounts.retrieve(id)
    expect(account).toMatchObject({
      id,
      object: 'account',
      country: 'DE',
      default_currency: 'eur',
      charges_enabled: false,
      payouts_enabled: false,
      details_submitted: true,
      capabilities: { transfers: 'pending' },
    })
    const err = await failure(stripe.accounts.retrieve('acct_unknown000000'))
    expect(err.statusCode).toBe(404)
    expect(err.code).toBe('resource_missing')
  })
})

describe('events', () => {
  async function makeTransfers(n: number): Promise<void> {
    const acct = h.addConnectedAccount()
    for (let i = 0; i < n; i++) {
      h.advanceTime(1000)
      await stripe.transfers.create({ amount: 10 + i, currency: 'usd', destination: acct }, { idempotencyKey: `ev-${i}` })
    }
  }

  it('pages newest first with starting_after, and back with ending_before', async () => {
    await makeTransfers(4) // 8 events: transfer.created + balance.available each
    const all = (h.events() as { id: string; created: number; type: string }[]).slice().reverse()
    expect(all).toHaveLength(8)

    const forward: string[] = []
    let cursor: string | undefined
    const pageSizes: number[] = []
    for (;;) {
      const pageResult = await stripe.events.list({ limit: 3, ...(cursor === undefined ? {} : { starting_after: cursor }) })
      pageSizes.push(pageResult.data.length)
      forward.push(...pageResult.data.map((e) => e.id))
      if (!pageResult.has_more) break
      cursor = pageResult.data.at(-1)?.id
    }
    expect(pageSizes).toEqual([3, 3, 2])
    expect(forward).toEqual(all.map((e) => e.id))

    // Backwards from the oldest: each page is the `limit` events just newer, still newest first.
    const oldest = all.at(-1)?.id as string
    const back = await stripe.events.list({ limit: 3, ending_before: oldest })
    expect(back.data.map((e) => e.id)).toEqual(all.slice(4, 7).map((e) => e.id))
    expect(back.has_more).toBe(true)
    const backAll = await stripe.events.list({ limit: 3, ending_before: oldest }).autoPagingToArray({ limit: 100 })
    expect(backAll.map((e) => e.id)).toEqual(
      all
        .slice(0, 7)
        .reverse()
        .map((e) => e.id),
    )

    // created never decreases along the stable order.
    const created = all.map((e) => e.created).reverse()
    expect(created).toEqual([...created].sort((a, b) => a - b))
    expect(created[0]).toBeLessThan(created.at(-1) as number)
  })

  it('filters by types[] and carries request id and idempotency key', async () => {
    await makeTransfers(2)
    const list = await stripe.events.list({ types: ['transfer.created'] })
    expect(list.data).toHaveLength(2)
    const [newest] = list.data
    expect(newest).toMatchObject({ object: 'event', type: 'transfer.created', livemode: false, pending_webhooks: 0 })
    expect(newest?.id).toMatch(/^evt_/)
    expect(newest?.request).toMatchObject({ idempotency_key: 'ev-1' })
    expect(newest?.request?.id).toMatch(/^req_/)
    expect(newest?.api_version).toMatch(/^\d{4}-\d{2}-\d{2}/)
    expect((newest?.data.object as Stripe.Transfer).amount).toBe(11)
    const wildcard = await stripe.events.list({ types: ['balance.*'], limit: 100 })
    expect(wildcard.data.every((e) => e.type === 'balance.available')).toBe(true)
    expect(wildcard.data).toHaveLength(2)
    const missing = await failure(stripe.events.list({ starting_after: 'evt_nope' }))
    expect(missing.code).toBe('resource_missing')
  })
})

describe('payouts and balance transactions', () => {
  it('walks a payout pending → in_transit → paid → failed, and the failure returns the funds', async () => {
    const payout = await stripe.payouts.create({ amount: 250_000, currency: 'usd', metadata: { run: 'r1' } }, { idempotencyKey: 'po-1' })
    expect(payout).toMatchObject({ object: 'payout', status: 'pending', amount: 250_000, automatic: false, failure_code: null })
    expect(h.balance('usd')).toBe(750_000n)
    h.advancePayout(payout.id, 'in_transit')
    h.advancePayout(payout.id, 'paid')
    expect((await stripe.payouts.retrieve(payout.id)).status).toBe('paid')
    h.advanceTime(3 * 24 * 60 * 60 * 1000)
    h.advancePayout(payout.id, 'failed', { failureCode: 'account_closed' })
    const failed = await stripe.payouts.retrieve(payout.id)
    expect(failed).toMatchObject({ status: 'failed', failure_code: 'account_closed' })
    expect(failed.failure_message).toMatch(/closed/)
    expect(failed.failure_balance_transaction).toMatch(/^txn_/)
    expect(h.balance('usd')).toBe(1_000_000n)
    expect(() => h.advancePayout(payout.id, 'paid')).toThrow(/cannot go from failed/)

    const types = (await stripe.events.list({ types: ['payout.*'], limit: 100 })).data.map((e) => e.type).reverse()
    expect(types).toEqual(['payout.created', 'payout.updated', 'payout.updated', 'payout.paid', 'payout.updated', 'payout.failed'])

    const txns = await stripe.balanceTransactions.list({ payout: payout.id })
    expect(txns.data.map((t) => [t.type, t.amount])).toEqual([
      ['payout_failure', 250_000],
      ['payout', -250_000],
    ])
    expect(txns.data[0]?.id).toBe(failed.failure_balance_transaction)
  })

  it('cancels a pending payout and refuses one beyond the balance', async () => {
    const payout = await stripe.payouts.create({ amount: 1000, currency: 'usd' })
    h.advancePayout(payout.id, 'canceled')
    expect((await stripe.payouts.retrieve(payout.id)).status).toBe('canceled')
    expect(h.balance('usd')).toBe(1_000_000n)
    const err = await failure(stripe.payouts.create({ amount: 1_000_001, currency: 'usd' }))
    expect(err.code).toBe('balance_insufficient')
    expect(h.payouts()).toHaveLength(1)
  })

  it('lists balance transactions for transfers, reversals and payouts with paging', async () => {
    const acct = h.addConnectedAccount()
    const t = await stripe.transfers.create({ amount: 400, currency: 'usd', destination: acct })
    await stripe.transfers.createReversal(t.id, { amount: 100 })
    const po = await stripe.payouts.create({ amount: 50, currency: 'usd' })
    h.advancePayout(po.id, 'failed', { failureCode: 'no_account' })
    const first = await stripe.balanceTransactions.list({ limit: 2 })
    expect(first.has_more).toBe(true)
    const rest = await stripe.balanceTransactions.list({ limit: 2, starting_after: first.data.at(-1)?.id })
    expect(rest.has_more).toBe(false)
    const all = [...first.data, ...rest.data]
    expect(all.map((x) => [x.type, x.amount, x.net, x.fee])).toEqual([
      ['payout_failure', 50, 50, 0],
      ['payout', -50, -50, 0],
      ['transfer_reversal', 100, 100, 0],
      ['transfer', -400, -400, 0],
    ])
    expect(all.at(-1)?.source).toBe(t.id)
    // The balance equals the opening balance plus every balance transaction.
    expect(h.balance('usd')).toBe(1_000_000n + all.reduce((sum, x) => sum + BigInt(x.amount), 0n))
  })
})
