/**
 * Stellar facts the signer checks for itself: the G… form of a public key, and that a signature
 * over a transaction (ed25519 of SHA-256 of the signature base) verifies under the expected key.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { StrKey } from '@stellar/stellar-base'
import { CsError } from '../../../shared/errors'

export const ed25519PublicKeyBytes = 32
export const ed25519SignatureBytes = 64
export const stellarHashBytes = 32
/** Network id (32) + envelope type (4): the shortest prefix any signature base has. */
export const stellarSignatureBasePrefixBytes = 36
/** Sanity cap before asking the device; the app's own limit (read from it) is lower still. */
export const stellarSignatureBaseBytesMax = 64 * 1024

export function stellarAddressFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== ed25519PublicKeyBytes) {
    throw new CsError(
      'DEVICE_UNEXPECTED',
      `The Ledger returned a ${publicKey.length}-byte Stellar key instead of 32 — reconnect it and try again.`,
    )
  }
  return StrKey.encodeEd25519PublicKey(Buffer.from(publicKey))
}

export function stellarPublicKeyFromAddress(address: string): Uint8Array {
  if (!StrKey.isValidEd25519PublicKey(address)) {
    throw new CsError('INVALID_INPUT', `"${address.slice(0, 60)}" is not a Stellar account address (G…).`)
  }
  return new Uint8Array(StrKey.decodeEd25519PublicKey(address))
}

/** The 32 bytes a Stellar transaction signature covers. */
export function stellarTransactionHash(signatureBase: Uint8Array): Uint8Array {
  return sha256(signatureBase)
}

export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== ed25519SignatureBytes || publicKey.length !== ed25519PublicKeyBytes) return false
  // zip215: false = RFC 8032 strict verification, what Stellar Core applies.
  return ed25519.verify(signature, message, publicKey, { zip215: false })
}
