/**
 * The core's Stripe side besides the rail itself: a client built from the live configuration and
 * the SecretStore (read at each use, so a key saved in Settings applies at once), the Events sync
 * (one run at a time, its last outcome kept for the UI), and the pre-flight check.
 */
import type Stripe from 'stripe'
import { CsError, isErrorCode, type ErrorCode } from '../../../../shared/errors'
import type { PreflightProblem } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import { log } from '../../log'
import type { RailPreflight } from '../../payouts/batches/railPreflights'
import type { LiveRails } from '../createLiveRails'
import { formatAmount } from '../../../../shared/money'
import { createStripeClient } from './createStripeClient'
import { DEFAULT_STRIPE_RETRY, safeStripeMessage, type StripeErrorLike, type StripeRetryPolicy } from './postStripeWithRetry'
import { readStripeSecretKey, stripeApiBaseOf } from './stripeRailConfig'
import { assertStripeScale, stripeCurrencyOfAsset } from './stripeMinorUnits'
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
  return new CsError('RAIL_NOT_CONFIGURED', 'Stripe is not configured — add its API URL in the rails settings (settings.rails.set) first.')
}

/** A Stripe failure as our code and a sentence (never the key). */
export function stripeFailure(error: unknown, doing: string): CsError {
  if (error instanceof CsError) return error
  const e = error as StripeErrorLike
  if (e.statusCode === 401)
    return new CsError('STRIPE_AUTH_FAILED', `Stripe refused the secret key while ${doing} — enter the right key in Settings → Stripe.`)
  if (e.statusCode === undefined || e.type === 'StripeConnectionError')
    return new CsError(
      'STRIPE_UNREACHABLE',
      `Stripe could not be reached while ${doing} (${safeStripeMessage(e)}) — check the connection; it is retried.`,
    )
  return new CsError('STRIPE_REQUEST_REJECTED', `Stripe answered an error while ${doing} (${safeStripeMessage(e)}).`)
}

export function createStripeService(rails: LiveRails, retry: StripeRetryPolicy = DEFAULT_STRIPE_RETRY): StripeService {
  let running: Promise<StripeSyncResult> | null = null
  const status: StripeSyncStatus = { lastRunAt: null, lastOkAt: null, lastResult: null, lastError: null }

  const service: StripeService = {
    retry,
    configured: () => rails.config.stripe !== undefined,
    async client() {
      const config = rails.config.stripe
      if (!config) throw stripeNotConfigured()
      return createStripeClient(await readStripeSecretKey(rails.env.secrets), stripeApiBaseOf(config.apiUrl))
    },
    sync(ctx) {
      if (running) return running
      running = (async () => {
        status.lastRunAt = ctx.clock.now().toISOString()
        try {
          const result = await syncStripe(ctx, await service.client(), retry)
          status.lastOkAt = ctx.clock.now().toISOString()
          status.lastResult = result
          status.lastError = null
          if (result.events + result.recovered + result.balanceTransactions > 0)
            ctx.events.emit('stripe.changed', { events: result.events })
          return result
        } catch (error) {
          const failure = stripeFailure(error, 'syncing events')
          status.lastError = { code: isErrorCode(failure.code) ? failure.code : 'INTERNAL', message: failure.message }
          ctx.events.emit('stripe.changed', { events: 0 })
          throw failure
        } finally {
          running = null
        }
      })()
      return running
    },
    status: () => ({ ...status }),
  }
  return service
}

/** Pre-flight on the Stripe rail: key works, accounts exist and can receive transfers, balance covers the batch. */
export function stripePreflight(service: StripeService): RailPreflight {
  return {
    name: 'stripe.account',
    rail: 'stripe',
    async check(ctx, { payouts }) {
      if (payouts.length === 0) return []
      // Not configured: batches may be prepared and approved before the rail is set up; execute
      // refuses with RAIL_NOT_CONFIGURED (and runs this check again once it is configured).
      if (!service.configured()) return []
      const problems: PreflightProblem[] = []
      let stripe: Stripe
      try {
        stripe = await service.client()
      } catch (error) {
        const e = error as CsError
        return [{ code: e.code ?? 'STRIPE_KEY_MISSING', message: e.message.replace(/\.$/, '') }]
      }
      // Totals per currency, checked against the platform's available balance.
      const totals = new Map<string, bigint>()
      for (const p of payouts) {
        const currency = stripeCurrencyOfAsset(p.asset_id)
        totals.set(currency, (totals.get(currency) ?? 0n) + BigInt(p.amount))
      }
      let balance: Stripe.Balance
      try {
        balance = await stripe.balance.retrieve()
      } catch (error) {
        const f = stripeFailure(error, 'reading the platform balance')
        return [{ code: f.code, message: f.message.replace(/\.$/, '') }]
      }
      for (const [currency, total] of totals) {
        const asset = ctx.db.first(ctx.db.k.selectFrom('assets').select(['scale']).where('id', '=', `${currency.toUpperCase()}@stripe`))
        if (asset) assertStripeScale(currency, asset.scale)
        const line = balance.available.find((b) => b.currency === currency)
        const available = line ? BigInt(line.amount) : 0n
        if (available < total) {
          const scale = asset?.scale ?? 2
          problems.push({
            code: 'STRIPE_BALANCE_INSUFFICIENT',
            message: `The Stripe platform balance has ${formatAmount(available, scale)} ${currency.toUpperCase()} available, the batch needs ${formatAmount(total, scale)} — top up the balance or wait for pending funds`,
          })
        }
      }
      // Each connected account once.
      const byAccount = new Map<string, typeof payouts>()
      for (const p of payouts) byAccount.set(p.recipient, [...(byAccount.get(p.recipient) ?? []), p])
      for (const [accountId, list] of byAccount) {
        const rows = list.map((p) => p.row_no).join(', ')
        try {
          const account = await stripe.accounts.retrieve(accountId)
          const transfers = account.capabilities?.transfers
          if (transfers !== 'active') {
            problems.push({
              code: 'STRIPE_ACCOUNT_NOT_READY',
              payoutId: list[0]!.id,
              message: `Row ${rows}: connected account ${accountId} cannot receive transfers (transfers capability ${transfers ?? 'missing'}) — ask the payee to finish onboarding`,
            })
          }
        } catch (error) {
          const e = error as StripeErrorLike
          if (e.statusCode === 404 || e.code === 'resource_missing' || e.code === 'account_invalid') {
            problems.push({
              code: 'STRIPE_ACCOUNT_MISSING',
              payoutId: list[0]!.id,
              message: `Row ${rows}: Stripe has no connected account ${accountId} — check the payee's account id`,
            })
          } else {
            const f = stripeFailure(error, `checking account ${accountId}`)
            log('warn', 'Stripe account check failed', { accountId, code: f.code })
            problems.push({ code: f.code, payoutId: list[0]!.id, message: f.message.replace(/\.$/, '') })
          }
        }
      }
      return problems
    },
  }
}
