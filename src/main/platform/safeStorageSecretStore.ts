/**
 * The app's SecretStore: secrets sealed with Electron safeStorage (macOS Keychain, Windows DPAPI,
 * Linux Secret Service / KWallet) in <dataDir>/secrets.json. safeStorage is passed in (main
 * passes electron's), so this file has no runtime 'electron' import and tests use a fake.
 */
import path from 'node:path'
import type { SafeStorage } from 'electron'
import { createFileSecretStore, SECRETS_FILE_NAME, type SecretCipher, type SecretStore } from '../core/secrets/SecretStore'

export type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> &
  Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>

/**
 * On Linux without a keyring, safeStorage falls back to 'basic_text': a password hard-coded in
 * Chromium, i.e. no protection. Saving then needs the person's explicit consent after a clear
 * warning (SecretStore.weakProtection); without it, the key is refused, never silently stored.
 */
export function safeStorageCipher(safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCipher {
  return {
    protection: 'os-encryption',
    unavailableReason() {
      if (!safeStorage.isEncryptionAvailable()) {
        return 'This computer offers Countersign no way to encrypt secrets — unlock or set up your system keychain and try again.'
      }
      return null
    },
    weakReason() {
      if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
        return 'No system keyring (GNOME Keyring or KWallet) is running: the key would be stored with a password built into the app, readable by anyone who can read your files. Start a keyring and restart Countersign, or confirm that you accept this.'
      }
      return null
    },
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (sealed) => safeStorage.decryptString(sealed),
  }
}

export function createSafeStorageSecretStore(options: {
  safeStorage: SafeStorageLike
  dataDir: string
  platform?: NodeJS.Platform
}): SecretStore {
  return createFileSecretStore({
    file: path.join(options.dataDir, SECRETS_FILE_NAME),
    cipher: safeStorageCipher(options.safeStorage, options.platform),
  })
}
