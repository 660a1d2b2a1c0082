/**
 * The core's escrow rails, built from the same live rails configuration as the payout rails and
 * rebuilt when it changes (settings.rails.set): an EVM chain with an escrow contract, every Stellar
 * network, and Stripe when it is configured. Built on first use, as the payout rails are
 * (createLiveRails.ts): only the factories the configuration needs are imported, then.
 */
import { systemClock, type Clock } from '../context'
import type { LiveRails, RailsEnv } from './createLiveRails'
import type { EscrowRail, EscrowRailRegistry, LiveEscrowRails } from './EscrowRail'
import type { RailsConfig } from './evm/evmRailConfig'

/** `clock`: the core's (a sandbox's may be moved forward); Stripe has no clock of its own to compare deadlines with. */
export function createEscrowRails(live: LiveRails, clock: Clock = systemClock): LiveEscrowRails {
  /** The escrow rails of `built.for`, being built or built. */
  let built: { for: RailsConfig; registry: Promise<EscrowRailRegistry> } | null = null
  return {
    load() {
      const config = live.config
      if (built === null || built.for !== config) {
        const registry = buildEscrowRails(config, live.env, clock).then((rails): EscrowRailRegistry => {
          const byKey = new Map(rails.map((r) => [`${r.rail}:${r.network}`, r]))
          return { get: (rail, network) => byKey.get(`${rail}:${network}`) }
        })
        const entry = { for: config, registry }
        built = entry
        // A failed import is not kept: the next load tries again.
        registry.catch(() => {
          if (built === entry) built = null
        })
      }
      return built.registry
    },
  }
}

async function buildEscrowRails(config: RailsConfig, env: RailsEnv, clock: Clock): Promise<EscrowRail[]> {
  const chains = (config.evm?.chains ?? []).filter((c) => c.escrowContract !== undefined)
  const networks = config.stellar?.networks ?? []
  const [evm, stellar, stripe] = await Promise.all([
    chains.length > 0 ? import('./evm/escrow/createEvmEscrowRail') : null,
    networks.length > 0 ? import('./stellar/escrow/createStellarEscrowRail') : null,
    config.stripe ? stripeEscrowRailOf(config.stripe.apiUrl, env, clock) : null,
  ])
  return [
    ...(evm ? chains.map((c) => evm.createEvmEscrowRail(c)) : []),
    ...(stellar ? networks.map((n) => stellar.createStellarEscrowRail(n)) : []),
    ...(stripe ? [stripe] : []),
  ]
}

/** As the payout rail (createLiveRails.ts): a URL this workspace may not use fails every call before the key is read. */
async function stripeEscrowRailOf(apiUrl: string, env: RailsEnv, clock: Clock): Promise<EscrowRail> {
  const [{ createStripeEscrowRail }, { STRIPE_API_BASE_DEFAULT }, { readStripeSecretKey, stripeApiBaseOf }] = await Promise.all([
    import('./stripe/escrow/createStripeEscrowRail'),
    import('./stripe/createStripeClient'),
    import('./stripe/stripeRailConfig'),
  ])
  const retry = { ...(env.stripeRetry ? { retry: env.stripeRetry } : {}), now: () => clock.now() }
  try {
    const apiBase = stripeApiBaseOf(apiUrl, { sandbox: env.sandbox === true })
    return createStripeEscrowRail({ apiBase, secretKey: () => readStripeSecretKey(env.secrets), ...retry })
  } catch (refusal) {
    return createStripeEscrowRail({ apiBase: STRIPE_API_BASE_DEFAULT, secretKey: () => Promise.reject(refusal as Error), ...retry })
  }
}
