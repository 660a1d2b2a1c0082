/**
 * The main window. Its webPreferences are written out literally on purpose: the renderer is a
 * sandboxed web page with no Node, isolated from the preload, and Electronegativity (which reads
 * the built code) can see each setting. test/security/window.test.ts checks them too.
 */
import { BrowserWindow } from 'electron'
import { log } from './core/log'

export interface MainWindowOptions {
  /** Absolute path of the built preload (out/preload/index.cjs). */
  preloadPath: string
  /** What to load: the built index.html, or the dev server URL. */
  load: { file: string } | { url: string }
  iconPath?: string
  /** DevTools are for development only; a packaged app has none. */
  devTools: boolean
}

export const WINDOW_WIDTH_DEFAULT = 1280
export const WINDOW_HEIGHT_DEFAULT = 820
export const WINDOW_WIDTH_MIN = 960
export const WINDOW_HEIGHT_MIN = 640

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    title: 'Countersign',
    width: WINDOW_WIDTH_DEFAULT,
    height: WINDOW_HEIGHT_DEFAULT,
    minWidth: WINDOW_WIDTH_MIN,
    minHeight: WINDOW_HEIGHT_MIN,
    show: false,
    backgroundColor: '#ffffff',
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // Middle-click would open links in a new window (denied anyway by setWindowOpenHandler).
      disableBlinkFeatures: 'Auxclick',
      safeDialogs: true,
      // The spellchecker downloads dictionaries from a Google CDN; a treasury desk needs none.
      spellcheck: false,
      devTools: options.devTools,
    },
  })
  win.once('ready-to-show', () => win.show())
  const loading = 'file' in options.load ? win.loadFile(options.load.file) : win.loadURL(options.load.url)
  loading.catch((error: unknown) => log('error', 'the window could not load the app page', { error }))
  return win
}
