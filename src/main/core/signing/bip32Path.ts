/**
 * BIP32 derivation paths, validated before they reach a device.
 *
 * Why strict: hw-app-eth's own path splitter skips components it cannot parse and only treats a
 * trailing `'` as hardened, so "44h/60h/0h/0/0" or "44'/60'/x/0" would silently sign with another
 * key. Every path goes through `parseBip32Path` and is re-formatted canonically (with `'`) first.
 */
import { CsError } from '../../../shared/errors'

export const hardenedOffset = 0x8000_0000
/** The Ledger apps refuse longer paths (MAX_BIP32_PATH in the Ethereum and Stellar apps). */
export const pathComponentsMax = 10
/** Largest account index: a BIP32 index must stay below the hardened offset. */
export const accountIndexMax = hardenedOffset - 1

const componentPattern = /^(0|[1-9][0-9]{0,9})(')?$/

/** "44'/60'/0'/0/3" or "m/44'/60'/0'/0/3" -> [0x8000002c, 0x8000003c, 0x80000000, 0, 3]. */
export function parseBip32Path(path: string): number[] {
  const body = path.startsWith('m/') ? path.slice(2) : path
  const parts = body.split('/')
  if (body.length === 0 || parts.length > pathComponentsMax) {
    throw invalidPath(path, `a path has 1 to ${pathComponentsMax} components`)
  }
  return parts.map((part) => {
    const match = componentPattern.exec(part)
    if (!match || match[1] === undefined) throw invalidPath(path, `"${part}" is not a number with an optional '`)
    const index = Number(match[1])
    if (index > accountIndexMax) throw invalidPath(path, `${index} is above ${accountIndexMax}`)
    return match[2] === "'" ? index + hardenedOffset : index
  })
}

export function formatBip32Path(components: readonly number[]): string {
  return components.map((c) => (c >= hardenedOffset ? `${c - hardenedOffset}'` : String(c))).join('/')
}

/** The canonical spelling the Ledger client libraries understand. */
export function canonicalBip32Path(path: string): string {
  return formatBip32Path(parseBip32Path(path))
}

export function isHardened(component: number): boolean {
  return component >= hardenedOffset
}

/** APDU encoding shared by the Ethereum and Stellar apps: count byte, then each index as u32 big-endian. */
export function serializeBip32Path(components: readonly number[]): Uint8Array {
  const out = new Uint8Array(1 + components.length * 4)
  const view = new DataView(out.buffer)
  out[0] = components.length
  components.forEach((c, i) => view.setUint32(1 + i * 4, c))
  return out
}

/** EVM accounts: m/44'/60'/0'/0/i (the BIP44 layout MetaMask and the Ledger "legacy" layout share). */
export function evmAccountPath(index: number): string {
  assertAccountIndex(index)
  return `44'/60'/0'/0/${index}`
}

/** Stellar accounts: m/44'/148'/i' (SEP-0005; ed25519 allows only hardened steps). */
export function stellarAccountPath(index: number): string {
  assertAccountIndex(index)
  return `44'/148'/${index}'`
}

function assertAccountIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > accountIndexMax) {
    throw new CsError('INVALID_INPUT', `Account index ${index} is not valid: use a whole number from 0 to ${accountIndexMax}.`)
  }
}

function invalidPath(path: string, why: string): CsError {
  return new CsError('INVALID_INPUT', `Derivation path "${path.slice(0, 80)}" is not valid: ${why}.`)
}
