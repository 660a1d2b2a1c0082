/**
 * Electron main process: the shell around the core. It opens one workspace (one core), binds it
 * to IPC, hardens the session and every WebContents, opens the window, and closes the core
 * before the process quits. All treasury logic lives in src/main/core.
 */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, dialog, powerMonitor, safeStorage, session, type BrowserWindow } from 'electron'
import { hasErrorCode, type ErrorCode } from '../shared/errors'
import { createCore, type Core } from './core/core'
import { mapSqliteDamage } from './core/db/sqlite/sqliteDamage'
import { workspaceSignerSource } from './platform/ledgerDevice/workspaceSignerSource'
import { createSafeStorageSecretStore } from './platform/safeStorageSecretStore'
import { DATA_DIR_ENV, PRODUCT_NAME, resolveDataDir } from './core/dataDir'
import { log, setLogSink } from './core/log'
import { bindCoreToIpc } from './ipc'
import { createAppPageMatcher, parseDataDirFlag, parseDevServerOrigin, type AppPageSource } from './security'
import { hardenAllWebContents, hardenSession } from './session'
import { createMainWindow } from './window'

/** out/main: the preload and renderer are built beside it. */
const OUT_MAIN_DIR = path.dirname(fileURLToPath(import.meta.url))
const PRELOAD_PATH = path.join(OUT_MAIN_DIR, '..', 'preload', 'index.cjs')
const INDEX_HTML_PATH = path.join(OUT_MAIN_DIR, '..', 'renderer', 'index.html')
/** better_sqlite3.node built for Electron's ABI by scripts/electron-native.mjs (npm start / dev). */
const ELECTRON_NATIVE_SQLITE_RELATIVE = path.join('build', 'electron-native', 'better_sqlite3.node')
/** The log file is rotated once at start when it grew past this. */
const LOG_FILE_BYTES_MAX = 10 * 1024 * 1024

// Before 'ready': every renderer sandboxed, and Chromium's profile in ".../Countersign" — the same
// folder the CLI uses by default (dataDir.ts), whatever the package name is.
app.enableSandbox()
app.setPath('userData', path.join(app.getPath('appData'), PRODUCT_NAME))

if (!app.requestSingleInstanceLock()) {
  // Another Countersign holds this workspace; it focuses its window (second-instance below).
  app.quit()
} else {
  start()
}

function start(): void {
  setUpLogFile()
  const source = pageSource()
  const isAppPage = createAppPageMatcher(source)
  hardenAllWebContents(isAppPage)

  let core: Core | null = null
  let unbindIpc: () => void = () => {}
  let mainWindow: BrowserWindow | null = null
  let quitting = false
  let closed = false

  app.on('second-instance', () => {
    if (!mainWindow || mainWindow.isDestroyed()) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })

  // One window, one workspace: closing it quits on every platform (the poller stops with it).
  app.on('window-all-closed', () => app.quit())

  app.on('before-quit', (event) => {
    quitting = true
    if (closed || core === null) return
    // Hold the quit until the core has stopped its poller and closed the database.
    event.preventDefault()
    const closing = core
    core = null
    unbindIpc()
    closing
      .close()
      .catch((error: unknown) => log('error', 'closing the core failed', { error }))
      .finally(() => {
        closed = true
        app.quit()
      })
  })

  void app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession, source)
      const dataDir = chooseDataDir()
      let created: Core
      try {
        created = await createCore({
          dataDir,
          transport: 'electron',
          signer: workspaceSignerSource,
          liveUpdates: true,
          // A sandbox keeps its harness key in its own folder (the core's default); a real workspace, OS-encrypted.
          secrets: ({ sandbox }) => (sandbox ? undefined : createSafeStorageSecretStore({ safeStorage, dataDir })),
          ...nativeBindingOption(),
        })
      } catch (error) {
        fail(error)
        return
      }
      if (quitting) {
        await created.close()
        return
      }
      core = created
      unbindIpc = bindCoreToIpc(created, isAppPage)
      // The OS locking the screen or suspending ends every operator session (the key material with it).
      powerMonitor.on('lock-screen', () => created.api.sessions.lockAll())
      powerMonitor.on('suspend', () => created.api.sessions.lockAll())
      created.poller.start()
      mainWindow = createMainWindow({
        preloadPath: PRELOAD_PATH,
        load: source.kind === 'dev' ? { url: process.env.ELECTRON_RENDERER_URL! } : { file: source.indexHtmlPath },
        iconPath: path.join(app.getAppPath(), 'resources', 'icon.png'),
        devTools: !app.isPackaged,
      })
      // A reload or navigation starts the page over: its operator session ends with it.
      const channel = { id: `ipc:${mainWindow.webContents.id}`, kind: 'window' as const }
      mainWindow.webContents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) created.api.sessions.lock(channel)
      })
      mainWindow.webContents.on('render-process-gone', () => created.api.sessions.lock(channel))
      mainWindow.on('closed', () => {
        created.api.sessions.lock(channel)
        mainWindow = null
      })
    })
    .catch(fail)
}

/** The dev server in `electron-vite dev` (never in a packaged app), else the built index.html. */
function pageSource(): AppPageSource {
  const rendererUrl = process.env.ELECTRON_RENDERER_URL
  if (!app.isPackaged && rendererUrl) {
    const origin = parseDevServerOrigin(rendererUrl)
    if (origin) return { kind: 'dev', origin }
    log('warn', 'ignoring ELECTRON_RENDERER_URL: not an http URL on loopback', { url: rendererUrl.slice(0, 200) })
  }
  return { kind: 'file', indexHtmlPath: INDEX_HTML_PATH }
}

/** --data-dir, else COUNTERSIGN_DATA_DIR, else Electron's userData folder. */
function chooseDataDir(): string {
  const flag = parseDataDirFlag(process.argv)
  if (flag || process.env[DATA_DIR_ENV]) return resolveDataDir(flag)
  return app.getPath('userData')
}

/**
 * The Electron-ABI build of better-sqlite3 when it is there (npm start / dev make it). Node's own
 * build in node_modules stays for the CLI and tests; a packaged app rebuilds node_modules itself.
 */
function nativeBindingOption(): { sqliteNativeBinding?: string } {
  const candidate = path.join(app.getAppPath(), ELECTRON_NATIVE_SQLITE_RELATIVE)
  return fs.existsSync(candidate) ? { sqliteNativeBinding: candidate } : {}
}

function fail(thrown: unknown): void {
  log('error', 'Countersign could not start', { error: thrown })
  // A full disk (or a damaged file) met while opening says so, with what to do.
  const error = mapSqliteDamage(thrown, null)
  let message: string
  if (isAbiMismatch(error)) {
    message =
      'The SQLite module was built for a different runtime than this Electron. Start the app with "npm start" or "npm run dev" — they build SQLite for Electron into build/electron-native.'
  } else if (['DB_LOCKED', 'DB_NEWER_THAN_APP', 'DATA_DIR_INVALID', 'DISK_FULL'].some((code) => hasErrorCode(error, code as ErrorCode))) {
    message = (error as Error).message
  } else {
    message = 'Countersign could not open its workspace. Details are in the log file.'
  }
  dialog.showErrorBox('Countersign could not start', message)
  app.exit(1)
}

function isAbiMismatch(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (
      /NODE_MODULE_VERSION|compiled against a different Node\.js version|invalid ELF header|not a valid Win32 application/i.test(e.message)
    )
      return true
  }
  return false
}

/** Core log lines go to <logs>/main.log (and stderr, for `npm run dev`). */
function setUpLogFile(): void {
  let file: string
  try {
    const dir = app.getPath('logs')
    fs.mkdirSync(dir, { recursive: true })
    file = path.join(dir, 'main.log')
    if (fs.existsSync(file) && fs.statSync(file).size > LOG_FILE_BYTES_MAX) fs.renameSync(file, `${file}.1`)
  } catch {
    return // stderr only
  }
  setLogSink((line) => {
    process.stderr.write(line + '\n')
    try {
      fs.appendFileSync(file, line + '\n', { mode: 0o600 })
    } catch {
      // A full disk must not take the app down; stderr still has it.
    }
  })
}
