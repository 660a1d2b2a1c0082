/**
 * Checks a receipt's batch attestation with nothing but the receipt file: no database, no network.
 * In order — the first that fails is named:
 *   1. the attestation is well formed;
 *   2. the receipt's leaf leads to the root through the proof, at the position leafIndex gives;
 *   3. the message the device signed is exactly the one built from the root, the count, the
 *      chain and the batch (so the root signed is the root proven);
 *   4. the signature is the signer's (EIP-191 on EVM, SEP-53 on Stellar);
 *   5. when the caller knows them (from the receipt itself): the workspace, the batch and the
 *      paying account are the attestation's.
 */
import type { ReceiptBatchAttestation } from '../../../../shared/receiptTypes'
import { attestationMessage, attestationMessageWorkspaceId, attestationSignatureProblem } from './attestationMessage'
import { isMerkleHash, merkleLeaf, merkleProofSides, MERKLE_PROOF_STEPS_MAX, verifyMerkleProof } from './merkle'

export type BatchAttestationVerification = { ok: true } | { ok: false; problem: string }

/** What the receipt says, to hold the attestation to (each optional). */
export interface BatchAttestationExpectations {
  /** The receipt's workspaceId. */
  workspaceId?: string
  /** The receipt's subject.batchId. */
  batchId?: string
  /** The receipt's payer.account: the address that paid must be the one that signed. */
  payer?: string
}

export function verifyBatchAttestation(
  attestation: ReceiptBatchAttestation,
  receiptSha256: string,
  expected: BatchAttestationExpectations = {},
): BatchAttestationVerification {
  const malformed = shapeProblem(attestation)
  if (malformed !== null) return fail(`The batch attestation is malformed: ${malformed}.`)
  const a = attestation
  if (typeof receiptSha256 !== 'string' || !isMerkleHash(receiptSha256))
    return fail('The receipt hash is not 64 lower-case hex characters.')

  const sides = merkleProofSides(a.leafCount, a.leafIndex)
  if (a.proof.length !== sides.length || a.proof.some((step, i) => step.side !== sides[i]))
    return fail(`The Merkle proof does not fit receipt ${a.leafIndex + 1} of ${a.leafCount} — it is for another position or another batch.`)
  if (!verifyMerkleProof(merkleLeaf(receiptSha256), a.proof, a.root))
    return fail(
      `The Merkle proof does not lead from this receipt to the root the device signed — the receipt was changed, or the proof is for another batch.`,
    )

  const workspaceId = attestationMessageWorkspaceId(a.message)
  let rebuilt: string | null = null
  try {
    if (workspaceId !== null)
      rebuilt = attestationMessage({ chain: a.chain, batchId: a.batchId, root: a.root, leafCount: a.leafCount, workspaceId })
  } catch {
    rebuilt = null
  }
  if (rebuilt === null || rebuilt !== a.message)
    return fail(
      `The signed message does not state this root, ${a.leafCount} receipts, chain ${a.chain} and batch ${a.batchId} — it was changed.`,
    )

  const signatureProblem = attestationSignatureProblem({ chain: a.chain, message: a.message, signer: a.signer, signature: a.signature })
  if (signatureProblem !== null) return fail(signatureProblem)

  if (expected.workspaceId !== undefined && expected.workspaceId !== workspaceId)
    return fail(`The attestation is for workspace ${workspaceId}, not this receipt's workspace ${expected.workspaceId}.`)
  if (expected.batchId !== undefined && expected.batchId !== a.batchId)
    return fail(`The attestation is for batch ${a.batchId}, not this receipt's batch ${expected.batchId}.`)
  if (expected.payer !== undefined && !sameAccount(a.chain, expected.payer, a.signer))
    return fail(`The attestation is signed by ${a.signer}, not by ${expected.payer}, the account that paid this receipt.`)
  return { ok: true }
}

function sameAccount(chain: ReceiptBatchAttestation['chain'], x: string, y: string): boolean {
  // EIP-55 is only a checksum spelling; Stellar G… keys are compared exactly.
  return chain === 'evm' ? x.toLowerCase() === y.toLowerCase() : x === y
}

function fail(problem: string): BatchAttestationVerification {
  return { ok: false, problem }
}

/** Everything an attestation read from an untrusted file must be before it is looked at; null when it is. */
function shapeProblem(a: unknown): string | null {
  if (typeof a !== 'object' || a === null) return 'it is not an object'
  const x = a as Record<string, unknown>
  if (x.chain !== 'evm' && x.chain !== 'stellar') return 'its chain is neither evm nor stellar'
  for (const key of ['batchId', 'signer', 'root', 'message', 'signature'] as const)
    if (typeof x[key] !== 'string') return `its ${key} is not text`
  if (!isMerkleHash(x.root as string)) return 'its root is not 64 lower-case hex characters'
  const { leafCount, leafIndex, proof } = x
  if (typeof leafCount !== 'number' || !Number.isSafeInteger(leafCount) || leafCount < 1 || leafCount > 2 ** MERKLE_PROOF_STEPS_MAX)
    return 'its leafCount is not a number of receipts'
  if (typeof leafIndex !== 'number' || !Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= leafCount)
    return `its leafIndex is not a position among ${leafCount} receipts`
  if (!Array.isArray(proof) || proof.length > MERKLE_PROOF_STEPS_MAX) return 'its proof is not a list of at most 32 steps'
  for (const step of proof as unknown[]) {
    const s = step as { side?: unknown; hash?: unknown } | null
    if (
      typeof s !== 'object' ||
      s === null ||
      (s.side !== 'left' && s.side !== 'right') ||
      typeof s.hash !== 'string' ||
      !isMerkleHash(s.hash)
    )
      return 'a step of its proof is not { side: left|right, hash: 64 hex }'
  }
  return null
}
