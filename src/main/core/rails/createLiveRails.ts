/**
 * The core's rails, replaceable while it runs: settings.rails.set swaps the chains in place, so
 * the execution engine and the poller's confirm task (which both hold this registry) follow at
 * once, without a restart. Submissions already recorded keep their own rail + network; a chain
 * removed from the configuration simply stops being confirmed until it is configured again.
 */
import type { RailRegistry } from './Rail'
import { createRails, type RailsConfig, type RailsEnv } from './evm'

export interface LiveRails extends RailRegistry {
  readonly config: RailsConfig
  /** Where the rails read their secrets (the Stripe key); Settings → Stripe writes there. */
  readonly env: RailsEnv
  replace(config: RailsConfig): void
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
