/**
 * The core's escrow rails, built from the same live rails configuration as the payout rails and
 * rebuilt when it changes (settings.rails.set): an EVM chain with an escrow contract, every Stellar
 * network, and Stripe when it is configured.
 */
import { systemClock, type Clock } from '../context'
import type { LiveRails, RailsEnv } from './createLiveRails'
import { createStellarEscrowRail } from './stellar/escrow/createStellarEscrowRail'
import { STRIPE_API_BASE_DEFAULT } from './stripe/createStripeClient'
import { createStripeEscrowRail } from './stripe/escrow/createStripeEscrowRail'
import { readStripeSecretKey, stripeApiBaseOf } from './stripe/stripeRailConfig'
import type { EscrowRail, EscrowRailRegistry } from './EscrowRail'
import { createEvmEscrowRail } from './evm/escrow/createEvmEscrowRail'
import type { RailsConfig } from './evm/evmRailConfig'

/** `clock`: the core's (a sandbox's may be moved forward); Stripe has no clock of its own to compare deadlines with. */
export function createEscrowRails(live: LiveRails, clock: Clock = systemClock): EscrowRailRegistry {
  let builtFor: RailsConfig | null = null
  let byKey = new Map<string, EscrowRail>()
  const current = () => {
    if (builtFor !== live.config) {
      builtFor = live.config
      byKey = new Map(buildEscrowRails(live, clock).map((r) => [`${r.rail}:${r.network}`, r]))
    }
    return byKey
  }
  return { get: (rail, network) => current().get(`${rail}:${network}`) }
}

function buildEscrowRails(live: LiveRails, clock: Clock): EscrowRail[] {
  const config = live.config
  return [
    ...(config.evm?.chains ?? []).filter((c) => c.escrowContract !== undefined).map((c) => createEvmEscrowRail(c)),
    ...(config.stellar?.networks ?? []).map((n) => createStellarEscrowRail(n)),
    ...(config.stripe ? [stripeEscrowRailOf(config.stripe.apiUrl, live.env, clock)] : []),
  ]
}

/** As the payout rail (createLiveRails.ts): a URL this workspace may not use fails every call before the key is read. */
function stripeEscrowRailOf(apiUrl: string, env: RailsEnv, clock: Clock): EscrowRail {
  const retry = { ...(env.stripeRetry ? { retry: env.stripeRetry } : {}), now: () => clock.now() }
  try {
    const apiBase = stripeApiBaseOf(apiUrl, { sandbox: env.sandbox === true })
    return createStripeEscrowRail({ apiBase, secretKey: () => readStripeSecretKey(env.secrets), ...retry })
  } catch (refusal) {
    return createStripeEscrowRail({ apiBase: STRIPE_API_BASE_DEFAULT, secretKey: () => Promise.reject(refusal as Error), ...retry })
  }
}
