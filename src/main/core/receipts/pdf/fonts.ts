/**
 * The receipt's fonts: Noto subsets committed under resources/fonts (its README says where they
 * come from and how they were made), a fallback chain that picks a face per character, and text
 * measurement.
 *
 * Each face is parsed once per process and shared by every document: pdfkit accepts a parsed
 * fontkit font as a font source (its PDFFontFactory takes any object with a `layout` method), and
 * parsing the 2 MB CJK face per document would cost more than drawing the receipt. We get the parsed
 * font from pdfkit itself (`doc._font.font` after `doc.font(bytes)`), so it is the very fontkit build
 * pdfkit draws with — fontkit is pdfkit's dependency, not ours. A parsed font is read-only for our
 * use: pdfkit makes a fresh subset per document.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import PDFDocument from 'pdfkit'
import { invariant } from '../../util/invariant'

export type Face = 'sans' | 'sansBold' | 'mono' | 'arabic' | 'arabicBold' | 'hebrew' | 'hebrewBold' | 'cjk'

const FACE_FILES: Record<Face, string> = {
  sans: 'NotoSans-Regular.subset.ttf',
  sansBold: 'NotoSans-Bold.subset.ttf',
  mono: 'NotoSansMono-Regular.subset.ttf',
  arabic: 'NotoSansArabic-Regular.subset.ttf',
  arabicBold: 'NotoSansArabic-Bold.subset.ttf',
  hebrew: 'NotoSansHebrew-Regular.subset.ttf',
  hebrewBold: 'NotoSansHebrew-Bold.subset.ttf',
  cjk: 'NotoSansCJKsc-Regular.subset.otf',
}

/** How many folders up from this module we look for resources/fonts (src/main/core/receipts/pdf is 5 deep). */
const FONTS_DIR_SEARCH_DEPTH_MAX = 8
/** Widths and layouts remembered per process (per face); cleared when full, so memory stays flat over any number of receipts. */
const WIDTH_CACHE_ENTRIES_MAX = 20_000
const LAYOUT_CACHE_ENTRIES_MAX = 1_500

/** The part of a fontkit font we use. */
export interface ParsedFont {
  readonly unitsPerEm: number
  readonly ascent: number
  readonly descent: number
  hasGlyphForCodePoint(codePoint: number): boolean
  glyphForCodePoint(codePoint: number): { id: number }
  layout(text: string, features?: string[]): { advanceWidth: number; direction: 'ltr' | 'rtl' }
}

let fontsDir: string | null = null
const parsed = new Map<Face, ParsedFont>()
const widths = new Map<string, number>()

/** resources/fonts of the app: the first one found walking up from this module's folder. */
export function receiptFontsDir(): string {
  if (fontsDir !== null) return fontsDir
  const here = path.dirname(fileURLToPath(import.meta.url))
  const found = findFontsDir(here)
  if (found === null) throw new Error(`invariant: resources/fonts not found above ${here} — the app was installed without its fonts`)
  fontsDir = found
  return found
}

/**
 * The first `<dir>/resources/fonts` holding our fonts, from `start` up: src/main/core/receipts/pdf
 * (vitest, tsx) is 5 folders below the app root, out/main (the Electron build) 2.
 */
export function findFontsDir(start: string): string | null {
  let dir = start
  for (let depth = 0; depth <= FONTS_DIR_SEARCH_DEPTH_MAX; depth++) {
    const candidate = path.join(dir, 'resources', 'fonts')
    if (fs.existsSync(path.join(candidate, FACE_FILES.sans))) return candidate
    const parent = path.dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
  return null
}

/** The parsed font of a face (parsed on first use, then shared). */
export function parsedFont(face: Face): ParsedFont {
  const known = parsed.get(face)
  if (known) return known
  const bytes = fs.readFileSync(path.join(receiptFontsDir(), FACE_FILES[face]))
  const probe = new PDFDocument({ autoFirstPage: false })
  probe.font(bytes)
  const font = (probe as unknown as { _font: { font: ParsedFont } })._font.font
  invariant(typeof font.layout === 'function' && font.unitsPerEm > 0, `pdfkit did not parse ${FACE_FILES[face]}`)
  memoiseLayout(font)
  parsed.set(face, font)
  return font
}

/**
 * Shaping is most of a receipt's cost, and every run is shaped twice (we measure it, pdfkit draws
 * it) while labels repeat on every receipt. So the shared font remembers its layouts and hands out
 * copies: pdfkit scales a run's positions in place, so the cached run itself is never given out.
 */
function memoiseLayout(font: ParsedFont): void {
  const layout = font.layout.bind(font) as (text: string, features?: unknown, ...rest: unknown[]) => GlyphRunLike
  const runs = new Map<string, GlyphRunLike>()
  const memoised = (text: string, features?: unknown, ...rest: unknown[]): GlyphRunLike => {
    if (rest.length > 0) return layout(text, features, ...rest)
    const key = `${JSON.stringify(features ?? null)}\u0000${text}`
    let run = runs.get(key)
    if (run === undefined) {
      run = layout(text, features)
      if (runs.size >= LAYOUT_CACHE_ENTRIES_MAX) runs.clear()
      runs.set(key, run)
    }
    return copyRun(run)
  }
  ;(font as unknown as { layout: typeof memoised }).layout = memoised
}

/** fontkit's GlyphRun: glyphs, positions (mutable) and a prototype with the `advanceWidth` getter. */
interface GlyphRunLike {
  glyphs: unknown[]
  positions: object[]
  advanceWidth: number
  direction: 'ltr' | 'rtl'
}

function copyRun(run: GlyphRunLike): GlyphRunLike {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(run) as object) as GlyphRunLike, run)
  copy.glyphs = run.glyphs.slice()
  copy.positions = run.positions.map((p) => Object.assign(Object.create(Object.getPrototypeOf(p) as object) as object, p))
  return copy
}

export function hasGlyph(face: Face, codePoint: number): boolean {
  return parsedFont(face).hasGlyphForCodePoint(codePoint)
}

/** Scripts that have their own face; everything else falls back along the chain below. */
const ARABIC_RE = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/u
const HEBREW_RE = /[\u0590-\u05FF\uFB1D-\uFB4F]/u

/**
 * The face that draws `char` (one code point) for text set in `base`: Arabic and Hebrew letters
 * in their own faces, then the base face, then Noto Sans, then CJK. null when no face has it.
 */
export function faceFor(char: string, base: Face): Face | null {
  const codePoint = char.codePointAt(0)!
  const bold = base === 'sansBold'
  if (ARABIC_RE.test(char)) return bold ? 'arabicBold' : 'arabic'
  if (HEBREW_RE.test(char)) return bold ? 'hebrewBold' : 'hebrew'
  for (const face of [base, bold ? 'sansBold' : 'sans', 'cjk'] as const) {
    if (hasGlyph(face, codePoint)) return face
  }
  return null
}

/** Width in points of `text` set in `face` at `size`, shaped as pdfkit will draw it (features: []). */
export function textWidth(face: Face, text: string, size: number): number {
  const key = `${face}\u0000${text}`
  let units = widths.get(key)
  if (units === undefined) {
    const font = parsedFont(face)
    units = (font.layout(text, []).advanceWidth * 1000) / font.unitsPerEm
    if (widths.size >= WIDTH_CACHE_ENTRIES_MAX) widths.clear()
    widths.set(key, units)
  }
  return (units * size) / 1000
}

/** Whether fontkit lays `text` out right to left in `face` (it does so for Arabic and Hebrew script). */
export function shapesRightToLeft(face: Face, text: string): boolean {
  return parsedFont(face).layout(text, []).direction === 'rtl'
}
