/**
 * Handlers of the Stripe calls (src/shared/stripeApi.ts): the settings calls
 * (stripeSettingsHandlers.ts), the lists of what was stored (stripeListHandlers.ts), and here
 * the calls that talk to Stripe through the service — the status with the platform balance
 * beside the ledger's, the sync on demand and a payout to the platform's bank.
 */
import type { stripeCalls } from '../../../shared/stripeApi'
import { formatAmount } from '../../../shared/money'
import type { Handler } from '../api/createApi'
import type { CoreContext } from '../context'
import { readAccountBalances } from '../ledger/getBalances'
import { requireRole } from '../operators/operators'
import { treasuryAccount } from '../payouts/execute/treasuryAccount'
import type { LiveRails } from '../rails/createLiveRails'
import { stripeFailure } from '../rails/stripe/stripeFailure'
import { STRIPE_PLATFORM_SOURCE } from '../rails/stripe/stripeRailConfig'
import { invariant } from '../util/invariant'
import { createStripeBankPayout } from './createStripeBankPayout'
import { createStripeListHandlers, scaleOf, toBankPayout } from './stripeListHandlers'
import { createStripeSettingsHandlers, readStripeSettings } from './stripeSettingsHandlers'
import type { StripeService } from './stripeService'

export type StripeHandlers = { [K in keyof typeof stripeCalls]: Handler<K> }

export function createStripeHandlers(rails: LiveRails, service: StripeService): StripeHandlers {
  return {
    ...createStripeSettingsHandlers(rails),
    ...createStripeListHandlers(),

    'stripe.status': async ({ core }) => {
      const s = await readStripeSettings(rails)
      let balances = null
      let balanceProblem = null
      if (s.configured && s.key.present) {
        try {
          const balance = await (await service.client()).balance.retrieve()
          balances = await balanceLines(core, balance)
        } catch (error) {
          const f = stripeFailure(error, 'reading the platform balance')
          balanceProblem = { code: f.code, message: f.message }
        }
      }
      return { settings: s, sync: service.status(), balances, balanceProblem }
    },

    'stripe.sync': ({ core, operator }) => {
      invariant(operator, 'mutating call without operator')
      return service.sync(core)
    },

    'stripe.bankPayouts.create': async ({ core, operator }, input) => {
      const actor = requireRole(operator, 'admin', 'pay out to the bank').id
      const row = await createStripeBankPayout(core, await service.client(), actor, input, service.retry)
      core.events.emit('stripe.changed', { events: 0 })
      return await toBankPayout(core, row)
    },
  }
}

/** Per currency: Stripe's available and pending balance beside the ledger's treasury balance. */
function balanceLines(
  ctx: CoreContext,
  balance: { available: { currency: string; amount: number }[]; pending: { currency: string; amount: number }[] },
) {
  const currencies = new Set([...balance.available.map((b) => b.currency), ...balance.pending.map((b) => b.currency)])
  return Promise.all(
    [...currencies].sort().map(async (currency) => {
      const assetId = `${currency.toUpperCase()}@stripe`
      const scale = await scaleOf(ctx, assetId)
      const minor = (list: { currency: string; amount: number }[]) => BigInt(list.find((b) => b.currency === currency)?.amount ?? 0)
      const treasury = await treasuryAccount(ctx, assetId, STRIPE_PLATFORM_SOURCE)
      const ledger = treasury
        ? (await readAccountBalances(ctx, { assetId, kind: 'treasury' })).find((b) => b.accountId === treasury.id)
        : undefined
      return {
        assetId,
        stripeAvailable: formatAmount(minor(balance.available), scale),
        stripePending: formatAmount(minor(balance.pending), scale),
        ledger: ledger ? formatAmount(ledger.balance, scale) : null,
      }
    }),
  )
}
