/** The EVM rail: CountersignBatch calls over JSON-RPC, one Rail per configured chain. */
export { createEvmRail, evmBatchRef, type CreateEvmRailOptions, type EvmObservation } from './createEvmRail'
export { evmRailDefaults, gasPerTxMax, type EvmChainConfig, type RailsConfig } from './evmRailConfig'
