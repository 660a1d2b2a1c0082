/**
 * The EVM rail's `readBalances`: what one address holds on this chain, per asset — the native
 * balance (eth_getBalance) or the token's balanceOf (eth_call) — all in ONE JSON-RPC batch, at
 * the latest block. A token address with no code answers an empty result: that is reported as a
 * zero balance with a note (a chain that lost its state has no token contract), not as an error.
 */
import { decodeFunctionResult, encodeFunctionData, erc20Abi, getAddress, type Hex } from 'viem'
import { CsError } from '../../../../shared/errors'
import type { AssetRow } from '../../db/schema'
import { invariant } from '../../util/invariant'
import type { RailBalance } from '../Rail'
import { bigFromHex } from './evmHex'
import type { EvmRailSetup } from './evmRailSetup'
import { rpcBatch, type JsonRpcCall } from './jsonRpc'
import { evmKindOf } from './prepareEvmChunk'

export async function readEvmBalances(setup: EvmRailSetup, address: string, assets: readonly AssetRow[]): Promise<RailBalance[]> {
  const owner = getAddress(address)
  const calls: JsonRpcCall[] = assets.map((asset) => {
    invariant(asset.rail === 'evm' && asset.network === setup.network, () => `asset ${asset.id} is not on evm:${setup.network}`)
    const { token } = evmKindOf(asset)
    return token === null
      ? { method: 'eth_getBalance', params: [owner, 'latest'] }
      : {
          method: 'eth_call',
          params: [{ to: token, data: encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [owner] }) }, 'latest'],
        }
  })
  const results = await rpcBatch(setup.url, calls)
  return assets.map((asset, i) => {
    const r = results[i]!
    if (!r.ok) {
      throw new CsError(
        'RAIL_UNAVAILABLE',
        `The EVM node of chain ${setup.chainId} refused ${calls[i]!.method} for ${asset.id} (${r.message.slice(0, 120)}) — try again in a moment.`,
      )
    }
    const { token } = evmKindOf(asset)
    if (token === null) return { assetId: asset.id, minor: bigFromHex(r.result) }
    const data = r.result as Hex
    if (data === '0x') {
      return {
        assetId: asset.id,
        minor: 0n,
        note: `There is no token contract at ${token} on chain ${setup.chainId} (was the chain reset?)`,
      }
    }
    return { assetId: asset.id, minor: decodeFunctionResult({ abi: erc20Abi, functionName: 'balanceOf', data }) }
  })
}
