/**
 * The core's rails, replaceable while it runs: settings.rails.set swaps the chains in place, so
 * the execution engine and the poller's confirm task (which both load them from this registry)
 * follow at once, without a restart. Submissions already recorded keep their own rail + network; a
 * chain removed from the configuration simply stops being confirmed until it is configured again.
 *
 * Every rail (and its pre-flight, now a method of the rail) is built here from the configuration,
 * so two cores in one process never share or stack anything: each holds its own rail objects.
 *
 * Built on first use, not when the core opens: a rail's module reaches its client library (viem,
 * stellar-base, stripe), and loading those was most of a short CLI command's start (issue 17).
 * `load()` imports the factories the configuration needs — only those — and builds the rails
 * once per configuration; a command that never touches a rail (`batches list`) loads none.
 */
import type { SecretStore } from '../secrets/SecretStore'
import type { RailsConfig } from './evm/evmRailConfig'
import { createRailRegistry, type Rail, type RailRegistry } from './Rail'
import type { StripeRetryPolicy } from './stripe/postStripeWithRetry'

/** What rails need besides their configuration: where the Stripe key is, test-speed retries. */
export interface RailsEnv {
  secrets?: SecretStore
  stripeRetry?: StripeRetryPolicy
  /** A sandbox workspace: Stripe may be a local test server (checkRailUrl.ts). Default false. */
  sandbox?: boolean
}

export interface LiveRails {
  /** The configuration in force (read without loading any rail). */
  readonly config: RailsConfig
  /** Where the rails read their secrets (the Stripe key); Settings → Stripe writes there. */
  readonly env: RailsEnv
  /**
   * The rails of the configuration in force, built at the first call after each replace() (their
   * modules imported then). What it resolves to is that configuration's registry: an operation
   * that loads once works on one consistent set of rails, as a replace() mid-way cannot mix them.
   */
  load(): Promise<RailRegistry>
  /** Takes effect at once: the next load() builds the rails of `config`. */
  replace(config: RailsConfig): void
}

/** Does `config` configure any rail at all (known without building one)? */
export function hasRails(config: RailsConfig | undefined): boolean {
  return (config?.evm?.chains.length ?? 0) + (config?.stellar?.networks.length ?? 0) > 0 || config?.stripe !== undefined
}

/** Every configured rail: EVM chains, Stellar networks and Stripe Connect (in that order). */
export async function createRails(config: RailsConfig | undefined, env: RailsEnv = {}): Promise<RailRegistry> {
  const chains = config?.evm?.chains ?? []
  const networks = config?.stellar?.networks ?? []
  // Only the factories this configuration needs are imported (each reaches its client library).
  const [evm, stellar, stripe] = await Promise.all([
    chains.length > 0 ? import('./evm/createEvmRail') : null,
    networks.length > 0 ? import('./stellar/createStellarRail') : null,
    config?.stripe ? stripeRailOf(config.stripe.apiUrl, env) : null,
  ])
  const rails: Rail[] = [
    ...(evm ? chains.map((c) => evm.createEvmRail(c)) : []),
    ...(stellar ? networks.map((n) => stellar.createStellarRail(n)) : []),
    ...(stripe ? [stripe] : []),
  ]
  return createRailRegistry(rails)
}

/**
 * The Stripe rail for a stored URL. A URL this workspace may not use (stored before the rule, or
 * written straight into the database) does not stop the core from opening: the rail is built, but
 * every use fails with the refusal before the key is read — nothing is sent anywhere.
 */
async function stripeRailOf(apiUrl: string, env: RailsEnv): Promise<Rail> {
  const [{ createStripeRail }, { STRIPE_API_BASE_DEFAULT }, { readStripeSecretKey, stripeApiBaseOf }] = await Promise.all([
    import('./stripe/createStripeRail'),
    import('./stripe/createStripeClient'),
    import('./stripe/stripeRailConfig'),
  ])
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
  /** The rails of `built.for`, being built or built; null until the first load after a replace. */
  let built: { for: RailsConfig; registry: Promise<RailRegistry> } | null = null
  return {
    env,
    get config() {
      return config
    },
    load() {
      if (built === null || built.for !== config) {
        const registry = createRails(config, env)
        const entry = { for: config, registry }
        built = entry
        // A failed import is not kept: the next load tries again.
        registry.catch(() => {
          if (built === entry) built = null
        })
      }
      return built.registry
    },
    replace(next) {
      config = next
    },
  }
}
