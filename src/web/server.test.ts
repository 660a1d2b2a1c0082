import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PROTOCOL_PREFIX } from '../shared/webProtocol'
import { createCore, type Core } from '../main/core/core'
import { startWebServer, type WebServer } from './server'

let core: Core
let server: WebServer
let root: string
let rendererDir: string

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-web-'))
  rendererDir = path.join(root, 'renderer')
  fs.mkdirSync(path.join(rendererDir, 'assets'), { recursive: true })
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  fs.writeFileSync(path.join(rendererDir, 'assets', 'data.bin'), 'x')
  fs.writeFileSync(path.join(root, 'secret.txt'), 'secret')
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(rendererDir, 'link.txt'))
  core = await createCore({ dataDir: ':memory:', transport: 'web' })
  server = await startWebServer({ core, rendererDir })
})

afterAll(async () => {
  await server?.close()
  await core?.close()
  fs.rmSync(root, { recursive: true, force: true })
})

function get(
  rawPath: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: rawPath, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

function connect(options: { token?: string | null; origin?: string | null } = {}): Promise<WebSocket> {
  const token = options.token === undefined ? server.token : options.token
  const origin = options.origin === undefined ? `http://127.0.0.1:${server.port}` : options.origin
  const protocols = [WS_PROTOCOL, ...(token ? [`${WS_TOKEN_PROTOCOL_PREFIX}${token}`] : [])]
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${WS_PATH}`, protocols, origin ? { origin } : {})
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function nextMessage(ws: WebSocket, match: (m: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as Record<string, unknown>
      if (!match(m)) return
      ws.off('message', on)
      resolve(m)
    }
    ws.on('message', on)
  })
}

describe('browser mode: static files', () => {
  it('serves index.html on loopback with the security headers', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`)
    expect(server.token).toMatch(/^[0-9a-f]{64}$/)
    const res = await get('/')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.headers['content-security-policy']).toContain("script-src 'self'")
    expect(res.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`)
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['cache-control']).toBe('no-store')
    expect((await get('/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8')
  })

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e%5c..%5csecret.txt',
    '/link.txt',
    '/assets/data.bin',
    '/assets/',
    '/nope.js',
    '/%00',
    '//etc/passwd',
  ])('refuses %s', async (p) => {
    const res = await get(p)
    expect(res.status).toBe(404)
    expect(res.body).not.toContain('secret')
  })

  it('answers only its own Host (no DNS rebinding) and only GET/HEAD', async () => {
    expect((await get('/', { Host: 'evil.example:80' })).status).toBe(421)
    expect((await get('/', {}, 'POST')).status).toBe(405)
    expect((await get('/', {}, 'HEAD')).status).toBe(200)
  })
})

describe('browser mode: WebSocket', () => {
  it('refuses a connection without the token, with a wrong token, or from another origin', async () => {
    await expect(connect({ token: null })).rejects.toThrow('HTTP 401')
    await expect(connect({ token: 'ab'.repeat(32) })).rejects.toThrow('HTTP 401')
    await expect(connect({ token: server.token.slice(0, 10) })).rejects.toThrow('HTTP 401')
    await expect(connect({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403')
    await expect(connect({ origin: null })).rejects.toThrow('HTTP 403')
  })

  it('runs calls through the core and returns its Result', async () => {
    const ws = await connect()
    expect(ws.protocol).toBe(WS_PROTOCOL)
    ws.send(JSON.stringify({ id: 1, name: 'app.info', input: {}, meta: {} }))
    const reply = await nextMessage(ws, (m) => m.id === 1)
    expect(reply.result).toMatchObject({ ok: true, data: { transport: 'web' } })
    ws.send(JSON.stringify({ id: 'two', name: 'no.such.call', input: {} }))
    expect((await nextMessage(ws, (m) => m.id === 'two')).result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CALL' } })
    ws.close()
  })

  it("carries an error's whitelisted details over the socket", async () => {
    const ws = await connect()
    ws.send(JSON.stringify({ id: 3, name: 'operators.add', input: { name: '', roles: ['wizard'] } }))
    const result = (await nextMessage(ws, (m) => m.id === 3)).result as { error: Record<string, unknown> }
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', details: { issues: [{ path: 'name' }, { path: 'roles.0' }] } },
    })
    expect(Object.keys(result.error).sort()).toEqual(['code', 'details', 'message'])
    ws.close()
  })

  it('answers malformed frames with an error and keeps the connection', async () => {
    const ws = await connect()
    for (const frame of ['not json', '[1,2]', 'null', JSON.stringify({ name: 'app.info' }), JSON.stringify({ id: {}, name: 'app.info' })]) {
      ws.send(frame)
      const reply = await nextMessage(ws)
      expect(reply).toMatchObject({ id: null, result: { ok: false, error: { code: 'INVALID_INPUT' } } })
    }
    ws.send(Buffer.from([1, 2, 3]), { binary: true })
    expect(await nextMessage(ws)).toMatchObject({ id: null, result: { ok: false } })
    ws.send(JSON.stringify({ id: 9, name: 42 }))
    expect(await nextMessage(ws)).toMatchObject({ id: 9, result: { ok: false, error: { code: 'INVALID_INPUT' } } })
    ws.send(JSON.stringify({ id: 10, name: 'app.info', input: {} }))
    expect((await nextMessage(ws, (m) => m.id === 10)).result).toMatchObject({ ok: true })
    ws.close()
  })

  it('pushes core events to connected clients', async () => {
    const ws = await connect()
    const event = nextMessage(ws, (m) => m.event === 'operators.changed')
    ws.send(JSON.stringify({ id: 1, name: 'operators.add', input: { name: 'Dana Admin', roles: ['admin'] } }))
    expect(await event).toMatchObject({ event: 'operators.changed', payload: {} })
    ws.close()
  })
})
