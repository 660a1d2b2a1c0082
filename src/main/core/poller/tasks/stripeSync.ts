/**
 * Poller task `stripe.sync`: the Events API sync (core/stripe/syncStripe.ts) on every sweep when
 * Stripe is configured and a key is stored. A missing key is not an error of the poller: the
 * status says so, and Settings → Stripe asks for it.
 */
import { hasErrorCode } from '../../../../shared/errors'
import type { StripeService } from '../../stripe/stripeService'
import { STRIPE_SYNC_TASK } from '../../stripe/syncStripe'
import type { PollerTask } from '../createPoller'

export function createStripeSyncTask(stripe: StripeService): PollerTask {
  return {
    name: STRIPE_SYNC_TASK,
    async run(ctx) {
      if (!stripe.configured()) return
      try {
        await stripe.sync(ctx)
      } catch (error) {
        if (hasErrorCode(error, 'STRIPE_KEY_MISSING')) return
        throw error
      }
    },
  }
}
