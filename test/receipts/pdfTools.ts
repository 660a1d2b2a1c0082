/**
 * What the receipt PDF tests look at a PDF with: poppler's `pdftotext` and `pdftoppm`
 * (Debian: poppler-utils — CI installs it), and a reader of the binary greyscale (PGM) pages
 * `pdftoppm -gray` writes, so pixels are counted without an image library.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

function run(tool: 'pdftotext' | 'pdftoppm', args: string[]): Buffer {
  try {
    return execFileSync(tool, args, { maxBuffer: 64 * 1024 * 1024 })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${tool} is not installed — apt-get install poppler-utils`, { cause: error })
    throw error
  }
}

function withPdf<T>(pdf: Uint8Array, fn: (file: string, dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-pdf-'))
  try {
    const file = path.join(dir, 'in.pdf')
    fs.writeFileSync(file, pdf)
    return fn(file, dir)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** The PDF's text as pdftotext reads it (pages separated by form feeds). */
export function pdfText(pdf: Uint8Array, layout = false): string {
  return withPdf(pdf, (file) => run('pdftotext', [...(layout ? ['-layout'] : []), '-enc', 'UTF-8', file, '-']).toString('utf8'))
}

export interface WordBox {
  text: string
  /** Points from the top-left corner of the page. */
  xMin: number
  yMin: number
  xMax: number
  yMax: number
}

/** Every word of page 1 with its box (pdftotext -bbox). */
export function pdfWords(pdf: Uint8Array): WordBox[] {
  const html = withPdf(pdf, (file) => run('pdftotext', ['-bbox', '-f', '1', '-l', '1', '-enc', 'UTF-8', file, '-']).toString('utf8'))
  const words: WordBox[] = []
  for (const m of html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
    words.push({ xMin: Number(m[1]), yMin: Number(m[2]), xMax: Number(m[3]), yMax: Number(m[4]), text: decodeEntities(m[5]!) })
  }
  return words
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
}

export interface GreyPage {
  width: number
  height: number
  /** 0 = black … 255 = white, row by row. */
  pixels: Uint8Array
  dpi: number
}

/** Page 1 rasterised in greyscale at `dpi`; when `pngPath` is given, also saved there as PNG (to look at). */
export function rasterisePage(pdf: Uint8Array, dpi: number, pngPath?: string): GreyPage {
  return withPdf(pdf, (file, dir) => {
    if (pngPath !== undefined) {
      fs.mkdirSync(path.dirname(pngPath), { recursive: true })
      run('pdftoppm', ['-png', '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', file, pngPath.replace(/\.png$/, '')])
    }
    run('pdftoppm', ['-gray', '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', file, path.join(dir, 'page')])
    return readPgm(fs.readFileSync(path.join(dir, 'page.pgm')), dpi)
  })
}

function readPgm(data: Buffer, dpi: number): GreyPage {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(data.subarray(0, 64).toString('latin1'))
  if (!header || header[3] !== '255') throw new Error('not an 8-bit binary PGM')
  const width = Number(header[1])
  const height = Number(header[2])
  return { width, height, dpi, pixels: data.subarray(header[0].length, header[0].length + width * height) }
}

/** The pixels inside a box given in points (the page's top-left origin), row by row. */
export function crop(page: GreyPage, box: { xMin: number; yMin: number; xMax: number; yMax: number }): number[] {
  const scale = page.dpi / 72
  const out: number[] = []
  for (let y = Math.floor(box.yMin * scale); y < Math.ceil(box.yMax * scale); y++) {
    for (let x = Math.floor(box.xMin * scale); x < Math.ceil(box.xMax * scale); x++) out.push(page.pixels[y * page.width + x]!)
  }
  return out
}

/** How many pixels are darker than mid-grey. */
export function inkOf(pixels: readonly number[]): number {
  return pixels.filter((p) => p < 128).length
}
