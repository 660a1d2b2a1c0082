/**
 * What one chunk asks CountersignBatch to do, and under which identity. Shared by planning (the
 * gas estimate) and building (the transaction), so the estimated call and the signed one are the
 * same bytes.
 *
 * Identity of a chunk: batchRef = keccak256("countersign:evm:<chainId>:<batchId>:<chunkIndex>").
 * A retry of a chunk keeps its payouts, their order and its batchRef; the contract accepts a
 * (payer, batchRef) pair once, so at most one attempt of a chunk can ever pay.
 */
import { encodeFunctionData, getAddress, keccak256, toHex, type Hex } from 'viem'
import { parseMinor } from '../../../../shared/money'
import type { PayoutRow } from '../../db/schema'
import { invariant } from '../../util/invariant'
import { countersignBatchAbi } from './abi'

type Address = `0x${string}`

/** payToken for an asset with an issuer (ERC-20), payNative for the chain's own coin. */
export type EvmChunkKind = 'token' | 'native'

export function evmBatchRef(chainId: number, batchId: string, chunkIndex: number): Hex {
  return keccak256(toHex(`countersign:evm:${chainId}:${batchId}:${chunkIndex}`))
}

export interface EvmChunkCall {
  data: Hex
  /** Wei sent with the call: the sum of the amounts for payNative, 0 for payToken. */
  value: bigint
}

/** The calldata and value of one chunk, payouts in `payouts` order (position i = Paid.index i). */
export function evmChunkCall(kind: EvmChunkKind, token: Address | null, payouts: readonly PayoutRow[], batchRef: Hex): EvmChunkCall {
  const recipients = payouts.map((p) => getAddress(p.recipient))
  const amounts = payouts.map((p) => parseMinor(p.amount))
  if (kind === 'native') {
    const value = amounts.reduce((s, a) => s + a, 0n)
    return {
      data: encodeFunctionData({ abi: countersignBatchAbi, functionName: 'payNative', args: [recipients, amounts, batchRef] }),
      value,
    }
  }
  invariant(token !== null, 'a token chunk without its token address')
  return {
    data: encodeFunctionData({ abi: countersignBatchAbi, functionName: 'payToken', args: [token, recipients, amounts, batchRef] }),
    value: 0n,
  }
}
