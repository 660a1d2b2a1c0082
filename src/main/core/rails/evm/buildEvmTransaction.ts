/**
 * Building on the EVM rail — PURE: plain data in, the unsigned EIP-1559 transaction out, no
 * network, no clock, no database. `build` makes a chunk's transaction at the nonce the engine
 * reserved; `renumber` moves a planned (never signed) one to another nonce and changes nothing
 * else — same call, same fees, same idempotency key — so a freed nonce can be closed up.
 */
import { getAddress, parseTransaction, serializeTransaction, type Hex, type TransactionSerializableEIP1559 } from 'viem'
import { parseMinor } from '../../../../shared/money'
import type { BuiltSubmission, RailBuildInput, RailSubmission } from '../Rail'
import { invariant, unreachable } from '../../util/invariant'
import { evmBatchRef, evmChunkCall } from './evmCallData'
import { readEvmPrepared } from './evmPrepared'
import type { EvmRailSetup } from './evmRailSetup'

/** Ethereum nonces are below 2^64 (EIP-2681); viem takes them as a JS number, exact up to 2^53. */
const NONCE_EXACT_MAX = BigInt(Number.MAX_SAFE_INTEGER)

export function buildEvmTransaction(setup: EvmRailSetup, input: RailBuildInput): BuiltSubmission {
  invariant(input.nonce !== null, 'the engine reserved no nonce for an EVM submission')
  const p = readEvmPrepared(input.chunk.prepared)
  const byId = new Map(input.payouts.map((x) => [x.id, x]))
  const ordered = input.chunk.payoutIds.map((id) => byId.get(id) ?? unreachable(`payout ${id} missing from build input`))
  const batchRef = evmBatchRef(setup.chainId, input.batchId, input.chunk.chunkIndex)
  const call = evmChunkCall(p.kind, p.token, ordered, batchRef)
  const gas = parseMinor(p.gasLimit)
  const maxFeePerGas = parseMinor(p.maxFeePerGas)
  const tx: TransactionSerializableEIP1559 = {
    type: 'eip1559',
    chainId: setup.chainId,
    nonce: nonceNumber(input.nonce),
    to: setup.batchContract,
    data: call.data,
    value: call.value,
    gas,
    maxFeePerGas,
    maxPriorityFeePerGas: parseMinor(p.maxPriorityFeePerGas),
  }
  return {
    source: setup.source.address,
    idempotencyKey: `evm:${setup.chainId}:${batchRef}:${input.attempt}`,
    unsignedPayload: serializeTransaction(tx),
    feeCap: (gas * maxFeePerGas).toString(),
  }
}

/** The same planned transaction at `nonce`; nothing else changes (see the file comment). */
export function renumberEvmTransaction(setup: EvmRailSetup, submission: RailSubmission, nonce: bigint): BuiltSubmission {
  invariant(
    submission.state === 'planned',
    () => `renumber of a ${submission.state} submission ${submission.id}: only planned ones are unknown outside`,
  )
  const tx = parseUnsignedEvm(submission)
  invariant(tx.chainId === setup.chainId, () => `submission ${submission.id} is not on chain ${setup.chainId}`)
  return {
    source: submission.source,
    idempotencyKey: submission.idempotency_key,
    unsignedPayload: serializeTransaction({ ...tx, nonce: nonceNumber(nonce) }),
    feeCap: submission.fee_cap,
  }
}

/** The stored unsigned payload as a transaction; it was built by this rail, so anything else is a bug. */
export function parseUnsignedEvm(submission: Pick<RailSubmission, 'id' | 'unsigned_payload'>): TransactionSerializableEIP1559 {
  invariant(submission.unsigned_payload !== null, () => `submission ${submission.id} has no unsigned payload`)
  const tx = parseTransaction(submission.unsigned_payload as Hex)
  invariant(tx.type === 'eip1559', () => `submission ${submission.id} is not an EIP-1559 transaction`)
  return tx
}

/** Whether the transaction calls the configured batch contract (or `contract`) on the configured chain. */
export function callsBatchContract(
  setup: EvmRailSetup,
  tx: TransactionSerializableEIP1559,
  contract: `0x${string}` = setup.batchContract,
): boolean {
  return tx.chainId === setup.chainId && tx.to !== undefined && tx.to !== null && getAddress(tx.to) === getAddress(contract)
}

/** A reserved nonce as viem takes it (a JS number, exact below 2^53). */
export function nonceNumber(nonce: bigint): number {
  invariant(nonce >= 0n && nonce <= NONCE_EXACT_MAX, () => `nonce ${nonce} is out of range`)
  return Number(nonce)
}
