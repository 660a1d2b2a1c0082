/**
 * The harness's payments half (PaymentIntents, charges, refunds, transfers drawing on a charge)
 * through the REAL `stripe` package: what the Stripe escrow rail and a customer's checkout do.
 * Each step checks the platform balance exactly, and the refusals carry Stripe's error shape and
 * change nothing; idempotency and injected faults behave as they do for transfers.
 */
import Stripe from 'stripe'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startStripeHarness, type StripeHarness } from './index'

const T0 = new Date('2026-11-22T10:00:00Z')

let h: StripeHarness
let stripe: Stripe
let acct: string

function clientFor(harness: StripeHarness): Stripe {
  return new Stripe(harness.secretKey, { host: harness.host, port: harness.port, protocol: harness.protocol, maxNetworkRetries: 0 })
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

/** The customer pays 600.00 USD for escrow esc_1 (PaymentIntent created and confirmed in one call). */
async function customerPays(amount = 60_000, key?: string): Promise<{ intent: Stripe.PaymentIntent; charge: Stripe.Charge }> {
  const intent = await stripe.paymentIntents.create(
    {
      amount,
      currency: 'usd',
      transfer_group: 'esc_1',
      payment_method: 'pm_card_visa',
      confirm: true,
      metadata: { escrow_id: 'esc_1' },
    },
    key === undefined ? undefined : { idempotencyKey: key },
  )
  const charge = await stripe.charges.retrieve(intent.latest_charge as string)
  return { intent, charge }
}

beforeEach(async () => {
  h = await startStripeHarness({ balances: { usd: 1_000n } })
  h.setTime(T0)
  stripe = clientFor(h)
  acct = h.addConnectedAccount()
})

afterEach(async () => {
  await h.stop()
})

describe('PaymentIntents and charges', () => {
  it('a confirmed PaymentIntent succeeds with one charge in its transfer_group; the balance grows by exactly its amount', async () => {
    const { intent, charge } = await customerPays()
    expect(intent).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 60_000, amount_received: 60_000 })
    expect(intent.latest_charge).toMatch(/^ch_/)
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 60_000,
      amount_refunded: 0,
      refunded: false,
      status: 'succeeded',
      currency: 'usd',
      transfer_group: 'esc_1',
      payment_intent: intent.id,
      metadata: { escrow_id: 'esc_1' },
    })
    expect(h.balance('usd')).toBe(61_000n)
    const txn = await stripe.balanceTransactions.retrieve(charge.balance_transaction as string)
    expect(txn).toMatchObject({ type: 'charge', amount: 60_000, net: 60_000, source: charge.id, reporting_category: 'charge' })
    const types = h.events().map((e) => (e as { type: string }).type)
    expect(types).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded', 'balance.available'])
    const listed = await stripe.charges.list({ transfer_group: 'esc_1' })
    expect(listed.data.map((c) => c.id)).toEqual([charge.id])
  })

  it('created first, confirmed later through /confirm; a second confirm is refused', async () => {
    const intent = await stripe.paymentIntents.create({ amount: 500, currency: 'usd', transfer_group: 'esc_2' })
    expect(intent.status).toBe('requires_payment_method')
    expect(h.balance('usd')).toBe(1_000n)
    const paid = await stripe.paymentIntents.confirm(intent.id, { payment_method: 'pm_card_visa' })
    expect(paid.status).toBe('succeeded')
    expect((await stripe.paymentIntents.retrieve(intent.id)).latest_charge).toBe(paid.latest_charge)
    const again = await failure(stripe.paymentIntents.confirm(intent.id))
    expect(again.code).toBe('payment_intent_unexpected_state')
    expect(h.balance('usd')).toBe(1_500n)
    expect(h.charges()).toHaveLength(1)
  })

  it('a declined card: 402 card_error, no charge, no money', async () => {
    const err = await failure(
      stripe.paymentIntents.create({ amount: 500, currency: 'usd', payment_method: 'pm_card_chargeDeclined', confirm: true }),
    )
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError)
    expect(err.code).toBe('card_declined')
    expect(h.charges()).toHaveLength(0)
    expect(h.balance('usd')).toBe(1_000n)
  })

  it('the same idempotency key replays the PaymentIntent: one charge, paid once', async () => {
    const a = await customerPays(700, 'checkout-1')
    const b = await customerPays(700, 'checkout-1')
    expect(b.intent.id).toBe(a.intent.id)
    expect(h.charges()).toHaveLength(1)
    expect(h.balance('usd')).toBe(1_700n)
  })

  it('the control API pays as a customer would', () => {
    const paid = h.customerPays({ amount: 2_500n, currency: 'usd', transferGroup: 'esc_9' })
    expect(h.charges()[0]).toMatchObject({ id: paid.charge, payment_intent: paid.paymentIntent, transfer_group: 'esc_9', amount: 2_500n })
    expect(h.balance('usd')).toBe(3_500n)
  })
})

describe('refunds', () => {
  it('partial refunds up to the charge, then Stripe’s refusals; the balance exact at each step', async () => {
    const { charge } = await customerPays()
    const r1 = await stripe.refunds.create({ charge: charge.id, amount: 18_000, metadata: { milestone: '2' } })
    expect(r1).toMatchObject({ object: 'refund', amount: 18_000, charge: charge.id, status: 'succeeded', metadata: { milestone: '2' } })
    expect(h.balance('usd')).toBe(43_000n)
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 18_000, refunded: false })

    const tooMuch = await failure(stripe.refunds.create({ charge: charge.id, amount: 42_001 }))
    expect(tooMuch).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(tooMuch.raw).toMatchObject({ type: 'invalid_request_error', code: 'amount_too_large', param: 'amount' })
    expect(tooMuch.message).toMatch(/greater than unrefunded amount on charge \(42000\)/)
    expect(h.balance('usd')).toBe(43_000n)

    const r2 = await stripe.refunds.create({ payment_intent: charge.payment_intent as string })
    expect(r2.amount).toBe(42_000)
    expect(await stripe.charges.retrieve(charge.id)).toMatchObject({ amount_refunded: 60_000, refunded: true })
    expect(h.balance('usd')).toBe(1_000n)
    const done = await failure(stripe.refunds.create({ charge: charge.id, amount: 1 }))
    expect(done.code).toBe('charge_already_refunded')

    expect((await stripe.refunds.retrieve(r1.id)).amount).toBe(18_000)
    expect((await stripe.refunds.list({ charge: charge.id })).data.map((r) => r.id)).toEqual([r2.id, r1.id])
    const refundTxn = await stripe.balanceTransactions.retrieve(r1.balance_transaction as string)
    expect(refundTxn).toMatchObject({ type: 'refund', amount: -18_000, reporting_category: 'refund' })
    expect(h.events().filter((e) => (e as { type: string }).type === 'charge.refunded')).toHaveLength(2)
  })

  it('an unknown charge is refused with resource_missing', async () => {
    const err = await failure(stripe.refunds.create({ charge: 'ch_nope', amount: 1 }))
    expect(err.statusCode).toBe(404)
    expect(err.code).toBe('resource_missing')
  })

  it('a 500 changes nothing and the same key then runs; a dropped answer is replayed: one refund', async () => {
    const { charge } = await customerPays()
    h.faults.error500(1, { method: 'POST', path: '/v1/refunds' })
    const e500 = await failure(stripe.refunds.create({ charge: charge.id, amount: 100 }, { idempotencyKey: 'rf-1' }))
    expect(e500.statusCode).toBe(500)
    expect(h.refunds()).toHaveLength(0)
    // stripe-node resends once on a closed connection by itself: drop both answers.
    h.faults.dropAfterCommit(2, { method: 'POST', path: '/v1/refunds' })
    const lost = await failure(stripe.refunds.create({ charge: charge.id, amount: 100 }, { idempotencyKey: 'rf-1' }))
    expect(lost).toBeInstanceOf(Stripe.errors.StripeConnectionError)
    expect(h.refunds()).toHaveLength(1)
    const replay = await stripe.refunds.create({ charge: charge.id, amount: 100 }, { idempotencyKey: 'rf-1' })
    expect(replay.id).toBe(h.refunds()[0]!.id)
    expect(h.refunds()).toHaveLength(1)
    expect(h.balance('usd')).toBe(60_900n)
    expect(
      h
        .requests()
        .filter((r) => r.path === '/v1/refunds')
        .map((r) => r.replayed),
    ).toEqual([false, false, true, true])
  })
})

describe('transfers drawing on a charge (source_transaction)', () => {
  it('carries transfer_group and source_transaction, and may not take more than is left of the charge', async () => {
    const { charge } = await customerPays()
    const t1 = await stripe.transfers.create({
      amount: 10_000,
      currency: 'usd',
      destination: acct,
      transfer_group: 'esc_1',
      source_transaction: charge.id,
    })
    expect(t1).toMatchObject({ transfer_group: 'esc_1', source_transaction: charge.id, amount: 10_000 })
    expect(h.balance('usd')).toBe(51_000n)
    await stripe.refunds.create({ charge: charge.id, amount: 20_000 })
    expect(h.balance('usd')).toBe(31_000n)

    // 60 000 - 10 000 transferred - 20 000 refunded = 30 000 left.
    const over = await failure(
      stripe.transfers.create({ amount: 30_001, currency: 'usd', destination: acct, source_transaction: charge.id }),
    )
    expect(over.raw).toMatchObject({ type: 'invalid_request_error', code: 'amount_too_large', param: 'amount' })
    expect(over.message).toContain('(30000)')
    expect(h.balance('usd')).toBe(31_000n)
    await stripe.transfers.create({ amount: 30_000, currency: 'usd', destination: acct, source_transaction: charge.id })
    expect(h.balance('usd')).toBe(1_000n)

    const listed = await stripe.transfers.list({ transfer_group: 'esc_1' })
    expect(listed.data.map((t) => t.id)).toEqual([t1.id])
    const wrongCurrency = await failure(
      stripe.transfers.create({ amount: 1, currency: 'eur', destination: acct, source_transaction: charge.id }),
    )
    expect(wrongCurrency.param).toBe('currency')
    const unknown = await failure(stripe.transfers.create({ amount: 1, currency: 'usd', destination: acct, source_transaction: 'ch_x' }))
    expect(unknown.code).toBe('resource_missing')
    expect(h.transfers()).toHaveLength(2)
  })

  it('a reversal gives back what the transfer took from the charge', async () => {
    const { charge } = await customerPays(5_000)
    const t = await stripe.transfers.create({ amount: 5_000, currency: 'usd', destination: acct, source_transaction: charge.id })
    await failure(stripe.transfers.create({ amount: 1, currency: 'usd', destination: acct, source_transaction: charge.id }))
    h.reverseTransfer(t.id, 2_000n)
    const again = await stripe.transfers.create({ amount: 2_000, currency: 'usd', destination: acct, source_transaction: charge.id })
    expect(again.source_transaction).toBe(charge.id)
    expect(h.balance('usd')).toBe(1_000n)
  })
})
