/** Secret stores: memory, environment, file (plaintext for tests; safeStorage-sealed in the app). */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hasErrorCode } from '../../src/shared/errors'
import { log, setLogSink } from '../../src/main/core/log'
import {
  createEnvSecretStore,
  createFileSecretStore,
  createMemorySecretStore,
  PLAINTEXT_CIPHER,
  secretEnvName,
  SECRET_CHARS_MAX,
  SECRETS_FILE_NAME,
} from '../../src/main/core/secrets/SecretStore'
import { createSafeStorageSecretStore, safeStorageCipher, type SafeStorageLike } from '../../src/main/platform/safeStorageSecretStore'

let dir: string
let lines: string[]
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-secrets-'))
  lines = []
  setLogSink((l) => lines.push(l), 'debug')
})
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true })
  setLogSink((l) => process.stderr.write(l + '\n'), 'warn')
})

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(hasErrorCode(error, code as never), String(error)).toBe(true)
}

/** A fake safeStorage: XOR "encryption" that is clearly not the plaintext. */
function fakeSafeStorage(opts: { available?: boolean; backend?: string } = {}): SafeStorageLike {
  const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a))
  return {
    isEncryptionAvailable: () => opts.available ?? true,
    encryptString: (s: string) => Buffer.concat([Buffer.from('v10'), xor(Buffer.from(s, 'utf8'))]),
    decryptString: (b: Buffer) => {
      if (b.subarray(0, 3).toString() !== 'v10')
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.')
      return xor(b.subarray(3)).toString('utf8')
    },
    getSelectedStorageBackend: () => (opts.backend ?? 'gnome_libsecret') as never,
  }
}

describe('memory store', () => {
  it('round-trips, deletes, and rejects bad names (programmer error) and empty/huge values', async () => {
    const s = createMemorySecretStore()
    expect(await s.get('stripe.secretKey')).toBeNull()
    await s.set('stripe.secretKey', 'sk_test_123456789')
    expect(await s.get('stripe.secretKey')).toBe('sk_test_123456789')
    expect(await s.delete('stripe.secretKey')).toBe(true)
    expect(await s.delete('stripe.secretKey')).toBe(false)
    await expect(s.get('../etc/passwd')).rejects.toThrow(/invariant/)
    await expect(s.get('__proto__')).rejects.toThrow(/invariant/)
    await expectCode(s.set('stripe.secretKey', ''), 'INVALID_INPUT')
    await expectCode(s.set('stripe.secretKey', 'x'.repeat(SECRET_CHARS_MAX + 1)), 'INVALID_INPUT')
  })
})

describe('environment store', () => {
  it('maps names to COUNTERSIGN_SECRET_* and is read-only', async () => {
    expect(secretEnvName('stripe.secretKey')).toBe('COUNTERSIGN_SECRET_STRIPE_SECRET_KEY')
    const s = createEnvSecretStore({ COUNTERSIGN_SECRET_STRIPE_SECRET_KEY: 'sk_test_fromenv_999' })
    expect(s.writable).toBe(false)
    expect(await s.get('stripe.secretKey')).toBe('sk_test_fromenv_999')
    expect(await s.get('stripe.webhookSecret')).toBeNull()
    await expectCode(s.set('stripe.secretKey', 'x'), 'SECRETS_UNAVAILABLE')
    await expectCode(s.delete('stripe.secretKey'), 'SECRETS_UNAVAILABLE')
  })
})

describe('file store', () => {
  it('plaintext (tests only): round-trips through an owner-only file written atomically', async () => {
    const file = path.join(dir, 'nested', SECRETS_FILE_NAME)
    const s = createFileSecretStore({ file, cipher: PLAINTEXT_CIPHER })
    expect(s.protection).toBe('plaintext-file')
    await Promise.all([s.set('stripe.secretKey', 'sk_test_aaaaaaaa'), s.set('stripe.webhookSecret', 'whsec_bbbbbbbb')])
    expect(await s.get('stripe.secretKey')).toBe('sk_test_aaaaaaaa')
    expect(await s.get('stripe.webhookSecret')).toBe('whsec_bbbbbbbb')
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.readdirSync(path.dirname(file))).toEqual([SECRETS_FILE_NAME])
    expect(await s.delete('stripe.secretKey')).toBe(true)
    expect(await createFileSecretStore({ file, cipher: PLAINTEXT_CIPHER }).get('stripe.secretKey')).toBeNull()
  })

  it('reports a damaged or foreign file as FILE_INVALID, without its contents', async () => {
    const file = path.join(dir, SECRETS_FILE_NAME)
    const s = createFileSecretStore({ file, cipher: PLAINTEXT_CIPHER })
    fs.writeFileSync(file, '{"version":1,"secrets":')
    await expectCode(s.get('stripe.secretKey'), 'FILE_INVALID')
    fs.writeFileSync(file, JSON.stringify({ version: 2, secrets: {} }))
    await expectCode(s.get('stripe.secretKey'), 'FILE_INVALID')
    fs.writeFileSync(file, JSON.stringify({ version: 1, secrets: [] }))
    await expectCode(s.set('stripe.secretKey', 'sk_test_cccccccc'), 'FILE_INVALID')
  })

  it('every secret read or written is redacted from the log', async () => {
    const s = createFileSecretStore({ file: path.join(dir, SECRETS_FILE_NAME), cipher: PLAINTEXT_CIPHER })
    await s.set('stripe.secretKey', 'sk_live_DO_NOT_LOG_1234')
    log('error', 'stripe call failed', { detail: 'Invalid API Key provided: sk_live_DO_NOT_LOG_1234' })
    expect(lines.join('\n')).not.toContain('sk_live_DO_NOT_LOG_1234')
    expect(lines.join('\n')).toContain('[redacted]')
  })

  it('a Stripe key never registered (pasted into the wrong field) is still cut from a log line', () => {
    log('error', 'unexpected input', { detail: 'note: rk_live_51NeverRegisteredKEY99 and sk_test_AbCdEf123456' })
    const text = lines.join('\n')
    expect(text).not.toContain('51NeverRegisteredKEY99')
    expect(text).not.toContain('AbCdEf123456')
    expect(text).toContain('rk_live_[redacted]')
  })
})

describe('safeStorage store (app)', () => {
  it('keeps only ciphertext on disk and reads it back', async () => {
    const s = createSafeStorageSecretStore({ safeStorage: fakeSafeStorage(), dataDir: dir, platform: 'darwin' })
    expect(s.protection).toBe('os-encryption')
    await s.set('stripe.secretKey', 'sk_live_abcdefgh12345')
    const raw = fs.readFileSync(path.join(dir, SECRETS_FILE_NAME), 'utf8')
    expect(raw).not.toContain('sk_live_abcdefgh12345')
    expect(raw).not.toContain(Buffer.from('sk_live_abcdefgh12345').toString('base64'))
    expect(await s.get('stripe.secretKey')).toBe('sk_live_abcdefgh12345')
  })

  it('refuses to store when the OS offers no encryption; on Linux basic_text only with consent after a warning', async () => {
    const none = createSafeStorageSecretStore({ safeStorage: fakeSafeStorage({ available: false }), dataDir: dir, platform: 'darwin' })
    await expectCode(none.set('stripe.secretKey', 'sk_live_abcdefgh'), 'SECRETS_UNAVAILABLE')
    const basic = createSafeStorageSecretStore({ safeStorage: fakeSafeStorage({ backend: 'basic_text' }), dataDir: dir, platform: 'linux' })
    expect(basic.protection).toBe('basic-text')
    expect(basic.weakProtection()).toMatch(/keyring/)
    await expectCode(basic.set('stripe.secretKey', 'sk_live_abcdefgh'), 'SECRET_PLAINTEXT_REFUSED')
    expect(fs.existsSync(path.join(dir, SECRETS_FILE_NAME))).toBe(false)
    await basic.set('stripe.secretKey', 'sk_live_abcdefgh', { acceptWeakProtection: true })
    expect(await basic.get('stripe.secretKey')).toBe('sk_live_abcdefgh')
    expect(safeStorageCipher(fakeSafeStorage({ backend: 'basic_text' }), 'darwin').unavailableReason()).toBeNull()
    expect(safeStorageCipher(fakeSafeStorage({ backend: 'basic_text' }), 'darwin').weakReason?.()).toBeNull()
  })

  it('a secret sealed elsewhere (other machine or user) is SECRETS_UNAVAILABLE, not garbage', async () => {
    fs.writeFileSync(
      path.join(dir, SECRETS_FILE_NAME),
      JSON.stringify({ version: 1, secrets: { 'stripe.secretKey': Buffer.from('v11xxxx').toString('base64') } }),
    )
    const s = createSafeStorageSecretStore({ safeStorage: fakeSafeStorage(), dataDir: dir, platform: 'darwin' })
    await expectCode(s.get('stripe.secretKey'), 'SECRETS_UNAVAILABLE')
  })
})
