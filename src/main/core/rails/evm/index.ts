/** The EVM rail: CountersignBatch calls over JSON-RPC, one Rail per configured chain. */
import { createRailRegistry, type RailRegistry } from '../Rail'
import { createStellarRail } from '../stellar/createStellarRail'
import { createEvmRail } from './createEvmRail'
import type { RailsConfig } from './evmRailConfig'
import type { SecretStore } from '../../secrets/SecretStore'
import { createStripeRail } from '../stripe/createStripeRail'
import type { StripeRetryPolicy } from '../stripe/postStripeWithRetry'
import { readStripeSecretKey, stripeApiBaseOf } from '../stripe/stripeRailConfig'

export { createEvmRail, evmBatchRef, type EvmObservation } from './createEvmRail'
export { evmRailDefaults, gasPerTxMax, type EvmChainConfig, type RailsConfig } from './evmRailConfig'

/** What rails need besides their configuration: where the Stripe key is, test-speed retries. */
export interface RailsEnv {
  secrets?: SecretStore
  stripeRetry?: StripeRetryPolicy
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
