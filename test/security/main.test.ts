/**
 * The composition root (src/main/index.ts) with 'electron' replaced by a recorder and a real
 * core in a temp dir: no Electron binary exists here, so this is how the start-up and shutdown
 * order is exercised — sandbox on before ready, single-instance lock, one IPC handler that
 * serves the app page and refuses others, the window, and the core closed before quitting.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { readWorkspaceFile } from '../../src/main/core/db/openDb'
import { setLogSink } from '../../src/main/core/log'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-main-'))

const rec = vi.hoisted(() => ({
  calls: [] as string[],
  appListeners: new Map<string, ((...args: unknown[]) => unknown)[]>(),
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  windows: [] as { options: Record<string, unknown>; loaded: string[] }[],
  paths: new Map<string, string>(),
  ready: null as null | (() => void),
}))

vi.mock('electron', () => {
  const readyPromise = new Promise<void>((resolve) => (rec.ready = resolve))
  const app = {
    isPackaged: false,
    enableSandbox: () => rec.calls.push('enableSandbox'),
    setPath: (name: string, value: string) => {
      rec.calls.push(`setPath:${name}`)
      rec.paths.set(name, value)
    },
    getPath: (name: string) => rec.paths.get(name) ?? path.join(tmp, name),
    getAppPath: () => tmp,
    requestSingleInstanceLock: () => {
      rec.calls.push('requestSingleInstanceLock')
      return true
    },
    on(event: string, listener: (...args: unknown[]) => unknown) {
      rec.appListeners.set(event, [...(rec.appListeners.get(event) ?? []), listener])
      return app
    },
    whenReady: () => readyPromise,
    quit: () => rec.calls.push('quit'),
    exit: (code: number) => rec.calls.push(`exit:${code}`),
  }
  class BrowserWindow {
    static all: BrowserWindow[] = []
    static getAllWindows = () => BrowserWindow.all
    loaded: string[] = []
    webContents = { id: 1, isDestroyed: () => false, mainFrame: { url: '', parent: null, send: () => {} }, on: () => {} }
    constructor(options: Record<string, unknown>) {
      rec.calls.push('new BrowserWindow')
      rec.windows.push({ options, loaded: this.loaded })
      BrowserWindow.all.push(this)
    }
    once() {
      return this
    }
    on() {
      return this
    }
    isDestroyed = () => false
    loadFile(file: string) {
      this.loaded.push(file)
      return Promise.resolve()
    }
    loadURL(url: string) {
      this.loaded.push(url)
      return Promise.resolve()
    }
  }
  const ipcMain = {
    handle: (channel: string, fn: (...args: unknown[]) => unknown) => {
      rec.calls.push(`ipcMain.handle:${channel}`)
      rec.handlers.set(channel, fn)
    },
    removeHandler: (channel: string) => {
      rec.calls.push(`ipcMain.removeHandler:${channel}`)
      rec.handlers.delete(channel)
    },
  }
  const noop = () => {}
  const defaultSession = {
    webRequest: { onBeforeRequest: () => rec.calls.push('onBeforeRequest'), onHeadersReceived: () => rec.calls.push('onHeadersReceived') },
    setPermissionRequestHandler: () => rec.calls.push('setPermissionRequestHandler'),
    setPermissionCheckHandler: () => rec.calls.push('setPermissionCheckHandler'),
    setDevicePermissionHandler: noop,
    setDisplayMediaRequestHandler: noop,
    on: noop,
  }
  return {
    app,
    BrowserWindow,
    ipcMain,
    // OS lock and suspend end every operator session.
    powerMonitor: { on: (event: string) => rec.calls.push(`powerMonitor:${event}`) },
    dialog: { showErrorBox: (t: string, m: string) => rec.calls.push(`error:${t}:${m}`) },
    session: { defaultSession },
    // The real workspace keeps API secrets sealed by the OS; here nothing is ever saved.
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (s: string) => Buffer.from(s),
      decryptString: (b: Buffer) => b.toString(),
    },
  }
})

afterAll(() => {
  setLogSink((l) => process.stderr.write(l + '\n'), 'warn')
  fs.rmSync(tmp, { recursive: true, force: true })
})

const ON_POSTGRES = process.env.COUNTERSIGN_TEST_DB === 'postgres'

/** DROP DATABASE without FORCE: refused ("being accessed by other users") while any connection to it is open. */
async function dropUnlessConnected(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1)
  const server = new pg.Client({ connectionString: process.env.COUNTERSIGN_TEST_PG_URL })
  await server.connect()
  try {
    await server.query(`DROP DATABASE "${name}"`)
  } finally {
    await server.end()
  }
}

const waitFor = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10))
  if (!cond()) throw new Error(`timed out waiting for ${what}`)
}

describe('src/main/index.ts', () => {
  it('starts, serves the app page over IPC, and closes the core before quitting', async () => {
    const dataDir = path.join(tmp, 'workspace')
    vi.stubEnv('COUNTERSIGN_DATA_DIR', dataDir)
    vi.stubEnv('ELECTRON_RENDERER_URL', '')
    await import('../../src/main/index')

    // Before ready: sandbox for every renderer, userData under the product name, the lock.
    expect(rec.calls.slice(0, 3)).toEqual(['enableSandbox', 'setPath:userData', 'requestSingleInstanceLock'])
    expect(rec.paths.get('userData')).toBe(path.join(tmp, 'appData', 'Countersign'))
    expect(rec.appListeners.get('web-contents-created')).toHaveLength(1)
    expect(rec.calls).not.toContain('new BrowserWindow')

    rec.ready!()
    await waitFor(() => rec.calls.includes('new BrowserWindow'), 'the window')
    // Session hardened and IPC bound before the window exists.
    const order = (c: string) => rec.calls.indexOf(c)
    expect(order('setPermissionRequestHandler')).toBeLessThan(order('new BrowserWindow'))
    expect(order('onBeforeRequest')).toBeLessThan(order('new BrowserWindow'))
    expect(order('ipcMain.handle:countersign:invoke')).toBeLessThan(order('new BrowserWindow'))
    expect(rec.calls.filter((c) => c.startsWith('ipcMain.handle'))).toEqual(['ipcMain.handle:countersign:invoke'])
    // The OS locking the screen or suspending ends every operator session.
    expect(rec.calls.filter((c) => c.startsWith('powerMonitor:'))).toEqual(['powerMonitor:lock-screen', 'powerMonitor:suspend'])
    // The workspace's database exists: the SQLite file, or (suite on PostgreSQL) a database named by workspace.json.
    const teamDb = readWorkspaceFile(dataDir)?.database
    if (ON_POSTGRES) expect(teamDb?.backend).toBe('postgres')
    else expect(fs.existsSync(path.join(dataDir, 'countersign.sqlite'))).toBe(true)

    const win = rec.windows[0]!
    const indexHtml = win.loaded[0]!
    expect(indexHtml).toMatch(/renderer[\\/]index\.html$/)
    expect((win.options.webPreferences as { preload: string }).preload).toMatch(/preload[\\/]index\.cjs$/)

    const invoke = rec.handlers.get('countersign:invoke')!
    const appFrame = { url: pathToFileURL(indexHtml).href, parent: null }
    expect(await invoke({ senderFrame: appFrame }, { name: 'app.info', input: {} })).toMatchObject({
      ok: true,
      data: { transport: 'electron', dataDir },
    })
    expect(await invoke({ senderFrame: { url: 'https://evil.example/', parent: null } }, { name: 'app.info', input: {} })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_SENDER' },
    })

    if (!ON_POSTGRES) expect(fs.existsSync(path.join(dataDir, 'countersign.sqlite-wal'))).toBe(true) // open, in WAL mode

    // Quit: held until the core is closed, then quit again for real.
    let prevented = false
    const beforeQuit = rec.appListeners.get('before-quit')![0]!
    beforeQuit({ preventDefault: () => (prevented = true) })
    expect(prevented).toBe(true)
    expect(rec.handlers.has('countersign:invoke')).toBe(false)
    await waitFor(() => rec.calls.includes('quit'), 'the second quit')
    let preventedAgain = false
    beforeQuit({ preventDefault: () => (preventedAgain = true) })
    expect(preventedAgain).toBe(false)
    // The database was closed: SQLite removes the -wal file when the last connection closes;
    // PostgreSQL drops a database (without FORCE) only when no connection to it is left.
    if (ON_POSTGRES) await dropUnlessConnected(teamDb!.url)
    else expect(fs.existsSync(path.join(dataDir, 'countersign.sqlite-wal'))).toBe(false)
    vi.unstubAllEnvs()
  })
})
