/**
 * The sandbox's Stripe: the Stripe-compatible harness (harness/stripe) on 127.0.0.1, its
 * platform balance equal to what the ledger's Stripe treasury holds, the sandbox's connected
 * accounts (three ready, one restricted), and the harness's test key saved through
 * settings.stripe.setKey like a person would (the sandbox keeps it in its own folder).
 *
 * The harness keeps its state in memory: each `sandbox up` builds it again from the ledger, with
 * ids salted per run, so events of an earlier run are never mistaken for new ones.
 */
import { randomBytes } from 'node:crypto'
import { parseAmount } from '../../shared/money'
import { startStripeHarness, type StripeHarness } from './harness/stripe/stripeHarness'
import { SANDBOX_ADMIN_NAME, SANDBOX_ASSETS, SANDBOX_STRIPE_ACCOUNTS } from './sandboxPlan'
import type { SandboxService, SandboxServiceContext, SandboxServiceInfo } from './services'
import { unreachable } from '../core/util/invariant'

export interface SandboxStripeService extends SandboxService {
  /** The running harness (tests move payouts along and reverse transfers with it). */
  harness(): StripeHarness | null
}

export function createStripeService(): SandboxStripeService {
  let harness: StripeHarness | null = null

  return {
    name: 'stripe',
    harness: () => harness,

    async prepare() {
      harness = await startStripeHarness({ idSalt: randomBytes(4).toString('hex') })
      return { rails: { stripe: { apiUrl: harness.url } } }
    },

    async start(context: SandboxServiceContext): Promise<SandboxServiceInfo> {
      if (!harness) unreachable('the stripe service was started without prepare()')
      const h = harness
      const api = context.core.api
      for (const asset of SANDBOX_ASSETS.filter((a) => a.rail === 'stripe')) {
        const held = (await api.call('ledger.balances', { assetId: asset.id }))
          .filter((b) => b.kind === 'treasury')
          .reduce((s, b) => s + parseAmount(b.balance, asset.scale, { allowZero: true }), 0n)
        h.setBalance(asset.code.toLowerCase(), held)
      }
      for (const [name, id] of Object.entries(SANDBOX_STRIPE_ACCOUNTS))
        h.addConnectedAccount({ id, transfersCapability: name === 'restricted' ? 'inactive' : 'active' })

      const admin = context.seed.operators.find((o) => o.name === SANDBOX_ADMIN_NAME)
      if (!admin) unreachable('the sandbox seed has no admin')
      const current = await api.call('settings.rails.get', {})
      await api.call('settings.rails.set', { ...current.rails, stripe: { apiUrl: h.url } }, { operatorId: admin.id })
      // SANDBOX ONLY: the harness's throwaway test key, saved the way a person saves a real one.
      const saved = await api.call('settings.stripe.setKey', { secretKey: h.secretKey }, { operatorId: admin.id })
      return {
        apiUrl: h.url,
        keyLast4: saved.key.last4,
        connectedAccounts: Object.entries(SANDBOX_STRIPE_ACCOUNTS)
          .filter(([name]) => name !== 'restricted')
          .map(([, id]) => id)
          .join(','),
        restrictedAccount: SANDBOX_STRIPE_ACCOUNTS.restricted,
      }
    },

    async stop() {
      const h = harness
      harness = null
      await h?.stop()
    },
  }
}
