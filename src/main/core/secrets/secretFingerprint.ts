/**
 * A short, stable fingerprint of a secret (a Stripe key, an RPC URL that carries an API key), for
 * the audit log: it shows THAT a secret changed and lets an admin check which one is in use
 * (hash the candidate, compare) without the log ever holding the secret. 12 hex digits of SHA-256
 * (48 bits): enough to tell keys apart, and a key of 100+ random characters cannot be recovered.
 */
import { createHash } from 'node:crypto'

const FINGERPRINT_HEX_CHARS = 12

/** "sha256:3f2a91c07b1e" */
export function secretFingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, FINGERPRINT_HEX_CHARS)}`
}
