/**
 * Local worlds the sandbox starts beside the workspace. Each later issue adds one service here
 * (Anvil with the USDC token and batch contract, the Horizon-compatible Stellar server, the
 * Stripe-compatible server, the device emulator); `sandbox up` starts them in order after the
 * books are seeded, stops them in reverse, and reports what each returns under `services`.
 */
import type { Core } from '../core/core'
import type { SandboxSeed } from './seedSandbox'

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
  /** Start and wait until ready (a bounded wait); return what clients need. */
  start(context: SandboxServiceContext): Promise<SandboxServiceInfo>
  /** Stop and release everything; called once, also after a failed start of a later service. */
  stop(): Promise<void>
}

/** The services `sandbox up` starts by default. Empty until the local worlds land. */
export function defaultSandboxServices(): SandboxService[] {
  return []
}
