/**
 * The core's Stripe room besides the rail itself: a client built from the live configuration
 * and the SecretStore (read at each use, so a key saved in Settings applies at once), and the
 * Events sync (one run at a time, its last outcome kept for the UI). The rail's own pre-flight
 * is a method of the rail (rails/stripe/stripePreflight.ts).
 */
import type Stripe from 'stripe'
import { CsError, isErrorCode, type ErrorCode } from '../../../shared/errors'
import type { CoreContext } from '../context'
import type { LiveRails } from '../rails/createLiveRails'
import { createStripeClient } from '../rails/stripe/createStripeClient'
import { DEFAULT_STRIPE_RETRY, type StripeRetryPolicy } from '../rails/stripe/postStripeWithRetry'
import { stripeFailure } from '../rails/stripe/stripeFailure'
import { readStripeSecretKey, stripeApiBaseOf } from '../rails/stripe/stripeRailConfig'
import { syncStripe, type StripeSyncResult } from './syncStripe'

export interface StripeSyncStatus {
  lastRunAt: string | null
  lastOkAt: string | null
  lastResult: StripeSyncResult | null
  lastError: { code: ErrorCode; message: string } | null
}

export interface StripeService {
  configured(): boolean
  /** A client for the configured API with the stored key; RAIL_NOT_CONFIGURED / STRIPE_KEY_MISSING otherwise. */
  client(): Promise<Stripe>
  readonly retry: StripeRetryPolicy
  /** One sync at a time; a second caller waits for the running one and gets its result. */
  sync(ctx: CoreContext): Promise<StripeSyncResult>
  status(): StripeSyncStatus
}

export function stripeNotConfigured(): CsError {
  return new CsError(
    'RAIL_NOT_CONFIGURED',
    'Stripe is not set up for payouts in this workspace — ask an admin to add Stripe to the rails setting first.',
    { cliHint: 'countersign settings rails set rails.json --as ADMIN, with {"stripe":{"apiUrl":…}}' },
  )
}

export function createStripeService(rails: LiveRails, retry: StripeRetryPolicy = DEFAULT_STRIPE_RETRY): StripeService {
  let running: Promise<StripeSyncResult> | null = null
  const status: StripeSyncStatus = { lastRunAt: null, lastOkAt: null, lastResult: null, lastError: null }

  async function runSync(ctx: CoreContext): Promise<StripeSyncResult> {
    status.lastRunAt = ctx.clock.now().toISOString()
    try {
      const result = await syncStripe(ctx, await service.client(), retry)
      status.lastOkAt = ctx.clock.now().toISOString()
      status.lastResult = result
      status.lastError = null
      if (result.events + result.recovered + result.balanceTransactions > 0) ctx.events.emit('stripe.changed', { events: result.events })
      return result
    } catch (error) {
      const failure = stripeFailure(error, 'syncing events')
      status.lastError = { code: isErrorCode(failure.code) ? failure.code : 'INTERNAL', message: failure.message }
      ctx.events.emit('stripe.changed', { events: 0 })
      throw failure
    } finally {
      running = null
    }
  }

  const service: StripeService = {
    retry,
    configured: () => rails.config.stripe !== undefined,
    async client() {
      const config = rails.config.stripe
      if (!config) throw stripeNotConfigured()
      // The URL first: a refused one never gets as far as reading the key.
      const apiBase = stripeApiBaseOf(config.apiUrl, { sandbox: rails.env.sandbox === true })
      return createStripeClient(await readStripeSecretKey(rails.env.secrets), apiBase)
    },
    sync(ctx) {
      running ??= runSync(ctx)
      return running
    },
    status: () => ({ ...status }),
  }
  return service
}
