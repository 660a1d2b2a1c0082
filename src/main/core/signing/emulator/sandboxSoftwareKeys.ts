/**
 * SANDBOX / TEST ONLY. Software keys derived from a BIP39 mnemonic, for the device emulator.
 *
 * Countersign never stores a private key; this module exists so the sandbox and the tests can run
 * the real Ledger code path against an emulated device. Nothing outside ./emulator may import it,
 * and it must never be given a mnemonic that controls real funds.
 *
 * secp256k1: BIP32, RFC 6979 deterministic low-S ECDSA (as the Ethereum app signs).
 * ed25519: SLIP-10 (hardened steps only) and RFC 8032 signatures (as the Stellar app signs).
 */
import { ed25519 } from '@noble/curves/ed25519.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hmac } from '@noble/hashes/hmac.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { HDKey } from '@scure/bip32'
import { mnemonicToSeedSync, validateMnemonic } from '@scure/bip39'
import { wordlist } from '@scure/bip39/wordlists/english.js'
import { formatBip32Path, hardenedOffset } from '../bip32Path'

/**
 * SANDBOX / TEST ONLY: the default seed of Ledger's Speculos emulator. It is public — anything
 * sent to its accounts on a real network can be taken by anyone.
 */
export const SPECULOS_TEST_MNEMONIC =
  'glory promote mansion idle axis finger extra february uncover one trip resource lawn turtle enact monster seven myth punch hobby comfort wild raise skin'

/** BIP39 seeds by mnemonic: PBKDF2 with 2048 rounds takes ~0.4 s, and each test builds a fresh emulator. */
const seedCache = new Map<string, Uint8Array>()

/** SLIP-10's HMAC key for the ed25519 master node. */
const slip10Ed25519Key = new TextEncoder().encode('ed25519 seed')

export interface SandboxSoftwareKeys {
  /** Uncompressed (65-byte) secp256k1 public key. */
  secp256k1PublicKey(path: readonly number[]): Uint8Array
  secp256k1ChainCode(path: readonly number[]): Uint8Array
  /** Signs a 32-byte hash: RFC 6979 nonce, low-S, with the recovery bit. */
  secp256k1Sign(hash: Uint8Array, path: readonly number[]): { yParity: 0 | 1; r: Uint8Array; s: Uint8Array }
  /** null when the path has a non-hardened step (SLIP-10 ed25519 cannot derive it). */
  ed25519PublicKey(path: readonly number[]): Uint8Array | null
  ed25519Sign(message: Uint8Array, path: readonly number[]): Uint8Array | null
}

export function createSandboxSoftwareKeys(mnemonic: string): SandboxSoftwareKeys {
  if (!validateMnemonic(mnemonic, wordlist)) throw new Error('sandbox emulator: the mnemonic is not a valid BIP39 English mnemonic')
  const seed = seedCache.get(mnemonic) ?? mnemonicToSeedSync(mnemonic)
  seedCache.set(mnemonic, seed)
  const root = HDKey.fromMasterSeed(seed)
  const secpNodes = new Map<string, HDKey>()
  const edKeys = new Map<string, Uint8Array | null>()

  function secpNode(path: readonly number[]): HDKey {
    const key = formatBip32Path(path)
    let node = secpNodes.get(key)
    if (!node) {
      node = path.reduce((n, index) => n.deriveChild(index), root)
      secpNodes.set(key, node)
    }
    return node
  }

  function secpPrivateKey(path: readonly number[]): Uint8Array {
    const privateKey = secpNode(path).privateKey
    if (!privateKey) throw new Error('sandbox emulator: derived node has no private key')
    return privateKey
  }

  function edPrivateKey(path: readonly number[]): Uint8Array | null {
    const key = formatBip32Path(path)
    if (!edKeys.has(key)) edKeys.set(key, slip10Ed25519(seed, path))
    return edKeys.get(key) ?? null
  }

  return {
    secp256k1PublicKey: (path) => secp256k1.getPublicKey(secpPrivateKey(path), false),
    secp256k1ChainCode: (path) => {
      const chainCode = secpNode(path).chainCode
      if (!chainCode) throw new Error('sandbox emulator: derived node has no chain code')
      return chainCode
    },
    secp256k1Sign(hash, path) {
      // 'recovered' = recovery byte ‖ r ‖ s; prehash false: the hash is already keccak256.
      const sig = secp256k1.sign(hash, secpPrivateKey(path), { prehash: false, lowS: true, format: 'recovered' })
      const recovery = sig[0]
      if (recovery !== 0 && recovery !== 1) throw new Error('sandbox emulator: unexpected recovery id')
      return { yParity: recovery, r: sig.slice(1, 33), s: sig.slice(33, 65) }
    },
    ed25519PublicKey(path) {
      const privateKey = edPrivateKey(path)
      return privateKey === null ? null : ed25519.getPublicKey(privateKey)
    },
    ed25519Sign(message, path) {
      const privateKey = edPrivateKey(path)
      return privateKey === null ? null : ed25519.sign(message, privateKey)
    },
  }
}

/** SLIP-10 for ed25519: HMAC-SHA512 chain from the seed; only hardened children exist. */
function slip10Ed25519(seed: Uint8Array, path: readonly number[]): Uint8Array | null {
  let node = hmac(sha512, slip10Ed25519Key, seed)
  for (const index of path) {
    if (index < hardenedOffset) return null
    const data = new Uint8Array(1 + 32 + 4)
    data.set(node.subarray(0, 32), 1)
    new DataView(data.buffer).setUint32(33, index)
    node = hmac(sha512, node.subarray(32), data)
  }
  return node.slice(0, 32)
}
