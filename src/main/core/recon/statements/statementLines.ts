/**
 * Line-by-line reading of a decoded statement file, without splitting the whole text into an
 * array: the parsers keep only one entry's worth of lines at a time. A leading BOM is skipped and
 * LF, CRLF and lone CR line ends are all accepted (old Mac exports still end lines with CR).
 */

/** Reads `text` one line at a time; `lineNo` is the 1-based number of the line `next()` last returned. */
export class StatementLines {
  private readonly text: string
  private pos: number
  /** Index of the next "\n" / "\r" at or after `pos`; -1 = none left; -2 = not searched yet. */
  private nextLf = -2
  private nextCr = -2
  lineNo = 0

  constructor(text: string) {
    this.text = text
    this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0
  }

  /** The next line without its line end, or null after the last one (a final line end adds no empty line). */
  next(): string | null {
    const text = this.text
    const start = this.pos
    if (start >= text.length) return null
    // Each search runs forward only; a cached -1 stays valid to the end, so reading is linear.
    if (this.nextLf !== -1 && this.nextLf < start) this.nextLf = text.indexOf('\n', start)
    if (this.nextCr !== -1 && this.nextCr < start) this.nextCr = text.indexOf('\r', start)
    const lf = this.nextLf
    const cr = this.nextCr
    let end: number
    if (lf === -1 && cr === -1) end = text.length
    else if (lf === -1) end = cr
    else if (cr === -1) end = lf
    else end = Math.min(lf, cr)
    this.lineNo += 1
    if (end === text.length) this.pos = end
    else if (end === cr && lf === cr + 1) this.pos = end + 2
    else this.pos = end + 1
    return text.slice(start, end)
  }
}

/** Years 00–79 of a two-digit year are 2000–2079, 80–99 are 1980–1999 (SWIFT and BAI2 both write YYMMDD). */
export const TWO_DIGIT_YEAR_PIVOT = 80

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** "YYYY-MM-DD" when year/month/day is a real calendar date, else null. */
export function isoDate(year: number, month: number, day: number): string | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** A YYMMDD date → "YYYY-MM-DD", or null when it is not six digits of a real date. */
export function yymmddToIso(text: string): string | null {
  if (!/^\d{6}$/.test(text)) return null
  const yy = Number(text.slice(0, 2))
  const year = yy < TWO_DIGIT_YEAR_PIVOT ? 2000 + yy : 1900 + yy
  return isoDate(year, Number(text.slice(2, 4)), Number(text.slice(4, 6)))
}

/** A tab, line end, non-breaking space… or two spaces in a row: what `cleanText` has to rewrite. */
const UNCLEAN_SPACE = /[^\S ]| {2}/

/** Runs of whitespace (tabs, several spaces, line ends) become one space; empty text becomes null. */
export function cleanText(text: string): string | null {
  // Most values hold single spaces only: test first, so they are kept as they are rather than copied.
  const cleaned = (UNCLEAN_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text).trim()
  return cleaned === '' ? null : cleaned
}

/**
 * `yymmddToIso` remembering its last answer: the lines of one statement share a handful of dates,
 * and each answer is kept by every entry, so reusing it saves a string per entry.
 */
export function cachedYymmddToIso(): (text: string) => string | null {
  let lastText = ''
  let lastIso: string | null = null
  return (text) => {
    if (text !== lastText) {
      lastText = text
      lastIso = yymmddToIso(text)
    }
    return lastIso
  }
}
