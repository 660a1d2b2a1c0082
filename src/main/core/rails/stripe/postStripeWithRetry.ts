/**
 * One Stripe POST with OUR idempotency key and OUR bounded retries. stripe-node is created with
 * maxNetworkRetries 0, so nothing ever resends without our key.
 *
 * Retry: connection errors (the answer may be lost — the same key makes the resend safe), 409
 * idempotency_key_in_use (an earlier try with this key still runs), 429 and 5xx — unless Stripe
 * answered `Stripe-Should-Retry: false`. Backoff doubles from `backoffMsBase` to `backoffMsMax`,
 * `attemptsMax` tries in all; sleep is injected so tests never really wait.
 * idempotency_error (same key, different params) is a hard stop: it is our bug, never retried.
 */
import { CsError } from '../../../../shared/errors'
import { crashPoint } from '../../util/crashPoint'

export interface StripeRetryPolicy {
  attemptsMax: number
  backoffMsBase: number
  backoffMsMax: number
  sleep: (ms: number) => Promise<void>
}

export const DEFAULT_STRIPE_RETRY: StripeRetryPolicy = {
  attemptsMax: 5,
  backoffMsBase: 250,
  backoffMsMax: 4_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

/** What one failed try means. */
export type StripeFailureKind =
  /** Nothing useful answered and the request may have landed (connection error / lost answer). */
  | 'retry-unknown'
  /** Stripe answered and changed nothing (429, 5xx retryable, 409 in use): safe to retry. */
  | 'retry'
  /** Stripe answered a definite no: do not retry with this key. */
  | 'reject'
  /** Same key, different params: our bug. */
  | 'idempotency'

/** The fields we read off a stripe-node error (StripeError), typed structurally. */
export interface StripeErrorLike {
  type?: string
  rawType?: string
  code?: string
  statusCode?: number
  message?: string
  headers?: Record<string, string | undefined>
}

export function classifyStripeError(err: unknown): StripeFailureKind {
  const e = (err ?? {}) as StripeErrorLike
  const type = e.type ?? ''
  if (type === 'StripeIdempotencyError' || e.rawType === 'idempotency_error') return 'idempotency'
  if (type === 'StripeConnectionError' || e.statusCode === undefined) return 'retry-unknown'
  const shouldRetry = e.headers?.['stripe-should-retry']
  if (shouldRetry === 'false') return 'reject'
  if (shouldRetry === 'true') return 'retry'
  if (e.statusCode === 409 && e.code === 'idempotency_key_in_use') return 'retry'
  if (e.statusCode === 409 && e.code === 'lock_timeout') return 'retry'
  if (e.statusCode === 429 || e.statusCode >= 500) return 'retry'
  return 'reject'
}

export function backoffMs(policy: StripeRetryPolicy, retryIndex: number): number {
  return Math.min(policy.backoffMsMax, policy.backoffMsBase * 2 ** retryIndex)
}

export type PostOutcome<T> =
  | { kind: 'ok'; value: T }
  /** The last try's answer was lost (or every try was refused/unanswered). Look it up with the same key. */
  | { kind: 'unknown'; message: string; delivered: boolean }
  | { kind: 'rejected'; error: StripeErrorLike }

/**
 * Calls `send(idempotencyKey)` up to attemptsMax times. `send` must pass the key to Stripe.
 * Throws CsError STRIPE_IDEMPOTENCY_CONFLICT on idempotency_error.
 */
export async function postStripeWithRetry<T>(
  idempotencyKey: string,
  send: (idempotencyKey: string) => Promise<T>,
  policy: StripeRetryPolicy = DEFAULT_STRIPE_RETRY,
): Promise<PostOutcome<T>> {
  let delivered = false
  let lastMessage = ''
  for (let attempt = 0; attempt < policy.attemptsMax; attempt++) {
    if (attempt > 0) await policy.sleep(backoffMs(policy, attempt - 1))
    try {
      return { kind: 'ok', value: await send(idempotencyKey) }
    } catch (err) {
      const kind = classifyStripeError(err)
      const e = err as StripeErrorLike
      lastMessage = safeStripeMessage(e)
      if (kind === 'idempotency') {
        throw new CsError(
          'STRIPE_IDEMPOTENCY_CONFLICT',
          `Stripe refused idempotency key ${idempotencyKey}: it was used with different parameters. This is a Countersign bug — nothing was resent; report it.`,
          { cause: lastMessage },
        )
      }
      if (kind === 'reject') return { kind: 'rejected', error: e }
      // A connection error may be a lost answer to a request that landed.
      if (kind === 'retry-unknown') {
        delivered = true
        crashPoint('stripe-answer-lost')
      }
    }
  }
  return { kind: 'unknown', message: lastMessage, delivered }
}

/** Stripe's message never carries the secret key, but stripe-node's connection errors may quote
 * config; keep only the type, code and status, plus Stripe's own message, cut short. */
export function safeStripeMessage(e: StripeErrorLike): string {
  const parts = [e.type, e.code, e.statusCode === undefined ? undefined : `HTTP ${e.statusCode}`].filter(Boolean)
  const msg = (e.message ?? '').replace(/(sk|rk)_(test|live)_[A-Za-z0-9_]+/g, '$1_$2_…').slice(0, 200)
  return `${parts.join(' ')}${msg ? `: ${msg}` : ''}`
}
