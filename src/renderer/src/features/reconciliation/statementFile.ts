/**
 * A statement file as the renderer sends it: read as text the way the CLI reads it (UTF-8 when it
 * is valid UTF-8, else Windows-1252, what older bank exports are), so the same file has the same
 * text — and the same SHA-256 in the core — whichever way it was imported, and a duplicate is
 * refused across both. Then cut into chunks that each fit one request (recon.upload).
 */
import { STATEMENT_CHARS_MAX } from '../../../../shared/limits'
import { decodeStatementBytes, statementChunks, type StatementEncoding } from '../../../../shared/statementText'
import { fileTooLargeMessage } from '../../../../shared/fileSize'

export { decodeStatementBytes, statementChunks }

export interface StatementFile {
  name: string
  text: string
  encoding: StatementEncoding
  /** The text cut for the wire: one chunk is sent as `content`, more go through recon.upload. */
  chunks: string[]
}

/** UTF-8 takes at most 3 bytes per UTF-16 character: a larger file cannot fit, and is refused unread. */
const UTF8_BYTES_PER_CHAR_MAX = 3

/**
 * The limit counts characters; a person sees bytes. A plain-text statement (camt XML, MT940, BAI2,
 * OFX, CSV) has one byte per character, so the limit reads as STATEMENT_CHARS_MAX bytes.
 */
function tooLargeSentence(file: { name: string; size: number }): string {
  return fileTooLargeMessage({
    name: file.name,
    bytes: file.size,
    limitBytes: STATEMENT_CHARS_MAX,
    kind: 'a statement file',
    fix: 'Ask the bank for shorter periods and import each.',
  })
}

/** Refused before reading: no decoding of these bytes could fit the limit. */
export function statementFileTooLarge(file: { name: string; size: number }): string | null {
  return file.size > STATEMENT_CHARS_MAX * UTF8_BYTES_PER_CHAR_MAX ? tooLargeSentence(file) : null
}

/** Reads a picked or dropped file; throws a sentence a person can act on. */
export async function readStatementFile(file: File): Promise<StatementFile> {
  const tooLarge = statementFileTooLarge(file)
  if (tooLarge) throw new Error(tooLarge)
  let bytes: ArrayBuffer
  try {
    bytes = await file.arrayBuffer()
  } catch {
    throw new Error(`${file.name} could not be read — check the file and pick it again.`)
  }
  const { text, encoding } = decodeStatementBytes(bytes)
  // The exact limit, in characters as the core counts them (the check above could only bound it).
  // (The file then has at least as many bytes as characters, so its size is over the limit too.)
  if (text.length > STATEMENT_CHARS_MAX) throw new Error(tooLargeSentence(file))
  if (text.trim() === '') throw new Error(`${file.name} is empty — pick the statement file your bank gave you.`)
  return { name: file.name, text, encoding, chunks: statementChunks(text) }
}

/** What the statement file picker offers first (any file may still be chosen: the core recognises the format). */
export const STATEMENT_FILE_ACCEPT =
  '.xml,.sta,.mt940,.940,.942,.txt,.bai,.bai2,.ofx,.qfx,.csv,text/xml,application/xml,text/plain,text/csv'
