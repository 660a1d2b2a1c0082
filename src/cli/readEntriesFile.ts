/**
 * Read journal entries for `ledger post FILE` (or `-` for stdin): one entry object, an array of
 * entries, or `{ "entries": [...] }`. Only the file's form is checked here (readable, JSON, the
 * right shape, amounts written as strings); the entries themselves are validated by the core,
 * exactly as for every other caller.
 */
import fs from 'node:fs'
import { PAYLOAD_BYTES_MAX } from '../shared/limits'
import { CsError } from '../shared/errors'
import { fileTooLargeMessage, formatFileSize } from '../shared/fileSize'

export interface EntriesFile {
  /** How the file is named in messages ("entries.json", "stdin"). */
  label: string
  entries: unknown[]
}

/** A file larger than one request may carry is refused before it is parsed. */
export const ENTRIES_FILE_BYTES_MAX = PAYLOAD_BYTES_MAX

export async function readEntriesFile(file: string, stdin: NodeJS.ReadableStream): Promise<EntriesFile> {
  const label = file === '-' ? 'stdin' : file
  const text = file === '-' ? await readStream(stdin, label) : readFile(file)
  return { label, entries: parseEntries(text, label) }
}

function readFile(file: string): string {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch (cause) {
    const code = (cause as { code?: unknown }).code
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : String((cause as Error).message)
    throw new CsError('FILE_INVALID', `Cannot read ${file}: ${why} — check the path.`, { cause })
  }
  if (!stat.isFile()) throw new CsError('FILE_INVALID', `${file} is not a file — give the path of a JSON file of journal entries.`)
  if (stat.size > ENTRIES_FILE_BYTES_MAX) throw tooLarge(file, stat.size)
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (cause) {
    throw new CsError('FILE_INVALID', `Cannot read ${file}: ${(cause as Error).message} — check the path and permissions.`, { cause })
  }
}

async function readStream(stream: NodeJS.ReadableStream, label: string): Promise<string> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer)
    bytes += buf.length
    if (bytes > ENTRIES_FILE_BYTES_MAX) throw tooLarge(label, null)
    chunks.push(buf)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** `bytes`: the file's size; null for standard input, whose size is known only as far as it was read. */
function tooLarge(label: string, bytes: number | null): CsError {
  const fix = 'Split it into several files and post each.'
  const kind = 'a file of journal entries'
  if (bytes === null)
    return new CsError('FILE_INVALID', `${label} is larger than ${formatFileSize(ENTRIES_FILE_BYTES_MAX)}, the most ${kind} can be. ${fix}`)
  return new CsError('FILE_INVALID', fileTooLargeMessage({ name: label, bytes, limitBytes: ENTRIES_FILE_BYTES_MAX, kind, fix }))
}

/** Parse and shape-check; exported for tests. */
export function parseEntries(rawText: string, label: string): unknown[] {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText
  if (text.trim() === '')
    throw new CsError('FILE_INVALID', `${label} is empty — it should hold a journal entry, an array of entries, or {"entries": [...]}.`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new CsError('FILE_INVALID', `${label} is not valid JSON — ${describeJsonError(cause, text)}.`, { cause })
  }
  let entries: unknown[]
  if (Array.isArray(value)) {
    entries = value
  } else if (isObject(value) && 'entries' in value) {
    if (!Array.isArray(value.entries)) throw new CsError('FILE_INVALID', `${label}: "entries" must be an array of journal entries.`)
    const extra = Object.keys(value).filter((k) => k !== 'entries')
    if (extra.length > 0)
      throw new CsError(
        'FILE_INVALID',
        `${label}: unexpected key "${extra[0]}" next to "entries" — the file holds only {"entries": [...]}.`,
      )
    entries = value.entries
  } else if (isObject(value)) {
    entries = [value]
  } else {
    throw new CsError(
      'FILE_INVALID',
      `${label} holds ${describeJsonType(value)} — it should hold a journal entry object, an array of entries, or {"entries": [...]}.`,
    )
  }
  if (entries.length === 0) throw new CsError('FILE_INVALID', `${label} holds no entries — add at least one journal entry.`)
  entries.forEach((entry, i) => checkAmountsAreStrings(entry, i, label))
  return entries
}

/**
 * A JSON number is parsed as a float: 0.1 or 10^30 would already be wrong before the core could
 * see it. Refuse it here with a sentence that says how to write it.
 */
function checkAmountsAreStrings(entry: unknown, index: number, label: string): void {
  if (!isObject(entry)) {
    throw new CsError('FILE_INVALID', `${label}: entry ${index + 1} is ${describeJsonType(entry)}, not a journal entry object.`)
  }
  const postings = entry.postings
  if (!Array.isArray(postings)) return // the core explains what a posting list must look like
  postings.forEach((posting, p) => {
    if (!isObject(posting)) return
    for (const side of ['debit', 'credit'] as const) {
      if (typeof posting[side] === 'number') {
        const id = typeof entry.id === 'string' ? ` ("${entry.id.slice(0, 40)}")` : ''
        throw new CsError(
          'FILE_INVALID',
          `${label}: entry ${index + 1}${id}, posting ${p + 1}: the ${side} is a JSON number — write it as a string, e.g. "${side}": "12.50", so it stays exact.`,
        )
      }
    }
  })
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/**
 * "Expected ',' or '}' after property value in JSON at position 42" -> "... (line 3, column 7)".
 * Some of V8's messages carry no position ("Unexpected token '}', ..."); then our own scan finds
 * where the text stops being JSON.
 */
export function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error)
  const at = /\s+in JSON at position (\d+)/.exec(message)
  if (at) {
    const problem = message.replace(/\s+in JSON at position \d+.*$/s, '')
    return `${lowerFirst(problem)} ${lineColumn(text, Number(at[1]))}`
  }
  const offset = findJsonErrorOffset(text)
  if (offset !== null) {
    const what = offset >= text.length ? 'the file ends too early' : `unexpected ${JSON.stringify(text[offset])}`
    return `${what} ${lineColumn(text, offset)}`
  }
  return lowerFirst(message.replace(/, (\.\.\.)?".*" is not valid JSON$/s, ''))
}

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0]!.toLowerCase() + text.slice(1) : 'it could not be parsed'
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset)
  return `(line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')})`
}

const JSON_NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const JSON_ESCAPE_RE = /^(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/

/**
 * Offset of the first character where `text` stops being JSON (text.length if it ends too
 * early), or null if it is valid. Iterative, so deep nesting cannot overflow the stack.
 */
export function findJsonErrorOffset(text: string): number | null {
  const n = text.length
  let i = 0
  const stack: ('{' | '[')[] = []
  let mode: 'value' | 'key' | 'after' = 'value'
  const skipWs = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++
  }
  /** Scan a string at i (on its opening quote); false at the offending character. */
  const scanString = (): boolean => {
    i++
    while (i < n) {
      const c = text.charCodeAt(i)
      if (c === 0x22) {
        i++
        return true
      }
      if (c < 0x20) return false
      if (c === 0x5c) {
        const m = JSON_ESCAPE_RE.exec(text.slice(i + 1, i + 6))
        if (!m) {
          i++ // the bad escape character itself, as V8 reports it
          return false
        }
        i += 1 + m[0].length
      } else {
        i++
      }
    }
    return false
  }
  for (;;) {
    skipWs()
    if (mode === 'value') {
      if (i >= n) return n
      const c = text[i]!
      if (c === '{' || c === '[') {
        stack.push(c)
        i++
        skipWs()
        if (text[i] === (c === '{' ? '}' : ']')) {
          stack.pop()
          i++
          mode = 'after'
        } else {
          mode = c === '{' ? 'key' : 'value'
        }
      } else if (c === '"') {
        if (!scanString()) return Math.min(i, n)
        mode = 'after'
      } else {
        const literal = ['true', 'false', 'null'].find((l) => text.startsWith(l, i))
        if (literal) {
          i += literal.length
        } else {
          JSON_NUMBER_RE.lastIndex = i
          const m = JSON_NUMBER_RE.exec(text)
          if (!m) return i
          i += m[0].length
        }
        mode = 'after'
      }
    } else if (mode === 'key') {
      if (i >= n) return n
      if (text[i] !== '"' || !scanString()) return Math.min(i, n)
      skipWs()
      if (i >= n) return n
      if (text[i] !== ':') return i
      i++
      mode = 'value'
    } else {
      const top = stack.at(-1)
      if (top === undefined) return i < n ? i : null
      if (i >= n) return n
      if (text[i] === ',') {
        i++
        mode = top === '{' ? 'key' : 'value'
      } else if (text[i] === (top === '{' ? '}' : ']')) {
        stack.pop()
        i++
      } else {
        return i
      }
    }
  }
}
