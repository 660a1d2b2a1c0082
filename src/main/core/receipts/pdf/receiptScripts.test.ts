/**
 * Names in every script the receipt promises: each character has a real glyph in the face the
 * fallback chain picks (never .notdef), pdftotext reads the names back, and on the rasterised page
 * the name's area holds ink whose glyphs differ from one another (a row of missing-glyph boxes
 * would be identical). The page is saved under test-results/receipts/ to be looked at.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { crop, inkOf, pdfText, pdfWords, rasterisePage } from '../../../../../test/receipts/pdfTools'
import { SAMPLE_PAYEE_NAMES, sampleReceiptFile } from '../../../../../test/receipts/sampleReceiptFile'
import { faceFor, parsedFont } from './fonts'
import { renderReceiptPdf } from './renderReceiptPdf'

const RESULTS_DIR = fileURLToPath(new URL('../../../../../test-results/receipts/', import.meta.url))
const CHINESE = '王小明'
const ARABIC = 'محمد بن عبد الله'
const DPI = 100
/** Strip the bidi marks pdftotext puts around right-to-left text. */
const BIDI_MARKS_RE = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/g

describe('names in every script', () => {
  it('has a real glyph for every character of every sample name', () => {
    for (const name of SAMPLE_PAYEE_NAMES) {
      for (const char of name) {
        const face = faceFor(char, 'sansBold')
        expect(face, `${name}: ${char}`).not.toBeNull()
        expect(parsedFont(face!).glyphForCodePoint(char.codePointAt(0)!).id, `${name}: ${char} in ${face}`).not.toBe(0)
      }
    }
  })

  it('renders a Chinese and an Arabic name as text and as ink', async () => {
    const chinese = await renderReceiptPdf(sampleReceiptFile({ number: 21, payeeName: CHINESE }))
    const arabic = await renderReceiptPdf(sampleReceiptFile({ number: 22, payeeName: ARABIC }))
    expect(pdfText(chinese)).toContain(CHINESE)
    expect(pdfText(arabic).replace(BIDI_MARKS_RE, '')).toContain(ARABIC)

    const page = rasterisePage(chinese, DPI, path.join(RESULTS_DIR, 'receipt-chinese-name.png'))
    const box = pdfWords(chinese).find((w) => w.text.includes(CHINESE))
    expect(box, 'the Chinese name on page 1').toBeDefined()
    // Each character's cell: ink in every one, and no two alike.
    const cellWidth = (box!.xMax - box!.xMin) / CHINESE.length
    const cells = [...CHINESE].map((_, i) =>
      crop(page, { ...box!, xMin: box!.xMin + i * cellWidth, xMax: box!.xMin + (i + 1) * cellWidth }),
    )
    for (const cell of cells) expect(inkOf(cell)).toBeGreaterThan(20)
    expect(new Set(cells.map((c) => c.join(','))).size).toBe(CHINESE.length)

    const arabicPage = rasterisePage(arabic, DPI, path.join(RESULTS_DIR, 'receipt-arabic-name.png'))
    // -bbox lists the glyphs as they sit on the page, right to left: each word comes back reversed.
    const words = pdfWords(arabic).filter((w) => ARABIC.split(' ').includes([...w.text].reverse().join('')))
    expect(words.length).toBe(ARABIC.split(' ').length)
    // Read right to left: the first word of the name is the rightmost on the page.
    const leftToRight = [...words].sort((a, b) => a.xMin - b.xMin).map((w) => [...w.text].reverse().join(''))
    expect(leftToRight).toEqual(ARABIC.split(' ').reverse())
    for (const w of words) expect(inkOf(crop(arabicPage, w))).toBeGreaterThan(20)
  })

  it('keeps every sample name whole: found by pdftotext, none cut at the column edge', async () => {
    for (const [i, name] of SAMPLE_PAYEE_NAMES.entries()) {
      const text = pdfText(await renderReceiptPdf(sampleReceiptFile({ number: 30 + i, payeeName: name })))
        .replace(BIDI_MARKS_RE, '')
        .replace(/\s+/g, ' ')
      // A wrapped name comes back with a line break where it wrapped: compare without spaces.
      expect(text.replace(/ /g, ''), name).toContain(name.replace(/ /g, ''))
    }
  })
})
