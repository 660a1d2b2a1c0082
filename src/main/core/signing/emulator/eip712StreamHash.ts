/**
 * SANDBOX / TEST ONLY. hashStruct over values pulled from the host one at a time, as the Ethereum
 * app hashes an EIP-712 message while it is streamed (path.c, field_hash.c, encode_field.c,
 * type_hash.c): a generator walks the root struct's fields depth first and yields each array size
 * and field value it needs; the emulator feeds it what the APDUs carry. Nothing is taken from a
 * JSON on the side.
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { EIP712_DEVICE_LIMITS, EIP712_TYPE, eip712TypeName, isDynamicType, type Eip712FieldType } from '../eip712Device'
import { concatBytes } from '../evmCrypto'
import { ascii, refuse, type FieldDef, type StructDef, type Walker } from './eip712Session'

/** hashStruct(name) = keccak256(typeHash ‖ encodeData), pulling each value from the host in order. */
export function* hashStruct(structs: readonly StructDef[], name: string, path: readonly FieldDef[], depth: number): Walker {
  const struct = structs.find((d) => d.name === name)
  if (!struct || depth >= EIP712_DEVICE_LIMITS.pathDepthMax) refuse()
  const encoded: Uint8Array[] = [typeHash(structs, name)]
  for (const field of struct.fields) {
    encoded.push(yield* encodeField(structs, field, field.type.arrayLevels.length, [...path, field], depth))
  }
  return keccak_256(concatBytes(...encoded))
}

/** The 32-byte encoding of a field; array levels open from the last written (the outermost). */
function* encodeField(structs: readonly StructDef[], field: FieldDef, levels: number, path: readonly FieldDef[], depth: number): Walker {
  if (levels > 0) {
    const feed = yield { kind: 'array', field, path }
    const fixed = field.type.arrayLevels[levels - 1]
    if (feed.kind !== 'array' || (fixed !== null && fixed !== undefined && feed.size !== fixed)) refuse()
    const elements: Uint8Array[] = []
    for (let i = 0; i < feed.size; i++) elements.push(yield* encodeField(structs, field, levels - 1, path, depth))
    return keccak_256(concatBytes(...elements))
  }
  if (field.type.code === EIP712_TYPE.custom) return yield* hashStruct(structs, field.type.structName ?? '', path, depth + 1)
  const feed = yield { kind: 'value', field, path }
  if (feed.kind !== 'value') refuse()
  return encodeValue(field.type, feed.bytes)
}

/** encode_field.c: left-padded integers (sign-extended when sent at full width), right-padded bytesN, hashed dynamic values. */
function encodeValue(type: Eip712FieldType, value: Uint8Array): Uint8Array {
  const word = EIP712_DEVICE_LIMITS.wordBytes
  if (isDynamicType(type.code)) return keccak_256(value)
  if (value.length > word) refuse()
  switch (type.code) {
    case EIP712_TYPE.int: {
      if (value.length < 1) refuse()
      const negative = value.length === type.size && ((value[0] ?? 0) & 0x80) !== 0
      return padLeft(value, negative ? 0xff : 0x00)
    }
    case EIP712_TYPE.uint:
      return padLeft(value, 0x00)
    case EIP712_TYPE.bytesFixed: {
      const out = new Uint8Array(word)
      out.set(value)
      return out
    }
    case EIP712_TYPE.address:
      if (value.length !== EIP712_DEVICE_LIMITS.addressBytes) refuse()
      return padLeft(value, 0x00)
    case EIP712_TYPE.bool:
      if (value.length !== 1) refuse()
      return padLeft(value, 0x00)
    default:
      return refuse()
  }
}

function padLeft(value: Uint8Array, fill: number): Uint8Array {
  const out = new Uint8Array(EIP712_DEVICE_LIMITS.wordBytes).fill(fill)
  out.set(value, out.length - value.length)
  return out
}

/** keccak256(encodeType): the struct, then every struct it references, sorted by name. */
function typeHash(structs: readonly StructDef[], name: string): Uint8Array {
  const deps = new Set<string>()
  const visit = (n: string): void => {
    const struct = structs.find((d) => d.name === n)
    if (!struct) refuse()
    for (const { type } of struct.fields) {
      const ref = type.structName
      if (type.code === EIP712_TYPE.custom && ref !== null && ref !== name && !deps.has(ref)) {
        deps.add(ref)
        visit(ref)
      }
    }
  }
  visit(name)
  const encodeOne = (n: string): string => {
    const struct = structs.find((d) => d.name === n)
    return `${n}(${(struct?.fields ?? []).map((f) => `${eip712TypeName(f.type)} ${f.key}`).join(',')})`
  }
  return keccak_256(ascii([name, ...[...deps].sort()].map(encodeOne).join('')))
}
