/**
 * What every endpoint of the Stripe harness shares: Stripe's error body (ApiError), who caused a
 * change (Origin), and the parsing of the parameters every create call takes (amount, currency,
 * metadata) — kept apart so the transfer/payout part (stripeHarness.ts) and the payments part
 * (stripeHarnessPayments.ts) refuse bad input with the same words.
 */
import type { FormValue } from './formEncoding'

/** Largest amount accepted (Stripe's limit is 8 digits in most currencies; this only guards the harness). */
export const AMOUNT_MAX = 10n ** 15n

/** The error body Stripe sends: { error: { type, code?, message, param? } }. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
    readonly param?: string,
    /** Whether Stripe would keep this answer under the idempotency key. */
    readonly stored = false,
  ) {
    super(message)
  }
  body(): object {
    const error: Record<string, string> = { type: this.type, message: this.message }
    if (this.code !== undefined) error.code = this.code
    if (this.param !== undefined) error.param = this.param
    if (this.code !== undefined) error.doc_url = `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, '-')}`
    return { error }
  }
}

/** Who triggered a change: a request (id + key) or the control API (both null). */
export interface Origin {
  requestId: string | null
  idempotencyKey: string | null
  apiVersion: string
}

export function clone<T>(value: T): T {
  return structuredClone(value)
}

export function asString(v: FormValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined
}

export function parseMetadata(v: FormValue | undefined): Record<string, string> {
  if (v === undefined || v === '') return {}
  if (typeof v !== 'object' || Array.isArray(v))
    throw new ApiError(400, 'invalid_request_error', 'Invalid object', 'parameter_invalid_empty', 'metadata')
  const out: Record<string, string> = {}
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string')
      throw new ApiError(400, 'invalid_request_error', `Invalid value for metadata[${k}]`, 'parameter_invalid_string', `metadata[${k}]`)
    out[k] = val
  }
  return out
}

export function parseAmount(v: FormValue | undefined, required: boolean): bigint | undefined {
  if (v === undefined) {
    if (!required) return undefined
    throw new ApiError(400, 'invalid_request_error', 'Missing required param: amount.', 'parameter_missing', 'amount')
  }
  if (typeof v !== 'string' || !/^\d+$/.test(v)) {
    throw new ApiError(
      400,
      'invalid_request_error',
      'Invalid integer: amount must be a whole number of the smallest currency unit.',
      'parameter_invalid_integer',
      'amount',
    )
  }
  const amount = BigInt(v)
  if (amount <= 0n)
    throw new ApiError(
      400,
      'invalid_request_error',
      'This value must be greater than or equal to 1.',
      'parameter_invalid_integer',
      'amount',
    )
  if (amount > AMOUNT_MAX) throw new ApiError(400, 'invalid_request_error', 'Amount is too large.', 'amount_too_large', 'amount')
  return amount
}

export function parseCurrency(v: FormValue | undefined): string {
  const s = asString(v)
  if (s === undefined || s === '')
    throw new ApiError(400, 'invalid_request_error', 'Missing required param: currency.', 'parameter_missing', 'currency')
  if (!/^[a-zA-Z]{3}$/.test(s))
    throw new ApiError(400, 'invalid_request_error', `Invalid currency: ${s.slice(0, 16)}.`, 'parameter_invalid_string', 'currency')
  return s.toLowerCase()
}
