/**
 * The core's rails, replaceable while it runs: settings.rails.set swaps the chains in place, so
 * the execution engine and the poller's confirm task (which both hold this registry) follow at
 * once, without a restart. Submissions already recorded keep their own rail + network; a chain
 * removed from the configuration simply stops being confirmed until it is configured again.
 *
 * Every rail (and its pre-flight, now a method of the rail) is built here from the configuration,
 * so two cores in one process never share or stack anything: each holds its own rail objects.
 */
import type { SecretStore } from '../secrets/SecretStore'
import { createEvmRail } from './evm/createEvmRail'
import type { RailsConfig } from './evm/evmRailConfig'
import { createRailRegistry, type RailRegistry } from './Rail'
import { createStellarRail } from './stellar/createStellarRail'
import { createStripeRail } from './stripe/createStripeRail'
import type { StripeRetryPolicy } from './stripe/postStripeWithRetry'
import { readStripeSecretKey, stripeApiBaseOf } from './stripe/stripeRailConfig'

/** What rails need besides their configuration: where the Stripe key is, test-speed retries. */
export interface RailsEnv {
  secrets?: SecretStore
  stripeRetry?: StripeRetryPolicy
}

export interface LiveRails extends RailRegistry {
  readonly config: RailsConfig
  /** Where the rails read their secrets (the Stripe key); Settings → Stripe writes there. */
  readonly env: RailsEnv
  replace(config: RailsConfig): void
}

/** Every configured rail: EVM chains, Stellar networks and Stripe Connect. */
export function createRails(config: RailsConfig | undefined, env: RailsEnv = {}): RailRegistry {
  return createRailRegistry([
    ...(config?.evm?.chains ?? []).map((c) => createEvmRail(c)),
    ...(config?.stellar?.networks ?? []).map((n) => createStellarRail(n)),
    ...(config?.stripe
      ? [
          createStripeRail({
            apiBase: stripeApiBaseOf(config.stripe.apiUrl),
            secretKey: () => readStripeSecretKey(env.secrets),
            ...(env.stripeRetry ? { retry: env.stripeRetry } : {}),
          }),
        ]
      : []),
  ])
}

export function createLiveRails(initial: RailsConfig | undefined, env: RailsEnv = {}): LiveRails {
  let config: RailsConfig = initial ?? {}
  let current = createRails(config, env)
  return {
    get: (rail, network) => current.get(rail, network),
    all: () => current.all(),
    env,
    get config() {
      return config
    },
    replace(next) {
      config = next
      current = createRails(next, env)
    },
  }
}
