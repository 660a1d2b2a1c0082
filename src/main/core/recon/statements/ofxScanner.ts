/**
 * The OFX tokenizer: tags and the text after them, nothing more. OFX 1.x is SGML whose leaf
 * elements have no closing tag (`<TRNAMT>-12.50` ends where the next `<` starts), and banks send
 * 2.x headers over such bodies too, so an XML parser cannot read these files; a leaf's value is
 * the text up to the next tag (CDATA sections included), entities decoded, ends trimmed.
 *
 * It keeps no tree: one token at a time, positions into the text, and a line counter that only
 * moves forward (so counting lines costs one pass over the file however many entries it holds).
 * Which tag is a leaf and which an aggregate is decided by parseOfx, which knows the structure.
 */
import { statementError } from './statementModel'

/** Longest tag name we accept (the spec's longest are under 32; `INTU.USERID` style extensions too). */
const TAG_NAME_CHARS_MAX = 64
/** Longest entity body we decode ("#x10FFFF"). */
const ENTITY_CHARS_MAX = 8
const CODE_POINT_MAX = 0x10ffff
const NUMERIC_ENTITY_RE = /^#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/
const NAMED_ENTITIES: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
})
const CDATA_OPEN = '<![CDATA['
const CDATA_CLOSE = ']]>'
const LF = 10
/** nextLf / nextCr before the first search. */
const UNSEARCHED = -2
const CR = 13

export type OfxTokenKind = 'open' | 'close' | 'end'

export class OfxScanner {
  /** What the last next() found. */
  kind: OfxTokenKind = 'end'
  /** Tag name, upper-cased (OFX names are upper case; some writers are not). */
  name = ''
  /** Offset of the tag's `<`. */
  pos = 0
  /** For an open tag: the text after it up to the next tag, decoded and trimmed. */
  value = ''
  /** For an open tag: written `<NAME/>`. */
  selfClosing = false

  private cursor: number
  private lineCursorPos = 0
  private lineCursorLine = 1
  /** The first "\n" / "\r" at or after lineCursorPos (-1: none left). */
  private nextLf = UNSEARCHED
  private nextCr = UNSEARCHED

  constructor(
    private readonly text: string,
    start: number,
    private readonly at: (where: string) => string,
  ) {
    this.cursor = start
  }

  /** Moves to the next tag, skipping comments, processing instructions and declarations. */
  next(): void {
    const text = this.text
    for (;;) {
      const lt = text.indexOf('<', this.cursor)
      if (lt < 0) {
        this.kind = 'end'
        this.cursor = text.length
        return
      }
      const second = text.charCodeAt(lt + 1)
      if (second === 0x21 /* ! */ || second === 0x3f /* ? */) {
        this.cursor = this.skipMarkup(lt)
        continue
      }
      const gt = text.indexOf('>', lt + 1)
      if (gt < 0)
        throw statementError(this.at(`line ${this.lineAt(lt)}`), 'a tag is not closed by ">" — the file is cut off; download it again.')
      this.pos = lt
      this.cursor = gt + 1
      if (second === 0x2f /* / */) {
        this.kind = 'close'
        this.name = this.tagName(lt + 2, gt, lt)
        return
      }
      this.selfClosing = text.charCodeAt(gt - 1) === 0x2f
      this.kind = 'open'
      this.name = this.tagName(lt + 1, this.selfClosing ? gt - 1 : gt, lt)
      this.value = this.selfClosing ? '' : this.readText()
      return
    }
  }

  /** True when the next tag is `</name>` (an XML leaf's closing tag, or an empty XML element). */
  nextIsClose(name: string): boolean {
    const lt = this.text.indexOf('<', this.cursor)
    if (lt < 0 || this.text.charCodeAt(lt + 1) !== 0x2f) return false
    const gt = this.text.indexOf('>', lt + 2)
    return (
      gt > 0 &&
      gt - lt - 2 <= TAG_NAME_CHARS_MAX &&
      this.text
        .slice(lt + 2, gt)
        .trim()
        .toUpperCase() === name
    )
  }

  /**
   * The 1-based line of an offset at or after the last one asked. The next line end of each kind
   * is remembered, so every character is searched once in all: a file with no "\n" (one line, or
   * CR line ends) must not be searched to its end again for each entry.
   */
  lineAt(pos: number): number {
    if (pos < this.lineCursorPos) return this.lineFrom(0, 1, pos) // only for an error's message
    const text = this.text
    let line = this.lineCursorLine
    let lf = this.nextLf === UNSEARCHED ? text.indexOf('\n', this.lineCursorPos) : this.nextLf
    let cr = this.nextCr === UNSEARCHED ? text.indexOf('\r', this.lineCursorPos) : this.nextCr
    for (; lf >= 0 && lf < pos; lf = text.indexOf('\n', lf + 1)) line++
    for (; cr >= 0 && cr < pos; cr = text.indexOf('\r', cr + 1)) {
      if (text.charCodeAt(cr + 1) !== LF) line++
    }
    this.nextLf = lf
    this.nextCr = cr
    this.lineCursorPos = pos
    this.lineCursorLine = line
    return line
  }

  /** The line of `pos`, counting from a known line at `fromPos` (LF, CRLF and lone CR each end a line); for errors. */
  lineFrom(fromPos: number, fromLine: number, pos: number): number {
    const text = this.text
    let line = fromLine
    for (let i = fromPos; i < pos; i++) {
      const c = text.charCodeAt(i)
      if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++
    }
    return line
  }

  /** The name between `start` and `end` (spaces around it allowed), checked and upper-cased, sliced once. */
  private tagName(start: number, end: number, lt: number): string {
    const text = this.text
    let from = start
    let to = end
    while (from < to && isSpace(text.charCodeAt(from))) from++
    while (to > from && isSpace(text.charCodeAt(to - 1))) to--
    let lower = false
    let valid = to > from && to - from <= TAG_NAME_CHARS_MAX && isLetter(text.charCodeAt(from))
    for (let i = from; valid && i < to; i++) {
      const c = text.charCodeAt(i)
      lower ||= c >= 0x61 && c <= 0x7a
      valid = isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x5f
    }
    if (!valid) {
      throw statementError(
        this.at(`line ${this.lineAt(lt)}`),
        `"${text.slice(lt, Math.min(end + 1, lt + 40))}" is not an OFX tag — the file is damaged (a "<" inside a value, or a cut line); ask the bank for a new export.`,
      )
    }
    const name = text.slice(from, to)
    return lower ? name.toUpperCase() : name
  }

  /** Skips `<!-- … -->`, `<![CDATA[ … ]]>` outside a value, `<!DOCTYPE …>` and `<? … ?>`; returns the offset after it. */
  private skipMarkup(lt: number): number {
    const text = this.text
    const [close, from] = text.startsWith('<!--', lt)
      ? ['-->', lt + 4]
      : text.startsWith(CDATA_OPEN, lt)
        ? [CDATA_CLOSE, lt + 9]
        : ['>', lt + 2]
    const end = text.indexOf(close, from)
    if (end < 0)
      throw statementError(
        this.at(`line ${this.lineAt(lt)}`),
        `"${text.slice(lt, lt + 12)}…" is never closed — the file is cut off; download it again.`,
      )
    return end + close.length
  }

  /** The text after an open tag up to the next tag; CDATA sections are part of it, verbatim. */
  private readText(): string {
    const text = this.text
    const lt = text.indexOf('<', this.cursor)
    const end = lt < 0 ? text.length : lt
    if (lt < 0 || !text.startsWith(CDATA_OPEN, lt)) {
      // The usual case, sliced once: no concatenation, no separate trim.
      const value = trimmedSlice(text, this.cursor, end)
      this.cursor = end
      return decodeEntities(value)
    }
    let out = decodeEntities(text.slice(this.cursor, end))
    this.cursor = end
    for (;;) {
      const open = text.indexOf('<', this.cursor)
      if (open < 0 || !text.startsWith(CDATA_OPEN, open)) {
        out += decodeEntities(text.slice(this.cursor, open < 0 ? text.length : open))
        this.cursor = open < 0 ? text.length : open
        return out.trim()
      }
      const close = text.indexOf(CDATA_CLOSE, open + CDATA_OPEN.length)
      if (close < 0)
        throw statementError(
          this.at(`line ${this.lineAt(open)}`),
          'a CDATA section is never closed — the file is cut off; download it again.',
        )
      out += decodeEntities(text.slice(this.cursor, open)) + text.slice(open + CDATA_OPEN.length, close)
      this.cursor = close + CDATA_CLOSE.length
    }
  }
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === LF || code === CR || code === 0x0c || code === 0xa0 || code === 0xfeff
}

/** text.slice(start, end).trim() without the intermediate string ('' costs nothing). */
function trimmedSlice(text: string, start: number, end: number): string {
  let from = start
  let to = end
  while (from < to && isSpace(text.charCodeAt(from))) from++
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--
  return from === to ? '' : text.slice(from, to)
}

/** &amp; &lt; &gt; &quot; &apos; &nbsp; and numeric references; anything else (a bare "AT&T") stays as written. */
export function decodeEntities(text: string): string {
  let amp = text.indexOf('&')
  if (amp < 0) return text
  let out = ''
  let copied = 0
  for (; amp >= 0; amp = text.indexOf('&', amp + 1)) {
    const semi = text.indexOf(';', amp + 2)
    if (semi < 0) break
    if (semi - amp - 1 > ENTITY_CHARS_MAX) continue
    const decoded = decodeEntity(text.slice(amp + 1, semi))
    if (decoded === null) continue
    out += text.slice(copied, amp) + decoded
    copied = semi + 1
    amp = semi
  }
  return copied === 0 ? text : out + text.slice(copied)
}

function decodeEntity(body: string): string | null {
  const named = NAMED_ENTITIES[body]
  if (named !== undefined) return named
  const m = NUMERIC_ENTITY_RE.exec(body)
  if (!m) return null
  const code = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number.parseInt(m[2]!, 10)
  return code > 0 && code <= CODE_POINT_MAX ? String.fromCodePoint(code) : null
}
