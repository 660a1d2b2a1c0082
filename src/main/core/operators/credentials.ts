/**
 * Operator credentials: a passphrase stored only as a memory-hard hash, and the secret half of the
 * operator's ed25519 approval key sealed by a key derived from the same passphrase.
 *
 * One scrypt run (RFC 7914, @noble/hashes) gives 64 bytes: the first 32 are the verifier that is
 * stored; the last 32 never leave memory and key AES-256-GCM for the sealed approval key. The
 * verifier says nothing about the sealing half (both are independent outputs of the KDF), so a
 * stolen database gives an attacker one memory-hard guess per candidate passphrase, no more.
 * The parameters are stored with each hash, so they can be raised later without a migration.
 */
import crypto from 'node:crypto'
import { scryptAsync } from '@noble/hashes/scrypt.js'
import { z } from 'zod'
import { CsError } from '../../../shared/errors'
import { PASSPHRASE_CHARS_MIN } from '../../../shared/limits'

export interface KdfParams {
  alg: 'scrypt'
  /** CPU/memory cost: 2^16 → 64 MiB with r = 8, ~0.5 s on the reference machine (npm run bench -- unlock). */
  N: number
  r: number
  p: number
}

/** What a real workspace uses. */
export const KDF_PARAMS: KdfParams = { alg: 'scrypt', N: 2 ** 16, r: 8, p: 1 }
/**
 * What the test suite uses (COUNTERSIGN_KDF_PROFILE=test): the same code, a cost that lets
 * hundreds of tests unlock operators. Never chosen by a workspace on its own.
 */
export const KDF_PARAMS_TEST: KdfParams = { alg: 'scrypt', N: 2 ** 10, r: 8, p: 1 }
/** Refuse to even try parameters outside these bounds (a tampered row must not make unlock hang or be trivial). */
const N_MIN = 2 ** 10
const N_MAX = 2 ** 20

export function kdfParamsFor(env: NodeJS.ProcessEnv = process.env): KdfParams {
  return env.COUNTERSIGN_KDF_PROFILE === 'test' ? KDF_PARAMS_TEST : KDF_PARAMS
}

export const PassphraseRecord = z
  .object({
    alg: z.literal('scrypt'),
    N: z.number().int().min(N_MIN).max(N_MAX),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    salt: z.string().regex(/^[0-9a-f]{32}$/),
    verifier: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict()
export type PassphraseRecord = z.infer<typeof PassphraseRecord>

export const SealedSecret = z
  .object({ alg: z.literal('aes-256-gcm'), iv: z.string().regex(/^[0-9a-f]{24}$/), ct: z.string().regex(/^[0-9a-f]+$/), tag: z.string() })
  .strict()
export type SealedSecret = z.infer<typeof SealedSecret>

export interface DerivedKeys {
  verifier: Buffer
  sealKey: Buffer
}

async function derive(passphrase: string, params: Omit<KdfParams, 'alg'>, salt: Buffer): Promise<DerivedKeys> {
  const out = Buffer.from(
    await scryptAsync(passphrase.normalize('NFC'), salt, { N: params.N, r: params.r, p: params.p, dkLen: 64, maxmem: 2 ** 31 }),
  )
  return { verifier: out.subarray(0, 32), sealKey: out.subarray(32, 64) }
}

/** Refuse passphrases too short to survive guessing, with a sentence that says what to do. */
export function assertPassphraseStrong(passphrase: string, name: string): void {
  const chars = [...passphrase].length
  if (chars < PASSPHRASE_CHARS_MIN) {
    throw new CsError(
      'PASSPHRASE_WEAK',
      `The passphrase is ${chars} characters — use at least ${PASSPHRASE_CHARS_MIN} (a few unrelated words are easier to type and harder to guess).`,
    )
  }
  if (passphrase.trim().toLowerCase() === name.trim().toLowerCase()) {
    throw new CsError('PASSPHRASE_WEAK', 'The passphrase cannot be your operator name — choose something only you know.')
  }
}

export async function hashPassphrase(passphrase: string, params: KdfParams): Promise<{ record: PassphraseRecord; sealKey: Buffer }> {
  const salt = crypto.randomBytes(16)
  const keys = await derive(passphrase, params, salt)
  return {
    record: { alg: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('hex'), verifier: keys.verifier.toString('hex') },
    sealKey: keys.sealKey,
  }
}

/** The seal key when the passphrase matches; null when it does not. Constant-time compare. */
export async function checkPassphrase(stored: string, passphrase: string): Promise<Buffer | null> {
  const record = PassphraseRecord.parse(JSON.parse(stored))
  const keys = await derive(passphrase, record, Buffer.from(record.salt, 'hex'))
  return crypto.timingSafeEqual(keys.verifier, Buffer.from(record.verifier, 'hex')) ? keys.sealKey : null
}

/** AES-256-GCM with the operator's id as associated data: a sealed key moved to another operator does not open. */
export function seal(sealKey: Buffer, secret: Uint8Array, boundTo: string): SealedSecret {
  const iv = crypto.randomBytes(12)
  const cipher = crypto.createCipheriv('aes-256-gcm', sealKey, iv)
  cipher.setAAD(Buffer.from(`countersign/approval-key/v1/${boundTo}`))
  const ct = Buffer.concat([cipher.update(secret), cipher.final()])
  return { alg: 'aes-256-gcm', iv: iv.toString('hex'), ct: ct.toString('hex'), tag: cipher.getAuthTag().toString('hex') }
}

export function unseal(sealKey: Buffer, sealed: string, boundTo: string): Uint8Array {
  const s = SealedSecret.parse(JSON.parse(sealed))
  const decipher = crypto.createDecipheriv('aes-256-gcm', sealKey, Buffer.from(s.iv, 'hex'))
  decipher.setAAD(Buffer.from(`countersign/approval-key/v1/${boundTo}`))
  decipher.setAuthTag(Buffer.from(s.tag, 'hex'))
  try {
    return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(s.ct, 'hex')), decipher.final()]))
  } catch (cause) {
    throw new CsError(
      'APPROVAL_KEY_MISSING',
      'Your approval key could not be opened with your passphrase — it was changed outside Countersign. Ask an admin to rotate your key.',
      { cause },
    )
  }
}

/** One-time invite codes: 80 random bits as four groups of 4 (Crockford base32, no look-alike letters). */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
export function newInviteCode(): string {
  const bytes = crypto.randomBytes(10)
  let bits = 0n
  for (const b of bytes) bits = (bits << 8n) | BigInt(b)
  let out = ''
  for (let i = 0; i < 16; i++) {
    out = CROCKFORD[Number(bits & 31n)]! + out
    bits >>= 5n
  }
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}-${out.slice(12)}`
}

/** Invite codes are stored as a SHA-256 (80 random bits need no stretching); compared normalised. */
export function hashInviteCode(code: string): string {
  const normal = code
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
  return crypto.createHash('sha256').update(`countersign/invite/v1/${normal}`).digest('hex')
}
