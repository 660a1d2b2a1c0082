/**
 * The device attestation of a batch's receipts (issue 16): the treasury key signs, on the Ledger,
 * the Merkle root of one paid EVM or Stellar batch's receipts — once per batch and chain — and
 * every receipt of the batch then carries the signature and its own inclusion proof, checked
 * offline by `receipts verify`. Needs the signer role. The device is asked only the first time: a
 * batch already attested returns the stored attestation. Progress while the device waits arrives
 * as `receipts.attest.progress` events. Gathered into `calls` by ./api.ts.
 */
import { z } from 'zod'
import { Id, IsoTimestamp } from './blocks'
import { call } from './callSpec'

export const AttestationChain = z.enum(['evm', 'stellar'])

export const BatchAttestationView = z.object({
  batchId: Id,
  chain: AttestationChain,
  /** The treasury address (EIP-55 0x…) or account (G…) that paid and signed. */
  signer: z.string(),
  /** Hex Merkle root of the receipts (leaves in receipt-number order). */
  root: z.string(),
  leafCount: z.number().int().min(1),
  /** The exact text the device signed. */
  message: z.string(),
  /** Lower-case hex: EVM 65 bytes r ‖ s ‖ v, Stellar 64 bytes ed25519 (SEP-53). */
  signature: z.string(),
  firstReceipt: z.number().int().min(1),
  lastReceipt: z.number().int().min(1),
  createdAt: IsoTimestamp,
  createdBy: z.string(),
  /** true: the device signed in this call; false: the batch was attested before (nothing asked of the device). */
  signedNow: z.boolean(),
})
export type BatchAttestationView = z.infer<typeof BatchAttestationView>

export const receiptsAttestCalls = {
  'receipts.attest': call({
    summary:
      'Sign the Merkle root of a paid EVM or Stellar batch’s receipts on the treasury Ledger (once per batch and chain), so each receipt carries a proof its payee checks offline.',
    mutates: true,
    input: z
      .object({
        batchId: Id,
        /** Needed only for a batch that paid on both EVM and Stellar (one attestation per chain). */
        chain: AttestationChain.optional(),
      })
      .strict(),
    output: BatchAttestationView,
  }),
} as const
