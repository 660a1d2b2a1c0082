/**
 * Handlers of the Stripe calls (src/shared/stripeApi.ts). The secret key comes IN once through
 * settings.stripe.setKey; nothing here ever returns more of it than its last 4 characters, and
 * the audit records only those.
 */
import type { StripeBankPayout, StripeSettings, stripeCalls } from '../../../../shared/stripeApi'
import { formatAmount } from '../../../../shared/money'
import type { Handler } from '../../api/createApi'
import { appendAudit } from '../../audit/appendAudit'
import type { CoreContext } from '../../context'
import type { StripeBankPayoutsTable } from '../../db/schema'
import { readAccountBalances } from '../../ledger/getBalances'
import { redact } from '../../log'
import { requireRole } from '../../operators/operators'
import { treasuryAccount } from '../../payouts/execute/bookSubmission'
import type { LiveRails } from '../createLiveRails'
import { createStripeClient, stripeKeyMode } from './createStripeClient'
import { STRIPE_PLATFORM_SOURCE } from './createStripeRail'
import { createStripeBankPayout } from './createStripeBankPayout'
import { stripeFailure, type StripeService } from './stripeService'
import { STRIPE_SECRET_KEY_NAME, stripeApiBaseOf, stripeKeyLast4 } from './stripeRailConfig'
import { CsError } from '../../../../shared/errors'

export type StripeHandlers = { [K in keyof typeof stripeCalls]: Handler<K> }

const EVENTS_LISTED_DEFAULT = 100

export function createStripeHandlers(rails: LiveRails, service: StripeService): StripeHandlers {
  const secrets = () => {
    const s = rails.env.secrets
    if (!s) throw new Error('invariant: the core has no SecretStore')
    return s
  }

  async function settings(): Promise<StripeSettings> {
    const store = secrets()
    let key: string | null = null
    try {
      key = await store.get(STRIPE_SECRET_KEY_NAME)
    } catch {
      key = null // unreadable here (other machine): shown as not present; saving again fixes it
    }
    return {
      configured: rails.config.stripe !== undefined,
      apiUrl: rails.config.stripe?.apiUrl ?? null,
      key: { present: key !== null, last4: key === null ? null : stripeKeyLast4(key), mode: key === null ? null : stripeKeyMode(key) },
      protection: store.protection,
      writable: store.writable,
      weakProtectionWarning: store.writable ? store.weakProtection() : null,
    }
  }

  return {
    'settings.stripe.get': () => settings(),

    'settings.stripe.setKey': async ({ core, operator }, input) => {
      const actor = requireRole(operator, 'admin', 'set the Stripe key').id
      const key = input.secretKey
      redact(key)
      if (!/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(key))
        throw new CsError(
          'INVALID_INPUT',
          'That is not a Stripe secret key — paste the whole key starting with sk_live_, sk_test_ or rk_….',
        )
      const config = rails.config.stripe
      if (config) {
        // Checked before it is saved: a wrong key is refused now, not at the first payout.
        try {
          await createStripeClient(key, stripeApiBaseOf(config.apiUrl)).balance.retrieve()
        } catch (error) {
          throw stripeFailure(error, 'checking the new key')
        }
      }
      await secrets().set(STRIPE_SECRET_KEY_NAME, key, input.acceptWeakProtection ? { acceptWeakProtection: true } : {})
      core.db.tx(() =>
        appendAudit(core, {
          actor,
          action: 'settings.stripe.setKey',
          subject: 'settings:stripe',
          change: { after: { last4: stripeKeyLast4(key), mode: stripeKeyMode(key), protection: secrets().protection } },
        }),
      )
      return settings()
    },

    'settings.stripe.clearKey': async ({ core, operator }) => {
      const actor = requireRole(operator, 'admin', 'remove the Stripe key').id
      const removed = await secrets().delete(STRIPE_SECRET_KEY_NAME)
      if (removed)
        core.db.tx(() => appendAudit(core, { actor, action: 'settings.stripe.clearKey', subject: 'settings:stripe', change: null }))
      return settings()
    },

    'stripe.status': async ({ core }) => {
      const s = await settings()
      let balances = null
      let balanceProblem = null
      if (s.configured && s.key.present) {
        try {
          const balance = await (await service.client()).balance.retrieve()
          balances = balanceLines(core, balance)
        } catch (error) {
          const f = stripeFailure(error, 'reading the platform balance')
          balanceProblem = { code: f.code, message: f.message }
        }
      }
      return { settings: s, sync: service.status(), balances, balanceProblem }
    },

    'stripe.sync': ({ core, operator }) => {
      if (!operator) throw new Error('invariant: mutating call without operator')
      return service.sync(core)
    },

    'stripe.events.list': ({ core }, input) =>
      core.db
        .all(
          core.db.k
            .selectFrom('stripe_events')
            .selectAll()
            .orderBy('created', 'desc')
            .orderBy('received_at', 'desc')
            .limit(input.limit ?? EVENTS_LISTED_DEFAULT),
        )
        .map((e) => ({
          id: e.id,
          type: e.type,
          objectId: e.object_id,
          created: new Date(e.created * 1000).toISOString(),
          summary: e.summary,
          bookedEntryId: e.booked_entry_id,
        })),

    'stripe.balanceTransactions.list': ({ core }, input) =>
      core.db
        .all(
          core.db.k
            .selectFrom('stripe_balance_txns')
            .selectAll()
            .orderBy('created', 'desc')
            .orderBy('id', 'desc')
            .limit(input.limit ?? EVENTS_LISTED_DEFAULT),
        )
        .map((t) => {
          const assetId = `${t.currency.toUpperCase()}@stripe`
          const scale = scaleOf(core, assetId)
          return {
            id: t.id,
            type: t.type,
            assetId,
            amount: formatAmount(BigInt(t.amount), scale),
            fee: formatAmount(BigInt(t.fee), scale),
            net: formatAmount(BigInt(t.net), scale),
            source: t.source,
            created: new Date(t.created * 1000).toISOString(),
          }
        }),

    'stripe.bankPayouts.list': ({ core }) =>
      core.db
        .all(core.db.k.selectFrom('stripe_bank_payouts').selectAll().orderBy('created_at', 'desc').limit(500))
        .map((r) => toBankPayout(core, r)),

    'stripe.bankPayouts.create': async ({ core, operator }, input) => {
      const actor = requireRole(operator, 'admin', 'pay out to the bank').id
      const row = await createStripeBankPayout(core, await service.client(), actor, input, service.retry)
      core.events.emit('stripe.changed', { events: 0 })
      return toBankPayout(core, row)
    },
  }
}

function scaleOf(ctx: CoreContext, assetId: string): number {
  return ctx.db.first(ctx.db.k.selectFrom('assets').select('scale').where('id', '=', assetId))?.scale ?? 2
}

function toBankPayout(ctx: CoreContext, r: StripeBankPayoutsTable): StripeBankPayout {
  return {
    key: r.key,
    stripeId: r.stripe_id,
    assetId: r.asset_id,
    amount: formatAmount(BigInt(r.amount), scaleOf(ctx, r.asset_id)),
    description: r.description,
    status: r.status,
    booked: r.booked,
    failureCode: r.failure_code,
    failureMessage: r.failure_message,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

function balanceLines(
  ctx: CoreContext,
  balance: { available: { currency: string; amount: number }[]; pending: { currency: string; amount: number }[] },
) {
  const currencies = new Set([...balance.available.map((b) => b.currency), ...balance.pending.map((b) => b.currency)])
  return [...currencies].sort().map((currency) => {
    const assetId = `${currency.toUpperCase()}@stripe`
    const scale = scaleOf(ctx, assetId)
    const minor = (list: { currency: string; amount: number }[]) => BigInt(list.find((b) => b.currency === currency)?.amount ?? 0)
    const treasury = treasuryAccount(ctx, assetId, STRIPE_PLATFORM_SOURCE)
    const ledger = treasury ? readAccountBalances(ctx, { assetId, kind: 'treasury' }).find((b) => b.accountId === treasury.id) : undefined
    return {
      assetId,
      stripeAvailable: formatAmount(minor(balance.available), scale),
      stripePending: formatAmount(minor(balance.pending), scale),
      ledger: ledger ? formatAmount(ledger.balance, scale) : null,
    }
  })
}
