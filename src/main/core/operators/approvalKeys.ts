/**
 * Approval keys: what an approval is signed with. An ed25519 key made at first unlock (its
 * secret sealed by the passphrase, see ./credentials.ts), or a Ledger account (EVM app) whose
 * approvals are EIP-712 typed data the device shows field by field.
 *
 * Every approval — of a batch version, of an admin change — is a signature over a 32-byte digest
 * (SHA-256 of a canonical, domain-separated JSON document: ../payouts/approvals/batchDigest.ts,
 * ./adminChanges.ts). An ed25519 key signs the digest; a Ledger signs typed data whose `digest`
 * field is that digest, so both commit to exactly the same bytes.
 */
import crypto from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import type { TypedDataDefinition } from 'viem'
import type { ApprovalKeyInfo, ApprovalKeyKind } from '../../../shared/blocks'
import type { OperatorKeyRow } from '../db/schema'

export function newEd25519Key(): { secret: Uint8Array; publicKey: string } {
  const secret = ed25519.utils.randomSecretKey()
  return { secret, publicKey: Buffer.from(ed25519.getPublicKey(secret)).toString('hex') }
}

/** "ed25519:3f2a 91c0 7b1e 44d2" — the first 64 bits of SHA-256(public key), for people to compare. */
export function fingerprintOf(kind: ApprovalKeyKind, publicKey: string): string {
  if (kind === 'ledger-evm') return `ledger:${publicKey.slice(0, 6)}…${publicKey.slice(-4)}`
  const h = crypto.createHash('sha256').update(Buffer.from(publicKey, 'hex')).digest('hex').slice(0, 16)
  return `ed25519:${h.match(/.{4}/g)!.join(' ')}`
}

export function newKeyId(): string {
  return `key_${crypto.randomBytes(8).toString('hex')}`
}

export function signEd25519(secret: Uint8Array, digestHex: string): string {
  return Buffer.from(ed25519.sign(Buffer.from(digestHex, 'hex'), secret)).toString('hex')
}

/** True when `signature` is the key's signature over the digest (for a Ledger key: over the typed data carrying it). */
export async function verifyApprovalSignature(
  key: Pick<OperatorKeyRow, 'kind' | 'public_key'>,
  digestHex: string,
  signature: string,
  typedData: () => TypedDataDefinition,
): Promise<boolean> {
  try {
    if (key.kind === 'ed25519') {
      return ed25519.verify(Buffer.from(signature, 'hex'), Buffer.from(digestHex, 'hex'), Buffer.from(key.public_key, 'hex'))
    }
    if (key.kind === 'ledger-evm') {
      // Imported here: viem is heavy, and most commands that read approval keys never verify one.
      const { recoverTypedDataAddress } = await import('viem')
      const signer = await recoverTypedDataAddress({ ...typedData(), signature: ensure0x(signature) })
      return signer.toLowerCase() === key.public_key.toLowerCase()
    }
    return false
  } catch {
    return false
  }
}

function ensure0x(hex: string): `0x${string}` {
  return (hex.startsWith('0x') ? hex : `0x${hex}`) as `0x${string}`
}

export function toApprovalKeyInfo(row: OperatorKeyRow): ApprovalKeyInfo {
  return {
    id: row.id,
    kind: row.kind as ApprovalKeyKind,
    publicKey: row.public_key,
    fingerprint: row.fingerprint,
    path: row.path,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  }
}
