/**
 * Building an escrow transaction on the EVM rail — PURE: the operation, what prepare fixed and the
 * nonce the engine reserved in, the unsigned EIP-1559 transaction to CountersignEscrow out. The
 * idempotency key names the action and its attempt, so a retry of an action is a new key and a
 * resend of the same attempt is the same one.
 */
import { serializeTransaction, type TransactionSerializableEIP1559 } from 'viem'
import { parseMinor } from '../../../../../shared/money'
import { invariant } from '../../../util/invariant'
import type { BuiltEscrowTx, EscrowOpInput } from '../../EscrowRail'
import { nonceNumber } from '../buildEvmTransaction'
import { evmAssetOf } from '../prepareEvmChunk'
import { evmEscrowCall } from './evmEscrowCall'
import type { EvmEscrowSetup } from './evmEscrowSetup'
import { readEvmEscrowPrepared } from './prepareEvmEscrow'

export function buildEvmEscrowTx(setup: EvmEscrowSetup, input: EscrowOpInput, prepared: unknown, nonce: bigint | null): BuiltEscrowTx {
  invariant(nonce !== null, 'the engine reserved no nonce for an EVM escrow transaction')
  const p = readEvmEscrowPrepared(prepared)
  const call = evmEscrowCall(input.terms, input.op, evmAssetOf(setup, input.assets, input.terms.assetId))
  const gas = parseMinor(p.gasLimit)
  const maxFeePerGas = parseMinor(p.maxFeePerGas)
  const tx: TransactionSerializableEIP1559 = {
    type: 'eip1559',
    chainId: setup.chainId,
    nonce: nonceNumber(nonce),
    to: setup.escrowContract,
    data: call.data,
    value: call.value,
    gas,
    maxFeePerGas,
    maxPriorityFeePerGas: parseMinor(p.maxPriorityFeePerGas),
  }
  return {
    source: setup.source.address,
    idempotencyKey: `escrow:evm:${setup.chainId}:${input.actionId}:${input.attempt}`,
    unsignedPayload: serializeTransaction(tx),
    feeCap: (gas * maxFeePerGas).toString(),
    railRefs: new Map(),
  }
}
