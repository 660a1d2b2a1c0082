/**
 * How the Ledger Ethereum app models and shows an EIP-712 field: its type codes, the Solidity
 * type name it rebuilds, and the text it puts on screen for a value. Shared by the device emulator
 * (which receives each field as APDU bytes) and `describeTypedDataForDevice` (which starts from the
 * JSON), so the two word every field the same way.
 *
 * Source: LedgerHQ/app-ethereum, src/features/sign_message_eip712 — typed_data.c (type codes),
 * format_hash_field_type.c (type names), ui_logic.c (`ui_712_format_*`: the 380-byte display
 * buffer, uppercase hex from the SDK's `format_hex`, EIP-55 addresses for the Ethereum app's own
 * chain, signed decimals per integer size).
 */
import { bytesToHex } from '@noble/hashes/utils.js'
import { toChecksumAddress } from './evmCrypto'

/** The 4-bit type code of a struct field definition (INS 0x1A, P2 0xFF). */
export const EIP712_TYPE = {
  custom: 0,
  int: 1,
  uint: 2,
  address: 3,
  bool: 4,
  string: 5,
  bytesFixed: 6,
  bytesDynamic: 7,
} as const
export type Eip712TypeCode = (typeof EIP712_TYPE)[keyof typeof EIP712_TYPE]

/** A field's type as the device stores it. */
export interface Eip712FieldType {
  code: Eip712TypeCode
  /** Bytes: int/uint size / 8, bytesN's N; null for the other types. */
  size: number | null
  /** The struct's name for custom types, else null. */
  structName: string | null
  /** Array levels as written left to right (`T[2][]` → [2, null]); null is a dynamic level. */
  arrayLevels: readonly (number | null)[]
}

/** One screen line: the title the device shows and the value under it. */
export interface DeviceDisplayLine {
  label: string
  value: string
}

export const EIP712_DEVICE_LIMITS = {
  /** `strings.tmp.tmp` is 380 bytes with its terminating NUL (shared_context.h). */
  displayBytesMax: 379,
  /** Nested struct levels the app follows (path.h MAX_PATH_DEPTH). */
  pathDepthMax: 16,
  /** Array levels open at once (path.h MAX_ARRAY_DEPTH). */
  arrayDepthMax: 8,
  /** The array size is sent as one byte (INS 0x1C, P2 0x0F). */
  arrayLengthMax: 255,
  /** Filters announced by one message-info frame (filtering.h MAX_FILTERS). */
  filtersMax: 50,
  /** A static value (int, uint, address, bool, bytesN) is encoded to one 32-byte word. */
  wordBytes: 32,
  addressBytes: 20,
} as const

/** The title of the screen announcing a struct (verbose mode, "Raw messages"). */
export const REVIEW_STRUCT_LABEL = 'Review struct'
export const DOMAIN_STRUCT_NAME = 'EIP712Domain'

const TRUNCATION_MARK = '...'
const HEX_PREFIX = '0x'
/** The Ethereum app formats addresses for its own chain: EIP-55 (EIP-1191 applies to RSK only). */
const BITS_PER_BYTE = 8

export function isDynamicType(code: Eip712TypeCode): boolean {
  return code === EIP712_TYPE.string || code === EIP712_TYPE.bytesDynamic
}

/** The type as EIP-712 writes it ("uint256", "bytes32", "Person[]"), as the app rebuilds it for type hashes. */
export function eip712TypeName(type: Eip712FieldType): string {
  const levels = type.arrayLevels.map((n) => (n === null ? '[]' : `[${n}]`)).join('')
  return `${eip712BaseTypeName(type)}${levels}`
}

function eip712BaseTypeName(type: Eip712FieldType): string {
  switch (type.code) {
    case EIP712_TYPE.custom:
      return type.structName ?? ''
    case EIP712_TYPE.int:
      return `int${(type.size ?? 0) * BITS_PER_BYTE}`
    case EIP712_TYPE.uint:
      return `uint${(type.size ?? 0) * BITS_PER_BYTE}`
    case EIP712_TYPE.address:
      return 'address'
    case EIP712_TYPE.bool:
      return 'bool'
    case EIP712_TYPE.string:
      return 'string'
    case EIP712_TYPE.bytesFixed:
      return `bytes${type.size ?? 0}`
    case EIP712_TYPE.bytesDynamic:
      return 'bytes'
  }
}

/**
 * The text the Ethereum app shows for a complete field value, or null where the app refuses the
 * value (it answers 0x6A80): an address that is not 20 bytes, a bool that is not one byte, an
 * integer longer than its type, an int size the app has no formatter for.
 */
export function formatEip712Value(type: Eip712FieldType, value: Uint8Array): string | null {
  switch (type.code) {
    case EIP712_TYPE.string:
      return truncateForDisplay(value)
    case EIP712_TYPE.address:
      return value.length === EIP712_DEVICE_LIMITS.addressBytes ? toChecksumAddress(`0x${bytesToHex(value)}`) : null
    case EIP712_TYPE.bool:
      return value.length === 1 ? (value[0] !== 0 ? 'true' : 'false') : null
    case EIP712_TYPE.bytesFixed:
    case EIP712_TYPE.bytesDynamic:
      return formatBytes(value)
    case EIP712_TYPE.uint:
      return value.length <= EIP712_DEVICE_LIMITS.wordBytes ? unsignedOf(value).toString() : null
    case EIP712_TYPE.int:
      return formatInt(type.size ?? 0, value)
    case EIP712_TYPE.custom:
      return null
  }
}

/** Strings are copied byte for byte into the display buffer; a longer one ends in "...". */
function truncateForDisplay(value: Uint8Array): string {
  const max = EIP712_DEVICE_LIMITS.displayBytesMax
  if (value.length <= max) return utf8(value)
  return utf8(value.subarray(0, max - TRUNCATION_MARK.length)) + TRUNCATION_MARK
}

/** "0x" + uppercase hex; past what fits, the last three characters become "...". */
function formatBytes(value: Uint8Array): string {
  const max = EIP712_DEVICE_LIMITS.displayBytesMax
  const fitting = Math.floor((max - HEX_PREFIX.length) / 2)
  const hex = HEX_PREFIX + bytesToHex(value.subarray(0, fitting)).toUpperCase()
  if (value.length <= fitting) return hex
  return hex.slice(0, max - TRUNCATION_MARK.length) + TRUNCATION_MARK
}

/**
 * ui_712_format_int: the bytes received are zero-extended to the type's width and read as two's
 * complement of that width (hw-app-eth sends a negative value at full width); int8 must be exactly
 * one byte. int64 goes through a 128-bit conversion that does not sign-extend, so a negative int64
 * shows as a large positive number — on the device too. Other sizes (int24, int40…) have no
 * formatter: the app refuses them.
 */
function formatInt(size: number, value: Uint8Array): string | null {
  if (value.length < 1 || value.length > size) return null
  const raw = unsignedOf(value)
  const bits = size * BITS_PER_BYTE
  switch (bits) {
    case 256:
    case 128:
    case 32:
    case 16:
      return BigInt.asIntN(bits, raw).toString()
    case 64:
      return BigInt.asIntN(128, raw).toString()
    case 8:
      return value.length === 1 ? BigInt.asIntN(bits, raw).toString() : null
    default:
      return null
  }
}

export function unsignedOf(bytes: Uint8Array): bigint {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes)
}
