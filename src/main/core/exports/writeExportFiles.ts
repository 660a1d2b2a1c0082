/**
 * Writing an export's files into a folder (the CLI's --out): each file atomically (a temporary file
 * beside it, fsynced, renamed over — ../util/durableWrite.ts), so a crash leaves a whole file or
 * the one before, never half of one; in the order given, so a bundle's manifest.json comes last.
 * Each file's bytes are checked against the SHA-256 the export reported before it is written, and
 * a name is only ever a plain file name (never a path).
 */
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { ExportFile } from '../../../shared/exportsApi'
import { CsError } from '../../../shared/errors'
import { writeFileDurably } from '../util/durableWrite'
import { invariant } from '../util/invariant'

export interface WrittenFile {
  path: string
  name: string
  sha256: string
  rows: number
  bytes: number
}

function openFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true })
  } catch (cause) {
    throw new CsError('FILE_INVALID', `Cannot make the folder ${dir} — check the path and that you may write there.`, { cause })
  }
  if (!fs.statSync(dir).isDirectory()) throw new CsError('FILE_INVALID', `${dir} is a file, not a folder — give a folder for --out.`)
}

export function writeExportFiles(dir: string, files: readonly ExportFile[]): WrittenFile[] {
  openFolder(dir)
  const written: WrittenFile[] = []
  for (const f of files) {
    invariant(
      f.name === path.basename(f.name) && f.name !== '' && !f.name.startsWith('.'),
      () => `export file name "${f.name}" is not a plain name`,
    )
    const bytes = Buffer.from(f.content, 'base64')
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    invariant(sha256 === f.sha256 && bytes.length === f.bytes, () => `export file ${f.name} changed on its way`)
    const target = path.join(dir, f.name)
    try {
      writeFileDurably(target, bytes)
    } catch (cause) {
      throw new CsError('FILE_INVALID', `Cannot write ${target} — check that you may write in ${dir} and that the disk has room.`, {
        cause,
      })
    }
    written.push({ path: target, name: f.name, sha256, rows: f.rows, bytes: bytes.length })
  }
  return written
}
