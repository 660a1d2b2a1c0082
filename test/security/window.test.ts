/**
 * The real window.ts and session.ts, with 'electron' replaced by a recorder (the npm package
 * would try to download a binary when imported outside Electron). Asserts the options the main
 * window is created with and the handlers the shell installs.
 */
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { beforeEach, describe, expect, it, vi } from 'vitest'

const recorded = vi.hoisted(() => ({
  windows: [] as { options: Record<string, unknown>; loaded: string[] }[],
  appListeners: new Map<string, ((...args: unknown[]) => void)[]>(),
}))

vi.mock('electron', () => {
  class BrowserWindow {
    loaded: string[] = []
    constructor(options: Record<string, unknown>) {
      recorded.windows.push({ options, loaded: this.loaded })
    }
    once(): this {
      return this
    }
    loadFile(file: string): Promise<void> {
      this.loaded.push(`file:${file}`)
      return Promise.resolve()
    }
    loadURL(url: string): Promise<void> {
      this.loaded.push(`url:${url}`)
      return Promise.resolve()
    }
  }
  const app = {
    on(event: string, listener: (...args: unknown[]) => void) {
      const list = recorded.appListeners.get(event) ?? []
      list.push(listener)
      recorded.appListeners.set(event, list)
      return app
    },
  }
  return { BrowserWindow, app }
})

const { createMainWindow } = await import('../../src/main/window')
const { hardenAllWebContents, hardenSession } = await import('../../src/main/session')
const { createAppPageMatcher, CONTENT_SECURITY_POLICY } = await import('../../src/main/security')

const INDEX_HTML = path.resolve('/opt/Countersign/out/renderer/index.html')
const APP_URL = pathToFileURL(INDEX_HTML).href
const fileSource = { kind: 'file', indexHtmlPath: INDEX_HTML } as const

beforeEach(() => {
  recorded.windows.length = 0
  recorded.appListeners.clear()
})

describe('main window', () => {
  it('is created sandboxed, context-isolated, without Node, webviews or insecure content', () => {
    createMainWindow({ preloadPath: '/opt/Countersign/out/preload/index.cjs', load: { file: INDEX_HTML }, devTools: false })
    expect(recorded.windows).toHaveLength(1)
    const { options, loaded } = recorded.windows[0]!
    const prefs = options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      preload: '/opt/Countersign/out/preload/index.cjs',
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
      spellcheck: false,
      devTools: false,
      disableBlinkFeatures: 'Auxclick',
    })
    expect(prefs).not.toHaveProperty('enableBlinkFeatures')
    expect(prefs).not.toHaveProperty('additionalArguments')
    expect(options.show).toBe(false)
    expect(loaded).toEqual([`file:${INDEX_HTML}`])
  })

  it('loads the dev server URL in development, and DevTools follow the flag', () => {
    createMainWindow({ preloadPath: '/p.cjs', load: { url: 'http://localhost:5173' }, devTools: true })
    const { options, loaded } = recorded.windows[0]!
    expect(loaded).toEqual(['url:http://localhost:5173'])
    expect((options.webPreferences as Record<string, unknown>).devTools).toBe(true)
  })
})

type Handler = (...args: unknown[]) => unknown

function fakeWebContents() {
  const on = new Map<string, Handler>()
  let windowOpenHandler: Handler | undefined
  const contents = {
    on(event: string, h: Handler) {
      on.set(event, h)
      return contents
    },
    setWindowOpenHandler(h: Handler) {
      windowOpenHandler = h
    },
  }
  return { contents, on, open: (details: unknown) => windowOpenHandler!(details) }
}

function navEvent(url: string) {
  return {
    url,
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true
    },
  }
}

describe('every WebContents', () => {
  it('blocks navigation and redirects away from the app page, new windows and webviews', () => {
    hardenAllWebContents(createAppPageMatcher(fileSource))
    const created = recorded.appListeners.get('web-contents-created')
    expect(created).toHaveLength(1)
    const wc = fakeWebContents()
    created![0]!({}, wc.contents)

    for (const event of ['will-navigate', 'will-redirect']) {
      const evil = navEvent('https://evil.example/')
      wc.on.get(event)!(evil)
      expect(evil.defaultPrevented, event).toBe(true)
      const file = navEvent(pathToFileURL(path.resolve('/etc/passwd')).href)
      wc.on.get(event)!(file)
      expect(file.defaultPrevented, event).toBe(true)
      const self = navEvent(`${APP_URL}#/ledger`)
      wc.on.get(event)!(self)
      expect(self.defaultPrevented, event).toBe(false)
    }

    expect(wc.open({ url: 'https://etherscan.io/tx/0x1' })).toEqual({ action: 'deny' })
    expect(wc.open({ url: APP_URL })).toEqual({ action: 'deny' })

    const attach = navEvent('')
    wc.on.get('will-attach-webview')!(attach, {}, {})
    expect(attach.defaultPrevented).toBe(true)
  })
})

describe('the session', () => {
  function fakeSession() {
    const h: Record<string, Handler> = {}
    const on = new Map<string, Handler>()
    const ses = {
      webRequest: {
        onBeforeRequest: (fn: Handler) => (h.beforeRequest = fn),
        onHeadersReceived: (fn: Handler) => (h.headersReceived = fn),
      },
      setPermissionRequestHandler: (fn: Handler) => (h.permissionRequest = fn),
      setPermissionCheckHandler: (fn: Handler) => (h.permissionCheck = fn),
      setDevicePermissionHandler: (fn: Handler) => (h.devicePermission = fn),
      setDisplayMediaRequestHandler: (fn: Handler) => (h.displayMedia = fn),
      on: (event: string, fn: Handler) => on.set(event, fn),
    }
    return { ses, h, on }
  }

  it('denies permissions, device pickers, downloads and off-app requests; sets the CSP header', () => {
    const { ses, h, on } = fakeSession()
    hardenSession(ses as never, fileSource)

    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'hid', 'openExternal']) {
      let answer: unknown
      h.permissionRequest!({}, permission, (allowed: boolean) => (answer = allowed), {})
      expect(answer, permission).toBe(false)
      expect(h.permissionCheck!({}, permission, 'file://', {})).toBe(false)
    }
    expect(h.devicePermission!({})).toBe(false)
    let streams: unknown = 'unset'
    h.displayMedia!({}, (s: unknown) => (streams = s))
    expect(streams).toBeNull()

    for (const event of ['select-hid-device', 'select-usb-device']) {
      const e = navEvent('')
      let chosen: unknown = 'unset'
      on.get(event)!(e, {}, (id: unknown) => (chosen = id))
      expect(e.defaultPrevented, event).toBe(true)
      expect(chosen, event).toBe('')
    }
    {
      const e = navEvent('')
      let chosen: unknown = 'unset'
      on.get('select-serial-port')!(e, [], {}, (id: unknown) => (chosen = id))
      expect(e.defaultPrevented).toBe(true)
      expect(chosen).toBe('')
    }
    const download = navEvent('')
    on.get('will-download')!(download, { getURL: () => 'https://evil.example/x.exe' }, { getURL: () => APP_URL })
    expect(download.defaultPrevented).toBe(true)
    // A file the app page made (a receipt, an export): Electron's save dialog, not refused.
    const saved = navEvent('')
    on.get('will-download')!(saved, { getURL: () => 'blob:file:///0b6f2a1e-7c1d-4f7e-9a55-3c2b1d0e9f88' }, { getURL: () => APP_URL })
    expect(saved.defaultPrevented).toBe(false)
    const foreign = navEvent('')
    on.get('will-download')!(foreign, { getURL: () => 'blob:https://evil.example/0b6f' }, { getURL: () => 'https://evil.example/' })
    expect(foreign.defaultPrevented).toBe(true)

    const decide = (url: string) => {
      let cancel: unknown
      h.beforeRequest!({ url, resourceType: 'xhr' }, (r: { cancel: boolean }) => (cancel = r.cancel))
      return cancel
    }
    expect(decide(APP_URL)).toBe(false)
    expect(decide('https://evil.example/exfil')).toBe(true)

    let headers: Record<string, string[]> = {}
    h.headersReceived!(
      { url: APP_URL, responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] } },
      (r: { responseHeaders: Record<string, string[]> }) => (headers = r.responseHeaders),
    )
    expect(headers['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY])
    expect(headers['content-security-policy']).toBeUndefined()
    expect(headers['X-Other']).toEqual(['1'])
  })
})
