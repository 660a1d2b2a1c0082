/** The EVM rail: CountersignBatch calls over JSON-RPC, one Rail per configured chain. */
import { createRailRegistry, type RailRegistry } from '../Rail'
import { createStellarRail } from '../stellar/createStellarRail'
import { createEvmRail } from './createEvmRail'
import type { RailsConfig } from './evmRailConfig'

export { createEvmRail, evmBatchRef, type EvmObservation } from './createEvmRail'
export { evmRailDefaults, gasPerTxMax, type EvmChainConfig, type RailsConfig } from './evmRailConfig'

/** Every configured rail: EVM chains and Stellar networks (Stripe adds its own here). */
export function createRails(config: RailsConfig | undefined): RailRegistry {
  return createRailRegistry([
    ...(config?.evm?.chains ?? []).map((c) => createEvmRail(c)),
    ...(config?.stellar?.networks ?? []).map((n) => createStellarRail(n)),
  ])
}
