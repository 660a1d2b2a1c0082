/**
 * A statement file's bytes as text, the same way in the CLI and the renderer, so the same file
 * has the same text — and the same SHA-256 in the core — whichever way it was imported: UTF-8
 * when the bytes are valid UTF-8 (a BOM is dropped), else Windows-1252 (what older bank exports
 * are). Windows-1252 is decoded here with its own table: Node 20's TextDecoder('windows-1252')
 * reads 0x80–0x9F as Latin-1 control characters ("€" would become U+0080), Chromium's does not.
 * Then the text is cut into chunks that each fit one request (recon.upload).
 */
import { EMBEDDED_FILE_BYTES_MAX, STATEMENT_CHUNK_CHARS_MAX } from './limits'

export type StatementEncoding = 'utf-8' | 'windows-1252'

/** Windows-1252 bytes 0x80–0x9F (the rest is Latin-1); the five undefined ones map to themselves, as WHATWG says. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019,
  0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
]

/** Characters decoded per String.fromCharCode call (its argument count is bounded). */
const DECODE_SLICE = 8_192

export function decodeWindows1252(bytes: Uint8Array): string {
  const parts: string[] = []
  const codes = new Array<number>(Math.min(bytes.length, DECODE_SLICE))
  for (let start = 0; start < bytes.length; start += DECODE_SLICE) {
    const end = Math.min(bytes.length, start + DECODE_SLICE)
    codes.length = end - start
    for (let i = start; i < end; i++) {
      const b = bytes[i]!
      codes[i - start] = b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b
    }
    parts.push(String.fromCharCode(...codes))
  }
  return parts.join('')
}

/**
 * The file's text: UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), else Windows-1252.
 * A strict decode rather than looking for U+FFFD after File.text(): a UTF-8 file that holds a
 * replacement character of its own (a bank export mangled upstream) stays UTF-8, as in the CLI.
 */
export function decodeStatementBytes(bytes: ArrayBuffer | Uint8Array): { text: string; encoding: StatementEncoding } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), encoding: 'utf-8' }
  } catch {
    return { text: decodeWindows1252(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)), encoding: 'windows-1252' }
  }
}

/** Tries at most this many shorter cuts of one chunk before giving up (each is at least a tenth shorter). */
const CHUNK_SHRINK_TRIES_MAX = 32
/** A cut is made this much shorter than the measured overshoot asks, so it fits the first time. */
const CHUNK_SHRINK_MARGIN_NUMERATOR = 9
const CHUNK_SHRINK_MARGIN_DENOMINATOR = 10

/** Bytes of `chunk` as the transport measures an input: its UTF-8 JSON (escapes included). */
function wireBytes(chunk: string): number {
  return new TextEncoder().encode(JSON.stringify(chunk)).length
}

/**
 * Cuts `text` into chunks of at most `charsMax` characters whose JSON stays within `bytesMax`
 * bytes: 4 Mi characters of umlauts or quotes grow on the wire (UTF-8, JSON escapes), and a chunk
 * over the request limit would be refused. A cut never splits a surrogate pair.
 */
export function statementChunks(text: string, charsMax = STATEMENT_CHUNK_CHARS_MAX, bytesMax = EMBEDDED_FILE_BYTES_MAX): string[] {
  const chunks: string[] = []
  let start = 0
  while (start < text.length) {
    let end = Math.min(text.length, start + charsMax)
    for (let tries = 0; ; tries++) {
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1
      const bytes = wireBytes(text.slice(start, end))
      if (bytes <= bytesMax) break
      if (tries >= CHUNK_SHRINK_TRIES_MAX) throw new Error(`invariant: a statement chunk does not fit ${bytesMax} bytes`)
      const chars = end - start
      const shorter = Math.floor((chars * bytesMax * CHUNK_SHRINK_MARGIN_NUMERATOR) / (bytes * CHUNK_SHRINK_MARGIN_DENOMINATOR))
      end = start + Math.max(1, Math.min(shorter, chars - Math.ceil(chars / 10)))
    }
    if (end <= start) throw new Error('invariant: a statement chunk made no progress')
    chunks.push(text.slice(start, end))
    start = end
  }
  return chunks
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}
