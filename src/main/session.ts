/**
 * Wires the policy of security.ts into Electron: the session (CSP header, request filter,
 * permissions, devices, downloads) and every WebContents the app ever creates (navigation,
 * new windows, webviews). Electron's security checklist, items 4–15.
 */
import { app, type Session, type WebContents } from 'electron'
import { log } from './core/log'
import {
  contentSecurityPolicy,
  createAppPageMatcher,
  createRequestFilter,
  isAppFileDownload,
  isPermissionAllowed,
  type AppPageSource,
} from './security'

export function hardenSession(ses: Session, source: AppPageSource): void {
  const csp = contentSecurityPolicy(source)
  const isAllowedRequest = createRequestFilter(source)

  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url)
    if (!allowed) log('warn', 'blocked a request from a window', { url: details.url.slice(0, 200), resourceType: details.resourceType })
    callback({ cancel: !allowed })
  })

  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {}
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      // Ours replaces whatever the server said (the dev server sends none).
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value
    }
    headers['Content-Security-Policy'] = [csp]
    callback({ responseHeaders: headers })
  })

  ses.setPermissionRequestHandler((_webContents, permission, callback) => {
    const allowed = isPermissionAllowed(permission)
    if (!allowed) log('info', 'denied a permission request', { permission })
    callback(allowed)
  })
  ses.setPermissionCheckHandler((_webContents, permission) => isPermissionAllowed(permission))
  ses.setDevicePermissionHandler(() => false)
  ses.setDisplayMediaRequestHandler((_request, callback) => callback(null))

  // Device pickers: cancel any request the page makes (the Ledger is opened from main, not WebHID).
  ses.on('select-hid-device', (event, _details, callback) => {
    event.preventDefault()
    callback('')
  })
  ses.on('select-usb-device', (event, _details, callback) => {
    event.preventDefault()
    callback('')
  })
  ses.on('select-serial-port', (event, _ports, _webContents, callback) => {
    event.preventDefault()
    callback('')
  })

  // Files the app page made (receipts, exports) are saved through Electron's save dialog; nothing
  // else is downloaded.
  const isAppPage = createAppPageMatcher(source)
  ses.on('will-download', (event, item, contents) => {
    if (isAppFileDownload(item.getURL(), contents.getURL(), isAppPage)) return
    log('warn', 'blocked a download from a window', { url: item.getURL().slice(0, 200) })
    event.preventDefault()
  })
}

/**
 * Every WebContents (windows, devtools, anything created later): no navigation away from the
 * app page, no new windows, no webviews. Install before the first window is created.
 */
export function hardenAllWebContents(isAppPage: (url: string) => boolean): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, isAppPage))
}

function hardenWebContents(contents: WebContents, isAppPage: (url: string) => boolean): void {
  contents.on('will-navigate', (event) => {
    if (!isAppPage(event.url)) {
      log('warn', 'blocked a navigation', { url: event.url.slice(0, 200) })
      event.preventDefault()
    }
  })
  contents.on('will-redirect', (event) => {
    if (!isAppPage(event.url)) {
      log('warn', 'blocked a redirect', { url: event.url.slice(0, 200) })
      event.preventDefault()
    }
  })
  // Explorer links open nowhere for now: a later issue may allow-list https explorer URLs and
  // hand them to shell.openExternal after checking them against that list.
  contents.setWindowOpenHandler(({ url }) => {
    log('warn', 'blocked a new window', { url: url.slice(0, 200) })
    return { action: 'deny' }
  })
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
  })
}
