/**
 * attestBatch: the treasury key signs, on the Ledger, the Merkle root of one paid batch's
 * receipts on one chain — one device prompt per batch and chain, once. Then every receipt of the
 * batch carries the root, the signature and its own inclusion proof (loadBatchAttestation.ts), so
 * a payee checks with no server that the address that paid them vouches for their receipt.
 *
 *   checks (db) -> device prompt (no transaction open) -> verify locally -> COMMIT row + audit
 *
 * Idempotent: a batch (and chain) already attested returns the stored row without the device;
 * two attestations of the same leaves are never stored (one row per batch and chain, re-checked
 * inside the transaction). A batch that paid on EVM and on Stellar is attested per chain.
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { CsError } from '../../../../shared/errors'
import { appendAudit } from '../../audit/appendAudit'
import { SYSTEM_ACTOR, type Actor, type CoreContext } from '../../context'
import { getBatchRow } from '../../payouts/batches/readBatch'
import type { Signer } from '../../signing/Signer'
import type { Hex } from '../../signing/evmCrypto'
import {
  attestationMessage,
  attestationSignatureProblem,
  encodeEvmSignature,
  sep53MessageHash,
  type AttestationChain,
} from './attestationMessage'
import { batchReceiptHashes, findAttestation, type AttestationRow, type BatchReceipt } from './attestationStore'
import { buildMerkleTree, merkleLeaf } from './merkle'
import { attestationChainOf, readAttestationPlan, type AttestationPlan } from './readAttestationPlan'

export type { AttestationRow } from './attestationStore'

export interface AttestBatchOptions {
  /** The device, or where to get it — asked only when a signature is needed (a stored one needs none). */
  signer?: Signer | (() => Promise<Signer>)
  /** Who asked (created_by and the audit row). */
  actor?: Actor
  /** Required for a batch that paid on both EVM and Stellar: the chain whose receipts to attest. */
  chain?: AttestationChain
  /** "your Ledger", "the Sandbox device emulator": how prompts name the device. */
  deviceName?: string
  /** What to show while the device waits for the person: which chain's app, and the sentence. */
  onProgress?: (progress: { chain: AttestationChain; message: string }) => void
}

export type AttestBatchReturnType = AttestationRow & { signedNow: boolean }

export async function attestBatch(ctx: CoreContext, batchId: string, options: AttestBatchOptions = {}): Promise<AttestBatchReturnType> {
  const batch = await getBatchRow(ctx, batchId)
  const chain = await attestationChainOf(ctx, batch, options.chain)
  const stored = await findAttestation(ctx, batchId, chain)
  if (stored) return { ...stored, signedNow: false }
  const plan = await readAttestationPlan(ctx, batch, chain)
  const tree = buildMerkleTree(plan.receipts.map((r) => merkleLeaf(r.sha256)))
  const message = attestationMessage({
    chain: plan.chain,
    batchId,
    root: tree.root,
    leafCount: tree.leafCount,
    workspaceId: plan.workspaceId,
  })
  const signature = await signOnDevice(plan, message, batch.name, tree.root, options)
  // The device's answer is checked here too, exactly as a payee will check it, before it is kept.
  const problem = attestationSignatureProblem({ chain: plan.chain, message, signer: plan.signer, signature })
  if (problem !== null) {
    throw new CsError(
      'RECEIPT_ATTESTATION_INVALID',
      `The Ledger's signature over the receipts of batch "${batch.name}" does not verify (${problem}) — nothing was stored; reconnect the device and try again.`,
    )
  }
  const row: AttestationRow = {
    batchId,
    chain: plan.chain,
    signer: plan.signer,
    root: tree.root,
    leafCount: tree.leafCount,
    message,
    signature,
    leaves: plan.receipts.map((r) => r.number),
    createdAt: ctx.clock.now().toISOString(),
    createdBy: options.actor ?? SYSTEM_ACTOR,
  }
  return await store(ctx, row, plan.receipts)
}

async function signOnDevice(
  plan: AttestationPlan,
  message: string,
  batchName: string,
  root: string,
  options: AttestBatchOptions,
): Promise<string> {
  const signer = typeof options.signer === 'function' ? await options.signer() : options.signer
  if (!signer)
    throw new CsError('SIGNER_UNAVAILABLE', 'No Ledger is connected — connect it, open the app of the chain that paid and try again.')
  const device = options.deviceName ?? 'your Ledger'
  const count = `${plan.receipts.length} ${plan.receipts.length === 1 ? 'receipt' : 'receipts'}`
  if (plan.chain === 'evm') {
    report(
      options,
      plan.chain,
      `Confirm on ${device} (Ethereum app) the message for the ${count} of batch "${batchName}" — it shows root ${root}.`,
    )
    const sig = await signer.signEvmPersonalMessage({
      path: plan.path,
      expectedAddress: plan.signer as Hex,
      message: new TextEncoder().encode(message),
    })
    return encodeEvmSignature(sig)
  }
  const hash = sep53MessageHash(message)
  report(
    options,
    plan.chain,
    `Confirm on ${device} (Stellar app, "Hash signing" on in its settings) the hash for the ${count} of batch "${batchName}" — it shows ${bytesToHex(hash)}.`,
  )
  const sig = await signer.signStellarHash({ path: plan.path, expectedPublicKey: plan.signer, hash })
  return bytesToHex(sig.signature)
}

/** One short transaction: the row (unless someone stored it meanwhile) and its audit row. */
async function store(ctx: CoreContext, row: AttestationRow, receipts: readonly BatchReceipt[]): Promise<AttestBatchReturnType> {
  try {
    return await ctx.db.tx(async () => {
      const already = await findAttestation(ctx, row.batchId, row.chain)
      if (already) return { ...already, signedNow: false }
      // The leaves must still be the batch's receipts: none issued while the device was signing.
      const now = await batchReceiptHashes(ctx, row.batchId, row.chain)
      if (now.length !== receipts.length || now.some((r, i) => r.number !== receipts[i]!.number || r.sha256 !== receipts[i]!.sha256)) {
        throw new CsError(
          'RECEIPT_ATTESTATION_NOT_READY',
          `Receipts of batch ${row.batchId} changed while the device was signing — nothing was stored; attest the batch again.`,
        )
      }
      await ctx.db.run(
        ctx.db.k.insertInto('receipt_batch_attestations').values({
          batch_id: row.batchId,
          chain: row.chain,
          signer: row.signer,
          root: row.root,
          leaf_count: row.leafCount,
          message: row.message,
          signature: row.signature,
          leaves: JSON.stringify(row.leaves),
          created_at: row.createdAt,
          created_by: row.createdBy,
        }),
      )
      await appendAudit(ctx, {
        actor: row.createdBy,
        action: 'receipts.attest',
        subject: `batch:${row.batchId}`,
        change: {
          chain: row.chain,
          signer: row.signer,
          root: row.root,
          leafCount: row.leafCount,
          firstReceipt: row.leaves[0],
          lastReceipt: row.leaves[row.leaves.length - 1],
          signature: row.signature,
        },
      })
      return { ...row, signedNow: true }
    })
  } catch (error) {
    // Outside the failed transaction (PostgreSQL aborts it): stored by someone else meanwhile?
    const stored = await findAttestation(ctx, row.batchId, row.chain)
    if (stored) return { ...stored, signedNow: false }
    throw error
  }
}

function report(options: AttestBatchOptions, chain: AttestationChain, message: string): void {
  try {
    options.onProgress?.({ chain, message })
  } catch {
    // A closed window must never stop a signature half-way.
  }
}
