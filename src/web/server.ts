/**
 * Browser mode: the real renderer in any Chromium, talking to the same core over a loopback
 * WebSocket. This is how the E2E tests drive the UI where no Electron binary exists, and how a
 * developer can run the app without Electron.
 *
 * Security model (a local web server is reachable by every page the user's browser opens):
 * - listen on loopback only, and answer only requests whose Host is our own 127.0.0.1:PORT
 *   (defeats DNS rebinding);
 * - serve only the built renderer files (no listing, no traversal, no symlinks out);
 * - the WebSocket upgrade needs BOTH our exact Origin AND the per-launch token (32 random bytes),
 *   presented as a Sec-WebSocket-Protocol entry — a header, so it never lands in a URL, a log or
 *   a Referer — and compared in constant time; anything else is refused before the upgrade;
 * - the core validates every call; here we only check the envelope and bound its size.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import type net from 'node:net'
import path from 'node:path'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { toWireResult, type Result } from '../shared/api'
import { WS_FRAME_BYTES_MAX } from '../shared/limits'
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_BYTES, WS_TOKEN_PROTOCOL_PREFIX } from '../shared/webProtocol'
import type { ErrorPayload } from '../shared/errors'
import type { Core } from '../main/core/core'

// ---------------------------------------------------------------------------------------------
// Limits of this server (units last in the name). Wire names live in src/shared/webProtocol.ts,
// the frame and payload limits in src/shared/limits.ts.

/** Bytes of randomness in the per-launch token. */
export const TOKEN_BYTES = WS_TOKEN_BYTES
/** Browser tabs connected at once (a person has one or two; tests have one). */
export const WS_CLIENTS_MAX = 16
/** Calls one connection may have running at once; more are refused, not queued. */
export const WS_CALLS_IN_FLIGHT_MAX = 64
/** Longest request id echoed back. */
const REQUEST_ID_CHARS_MAX = 64
/** Longest request line we read (a static file path is far shorter). */
const URL_CHARS_MAX = 2_048
/** A file larger than this is not one of ours. */
const STATIC_FILE_BYTES_MAX = 32 * 1024 * 1024
/** How long shutdown waits for tabs to answer the close frame before dropping them. */
const CLOSE_GRACE_MS = 1_000
/** A socket whose peer stops reading gets this much buffered before we drop it. */
const WS_BUFFERED_BYTES_MAX = 64 * 1024 * 1024

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
}

export interface WebServerOptions {
  core: Pick<Core, 'api' | 'events'>
  /** Loopback only; anything else is refused. */
  host?: '127.0.0.1'
  /** 0 picks a free port. */
  port?: number
  /** The built renderer (out/renderer), holding index.html. */
  rendererDir: string
  /** Where refusals are reported (never with the token). Default: silent. */
  onWarning?: (message: string) => void
}

export interface WebServer {
  /** http://127.0.0.1:PORT/ — give people `${url}#token=${token}`. */
  url: string
  token: string
  port: number
  close(): Promise<void>
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1'
  if (host !== '127.0.0.1') throw new Error(`invariant: browser mode listens on 127.0.0.1 only, not ${String(host)}`)
  const rendererDir = fs.realpathSync(path.resolve(options.rendererDir))
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(
      `The renderer is not built: ${path.join(rendererDir, 'index.html')} is missing — run \`npx electron-vite build\` first.`,
    )
  }
  const warn = options.onWarning ?? (() => {})
  const tokenBytes = crypto.randomBytes(TOKEN_BYTES)
  const token = tokenBytes.toString('hex')

  // Set once we know the port (after listen); every check below reads them.
  let origin = ''
  let hostHeader = ''
  let securityHeaders: Record<string, string> = {}

  const server = http.createServer((req, res) => serveStatic(req, res))
  const wss = new WebSocketServer({
    noServer: true,
    // One envelope around an input of at most PAYLOAD_BYTES_MAX (src/shared/limits.ts).
    maxPayload: WS_FRAME_BYTES_MAX,
    perMessageDeflate: false,
    clientTracking: true,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  })

  function serveStatic(req: http.IncomingMessage, res: http.ServerResponse): void {
    const send = (status: number, body: string, extra: Record<string, string> = {}): void => {
      res.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8', ...extra })
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    if (req.headers.host !== hostHeader) return send(421, 'Misdirected request.\n')
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed.\n', { Allow: 'GET, HEAD' })
    const file = resolveStaticFile(rendererDir, req.url ?? '/')
    if (!file) return send(404, 'Not found.\n')
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()]
    if (!type) return send(404, 'Not found.\n')
    let body: Buffer
    try {
      const stat = fs.statSync(file)
      if (!stat.isFile() || stat.size > STATIC_FILE_BYTES_MAX) return send(404, 'Not found.\n')
      body = fs.readFileSync(file)
    } catch {
      return send(404, 'Not found.\n')
    }
    res.writeHead(200, { ...securityHeaders, 'Content-Type': type, 'Content-Length': String(body.length) })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const refusal = checkUpgrade(req)
    if (refusal) {
      warn(`refused a WebSocket connection: ${refusal.reason}`)
      socket.end(`HTTP/1.1 ${refusal.status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws))
  })

  function checkUpgrade(req: http.IncomingMessage): { status: string; reason: string } | null {
    const url = req.url ?? ''
    if (url !== WS_PATH) return { status: '404 Not Found', reason: 'wrong path' }
    if (req.headers.host !== hostHeader) return { status: '421 Misdirected Request', reason: 'wrong Host header' }
    if (req.headers.origin !== origin) return { status: '403 Forbidden', reason: 'wrong or missing Origin' }
    if (!presentsToken(req.headers['sec-websocket-protocol'], tokenBytes))
      return { status: '401 Unauthorized', reason: 'missing or wrong token' }
    if (wss.clients.size >= WS_CLIENTS_MAX) return { status: '503 Service Unavailable', reason: `more than ${WS_CLIENTS_MAX} connections` }
    return null
  }

  function onConnection(ws: WebSocket): void {
    let inFlight = 0
    // One session per connection: whoever unlocks here acts here only; a closed or reloaded page is locked.
    const channel = { id: `ws:${crypto.randomBytes(12).toString('hex')}`, kind: 'window' as const }
    const stopLockedNotice = options.core.api.sessions.onLocked((channelId) => {
      if (channelId === channel.id && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ event: 'session.locked', payload: {} }))
    })
    ws.on('close', () => {
      stopLockedNotice()
      options.core.api.sessions.lock(channel)
    })
    const reply = (message: unknown): void => {
      if (ws.readyState !== ws.OPEN) return
      if (ws.bufferedAmount > WS_BUFFERED_BYTES_MAX) {
        ws.terminate()
        return
      }
      ws.send(JSON.stringify(message))
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const envelope = parseEnvelope(data, isBinary)
      if (!envelope.ok) {
        reply({ id: envelope.id, result: failure('INVALID_INPUT', envelope.message) })
        return
      }
      const { id, name, input, meta } = envelope
      if (inFlight >= WS_CALLS_IN_FLIGHT_MAX) {
        reply({
          id,
          result: failure(
            'INVALID_INPUT',
            `More than ${WS_CALLS_IN_FLIGHT_MAX} requests are running at once — wait for them to finish and try again.`,
          ),
        })
        return
      }
      inFlight++
      // invoke never rejects (errors come back as results); the catch is a second net.
      void options.core.api
        .invoke(name, input, meta, channel)
        .catch((): Result<unknown> => failure('INTERNAL', 'Something went wrong inside Countersign and nothing was changed — try again.'))
        .then((result) => {
          inFlight--
          // Field by field, details through the contract's whitelist: the same rule as Electron IPC.
          reply({ id, result: toWireResult(result) })
        })
    })
    ws.on('error', () => ws.terminate())
  }

  const unsubscribe = options.core.events.subscribe((event, payload) => {
    const frame = JSON.stringify({ event, payload })
    for (const client of wss.clients) {
      if (client.readyState === client.OPEN && client.bufferedAmount <= WS_BUFFERED_BYTES_MAX) client.send(frame)
    }
  })

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    unsubscribe()
    wss.close()
    throw error
  }
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('invariant: the web server has no TCP address')
  const port = address.port
  hostHeader = `${host}:${port}`
  origin = `http://${hostHeader}`
  securityHeaders = securityHeadersFor(port)

  let closing: Promise<void> | null = null
  return {
    url: `${origin}/`,
    token,
    port,
    close() {
      closing ??= (async () => {
        unsubscribe()
        // Say goodbye properly, but a tab that does not answer (asleep, already gone) does not
        // hold the shutdown up: ws would otherwise wait its 30 s close timeout per client.
        const closed = new Promise<void>((resolve) => wss.close(() => resolve()))
        for (const client of wss.clients) client.close(1001, 'Countersign is shutting down')
        const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref())
        await Promise.race([closed, grace])
        for (const client of wss.clients) client.terminate()
        await closed
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
      })()
      return closing
    },
  }
}

/** The HTTP headers every response carries. Mirrors (and tightens) the meta CSP in index.html. */
export function securityHeadersFor(port: number): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    // Mantine sets inline style attributes and a <style> for its CSS variables.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://127.0.0.1:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  }
}

/**
 * Map a request URL to a file inside `root`, or null. Decodes once, refuses NUL, backslashes and
 * any path that normalises outside root, then resolves symlinks and checks again.
 */
export function resolveStaticFile(root: string, rawUrl: string): string | null {
  if (rawUrl.length > URL_CHARS_MAX || !rawUrl.startsWith('/')) return null
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(rawUrl, 'http://x').pathname)
  } catch {
    return null
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null
  if (pathname.endsWith('/')) pathname += 'index.html'
  const candidate = path.resolve(root, '.' + path.posix.normalize(pathname))
  if (!isInside(root, candidate)) return null
  let real: string
  try {
    real = fs.realpathSync(candidate)
  } catch {
    return null
  }
  return isInside(root, real) ? real : null
}

function isInside(root: string, file: string): boolean {
  const rel = path.relative(root, file)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

/** True if the Sec-WebSocket-Protocol list carries our token (constant-time compare). */
function presentsToken(header: string | undefined, expected: Buffer): boolean {
  if (typeof header !== 'string') return false
  let found = false
  for (const entry of header.split(',')) {
    const value = entry.trim()
    if (!value.startsWith(WS_TOKEN_PROTOCOL_PREFIX)) continue
    const hex = value.slice(WS_TOKEN_PROTOCOL_PREFIX.length)
    if (!/^[0-9a-f]+$/.test(hex) || hex.length !== expected.length * 2) continue
    // Always compare every candidate so timing says nothing about which one matched.
    if (crypto.timingSafeEqual(Buffer.from(hex, 'hex'), expected)) found = true
  }
  return found
}

type Envelope =
  | { ok: true; id: string | number; name: unknown; input: unknown; meta: unknown }
  | { ok: false; id: string | number | null; message: string }

/** Check the envelope's shape only; the core checks the name, input and meta against the contract. */
function parseEnvelope(data: RawData, isBinary: boolean): Envelope {
  if (isBinary) return { ok: false, id: null, message: 'The request was binary — send one JSON object per message.' }
  let value: unknown
  try {
    value = JSON.parse(rawToString(data))
  } catch {
    return { ok: false, id: null, message: 'The request is not valid JSON — send one JSON object per message.' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, id: null, message: 'The request must be a JSON object {id, name, input, meta}.' }
  }
  const v = value as Record<string, unknown>
  const id = v.id
  const idOk =
    (typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && id.length > 0 && id.length <= REQUEST_ID_CHARS_MAX)
  if (!idOk)
    return { ok: false, id: null, message: `The request needs an id: an integer or a string of 1–${REQUEST_ID_CHARS_MAX} characters.` }
  if (typeof v.name !== 'string') return { ok: false, id, message: 'The request needs a call name (a string).' }
  return { ok: true, id, name: v.name, input: v.input, meta: v.meta }
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8')
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.from(data).toString('utf8')
}

function failure(code: ErrorPayload['code'], message: string): Result<never> {
  return { ok: false, error: { code, message } }
}
