/**
 * The EVM escrow rail's reads of CountersignEscrow, all in one JSON-RPC batch where they can be:
 * the latest block's time (the contract's clock) and each asked milestone's `milestoneOf`; and the
 * estimate of an operation, whose revert is decoded to the contract's custom error so a refusal
 * (a fee-on-transfer token, a disputed milestone) can be named to a person.
 */
import { decodeErrorResult, decodeFunctionResult, encodeFunctionData, type Hex } from 'viem'
import { CsError } from '../../../../../shared/errors'
import { countersignEscrowAbi } from '../abi'
import { bigFromHex, hexQuantity } from '../evmHex'
import { rpcBatch, rpcCall, RpcError, type JsonRpcCall } from '../jsonRpc'
import type { EvmEscrowCall } from './evmEscrowCall'
import type { EvmEscrowSetup } from './evmEscrowSetup'

/** Milestone states as the contract numbers them (CountersignEscrow.State). */
export const CONTRACT_STATES = ['none', 'open', 'locked', 'released', 'resolved', 'refunded'] as const
export type ContractMilestoneState = (typeof CONTRACT_STATES)[number]

export interface ContractMilestone {
  amount: bigint
  releaseAfter: bigint
  state: ContractMilestoneState
}

export interface EscrowChainView {
  /** The latest block's timestamp (Unix seconds) and number. */
  now: bigint
  head: bigint
  /** By 0-based contract index. */
  milestones: Map<bigint, ContractMilestone>
}

/** The latest block and the asked milestones of one escrow, in one request. */
export async function readEvmEscrowMilestones(setup: EvmEscrowSetup, id: Hex, indexes: readonly bigint[]): Promise<EscrowChainView> {
  const calls: JsonRpcCall[] = [
    { method: 'eth_getBlockByNumber', params: ['latest', false] },
    ...indexes.map((i): JsonRpcCall => ({
      method: 'eth_call',
      params: [
        { to: setup.escrowContract, data: encodeFunctionData({ abi: countersignEscrowAbi, functionName: 'milestoneOf', args: [id, i] }) },
        'latest',
      ],
    })),
  ]
  const results = await rpcBatch(setup.url, calls)
  const value = (k: number): unknown => {
    const r = results[k]!
    if (!r.ok) {
      throw new CsError(
        'RAIL_UNAVAILABLE',
        `The EVM node refused ${calls[k]!.method} (${r.message.slice(0, 120)}) — try again in a moment.`,
      )
    }
    return r.result
  }
  const block = value(0) as { timestamp?: unknown; number?: unknown } | null
  const milestones = new Map<bigint, ContractMilestone>()
  indexes.forEach((i, k) => {
    const [amount, releaseAfter, state] = decodeFunctionResult({
      abi: countersignEscrowAbi,
      functionName: 'milestoneOf',
      data: value(k + 1) as Hex,
    })
    milestones.set(i, { amount, releaseAfter, state: CONTRACT_STATES[state] ?? 'none' })
  })
  return { now: bigFromHex(block?.timestamp), head: bigFromHex(block?.number), milestones }
}

/** What an estimate answered: the gas, or the contract's refusal by error name. */
export type EscrowEstimate = { ok: true; gas: bigint } | { ok: false; errorName: string; message: string }

export async function estimateEvmEscrowCall(setup: EvmEscrowSetup, call: EvmEscrowCall): Promise<EscrowEstimate> {
  const request = { from: setup.source.address, to: setup.escrowContract, data: call.data, value: hexQuantity(call.value) }
  try {
    return { ok: true, gas: bigFromHex(await rpcCall<Hex>(setup.url, 'eth_estimateGas', [request])) }
  } catch (error) {
    if (!(error instanceof RpcError)) throw error
    return { ok: false, errorName: revertName(error.rpcData), message: error.rpcMessage }
  }
}

/** The custom error's name in a revert's data; '' when it is not one of the escrow's errors. */
function revertName(data: unknown): string {
  const hex = typeof data === 'string' ? data : (data as { data?: unknown } | null)?.data
  if (typeof hex !== 'string' || !/^0x[0-9a-fA-F]{8}/.test(hex)) return ''
  try {
    return decodeErrorResult({ abi: countersignEscrowAbi, data: hex as Hex }).errorName
  } catch {
    return ''
  }
}
