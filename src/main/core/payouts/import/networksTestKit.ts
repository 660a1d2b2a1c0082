/**
 * Test helper (imported by test kits only): write the rails setting straight into the workspace so
 * the importer sees these networks as set up — without swapping the core's live rails, so nothing
 * tries to reach a node. EVM chains by id; Stellar networks by name.
 */
import type { CoreContext } from '../../context'
import { RAILS_SETTING_KEY } from '../../rails/getRailsSetting'
import type { RailsConfigSetting } from '../../../../shared/payoutsApi'

const ADDRESS = '0x9C9c9c9c9c9c9C9c9c9C9C9c9c9C9c9c9c9c9C9c'
const STELLAR_SOURCE = 'GAAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQCAIBAEAQDZ7H'

export async function markNetworksSetUpForTest(
  ctx: CoreContext,
  networks: { evm?: number[]; stellar?: string[]; stripe?: boolean },
): Promise<void> {
  const setting: RailsConfigSetting = {
    ...(networks.evm
      ? {
          evm: {
            chains: networks.evm.map((chainId) => ({
              chainId,
              rpcUrl: 'http://127.0.0.1:1',
              batchContract: ADDRESS,
              confirmationsMin: 1,
              maxFeePerGasCap: '1',
              source: { address: ADDRESS, path: "m/44'/60'/0'/0/0" },
            })),
          },
        }
      : {}),
    ...(networks.stellar
      ? {
          stellar: {
            networks: networks.stellar.map((network) => ({
              network,
              horizonUrl: 'http://127.0.0.1:1',
              networkPassphrase: 'Test SDF Network ; September 2015',
              source: { address: STELLAR_SOURCE, path: "m/44'/148'/0'" },
              maxFeePerOpStroops: '100',
            })),
          },
        }
      : {}),
    ...(networks.stripe ? { stripe: { apiUrl: 'http://127.0.0.1:1' } } : {}),
  }
  const value = JSON.stringify(setting)
  const at = ctx.clock.now().toISOString()
  await ctx.db.run(
    ctx.db.k
      .insertInto('settings')
      .values({ key: RAILS_SETTING_KEY, value, updated_at: at, updated_by: 'test' })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at })),
  )
}
