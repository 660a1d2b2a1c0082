// The EVM harness: a local Anvil with the sandbox contracts. Used by tests, benches and
// `countersign sandbox up`.
export * from './anvil'
export * from './clients'
export * from './control'
export * from './deployHarness'
export * from './recipients'
export * from './gasCap'
export * from './measureGas'
export * as contracts from './contracts.generated'
