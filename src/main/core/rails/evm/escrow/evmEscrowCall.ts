/**
 * What one escrow operation asks CountersignEscrow to do: calldata and value. Shared by the
 * estimate (prepare, preflight) and the transaction (build), so the estimated call and the signed
 * one are the same bytes.
 *
 * Identity: the contract knows an escrow by bytes32 = keccak256 of the escrow id's UTF-8 bytes
 * (`evmEscrowId`); milestones are 1-based in the app and 0-based in the contract.
 */
import { encodeFunctionData, getAddress, keccak256, stringToBytes, zeroAddress, type Hex } from 'viem'
import type { AssetRow } from '../../../db/schema'
import { invariant, unreachable, assertNever } from '../../../util/invariant'
import type { EscrowOp, EscrowTerms } from '../../EscrowRail'
import { countersignEscrowAbi } from '../abi'
import { evmKindOf } from '../prepareEvmChunk'

const MS_PER_SECOND = 1_000

/** The on-chain id of an escrow: keccak256 of its id (what createEscrow stores as rail_escrow_id). */
export function evmEscrowId(escrowId: string): Hex {
  return keccak256(stringToBytes(escrowId))
}

export interface EvmEscrowCall {
  data: Hex
  /** Wei sent with the call: the sum of the milestones when funding in native ETH, else 0. */
  value: bigint
}

/** A Date as the contract's clock counts it: whole Unix seconds (an instant inside a second rounds down). */
export function unixSeconds(at: Date): bigint {
  return BigInt(Math.floor(at.getTime() / MS_PER_SECOND))
}

/** The contract's 0-based index of a 1-based milestone of these terms. */
export function contractIndex(terms: EscrowTerms, milestone: number): bigint {
  invariant(
    terms.milestones.some((m) => m.index === milestone),
    () => `escrow ${terms.escrowId} has no milestone ${milestone}`,
  )
  return BigInt(milestone - 1)
}

/** The one milestone a refund operation carries: the engine sends one refund per milestone. */
export function refundMilestone(op: Extract<EscrowOp, { kind: 'refund' }>): number {
  invariant(op.milestones.length === 1, () => `an EVM refund takes exactly one milestone, got ${op.milestones.length}`)
  return op.milestones[0]!
}

/** The milestone an operation is about; null for fund. */
export function opMilestone(op: EscrowOp): number | null {
  switch (op.kind) {
    case 'fund':
      return null
    case 'release':
    case 'dispute':
    case 'resolve':
      return op.milestone
    case 'refund':
      return refundMilestone(op)
    default:
      return assertNever(op, 'escrow op')
  }
}

export function evmEscrowCall(terms: EscrowTerms, op: EscrowOp, asset: AssetRow): EvmEscrowCall {
  const id = terms.railEscrowId as Hex
  invariant(/^0x[0-9a-fA-F]{64}$/.test(id), () => `escrow ${terms.escrowId} has no bytes32 rail id`)
  const encode = (functionName: 'release' | 'lock' | 'refund', milestone: number): EvmEscrowCall => ({
    data: encodeFunctionData({ abi: countersignEscrowAbi, functionName, args: [id, contractIndex(terms, milestone)] }),
    value: 0n,
  })
  switch (op.kind) {
    case 'fund':
      return fundCall(terms, asset, id)
    case 'release':
      return encode('release', op.milestone)
    case 'dispute':
      return encode('lock', op.milestone)
    case 'refund':
      return encode('refund', refundMilestone(op))
    case 'resolve':
      return {
        data: encodeFunctionData({
          abi: countersignEscrowAbi,
          functionName: 'resolve',
          args: [id, contractIndex(terms, op.milestone), op.toPayee, op.toPayer],
        }),
        value: 0n,
      }
    default:
      return assertNever(op, 'escrow op')
  }
}

function fundCall(terms: EscrowTerms, asset: AssetRow, id: Hex): EvmEscrowCall {
  const milestones = [...terms.milestones].sort((a, b) => a.index - b.index)
  milestones.forEach((m, k) => {
    if (m.index !== k + 1) unreachable(`escrow ${terms.escrowId} milestones are not 1..n (found ${m.index} at ${k + 1})`)
  })
  const amounts = milestones.map((m) => m.amount)
  const { kind, token } = evmKindOf(asset)
  const total = amounts.reduce((s, a) => s + a, 0n)
  return {
    data: encodeFunctionData({
      abi: countersignEscrowAbi,
      functionName: 'fund',
      args: [
        id,
        token ?? zeroAddress,
        getAddress(terms.payee),
        amounts,
        milestones.map((m) => unixSeconds(m.releaseAfter)),
        unixSeconds(terms.expiresAt),
      ],
    }),
    value: kind === 'native' ? total : 0n,
  }
}
