/**
 * Formatting for people. Amounts arrive from the contract as exact decimal strings and are only
 * ever re-grouped as text — never turned into a number, never rounded.
 */

const DECIMAL_RE = /^(-?)(\d+)(\.\d+)?$/

/** "1234567.500000" -> "1,234,567.500000". Anything that is not a decimal is returned unchanged. */
export function groupDecimal(text: string): string {
  const m = DECIMAL_RE.exec(text)
  if (!m) return text
  const whole = m[2]!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${m[1]}${whole}${m[3] ?? ''}`
}

/** A yes/no cell. */
export function yesNo(value: boolean): string {
  return value ? 'yes' : 'no'
}

/** Long hashes shortened for tables; `--json` always has them whole. */
export function shortHash(hash: string, charsMax = 12): string {
  return hash.length > charsMax ? hash.slice(0, charsMax) + '…' : hash
}

/** "2026-01-01T00:00:00.000Z" -> "2026-01-01 00:00:00Z" (UTC, as stored). */
export function shortTimestamp(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso)
  return m ? `${m[1]} ${m[2]}Z` : iso
}

/**
 * Free text inside a line of output (an approval comment, which may span lines): line breaks and
 * tabs become spaces, so a stored comment can never print a line of its own ("approved by …").
 */
export function oneLine(text: string): string {
  // Only what a multi-line comment may hold (LF, tab); anything else is escaped on output, visibly.
  return text.replace(/[\n\t]+/g, ' ')
}

/** A value for one table cell: single line, bounded. */
export function cell(text: string | null | undefined, charsMax = 60): string {
  if (text === null || text === undefined || text === '') return '-'
  const flat = text.replace(/\s+/g, ' ')
  const chars = [...flat]
  return chars.length > charsMax ? chars.slice(0, charsMax - 1).join('') + '…' : flat
}
