/**
 * Where API secrets (Stripe keys, later others) live. The core asks a SecretStore; the host picks
 * one: the Electron app an OS-encrypted file (safeStorage, src/main/platform), the CLI and CI the
 * environment, tests memory or a plaintext file in a temp dir. No 'electron' import here.
 *
 * Every value that goes in or comes out is registered with the log's redactor, so it can never
 * reach a log line or an error message.
 */
import fs from 'node:fs'
import path from 'node:path'
import { CsError } from '../../../shared/errors'
import { redact } from '../log'
import { unreachable } from '../util/invariant'

/** What protects the secrets at rest; Settings shows it. */
export type SecretProtection = 'os-encryption' | 'basic-text' | 'environment' | 'plaintext-file' | 'memory'

export interface SecretSetOptions {
  /** The person read weakProtection()'s warning and still wants the secret saved. */
  acceptWeakProtection?: boolean
}

export interface SecretStore {
  readonly protection: SecretProtection
  /** False for the environment: it is read-only. */
  readonly writable: boolean
  /** The secret, or null if none is stored. */
  get(name: string): Promise<string | null>
  /**
   * Null, or the warning to show before saving: what is stored would be readable by anyone with
   * the file (Linux without a keyring: safeStorage's 'basic_text'). set() then refuses with
   * SECRET_PLAINTEXT_REFUSED unless acceptWeakProtection is given.
   */
  weakProtection(): string | null
  set(name: string, value: string, options?: SecretSetOptions): Promise<void>
  /** True if there was a secret to delete. */
  delete(name: string): Promise<boolean>
}

/** Secret names: dotted, lower camel case, e.g. "stripe.secretKey". */
export const SECRET_NAME_PATTERN = /^[a-z][a-zA-Z0-9]{0,31}(\.[a-z][a-zA-Z0-9]{0,31}){0,3}$/
/** Longest secret accepted (API keys are ~100 characters; a PEM key would fit). */
export const SECRET_CHARS_MAX = 8_192
/** Largest secrets file read back (many secrets, each base64 of at most SECRET_CHARS_MAX). */
export const SECRETS_FILE_BYTES_MAX = 1024 * 1024
export const SECRETS_FILE_NAME = 'secrets.json'
export const SECRET_ENV_PREFIX = 'COUNTERSIGN_SECRET_'

/** Programmer error: names are constants in code, never user input. */
export function assertSecretName(name: string): void {
  if (typeof name !== 'string' || !SECRET_NAME_PATTERN.test(name)) unreachable(`"${String(name)}" is not a secret name`)
}

function checkValue(value: string): void {
  if (typeof value !== 'string' || value.length === 0) throw new CsError('INVALID_INPUT', 'The secret is empty — paste the whole key.')
  if (value.length > SECRET_CHARS_MAX)
    throw new CsError('INVALID_INPUT', `The secret is longer than ${SECRET_CHARS_MAX} characters — check you pasted only the key.`)
}

// ---------------------------------------------------------------------------------------------
// Memory (tests).

export function createMemorySecretStore(initial: Record<string, string> = {}): SecretStore {
  const values = new Map<string, string>()
  for (const [name, value] of Object.entries(initial)) {
    assertSecretName(name)
    redact(value)
    values.set(name, value)
  }
  return {
    protection: 'memory',
    writable: true,
    weakProtection: () => null,
    async get(name) {
      assertSecretName(name)
      return values.get(name) ?? null
    },
    async set(name, value) {
      assertSecretName(name)
      checkValue(value)
      redact(value)
      values.set(name, value)
    },
    async delete(name) {
      assertSecretName(name)
      return values.delete(name)
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Environment (CLI, CI): read-only.

/** "stripe.secretKey" -> "COUNTERSIGN_SECRET_STRIPE_SECRET_KEY". */
export function secretEnvName(name: string): string {
  assertSecretName(name)
  return (
    SECRET_ENV_PREFIX +
    name
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/\./g, '_')
      .toUpperCase()
  )
}

export function createEnvSecretStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  const readOnly = (name: string): CsError =>
    new CsError('SECRETS_UNAVAILABLE', `Secrets come from the environment here — set ${secretEnvName(name)} instead of saving it.`)
  return {
    protection: 'environment',
    writable: false,
    weakProtection: () => null,
    async get(name) {
      const value = env[secretEnvName(name)]
      if (value === undefined || value === '') return null
      redact(value)
      return value
    },
    async set(name) {
      throw readOnly(name)
    },
    async delete(name) {
      throw readOnly(name)
    },
  }
}

// ---------------------------------------------------------------------------------------------
// A file of secrets, each sealed by a cipher (OS encryption in the app; none for tests).

/** Seals and opens one secret. */
export interface SecretCipher {
  readonly protection: SecretProtection
  /** Null if usable, else a sentence saying why not and what to do. */
  unavailableReason(): string | null
  /** Null, or why what it seals is readable by anyone with the file (saving then needs consent). */
  weakReason?(): string | null
  encrypt(plain: string): Buffer
  decrypt(sealed: Buffer): string
}

/** Plaintext "cipher": for tests and throwaway sandboxes only — the file holds the keys in clear. */
export const PLAINTEXT_CIPHER: SecretCipher = {
  protection: 'plaintext-file',
  unavailableReason: () => null,
  encrypt: (plain) => Buffer.from(plain, 'utf8'),
  decrypt: (sealed) => sealed.toString('utf8'),
}

interface SecretsFile {
  version: 1
  /** name -> base64 of the sealed value */
  secrets: Record<string, string>
}

export function createFileSecretStore(options: { file: string; cipher: SecretCipher }): SecretStore {
  const { file, cipher } = options
  // Writes go one after another: two quick saves must not lose one of them.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => T): Promise<T> => {
    const next = queue.then(fn, fn)
    queue = next.catch(() => undefined)
    return next
  }
  const requireCipher = (): void => {
    const reason = cipher.unavailableReason()
    if (reason !== null) throw new CsError('SECRETS_UNAVAILABLE', reason)
  }

  const weakReason = (): string | null => cipher.weakReason?.() ?? null
  return {
    get protection(): SecretProtection {
      return weakReason() === null ? cipher.protection : 'basic-text'
    },
    writable: true,
    weakProtection: weakReason,
    async get(name) {
      assertSecretName(name)
      const sealed = readSecretsFile(file).secrets[name]
      if (sealed === undefined) return null
      requireCipher()
      let value: string
      try {
        value = cipher.decrypt(Buffer.from(sealed, 'base64'))
      } catch (cause) {
        throw new CsError(
          'SECRETS_UNAVAILABLE',
          `Countersign cannot decrypt the saved ${name} on this computer or user account — enter it again in Settings.`,
          { cause },
        )
      }
      redact(value)
      return value
    },
    set(name, value, options = {}) {
      return serial(() => {
        assertSecretName(name)
        checkValue(value)
        redact(value)
        requireCipher()
        const weak = weakReason()
        if (weak !== null && options.acceptWeakProtection !== true) throw new CsError('SECRET_PLAINTEXT_REFUSED', weak)
        const data = readSecretsFile(file)
        data.secrets[name] = cipher.encrypt(value).toString('base64')
        writeSecretsFile(file, data)
      })
    },
    delete(name) {
      return serial(() => {
        assertSecretName(name)
        const data = readSecretsFile(file)
        if (!Object.prototype.hasOwnProperty.call(data.secrets, name)) return false
        delete data.secrets[name]
        writeSecretsFile(file, data)
        return true
      })
    },
  }
}

function readSecretsFile(file: string): SecretsFile {
  let text: string
  try {
    const size = fs.statSync(file).size
    if (size > SECRETS_FILE_BYTES_MAX)
      throw new CsError(
        'FILE_INVALID',
        `The secrets file ${file} is larger than expected — move it away and enter the keys again in Settings.`,
      )
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return { version: 1, secrets: Object.create(null) as Record<string, string> }
    if (error instanceof CsError) throw error
    throw new CsError('SECRETS_UNAVAILABLE', `Countersign cannot read the secrets file ${file} — check its permissions.`, { cause: error })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new CsError('FILE_INVALID', `The secrets file ${file} is damaged — move it away and enter the keys again in Settings.`, { cause })
  }
  const secrets = (parsed as { secrets?: unknown } | null)?.secrets
  if (
    (parsed as { version?: unknown } | null)?.version !== 1 ||
    typeof secrets !== 'object' ||
    secrets === null ||
    Array.isArray(secrets)
  ) {
    throw new CsError(
      'FILE_INVALID',
      `The secrets file ${file} is not in a format this Countersign knows — move it away and enter the keys again in Settings.`,
    )
  }
  const out = Object.create(null) as Record<string, string>
  for (const [name, value] of Object.entries(secrets)) {
    if (SECRET_NAME_PATTERN.test(name) && typeof value === 'string') out[name] = value
  }
  return { version: 1, secrets: out }
}

/** Write-then-rename in the same folder, owner-only permissions, flushed before the rename. */
function writeSecretsFile(file: string, data: SecretsFile): void {
  const dir = path.dirname(file)
  fs.mkdirSync(dir, { recursive: true })
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`)
  const fd = fs.openSync(tmp, 'wx', 0o600)
  try {
    fs.writeSync(fd, JSON.stringify({ version: 1, secrets: { ...data.secrets } }, null, 2) + '\n')
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  try {
    fs.renameSync(tmp, file)
  } catch (cause) {
    fs.rmSync(tmp, { force: true })
    throw new CsError('SECRETS_UNAVAILABLE', `Countersign cannot save the secrets file ${file} — check the folder is writable.`, { cause })
  }
}
