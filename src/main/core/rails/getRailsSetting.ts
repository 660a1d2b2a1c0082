/**
 * The workspace's rails configuration (settings key 'rails', JSON): which chains payouts execute
 * on, through which node, contract and treasury. Stored in the workspace so the app, browser mode
 * and the CLI all execute against the same chain. Wei amounts are decimal strings in the JSON.
 */
import { RailsConfigSetting, type RailsSetting } from '../../../shared/payoutsApi'
import type { CoreContext } from '../context'
import type { EvmChainConfig, RailsConfig } from './evm'
import type { StellarNetworkConfig } from './stellar/stellarRailConfig'

export const RAILS_SETTING_KEY = 'rails'

export type GetRailsSettingReturnType = RailsSetting

export async function getRailsSetting(ctx: CoreContext): Promise<RailsSetting> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('settings').selectAll().where('key', '=', RAILS_SETTING_KEY))
  if (!row) return { rails: {}, updatedAt: null, updatedBy: null }
  // Written only through setRailsSetting, which validates; check again when reading.
  const rails = RailsConfigSetting.parse(JSON.parse(row.value))
  return { rails, updatedAt: row.updated_at, updatedBy: row.updated_by }
}

export function railsConfigFromSetting(setting: RailsConfigSetting): RailsConfig {
  return {
    ...evmFromSetting(setting),
    ...(setting.stellar
      ? {
          stellar: {
            networks: setting.stellar.networks.map((n): StellarNetworkConfig => ({
              network: n.network,
              horizonUrl: n.horizonUrl,
              networkPassphrase: n.networkPassphrase,
              source: { address: n.source.address, path: n.source.path },
              maxFeePerOpStroops: BigInt(n.maxFeePerOpStroops),
              ...(n.timeBoundSeconds !== undefined ? { timeBoundSeconds: n.timeBoundSeconds } : {}),
              ...(n.allowCreateAccount !== undefined ? { allowCreateAccount: n.allowCreateAccount } : {}),
              ...(n.opsPerTxMax !== undefined ? { opsPerTxMax: n.opsPerTxMax } : {}),
            })),
          },
        }
      : {}),
    ...(setting.stripe ? { stripe: { apiUrl: setting.stripe.apiUrl } } : {}),
  }
}

function evmFromSetting(setting: RailsConfigSetting): RailsConfig {
  if (!setting.evm) return {}
  return {
    evm: {
      chains: setting.evm.chains.map((c): EvmChainConfig => ({
        chainId: c.chainId,
        rpcUrl: c.rpcUrl,
        batchContract: c.batchContract as `0x${string}`,
        ...(c.escrowContract !== undefined ? { escrowContract: c.escrowContract as `0x${string}` } : {}),
        confirmationsMin: c.confirmationsMin,
        maxFeePerGasCap: BigInt(c.maxFeePerGasCap),
        source: { address: c.source.address as `0x${string}`, path: c.source.path },
        ...(c.reorgWatchBlocks !== undefined ? { reorgWatchBlocks: c.reorgWatchBlocks } : {}),
        ...(c.payoutsPerChunkMax !== undefined ? { payoutsPerChunkMax: c.payoutsPerChunkMax } : {}),
        ...(c.explorerUrl !== undefined ? { explorerUrl: c.explorerUrl } : {}),
      })),
    },
  }
}

export function settingFromRailsConfig(config: RailsConfig): RailsConfigSetting {
  return RailsConfigSetting.parse({
    ...evmSettingFrom(config),
    ...(config.stellar
      ? {
          stellar: {
            networks: config.stellar.networks.map((n) => ({
              network: n.network,
              horizonUrl: n.horizonUrl,
              networkPassphrase: n.networkPassphrase,
              source: { address: n.source.address, path: n.source.path },
              maxFeePerOpStroops: n.maxFeePerOpStroops.toString(),
              ...(n.timeBoundSeconds !== undefined ? { timeBoundSeconds: n.timeBoundSeconds } : {}),
              ...(n.allowCreateAccount !== undefined ? { allowCreateAccount: n.allowCreateAccount } : {}),
              ...(n.opsPerTxMax !== undefined ? { opsPerTxMax: n.opsPerTxMax } : {}),
            })),
          },
        }
      : {}),
    ...(config.stripe ? { stripe: { apiUrl: config.stripe.apiUrl } } : {}),
  })
}

function evmSettingFrom(config: RailsConfig): RailsConfigSetting {
  if (!config.evm) return {}
  return RailsConfigSetting.parse({
    evm: {
      chains: config.evm.chains.map((c) => ({
        chainId: c.chainId,
        rpcUrl: c.rpcUrl,
        batchContract: c.batchContract,
        ...(c.escrowContract !== undefined ? { escrowContract: c.escrowContract } : {}),
        confirmationsMin: c.confirmationsMin,
        maxFeePerGasCap: c.maxFeePerGasCap.toString(),
        source: { address: c.source.address, path: c.source.path },
        ...(c.reorgWatchBlocks !== undefined ? { reorgWatchBlocks: c.reorgWatchBlocks } : {}),
        ...(c.payoutsPerChunkMax !== undefined ? { payoutsPerChunkMax: c.payoutsPerChunkMax } : {}),
        ...(c.explorerUrl !== undefined ? { explorerUrl: c.explorerUrl } : {}),
      })),
    },
  })
}
