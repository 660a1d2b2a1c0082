/**
 * SANDBOX / TEST ONLY. The Ethereum app's EIP-712 filtering frames (INS 1E; filtering.c,
 * schema_hash.c), as far as the emulator goes: activation (full filtering unless "Raw messages"
 * is on), message info ("Contract"), raw-field filters (a field shown under a Ledger-signed label)
 * and discarded paths (a filter for a field inside an empty array). Each filter's signature is
 * checked against the CAL key in the settings over SHA-256(magic ‖ chain id ‖ verifying contract ‖
 * schema hash ‖ payload). The other formats (amount, date, trusted name, calldata) answer 0x6A80:
 * they are not emulated.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { sha224, sha256 } from '@noble/hashes/sha2.js'
import { EIP712_DEVICE_LIMITS, eip712TypeName } from '../eip712Device'
import { concatBytes, hexToBytesStrict } from '../evmCrypto'
import type { Apdu } from './emulatedApp'
import { addLine, ascii, byteReader, latin1, refuse, SW_712, type FieldDef, type Session, type StructDef } from './eip712Session'

const P1_DISCARDED = 0x01
const P2 = { activate: 0x00, discardedPath: 0x01, messageInfo: 0x0f, rawField: 0xff } as const
/** Magic bytes that keep one kind of filter signature from passing as another (filtering.c). */
const FILTER_MAGIC = { messageInfo: 183, rawField: 72 } as const
const CHAIN_ID_BYTES = 8
const BITS_PER_BYTE = 8

export function filteringFrame(s: Session, apdu: Apdu): void {
  // Outside full filtering (no activation, or "Raw messages" on) filter frames are acknowledged and ignored.
  if (apdu.p2 !== P2.activate && s.mode !== 'full') return
  switch (apdu.p2) {
    case P2.activate:
      if (!s.settings.rawMessages) {
        s.mode = 'full'
        s.schemaHash = schemaHash(s.structs)
      }
      return
    case P2.discardedPath:
      return discardedPath(s, apdu.data)
    case P2.messageInfo:
      return messageInfo(s, apdu.data)
    case P2.rawField:
      return rawFieldFilter(s, apdu.data, apdu.p1 === P1_DISCARDED)
    default:
      refuse()
  }
}

/** "to.[].wallets.[]": each field's key, with ".[]" per array level. */
export function filterPath(path: readonly FieldDef[]): string {
  return path.map((f) => f.key + '.[]'.repeat(f.type.arrayLevels.length)).join('.')
}

function messageInfo(s: Session, data: Uint8Array): void {
  if (s.root !== 'domain') refuse(SW_712.commandNotAllowed)
  const reader = byteReader(data)
  const name = reader.bytes(reader.byte())
  const count = reader.byte()
  const signature = reader.bytes(reader.byte())
  if (!reader.atEnd() || count > EIP712_DEVICE_LIMITS.filtersMax) refuse()
  verifyFilter(s, FILTER_MAGIC.messageInfo, [new Uint8Array([count]), name], signature)
  s.filtersCount = count
  addLine(s, 'Contract', latin1(name))
}

function rawFieldFilter(s: Session, data: Uint8Array, discarded: boolean): void {
  if (s.root !== 'message') refuse(SW_712.commandNotAllowed)
  const reader = byteReader(data)
  const label = reader.bytes(reader.byte())
  const signature = reader.bytes(reader.byte())
  if (!reader.atEnd()) refuse()
  const path = discarded ? s.discardedPath : s.need ? filterPath(s.need.path) : null
  if (path === null) refuse()
  s.discardedPath = null
  verifyFilter(s, FILTER_MAGIC.rawField, [ascii(path), label], signature)
  if (!discarded) s.nextField = { label: label.length > 0 ? latin1(label) : null }
  // Each filtered path counts once towards the number the message info announced.
  if (!s.filterPaths.has(path)) {
    if (s.filterPaths.size >= (s.filtersCount ?? 0)) refuse()
    s.filterPaths.add(path)
  }
}

function discardedPath(s: Session, data: Uint8Array): void {
  const reader = byteReader(data)
  const path = latin1(reader.bytes(reader.byte()))
  const backup = s.emptyArray
  if (!backup || !path.startsWith(backup.text) || !pathExistsBelow(s.structs, backup.field, path.slice(backup.text.length))) refuse()
  s.discardedPath = path
}

function verifyFilter(s: Session, magic: number, parts: readonly Uint8Array[], signature: Uint8Array): void {
  const chainId = new Uint8Array(CHAIN_ID_BYTES)
  new DataView(chainId.buffer).setBigUint64(0, BigInt.asUintN(CHAIN_ID_BYTES * BITS_PER_BYTE, s.chainId))
  const hash = sha256(concatBytes(new Uint8Array([magic]), chainId, s.verifyingContract, s.schemaHash ?? new Uint8Array(0), ...parts))
  const key = hexToBytesStrict(s.settings.calPublicKey, 'CAL public key')
  let valid = false
  try {
    valid = secp256k1.verify(signature, hash, key, { prehash: false, format: 'der', lowS: false })
  } catch {
    valid = false
  }
  if (!valid) refuse()
}

/** SHA-224 of the "types" JSON as the app rebuilds it from the definitions, in their order. */
function schemaHash(structs: readonly StructDef[]): Uint8Array {
  const json = structs
    .map((d) => `"${d.name}":[${d.fields.map((f) => `{"name":"${f.key}","type":"${eip712TypeName(f.type)}"}`).join(',')}]`)
    .join(',')
  return sha224(ascii(`{${json}}`))
}

/** path_exists_in_backup: ".[]" steps into an array, ".key" into a struct field. */
function pathExistsBelow(structs: readonly StructDef[], start: FieldDef, rest: string): boolean {
  let field = start
  let i = 0
  while (i < rest.length) {
    if (rest[i] !== '.') return false
    i++
    if (rest.startsWith('[]', i)) {
      if (field.type.arrayLevels.length === 0) return false
      i += 2
      continue
    }
    const end = rest.indexOf('.', i) === -1 ? rest.length : rest.indexOf('.', i)
    const key = rest.slice(i, end)
    const next = structs.find((d) => d.name === field.type.structName)?.fields.find((f) => f.key === key)
    if (!next || key.length === 0) return false
    field = next
    i = end
  }
  return true
}
