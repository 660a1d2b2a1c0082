/**
 * Safe text: the one rule for every string a person types that crosses the contract — batch and
 * operator names, references, memos, comments, ledger descriptions, account and asset names — and
 * for the free-text cells of a payout CSV (the importer's checkFreeText uses the same rule). The
 * CLI's output escaping (src/cli/safeOutput.ts) uses the same classification, so what the contract
 * refuses is exactly what the CLI escapes when it meets it in old or hand-edited data.
 *
 * Why: a name is shown to the person who approves. Terminal escapes rewrite their screen
 * ("Payroll<ESC>[2K\rAPPROVED by Bob"), bidi overrides reorder what they read, zero-width and other
 * invisible characters make two different strings look the same. So such text is REFUSED, with
 * where and which character ("position 8: an escape character (U+001B) — remove it") — never
 * silently stripped, which would store something other than what was typed.
 *
 * Decisions:
 * - Refused everywhere: C0 and C1 controls, DEL, every format character (\p{Cf}: bidi overrides,
 *   isolates and marks, zero-width space/joiners, word joiner, BOM, soft hyphen, tags…), every other
 *   default-ignorable (invisible) code point, line and paragraph separators (U+2028/2029), unpaired
 *   surrogates, private-use characters (their look depends on the font) and non-characters.
 *   Allowed: the emoji/text presentation selectors U+FE0E/U+FE0F (they only pick a glyph style of
 *   the character before them). The zero-width joiner is refused even though emoji sequences use
 *   it: a name or reference does not need one, and it hides text.
 * - Line breaks: only multi-line comments (approval, rejection, cancellation) may hold a line
 *   break (LF) or a tab; a carriage return is refused everywhere (it moves a terminal's cursor).
 * - Unicode normalisation: text is NORMALISED to NFC, not refused when decomposed — NFC changes no
 *   visible character, and a name typed on macOS (often decomposed) then equals the same name typed
 *   elsewhere. Look-alikes between scripts ("Bоb" with a Cyrillic о) are not a character rule: the
 *   core refuses an operator name confusable with an existing one (operators/confusable.ts).
 */
import { z } from 'zod'

/** Which characters a text may hold beyond the plain ones. */
export interface SafeTextRule {
  /** A line break (LF) and a tab are allowed: multi-line comments only. */
  multiline?: boolean
}

export interface UnsafeChar {
  /** 1-based, counted in characters (code points) as a person counts them. */
  position: number
  codePoint: number
  /** What it is, for the sentence: "a right-to-left override". */
  what: string
}

/**
 * Every candidate: controls, format, default-ignorable, private use, surrogates, non-characters
 * and the two Unicode line separators. `unsafeCharWhat` decides about each match (tab and LF in
 * multi-line text, the two presentation selectors). Global: use with matchAll / replace, never
 * with .test (a global regex keeps its lastIndex between calls).
 */
export const UNSAFE_CANDIDATE_RE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/gu

const TAB = 0x09
const LF = 0x0a
/** Emoji / text presentation selectors: they pick the glyph style of the character before them. */
const PRESENTATION_SELECTORS: ReadonlySet<number> = new Set([0xfe0e, 0xfe0f])

/** The characters people are most likely to meet, by name; the rest by their class. */
const NAMED: ReadonlyMap<number, string> = new Map([
  [0x00, 'a null character'],
  [0x07, 'a bell character'],
  [0x08, 'a backspace'],
  [TAB, 'a tab'],
  [LF, 'a line break'],
  [0x0d, 'a carriage return'],
  [0x1b, 'an escape character'],
  [0x7f, 'a delete control character'],
  [0x85, 'a next-line control character'],
  [0x9b, 'a terminal control-sequence introducer'],
  [0x00ad, 'an invisible soft hyphen'],
  [0x034f, 'an invisible combining grapheme joiner'],
  [0x061c, 'an Arabic letter mark'],
  [0x200b, 'a zero-width space'],
  [0x200c, 'a zero-width non-joiner'],
  [0x200d, 'a zero-width joiner'],
  [0x200e, 'a left-to-right mark'],
  [0x200f, 'a right-to-left mark'],
  [0x2028, 'a line separator'],
  [0x2029, 'a paragraph separator'],
  [0x202a, 'a left-to-right embedding'],
  [0x202b, 'a right-to-left embedding'],
  [0x202c, 'a pop-directional-formatting mark'],
  [0x202d, 'a left-to-right override'],
  [0x202e, 'a right-to-left override'],
  [0x2060, 'an invisible word joiner'],
  [0x2066, 'a left-to-right isolate'],
  [0x2067, 'a right-to-left isolate'],
  [0x2068, 'a first-strong isolate'],
  [0x2069, 'a pop-directional-isolate mark'],
  [0xfeff, 'an invisible byte-order mark'],
])

const CONTROL_RE = /^\p{Cc}$/u
const FORMAT_RE = /^\p{Cf}$/u
const SURROGATE_RE = /^\p{Cs}$/u
const PRIVATE_USE_RE = /^\p{Co}$/u
const NONCHARACTER_RE = /^\p{Noncharacter_Code_Point}$/u
const C1_FIRST = 0x80
const C1_LAST = 0x9f

/** What an unsafe character is ("a right-to-left override"), or null when `char` (one code point) is allowed. */
export function unsafeCharWhat(char: string, rule: SafeTextRule = {}): string | null {
  const codePoint = char.codePointAt(0)!
  if ((codePoint === TAB || codePoint === LF) && rule.multiline === true) return null
  if (PRESENTATION_SELECTORS.has(codePoint)) return null
  const named = NAMED.get(codePoint)
  if (named !== undefined) return named
  if (CONTROL_RE.test(char)) return codePoint >= C1_FIRST && codePoint <= C1_LAST ? 'a C1 control character' : 'a control character'
  if (SURROGATE_RE.test(char)) return 'half of a broken character'
  if (PRIVATE_USE_RE.test(char)) return 'a private-use character'
  if (NONCHARACTER_RE.test(char)) return 'a non-character'
  if (FORMAT_RE.test(char)) return 'an invisible formatting character'
  return 'an invisible character'
}

/** The first character `text` may not hold, or null. */
export function findUnsafeChar(text: string, rule: SafeTextRule = {}): UnsafeChar | null {
  for (const match of text.matchAll(UNSAFE_CANDIDATE_RE)) {
    const what = unsafeCharWhat(match[0], rule)
    if (what === null) continue
    return { position: [...text.slice(0, match.index)].length + 1, codePoint: match[0].codePointAt(0)!, what }
  }
  return null
}

/** "U+202E" */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`
}

/** "position 8: a right-to-left override (U+202E) — remove it" */
export function unsafeCharSentence(found: UnsafeChar): string {
  return `position ${found.position}: ${found.what} (${codePointLabel(found.codePoint)}) — remove it`
}

export interface SafeTextOptions extends SafeTextRule {
  /** Fewest characters after trimming; default 1 (0: may be empty). */
  charsMin?: number
  /** Trim surrounding whitespace first; default true. */
  trim?: boolean
}

/**
 * The contract's text type: a string of at most `charsMax` characters (UTF-16 units, as every
 * limit of the contract counts them), trimmed, normalised to NFC, refusing any unsafe character
 * with the position and the character named.
 */
export function SafeText(charsMax: number, options: SafeTextOptions = {}) {
  const rule: SafeTextRule = options.multiline === true ? { multiline: true } : {}
  const trimmed = options.trim === false ? z.string() : z.string().trim()
  return trimmed
    .normalize('NFC')
    .min(options.charsMin ?? 1)
    .max(charsMax)
    .superRefine((text, ctx) => {
      const found = findUnsafeChar(text, rule)
      if (found !== null) ctx.addIssue({ code: 'custom', message: unsafeCharSentence(found) })
    })
}
