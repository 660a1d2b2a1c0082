/**
 * Text on a receipt: made safe to show, split into runs per face (fallback chain), wrapped to a
 * width, and put in visual order with the Unicode bidi algorithm (bidi-js) — pdfkit draws each
 * run where we say, never wrapping or reordering on its own.
 *
 * Why we do it ourselves: pdfkit knows one font at a time and no bidi. A payee's name may mix
 * scripts ("Ali محمد"), and a name must never overflow its box or be cut: long tokens (addresses,
 * hashes) break anywhere, CJK breaks between characters, the rest at spaces.
 *
 * Safety: every field is its own bidi paragraph, so nothing in one field can reorder another. Bidi
 * controls (embeddings, overrides, isolates, marks) and every other character the app refuses in
 * typed text (src/shared/safeText.ts) are shown as their code point, "[U+202E]", never obeyed and
 * never silently dropped. A character no face has is shown the same way, never as an empty box.
 *
 * Arabic shaping: fontkit shapes a run in logical order and reverses it itself when the run is in
 * a right-to-left script; a right-to-left run it would not reverse (punctuation, digits in an
 * Arabic context) we reverse before handing it over. Mirrored characters (brackets) in
 * right-to-left runs are swapped for their mirror (Noto Sans Arabic has no `rtlm` feature).
 */
import bidiFactory from 'bidi-js'
import { codePointLabel, UNSAFE_CANDIDATE_RE, unsafeCharWhat } from '../../../../shared/safeText'
import { faceFor, hasGlyph, shapesRightToLeft, textWidth, type Face } from './fonts'

const bidi = bidiFactory()

export type BaseFace = 'sans' | 'sansBold' | 'mono'

export interface TextStyle {
  face: BaseFace
  /** Points. */
  size: number
}

/** One run as pdfkit draws it: `text` is what to hand pdfkit (already in the order it needs). */
export interface Segment {
  text: string
  face: Face
  width: number
  /** Bold text in a face with no bold (CJK): drawn filled and stroked, a little heavier. */
  fauxBold: boolean
}

/** Segments left to right. */
export interface Line {
  segments: Segment[]
  width: number
}

/** Emoji/text presentation selectors: allowed in typed text, invisible, and in none of our fonts. */
const PRESENTATION_SELECTORS_RE = /[\uFE0E\uFE0F]/gu
const NEUTRAL_RE = /^[\p{Z}\p{P}\p{S}]$/u
const SPACE_RE = /^\s$/u
const BREAK_ANYWHERE_RE = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303F\uFF00-\uFFEF]$/u
const RIGHT_TO_LEFT_SCRIPT_RE = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u

/** The text as shown: NFC, tabs as spaces, each unsafe character as its code point ("[U+202E]"). */
export function displayText(raw: string): string {
  const text = raw.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(PRESENTATION_SELECTORS_RE, '')
  return text.replace(UNSAFE_CANDIDATE_RE, (char) =>
    char === '\n' || unsafeCharWhat(char) === null ? char : `[${codePointLabel(char.codePointAt(0)!)}]`,
  )
}

interface Char {
  /** UTF-16 index in the paragraph. */
  at: number
  text: string
  face: Face
}

/** Lines of `raw` set in `style`, each at most `widthMax` wide (a paragraph per "\n"). */
export function layoutText(raw: string, style: TextStyle, widthMax: number): Line[] {
  const lines: Line[] = []
  for (const paragraph of displayText(raw).split('\n')) lines.push(...layoutParagraph(paragraph, style, widthMax))
  return lines
}

/** Width of `raw` on one line, unwrapped. */
export function singleLineWidth(raw: string, style: TextStyle): number {
  return layoutText(raw, style, Number.POSITIVE_INFINITY).reduce((max, line) => Math.max(max, line.width), 0)
}

function layoutParagraph(paragraph: string, style: TextStyle, widthMax: number): Line[] {
  const text = labelMissing(paragraph, style.face)
  if (text.trim() === '') return [{ segments: [], width: 0 }]
  const chars = assignFaces(text, style.face)
  const levels = bidi.getEmbeddingLevels(text, 'auto')
  const lines: Line[] = []
  for (const [start, end] of breakLines(chars, style.size, widthMax))
    lines.push(visualLine(chars.slice(start, end), levels.levels, style.size, style.face))
  return lines
}

/** Code points no face has, as "[U+XXXX]". */
function labelMissing(text: string, base: BaseFace): string {
  let out = ''
  for (const char of text) out += faceFor(char, base) === null ? `[${codePointLabel(char.codePointAt(0)!)}]` : char
  return out
}

/** Each character's face; spaces and punctuation stay in the face before them when it has them. */
function assignFaces(text: string, base: BaseFace): Char[] {
  const chars: Char[] = []
  let at = 0
  let previous: Face | null = null
  for (const char of text) {
    const codePoint = char.codePointAt(0)!
    const face: Face = previous !== null && NEUTRAL_RE.test(char) && hasGlyph(previous, codePoint) ? previous : faceFor(char, base)!
    chars.push({ at, text: char, face })
    previous = face
    at += char.length
  }
  return chars
}

/** Width of chars[start, end) in logical order, one measurement per face run. */
function widthOf(chars: readonly Char[], start: number, end: number, size: number): number {
  let width = 0
  let runStart = start
  for (let i = start + 1; i <= end; i++) {
    if (i < end && chars[i]!.face === chars[runStart]!.face) continue
    width += textWidth(chars[runStart]!.face, joinChars(chars, runStart, i), size)
    runStart = i
  }
  return width
}

function joinChars(chars: readonly Char[], start: number, end: number): string {
  let text = ''
  for (let i = start; i < end; i++) text += chars[i]!.text
  return text
}

/**
 * Break units: a word with the spaces after it, or one CJK character. Greedy fill; a unit wider
 * than a line (a hash, an address) is broken between characters. Returns [start, end) per line.
 */
function breakLines(chars: readonly Char[], size: number, widthMax: number): [number, number][] {
  const units: [number, number][] = []
  let start = 0
  for (let i = 0; i < chars.length; i++) {
    const here = chars[i]!.text
    const next = chars[i + 1]?.text
    const endsUnit =
      next === undefined || (SPACE_RE.test(here) && !SPACE_RE.test(next)) || BREAK_ANYWHERE_RE.test(here) || BREAK_ANYWHERE_RE.test(next)
    if (!endsUnit) continue
    units.push([start, i + 1])
    start = i + 1
  }
  const lines: [number, number][] = []
  let lineStart = 0
  let lineEnd = 0
  const fits = (end: number): boolean => widthOf(chars, lineStart, trimEnd(chars, lineStart, end), size) <= widthMax
  for (const [unitStart, unitEnd] of units) {
    if (fits(unitEnd)) {
      lineEnd = unitEnd
      continue
    }
    if (lineEnd > lineStart) {
      lines.push([lineStart, lineEnd])
      lineStart = unitStart
      if (fits(unitEnd)) {
        lineEnd = unitEnd
        continue
      }
    }
    // The unit alone is too wide: one character at a time (each line holds at least one). Widths
    // add up per character here (no kerning inside a hash): linear, not quadratic, in its length.
    let width = lineStart < unitStart ? widthOf(chars, lineStart, unitStart, size) : 0
    for (let i = unitStart; i < unitEnd; i++) {
      const charWidth = textWidth(chars[i]!.face, chars[i]!.text, size)
      if (i > lineStart && width + charWidth > widthMax) {
        lines.push([lineStart, i])
        lineStart = i
        width = 0
      }
      width += charWidth
    }
    lineEnd = unitEnd
  }
  if (lineEnd > lineStart) lines.push([lineStart, lineEnd])
  return lines
}

function trimEnd(chars: readonly Char[], start: number, end: number): number {
  while (end > start && SPACE_RE.test(chars[end - 1]!.text)) end--
  return end
}

interface Run {
  chars: Char[]
  level: number
}

/** One line in visual order (UAX #9 L2 over runs of one level and one face). */
function visualLine(lineChars: Char[], levels: Uint8Array, size: number, base: BaseFace): Line {
  const chars = lineChars.slice(0, trimEnd(lineChars, 0, lineChars.length))
  const runs: Run[] = []
  for (const char of chars) {
    const level = levels[char.at]!
    const last = runs.at(-1)
    if (last && last.level === level && last.chars[0]!.face === char.face) last.chars.push(char)
    else runs.push({ chars: [char], level })
  }
  const highest = runs.reduce((max, run) => Math.max(max, run.level), 0)
  const lowestOdd = runs.reduce((min, run) => (run.level % 2 === 1 ? Math.min(min, run.level) : min), highest + 1)
  for (let level = highest; level >= lowestOdd; level--) {
    for (let i = 0; i < runs.length; i++) {
      if (runs[i]!.level < level) continue
      let j = i
      while (j + 1 < runs.length && runs[j + 1]!.level >= level) j++
      runs.splice(i, j - i + 1, ...runs.slice(i, j + 1).reverse())
      i = j
    }
  }
  const segments = runs.map((run) => segmentOf(run, size, base))
  return { segments, width: segments.reduce((sum, s) => sum + s.width, 0) }
}

function segmentOf(run: Run, size: number, base: BaseFace): Segment {
  const face = run.chars[0]!.face
  const rightToLeft = run.level % 2 === 1
  let text = run.chars.map((c) => (rightToLeft ? (bidi.getMirroredCharacter(c.text) ?? c.text) : c.text)).join('')
  const fontkitReverses = RIGHT_TO_LEFT_SCRIPT_RE.test(text) && shapesRightToLeft(face, text)
  if (rightToLeft !== fontkitReverses) text = [...text].reverse().join('')
  return { text, face, width: textWidth(face, text, size), fauxBold: base === 'sansBold' && face === 'cjk' }
}
