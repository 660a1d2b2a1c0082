/**
 * Local worlds the sandbox starts beside the workspace. Each issue adds one service here (Anvil
 * with the USDC token and batch contract now; the Horizon-compatible Stellar server and the
 * Stripe-compatible server later). `sandbox up` lets each `prepare` the core's configuration,
 * creates the core, seeds the books, then `start`s them in order, stops them in reverse, and
 * reports what each returns under `services`.
 */
import type { Core, CoreConfig } from '../core/core'
import { createAnvilService } from './anvilService'
import { createStellarService } from './stellarService'
import { createStripeService } from './stripeService'
import type { SandboxSeed } from './seedSandbox'

/** What a service may contribute to the sandbox's core before it is created (e.g. the rails of its chain). */
export type SandboxCoreConfig = Pick<CoreConfig, 'rails'>

export interface SandboxServiceContext {
  readonly core: Core
  readonly dataDir: string
  /** What the seed created, e.g. treasury addresses to fund on a local chain. */
  readonly seed: SandboxSeed
}

/** What a service tells clients: URLs, chain ids, keys of the sandbox only. JSON-able. */
export type SandboxServiceInfo = Record<string, string | number | boolean | null>

export interface SandboxService {
  /** Key under `services` in the sandbox description: 'anvil', 'horizon', 'stripe', 'device'. */
  readonly name: string
  /**
   * Optional, runs BEFORE the core exists: bring up what the core must be configured with (a
   * local chain and its contracts) and return that configuration. `stop()` is called for it too.
   */
  prepare?(params: { dataDir: string }): Promise<SandboxCoreConfig>
  /** Start and wait until ready (a bounded wait); return what clients need. */
  start(context: SandboxServiceContext): Promise<SandboxServiceInfo>
  /** Stop and release everything; called once, also after a failed start of a later service. */
  stop(): Promise<void>
}

/** The services `sandbox up` starts by default: Anvil with the token and the batch contract, the Stellar and Stripe harnesses. */
export function defaultSandboxServices(): SandboxService[] {
  return [createAnvilService(), createStellarService(), createStripeService()]
}
