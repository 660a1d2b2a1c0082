/**
 * Static guards on the shell's structure: the pure modules stay Electron-free at runtime (so the
 * IPC and policy tests above test the code the app runs), the preload exposes one object, and
 * IPC binds exactly one invoke channel.
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const REPO = path.resolve(__dirname, '..', '..')
const read = (rel: string) => fs.readFileSync(path.join(REPO, rel), 'utf8')

/** `import … from 'electron'` that is not `import type`, or require('electron'). */
const RUNTIME_ELECTRON_IMPORT = /^\s*import\s+(?!type\b)[^;'"]*?from\s+['"]electron(\/[^'"]*)?['"]|require\(\s*['"]electron['"]\s*\)/m

describe('module boundaries', () => {
  it.each([
    'src/main/security.ts',
    'src/main/ipcHandler.ts',
    'src/preload/createBridge.ts',
    'src/main/core/secrets/SecretStore.ts',
    'src/main/platform/safeStorageSecretStore.ts',
    'src/shared/ipcChannels.ts',
  ])('%s has no runtime electron import', (rel) => {
    expect(read(rel)).not.toMatch(RUNTIME_ELECTRON_IMPORT)
  })

  it('the regex does catch a runtime import', () => {
    expect("import { app } from 'electron'").toMatch(RUNTIME_ELECTRON_IMPORT)
    expect("import { type App } from 'electron'").toMatch(RUNTIME_ELECTRON_IMPORT)
    expect("import {\n  app,\n  BrowserWindow,\n} from 'electron'").toMatch(RUNTIME_ELECTRON_IMPORT)
    expect("import type { App } from 'electron'").not.toMatch(RUNTIME_ELECTRON_IMPORT)
    expect("import path from 'node:path'\nimport type { App } from 'electron'").not.toMatch(RUNTIME_ELECTRON_IMPORT)
  })

  it('the preload exposes exactly one object, window.countersign, and never ipcRenderer itself', () => {
    const src = read('src/preload/index.ts')
    expect(src.match(/exposeInMainWorld\(/g)).toHaveLength(1)
    expect(src).toMatch(/exposeInMainWorld\('countersign', createBridge\(ipcRenderer,/)
    expect(read('src/preload/createBridge.ts')).not.toMatch(/exposeInMainWorld/)
  })

  it('main binds exactly one invoke handler and uses no sendSync/on-based request channels', () => {
    const src = read('src/main/ipc.ts')
    expect(src.match(/ipcMain\.handle\(/g)).toHaveLength(1)
    expect(src).toMatch(/ipcMain\.handle\(IPC_INVOKE_CHANNEL,/)
    expect(src).not.toMatch(/ipcMain\.on\(|handleOnce|sendSync/)
  })

  it('the built preload (when built) is one CommonJS file that requires only electron', () => {
    const built = path.join(REPO, 'out', 'preload', 'index.cjs')
    if (!fs.existsSync(built)) return // `npm test` builds before unit tests; a bare vitest run may not have
    const code = fs.readFileSync(built, 'utf8')
    const required = [...code.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])
    expect(required).toEqual(['electron'])
    expect(code).not.toMatch(/^\s*(import|export)\s/m)
    expect(fs.readdirSync(path.dirname(built)).filter((f) => /\.(c|m)?js$/.test(f))).toEqual(['index.cjs'])
  })

  it('main references the preload as index.cjs and the renderer as index.html beside out/main', () => {
    const src = read('src/main/index.ts')
    expect(src).toMatch(/path\.join\(OUT_MAIN_DIR, '\.\.', 'preload', 'index\.cjs'\)/)
    expect(src).toMatch(/path\.join\(OUT_MAIN_DIR, '\.\.', 'renderer', 'index\.html'\)/)
    expect(src).toMatch(/app\.enableSandbox\(\)/)
    expect(src).toMatch(/requestSingleInstanceLock\(\)/)
  })
})
