/**
 * SANDBOX / TEST ONLY. The state the emulated Ethereum app keeps for one full EIP-712 message
 * (app-ethereum's eip712_context: struct definitions, the path being walked, the two root hashes,
 * the filtering state, the screens shown), and the helpers its handlers share. A refusal throws
 * `Refusal`; the handler entry point drops the session and answers its status word, as the app's
 * eip712_context_deinit does.
 */
import type { DeviceDisplayLine, Eip712FieldType } from '../eip712Device'
import { EIP712_DEVICE_LIMITS } from '../eip712Device'
import type { Hex } from '../evmCrypto'
import { sw } from './emulatedApp'

export interface EmulatedEip712Settings {
  /** The app's "Blind signing" setting. */
  blindSigning: boolean
  /** The app's "Raw messages" setting (verbose EIP-712): every field is shown, filters are ignored. */
  rawMessages: boolean
  /** Uncompressed secp256k1 key that must have signed EIP-712 filters (Ledger's CAL key). */
  calPublicKey: Hex
}

/**
 * app-ethereum's test CAL key (client/src/ledger_app_clients/ethereum/keychain/cal.pem, commit
 * d11e04f8): what a Speculos build with HAVE_CAL_TEST_KEY checks filters against. The filters in
 * hw-app-eth's own tests are signed with it. A production device uses Ledger's production key.
 */
export const APP_ETHEREUM_TEST_CAL_KEY: Hex =
  '0x044cca8fad496aa5040a00a7eb2f5cc3b85376d88ba147a7d7054a99c640561887fe17a096e36c3b523b244f3e2ff7f840ae26c4e77ad3bc739af5de6f2d77a7b6'

/** Status words of the EIP-712 handlers (SDK status_words.h). */
export const SW_712 = {
  commandNotAllowed: 0x6986,
  referencedDataNotFound: 0x6a88,
  /** SWO_PARAMETER_ERROR_NO_INFO: a failure the app gave no reason for. */
  noInfo: 0x6a00,
} as const

export interface FieldDef {
  key: string
  type: Eip712FieldType
}

export interface StructDef {
  name: string
  fields: FieldDef[]
}

/** What the walker over the root struct needs next: an array's size or a field's value. */
export interface Need {
  kind: 'array' | 'value'
  field: FieldDef
  /** The fields from the root to this one (for filter paths). */
  path: readonly FieldDef[]
}
export type Feed = { kind: 'array'; size: number } | { kind: 'value'; bytes: Uint8Array }
export type Walker = Generator<Need, Uint8Array, Feed>

export interface Session {
  /** Live settings: a test may flip them between messages. */
  settings: EmulatedEip712Settings
  structs: StructDef[]
  /** A root was set: no more definitions (struct_state DEFINED). */
  defined: boolean
  root: 'none' | 'domain' | 'message'
  rootName: string | null
  walker: Walker | null
  need: Need | null
  /** A field value arriving in frames: bytes still expected, frames so far. */
  value: { remaining: number; parts: Uint8Array[] } | null
  domainHash: Uint8Array | null
  messageHash: Uint8Array | null
  chainId: bigint
  verifyingContract: Uint8Array
  mode: 'basic' | 'full'
  schemaHash: Uint8Array | null
  filtersCount: number | null
  filterPaths: Set<string>
  discardedPath: string | null
  /** Set by a raw-field filter for the next field: shown, under this label (null: its key). */
  nextField: { label: string | null } | null
  /** The path of the last empty array, for discarded filters (path_backup). */
  emptyArray: { text: string; field: FieldDef } | null
  lines: DeviceDisplayLine[]
}

/** A refusal of the app: the message is dropped and the APDU answered with this status word. */
export class Refusal {
  constructor(readonly statusWord: number) {}
}

export function refuse(statusWord: number = sw.incorrectData): never {
  throw new Refusal(statusWord)
}

export function newSession(settings: EmulatedEip712Settings): Session {
  return {
    settings,
    structs: [],
    defined: false,
    root: 'none',
    rootName: null,
    walker: null,
    need: null,
    value: null,
    domainHash: null,
    messageHash: null,
    chainId: 0n,
    verifyingContract: new Uint8Array(EIP712_DEVICE_LIMITS.addressBytes),
    mode: 'basic',
    schemaHash: null,
    filtersCount: null,
    filterPaths: new Set(),
    discardedPath: null,
    nextField: null,
    emptyArray: null,
    lines: [],
  }
}

/** A screen; the first screen of an unfiltered message needs one of the two settings (ui_712_redraw_generic_step). */
export function addLine(s: Session, label: string, value: string): void {
  if (s.lines.length === 0 && s.mode === 'basic' && !s.settings.blindSigning && !s.settings.rawMessages) refuse()
  s.lines.push({ label, value })
}

/** Reads length-prefixed payloads; running past the end is a refusal. */
export function byteReader(data: Uint8Array) {
  let offset = 0
  return {
    byte(): number {
      const b = data[offset]
      if (b === undefined) refuse()
      offset++
      return b
    },
    bytes(length: number): Uint8Array {
      if (offset + length > data.length) refuse()
      offset += length
      return data.subarray(offset - length, offset)
    },
    atEnd: () => offset === data.length,
  }
}

export function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes)
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff)
}
