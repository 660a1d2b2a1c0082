/**
 * Signing an approval with the unlocked operator's key. The API layer (../api/createApi.ts) hands
 * each call an `ApprovalSigner` bound to the caller's session: the sealed ed25519 secret that the
 * unlock opened, or — for a Ledger approval key — the device, which shows the typed data.
 */
import type { TypedDataDefinition } from 'viem'
import { CsError } from '../../../shared/errors'
import type { CoreContext } from '../context'
import type { OperatorKeyRow } from '../db/schema'
import { signEd25519, verifyApprovalSignature } from './approvalKeys'
import { activeKeyOf } from './operators'

export interface ApprovalRequest {
  /** SHA-256 hex of the canonical document being approved. */
  digest: string
  /** The same approval as EIP-712 typed data (its `digest` field is `digest`), for a Ledger to show. */
  typedData: () => TypedDataDefinition
}

export interface ApprovalSignature {
  keyId: string
  signature: string
}

export type ApprovalSigner = (request: ApprovalRequest) => Promise<ApprovalSignature>

/** Signs EIP-712 typed data on the Ledger account at `path`, checking it is `address`; returns 0x r‖s‖v. */
export type LedgerTypedDataSigner = (request: { path: string; address: string; typedData: TypedDataDefinition }) => Promise<string>

export function createApprovalSigner(
  ctx: CoreContext,
  operatorId: string,
  approvalSecret: Uint8Array | null,
  ledger: LedgerTypedDataSigner | null,
): ApprovalSigner {
  return async (request) => {
    const key = await activeKeyOf(ctx, operatorId)
    if (!key) {
      throw new CsError(
        'APPROVAL_KEY_MISSING',
        'You have no approval key yet — set your passphrase at first unlock (or ask an admin to re-invite you).',
      )
    }
    const signature = await signWith(key, approvalSecret, ledger, request)
    // A signature that does not verify is never stored (a wrong Ledger, a corrupted sealed key).
    if (!(await verifyApprovalSignature(key, request.digest, signature, request.typedData))) {
      throw new CsError(
        'APPROVAL_SIGNATURE_INVALID',
        `The signature made with your key ${key.fingerprint} does not verify — nothing was recorded. Check the device and account, then try again.`,
      )
    }
    return { keyId: key.id, signature }
  }
}

async function signWith(
  key: OperatorKeyRow,
  approvalSecret: Uint8Array | null,
  ledger: LedgerTypedDataSigner | null,
  request: ApprovalRequest,
): Promise<string> {
  if (key.kind === 'ed25519') {
    if (!approvalSecret)
      throw new CsError('OPERATOR_LOCKED', 'Your session no longer holds your approval key — lock and unlock again with your passphrase.')
    return signEd25519(approvalSecret, request.digest)
  }
  if (!ledger || key.path === null)
    throw new CsError(
      'SIGNER_UNAVAILABLE',
      'Your approval key is a Ledger account, but no Ledger is available here — connect it and open the Ethereum app.',
    )
  return await ledger({ path: key.path, address: key.public_key, typedData: request.typedData() })
}
