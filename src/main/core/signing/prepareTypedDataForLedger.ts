/**
 * Checks EIP-712 typed data (viem's TypedDataDefinition) before it goes to a Ledger, and turns it
 * into the JSON that @ledgerhq/hw-app-eth streams to the Ethereum app, with the digest the
 * signature must cover.
 *
 * Why a separate step: hw-app-eth sends what it is given without checking it, and some inputs
 * reach the device as something else — a struct named like a Solidity type ("String", "Mint2") is
 * sent as that type; an integer as a JS number loses precision; a string or bytes value whose
 * encoded size is 256, 511-512, 766-768… bytes is cut short by its framing (sendStructImplem
 * slices 255-byte frames from a count of 256-byte ones); an array longer than 255 elements
 * overflows its one-byte size. The device would then sign another message than the one shown
 * here. Everything of that kind is refused here with INVALID_INPUT, before any device job.
 */
import { getTypesForEIP712Domain, hashTypedData, type TypedDataDefinition } from 'viem'
import { CsError } from '../../../shared/errors'
import { DOMAIN_STRUCT_NAME, EIP712_DEVICE_LIMITS, EIP712_TYPE, type Eip712FieldType } from './eip712Device'
import { hexToBytesStrict, type Hex } from './evmCrypto'
import { signerLimits } from './Signer'

export interface TypedDataField {
  key: string
  type: Eip712FieldType
}

/** The JSON hw-app-eth's signEIP712Message takes: EIP712Domain included, every value JSON-safe. */
export interface LedgerEip712Message {
  domain: Record<string, unknown>
  types: Record<string, { name: string; type: string }[]>
  primaryType: string
  message: Record<string, unknown>
}

export interface PreparedTypedData {
  message: LedgerEip712Message
  /** keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)), from viem. */
  digest: Uint8Array
  /** Parsed field types of every struct, EIP712Domain included. */
  structs: ReadonlyMap<string, readonly TypedDataField[]>
}

/** Loose view of viem's TypedDataDefinition (a union of generic types) for checking. */
interface TypedDataInput {
  domain?: Record<string, unknown>
  types?: Record<string, readonly { name: string; type: string }[]>
  primaryType: string
  message?: Record<string, unknown>
}

const IDENTIFIER_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const TYPE_RE = /^([A-Za-z_$][A-Za-z0-9_$]*)((?:\[\d*\])*)$/
const ARRAY_LEVEL_RE = /\[(\d*)\]/g
const INT_RE = /^(u?int)(\d+)$/
const BYTES_FIXED_RE = /^bytes(\d+)$/
const DECIMAL_RE = /^-?\d+$/
const HEX_QUANTITY_RE = /^0x[0-9a-fA-F]+$/
const HEX_BYTES_RE = /^0x(?:[0-9a-fA-F]{2})*$/
const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/
/** hw-app-eth looks these up case-insensitively and sends a struct so named as the Solidity type. */
const ATOMIC_NAMES = new Set(['custom', 'int', 'uint', 'address', 'bool', 'string', 'bytes'])
const BITS_PER_BYTE = 8
const INT_BITS_MAX = 256
/** hw-app-eth frames a value as 2 length bytes + the value, sliced into 255-byte frames. */
const VALUE_LENGTH_PREFIX_BYTES = 2
const FRAME_DATA_BYTES = 255
const FRAME_COUNT_DIVISOR = 256

export function prepareTypedDataForLedger(typedData: TypedDataDefinition): PreparedTypedData {
  const input = typedData as unknown as TypedDataInput
  const domain = input.domain ?? {}
  const types: Record<string, readonly { name: string; type: string }[]> = {
    [DOMAIN_STRUCT_NAME]: getTypesForEIP712Domain({ domain }),
    ...(input.types ?? {}),
  }
  if (input.primaryType === DOMAIN_STRUCT_NAME || !Object.hasOwn(types, input.primaryType)) {
    throw invalid(`its primary type "${String(input.primaryType)}" is not one of its structs`)
  }
  const structs = parseStructs(types)
  let digest: Uint8Array
  try {
    digest = hexToBytesStrict(hashTypedData({ ...typedData, types } as TypedDataDefinition), 'EIP-712 digest')
  } catch (error) {
    throw invalid((error as { shortMessage?: string }).shortMessage ?? 'viem cannot hash it', error)
  }
  const normalise = (struct: string, value: unknown, label: string) => normaliseStruct(structs, struct, value, label, 0)
  return {
    message: {
      domain: normalise(DOMAIN_STRUCT_NAME, domain, 'domain'),
      types: Object.fromEntries(Object.entries(types).map(([name, fields]) => [name, fields.map((f) => ({ name: f.name, type: f.type }))])),
      primaryType: input.primaryType,
      message: normalise(input.primaryType, input.message, 'message'),
    },
    digest,
    structs,
  }
}

function parseStructs(types: Record<string, readonly { name: string; type: string }[]>): Map<string, TypedDataField[]> {
  const names = new Set(Object.keys(types))
  for (const name of names) {
    if (!IDENTIFIER_RE.test(name) || name.length > EIP712_DEVICE_LIMITS.displayBytesMax || /\d$/.test(name)) {
      throw invalid(`struct name "${name}" must be letters, digits and _ only, and not end in a digit`)
    }
    if (ATOMIC_NAMES.has(name.toLowerCase())) throw invalid(`struct name "${name}" is also a Solidity type name`)
  }
  const structs = new Map<string, TypedDataField[]>()
  for (const [name, fields] of Object.entries(types)) {
    const seen = new Set<string>()
    structs.set(
      name,
      fields.map(({ name: key, type }) => {
        if (!IDENTIFIER_RE.test(key) || key.length > FRAME_DATA_BYTES)
          throw invalid(`field "${name}.${key}" has a name the Ledger cannot take`)
        if (seen.has(key)) throw invalid(`struct "${name}" has two fields named "${key}"`)
        seen.add(key)
        return { key, type: parseType(type, names, `${name}.${key}`) }
      }),
    )
  }
  return structs
}

/** "uint8[2][]" → uint, 1 byte, levels [2, null]. */
export function parseType(text: string, structNames: ReadonlySet<string>, where: string): Eip712FieldType {
  const match = TYPE_RE.exec(text)
  if (!match) throw invalid(`field ${where} has type "${text}", which is not an EIP-712 type`)
  const [, base = '', suffix = ''] = match
  const arrayLevels = [...suffix.matchAll(ARRAY_LEVEL_RE)].map(([, n]) => (n === '' || n === undefined ? null : Number(n)))
  if (arrayLevels.length > EIP712_DEVICE_LIMITS.arrayDepthMax) throw invalid(`field ${where} has more array levels than the Ledger follows`)
  if (arrayLevels.some((n) => n !== null && (n < 1 || n > EIP712_DEVICE_LIMITS.arrayLengthMax))) {
    throw invalid(`field ${where} has a fixed array size outside 1 to ${EIP712_DEVICE_LIMITS.arrayLengthMax}`)
  }
  return { ...parseBaseType(base, structNames, where), arrayLevels }
}

function parseBaseType(base: string, structNames: ReadonlySet<string>, where: string): Omit<Eip712FieldType, 'arrayLevels'> {
  const atomic = { structName: null }
  const int = INT_RE.exec(base)
  if (int) {
    const bits = Number(int[2])
    if (bits < BITS_PER_BYTE || bits > INT_BITS_MAX || bits % BITS_PER_BYTE !== 0) throw invalid(`field ${where} has type ${base}`)
    return { ...atomic, code: int[1] === 'int' ? EIP712_TYPE.int : EIP712_TYPE.uint, size: bits / BITS_PER_BYTE }
  }
  const fixed = BYTES_FIXED_RE.exec(base)
  if (fixed) {
    const size = Number(fixed[1])
    if (size < 1 || size > EIP712_DEVICE_LIMITS.wordBytes) throw invalid(`field ${where} has type ${base}`)
    return { ...atomic, code: EIP712_TYPE.bytesFixed, size }
  }
  switch (base) {
    case 'address':
      return { ...atomic, code: EIP712_TYPE.address, size: null }
    case 'bool':
      return { ...atomic, code: EIP712_TYPE.bool, size: null }
    case 'string':
      return { ...atomic, code: EIP712_TYPE.string, size: null }
    case 'bytes':
      return { ...atomic, code: EIP712_TYPE.bytesDynamic, size: null }
  }
  // A bare "int"/"uint" would reach the device with a size of NaN: the size must be written.
  if (!structNames.has(base))
    throw invalid(`field ${where} has type "${base}", which is neither a Solidity type with its size nor a struct`)
  return { code: EIP712_TYPE.custom, size: null, structName: base }
}

function normaliseStruct(
  structs: ReadonlyMap<string, readonly TypedDataField[]>,
  struct: string,
  value: unknown,
  label: string,
  depth: number,
): Record<string, unknown> {
  if (depth >= EIP712_DEVICE_LIMITS.pathDepthMax) throw invalid(`${label} nests structs deeper than the Ledger follows`)
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${label} is not an object`)
  const fields = structs.get(struct) ?? []
  const out: Record<string, unknown> = {}
  for (const { key, type } of fields) {
    const fieldValue = (value as Record<string, unknown>)[key]
    out[key] = normaliseValue(structs, type, type.arrayLevels.length, fieldValue, `${label}.${key}`, depth)
  }
  return out
}

/** `levels`: array levels still to open; the last one written is the outermost (as in Solidity and on the device). */
function normaliseValue(
  structs: ReadonlyMap<string, readonly TypedDataField[]>,
  type: Eip712FieldType,
  levels: number,
  value: unknown,
  label: string,
  depth: number,
): unknown {
  if (value === undefined || value === null) throw invalid(`${label} has no value`)
  if (levels > 0) {
    const fixed = type.arrayLevels[levels - 1]
    if (!Array.isArray(value)) throw invalid(`${label} is not an array`)
    if (value.length > EIP712_DEVICE_LIMITS.arrayLengthMax) throw invalid(`${label} has ${value.length} elements (at most 255)`)
    if (fixed !== null && fixed !== undefined && value.length !== fixed) throw invalid(`${label} must have ${fixed} elements`)
    return value.map((element, i) => normaliseValue(structs, type, levels - 1, element, `${label}[${i}]`, depth))
  }
  if (type.code === EIP712_TYPE.custom) return normaliseStruct(structs, type.structName ?? '', value, label, depth + 1)
  return normaliseAtomic(type, value, label)
}

function normaliseAtomic(type: Eip712FieldType, value: unknown, label: string): unknown {
  switch (type.code) {
    case EIP712_TYPE.int:
    case EIP712_TYPE.uint:
      return normaliseInteger(type, value, label)
    case EIP712_TYPE.address:
      if (typeof value !== 'string' || !ADDRESS_RE.test(value)) throw invalid(`${label} is not an address`)
      return value
    case EIP712_TYPE.bool:
      if (typeof value !== 'boolean') throw invalid(`${label} is not true or false`)
      return value
    case EIP712_TYPE.string:
      if (typeof value !== 'string') throw invalid(`${label} is not a string`)
      checkFraming(new TextEncoder().encode(value).length, label)
      return value
    case EIP712_TYPE.bytesFixed:
    case EIP712_TYPE.bytesDynamic:
      return normaliseBytes(type, value, label)
    case EIP712_TYPE.custom:
      throw invalid(`${label} is a struct`)
  }
}

/** A decimal string: hw-app-eth feeds it to bignumber.js, which a JS number above 2^53 would not survive. */
function normaliseInteger(type: Eip712FieldType, value: unknown, label: string): string {
  let n: bigint
  if (typeof value === 'bigint') n = value
  else if (typeof value === 'number' && Number.isSafeInteger(value)) n = BigInt(value)
  else if (typeof value === 'string' && (DECIMAL_RE.test(value) || HEX_QUANTITY_RE.test(value))) n = BigInt(value)
  else throw invalid(`${label} is not a whole number`)
  const bits = BigInt((type.size ?? 0) * BITS_PER_BYTE)
  const [min, max] = type.code === EIP712_TYPE.uint ? [0n, 2n ** bits - 1n] : [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n]
  if (n < min || n > max) throw invalid(`${label} = ${n} does not fit its type`)
  return n.toString()
}

function normaliseBytes(type: Eip712FieldType, value: unknown, label: string): Hex {
  if (typeof value !== 'string' || !HEX_BYTES_RE.test(value)) throw invalid(`${label} is not 0x-prefixed hex bytes`)
  const length = (value.length - 2) / 2
  if (type.code === EIP712_TYPE.bytesFixed && length !== type.size) throw invalid(`${label} must have ${type.size} bytes, not ${length}`)
  if (type.code === EIP712_TYPE.bytesDynamic) checkFraming(length, label)
  return value.toLowerCase() as Hex
}

/** A dynamic value must fit the limit and survive hw-app-eth's framing whole (see the module comment). */
function checkFraming(valueBytes: number, label: string): void {
  if (valueBytes > signerLimits.evmTypedDataValueBytesMax) {
    throw invalid(`${label} has ${valueBytes} bytes (at most ${signerLimits.evmTypedDataValueBytesMax})`)
  }
  const encoded = VALUE_LENGTH_PREFIX_BYTES + valueBytes
  const sent = Math.ceil(encoded / FRAME_COUNT_DIVISOR) * FRAME_DATA_BYTES
  if (sent < encoded) throw invalid(`${label} has ${valueBytes} bytes, a length the Ledger client cuts short — add or remove a character`)
}

function invalid(why: string, cause?: unknown): CsError {
  return new CsError('INVALID_INPUT', `This EIP-712 message cannot be signed on a Ledger: ${why}.`, cause === undefined ? {} : { cause })
}
