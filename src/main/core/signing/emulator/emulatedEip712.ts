/**
 * SANDBOX / TEST ONLY. The Ethereum app's full EIP-712 protocol (LedgerHQ/app-ethereum,
 * src/features/sign_message_eip712): the host defines every struct (INS 1A), then streams the
 * domain and the message value by value (INS 1C), optionally with Ledger-signed filters (INS 1E,
 * eip712Filters.ts), and asks for the signature (INS 0C P2 01). Like the app, the emulator computes
 * hashStruct of the domain and of the message from what it was streamed (eip712StreamHash.ts) —
 * never from a JSON on the side — and signs keccak256(0x1901 ‖ domain hash ‖ message hash).
 *
 * It also keeps what a Nano (S Plus / X) displays, screen by screen (`lastDisplay()`):
 * - no filters, "Raw messages" on: "Review struct" and each field of the domain and the message;
 * - no filters, "Raw messages" off, "Blind signing" on: the domain fields and "Message hash";
 * - no filters, both off: the app refuses (0x6A80) at the first screen it would show;
 * - filters ("Raw messages" off): "Contract", "Network" when it is not Ethereum, and only the
 *   filtered fields, under their filter labels.
 * Any refusal drops the whole message, as the app's eip712_context_deinit does.
 */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import {
  DOMAIN_STRUCT_NAME,
  EIP712_DEVICE_LIMITS,
  EIP712_TYPE,
  formatEip712Value,
  isDynamicType,
  REVIEW_STRUCT_LABEL,
  unsignedOf,
  type DeviceDisplayLine,
  type Eip712TypeCode,
} from '../eip712Device'
import { concatBytes } from '../evmCrypto'
import { readPath, reply, status, sw, type Apdu, type EmulatedDeviceServices } from './emulatedApp'
import { filteringFrame, filterPath } from './eip712Filters'
import {
  addLine,
  byteReader,
  latin1,
  newSession,
  Refusal,
  refuse,
  SW_712,
  type EmulatedEip712Settings,
  type Feed,
  type FieldDef,
  type Session,
} from './eip712Session'
import { hashStruct } from './eip712StreamHash'

export { APP_ETHEREUM_TEST_CAL_KEY, type EmulatedEip712Settings } from './eip712Session'

export interface EmulatedEip712 {
  structDefinition(apdu: Apdu): Uint8Array
  structImplementation(apdu: Apdu): Uint8Array
  filtering(apdu: Apdu): Uint8Array
  sign(apdu: Apdu): Promise<Uint8Array>
  reset(): void
  /** What the device showed for the last EIP-712 message (null before the first one). */
  lastDisplay(): readonly DeviceDisplayLine[] | null
}

const P1_COMPLETE = 0x00
const P2 = { defName: 0x00, defField: 0xff, implRoot: 0x00, implArray: 0x0f, implField: 0xff } as const
const TYPE_DESC = { array: 0x80, hasSize: 0x40, type: 0x0f } as const
const ARRAY_LEVEL = { dynamic: 0, fixed: 1 } as const
const EIP191_PREFIX_712 = new Uint8Array([0x19, 0x01])
const VALUE_LENGTH_PREFIX_BYTES = 2
const U64_BITS = 64
const ETHEREUM_CHAIN_ID = 1n
const ETHERMINT_VERIFYING_CONTRACT = 'cosmos'
/** A few of the app's network names (src/network.c); other chains show their number. */
const NETWORK_NAMES: ReadonlyMap<bigint, string> = new Map([
  [1n, 'Ethereum'],
  [5n, 'Goerli'],
  [10n, 'OP Mainnet'],
  [56n, 'BSC'],
  [137n, 'Polygon'],
  [8453n, 'Base'],
  [17000n, 'Holesky'],
  [42161n, 'Arbitrum'],
  [11155111n, 'Sepolia'],
])

export function createEmulatedEip712(services: EmulatedDeviceServices, settings: EmulatedEip712Settings): EmulatedEip712 {
  let session: Session | null = null
  let lastLines: DeviceDisplayLine[] | null = null

  function guarded(handler: (s: Session) => void, create = false): Uint8Array {
    if (!session && !create) return status(SW_712.commandNotAllowed)
    session ??= newSession(settings)
    lastLines = session.lines
    try {
      handler(session)
      return status(sw.ok)
    } catch (error) {
      if (!(error instanceof Refusal)) throw error
      session = null
      return status(error.statusWord)
    }
  }

  async function sign(apdu: Apdu): Promise<Uint8Array> {
    const s = session
    session = null
    if (!s) return status(SW_712.commandNotAllowed)
    const prepared = readyToSign(s, apdu)
    if (typeof prepared === 'number') return status(prepared)
    const { path, domainHash, messageHash } = prepared
    const fields = { domainHash: `0x${bytesToHex(domainHash)}`, messageHash: `0x${bytesToHex(messageHash)}` }
    if (!(await services.confirm({ app: 'Ethereum', kind: 'sign-typed-data', fields, lines: s.lines.slice() }))) {
      return status(sw.rejected)
    }
    const sig = services.keys.secp256k1Sign(keccak_256(concatBytes(EIP191_PREFIX_712, domainHash, messageHash)), path)
    services.signatureProduced()
    return reply(concatBytes(new Uint8Array([27 + sig.yParity]), sig.r, sig.s), sw.ok)
  }

  return {
    structDefinition: (apdu) => guarded((s) => structDefinition(s, apdu), true),
    structImplementation: (apdu) => guarded((s) => implementation(s, apdu)),
    filtering: (apdu) => guarded((s) => filteringFrame(s, apdu)),
    sign,
    reset() {
      session = null
    },
    lastDisplay: () => lastLines,
  }
}

/** handle_eip712_sign: both hashes complete, every announced filter received, a valid path; else a status word. */
function readyToSign(s: Session, apdu: Apdu): { path: number[]; domainHash: Uint8Array; messageHash: Uint8Array } | number {
  const { domainHash, messageHash } = s
  if (!domainHash || !messageHash || s.need !== null) return sw.incorrectData
  if (s.mode === 'full' && (s.filtersCount === null || s.filterPaths.size !== s.filtersCount)) return SW_712.referencedDataNotFound
  const parsed = readPath(apdu.data)
  if (!parsed || parsed.rest.length !== 0) return sw.incorrectData
  if (s.mode === 'basic' && !s.settings.rawMessages) {
    // A Nano without "Raw messages" ends an unfiltered message with its hash (ui_712_message_hash).
    if (s.lines.length === 0 && !s.settings.blindSigning) return sw.incorrectData
    s.lines.push({ label: 'Message hash', value: `0x${bytesToHex(messageHash).toUpperCase()}` })
  }
  return { path: parsed.path, domainHash, messageHash }
}

// ----- Struct definitions (INS 1A, typed_data.c) -----

function structDefinition(s: Session, apdu: Apdu): void {
  if (s.defined) refuse(SW_712.noInfo)
  if (apdu.p2 === P2.defName) {
    s.structs.push({ name: latin1(apdu.data), fields: [] })
    return
  }
  if (apdu.p2 !== P2.defField) refuse(sw.wrongP1P2)
  const last = s.structs[s.structs.length - 1]
  if (!last || apdu.data.length === 0) refuse()
  last.fields.push(parseFieldDefinition(apdu.data))
}

/** TypeDesc ‖ (TypeSize | custom name) ‖ (array levels) ‖ key name, and nothing after. */
function parseFieldDefinition(data: Uint8Array): FieldDef {
  const reader = byteReader(data)
  const desc = reader.byte()
  const code = desc & TYPE_DESC.type
  if (code > EIP712_TYPE.bytesDynamic) refuse()
  let size: number | null = null
  let structName: string | null = null
  if (desc & TYPE_DESC.hasSize) {
    if (code === EIP712_TYPE.custom) refuse()
    size = reader.byte()
  } else if (code === EIP712_TYPE.custom) {
    structName = latin1(reader.bytes(reader.byte()))
  }
  const arrayLevels: (number | null)[] = []
  if (desc & TYPE_DESC.array) {
    const count = reader.byte()
    for (let i = 0; i < count; i++) {
      const kind = reader.byte()
      if (kind === ARRAY_LEVEL.dynamic) arrayLevels.push(null)
      else if (kind === ARRAY_LEVEL.fixed) arrayLevels.push(reader.byte())
      else refuse()
    }
  }
  const key = latin1(reader.bytes(reader.byte()))
  if (!reader.atEnd()) refuse()
  return { key, type: { code: code as Eip712TypeCode, size, structName, arrayLevels } }
}

// ----- Struct implementations (INS 1C, path.c, field_hash.c) -----

function implementation(s: Session, apdu: Apdu): void {
  switch (apdu.p2) {
    case P2.implRoot:
      return setRoot(s, latin1(apdu.data))
    case P2.implArray:
      return arraySize(s, apdu.data)
    case P2.implField:
      return fieldChunk(s, apdu.data, apdu.p1 !== P1_COMPLETE)
    default:
      refuse(sw.wrongP1P2)
  }
}

/** The domain first, then the primary type; each root starts a new walk over its struct. */
function setRoot(s: Session, name: string): void {
  const struct = s.structs.find((d) => d.name === name)
  if (!struct || name === s.rootName) refuse()
  if (name === DOMAIN_STRUCT_NAME ? s.root !== 'none' : s.root !== 'domain') refuse(SW_712.noInfo)
  s.root = name === DOMAIN_STRUCT_NAME ? 'domain' : 'message'
  s.rootName = name
  s.defined = true
  s.value = null
  if (s.mode === 'basic' && s.settings.rawMessages) addLine(s, REVIEW_STRUCT_LABEL, name)
  if (s.mode === 'full' && s.root === 'message' && s.chainId !== ETHEREUM_CHAIN_ID) {
    addLine(s, 'Network', NETWORK_NAMES.get(s.chainId) ?? s.chainId.toString())
  }
  s.walker = hashStruct(s.structs, name, [], 0)
  advance(s, undefined)
}

/** Runs the walker to its next need; a finished root stores its hash. */
function advance(s: Session, feed: Feed | undefined): void {
  const walker = s.walker
  if (!walker) refuse()
  const step = feed === undefined ? walker.next() : walker.next(feed)
  if (!step.done) {
    s.need = step.value
    return
  }
  s.need = null
  s.walker = null
  if (s.root === 'domain') s.domainHash = step.value
  else s.messageHash = step.value
}

function arraySize(s: Session, data: Uint8Array): void {
  const need = s.need
  if (data.length !== 1 || need?.kind !== 'array') refuse()
  const size = data[0] ?? 0
  if (size === 0) s.emptyArray = { text: filterPath(need.path), field: need.field }
  advance(s, { kind: 'array', size })
}

/** One frame of a field value: 2-byte length first, then the bytes; only dynamic values span frames. */
function fieldChunk(s: Session, data: Uint8Array, partial: boolean): void {
  const need = s.need
  if (need?.kind !== 'value') refuse()
  let chunk = data
  if (!s.value) {
    if (chunk.length < VALUE_LENGTH_PREFIX_BYTES) refuse()
    s.value = { remaining: ((chunk[0] ?? 0) << 8) | (chunk[1] ?? 0), parts: [] }
    chunk = chunk.subarray(VALUE_LENGTH_PREFIX_BYTES)
  }
  const value = s.value
  if (chunk.length > value.remaining) refuse()
  value.remaining -= chunk.length
  value.parts.push(chunk.slice())
  if (value.remaining > 0) {
    if (!partial || !isDynamicType(need.field.type.code)) refuse()
    return
  }
  if (partial) refuse()
  s.value = null
  completeField(s, need.field, concatBytes(...value.parts))
}

/** Shows the field if this mode shows it (ui_712_feed_to_display), then hashes it. */
function completeField(s: Session, field: FieldDef, bytes: Uint8Array): void {
  const shown = s.mode === 'basic' ? s.settings.rawMessages || s.root === 'domain' : s.nextField !== null
  if (shown) {
    const text = formatEip712Value(field.type, bytes)
    if (text === null) refuse()
    addLine(s, s.nextField?.label ?? field.key, text)
  }
  s.nextField = null
  if (s.root === 'domain') domainSpecialField(s, field, bytes)
  advance(s, { kind: 'value', bytes })
}

/** verifyingContract and chainId are kept for filters (field_hash_domain_special_fields). */
function domainSpecialField(s: Session, field: FieldDef, bytes: Uint8Array): void {
  if (field.key === 'verifyingContract') {
    if (field.type.code === EIP712_TYPE.address) {
      if (bytes.length > EIP712_DEVICE_LIMITS.addressBytes) refuse()
    } else if (field.type.code !== EIP712_TYPE.string || latin1(bytes) !== ETHERMINT_VERIFYING_CONTRACT) {
      refuse()
    }
    const contract = new Uint8Array(EIP712_DEVICE_LIMITS.addressBytes)
    contract.set(bytes.subarray(0, EIP712_DEVICE_LIMITS.addressBytes))
    s.verifyingContract = contract
  } else if (field.key === 'chainId') {
    s.chainId = BigInt.asUintN(U64_BITS, unsignedOf(bytes))
  }
}
