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
import { STRIPE_API_BASE_DEFAULT } from './stripe/createStripeClient'
import { createStripeRail } from './stripe/createStripeRail'
import type { StripeRetryPolicy } from './stripe/postStripeWithRetry'
import { readStripeSecretKey, stripeApiBaseOf } from './stripe/stripeRailConfig'

/** What rails need besides their configuration: where the Stripe key is, test-speed retries. */
export interface RailsEnv {
  secrets?: SecretStore
  stripeRetry?: StripeRetryPolicy
  /** A sandbox workspace: Stripe may be a local test server (checkRailUrl.ts). Default false. */
  sandbox?: boolean
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
    ...(config?.stripe ? [stripeRailOf(config.stripe.apiUrl, env)] : []),
  ])
}

/**
 * The Stripe rail for a stored URL. A URL this workspace may not use (stored before the rule, or
 * written straight into the database) does not stop the core from opening: the rail is built, but
 * every use fails with the refusal before the key is read — nothing is sent anywhere.
 */
function stripeRailOf(apiUrl: string, env: RailsEnv) {
  const retry = env.stripeRetry ? { retry: env.stripeRetry } : {}
  try {
    const apiBase = stripeApiBaseOf(apiUrl, { sandbox: env.sandbox === true })
    return createStripeRail({ apiBase, secretKey: () => readStripeSecretKey(env.secrets), ...retry })
  } catch (refusal) {
    return createStripeRail({ apiBase: STRIPE_API_BASE_DEFAULT, secretKey: () => Promise.reject(refusal as Error), ...retry })
  }
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
