/**
 * The cryptography of a receipt, pure: its hash (SHA-256 of the canonical JSON document), the
 * workspace's Ed25519 signature over the 32 bytes of that hash, and key hand-overs (the old key
 * signs the new public key, so a receipt signed years ago by a retired key still leads to the key
 * a payee trusts today). No database, no secret store: `verify` runs on a payee's machine.
 *
 * Keys are made, and hand-overs signed and checked, with @noble/curves. The per-receipt signature
 * and its check run through Node's own Ed25519 (OpenSSL): Ed25519 is deterministic (RFC 8032), so
 * both give the same bytes — receiptCrypto.test.ts holds them to it — but noble's pure-JS signing
 * costs ~3–6 ms per receipt on a small machine against ~0.1 ms, and a run of thousands of receipts
 * (or a ZIP of 10,000 PDFs, each checked before it is handed out) must not wait on that.
 */
import { createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto'
import { ed25519 } from '@noble/curves/ed25519.js'
import type { ReceiptDocument, ReceiptKeyHandover } from '../../../shared/receiptTypes'
import { canonicalJson } from '../util/canonicalJson'

export const HANDOVER_SCHEMA = 'countersign.receipt-key-handover/1'
/** Hex characters of a key id: the first 64 bits of SHA-256(public key). */
const KEY_ID_HEX_CHARS = 16

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex')
}

/** The receipt's identity: hex SHA-256 of its canonical JSON. */
export function receiptHash(document: ReceiptDocument): string {
  return sha256Hex(canonicalJson(document))
}

/** First 16 hex of SHA-256 of the 32 public-key bytes. */
export function keyIdOf(publicKeyHex: string): string {
  return sha256Hex(Buffer.from(publicKeyHex, 'hex')).slice(0, KEY_ID_HEX_CHARS)
}

export function publicKeyOf(secretHex: string): string {
  return Buffer.from(ed25519.getPublicKey(Buffer.from(secretHex, 'hex'))).toString('hex')
}

export function newSecretHex(): string {
  return Buffer.from(ed25519.utils.randomSecretKey()).toString('hex')
}

/** Whether `text` is a 32-byte Ed25519 secret in hex (what the secret store holds). */
export function isSecretHex(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text)
}

/** DER prefixes that wrap a raw 32-byte Ed25519 key as PKCS#8 (private) and SPKI (public). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
/** Key objects kept: the signing key of a run, the few public keys of a workspace. */
const KEY_OBJECTS_MAX = 16
const keyObjects = new Map<string, KeyObject>()

function keyObject(kind: 'private' | 'public', hex: string): KeyObject {
  const id = `${kind}:${hex}`
  let key = keyObjects.get(id)
  if (key === undefined) {
    const der = Buffer.concat([kind === 'private' ? PKCS8_ED25519_PREFIX : SPKI_ED25519_PREFIX, Buffer.from(hex, 'hex')])
    key =
      kind === 'private'
        ? createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
        : createPublicKey({ key: der, format: 'der', type: 'spki' })
    if (keyObjects.size >= KEY_OBJECTS_MAX) keyObjects.delete(keyObjects.keys().next().value!)
    keyObjects.set(id, key)
  }
  return key
}

/** Signs the 32 bytes of a hex SHA-256. */
export function signHash(secretHex: string, hashHex: string): string {
  return nodeSign(null, Buffer.from(hashHex, 'hex'), keyObject('private', secretHex)).toString('hex')
}

export function verifyHash(publicKeyHex: string, hashHex: string, signatureHex: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(publicKeyHex) || !/^[0-9a-f]{128}$/.test(signatureHex)) return false
  try {
    return nodeVerify(null, Buffer.from(hashHex, 'hex'), keyObject('public', publicKeyHex), Buffer.from(signatureHex, 'hex'))
  } catch {
    return false
  }
}

/** What the old key signs when it hands over: the new key and the moment (UTF-8 of the canonical JSON). */
export function handoverMessage(h: Pick<ReceiptKeyHandover, 'at' | 'fromKeyId' | 'toKeyId' | 'toPublicKey'>): Uint8Array {
  return Buffer.from(
    canonicalJson({ at: h.at, fromKeyId: h.fromKeyId, toKeyId: h.toKeyId, toPublicKey: h.toPublicKey, schema: HANDOVER_SCHEMA }),
    'utf8',
  )
}

export function signHandover(oldSecretHex: string, to: { publicKey: string }, at: string): ReceiptKeyHandover {
  const fromPublicKey = publicKeyOf(oldSecretHex)
  const unsigned = { at, fromKeyId: keyIdOf(fromPublicKey), fromPublicKey, toKeyId: keyIdOf(to.publicKey), toPublicKey: to.publicKey }
  const signature = Buffer.from(ed25519.sign(handoverMessage(unsigned), Buffer.from(oldSecretHex, 'hex'))).toString('hex')
  return { ...unsigned, signature }
}

/**
 * Checks a chain of hand-overs that should end at `signingKey`: each signed by its `from` key,
 * key ids matching their public keys, each link starting where the previous ended. Returns the
 * problem, or null when the chain holds. An empty chain holds when nothing was handed over.
 */
export function handoverChainProblem(
  handovers: readonly ReceiptKeyHandover[],
  signingKey: { keyId: string; publicKey: string },
): string | null {
  for (const [i, h] of handovers.entries()) {
    const n = i + 1
    if (keyIdOf(h.fromPublicKey) !== h.fromKeyId || keyIdOf(h.toPublicKey) !== h.toKeyId)
      return `hand-over ${n}: a key id does not belong to its public key`
    const next = handovers[i + 1]
    if (next !== undefined && (next.fromKeyId !== h.toKeyId || next.fromPublicKey !== h.toPublicKey))
      return `hand-over ${n + 1} does not start from the key hand-over ${n} handed to`
    let ok = false
    try {
      ok = ed25519.verify(Buffer.from(h.signature, 'hex'), handoverMessage(h), Buffer.from(h.fromPublicKey, 'hex'))
    } catch {
      ok = false
    }
    if (!ok) return `hand-over ${n} (${h.fromKeyId} → ${h.toKeyId}) is not signed by ${h.fromKeyId}`
  }
  const last = handovers.at(-1)
  if (last && (last.toKeyId !== signingKey.keyId || last.toPublicKey !== signingKey.publicKey))
    return `the hand-overs end at key ${last.toKeyId}, not at the signing key ${signingKey.keyId}`
  return null
}

/** Every key a hand-over chain names, first key first (with `current` at the end). */
export function keysOfChain(
  handovers: readonly ReceiptKeyHandover[],
  current: { keyId: string; publicKey: string },
): { keyId: string; publicKey: string }[] {
  const keys = handovers.map((h) => ({ keyId: h.fromKeyId, publicKey: h.fromPublicKey }))
  keys.push({ keyId: current.keyId, publicKey: current.publicKey })
  return keys
}
