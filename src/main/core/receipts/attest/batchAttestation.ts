/**
 * One device signature per batch (issue 16): the treasury key signs the Merkle root of a paid EVM
 * or Stellar batch's receipts on the Ledger, and each receipt carries its proof. This module is
 * the entry the other receipt parts code against (notes/tables.md); the parts live beside it:
 *   merkle.ts                  the tree (leaves, nodes, proofs)
 *   attestationMessage.ts      the text the device signs, and the EIP-191 / SEP-53 signature check
 *   verifyBatchAttestation.ts  the offline check of a receipt's attestation
 *   attestBatch.ts             signing on the device and storing the row (audited)
 *   loadBatchAttestation.ts    the attestation a receipt file carries
 */
export { attestationMessage, type AttestationChain, type AttestationMessageInput } from './attestationMessage'
export { verifyBatchAttestation, type BatchAttestationExpectations, type BatchAttestationVerification } from './verifyBatchAttestation'
export { attestBatch, type AttestBatchOptions, type AttestBatchReturnType, type AttestationRow } from './attestBatch'
export { loadBatchAttestation, loadBatchAttestationSet, type BatchAttestationSet } from './loadBatchAttestation'
