/**
 * EVM facts the signer checks for itself instead of trusting the device or the caller: what an
 * unsigned transaction is, which hash it signs, and which address a signature recovers to.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { CsError } from '../../../shared/errors'
import { decodeRlp, isRlpBytes, RlpError, rlpToBigint, type RlpItem } from './rlp'

export type Hex = `0x${string}`

export type EvmTransactionType = 'legacy' | 'eip2930' | 'eip1559'

export interface UnsignedEvmTransaction {
  type: EvmTransactionType
  /** null only for a pre-EIP-155 legacy transaction (no replay protection). */
  chainId: bigint | null
  /** Empty for contract creation, else 20 bytes. */
  to: Uint8Array
  value: bigint
  data: Uint8Array
}

/** 128 KiB: the largest transaction the usual EVM mempools accept; anything bigger is a mistake. */
export const evmTransactionBytesMax = 128 * 1024

const typeByte = { eip2930: 0x01, eip1559: 0x02 } as const
/** Field counts of the unsigned forms (EIP-155 legacy adds chainId, 0, 0 to the 6 base fields). */
const unsignedFieldCount = { legacyPre155: 6, legacyEip155: 9, eip2930: 8, eip1559: 9 } as const

/**
 * Decodes the bytes a signer is asked to sign. Refuses anything that is not an unsigned legacy,
 * EIP-2930 or EIP-1559 transaction: a signed transaction, another type, trailing bytes.
 */
export function decodeUnsignedEvmTransaction(bytes: Uint8Array): UnsignedEvmTransaction {
  if (bytes.length === 0 || bytes.length > evmTransactionBytesMax) {
    throw invalidTx(`it has ${bytes.length} bytes (1 to ${evmTransactionBytesMax} allowed)`)
  }
  const first = bytes[0] ?? 0
  try {
    if (first >= 0xc0) return decodeLegacy(decodeRlp(bytes))
    if (first === typeByte.eip2930) return decodeTyped('eip2930', decodeRlp(bytes.subarray(1)), unsignedFieldCount.eip2930)
    if (first === typeByte.eip1559) return decodeTyped('eip1559', decodeRlp(bytes.subarray(1)), unsignedFieldCount.eip1559)
  } catch (error) {
    if (error instanceof RlpError) throw invalidTx(error.message, error)
    throw error
  }
  throw invalidTx(`transaction type 0x${first.toString(16).padStart(2, '0')} is not supported (legacy, EIP-2930 and EIP-1559 are)`)
}

function decodeLegacy(item: RlpItem): UnsignedEvmTransaction {
  if (isRlpBytes(item)) throw invalidTx('a legacy transaction is an RLP list')
  if (item.length === unsignedFieldCount.legacyPre155) return fieldsOf('legacy', null, item.slice(3))
  if (item.length === unsignedFieldCount.legacyEip155) {
    // EIP-155 signing form: [..., chainId, 0, 0]. Non-empty r/s means the caller passed a signed tx.
    if (rlpToBigint(item[7]) !== 0n || rlpToBigint(item[8]) !== 0n) throw invalidTx('it is already signed')
    return fieldsOf('legacy', rlpToBigint(item[6]), item.slice(3))
  }
  throw invalidTx(`a legacy transaction has 6 or 9 fields, not ${item.length} (is it already signed?)`)
}

function decodeTyped(type: EvmTransactionType, item: RlpItem, fieldCount: number): UnsignedEvmTransaction {
  if (isRlpBytes(item)) throw invalidTx('a typed transaction payload is an RLP list')
  if (item.length !== fieldCount)
    throw invalidTx(`an unsigned ${type} transaction has ${fieldCount} fields, not ${item.length} (is it already signed?)`)
  // [chainId, nonce, (gasPrice | maxPriority, maxFee), gas, to, value, data, accessList]
  const toIndex = type === 'eip2930' ? 4 : 5
  return fieldsOf(type, rlpToBigint(item[0]), item.slice(toIndex))
}

function fieldsOf(type: EvmTransactionType, chainId: bigint | null, rest: RlpItem[]): UnsignedEvmTransaction {
  const [to, value, data] = rest
  if (!isRlpBytes(to) || (to.length !== 0 && to.length !== 20)) throw invalidTx('"to" is not an address')
  if (!isRlpBytes(data)) throw invalidTx('"data" is not a byte string')
  return { type, chainId, to, value: rlpToBigint(value), data }
}

/** The signing hash of an unsigned transaction is keccak256 of exactly the bytes the device streams. */
export function evmSigningHash(unsignedTransaction: Uint8Array): Uint8Array {
  return keccak_256(unsignedTransaction)
}

/** EIP-191 version 0x45, as `personal_sign` and the Ethereum app's "sign message" compute it. */
export function evmPersonalMessageHash(message: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`\x19Ethereum Signed Message:\n${message.length}`)
  return keccak_256(concatBytes(prefix, message))
}

/** EIP-712: keccak256(0x19 0x01 ‖ domainSeparator ‖ hashStruct(message)). */
export function evmTypedDataHash(domainSeparator: Uint8Array, messageHash: Uint8Array): Uint8Array {
  return keccak_256(concatBytes(new Uint8Array([0x19, 0x01]), domainSeparator, messageHash))
}

/** Address of an uncompressed (65-byte, 0x04-prefixed) or compressed secp256k1 public key. */
export function evmAddressFromPublicKey(publicKey: Uint8Array): Hex {
  const point = secp256k1.Point.fromBytes(publicKey)
  const uncompressed = point.toBytes(false)
  return toChecksumAddress(bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12)))
}

/** EIP-55 mixed-case checksum. */
export function toChecksumAddress(address: string): Hex {
  const lower = address.toLowerCase().replace(/^0x/, '')
  if (!/^[0-9a-f]{40}$/.test(lower)) throw new CsError('INVALID_INPUT', `"${address.slice(0, 50)}" is not an EVM address.`)
  const hash = bytesToHex(keccak_256(new TextEncoder().encode(lower)))
  let out = '0x'
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i] ?? ''
    out += parseInt(hash[i] ?? '0', 16) >= 8 ? c.toUpperCase() : c
  }
  return out as Hex
}

export function recoverEvmAddress(hash: Uint8Array, r: Uint8Array, s: Uint8Array, yParity: 0 | 1): Hex {
  const recovered = new Uint8Array(65)
  recovered[0] = yParity
  recovered.set(r, 1)
  recovered.set(s, 33)
  const publicKey = secp256k1.recoverPublicKey(recovered, hash, { prehash: false })
  return evmAddressFromPublicKey(publicKey)
}

/** secp256k1 group order / 2: Ethereum rejects signatures with a higher s (EIP-2). */
const secp256k1HalfOrder = secp256k1.Point.CURVE().n / 2n

export function isLowS(s: Uint8Array): boolean {
  return BigInt(`0x${bytesToHex(s) || '0'}`) <= secp256k1HalfOrder
}

export function hexToBytesStrict(hex: string, what: string, bytesExpected?: number): Uint8Array {
  const body = hex.startsWith('0x') ? hex.slice(2) : hex
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) throw new CsError('INVALID_INPUT', `${what} is not hexadecimal.`)
  const bytes = hexToBytes(body)
  if (bytesExpected !== undefined && bytes.length !== bytesExpected) {
    throw new CsError('INVALID_INPUT', `${what} must be ${bytesExpected} bytes, not ${bytes.length}.`)
  }
  return bytes
}

export function toHex(bytes: Uint8Array): Hex {
  return `0x${bytesToHex(bytes)}`
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

function invalidTx(why: string, cause?: unknown): CsError {
  return new CsError('INVALID_INPUT', `The EVM transaction cannot be signed: ${why}.`, { cause })
}
