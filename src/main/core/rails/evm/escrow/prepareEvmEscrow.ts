/**
 * Prepare of an escrow operation on the EVM rail: network reads, no writes. Fixes what `build`
 * needs — the gas limit (the node's estimate plus headroom, which also proves the call would not
 * revert today) and the fees — as JSON-able text, because it travels through the engine.
 */
import { CsError } from '../../../../../shared/errors'
import { invariant } from '../../../util/invariant'
import type { EscrowOpInput } from '../../EscrowRail'
import { readEvmFees } from '../evmFees'
import { evmRailDefaults, gasPerTxMax } from '../evmRailConfig'
import { evmAssetOf } from '../prepareEvmChunk'
import { evmEscrowCall } from './evmEscrowCall'
import type { EvmEscrowSetup } from './evmEscrowSetup'
import { escrowRefusal } from './preflightEvmEscrow'
import { estimateEvmEscrowCall } from './readEvmEscrow'

export interface EvmEscrowPrepared {
  gasLimit: string
  maxFeePerGas: string
  maxPriorityFeePerGas: string
}

export async function prepareEvmEscrow(
  setup: EvmEscrowSetup,
  checkChain: () => Promise<void>,
  input: EscrowOpInput,
): Promise<EvmEscrowPrepared> {
  await checkChain()
  const asset = evmAssetOf(setup, input.assets, input.terms.assetId)
  const fees = await readEvmFees(setup)
  const estimate = await estimateEvmEscrowCall(setup, evmEscrowCall(input.terms, input.op, asset))
  if (!estimate.ok) {
    const refusal = escrowRefusal(setup, input.terms, asset, estimate)
    throw new CsError(refusal.code, refusal.message, { details: { escrowId: input.terms.escrowId, op: input.op.kind } })
  }
  const headroom = (estimate.gas * evmRailDefaults.gasLimitHeadroomNumerator) / evmRailDefaults.gasLimitHeadroomDenominator
  if (headroom > setup.usableGas) {
    throw new CsError(
      'ESCROW_RAIL_REFUSED',
      `This escrow operation needs ${estimate.gas} gas, above the ${setup.usableGas} a transaction may safely use on chain ${setup.chainId} — use fewer milestones.`,
    )
  }
  return {
    gasLimit: (headroom > gasPerTxMax ? gasPerTxMax : headroom).toString(),
    maxFeePerGas: fees.maxFeePerGas.toString(),
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
  }
}

/** The prepared facts of an operation prepared by this rail; anything else is an engine bug. */
export function readEvmEscrowPrepared(value: unknown): EvmEscrowPrepared {
  const p = value as EvmEscrowPrepared | null
  invariant(
    p !== null &&
      typeof p === 'object' &&
      typeof p.gasLimit === 'string' &&
      typeof p.maxFeePerGas === 'string' &&
      typeof p.maxPriorityFeePerGas === 'string',
    'not an EVM escrow plan',
  )
  return p
}
