/**
 * The payments half of the Stripe harness: PaymentIntents paid by a customer, the charges they
 * make, and refunds of those charges — what "separate charges and transfers" escrow needs (a
 * customer pays the platform with transfer_group = the escrow id; releases are transfers with
 * source_transaction = the charge; refunds give the payer back). The transfer/payout half, the
 * HTTP server, idempotency and faults live in stripeHarness.ts, which routes here.
 *
 * Objects have the keys of Stripe's own (stripe-mock fixtures; test/harness/stripe/stripeShape).
 * Test payment methods as in Stripe's test mode: `pm_card_visa` (and any other `pm_card_…`)
 * succeeds, `pm_card_chargeDeclined` is declined (402 card_error card_declined).
 *
 * Deviations from Stripe, on purpose: a succeeded charge is available at once (no pending
 * balance, no fee: net = amount); only automatic capture and card payments exist.
 */
import type { FormParams, FormValue } from './formEncoding'
import { ApiError, asString, parseAmount, parseCurrency, parseMetadata, type Origin } from './harnessParams'

/** Stripe's test PaymentMethod that is always declined. */
const PM_DECLINED = 'pm_card_chargeDeclined'
const PM_TEST_RE = /^pm_card_[A-Za-z0-9]+$/

export type PaymentIntentStatus = 'requires_payment_method' | 'requires_confirmation' | 'succeeded' | 'canceled'

export interface PaymentIntent {
  amount: bigint
  amount_capturable: bigint
  amount_details: { tip: Record<string, never> }
  amount_received: bigint
  application: null
  application_fee_amount: null
  automatic_payment_methods: null
  canceled_at: null
  cancellation_reason: null
  capture_method: 'automatic'
  client_secret: string
  confirmation_method: 'automatic'
  created: number
  currency: string
  customer: null
  description: string | null
  excluded_payment_method_types: null
  id: string
  last_payment_error: { type: string; code: string; message: string } | null
  latest_charge: string | null
  livemode: false
  metadata: Record<string, string>
  next_action: null
  object: 'payment_intent'
  on_behalf_of: null
  payment_method: string | null
  payment_method_configuration_details: null
  payment_method_options: Record<string, never>
  payment_method_types: string[]
  processing: null
  receipt_email: null
  review: null
  setup_future_usage: null
  shipping: null
  source: null
  statement_descriptor: null
  statement_descriptor_suffix: null
  status: PaymentIntentStatus
  transfer_data: null
  transfer_group: string | null
}

export interface Refund {
  amount: bigint
  balance_transaction: string
  charge: string
  created: number
  currency: string
  destination_details: { card: { type: 'refund' }; type: 'card' }
  id: string
  metadata: Record<string, string>
  object: 'refund'
  payment_intent: string | null
  reason: string | null
  receipt_number: null
  source_transfer_reversal: null
  status: 'succeeded'
  transfer_reversal: null
}

interface Address {
  city: null
  country: null
  line1: null
  line2: null
  postal_code: null
  state: null
}

export interface Charge {
  amount: bigint
  amount_captured: bigint
  amount_refunded: bigint
  application: null
  application_fee: null
  application_fee_amount: null
  balance_transaction: string
  billing_details: { address: Address; email: null; name: null; phone: null; tax_id: null }
  calculated_statement_descriptor: string
  captured: true
  created: number
  currency: string
  customer: null
  description: string | null
  disputed: false
  failure_balance_transaction: null
  failure_code: null
  failure_message: null
  fraud_details: Record<string, never>
  id: string
  livemode: false
  metadata: Record<string, string>
  object: 'charge'
  on_behalf_of: null
  outcome: {
    advice_code: null
    network_advice_code: null
    network_decline_code: null
    network_status: 'approved_by_network'
    reason: null
    seller_message: string
    type: 'authorized'
  }
  paid: true
  payment_intent: string | null
  payment_method: string
  payment_method_details: null
  receipt_email: null
  receipt_number: null
  receipt_url: null
  refunded: boolean
  refunds: { data: Refund[]; has_more: false; object: 'list'; url: string }
  review: null
  shipping: null
  source: null
  source_transfer: null
  statement_descriptor: null
  statement_descriptor_suffix: null
  status: 'succeeded'
  transfer_data: null
  transfer_group: string | null
}

/** What the payments half needs from the harness around it. */
export interface PaymentsContext {
  newId(prefix: string, width?: number): string
  seconds(): number
  emit(type: string, object: unknown, origin: Origin, previous?: Record<string, unknown>): void
  moveBalance(currency: string, delta: bigint, origin: Origin): void
  addBalanceTxn(type: 'charge' | 'refund', amount: bigint, currency: string, source: string, description: string | null): string
  available(currency: string): bigint
}

export interface PaymentsDesk {
  readonly paymentIntents: PaymentIntent[]
  readonly charges: Charge[]
  readonly refunds: Refund[]
  createPaymentIntent(params: FormParams, origin: Origin): PaymentIntent
  confirmPaymentIntent(id: string, params: FormParams, origin: Origin): PaymentIntent
  createRefund(params: FormParams, origin: Origin): Refund
  findPaymentIntent(id: string): PaymentIntent
  findCharge(id: string): Charge
  findRefund(id: string): Refund
  /** What a transfer with source_transaction = this charge may still take: amount - refunded - transferred. */
  chargeLeftForTransfers(chargeId: string, transferred: bigint): bigint
}

const missing = (resource: string, id: string, param: string): ApiError =>
  new ApiError(404, 'invalid_request_error', `No such ${resource}: '${id.slice(0, 64)}'`, 'resource_missing', param)

const NO_ADDRESS: Address = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null }

function found<T>(value: T | undefined, resource: string, id: string, param: string): T {
  if (value === undefined) throw missing(resource, id, param)
  return value
}

function paymentMethodOf(v: FormValue | undefined): string | null {
  const pm = asString(v)
  if (pm === undefined || pm === '') return null
  if (!PM_TEST_RE.test(pm)) throw missing('PaymentMethod', pm, 'payment_method')
  return pm
}

export function createPaymentsDesk(ctx: PaymentsContext): PaymentsDesk {
  const paymentIntents: PaymentIntent[] = []
  const charges: Charge[] = []
  const refunds: Refund[] = []

  const findPaymentIntent = (id: string): PaymentIntent =>
    found(
      paymentIntents.find((p) => p.id === id),
      'payment_intent',
      id,
      'intent',
    )
  const findCharge = (id: string): Charge =>
    found(
      charges.find((c) => c.id === id),
      'charge',
      id,
      'charge',
    )
  const findRefund = (id: string): Refund =>
    found(
      refunds.find((r) => r.id === id),
      'refund',
      id,
      'id',
    )

  const createPaymentIntent = (params: FormParams, origin: Origin): PaymentIntent => {
    const amount = parseAmount(params.amount, true) as bigint
    const currency = parseCurrency(params.currency)
    const metadata = parseMetadata(params.metadata)
    const paymentMethod = paymentMethodOf(params.payment_method)
    const confirm = asString(params.confirm) === 'true'
    if (confirm && paymentMethod === null)
      throw new ApiError(
        400,
        'invalid_request_error',
        'You cannot confirm this PaymentIntent because it’s missing a payment method.',
        'payment_intent_unexpected_state',
        'payment_method',
      )
    const id = ctx.newId('pi', 20)
    const intent: PaymentIntent = {
      amount,
      amount_capturable: 0n,
      amount_details: { tip: {} },
      amount_received: 0n,
      application: null,
      application_fee_amount: null,
      automatic_payment_methods: null,
      canceled_at: null,
      cancellation_reason: null,
      capture_method: 'automatic',
      client_secret: `${id}_secret_${ctx.newId('cs', 12).slice(3)}`,
      confirmation_method: 'automatic',
      created: ctx.seconds(),
      currency,
      customer: null,
      description: asString(params.description) ?? null,
      excluded_payment_method_types: null,
      id,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata,
      next_action: null,
      object: 'payment_intent',
      on_behalf_of: null,
      payment_method: paymentMethod,
      payment_method_configuration_details: null,
      payment_method_options: {},
      payment_method_types: ['card'],
      processing: null,
      receipt_email: null,
      review: null,
      setup_future_usage: null,
      shipping: null,
      source: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: paymentMethod === null ? 'requires_payment_method' : 'requires_confirmation',
      transfer_data: null,
      transfer_group: asString(params.transfer_group) ?? null,
    }
    paymentIntents.push(intent)
    ctx.emit('payment_intent.created', intent, origin)
    return confirm ? pay(intent, origin) : intent
  }

  const confirmPaymentIntent = (id: string, params: FormParams, origin: Origin): PaymentIntent => {
    const intent = findPaymentIntent(id)
    const paymentMethod = paymentMethodOf(params.payment_method) ?? intent.payment_method
    if (intent.status !== 'requires_payment_method' && intent.status !== 'requires_confirmation')
      throw new ApiError(
        400,
        'invalid_request_error',
        `This PaymentIntent's status is ${intent.status}, but it must be requires_payment_method or requires_confirmation to be confirmed.`,
        'payment_intent_unexpected_state',
        undefined,
        true,
      )
    if (paymentMethod === null)
      throw new ApiError(
        400,
        'invalid_request_error',
        'You cannot confirm this PaymentIntent because it’s missing a payment method.',
        'payment_intent_unexpected_state',
        'payment_method',
      )
    intent.payment_method = paymentMethod
    return pay(intent, origin)
  }

  /** The customer's card pays: one succeeded charge, the platform balance grows by its amount. */
  const pay = (intent: PaymentIntent, origin: Origin): PaymentIntent => {
    const paymentMethod = intent.payment_method as string
    if (paymentMethod === PM_DECLINED) {
      intent.status = 'requires_payment_method'
      intent.last_payment_error = { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' }
      ctx.emit('payment_intent.payment_failed', intent, origin)
      throw new ApiError(402, 'card_error', 'Your card was declined.', 'card_declined', undefined, true)
    }
    const id = ctx.newId('ch', 20)
    const charge: Charge = {
      amount: intent.amount,
      amount_captured: intent.amount,
      amount_refunded: 0n,
      application: null,
      application_fee: null,
      application_fee_amount: null,
      balance_transaction: ctx.addBalanceTxn('charge', intent.amount, intent.currency, id, intent.description),
      billing_details: { address: { ...NO_ADDRESS }, email: null, name: null, phone: null, tax_id: null },
      calculated_statement_descriptor: 'COUNTERSIGN HARNESS',
      captured: true,
      created: ctx.seconds(),
      currency: intent.currency,
      customer: null,
      description: intent.description,
      disputed: false,
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      fraud_details: {},
      id,
      livemode: false,
      metadata: { ...intent.metadata },
      object: 'charge',
      on_behalf_of: null,
      outcome: {
        advice_code: null,
        network_advice_code: null,
        network_decline_code: null,
        network_status: 'approved_by_network',
        reason: null,
        seller_message: 'Payment complete.',
        type: 'authorized',
      },
      paid: true,
      payment_intent: intent.id,
      payment_method: paymentMethod,
      payment_method_details: null,
      receipt_email: null,
      receipt_number: null,
      receipt_url: null,
      refunded: false,
      refunds: { data: [], has_more: false, object: 'list', url: `/v1/charges/${id}/refunds` },
      review: null,
      shipping: null,
      source: null,
      source_transfer: null,
      statement_descriptor: null,
      statement_descriptor_suffix: null,
      status: 'succeeded',
      transfer_data: null,
      transfer_group: intent.transfer_group,
    }
    charges.push(charge)
    intent.status = 'succeeded'
    intent.amount_received = intent.amount
    intent.latest_charge = id
    intent.last_payment_error = null
    ctx.emit('charge.succeeded', charge, origin)
    ctx.emit('payment_intent.succeeded', intent, origin)
    ctx.moveBalance(charge.currency, charge.amount, origin)
    return intent
  }

  const createRefund = (params: FormParams, origin: Origin): Refund => {
    const chargeParam = asString(params.charge)
    const intentParam = asString(params.payment_intent)
    const amountParam = parseAmount(params.amount, false)
    const metadata = parseMetadata(params.metadata)
    const reason = asString(params.reason) ?? null
    if ((chargeParam === undefined) === (intentParam === undefined))
      throw new ApiError(
        400,
        'invalid_request_error',
        'You must pass either `charge` or `payment_intent` (and not both).',
        'parameter_missing',
      )
    // From here on the endpoint is executing: refusals are stored under the idempotency key.
    const charge = chargeOf(chargeParam, intentParam)
    const left = charge.amount - charge.amount_refunded
    if (left === 0n)
      throw new ApiError(
        400,
        'invalid_request_error',
        `Charge ${charge.id} has already been refunded.`,
        'charge_already_refunded',
        undefined,
        true,
      )
    const amount = amountParam ?? left
    if (amount > left)
      throw new ApiError(
        400,
        'invalid_request_error',
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
        'amount_too_large',
        'amount',
        true,
      )
    if (amount > ctx.available(charge.currency))
      throw new ApiError(
        400,
        'invalid_request_error',
        'You have insufficient available funds in your Stripe account to cover this refund.',
        'balance_insufficient',
        undefined,
        true,
      )
    return applyRefund(charge, amount, metadata, reason, origin)
  }

  const chargeOf = (chargeId: string | undefined, intentId: string | undefined): Charge => {
    if (chargeId !== undefined) {
      const charge = charges.find((c) => c.id === chargeId)
      if (charge === undefined)
        throw new ApiError(404, 'invalid_request_error', `No such charge: '${chargeId.slice(0, 64)}'`, 'resource_missing', 'charge', true)
      return charge
    }
    const intent = paymentIntents.find((p) => p.id === intentId)
    if (intent === undefined || intent.latest_charge === null)
      throw new ApiError(
        400,
        'invalid_request_error',
        `PaymentIntent ${String(intentId).slice(0, 64)} has no successful charge to refund.`,
        'charge_not_refundable',
        'payment_intent',
        true,
      )
    return findCharge(intent.latest_charge)
  }

  const applyRefund = (charge: Charge, amount: bigint, metadata: Record<string, string>, reason: string | null, origin: Origin): Refund => {
    const id = ctx.newId('re', 20)
    const refund: Refund = {
      amount,
      balance_transaction: ctx.addBalanceTxn('refund', -amount, charge.currency, id, null),
      charge: charge.id,
      created: ctx.seconds(),
      currency: charge.currency,
      destination_details: { card: { type: 'refund' }, type: 'card' },
      id,
      metadata,
      object: 'refund',
      payment_intent: charge.payment_intent,
      reason,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    }
    refunds.push(refund)
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded }
    charge.refunds.data.unshift(refund)
    charge.amount_refunded += amount
    charge.refunded = charge.amount_refunded === charge.amount
    ctx.emit('refund.created', refund, origin)
    ctx.emit('charge.refunded', charge, origin, previous)
    ctx.moveBalance(charge.currency, -amount, origin)
    return refund
  }

  return {
    paymentIntents,
    charges,
    refunds,
    createPaymentIntent,
    confirmPaymentIntent,
    createRefund,
    findPaymentIntent,
    findCharge,
    findRefund,
    chargeLeftForTransfers: (chargeId, transferred) => {
      const charge = findCharge(chargeId)
      return charge.amount - charge.amount_refunded - transferred
    },
  }
}
