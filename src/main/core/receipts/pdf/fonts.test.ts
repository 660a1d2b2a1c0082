import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { findFontsDir, receiptFontsDir } from './fonts'

describe('findFontsDir', () => {
  it('finds resources/fonts from the sources and from an Electron build folder, and nothing elsewhere', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-fonts-'))
    try {
      // The layout of a built app: out/main/index.js beside resources/fonts at the app root.
      fs.mkdirSync(path.join(root, 'app', 'out', 'main', 'chunks'), { recursive: true })
      fs.mkdirSync(path.join(root, 'app', 'resources', 'fonts'), { recursive: true })
      expect(findFontsDir(path.join(root, 'app', 'out', 'main'))).toBeNull()
      fs.copyFileSync(
        path.join(receiptFontsDir(), 'NotoSans-Regular.subset.ttf'),
        path.join(root, 'app', 'resources', 'fonts', 'NotoSans-Regular.subset.ttf'),
      )
      expect(findFontsDir(path.join(root, 'app', 'out', 'main'))).toBe(path.join(root, 'app', 'resources', 'fonts'))
      expect(findFontsDir(path.join(root, 'app', 'out', 'main', 'chunks'))).toBe(path.join(root, 'app', 'resources', 'fonts'))
      expect(findFontsDir(root)).toBeNull()
    } finally {
      fs.rmSync(root, { recursive: true, force: true })
    }
    // From the sources (this test runs there): the repository's own folder.
    expect(receiptFontsDir()).toBe(fileURLToPath(new URL('../../../../../resources/fonts', import.meta.url)))
  })
})
