/**
 * The EIP-712 shapes a Ledger approval key signs. Each carries the 32-byte digest of the canonical
 * document (so an ed25519 approval and a Ledger approval commit to the same bytes) beside the
 * fields a person must read on the device before they press "Sign".
 */
import type { TypedDataDefinition } from 'viem'

/** chainId 1 only because the Ethereum app wants one; no transaction is ever made from these. */
export const APPROVAL_DOMAIN = { name: 'Countersign', version: '1', chainId: 1 } as const

export function batchApprovalTypedData(m: {
  batchId: string
  batch: string
  version: number
  payouts: number
  totals: string
  digest: string
}): TypedDataDefinition {
  return {
    domain: APPROVAL_DOMAIN,
    types: {
      BatchApproval: [
        { name: 'batch', type: 'string' },
        { name: 'batchId', type: 'string' },
        { name: 'version', type: 'uint64' },
        { name: 'payouts', type: 'uint32' },
        { name: 'totals', type: 'string' },
        { name: 'digest', type: 'bytes32' },
      ],
    },
    primaryType: 'BatchApproval',
    message: { ...m, version: BigInt(m.version), digest: `0x${m.digest}` },
  }
}

export function adminChangeTypedData(m: { changeId: string; summary: string; digest: string }): TypedDataDefinition {
  return {
    domain: APPROVAL_DOMAIN,
    types: {
      AdminChange: [
        { name: 'change', type: 'string' },
        { name: 'changeId', type: 'string' },
        { name: 'digest', type: 'bytes32' },
      ],
    },
    primaryType: 'AdminChange',
    message: { change: m.summary, changeId: m.changeId, digest: `0x${m.digest}` },
  }
}
