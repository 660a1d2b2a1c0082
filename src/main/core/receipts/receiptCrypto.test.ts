/**
 * The receipt signature is plain Ed25519 over the 32 hash bytes: Node's signer (used for speed)
 * and @noble/curves give the same bytes and accept each other's signatures; a key id is the first
 * 16 hex of SHA-256(public key); a hand-over chain holds only when every link is signed by the key
 * it starts from and the links meet.
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { describe, expect, it } from 'vitest'
import { handoverChainProblem, keyIdOf, newSecretHex, publicKeyOf, sha256Hex, signHandover, signHash, verifyHash } from './receiptCrypto'

describe('receipt signatures', () => {
  it('are the same bytes as @noble/curves makes, and verify both ways', () => {
    for (let i = 0; i < 20; i++) {
      const secret = newSecretHex()
      const hash = sha256Hex(`receipt ${i}`)
      const ours = signHash(secret, hash)
      const noble = Buffer.from(ed25519.sign(Buffer.from(hash, 'hex'), Buffer.from(secret, 'hex'))).toString('hex')
      expect(ours).toBe(noble)
      const pub = publicKeyOf(secret)
      expect(ed25519.verify(Buffer.from(ours, 'hex'), Buffer.from(hash, 'hex'), Buffer.from(pub, 'hex'))).toBe(true)
      expect(verifyHash(pub, hash, noble)).toBe(true)
      expect(verifyHash(pub, sha256Hex(`receipt ${i + 1}`), ours)).toBe(false)
      expect(verifyHash(publicKeyOf(newSecretHex()), hash, ours)).toBe(false)
      expect(verifyHash(pub, hash, 'zz')).toBe(false)
    }
    const pub = publicKeyOf('11'.repeat(32))
    expect(keyIdOf(pub)).toBe(sha256Hex(Buffer.from(pub, 'hex')).slice(0, 16))
  })

  it('hand-overs chain from the first key to the signing key, each link signed by the key it leaves', () => {
    const [a, b, c] = [newSecretHex(), newSecretHex(), newSecretHex()]
    const key = (s: string) => ({ keyId: keyIdOf(publicKeyOf(s)), publicKey: publicKeyOf(s) })
    const ab = signHandover(a, { publicKey: publicKeyOf(b) }, '2026-01-01T00:00:00.000Z')
    const bc = signHandover(b, { publicKey: publicKeyOf(c) }, '2026-02-01T00:00:00.000Z')
    expect(handoverChainProblem([], key(a))).toBeNull()
    expect(handoverChainProblem([ab, bc], key(c))).toBeNull()
    expect(handoverChainProblem([ab], key(c))).toMatch(/not at the signing key/)
    expect(handoverChainProblem([bc, ab], key(b))).toMatch(/does not start from/)
    expect(handoverChainProblem([ab, { ...bc, at: '2026-03-01T00:00:00.000Z' }], key(c))).toMatch(/hand-over 2 .* is not signed/)
    // Signed by the NEW key instead of the old one: refused.
    const forged = { ...signHandover(c, { publicKey: publicKeyOf(c) }, bc.at), fromKeyId: bc.fromKeyId, fromPublicKey: bc.fromPublicKey }
    expect(handoverChainProblem([ab, forged], key(c))).toMatch(/is not signed/)
  })
})
