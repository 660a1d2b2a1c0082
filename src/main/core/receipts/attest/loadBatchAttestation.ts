/**
 * The batch attestation a receipt file carries: the stored root and device signature, with this
 * receipt's position and inclusion proof. Read back, the row is checked as a payee will check it
 * (the leaves give the stored root, the signature is the signer's) before anything is handed out.
 *
 * For many receipts of one batch (a ZIP of the batch's PDFs), build the set once with
 * loadBatchAttestationSet and ask it per receipt: the tree is built once, not once per receipt.
 */
import { CsError } from '../../../../shared/errors'
import type { ReceiptBatchAttestation } from '../../../../shared/receiptTypes'
import type { CoreContext } from '../../context'
import { attestationSignatureProblem, type AttestationChain } from './attestationMessage'
import { findAttestation, leafHashesOf, type AttestationRow } from './attestationStore'
import { buildMerkleTree, merkleLeaf } from './merkle'

export interface BatchAttestationSet {
  readonly row: AttestationRow
  /** The attestation for one receipt of the set; null when the receipt is not one of its leaves. */
  forReceipt(receiptNumber: number): ReceiptBatchAttestation | null
}

export async function loadBatchAttestationSet(
  ctx: CoreContext,
  batchId: string,
  chain: AttestationChain,
): Promise<BatchAttestationSet | null> {
  const row = await findAttestation(ctx, batchId, chain)
  if (!row) return null
  const tree = buildMerkleTree((await leafHashesOf(ctx, batchId, chain, row.leaves)).map(merkleLeaf))
  if (tree.root !== row.root)
    throw damaged(row, 'its receipts no longer give the root the device signed (a receipt was changed in the database)')
  const problem = attestationSignatureProblem({ chain: row.chain, message: row.message, signer: row.signer, signature: row.signature })
  if (problem !== null) throw damaged(row, problem)
  const indexOf = new Map(row.leaves.map((n, i) => [n, i]))
  return {
    row,
    forReceipt(receiptNumber) {
      const leafIndex = indexOf.get(receiptNumber)
      if (leafIndex === undefined) return null
      return {
        chain: row.chain,
        batchId: row.batchId,
        signer: row.signer,
        root: row.root,
        leafCount: row.leafCount,
        message: row.message,
        signature: row.signature,
        leafIndex,
        proof: tree.proof(leafIndex),
      }
    },
  }
}

/**
 * The attestation for receipt `receiptNumber` of batch `batchId`; null when the receipt is not on
 * EVM or Stellar, not of that batch, or the batch (chain) has not been attested — or was attested
 * before this receipt was issued (a payout retried later).
 */
export async function loadBatchAttestation(
  ctx: CoreContext,
  batchId: string,
  receiptNumber: number,
): Promise<ReceiptBatchAttestation | null> {
  const receipt = await ctx.db.first(ctx.db.k.selectFrom('receipts').select(['batch_id', 'rail']).where('number', '=', receiptNumber))
  if (!receipt || receipt.batch_id !== batchId || (receipt.rail !== 'evm' && receipt.rail !== 'stellar')) return null
  const set = await loadBatchAttestationSet(ctx, batchId, receipt.rail)
  return set?.forReceipt(receiptNumber) ?? null
}

function damaged(row: AttestationRow, why: string): CsError {
  return new CsError(
    'RECEIPT_ATTESTATION_INVALID',
    `The device attestation stored for batch ${row.batchId} (${row.chain}) does not verify: ${why} — run "countersign audit verify" and restore a backup if the books were changed.`,
  )
}
