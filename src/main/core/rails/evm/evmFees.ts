/**
 * The fees a chunk bids, read from the node at planning: maxFeePerGas = base fee × multiplier +
 * priority fee, so the transaction survives several full blocks of base-fee rise. Above the
 * configured cap we refuse rather than follow the node (nothing is signed).
 */
import type { Hex } from 'viem'
import { CsError } from '../../../../shared/errors'
import { formatAmount } from '../../../../shared/money'
import { evmRailDefaults } from './evmRailConfig'
import type { EvmRailSetup } from './evmRailSetup'
import { bigFromHex } from './evmHex'
import { rpcCall, RpcError } from './jsonRpc'

export interface EvmFees {
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
}

/** gwei has 9 decimals of wei: how fees are written in messages. */
const GWEI_SCALE = 9

export async function readEvmFees(setup: EvmRailSetup): Promise<EvmFees> {
  const block = await rpcCall<{ baseFeePerGas?: Hex } | null>(setup.url, 'eth_getBlockByNumber', ['latest', false])
  if (!block?.baseFeePerGas) {
    throw new CsError('RAIL_UNAVAILABLE', `Chain ${setup.chainId} reports no base fee — the EVM rail needs an EIP-1559 chain.`)
  }
  let priority: bigint
  try {
    priority = bigFromHex(await rpcCall<Hex>(setup.url, 'eth_maxPriorityFeePerGas', []))
  } catch (error) {
    if (!(error instanceof RpcError)) throw error
    priority = evmRailDefaults.priorityFeeFallbackWei
  }
  const maxFeePerGas = bigFromHex(block.baseFeePerGas) * evmRailDefaults.baseFeeMultiplier + priority
  if (maxFeePerGas > setup.maxFeePerGasCap) {
    throw new CsError(
      'FEE_CAP_EXCEEDED',
      `Gas on chain ${setup.chainId} costs up to ${gwei(maxFeePerGas)} gwei now, above your cap of ${gwei(setup.maxFeePerGasCap)} gwei — nothing was signed; wait for fees to fall or raise the cap.`,
      { details: { maxFeePerGas: maxFeePerGas.toString(), cap: setup.maxFeePerGasCap.toString() } },
    )
  }
  return { maxFeePerGas, maxPriorityFeePerGas: priority < maxFeePerGas ? priority : maxFeePerGas }
}

export function gwei(wei: bigint): string {
  return formatAmount(wei, GWEI_SCALE)
}
