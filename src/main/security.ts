/**
 * The shell's security policy as plain data and pure functions: which page is "the app", which
 * requests a window may make, the Content-Security-Policy, the permission answer. No runtime
 * import of 'electron' here (type-only imports are erased), so tests load this module directly;
 * src/main/session.ts and src/main/window.ts wire it into Electron.
 */
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// ---------------------------------------------------------------------------------------------
// Which page is the app.

/**
 * Where the renderer comes from. Production: one file, out/renderer/index.html, loaded over
 * file://. Development: the electron-vite dev server on loopback.
 */
export type AppPageSource = { kind: 'file'; indexHtmlPath: string } | { kind: 'dev'; origin: string }

/** Hosts a dev server URL may name; anything else is refused (an env var must not point the app at the network). */
const DEV_SERVER_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * The dev server origin from electron-vite's ELECTRON_RENDERER_URL, or null if it is absent or
 * not an http URL on loopback. Callers only consult it when the app is not packaged.
 */
export function parseDevServerOrigin(rendererUrl: string | undefined): string | null {
  if (!rendererUrl) return null
  let url: URL
  try {
    url = new URL(rendererUrl)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' || !DEV_SERVER_HOSTS.has(url.hostname) || url.username !== '' || url.password !== '') return null
  return url.origin
}

/**
 * A predicate for "this URL is the app's own page": in production exactly the renderer's
 * index.html over file:// on this machine (any hash or query, no other file — a file:// origin
 * would otherwise cover the whole disk); in development the dev server's origin.
 */
export function createAppPageMatcher(source: AppPageSource): (url: string) => boolean {
  if (source.kind === 'dev') {
    const origin = source.origin
    return (url) => {
      const parsed = tryParseUrl(url)
      return parsed !== null && parsed.protocol === 'http:' && parsed.origin === origin
    }
  }
  const expected = path.resolve(source.indexHtmlPath)
  return (url) => {
    const parsed = tryParseUrl(url)
    if (parsed === null || parsed.protocol !== 'file:' || parsed.host !== '') return false
    parsed.hash = ''
    parsed.search = ''
    try {
      return fileURLToPath(parsed) === expected
    } catch {
      // Encoded separators and the like: not our page.
      return false
    }
  }
}

/**
 * Downloads: only a file the app page made itself (receipts, exports, public keys — a Blob behind
 * an <a download>, so a `blob:` URL) started from the app page; Electron then shows its save
 * dialog. Anything else — a link to the network, a file:// URL, a page that is not ours — is refused.
 */
export function isAppFileDownload(downloadUrl: string, initiatorUrl: string, isAppPage: (url: string) => boolean): boolean {
  return downloadUrl.startsWith('blob:') && isAppPage(initiatorUrl)
}

/** The folder the production renderer loads its assets from (scripts, styles, fonts, images). */
export function rendererRoot(source: AppPageSource): string | null {
  return source.kind === 'file' ? path.dirname(path.resolve(source.indexHtmlPath)) : null
}

// ---------------------------------------------------------------------------------------------
// Which requests a window may make at all (session.webRequest.onBeforeRequest).

/**
 * The renderer talks to the core through IPC only; it never needs the network. This allows the
 * app's own files (production: under the renderer folder only), the dev server (http and its HMR
 * WebSocket on the same host and port), data:/blob: (images, generated files) and devtools:.
 * Everything else is cancelled — CSP says the same, this is the second lock.
 */
export function createRequestFilter(source: AppPageSource): (url: string) => boolean {
  const root = rendererRoot(source)
  const devOrigin = source.kind === 'dev' ? tryParseUrl(source.origin) : null
  return (url) => {
    const parsed = tryParseUrl(url)
    if (parsed === null) return false
    switch (parsed.protocol) {
      case 'data:':
      case 'blob:':
      case 'devtools:':
        return true
      case 'file:': {
        if (root === null || parsed.host !== '') return false
        let file: string
        try {
          file = fileURLToPath(parsed)
        } catch {
          return false
        }
        return isInside(root, file)
      }
      case 'http:':
        return devOrigin !== null && parsed.origin === devOrigin.origin
      case 'ws:':
        return devOrigin !== null && parsed.host === devOrigin.host
      default:
        return false
    }
  }
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, path.resolve(file))
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

// ---------------------------------------------------------------------------------------------
// Content-Security-Policy.

/** The production policy. index.html carries the same text in a <meta http-equiv> tag. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ')

/**
 * The policy sent as a response header. In development Vite serves the page: React Refresh
 * injects an inline module script and HMR talks over a WebSocket to the dev server, so (and only
 * then) script-src allows 'unsafe-inline' and connect-src allows that one ws:// origin.
 */
export function contentSecurityPolicy(source: AppPageSource): string {
  if (source.kind === 'file') return CONTENT_SECURITY_POLICY
  const ws = source.origin.replace(/^http:/, 'ws:')
  return CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "connect-src 'self'",
    `connect-src 'self' ${ws}`,
  )
}

// ---------------------------------------------------------------------------------------------
// Permissions.

/**
 * Web permissions the renderer may use. None: no camera, notifications, geolocation, HID/USB/
 * serial from the page (the Ledger is driven from the main process), not even clipboard writes
 * through navigator.clipboard. Add a name here only with a reason beside it.
 */
export const PERMISSIONS_ALLOWED: ReadonlySet<string> = new Set<string>()

export function isPermissionAllowed(permission: string): boolean {
  return PERMISSIONS_ALLOWED.has(permission)
}

// ---------------------------------------------------------------------------------------------
// Command line.

/** The value of --data-dir PATH or --data-dir=PATH in argv, if given. */
export function parseDataDirFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--data-dir') {
      const next = argv[i + 1]
      return next !== undefined && !next.startsWith('--') ? next : undefined
    }
    if (arg.startsWith('--data-dir=')) {
      const value = arg.slice('--data-dir='.length)
      return value.length > 0 ? value : undefined
    }
  }
  return undefined
}

function tryParseUrl(url: string): URL | null {
  if (typeof url !== 'string') return null
  try {
    return new URL(url)
  } catch {
    return null
  }
}
