/**
 * Reads the receipt JSON attached to a receipt PDF, exactly as embedded — for `receipts verify`,
 * which hashes and checks it. Only as much PDF as our own files need: the classic cross-reference
 * table pdfkit writes, Filespec dictionaries named "receipt-….json", and their EmbeddedFile streams
 * (stored, or FlateDecode through node:zlib).
 *
 * It reads what a PDF viewer would show, never guesses: objects are found through the last
 * `startxref` (the one a viewer uses), and anything we cannot read with certainty — an incremental
 * update (/Prev), a cross-reference stream, a stream whose /Length does not end at `endstream`, a
 * filter other than Flate, text that is not UTF-8 — gives null. So a changed byte of the JSON comes
 * back as different text (and fails the hash) or as null; it is never mended.
 *
 * Callers cap the input size (RECEIPT_VERIFY_BYTES_MAX).
 */
import zlib from 'node:zlib'

export interface EmbeddedReceiptJson {
  /** The attachment's file name, e.g. "receipt-CS-2026-000042.json". */
  name: string
  json: string
}

/** Objects one PDF may list in its cross-reference table before we stop reading it. */
const PDF_OBJECTS_MAX = 200_000
/** How far from the end of the file `startxref` may sit. */
const TAIL_BYTES_MAX = 1_024
const RECEIPT_ATTACHMENT_RE = /^receipt-[A-Za-z0-9._-]+\.json$/

/** The one receipt JSON attached to `pdf`; null when there is none, more than one, or it cannot be read with certainty. */
export function readEmbeddedReceiptJson(pdf: Uint8Array): string | null {
  const all = readEmbeddedReceiptJsons(pdf)
  return all !== null && all.length === 1 ? all[0]!.json : null
}

/** Every receipt JSON attached (a remittance advice has one per payment), in object order; null when the PDF cannot be read with certainty. */
export function readEmbeddedReceiptJsons(pdf: Uint8Array): EmbeddedReceiptJson[] | null {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength)
  const text = bytes.toString('latin1')
  const offsets = readXref(text)
  if (offsets === null) return null
  const found: EmbeddedReceiptJson[] = []
  for (const [id, offset] of offsets) {
    const dict = objectDictionary(text, id, offset)
    if (dict === null) return null
    if (!/\/Type\s*\/Filespec\b/.test(dict)) continue
    const name = literalString(dict, 'UF') ?? literalString(dict, 'F')
    if (name === null || !RECEIPT_ATTACHMENT_RE.test(name)) continue
    const ref = /\/EF\s*<<[^>]*?\/F\s+(\d+)\s+0\s+R/.exec(dict)
    const fileOffset = ref ? offsets.get(Number(ref[1])) : undefined
    if (fileOffset === undefined) return null
    const json = embeddedFileText(bytes, text, Number(ref![1]), fileOffset, offsets)
    if (json === null) return null
    found.push({ name, json })
  }
  return found
}

/** Object number → byte offset, from the last cross-reference table; null for anything else. */
function readXref(text: string): Map<number, number> | null {
  const at = text.lastIndexOf('startxref')
  if (at < 0 || text.length - at > TAIL_BYTES_MAX) return null
  const start = /^startxref\s+(\d+)\s+%%EOF\s*$/.exec(text.slice(at))
  if (!start) return null
  let cursor = Number(start[1])
  if (!text.startsWith('xref', cursor)) return null
  cursor += 'xref'.length
  const offsets = new Map<number, number>()
  const sectionRe = /\s*(\d+) (\d+)\r?\n/y
  const entryRe = /(\d{10}) (\d{5}) ([nf])[ \r\n]{2}/y
  for (;;) {
    sectionRe.lastIndex = cursor
    const section = sectionRe.exec(text)
    if (!section) break
    cursor = sectionRe.lastIndex
    const first = Number(section[1])
    const count = Number(section[2])
    if (offsets.size + count > PDF_OBJECTS_MAX) return null
    for (let i = 0; i < count; i++) {
      entryRe.lastIndex = cursor
      const entry = entryRe.exec(text)
      if (!entry) return null
      cursor = entryRe.lastIndex
      if (entry[3] === 'n') offsets.set(first + i, Number(entry[1]))
    }
  }
  const trailer = /^\s*trailer\s*<<([\s\S]*?)>>\s*startxref/.exec(text.slice(cursor))
  if (!trailer || /\/Prev\b/.test(trailer[1]!)) return null
  return offsets
}

/** The dictionary text of object `id` at `offset` (up to `stream` or `endobj`); null when it is not there. */
function objectDictionary(text: string, id: number, offset: number): string | null {
  const header = `${id} 0 obj`
  if (!text.startsWith(header, offset)) return null
  const end = text.indexOf('endobj', offset)
  if (end < 0) return null
  const body = text.slice(offset + header.length, end)
  const stream = body.search(/\bstream\r?\n/)
  return stream < 0 ? body : body.slice(0, stream)
}

/** A literal string value `/Key (…)` of a dictionary, unescaped; null when absent or not plain text. */
function literalString(dict: string, key: string): string | null {
  const start = new RegExp(`/${key}\\s*\\(`).exec(dict)
  if (!start) return null
  let out = ''
  let depth = 1
  for (let i = start.index + start[0].length; i < dict.length; i++) {
    const c = dict[i]!
    if (c === '\\') {
      const next = dict[++i]
      if (next === undefined) return null
      out += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next
      continue
    }
    if (c === '(') depth++
    if (c === ')' && --depth === 0) return out
    out += c
  }
  return null
}

function embeddedFileText(bytes: Buffer, text: string, id: number, offset: number, offsets: Map<number, number>): string | null {
  const header = `${id} 0 obj`
  if (!text.startsWith(header, offset)) return null
  const streamAt = /\bstream(\r\n|\n)/g
  streamAt.lastIndex = offset
  const found = streamAt.exec(text)
  if (!found) return null
  const dict = text.slice(offset + header.length, found.index)
  if (!/\/Type\s*\/EmbeddedFile\b/.test(dict) || dict.includes('endobj')) return null
  const length = streamLength(text, dict, offsets)
  const dataStart = found.index + found[0].length
  if (length === null || dataStart + length > bytes.length) return null
  if (!/^(\r\n|\n|\r)?endstream/.test(text.slice(dataStart + length, dataStart + length + 12))) return null
  let data = bytes.subarray(dataStart, dataStart + length)
  const filter = /\/Filter\s*(\[\s*)?\/(\w+)\s*(\])?/.exec(dict)
  if (filter) {
    if (filter[2] !== 'FlateDecode' || /\/Filter\s*\[\s*\/\w+\s+\//.test(dict)) return null
    try {
      data = zlib.inflateSync(data)
    } catch {
      return null
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data)
  } catch {
    return null
  }
}

/** /Length of a stream: a direct integer, or an indirect one (`n 0 R`) resolved through the table. */
function streamLength(text: string, dict: string, offsets: Map<number, number>): number | null {
  const indirect = /\/Length\s+(\d+)\s+0\s+R/.exec(dict)
  if (indirect) {
    const id = Number(indirect[1])
    const at = offsets.get(id)
    if (at === undefined) return null
    const value = new RegExp(`^${id} 0 obj\\s*(\\d+)\\s*endobj`).exec(text.slice(at, at + 64))
    return value ? Number(value[1]) : null
  }
  const direct = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict)
  return direct ? Number(direct[1]) : null
}
