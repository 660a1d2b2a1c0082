/**
 * A strict RLP decoder, just enough to inspect unsigned EVM transactions before they are signed
 * (and, in the sandbox emulator, to know when a streamed transaction is complete).
 * Strict means canonical: no leading zeros in lengths, no long form for short payloads, and the
 * whole input consumed. A transaction that does not decode this way is not sent to a device.
 */

export type RlpItem = Uint8Array | RlpItem[]

/** Nesting deeper than this is not an EVM transaction (access lists nest three levels). */
export const rlpDepthMax = 16

export class RlpError extends Error {
  override readonly name = 'RlpError'
}

interface Header {
  isList: boolean
  headerBytes: number
  payloadBytes: number
}

/**
 * Reads the header at `offset`. Returns null when `bytes` ends inside the header (more bytes are
 * needed to know the length); throws on a non-canonical header.
 */
function readHeader(bytes: Uint8Array, offset: number): Header | null {
  const first = bytes[offset]
  if (first === undefined) return null
  if (first < 0x80) return { isList: false, headerBytes: 0, payloadBytes: 1 }
  if (first < 0xb8) return { isList: false, headerBytes: 1, payloadBytes: first - 0x80 }
  if (first < 0xc0) return readLongHeader(bytes, offset, first - 0xb7, false)
  if (first < 0xf8) return { isList: true, headerBytes: 1, payloadBytes: first - 0xc0 }
  return readLongHeader(bytes, offset, first - 0xf7, true)
}

function readLongHeader(bytes: Uint8Array, offset: number, lengthBytes: number, isList: boolean): Header | null {
  // Payloads above 2^32 bytes cannot occur here (inputs are capped far lower); refusing them keeps
  // the arithmetic in safe integers.
  if (lengthBytes > 4) throw new RlpError('RLP length is too large')
  if (offset + 1 + lengthBytes > bytes.length) return null
  if (bytes[offset + 1] === 0) throw new RlpError('RLP length has a leading zero')
  let payloadBytes = 0
  for (let i = 0; i < lengthBytes; i++) payloadBytes = payloadBytes * 256 + (bytes[offset + 1 + i] ?? 0)
  if (payloadBytes < 56) throw new RlpError('RLP long form used for a short payload')
  return { isList, headerBytes: 1 + lengthBytes, payloadBytes }
}

/** Total bytes of the item starting at `offset`, or null if the header is not complete yet. */
export function rlpItemLength(bytes: Uint8Array, offset = 0): number | null {
  const header = readHeader(bytes, offset)
  return header === null ? null : header.headerBytes + header.payloadBytes
}

export function decodeRlp(bytes: Uint8Array): RlpItem {
  const [item, end] = decodeAt(bytes, 0, 0)
  if (end !== bytes.length) throw new RlpError(`RLP has ${bytes.length - end} trailing bytes`)
  return item
}

function decodeAt(bytes: Uint8Array, offset: number, depth: number): [RlpItem, number] {
  if (depth > rlpDepthMax) throw new RlpError('RLP nests too deeply')
  const header = readHeader(bytes, offset)
  if (header === null) throw new RlpError('RLP ends inside a header')
  const start = offset + header.headerBytes
  const end = start + header.payloadBytes
  if (end > bytes.length) throw new RlpError('RLP ends inside an item')
  if (!header.isList) {
    const value = bytes.subarray(start, end)
    if (header.headerBytes === 1 && header.payloadBytes === 1 && (value[0] ?? 0) < 0x80) {
      throw new RlpError('RLP single byte below 0x80 must not have a header')
    }
    return [value, end]
  }
  const items: RlpItem[] = []
  let cursor = start
  while (cursor < end) {
    const [item, next] = decodeAt(bytes, cursor, depth + 1)
    if (next > end) throw new RlpError('RLP list item overruns its list')
    items.push(item)
    cursor = next
  }
  return [items, end]
}

export function isRlpBytes(item: RlpItem | undefined): item is Uint8Array {
  return item instanceof Uint8Array
}

/** Unsigned big-endian integer; RLP integers have no leading zeros. */
export function rlpToBigint(item: RlpItem | undefined): bigint {
  if (!isRlpBytes(item)) throw new RlpError('expected an RLP integer, got a list')
  if (item.length > 0 && item[0] === 0) throw new RlpError('RLP integer has a leading zero')
  let value = 0n
  for (const byte of item) value = (value << 8n) | BigInt(byte)
  return value
}
