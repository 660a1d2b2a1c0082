import { describe, expect, it } from 'vitest'
import { findUnsafeChar, SafeText, unsafeCharSentence } from './safeText'

const Name = SafeText(40)
const Comment = SafeText(200, { charsMin: 0, multiline: true })

function refusal(schema: ReturnType<typeof SafeText>, text: string): string {
  const parsed = schema.safeParse(text)
  if (parsed.success) throw new Error(`accepted ${JSON.stringify(text)}`)
  return parsed.error.issues.map((i) => i.message).join('; ')
}

describe('SafeText', () => {
  it('names the character and where it is: an escape sequence in a batch name', () => {
    expect(refusal(Name, 'Payroll\u001b]0;x\u0007')).toBe('position 8: an escape character (U+001B) — remove it')
  })

  it.each([
    ['a right-to-left override', 'Bob\u202Eevil', 'position 4: a right-to-left override (U+202E) — remove it'],
    ['a left-to-right isolate', '\u2066Bob', 'position 1: a left-to-right isolate (U+2066) — remove it'],
    ['a right-to-left mark', 'Bob\u200F', 'position 4: a right-to-left mark (U+200F) — remove it'],
    ['an Arabic letter mark', 'A\u061CB', 'position 2: an Arabic letter mark (U+061C) — remove it'],
    ['a zero-width space', 'Bo\u200Bb', 'position 3: a zero-width space (U+200B) — remove it'],
    ['a zero-width joiner', 'Bo\u200Db', 'position 3: a zero-width joiner (U+200D) — remove it'],
    ['a word joiner', 'Bo\u2060b', 'position 3: an invisible word joiner (U+2060) — remove it'],
    ['a byte-order mark', 'Bo\uFEFFb', 'position 3: an invisible byte-order mark (U+FEFF) — remove it'],
    ['a carriage return', 'Pay\rAPPROVED', 'position 4: a carriage return (U+000D) — remove it'],
    ['DEL', 'Pay\u007F', 'position 4: a delete control character (U+007F) — remove it'],
    ['a C1 CSI', 'Pay\u009B2K', 'position 4: a terminal control-sequence introducer (U+009B) — remove it'],
    ['another C1 control', 'Pay\u0090', 'position 4: a C1 control character (U+0090) — remove it'],
    ['a line separator', 'Pay\u2028roll', 'position 4: a line separator (U+2028) — remove it'],
    ['a tag character (format, astral)', 'Pay\u{E0041}', 'position 4: an invisible formatting character (U+E0041) — remove it'],
    ['a private-use character', 'Pay\uE000', 'position 4: a private-use character (U+E000) — remove it'],
    ['an unpaired surrogate', 'Pay\uD800', 'position 4: half of a broken character (U+D800) — remove it'],
    ['a non-character', 'Pay\uFDD0', 'position 4: a non-character (U+FDD0) — remove it'],
    ['a Hangul filler (invisible)', 'Bob\u3164', 'position 4: an invisible character (U+3164) — remove it'],
  ])('refuses %s', (_what, text, message) => {
    expect(refusal(Name, text)).toBe(message)
  })

  it('counts positions in characters, not UTF-16 units', () => {
    expect(findUnsafeChar('😀😀\u202E')).toMatchObject({ position: 3, codePoint: 0x202e })
  })

  it('refuses line breaks and tabs in one-line text, allows them in multi-line comments', () => {
    expect(refusal(Name, 'Pay\nroll')).toBe('position 4: a line break (U+000A) — remove it')
    expect(refusal(Name, 'Pay\troll')).toBe('position 4: a tab (U+0009) — remove it')
    expect(Comment.parse('row 3:\n\twrong IBAN')).toBe('row 3:\n\twrong IBAN')
    expect(refusal(Comment, 'ok\r\nfine')).toBe('position 3: a carriage return (U+000D) — remove it')
    expect(refusal(Comment, 'ok\u202Efine')).toBe('position 3: a right-to-left override (U+202E) — remove it')
  })

  it('accepts ordinary text of every script, emoji with their presentation selector, and spaces', () => {
    for (const text of ['Payroll March', 'José Müller', 'Ольга', 'محمد', '山田太郎', 'Bonus ❤️ 🎉', 'A\u00A0B'])
      expect(Name.parse(text)).toBe(text)
  })

  it('normalises to NFC and trims, then counts', () => {
    expect(Name.parse('  Jose\u0301  ')).toBe('José')
    expect(SafeText(4).safeParse('Jose\u0301').success).toBe(true)
    expect(refusal(Name, '   ')).toMatch(/>=1/)
    expect(SafeText(3, { trim: false }).parse(' ab')).toBe(' ab')
  })

  it('a sentence for the CSV importer reads the same', () => {
    expect(unsafeCharSentence(findUnsafeChar('a\u202Eb')!)).toBe('position 2: a right-to-left override (U+202E) — remove it')
    expect(findUnsafeChar('plain text')).toBeNull()
  })
})
