/**
 * What the treasury device signs for one batch's receipts, and how that signature is checked.
 *
 * The text is short, printable ASCII and one fact per line, because a person reads it on the
 * device: the Ethereum app shows a personal message as text only when every byte is printable
 * ASCII (line breaks are shown as spaces), and otherwise as hex. The root comes right after the
 * title, so it is on the first screens even where the app cuts a long message short.
 *
 * EVM: EIP-191 personal message (`personal_sign`), 65 bytes r ‖ s ‖ v.
 * Stellar: SEP-53 — ed25519 over SHA-256("Stellar Signed Message:\n" ‖ message). The Stellar app
 * signs such a hash only with "Hash signing" on in its settings, and shows the hash, not the text.
 * Signatures are lower-case hex without 0x, like every other hash in a receipt file.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import { hashMessage, parseSignature } from 'viem'
import { CsError } from '../../../../shared/errors'
import type { ReceiptBatchAttestation } from '../../../../shared/receiptTypes'
import { signerLimits } from '../../signing/Signer'
import { recoverEvmAddress, toChecksumAddress, type Hex } from '../../signing/evmCrypto'
import { stellarPublicKeyFromAddress, verifyEd25519 } from '../../signing/stellarCrypto'
import { invariant } from '../../util/invariant'
import { isMerkleHash } from './merkle'

export type AttestationChain = ReceiptBatchAttestation['chain']

export interface AttestationMessageInput {
  chain: AttestationChain
  batchId: string
  /** Hex Merkle root (merkle.ts). */
  root: string
  leafCount: number
  workspaceId: string
}

const TITLE = 'Countersign receipts'
const CHAIN_NAMES: Readonly<Record<AttestationChain, string>> = { evm: 'EVM', stellar: 'Stellar' }
/** Ids are printed as they are: printable ASCII without spaces, so a line never splits or hides one. */
const ID_RE = /^[\x21-\x7e]{1,128}$/
/** SEP-53's prefix (https://github.com/stellar/stellar-protocol/blob/master/ecosystem/sep-0053.md). */
export const SEP53_PREFIX = 'Stellar Signed Message:\n'
const EVM_SIGNATURE_BYTES = 65
const ED25519_SIGNATURE_BYTES = 64
/** Longest message we build: two 128-character ids and the fixed lines stay far below it. */
export const ATTESTATION_MESSAGE_BYTES_MAX = 512
// The device must accept every message we can build (checked at load, like shared/limits.ts).
invariant(ATTESTATION_MESSAGE_BYTES_MAX <= signerLimits.evmMessageBytesMax, 'attestation messages must fit the signer limit')

/**
 * The text the device signs:
 *
 *   Countersign receipts
 *   root 5f0c…(64 hex)
 *   3 receipts paid on EVM
 *   batch b_1a2b3c4d5e6f
 *   workspace ws_…
 */
export function attestationMessage(input: AttestationMessageInput): string {
  const { chain, batchId, root, leafCount, workspaceId } = input
  if (chain !== 'evm' && chain !== 'stellar') throw invalid(`chain ${JSON.stringify(chain)} is neither evm nor stellar`)
  if (!isMerkleHash(root)) throw invalid('the root is not 64 lower-case hex characters')
  if (!Number.isSafeInteger(leafCount) || leafCount < 1) throw invalid(`${leafCount} is not a number of receipts`)
  if (!ID_RE.test(batchId)) throw invalid('the batch id is not 1 to 128 printable ASCII characters without spaces')
  if (!ID_RE.test(workspaceId)) throw invalid('the workspace id is not 1 to 128 printable ASCII characters without spaces')
  const message = [
    TITLE,
    `root ${root}`,
    `${leafCount} ${leafCount === 1 ? 'receipt' : 'receipts'} paid on ${CHAIN_NAMES[chain]}`,
    `batch ${batchId}`,
    `workspace ${workspaceId}`,
  ].join('\n')
  invariant(message.length <= ATTESTATION_MESSAGE_BYTES_MAX, () => `attestation message of ${message.length} bytes`)
  return message
}

/** The workspace id a message names (its last line), or null when the text is not one of ours. */
export function attestationMessageWorkspaceId(message: string): string | null {
  const lines = message.split('\n')
  const last = lines[lines.length - 1] ?? ''
  return lines.length === 5 && lines[0] === TITLE && last.startsWith('workspace ') ? last.slice('workspace '.length) : null
}

/** The 32 bytes a Stellar key signs for `message` (SEP-53). */
export function sep53MessageHash(message: string): Uint8Array {
  return sha256(new TextEncoder().encode(SEP53_PREFIX + message))
}

/** 65 bytes r ‖ s ‖ v (v = 27 + yParity), as personal_sign returns it. */
export function encodeEvmSignature(signature: { r: Hex; s: Hex; yParity: 0 | 1 }): string {
  const r = signature.r.slice(2).padStart(64, '0')
  const s = signature.s.slice(2).padStart(64, '0')
  return `${r}${s}${(27 + signature.yParity).toString(16)}`.toLowerCase()
}

export interface AttestationSignatureInput {
  chain: AttestationChain
  message: string
  /** 0x… address / G… account. */
  signer: string
  /** Lower-case hex without 0x. */
  signature: string
}

/** null when `signature` is `signer`'s over `message` (EIP-191 / SEP-53); else why not, as a sentence. */
export function attestationSignatureProblem(input: AttestationSignatureInput): string | null {
  const { chain, message, signer, signature } = input
  if (typeof signature !== 'string' || !/^([0-9a-f]{2})+$/.test(signature)) return 'The device signature is not lower-case hex.'
  if (chain === 'evm') return evmSignatureProblem(message, signer, signature)
  if (chain === 'stellar') return stellarSignatureProblem(message, signer, signature)
  return `The attestation names chain ${JSON.stringify(chain)}, neither evm nor stellar.`
}

function evmSignatureProblem(message: string, signer: string, signature: string): string | null {
  if (signature.length !== EVM_SIGNATURE_BYTES * 2) return `The EVM signature has ${signature.length / 2} bytes instead of 65 (r ‖ s ‖ v).`
  let expected: Hex
  try {
    expected = toChecksumAddress(signer)
  } catch {
    return `The signer ${JSON.stringify(signer.slice(0, 50))} is not an EVM address.`
  }
  let recovered: Hex
  try {
    // viem: EIP-191 hash of the text, and r, s, yParity out of the 65 bytes (v 27/28 or 0/1).
    const { r, s, yParity } = parseSignature(`0x${signature}`)
    if (yParity === undefined) return 'The EVM signature has no recovery byte.'
    recovered = recoverEvmAddress(hexToBytes(hashMessage(message).slice(2)), scalar(r), scalar(s), yParity === 1 ? 1 : 0)
  } catch {
    return 'The EVM signature is not a valid secp256k1 signature.'
  }
  return recovered === expected ? null : `The EVM signature was made by ${recovered}, not by the treasury address ${expected}.`
}

function stellarSignatureProblem(message: string, signer: string, signature: string): string | null {
  if (signature.length !== ED25519_SIGNATURE_BYTES * 2) return `The Stellar signature has ${signature.length / 2} bytes instead of 64.`
  let publicKey: Uint8Array
  try {
    publicKey = stellarPublicKeyFromAddress(signer)
  } catch {
    return `The signer ${JSON.stringify(signer.slice(0, 60))} is not a Stellar account (G…).`
  }
  return verifyEd25519(hexToBytes(signature), sep53MessageHash(message), publicKey)
    ? null
    : `The Stellar signature does not verify under ${signer} for this message (SEP-53).`
}

function scalar(hex: Hex): Uint8Array {
  return hexToBytes(hex.slice(2).padStart(64, '0'))
}

function invalid(why: string): CsError {
  return new CsError('INVALID_INPUT', `The receipts of this batch cannot be attested: ${why}.`)
}
