/**
 * What every part of one Stellar rail shares: its configuration with the defaults applied, its
 * Horizon client, and the two reads several operations begin with (is this Horizon on our
 * network? does the treasury exist?). Built once per rail by createStellarRail; holds no state
 * that must survive a restart (the passphrase check is only a cache).
 */
import { CsError } from '../../../../shared/errors'
import { assetIdFor } from '../../ledger/ids'
import { createHorizonClient, type HorizonAccount, type HorizonClient } from './horizon'
import { stellarRailDefaults, type StellarNetworkConfig } from './stellarRailConfig'

export interface StellarRailEnv {
  readonly config: StellarNetworkConfig
  readonly network: string
  readonly horizon: HorizonClient
  readonly source: { address: string; path: string }
  /** XLM@stellar:<network>: fees are paid in it. */
  readonly feeAssetId: string
  /** A transaction is valid until built-at + this. */
  readonly timeBoundSeconds: number
  /** Operations per transaction, 1 … Stellar's 100. */
  readonly opsPerTx: number
  /** CHAIN_MISMATCH unless Horizon serves the configured passphrase (asked once per rail). */
  checkNetwork(): Promise<void>
}

export function createStellarRailEnv(config: StellarNetworkConfig, horizon?: HorizonClient): StellarRailEnv {
  const client = horizon ?? createHorizonClient(config.horizonUrl)
  const opsMax = stellarRailDefaults.opsPerTxMax
  let passphraseChecked = false
  return {
    config,
    network: config.network,
    horizon: client,
    source: { address: config.source.address, path: config.source.path },
    feeAssetId: assetIdFor('XLM', 'stellar', config.network),
    timeBoundSeconds: config.timeBoundSeconds ?? stellarRailDefaults.timeBoundSeconds,
    opsPerTx: Math.max(1, Math.min(config.opsPerTxMax ?? opsMax, opsMax)),
    async checkNetwork() {
      if (passphraseChecked) return
      const root = await client.root()
      if (root.network_passphrase !== config.networkPassphrase) {
        throw new CsError(
          'CHAIN_MISMATCH',
          `The Horizon server at ${client.url} serves "${root.network_passphrase}", not the configured "${config.networkPassphrase}" — fix the Horizon URL or the passphrase for Stellar ${config.network}; nothing was signed.`,
        )
      }
      passphraseChecked = true
    },
  }
}

/** The paying account as Horizon sees it; PREFLIGHT_FAILED when it does not exist yet. */
export async function loadStellarSource(env: StellarRailEnv, address: string): Promise<HorizonAccount> {
  const account = await env.horizon.account(address)
  if (!account) {
    throw new CsError(
      'PREFLIGHT_FAILED',
      `The treasury ${address} does not exist on Stellar ${env.network} — fund it first; nothing was signed.`,
    )
  }
  return account
}
