/**
 * The facts the EVM escrow rail is built from: the EVM rail's own setup (chain, node, treasury,
 * fee cap, confirmations) plus the CountersignEscrow it calls. Resolved once from the chain's
 * configuration, so every part of the escrow rail is a function of plain data, like the payout rail.
 */
import { getAddress } from 'viem'
import { invariant } from '../../../util/invariant'
import type { EvmChainConfig } from '../evmRailConfig'
import { evmRailSetup, type EvmRailSetup } from '../evmRailSetup'

export interface EvmEscrowSetup extends EvmRailSetup {
  /** The CountersignEscrow every escrow operation calls (EIP-55). */
  readonly escrowContract: `0x${string}`
}

export function evmEscrowSetup(config: EvmChainConfig, rpcUrl?: string): EvmEscrowSetup {
  invariant(config.escrowContract !== undefined, () => `chain ${config.chainId} has no escrow contract configured`)
  return { ...evmRailSetup(config, rpcUrl), escrowContract: getAddress(config.escrowContract) }
}
