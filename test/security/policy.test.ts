/** The shell's security policy (src/main/security.ts): pure, so tested without Electron. */
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  CONTENT_SECURITY_POLICY,
  contentSecurityPolicy,
  createAppPageMatcher,
  isAppFileDownload,
  createRequestFilter,
  isPermissionAllowed,
  parseDataDirFlag,
  parseDevServerOrigin,
} from '../../src/main/security'

const INDEX_HTML = path.resolve('/opt/Countersign/resources/app/out/renderer/index.html')
const APP_URL = pathToFileURL(INDEX_HTML).href
const fileSource = { kind: 'file', indexHtmlPath: INDEX_HTML } as const
const devSource = { kind: 'dev', origin: 'http://localhost:5173' } as const

describe('isAppFileDownload', () => {
  it('lets the app page save the files it made (blob:), nothing else', () => {
    const isApp = createAppPageMatcher(fileSource)
    expect(isAppFileDownload('blob:file:///6f1c0e4e-1111-4a55-9b0c-2d6a3f3f9a10', APP_URL, isApp)).toBe(true)
    expect(isAppFileDownload('blob:null/6f1c0e4e-1111-4a55-9b0c-2d6a3f3f9a10', `${APP_URL}#/receipts`, isApp)).toBe(true)
    expect(isAppFileDownload('https://evil.example/payload.exe', APP_URL, isApp)).toBe(false)
    expect(isAppFileDownload(pathToFileURL('/etc/passwd').href, APP_URL, isApp)).toBe(false)
    expect(isAppFileDownload('blob:https://evil.example/6f1c', 'https://evil.example/', isApp)).toBe(false)
  })
})

describe('createAppPageMatcher', () => {
  it('production: exactly the renderer index.html over file://, any hash or query', () => {
    const isApp = createAppPageMatcher(fileSource)
    expect(isApp(APP_URL)).toBe(true)
    expect(isApp(`${APP_URL}#/batches/12`)).toBe(true)
    expect(isApp(`${APP_URL}?x=1`)).toBe(true)
    for (const url of [
      pathToFileURL(path.join(path.dirname(INDEX_HTML), 'other.html')).href,
      pathToFileURL(path.resolve('/etc/passwd')).href,
      APP_URL.replace('index.html', 'index.html/..'),
      APP_URL.replace('renderer', 'renderer%2F..%2Frenderer'),
      'file://evil.example' + new URL(APP_URL).pathname,
      'https://evil.example/',
      'http://localhost:5173/',
      'about:blank',
      'data:text/html,hi',
      'devtools://devtools/bundled/inspector.html',
      '',
      'garbage',
    ]) {
      expect(isApp(url), url).toBe(false)
    }
  })

  it('development: exactly the dev server origin over http', () => {
    const isApp = createAppPageMatcher(devSource)
    expect(isApp('http://localhost:5173/')).toBe(true)
    expect(isApp('http://localhost:5173/src/main.tsx?t=1#x')).toBe(true)
    for (const url of [
      'http://localhost:5174/',
      'http://127.0.0.1:5173/',
      'https://localhost:5173/',
      'ws://localhost:5173/',
      'http://localhost.evil.example:5173/',
      APP_URL,
    ]) {
      expect(isApp(url), url).toBe(false)
    }
  })
})

describe('parseDevServerOrigin', () => {
  it('accepts only http on loopback, without credentials', () => {
    expect(parseDevServerOrigin('http://localhost:5173')).toBe('http://localhost:5173')
    expect(parseDevServerOrigin('http://127.0.0.1:5173/')).toBe('http://127.0.0.1:5173')
    expect(parseDevServerOrigin('http://[::1]:5173/')).toBe('http://[::1]:5173')
    for (const bad of [
      undefined,
      '',
      'https://localhost:5173',
      'http://evil.example:5173',
      'http://localhost.evil.example',
      'http://user:pw@localhost:5173',
      'file:///tmp/x.html',
      'javascript:alert(1)',
      'nonsense',
    ]) {
      expect(parseDevServerOrigin(bad), String(bad)).toBeNull()
    }
  })
})

describe('createRequestFilter', () => {
  it('production: app files under the renderer folder, data:, blob:, devtools: — nothing else', () => {
    const allow = createRequestFilter(fileSource)
    const rendererDir = path.dirname(INDEX_HTML)
    expect(allow(APP_URL)).toBe(true)
    expect(allow(pathToFileURL(path.join(rendererDir, 'assets', 'index-abc.js')).href)).toBe(true)
    expect(allow('data:image/png;base64,AAAA')).toBe(true)
    expect(allow('blob:file:///1234')).toBe(true)
    expect(allow('devtools://devtools/bundled/inspector.html')).toBe(true)
    for (const url of [
      'https://evil.example/exfil?d=1',
      'http://localhost:5173/',
      'ws://localhost:5173/',
      'wss://evil.example/',
      'ftp://evil.example/',
      pathToFileURL(path.resolve('/etc/passwd')).href,
      pathToFileURL(path.join(rendererDir, '..', 'main', 'index.js')).href,
      pathToFileURL(rendererDir).href,
      'file://evil.example/share/x.js',
      'chrome://settings',
      'garbage',
    ]) {
      expect(allow(url), url).toBe(false)
    }
  })

  it('development: the dev server and its HMR socket only', () => {
    const allow = createRequestFilter(devSource)
    expect(allow('http://localhost:5173/src/main.tsx')).toBe(true)
    expect(allow('ws://localhost:5173/?token=x')).toBe(true)
    expect(allow('http://localhost:5174/')).toBe(false)
    expect(allow('ws://localhost:5174/')).toBe(false)
    expect(allow('https://evil.example/')).toBe(false)
    expect(allow(APP_URL)).toBe(false)
  })
})

describe('Content-Security-Policy', () => {
  it('production policy is exactly the strict one', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    )
    expect(contentSecurityPolicy(fileSource)).toBe(CONTENT_SECURITY_POLICY)
  })

  it('development relaxes only script-src (React Refresh preamble) and connect-src (HMR socket)', () => {
    const dev = contentSecurityPolicy(devSource)
    expect(dev).toContain("script-src 'self' 'unsafe-inline';")
    expect(dev).toContain("connect-src 'self' ws://localhost:5173;")
    expect(dev).not.toContain('unsafe-eval')
    const rest = (csp: string) => csp.split('; ').filter((d) => !d.startsWith('script-src') && !d.startsWith('connect-src'))
    expect(rest(dev)).toEqual(rest(CONTENT_SECURITY_POLICY))
  })
})

describe('permissions', () => {
  it('denies every permission a page can ask for', () => {
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'midi',
      'midiSysex',
      'pointerLock',
      'fullscreen',
      'openExternal',
      'clipboard-read',
      'clipboard-sanitized-write',
      'hid',
      'usb',
      'serial',
      'display-capture',
      'window-management',
      'unknown',
    ]) {
      expect(isPermissionAllowed(p), p).toBe(false)
    }
  })
})

describe('parseDataDirFlag', () => {
  it('reads --data-dir PATH and --data-dir=PATH', () => {
    expect(parseDataDirFlag(['electron', '.', '--data-dir', '/tmp/ws'])).toBe('/tmp/ws')
    expect(parseDataDirFlag(['electron', '.', '--data-dir=/tmp/ws2'])).toBe('/tmp/ws2')
    expect(parseDataDirFlag(['electron', '.'])).toBeUndefined()
    expect(parseDataDirFlag(['electron', '.', '--data-dir'])).toBeUndefined()
    expect(parseDataDirFlag(['electron', '.', '--data-dir', '--inspect'])).toBeUndefined()
    expect(parseDataDirFlag(['electron', '.', '--data-dir='])).toBeUndefined()
  })
})
