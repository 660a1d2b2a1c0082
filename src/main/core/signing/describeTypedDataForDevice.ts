/**
 * What a Ledger's Ethereum app will show for EIP-712 typed data signed in full without Ledger-signed
 * filters — Countersign's own approvals — so a window can tell the approver, before they reach for
 * the device, which screens to expect and compare.
 *
 * The lines are those of a Nano with the app's "Raw messages" setting on, and of a Stax or Flex:
 * "Review struct" with the struct's name, then each field under its key name, domain first, in
 * the order of the types; array elements each on their own line under the array's key. Values are
 * encoded as @ledgerhq/hw-app-eth sends them and formatted by the same code as the device emulator
 * (eip712Device.ts): EIP-55 addresses, decimal integers, "0x" + uppercase hex for bytes, strings as
 * text, anything longer than 379 characters cut to end in "...". A Nano with "Raw messages" off
 * shows only the domain fields and "Message hash".
 */
import type { TypedDataDefinition } from 'viem'
import { invariant } from '../util/invariant'
import {
  DOMAIN_STRUCT_NAME,
  EIP712_TYPE,
  formatEip712Value,
  REVIEW_STRUCT_LABEL,
  type DeviceDisplayLine,
  type Eip712FieldType,
} from './eip712Device'
import { hexToBytesStrict } from './evmCrypto'
import { prepareTypedDataForLedger, type TypedDataField } from './prepareTypedDataForLedger'

export type { DeviceDisplayLine } from './eip712Device'

const BITS_PER_BYTE = 8

/** Throws INVALID_INPUT for typed data a Ledger cannot sign as shown (see prepareTypedDataForLedger). */
export function describeTypedDataForDevice(typedData: TypedDataDefinition): DeviceDisplayLine[] {
  const { message, structs } = prepareTypedDataForLedger(typedData)
  const lines: DeviceDisplayLine[] = []
  for (const [root, value] of [
    [DOMAIN_STRUCT_NAME, message.domain],
    [message.primaryType, message.message],
  ] as const) {
    lines.push({ label: REVIEW_STRUCT_LABEL, value: root })
    describeStruct(structs, structs.get(root) ?? [], value, lines)
  }
  return lines
}

function describeStruct(
  structs: ReadonlyMap<string, readonly TypedDataField[]>,
  fields: readonly TypedDataField[],
  value: unknown,
  lines: DeviceDisplayLine[],
): void {
  for (const field of fields)
    describeValue(structs, field, field.type.arrayLevels.length, (value as Record<string, unknown>)[field.key], lines)
}

function describeValue(
  structs: ReadonlyMap<string, readonly TypedDataField[]>,
  field: TypedDataField,
  levels: number,
  value: unknown,
  lines: DeviceDisplayLine[],
): void {
  if (levels > 0) {
    for (const element of value as unknown[]) describeValue(structs, field, levels - 1, element, lines)
    return
  }
  if (field.type.code === EIP712_TYPE.custom) {
    describeStruct(structs, structs.get(field.type.structName ?? '') ?? [], value, lines)
    return
  }
  const text = formatEip712Value(field.type, bytesAsSent(field.type, value))
  // prepareTypedDataForLedger checked every value against its type: the device can show it.
  invariant(text !== null, () => `a checked ${field.key} value has no device text`)
  lines.push({ label: field.key, value: text })
}

/** The value bytes hw-app-eth sends (EIP712_TYPE_ENCODERS) for a value prepareTypedDataForLedger normalised. */
function bytesAsSent(type: Eip712FieldType, value: unknown): Uint8Array {
  switch (type.code) {
    case EIP712_TYPE.int:
    case EIP712_TYPE.uint: {
      const n = BigInt(value as string)
      // A negative int goes as two's complement of the type's width.
      return minimalBytes(n < 0n ? (1n << BigInt((type.size ?? 0) * BITS_PER_BYTE)) + n : n)
    }
    case EIP712_TYPE.bool:
      return new Uint8Array([value === true ? 1 : 0])
    case EIP712_TYPE.string:
      return new TextEncoder().encode(value as string)
    case EIP712_TYPE.address:
    case EIP712_TYPE.bytesFixed:
    case EIP712_TYPE.bytesDynamic:
      return hexToBytesStrict(value as string, 'EIP-712 value')
    case EIP712_TYPE.custom:
      return new Uint8Array(0)
  }
}

/** Big-endian without leading zero bytes; zero is one byte. */
function minimalBytes(n: bigint): Uint8Array {
  const hex = n.toString(16)
  return hexToBytesStrict(hex.length % 2 === 0 ? hex : `0${hex}`, 'EIP-712 integer')
}
