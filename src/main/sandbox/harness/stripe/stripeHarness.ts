/**
 * A small Stripe-compatible server (API v1: Connect transfers and payouts; PaymentIntents,
 * charges and refunds for separate charges and transfers, in stripeHarnessPayments.ts) for tests and the
 * sandbox: no real Stripe account is reachable here, and stripe-mock is stateless, so it cannot
 * show the exactly-once behaviour the Stripe rail depends on.
 *
 * The real `stripe` package talks to it unchanged:
 *   new Stripe(harness.secretKey, { host: '127.0.0.1', port: harness.port, protocol: 'http' })
 *
 * What it keeps: the platform balance per currency (bigint minor units), connected accounts,
 * transfers (+ reversals, transfer_group, source_transaction), payouts, PaymentIntents, charges,
 * refunds, balance transactions and events, each list oldest-first in
 * memory and served newest-first with Stripe's cursor paging (starting_after / ending_before /
 * limit / has_more).
 *
 * The order a POST goes through — the order that matters for exactly-once tests:
 *
 *   Bearer key → injected 429 → injected 500 (nothing stored, no lock taken) → idempotency:
 *   replay a stored answer / idempotency_error on other params / 409 while the first is in
 *   flight → injected slowness (holding the in-flight lock) → validate → apply → store the
 *   answer under the key (24 h, harness clock) → injected drop (connection destroyed AFTER the
 *   change is stored, so a retry with the same key replays it).
 *
 * Like Stripe, answers are stored once the endpoint started executing (success, and business
 * refusals such as balance_insufficient); parameter validation errors, 401, 409, 429 and 500
 * are not stored, so a corrected retry with the same key runs.
 *
 * Every change emits events (transfer.created, transfer.reversed, payout.created,
 * payout.updated, payout.paid, payout.failed, payout.canceled, payment_intent.created,
 * payment_intent.succeeded, payment_intent.payment_failed, charge.succeeded, refund.created,
 * charge.refunded, balance.available) in one
 * sequence; `created` never goes backwards, and the sequence breaks ties.
 *
 * Deviations from Stripe, on purpose: ids are deterministic counters; `GET
 * /v1/balance_transactions?payout=po_…` returns the payout's own balance transactions (payout,
 * payout_failure, payout_cancel), where Stripe answers only for automatic payouts; connected
 * accounts hold no balance (a reversal always succeeds up to the amount not yet reversed); a
 * charge is available at once and free (no pending balance, no fee), and a transfer with
 * source_transaction still needs the available balance (the charge already put it there).
 */
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { canonicalParams, decodeForm, FormDecodeError, toJson, type FormParams, type FormValue } from './formEncoding'
import { ApiError, asString, clone, parseAmount, parseCurrency, parseMetadata, type Origin } from './harnessParams'
import { createPaymentsDesk, type Charge, type PaymentIntent, type Refund } from './stripeHarnessPayments'

/** Stripe keeps idempotency keys for at least 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000
/** Stripe's list endpoints: default page size and the most it allows. */
const LIST_LIMIT_DEFAULT = 10
const LIST_LIMIT_MAX = 100
/** A request body larger than this is refused (Stripe's own bodies are a few KB). */
const BODY_BYTES_MAX = 1024 * 1024
/** What the harness answers in Stripe-Version when the client sends none. */
const API_VERSION_DEFAULT = '2026-10-28.endive'
/** A manual payout arrives two days later (standard payouts). */
const PAYOUT_ARRIVAL_MS = 2 * 24 * 60 * 60 * 1000

export type TransfersCapability = 'active' | 'inactive' | 'pending'
export type PayoutStatus = 'pending' | 'in_transit' | 'paid' | 'failed' | 'canceled'

export interface StripeHarnessOptions {
  /** 0 / undefined = any free port. */
  port?: number
  /** Default 'sk_test_countersign_harness_' + random hex. */
  secretKey?: string
  now?: () => Date
  /** Opening platform balances, available, per lowercase currency. */
  balances?: Record<string, bigint>
  /**
   * Letters/digits put into every id after "_H" (default none). A sandbox that restarts the
   * harness gives each run its own, so ids never repeat those an earlier run handed out.
   */
  idSalt?: string
}

export interface ConnectedAccountOptions {
  id?: string
  transfersCapability?: TransfersCapability
  country?: string
  defaultCurrency?: string
}

export interface CustomerPaymentOptions {
  amount: bigint
  currency: string
  transferGroup?: string
  metadata?: Record<string, string>
  /** Default pm_card_visa; pm_card_chargeDeclined is declined. */
  paymentMethod?: string
}

export interface FaultMatch {
  method?: string
  /** Prefix of the path, e.g. '/v1/transfers'. */
  path?: string
}

export interface RecordedRequest {
  method: string
  path: string
  idempotencyKey: string | null
  params: Record<string, unknown>
  /** HTTP status answered; 0 when the connection was dropped instead. */
  status: number
  /** True when the answer was a stored idempotent replay. */
  replayed: boolean
  /** Stripe-Version the client sent, or null. */
  stripeVersion: string | null
  /** The fault injected into this request, if any. */
  fault: 'dropAfterCommit' | 'error500' | 'rateLimit429' | 'slow' | null
}

export interface StripeHarnessFaults {
  /** Apply the next N matching requests, store the answer, then destroy the connection. */
  dropAfterCommit(n?: number, match?: FaultMatch): void
  /** Answer the next N matching requests 500 api_error with Stripe-Should-Retry: true, changing nothing. */
  error500(n?: number, match?: FaultMatch): void
  /** Answer the next N matching requests 429 rate_limit, changing nothing. */
  rateLimit429(n?: number, match?: FaultMatch): void
  /** Hold the next N matching requests `ms` before they run (a POST holds its idempotency key meanwhile). */
  slow(ms: number, n?: number, match?: FaultMatch): void
  clear(): void
}

export interface StripeHarness {
  readonly url: string
  readonly host: '127.0.0.1'
  readonly port: number
  readonly protocol: 'http'
  readonly secretKey: string
  addConnectedAccount(opts?: ConnectedAccountOptions): string
  /** Change an account's transfers capability later (e.g. an account gets restricted). */
  setTransfersCapability(accountId: string, status: TransfersCapability): void
  setBalance(currency: string, available: bigint): void
  balance(currency: string): bigint
  transfers(): readonly object[]
  payouts(): readonly object[]
  events(): readonly object[]
  balanceTransactions(): readonly object[]
  paymentIntents(): readonly PaymentIntent[]
  charges(): readonly Charge[]
  refunds(): readonly Refund[]
  /**
   * A customer pays the platform, as from a checkout page: a PaymentIntent confirmed with the
   * test card (POST /v1/payment_intents, confirm=true). Returns its id and its charge's.
   */
  customerPays(opts: CustomerPaymentOptions): { paymentIntent: string; charge: string }
  /** Reverse a transfer as if from the Dashboard (amount defaults to what is not yet reversed). */
  reverseTransfer(id: string, amount?: bigint): void
  advancePayout(id: string, status: 'in_transit' | 'paid' | 'failed' | 'canceled', opts?: { failureCode?: string }): void
  requests(): readonly RecordedRequest[]
  readonly faults: StripeHarnessFaults
  setTime(d: Date): void
  advanceTime(ms: number): void
  stop(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Stored objects. Amounts are bigint; toJson writes them as integers.

interface Account {
  id: string
  object: 'account'
  business_type: null
  capabilities: { transfers: TransfersCapability }
  charges_enabled: boolean
  country: string
  created: number
  default_currency: string
  details_submitted: boolean
  email: null
  metadata: Record<string, string>
  payouts_enabled: boolean
  type: 'custom'
}

interface TransferReversal {
  amount: bigint
  balance_transaction: string
  created: number
  currency: string
  destination_payment_refund: string
  id: string
  metadata: Record<string, string>
  object: 'transfer_reversal'
  source_refund: null
  transfer: string
}

interface Transfer {
  amount: bigint
  amount_reversed: bigint
  balance_transaction: string
  created: number
  currency: string
  description: string | null
  destination: string
  destination_payment: string
  id: string
  livemode: false
  metadata: Record<string, string>
  object: 'transfer'
  reversals: { data: TransferReversal[]; has_more: false; object: 'list'; url: string }
  reversed: boolean
  /** The charge this transfer draws on (separate charges and transfers), or null. */
  source_transaction: string | null
  source_type: 'card'
  transfer_group: string | null
}

interface Payout {
  amount: bigint
  application_fee: null
  application_fee_amount: null
  arrival_date: number
  automatic: false
  balance_transaction: string
  created: number
  currency: string
  description: string | null
  destination: string
  failure_balance_transaction: string | null
  failure_code: string | null
  failure_message: string | null
  id: string
  livemode: false
  metadata: Record<string, string>
  method: 'standard'
  object: 'payout'
  original_payout: null
  reconciliation_status: 'not_applicable'
  reversed_by: null
  source_type: 'card'
  statement_descriptor: string | null
  status: PayoutStatus
  type: 'bank_account'
  trace_id: { status: 'pending' | 'supported' | 'unsupported'; value: string | null }
  payout_method: null
}

type BalanceTransactionType =
  'transfer' | 'transfer_cancel' | 'transfer_reversal' | 'payout' | 'payout_failure' | 'payout_cancel' | 'charge' | 'refund'

interface BalanceTransaction {
  amount: bigint
  available_on: number
  created: number
  currency: string
  description: string | null
  exchange_rate: null
  fee: bigint
  fee_details: never[]
  id: string
  net: bigint
  object: 'balance_transaction'
  reporting_category: string
  source: string
  status: 'available'
  type: BalanceTransactionType
  balance_type: 'payments'
}

interface StripeEvent {
  api_version: string
  created: number
  data: { object: unknown; previous_attributes?: Record<string, unknown> }
  id: string
  livemode: false
  object: 'event'
  pending_webhooks: number
  request: { id: string | null; idempotency_key: string | null }
  type: string
}

interface StoredAnswer {
  status: number
  body: string
  requestId: string
}

interface IdempotencyEntry {
  fingerprint: string
  createdMs: number
  /** null while the first request with this key is still running. */
  answer: StoredAnswer | null
}

type FaultKind = 'dropAfterCommit' | 'error500' | 'rateLimit429' | 'slow'
interface Fault {
  kind: FaultKind
  remaining: number
  match: FaultMatch
  ms: number
}

/** sk_test_abc…wxyz → sk_test_********wxyz: enough to tell keys apart, never the key. */
export function maskKey(key: string): string {
  const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? ''
  const tail = key.length - prefix.length > 8 ? key.slice(-4) : ''
  return `${prefix}${'*'.repeat(8)}${tail}`
}

function parseLimit(v: FormValue | undefined): number {
  if (v === undefined) return LIST_LIMIT_DEFAULT
  const s = asString(v) ?? ''
  const n = /^\d+$/.test(s) ? Number(s) : NaN
  if (!(n >= 1 && n <= LIST_LIMIT_MAX)) {
    throw new ApiError(
      400,
      'invalid_request_error',
      `Invalid limit: must be between 1 and ${LIST_LIMIT_MAX}.`,
      'parameter_invalid_integer',
      'limit',
    )
  }
  return n
}

/**
 * Stripe's cursor paging over a list kept oldest-first, served newest-first.
 * starting_after X: the `limit` items just older than X. ending_before X: the `limit` items just
 * newer than X (still newest-first); has_more says whether more lie beyond in that direction.
 */
function page<T extends { id: string }>(itemsOldestFirst: readonly T[], params: FormParams, url: string, resource: string): object {
  const limit = parseLimit(params.limit)
  const newestFirst = [...itemsOldestFirst].reverse()
  const startingAfter = asString(params.starting_after)
  const endingBefore = asString(params.ending_before)
  const indexOf = (id: string, param: string): number => {
    const i = newestFirst.findIndex((x) => x.id === id)
    if (i === -1) throw new ApiError(400, 'invalid_request_error', `No such ${resource}: '${id.slice(0, 64)}'`, 'resource_missing', param)
    return i
  }
  let data: T[]
  let hasMore: boolean
  if (startingAfter !== undefined && endingBefore !== undefined) {
    throw new ApiError(
      400,
      'invalid_request_error',
      'You may only specify one of these parameters: starting_after, ending_before.',
      'parameter_invalid_string',
    )
  } else if (endingBefore !== undefined) {
    const end = indexOf(endingBefore, 'ending_before')
    const start = Math.max(0, end - limit)
    data = newestFirst.slice(start, end)
    hasMore = start > 0
  } else {
    const start = startingAfter === undefined ? 0 : indexOf(startingAfter, 'starting_after') + 1
    data = newestFirst.slice(start, start + limit)
    hasMore = start + limit < newestFirst.length
  }
  return { object: 'list', data, has_more: hasMore, url }
}

export async function startStripeHarness(options: StripeHarnessOptions = {}): Promise<StripeHarness> {
  const secretKey = options.secretKey ?? `sk_test_countersign_harness_${randomBytes(12).toString('hex')}`
  const baseNow = options.now ?? (() => new Date())
  let fixedTime: Date | null = null
  let timeOffsetMs = 0
  const nowMs = (): number => (fixedTime ?? baseNow()).getTime() + timeOffsetMs

  // Deterministic ids: prefix + zero-padded counter per prefix.
  const counters = new Map<string, number>()
  const idSalt = options.idSalt ?? ''
  if (!/^[A-Za-z0-9]{0,16}$/.test(idSalt)) throw new Error('idSalt must be up to 16 letters and digits')
  const newId = (prefix: string, width = 14): string => {
    const n = (counters.get(prefix) ?? 0) + 1
    counters.set(prefix, n)
    return `${prefix}_H${idSalt}${n.toString().padStart(width, '0')}`
  }

  const balances = new Map<string, bigint>()
  for (const [cur, amount] of Object.entries(options.balances ?? {})) {
    if (amount < 0n) throw new Error(`opening balance for ${cur} is negative`)
    balances.set(cur.toLowerCase(), amount)
  }
  const accounts = new Map<string, Account>()
  const transfers: Transfer[] = []
  const payouts: Payout[] = []
  const balanceTxns: BalanceTransaction[] = []
  const events: StripeEvent[] = []
  const idempotency = new Map<string, IdempotencyEntry>()
  const recorded: RecordedRequest[] = []
  let faults: Fault[] = []
  let lastEventCreated = 0
  let apiVersionSeen = API_VERSION_DEFAULT

  const seconds = (): number => Math.floor(nowMs() / 1000)

  const balanceObject = (): object => {
    const currencies = [...balances.keys()].sort()
    return {
      object: 'balance',
      available: currencies.map((c) => ({ amount: balances.get(c) ?? 0n, currency: c, source_types: { card: balances.get(c) ?? 0n } })),
      connect_reserved: currencies.map((c) => ({ amount: 0n, currency: c })),
      livemode: false,
      pending: currencies.map((c) => ({ amount: 0n, currency: c, source_types: { card: 0n } })),
    }
  }

  const emit = (type: string, object: unknown, origin: Origin, previous?: Record<string, unknown>): void => {
    // created never goes backwards, even if the harness clock is set back; order is the sequence.
    const created = Math.max(seconds(), lastEventCreated)
    lastEventCreated = created
    const data: StripeEvent['data'] = { object: clone(object) }
    if (previous !== undefined) data.previous_attributes = clone(previous)
    events.push({
      api_version: origin.apiVersion,
      created,
      data,
      id: newId('evt', 16),
      livemode: false,
      object: 'event',
      pending_webhooks: 0,
      request: { id: origin.requestId, idempotency_key: origin.idempotencyKey },
      type,
    })
  }

  const moveBalance = (currency: string, delta: bigint, origin: Origin): void => {
    const next = (balances.get(currency) ?? 0n) + delta
    if (next < 0n) throw new Error(`harness invariant: ${currency} balance would go negative`)
    balances.set(currency, next)
    emit('balance.available', balanceObject(), origin)
  }

  const addBalanceTxn = (
    type: BalanceTransactionType,
    amount: bigint,
    currency: string,
    source: string,
    description: string | null,
  ): string => {
    const created = seconds()
    const reportingCategory: Record<BalanceTransactionType, string> = {
      transfer: 'transfer',
      transfer_cancel: 'transfer_reversal',
      transfer_reversal: 'transfer_reversal',
      payout: 'payout',
      payout_failure: 'payout_reversal',
      payout_cancel: 'payout_reversal',
      charge: 'charge',
      refund: 'refund',
    }
    const id = newId('txn', 16)
    balanceTxns.push({
      amount,
      available_on: created,
      created,
      currency,
      description,
      exchange_rate: null,
      fee: 0n,
      fee_details: [],
      id,
      net: amount,
      object: 'balance_transaction',
      reporting_category: reportingCategory[type],
      source,
      status: 'available',
      type,
      balance_type: 'payments',
    })
    return id
  }

  const findTransfer = (id: string): Transfer | undefined => transfers.find((t) => t.id === id)
  const findPayout = (id: string): Payout | undefined => payouts.find((p) => p.id === id)

  const payments = createPaymentsDesk({
    newId,
    seconds,
    emit,
    moveBalance,
    addBalanceTxn,
    available: (currency) => balances.get(currency) ?? 0n,
  })

  /**
   * A transfer with source_transaction draws on that charge: same currency, and no more than is
   * left of it (its amount less refunds and what earlier transfers from it took, net of reversals).
   */
  const checkSourceTransaction = (chargeId: string, amount: bigint, currency: string): void => {
    const charge = payments.charges.find((c) => c.id === chargeId)
    if (charge === undefined)
      throw new ApiError(
        400,
        'invalid_request_error',
        `No such charge: '${chargeId.slice(0, 64)}'`,
        'resource_missing',
        'source_transaction',
        true,
      )
    if (charge.currency !== currency)
      throw new ApiError(
        400,
        'invalid_request_error',
        `The currency of source_transaction's balance transaction (${charge.currency}) must be the same as the transfer currency (${currency}).`,
        'parameter_invalid_string',
        'currency',
        true,
      )
    const transferred = transfers
      .filter((t) => t.source_transaction === chargeId)
      .reduce((sum, t) => sum + t.amount - t.amount_reversed, 0n)
    const left = payments.chargeLeftForTransfers(chargeId, transferred)
    if (amount > left)
      throw new ApiError(
        400,
        'invalid_request_error',
        `Transfer amount (${amount}) is greater than the amount left on the source transaction ${chargeId} (${left < 0n ? 0n : left}).`,
        'amount_too_large',
        'amount',
        true,
      )
  }

  // --- operations (shared by HTTP and the control API) ----------------------------------------

  const createTransfer = (params: FormParams, origin: Origin): Transfer => {
    const amount = parseAmount(params.amount, true) as bigint
    const currency = parseCurrency(params.currency)
    const destination = asString(params.destination)
    if (destination === undefined || destination === '') {
      throw new ApiError(400, 'invalid_request_error', 'Missing required param: destination.', 'parameter_missing', 'destination')
    }
    const metadata = parseMetadata(params.metadata)
    const description = asString(params.description) ?? null
    const transferGroup = asString(params.transfer_group) ?? null
    const sourceTransaction = asString(params.source_transaction) ?? null
    // From here on the endpoint is executing: refusals are stored under the idempotency key.
    const account = accounts.get(destination)
    if (account === undefined) {
      throw new ApiError(
        400,
        'invalid_request_error',
        `No such destination: '${destination.slice(0, 64)}'`,
        'resource_missing',
        'destination',
        true,
      )
    }
    if (account.capabilities.transfers !== 'active') {
      throw new ApiError(
        400,
        'invalid_request_error',
        `Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments`,
        'insufficient_capabilities_for_transfer',
        'destination',
        true,
      )
    }
    if (sourceTransaction !== null) checkSourceTransaction(sourceTransaction, amount, currency)
    const available = balances.get(currency) ?? 0n
    if (amount > available) {
      throw new ApiError(
        400,
        'invalid_request_error',
        'You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card.',
        'balance_insufficient',
        undefined,
        true,
      )
    }
    const id = newId('tr', 20)
    const txn = addBalanceTxn('transfer', -amount, currency, id, description)
    const transfer: Transfer = {
      amount,
      amount_reversed: 0n,
      balance_transaction: txn,
      created: seconds(),
      currency,
      description,
      destination,
      destination_payment: newId('py', 14),
      id,
      livemode: false,
      metadata,
      object: 'transfer',
      reversals: { data: [], has_more: false, object: 'list', url: `/v1/transfers/${id}/reversals` },
      reversed: false,
      source_transaction: sourceTransaction,
      source_type: 'card',
      transfer_group: transferGroup,
    }
    transfers.push(transfer)
    emit('transfer.created', transfer, origin)
    moveBalance(currency, -amount, origin)
    return transfer
  }

  const createReversal = (
    transfer: Transfer,
    amountParam: bigint | undefined,
    metadata: Record<string, string>,
    origin: Origin,
  ): TransferReversal => {
    const remaining = transfer.amount - transfer.amount_reversed
    const amount = amountParam ?? remaining
    if (amount <= 0n || amount > remaining) {
      throw new ApiError(
        400,
        'invalid_request_error',
        `Refund amount (${amount}) is greater than the unreversed amount on the transfer (${remaining}).`,
        'parameter_invalid_integer',
        'amount',
        true,
      )
    }
    const id = newId('trr', 20)
    const txn = addBalanceTxn('transfer_reversal', amount, transfer.currency, id, null)
    const reversal: TransferReversal = {
      amount,
      balance_transaction: txn,
      created: seconds(),
      currency: transfer.currency,
      destination_payment_refund: newId('pyr', 14),
      id,
      metadata,
      object: 'transfer_reversal',
      source_refund: null,
      transfer: transfer.id,
    }
    const previous = { amount_reversed: transfer.amount_reversed, reversed: transfer.reversed }
    transfer.reversals.data.unshift(reversal)
    transfer.amount_reversed += amount
    transfer.reversed = transfer.amount_reversed === transfer.amount
    emit('transfer.reversed', transfer, origin, previous)
    moveBalance(transfer.currency, amount, origin)
    return reversal
  }

  const createPayout = (params: FormParams, origin: Origin): Payout => {
    const amount = parseAmount(params.amount, true) as bigint
    const currency = parseCurrency(params.currency)
    const metadata = parseMetadata(params.metadata)
    const description = asString(params.description) ?? null
    const statementDescriptor = asString(params.statement_descriptor) ?? null
    const available = balances.get(currency) ?? 0n
    if (amount > available) {
      throw new ApiError(
        400,
        'invalid_request_error',
        'You have insufficient funds in your Stripe account for this transfer.',
        'balance_insufficient',
        undefined,
        true,
      )
    }
    const id = newId('po', 20)
    const txn = addBalanceTxn('payout', -amount, currency, id, description)
    const created = seconds()
    const payout: Payout = {
      amount,
      application_fee: null,
      application_fee_amount: null,
      arrival_date: Math.floor((nowMs() + PAYOUT_ARRIVAL_MS) / 1000),
      automatic: false,
      balance_transaction: txn,
      created,
      currency,
      description,
      destination: `ba_H${currency.toUpperCase()}platformbank0`,
      failure_balance_transaction: null,
      failure_code: null,
      failure_message: null,
      id,
      livemode: false,
      metadata,
      method: 'standard',
      object: 'payout',
      original_payout: null,
      reconciliation_status: 'not_applicable',
      reversed_by: null,
      source_type: 'card',
      statement_descriptor: statementDescriptor,
      status: 'pending',
      type: 'bank_account',
      trace_id: { status: 'pending', value: null },
      payout_method: null,
    }
    payouts.push(payout)
    emit('payout.created', payout, origin)
    moveBalance(currency, -amount, origin)
    return payout
  }

  const FAILURE_MESSAGES: Record<string, string> = {
    account_closed: 'The bank account has been closed.',
    account_frozen: 'The bank account has been frozen.',
    no_account: 'The bank account details on file are probably incorrect. No bank account could be located with those details.',
    insufficient_funds: 'Your Stripe account has insufficient funds to cover the payout.',
    could_not_process: 'The bank could not process this payout.',
  }

  const advancePayout = (id: string, status: 'in_transit' | 'paid' | 'failed' | 'canceled', opts: { failureCode?: string } = {}): void => {
    const payout = findPayout(id)
    if (payout === undefined) throw new Error(`advancePayout: no payout ${id}`)
    const allowed: Record<PayoutStatus, readonly PayoutStatus[]> = {
      pending: ['in_transit', 'paid', 'failed', 'canceled'],
      in_transit: ['paid', 'failed'],
      paid: ['failed'],
      failed: [],
      canceled: [],
    }
    if (!allowed[payout.status].includes(status))
      throw new Error(`advancePayout: ${payout.id} cannot go from ${payout.status} to ${status}`)
    const origin: Origin = { requestId: null, idempotencyKey: null, apiVersion: apiVersionSeen }
    const previous: Record<string, unknown> = { status: payout.status }
    payout.status = status
    if (status === 'in_transit' || status === 'paid') {
      previous.trace_id = clone(payout.trace_id)
      payout.trace_id = { status: 'supported', value: `HARNESSTRACE${payout.id.slice(-8)}` }
    }
    if (status === 'failed' || status === 'canceled') {
      const type = status === 'failed' ? 'payout_failure' : 'payout_cancel'
      const failureCode = status === 'failed' ? (opts.failureCode ?? 'could_not_process') : null
      previous.failure_balance_transaction = null
      previous.failure_code = null
      previous.failure_message = null
      payout.failure_balance_transaction = addBalanceTxn(type, payout.amount, payout.currency, payout.id, null)
      payout.failure_code = failureCode
      payout.failure_message = failureCode === null ? null : (FAILURE_MESSAGES[failureCode] ?? 'The payout failed.')
    }
    emit('payout.updated', payout, origin, previous)
    if (status !== 'in_transit') emit(`payout.${status}`, payout, origin)
    if (status === 'failed' || status === 'canceled') moveBalance(payout.currency, payout.amount, origin)
  }

  // --- HTTP -----------------------------------------------------------------------------------

  interface Answer {
    status: number
    body: unknown
  }

  const route = (method: string, path: string, params: FormParams, origin: Origin): Answer => {
    const ok = (body: unknown): Answer => ({ status: 200, body })
    const parts = path.split('/').filter((p) => p !== '')
    if (parts[0] !== 'v1') throw notFound(method, path)
    const [, resource, id, sub] = parts
    if (method === 'GET' && resource === 'balance' && parts.length === 2) return ok(balanceObject())
    if (resource === 'transfers') {
      if (method === 'POST' && parts.length === 2) return ok(createTransfer(params, origin))
      if (method === 'GET' && parts.length === 2) {
        const group = asString(params.transfer_group)
        const destination = asString(params.destination)
        const list = transfers.filter(
          (t) => (group === undefined || t.transfer_group === group) && (destination === undefined || t.destination === destination),
        )
        return ok(page(list, params, '/v1/transfers', 'transfer'))
      }
      if (id !== undefined) {
        const transfer = findTransfer(id)
        if (transfer === undefined)
          throw new ApiError(404, 'invalid_request_error', `No such transfer: '${id.slice(0, 64)}'`, 'resource_missing', 'id')
        if (method === 'GET' && parts.length === 3) return ok(transfer)
        if (sub === 'reversals' && parts.length === 4) {
          if (method === 'POST')
            return ok(createReversal(transfer, parseAmount(params.amount, false), parseMetadata(params.metadata), origin))
          if (method === 'GET')
            return ok(page([...transfer.reversals.data].reverse(), params, `/v1/transfers/${id}/reversals`, 'transfer_reversal'))
        }
      }
    }
    const paymentsAnswer = routePayments(method, parts, params, origin)
    if (paymentsAnswer !== undefined) return ok(paymentsAnswer)
    if (resource === 'payouts') {
      if (method === 'POST' && parts.length === 2) return ok(createPayout(params, origin))
      if (method === 'GET' && parts.length === 2) return ok(page(payouts, params, '/v1/payouts', 'payout'))
      if (method === 'GET' && id !== undefined && parts.length === 3) {
        const payout = findPayout(id)
        if (payout === undefined)
          throw new ApiError(404, 'invalid_request_error', `No such payout: '${id.slice(0, 64)}'`, 'resource_missing', 'id')
        return ok(payout)
      }
    }
    if (resource === 'accounts' && method === 'GET' && id !== undefined && parts.length === 3) {
      const account = accounts.get(id)
      if (account === undefined)
        throw new ApiError(404, 'invalid_request_error', `No such account: '${id.slice(0, 64)}'`, 'resource_missing', 'account')
      return ok(account)
    }
    if (resource === 'events' && method === 'GET') {
      if (parts.length === 2) {
        const typesParam = params.types
        const types =
          typesParam === undefined
            ? undefined
            : Array.isArray(typesParam)
              ? typesParam.filter((t) => typeof t === 'string')
              : [asString(typesParam) ?? '']
        const type = asString(params.type)
        const matchType = (t: string, pattern: string): boolean =>
          pattern.endsWith('.*') ? t.startsWith(pattern.slice(0, -1)) : t === pattern
        const list = events.filter(
          (e) => (types === undefined || types.some((p) => matchType(e.type, p))) && (type === undefined || matchType(e.type, type)),
        )
        return ok(page(list, params, '/v1/events', 'event'))
      }
      if (id !== undefined && parts.length === 3) {
        const event = events.find((e) => e.id === id)
        if (event === undefined)
          throw new ApiError(404, 'invalid_request_error', `No such event: '${id.slice(0, 64)}'`, 'resource_missing', 'id')
        return ok(event)
      }
    }
    if (resource === 'balance_transactions' && method === 'GET') {
      if (parts.length === 2) {
        const payout = asString(params.payout)
        const source = asString(params.source)
        const type = asString(params.type)
        const currency = asString(params.currency)
        const list = balanceTxns.filter(
          (t) =>
            (payout === undefined || t.source === payout) &&
            (source === undefined || t.source === source) &&
            (type === undefined || t.type === type) &&
            (currency === undefined || t.currency === currency.toLowerCase()),
        )
        return ok(page(list, params, '/v1/balance_transactions', 'balance_transaction'))
      }
      if (id !== undefined && parts.length === 3) {
        const txn = balanceTxns.find((t) => t.id === id)
        if (txn === undefined)
          throw new ApiError(404, 'invalid_request_error', `No such balance transaction: '${id.slice(0, 64)}'`, 'resource_missing', 'id')
        return ok(txn)
      }
    }
    throw notFound(method, path)
  }

  /** /v1/payment_intents, /v1/charges, /v1/refunds: the object to answer, or undefined when not one of them. */
  const routePayments = (method: string, parts: readonly string[], params: FormParams, origin: Origin): unknown => {
    const [, resource, id, sub] = parts
    const listed = parts.length === 2
    const one = parts.length === 3 && id !== undefined
    if (resource === 'payment_intents') {
      if (method === 'POST' && listed) return payments.createPaymentIntent(params, origin)
      if (method === 'GET' && listed) return page(payments.paymentIntents, params, '/v1/payment_intents', 'payment_intent')
      if (method === 'GET' && one) return payments.findPaymentIntent(id)
      if (method === 'POST' && id !== undefined && sub === 'confirm' && parts.length === 4)
        return payments.confirmPaymentIntent(id, params, origin)
    }
    if (resource === 'charges' && method === 'GET') {
      if (listed) {
        const intent = asString(params.payment_intent)
        const group = asString(params.transfer_group)
        const list = payments.charges.filter(
          (c) => (intent === undefined || c.payment_intent === intent) && (group === undefined || c.transfer_group === group),
        )
        return page(list, params, '/v1/charges', 'charge')
      }
      if (one) return payments.findCharge(id)
    }
    if (resource === 'refunds') {
      if (method === 'POST' && listed) return payments.createRefund(params, origin)
      if (method === 'GET' && listed) {
        const charge = asString(params.charge)
        const intent = asString(params.payment_intent)
        const list = payments.refunds.filter(
          (r) => (charge === undefined || r.charge === charge) && (intent === undefined || r.payment_intent === intent),
        )
        return page(list, params, '/v1/refunds', 'refund')
      }
      if (method === 'GET' && one) return payments.findRefund(id)
    }
    return undefined
  }

  const notFound = (method: string, path: string): ApiError =>
    new ApiError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path.slice(0, 200)}).`)

  const takeFault = (kind: FaultKind, method: string, path: string): Fault | undefined => {
    const fault = faults.find(
      (f) =>
        f.kind === kind &&
        f.remaining > 0 &&
        (f.match.method === undefined || f.match.method.toUpperCase() === method) &&
        (f.match.path === undefined || path.startsWith(f.match.path)),
    )
    if (fault !== undefined) fault.remaining -= 1
    return fault
  }

  const readBody = (req: http.IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let size = 0
      req.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > BODY_BYTES_MAX) {
          reject(new ApiError(413, 'invalid_request_error', 'Request body too large.'))
          req.destroy()
          return
        }
        chunks.push(chunk)
      })
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      req.on('error', reject)
    })

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const path = url.pathname
    const requestId = newId('req', 14)
    const header = (name: string): string | null => {
      const v = req.headers[name]
      return typeof v === 'string' ? v : null
    }
    const idempotencyKey = method === 'POST' ? header('idempotency-key') : null
    const stripeVersion = header('stripe-version')
    const record: RecordedRequest = { method, path, idempotencyKey, params: {}, status: 0, replayed: false, stripeVersion, fault: null }
    recorded.push(record)

    const send = (status: number, body: string, extra: Record<string, string> = {}): void => {
      record.status = status
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Request-Id': requestId,
        'Stripe-Version': stripeVersion ?? API_VERSION_DEFAULT,
        ...extra,
      })
      res.end(body)
    }
    const sendError = (e: ApiError, extra: Record<string, string> = {}): void => send(e.status, toJson(e.body()), extra)

    try {
      const bodyText = await readBody(req)
      const auth = header('authorization')
      const bearer = auth !== null && auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : null
      if (bearer === null || bearer === '') {
        throw new ApiError(
          401,
          'invalid_request_error',
          "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        )
      }
      if (bearer !== secretKey) throw new ApiError(401, 'invalid_request_error', `Invalid API Key provided: ${maskKey(bearer)}`)
      let params: FormParams
      try {
        params = decodeForm(method === 'POST' ? bodyText : url.search.slice(1))
      } catch (e) {
        if (e instanceof FormDecodeError) throw new ApiError(400, 'invalid_request_error', e.message)
        throw e
      }
      record.params = clone(params)

      if (stripeVersion !== null) apiVersionSeen = stripeVersion

      if (takeFault('rateLimit429', method, path) !== undefined) {
        record.fault = 'rateLimit429'
        throw new ApiError(
          429,
          'invalid_request_error',
          'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
          'rate_limit',
        )
      }
      if (takeFault('error500', method, path) !== undefined) {
        record.fault = 'error500'
        sendError(new ApiError(500, 'api_error', 'An unknown error occurred (injected by the Stripe harness).'), {
          'Stripe-Should-Retry': 'true',
        })
        return
      }

      // Idempotency (POST only, as Stripe): replay, refuse, or take the key.
      let entry: IdempotencyEntry | undefined
      if (idempotencyKey !== null) {
        const fingerprint = `${method} ${path} ${canonicalParams(params)}`
        const existing = idempotency.get(idempotencyKey)
        if (existing !== undefined && nowMs() - existing.createdMs >= IDEMPOTENCY_TTL_MS && existing.answer !== null)
          idempotency.delete(idempotencyKey)
        const live = idempotency.get(idempotencyKey)
        if (live !== undefined) {
          const liveEndpoint = live.fingerprint.split(' ', 2).join(' ')
          if (liveEndpoint !== `${method} ${path}`) {
            throw new ApiError(
              400,
              'idempotency_error',
              `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${path.slice(0, 200)}' vs '${liveEndpoint.slice(liveEndpoint.indexOf(' ') + 1)}'). Try using a key other than '${idempotencyKey.slice(0, 255)}' if you meant to execute a different request.`,
            )
          }
          if (live.fingerprint !== fingerprint) {
            throw new ApiError(
              400,
              'idempotency_error',
              `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey.slice(0, 255)}' if you meant to execute a different request.`,
            )
          }
          if (live.answer === null) {
            throw new ApiError(
              409,
              'invalid_request_error',
              'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ' +
                `${idempotencyKey.slice(0, 255)}. Please try again later.`,
              'idempotency_key_in_use',
            )
          }
          record.replayed = true
          const stored = live.answer
          const dropped = takeFault('dropAfterCommit', method, path)
          if (dropped !== undefined) {
            record.fault = 'dropAfterCommit'
            res.socket?.destroy()
            return
          }
          send(stored.status, stored.body, { 'Idempotent-Replayed': 'true', 'Original-Request': stored.requestId })
          return
        }
        entry = { fingerprint, createdMs: nowMs(), answer: null }
        idempotency.set(idempotencyKey, entry)
      }

      const slow = takeFault('slow', method, path)
      if (slow !== undefined) {
        record.fault = 'slow'
        await sleep(slow.ms)
      }

      let answer: Answer
      try {
        answer = route(method, path, params, { requestId, idempotencyKey, apiVersion: stripeVersion ?? apiVersionSeen })
      } catch (e) {
        if (e instanceof ApiError && e.stored && entry !== undefined) {
          entry.answer = { status: e.status, body: toJson(e.body()), requestId }
        } else if (idempotencyKey !== null && entry !== undefined) {
          idempotency.delete(idempotencyKey)
        }
        throw e
      }
      const body = toJson(answer.body)
      if (entry !== undefined) entry.answer = { status: answer.status, body, requestId }

      const dropped = takeFault('dropAfterCommit', method, path)
      if (dropped !== undefined) {
        record.fault = 'dropAfterCommit'
        record.status = 0
        res.socket?.destroy()
        return
      }
      send(answer.status, body)
    } catch (e) {
      if (e instanceof ApiError) {
        // A stored refusal is committed like a success: a drop fault loses its answer, not its effect.
        if (e.stored) {
          const dropped = takeFault('dropAfterCommit', method, path)
          if (dropped !== undefined) {
            record.fault = 'dropAfterCommit'
            res.socket?.destroy()
            return
          }
        }
        sendError(e)
        return
      }
      record.status = 500
      if (!res.headersSent) send(500, toJson({ error: { type: 'api_error', message: 'Internal error in the Stripe harness.' } }))
      // A bug in the harness must be loud in tests.
      console.error('[stripe harness]', e)
    }
  }

  const server = http.createServer((req, res) => {
    void handle(req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port

  const controlOrigin = (): Origin => ({ requestId: null, idempotencyKey: null, apiVersion: apiVersionSeen })
  const addFault = (kind: FaultKind, n: number, match: FaultMatch | undefined, ms = 0): void => {
    if (!Number.isInteger(n) || n < 1) throw new Error(`fault count must be a positive integer, got ${n}`)
    faults.push({ kind, remaining: n, match: match ?? {}, ms })
  }

  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    protocol: 'http',
    secretKey,
    addConnectedAccount(opts = {}) {
      const id = opts.id ?? newId('acct', 15)
      if (!id.startsWith('acct_')) throw new Error(`connected account id must start with acct_: ${id}`)
      if (accounts.has(id)) throw new Error(`connected account ${id} already exists`)
      const capability = opts.transfersCapability ?? 'active'
      accounts.set(id, {
        id,
        object: 'account',
        business_type: null,
        capabilities: { transfers: capability },
        charges_enabled: capability === 'active',
        country: opts.country ?? 'US',
        created: seconds(),
        default_currency: (opts.defaultCurrency ?? 'usd').toLowerCase(),
        details_submitted: capability !== 'inactive',
        email: null,
        metadata: {},
        payouts_enabled: capability === 'active',
        type: 'custom',
      })
      return id
    },
    setTransfersCapability(accountId, status) {
      const account = accounts.get(accountId)
      if (account === undefined) throw new Error(`no connected account ${accountId}`)
      account.capabilities.transfers = status
      account.charges_enabled = status === 'active'
      account.payouts_enabled = status === 'active'
      account.details_submitted = status !== 'inactive'
    },
    setBalance(currency, available) {
      if (available < 0n) throw new Error('setBalance: available must be >= 0')
      const cur = currency.toLowerCase()
      balances.set(cur, available)
      emit('balance.available', balanceObject(), controlOrigin())
    },
    balance: (currency) => balances.get(currency.toLowerCase()) ?? 0n,
    transfers: () => clone(transfers),
    paymentIntents: () => clone(payments.paymentIntents),
    charges: () => clone(payments.charges),
    refunds: () => clone(payments.refunds),
    customerPays(opts) {
      const params: FormParams = {
        amount: opts.amount.toString(),
        currency: opts.currency,
        payment_method: opts.paymentMethod ?? 'pm_card_visa',
        confirm: 'true',
        ...(opts.transferGroup !== undefined ? { transfer_group: opts.transferGroup } : {}),
        ...(opts.metadata !== undefined ? { metadata: { ...opts.metadata } } : {}),
      }
      const intent = payments.createPaymentIntent(params, controlOrigin())
      return { paymentIntent: intent.id, charge: intent.latest_charge as string }
    },
    payouts: () => clone(payouts),
    events: () => clone(events),
    balanceTransactions: () => clone(balanceTxns),
    reverseTransfer(id, amount) {
      const transfer = findTransfer(id)
      if (transfer === undefined) throw new Error(`reverseTransfer: no transfer ${id}`)
      createReversal(transfer, amount, {}, controlOrigin())
    },
    advancePayout,
    requests: () => clone(recorded),
    faults: {
      dropAfterCommit: (n = 1, match) => addFault('dropAfterCommit', n, match),
      error500: (n = 1, match) => addFault('error500', n, match),
      rateLimit429: (n = 1, match) => addFault('rateLimit429', n, match),
      slow: (ms, n = 1, match) => {
        if (!(ms >= 0)) throw new Error('slow: ms must be >= 0')
        addFault('slow', n, match, ms)
      },
      clear: () => {
        faults = []
      },
    },
    setTime(d) {
      fixedTime = new Date(d.getTime())
      timeOffsetMs = 0
    },
    advanceTime(ms) {
      timeOffsetMs += ms
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}
