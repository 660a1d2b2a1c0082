import { describe, expect, it } from 'vitest'
import { displayText, layoutText, singleLineWidth, type Line } from './textLayout'

const BODY = { face: 'sans', size: 10 } as const
const visual = (lines: Line[]) => lines.map((l) => l.segments.map((s) => s.text).join(''))

describe('displayText', () => {
  it('shows bidi controls and invisible characters as their code points, never obeying them', () => {
    expect(displayText('invoice\u202Egnp.exe')).toBe('invoice[U+202E]gnp.exe')
    expect(displayText('A\u2066B\u2069C\u200FD\u200BE')).toBe('A[U+2066]B[U+2069]C[U+200F]D[U+200B]E')
    expect(displayText('Bell\u0007 and tab\tend')).toBe('Bell[U+0007] and tab end')
    // Presentation selectors are allowed in typed text and invisible: dropped.
    expect(displayText('ok\uFE0F')).toBe('ok')
    expect(displayText('Zoe\u0308')).toBe('Zoë')
  })
})

describe('layoutText', () => {
  it('keeps a right-to-left override from reordering the name', () => {
    const [line] = layoutText('Bob\u202E evil', BODY, 1000)
    expect(visual([line!])).toEqual(['Bob[U+202E] evil'])
  })

  it('wraps a long name within the width and loses no character', () => {
    const name = 'Studio Nørrebro ApS — Invoice department for the Copenhagen and Aarhus offices'
    const width = 150
    const lines = layoutText(name, BODY, width)
    expect(lines.length).toBeGreaterThan(2)
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(width)
    expect(visual(lines).join(' ')).toBe(name)
  })

  it('breaks an address that is wider than the line between characters', () => {
    const address = `0x${'ab'.repeat(20)}`
    const lines = layoutText(address, { face: 'mono', size: 8 }, 60)
    expect(lines.length).toBeGreaterThan(1)
    for (const line of lines) expect(line.width).toBeLessThanOrEqual(60)
    expect(visual(lines).join('')).toBe(address)
  })

  it('breaks CJK between characters', () => {
    const name = '山田太郎山田太郎山田太郎'
    const lines = layoutText(name, BODY, singleLineWidth('山田太郎', BODY) + 1)
    expect(visual(lines)).toEqual(['山田太郎', '山田太郎', '山田太郎'])
  })

  it('orders right-to-left words visually, with Latin and digits left to right inside', () => {
    // An Arabic paragraph: the first word is rightmost; fontkit reverses each Arabic run itself,
    // so the run is handed over in logical order. The Latin name and the number stay as written.
    const [line] = layoutText('محمد علي Ali 42', BODY, 1000)
    const segments = line!.segments
    expect(segments.map((s) => s.face)).toContain('arabic')
    const text = segments.map((s) => s.text)
    const arabicIndex = text.findIndex((t) => t.includes('محمد'))
    const latinIndex = text.findIndex((t) => t.includes('Ali'))
    expect(latinIndex).toBeLessThan(arabicIndex)
    expect(text.join('')).toContain('42')
    // The space before "Ali" sits between right-to-left text in a right-to-left paragraph: it joins the Arabic run.
    expect(text[arabicIndex]!.trim()).toBe('محمد علي')
  })

  it('mirrors brackets in right-to-left text', () => {
    const [line] = layoutText('שלום (דוד)', BODY, 1000)
    // Hebrew paragraph: the parenthesis closing "דוד" is drawn first (leftmost), as "(" .
    expect(line!.segments.map((s) => s.text).join('')).toMatch(/^\(/)
  })

  it('labels a character no font has instead of drawing an empty box', () => {
    // U+1F600 (an emoji) is in none of the receipt fonts.
    expect(visual(layoutText('Smile \u{1F600}', BODY, 1000))).toEqual(['Smile [U+1F600]'])
  })
})
