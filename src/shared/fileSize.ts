/**
 * Sizes of files in a person's terms, and the one sentence every surface uses to refuse a file
 * that is too large (issue 17, finding 12: a 3.8 MB CSV was refused as "The request is 5.7 MiB" —
 * the size of the JSON message it travelled in, in a unit the person never sees).
 *
 * The sentence names the file the person picked, its size and the limit for that kind of file,
 * both written by formatFileSize so they are in the same unit. Units are the ones a file manager
 * shows on Windows (KB and MB of 1,024 and 1,048,576 bytes): our limits are whole numbers there
 * (4 MB, 256 KB). When the two sizes would read the same after rounding (a file one byte over),
 * both are given in exact bytes instead, so the sentence never says "4 MB is more than 4 MB".
 *
 * No DOM, no node: the renderer, the CLI and the core all import it.
 */

const KB = 1024
const MB = 1024 * KB

function decimals(value: number): string {
  // 3.8 MB, 18.5 KB, 256 KB: one decimal below 100, whole numbers above; "4.0" is written "4".
  if (value >= 100) return String(Math.round(value))
  return value.toFixed(1).replace(/\.0$/, '')
}

/** "512 bytes", "1 byte", "18.5 KB", "256 KB", "3.8 MB", "200 MB". */
export function formatFileSize(bytes: number): string {
  if (bytes < KB) return `${bytes.toLocaleString('en-US')} ${bytes === 1 ? 'byte' : 'bytes'}`
  if (bytes < MB) return `${decimals(bytes / KB)} KB`
  return `${decimals(bytes / MB)} MB`
}

/** A size and a limit, in the same unit, never reading as equal when they are not. */
export function formatSizeAgainstLimit(bytes: number, limitBytes: number): { size: string; limit: string } {
  const size = formatFileSize(bytes)
  const limit = formatFileSize(limitBytes)
  if (size !== limit || bytes === limitBytes) return { size, limit }
  return { size: `${bytes.toLocaleString('en-US')} bytes`, limit: `${limitBytes.toLocaleString('en-US')} bytes` }
}

export interface FileTooLarge {
  /** The file's name as the person picked it. */
  name: string
  /** Its size in bytes. */
  bytes: number
  /** The most a file of this kind may be, in bytes. */
  limitBytes: number
  /** What a file of this kind is called, with its article: "a payout CSV", "a receipt (PDF or JSON)". */
  kind: string
  /** What to do instead: "Split it into smaller files and import each." */
  fix: string
}

/** "payouts-march.csv is 5.2 MB — a payout CSV can be at most 4 MB. Split it into smaller files and import each." */
export function fileTooLargeMessage(f: FileTooLarge): string {
  const { size, limit } = formatSizeAgainstLimit(f.bytes, f.limitBytes)
  return `${f.name} is ${size} — ${f.kind} can be at most ${limit}. ${f.fix}`
}

/**
 * A file within its own limit that still does not fit one request once JSON escapes its quotes and
 * line ends (a CSV of nothing but quoted cells nearly doubles): said in the file's terms too.
 */
export function fileTooLargeToSendMessage(f: FileTooLarge): string {
  const { size, limit } = formatSizeAgainstLimit(f.bytes, f.limitBytes)
  return `${f.name} is ${size}, within the ${limit} ${f.kind} can be, but its quotes and line breaks make it too large to send in one import. ${f.fix}`
}
