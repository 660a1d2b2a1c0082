/**
 * The IPC boundary against a REAL core (temp-dir SQLite): hostile senders and payloads are refused
 * with a clear code and leave the database byte-for-byte as it was.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from 'vitest'
import { PAYLOAD_BYTES_MAX } from '../../src/shared/limits'
import { pickErrorDetails, type Result } from '../../src/shared/api'
import { CsError } from '../../src/shared/errors'
import { toErrorPayload } from '../../src/main/core/api/toErrorPayload'
import { fixedClock } from '../../src/main/core/context'
import type { CoreApi } from '../../src/main/core/api/createApi'
import { createCore, type Core } from '../../src/main/core/core'
import { setLogSink } from '../../src/main/core/log'
import {
  createEventForwarder,
  createIpcInvokeHandler,
  sanitizeResult,
  type FrameLike,
  type IpcInvokeHandler,
} from '../../src/main/ipcHandler'
import { createAppPageMatcher } from '../../src/main/security'
import { sqlAll, sqlFirst, sqlTableNames } from '../dbSql'

const INDEX_HTML = path.resolve('/opt/Countersign/out/renderer/index.html')
const APP_URL = pathToFileURL(INDEX_HTML).href
const isAppPage = createAppPageMatcher({ kind: 'file', indexHtmlPath: INDEX_HTML })

function frame(url: string, extra: Partial<FrameLike> = {}): FrameLike {
  return { url, parent: null, detached: false, isDestroyed: () => false, ...extra }
}
const fromApp = { senderFrame: frame(APP_URL) }

let dir: string
let core: Core
let handler: IpcInvokeHandler
let invokeSpy: Mock<CoreApi['invoke']>
let logLines: string[]

beforeEach(async () => {
  logLines = []
  setLogSink((line) => logLines.push(line), 'debug')
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-ipc-'))
  core = await createCore({ dataDir: dir, transport: 'electron', clock: fixedClock() })
  const realInvoke = core.api.invoke.bind(core.api)
  invokeSpy = vi.fn<CoreApi['invoke']>(realInvoke)
  handler = createIpcInvokeHandler({ api: { invoke: invokeSpy }, isAppPage })
})

afterEach(async () => {
  await core.close()
  fs.rmSync(dir, { recursive: true, force: true })
  setLogSink((line) => process.stderr.write(line + '\n'), 'warn')
})

/** Every row of every table, so "nothing was written" means exactly that. */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const db = core.ctx.db
  const out: Record<string, unknown[]> = {}
  for (const name of await sqlTableNames(db)) out[name] = await sqlAll(db, `SELECT * FROM "${name}"`)
  return out
}
async function count(table: 'audit_log' | 'operators' | 'accounts'): Promise<number> {
  return (await sqlFirst<{ n: number }>(core.ctx.db, `SELECT count(*) AS n FROM ${table}`))!.n
}

/** The first admin, invited and unlocked on this window (the window's session is the operator's). */
async function addAdmin(): Promise<string> {
  const r = await handler(fromApp, { name: 'operators.add', input: { name: 'Ada Admin', roles: ['admin'] } })
  expect(r.ok).toBe(true)
  const added = (r as { ok: true; data: { inviteCode: string; change: { subjectId: string } } }).data
  const unlocked = await handler(fromApp, {
    name: 'operators.activate',
    input: { operatorId: added.change.subjectId, inviteCode: added.inviteCode, passphrase: 'ada-demo-passphrase' },
  })
  expect(unlocked.ok).toBe(true)
  return added.change.subjectId
}

/** Read in-process: a window nobody unlocked may not read (OPERATOR_LOCKED). */
async function anAssetId(): Promise<string> {
  return (await core.api.call('assets.list', {}))[0]!.id
}

function expectError(result: Result<unknown>, code: string): void {
  expect(result.ok).toBe(false)
  if (result.ok) return
  expect(result.error.code).toBe(code)
  expect(Object.keys(result).sort()).toEqual(['error', 'ok'])
  // code and message, and details only when the contract whitelists them for this code (and then exactly those).
  if (result.error.details === undefined) expect(Object.keys(result.error).sort()).toEqual(['code', 'message'])
  else {
    expect(Object.keys(result.error).sort()).toEqual(['code', 'details', 'message'])
    expect(pickErrorDetails(result.error.code, result.error.details)).toEqual(result.error.details)
  }
  expect(result.error.message.length).toBeGreaterThan(10)
  // Nothing of the machine or the stack leaks into what the renderer sees.
  const text = JSON.stringify(result)
  expect(text).not.toMatch(/\bat .+:\d+:\d+/)
  expect(text).not.toContain(dir)
  expect(text).not.toMatch(/stack|cause/i)
}

describe('sender checks (before the core is touched)', () => {
  const untrusted: [string, { senderFrame: FrameLike | null }][] = [
    ['a foreign https origin', { senderFrame: frame('https://evil.example/') }],
    ['a foreign origin pretending with a path', { senderFrame: frame(`https://evil.example${new URL(APP_URL).pathname}`) }],
    ['a null sender frame', { senderFrame: null }],
    ['a data: URL', { senderFrame: frame('data:text/html,<script>countersign.invoke()</script>') }],
    ['about:blank', { senderFrame: frame('about:blank') }],
    ['another local file', { senderFrame: frame(pathToFileURL(path.resolve('/etc/passwd')).href) }],
    ['a sibling file of the app page', { senderFrame: frame(pathToFileURL(path.join(path.dirname(INDEX_HTML), 'evil.html')).href) }],
    ['a file on another host (UNC)', { senderFrame: frame('file://evil.example/opt/Countersign/out/renderer/index.html') }],
    ['a dev server URL in production', { senderFrame: frame('http://localhost:5173/') }],
    ['an iframe showing the app page', { senderFrame: frame(APP_URL, { parent: frame(APP_URL) }) }],
    ['a destroyed frame', { senderFrame: frame(APP_URL, { isDestroyed: () => true }) }],
    ['a detached frame', { senderFrame: frame(APP_URL, { detached: true }) }],
    [
      'a frame that throws when read (disposed)',
      {
        senderFrame: {
          get url(): string {
            throw new Error('Render frame was disposed before WebFrameMain could be accessed')
          },
          parent: null,
        },
      },
    ],
    ['an unparseable URL', { senderFrame: frame('not a url') }],
  ]

  it.each(untrusted)('refuses %s with FORBIDDEN_SENDER and never calls the core', async (_label, event) => {
    const before = await snapshot()
    const r = await handler(event, { name: 'operators.add', input: { name: 'Mallory', roles: ['admin'] } })
    expectError(r, 'FORBIDDEN_SENDER')
    expect(invokeSpy).not.toHaveBeenCalled()
    expect(await snapshot()).toEqual(before)
    expect(await count('operators')).toBe(0)
  })

  it('refuses an event object with no senderFrame at all', async () => {
    const r = await handler({} as never, { name: 'operators.list', input: {} })
    expectError(r, 'FORBIDDEN_SENDER')
    expect(invokeSpy).not.toHaveBeenCalled()
  })

  it('logs the refusal without the query string of the sender', async () => {
    await handler({ senderFrame: frame('https://evil.example/x?token=s3cret-value') }, { name: 'operators.list', input: {} })
    const text = logLines.join('\n')
    expect(text).toContain('https://evil.example/x')
    expect(text).not.toContain('s3cret-value')
  })

  it('in development trusts exactly the dev server origin', async () => {
    const dev = createIpcInvokeHandler({
      api: { invoke: invokeSpy },
      isAppPage: createAppPageMatcher({ kind: 'dev', origin: 'http://localhost:5173' }),
    })
    expect((await dev({ senderFrame: frame('http://localhost:5173/#/ledger') }, { name: 'operators.list', input: {} })).ok).toBe(true)
    for (const url of ['http://localhost:5174/', 'http://127.0.0.1:5173/', 'https://localhost:5173/', APP_URL]) {
      expectError(await dev({ senderFrame: frame(url) }, { name: 'operators.list', input: {} }), 'FORBIDDEN_SENDER')
    }
    expect(invokeSpy).toHaveBeenCalledTimes(1)
  })
})

describe('payload checks (trusted sender, hostile payload)', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'operators.add'],
    ['a number', 42],
    ['an array', ['operators.add', { name: 'x', roles: ['admin'] }]],
    ['a boxed object', new String('operators.add')],
    ['a Date', new Date()],
  ])('refuses an envelope that is %s with INVALID_INPUT', async (_label, envelope) => {
    const before = await snapshot()
    expectError(await handler(fromApp, envelope), 'INVALID_INPUT')
    expect(invokeSpy).not.toHaveBeenCalled()
    expect(await snapshot()).toEqual(before)
  })

  it('refuses an envelope with keys beyond name, input and meta', async () => {
    expectError(
      await handler(fromApp, { name: 'operators.add', input: { name: 'X', roles: ['admin'] }, operatorId: 'root' }),
      'INVALID_INPUT',
    )
    expect(invokeSpy).not.toHaveBeenCalled()
    expect(await count('operators')).toBe(0)
  })

  it.each([
    ['a number', 42],
    ['an object', { toString: () => 'operators.add' }],
    ['null', null],
    ['missing', undefined],
    ['an unknown call', 'ledger.drop'],
    ['an inherited property', '__proto__'],
    ['constructor', 'constructor'],
    ['a near miss', 'operators.add '],
  ])('refuses a call name that is %s with UNKNOWN_CALL', async (_label, name) => {
    const before = await snapshot()
    expectError(await handler(fromApp, { name, input: { name: 'Mallory', roles: ['admin'] } }), 'UNKNOWN_CALL')
    expect(await snapshot()).toEqual(before)
  })

  it.each([
    ['name is a number', { name: 42, roles: ['admin'] }],
    ['roles is a string', { name: 'Mallory', roles: 'admin' }],
    ['an unknown role', { name: 'Mallory', roles: ['root'] }],
    ['an extra field', { name: 'Mallory', roles: ['admin'], id: 'admin' }],
    ['an own __proto__ key', JSON.parse('{"name":"Mallory","roles":["admin"],"__proto__":{"polluted":true}}') as unknown],
    ['an empty name', { name: '   ', roles: ['admin'] }],
    ['input is an array', [{ name: 'Mallory', roles: ['admin'] }]],
    ['input is a string', 'Mallory'],
  ])('refuses operators.add when %s with INVALID_INPUT and writes nothing', async (_label, input) => {
    const before = await snapshot()
    expectError(await handler(fromApp, { name: 'operators.add', input }), 'INVALID_INPUT')
    expect(await snapshot()).toEqual(before)
    expect(await count('operators')).toBe(0)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses wrong-typed ledger.accounts.add from an admin and writes nothing', async () => {
    const adminId = await addAdmin()
    const assetId = await anAssetId()
    const auditBefore = await count('audit_log')
    const accountsBefore = await count('accounts')
    const before = await snapshot()
    const bad: unknown[] = [
      { id: 'has space', name: 'Treasury', kind: 'treasury', assetId },
      { id: 'treasury-1', name: 'Treasury', kind: 'vault', assetId },
      { id: 'treasury-1', name: 'Treasury', kind: 'treasury', assetId: 7 },
      { id: 'treasury-1', name: 'Treasury', kind: 'treasury', assetId, allowNegative: 'yes' },
      { id: 'treasury-1', name: 'Treasury', kind: 'treasury', assetId, balance: '1000000' },
      { id: 'treasury-1', name: 42, kind: 'treasury', assetId },
      {},
    ]
    for (const input of bad) {
      expectError(await handler(fromApp, { name: 'ledger.accounts.add', input, meta: { operatorId: adminId } }), 'INVALID_INPUT')
    }
    expect(await count('audit_log')).toBe(auditBefore)
    expect(await count('accounts')).toBe(accountsBefore)
    expect(await snapshot()).toEqual(before)
  })

  it('refuses bad meta: wrong type, extra keys, unknown operator', async () => {
    const assetId = await anAssetId()
    const input = { id: 'treasury-1', name: 'Treasury', kind: 'treasury', assetId }
    const before = await snapshot()
    expectError(await handler(fromApp, { name: 'ledger.accounts.add', input, meta: { operatorId: 123 } }), 'INVALID_INPUT')
    expectError(await handler(fromApp, { name: 'ledger.accounts.add', input, meta: 'admin' }), 'INVALID_INPUT')
    expectError(await handler(fromApp, { name: 'ledger.accounts.add', input, meta: { operatorId: 'x', role: 'admin' } }), 'INVALID_INPUT')
    expectError(await handler(fromApp, { name: 'ledger.accounts.add', input, meta: { operatorId: 'nobody' } }), 'OPERATOR_NOT_FOUND')
    // Nobody is unlocked on this window: even a read-free mutation is refused before the core acts.
    expectError(await handler(fromApp, { name: 'ledger.accounts.add', input }), 'OPERATOR_LOCKED')
    expect(await snapshot()).toEqual(before)
  })

  it('refuses a payload over PAYLOAD_BYTES_MAX with PAYLOAD_TOO_LARGE and writes nothing', async () => {
    const before = await snapshot()
    const huge = 'x'.repeat(PAYLOAD_BYTES_MAX + 1)
    const tooLarge = await handler(fromApp, { name: 'operators.add', input: { name: huge, roles: ['admin'] } })
    expectError(tooLarge, 'PAYLOAD_TOO_LARGE')
    expect(tooLarge).toMatchObject({ error: { details: { bytesMax: PAYLOAD_BYTES_MAX } } })
    const many = Array.from({ length: Math.ceil(PAYLOAD_BYTES_MAX / 8) + 1 }, () => 'admin')
    expectError(await handler(fromApp, { name: 'operators.add', input: { name: 'Mallory', roles: many } }), 'PAYLOAD_TOO_LARGE')
    expect(await snapshot()).toEqual(before)
    expect(await count('operators')).toBe(0)
  })

  it('refuses input that is not plain JSON (bigint, cycles) with INVALID_INPUT', async () => {
    const before = await snapshot()
    expectError(await handler(fromApp, { name: 'operators.add', input: { name: 'Mallory', roles: ['admin'], n: 10n } }), 'INVALID_INPUT')
    const cyclic: Record<string, unknown> = { name: 'Mallory', roles: ['admin'] }
    cyclic.self = cyclic
    expectError(await handler(fromApp, { name: 'operators.add', input: cyclic }), 'INVALID_INPUT')
    expect(await snapshot()).toEqual(before)
  })
})

describe('valid calls from the app page', () => {
  it('operators.add then operators.list', async () => {
    const added = await handler(fromApp, { name: 'operators.add', input: { name: 'Ada Admin', roles: ['admin'] } })
    expect(added.ok).toBe(true)
    expect(await count('operators')).toBe(1)
    const listed = await handler({ senderFrame: frame(`${APP_URL}#/operators?x=1`) }, { name: 'operators.list', input: {} })
    expect(listed).toMatchObject({ ok: true, data: [{ name: 'Ada Admin', roles: ['admin'] }] })
    expect(Object.keys(listed).sort()).toEqual(['data', 'ok'])
  })

  it('ledger.accounts.add by an admin lands in the accounts table and the audit log', async () => {
    const adminId = await addAdmin()
    const assetId = await anAssetId()
    const audit = await count('audit_log')
    const r = await handler(fromApp, {
      name: 'ledger.accounts.add',
      input: { id: 'treasury-1', name: 'Treasury', kind: 'treasury', assetId },
      meta: { operatorId: adminId },
    })
    expect(r).toMatchObject({ ok: true, data: { id: 'treasury-1', assetId } })
    expect(await count('accounts')).toBe(1)
    expect(await count('audit_log')).toBe(audit + 1)
  })

  it('a domain error crosses as { code, message } only', async () => {
    await addAdmin()
    expect((await handler(fromApp, { name: 'operators.lock', input: {} })).ok).toBe(true)
    const before = await snapshot()
    // A second operator with no admin unlocked: refused by the core's role check.
    const r = await handler(fromApp, { name: 'operators.add', input: { name: 'Eve', roles: ['approver'] } })
    expectError(r, 'OPERATOR_REQUIRED')
    expect(await snapshot()).toEqual(before)
  })
})

describe('result sanitising', () => {
  it('turns a throwing api into INTERNAL with only code and message', async () => {
    const boom = new Error('SQLITE_CORRUPT at /home/alice/countersign.sqlite')
    const h = createIpcInvokeHandler({ api: { invoke: () => Promise.reject(boom) }, isAppPage })
    const r = await h(fromApp, { name: 'operators.list', input: {} })
    expectError(r, 'INTERNAL')
    expect(JSON.stringify(r)).not.toContain('alice')
  })

  it('drops any field an error carries besides code and message', async () => {
    const leaky = {
      ok: false,
      error: { code: 'INTERNAL', message: 'm', stack: 'Error: x\n    at f (/a.js:1:1)', cause: { secret: 'sk_live_123' } },
    }
    const h = createIpcInvokeHandler({ api: { invoke: async () => leaky as never }, isAppPage })
    const r = await h(fromApp, { name: 'operators.list', input: {} })
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'm' } })
    expect(sanitizeResult({ ok: true, data: [1], extra: 'x' } as never)).toEqual({ ok: true, data: [1] })
    expect(sanitizeResult({ ok: false, error: { code: 42 } } as never)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
  })
})

describe('event forwarding', () => {
  function target(url: string, opts: { destroyed?: boolean; throws?: boolean } = {}) {
    const sent: unknown[][] = []
    return {
      sent,
      isDestroyed: () => opts.destroyed ?? false,
      mainFrame: {
        ...frame(url),
        send(channel: string, ...args: unknown[]) {
          if (opts.throws) throw new Error('closed')
          sent.push([channel, ...args])
        },
      },
    }
  }

  it('sends core events only to windows showing the app page', async () => {
    const app1 = target(APP_URL)
    const hijacked = target('https://evil.example/')
    const closed = target(APP_URL, { destroyed: true })
    const broken = target(APP_URL, { throws: true })
    const app2 = target(`${APP_URL}#/ledger`)
    const forward = createEventForwarder({ channel: 'countersign:event', targets: () => [broken, app1, hijacked, closed, app2], isAppPage })
    const unsubscribe = core.events.subscribe(forward)
    await handler(fromApp, { name: 'operators.add', input: { name: 'Ada Admin', roles: ['admin'] } })
    unsubscribe()
    expect(app1.sent).toContainEqual(['countersign:event', { event: 'operators.changed', payload: {} }])
    expect(app2.sent).toEqual(app1.sent)
    expect(hijacked.sent).toEqual([])
    expect(closed.sent).toEqual([])
  })
})

describe('error details across the boundary', () => {
  const leakyApi = (error: Record<string, unknown>) =>
    createIpcInvokeHandler({ api: { invoke: async () => ({ ok: false, error }) as never }, isAppPage })

  it('carries the details the contract whitelists for the code, and only their whitelisted fields', async () => {
    const r = await leakyApi({
      code: 'PREFLIGHT_FAILED',
      message: 'Batch "May" cannot be paid now: … — fix this, then execute again; nothing was signed.',
      details: {
        problems: [
          {
            code: 'INSUFFICIENT_FUNDS',
            message: 'treasury-usdc has 5 USDC, the batch needs 9',
            payoutId: 'p-1',
            rpcUrl: 'https://user:pw@node',
          },
        ],
        apiKey: 'sk_live_abcdef',
      },
    })(fromApp, { name: 'batches.execute', input: { id: 'b' } })
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'PREFLIGHT_FAILED',
        message: 'Batch "May" cannot be paid now: … — fix this, then execute again; nothing was signed.',
        details: { problems: [{ code: 'INSUFFICIENT_FUNDS', message: 'treasury-usdc has 5 USDC, the batch needs 9', payoutId: 'p-1' }] },
      },
    })
    expect(JSON.stringify(r)).not.toMatch(/sk_live|user:pw/)
  })

  it('drops details of a code that has no whitelist, and details that do not fit theirs, whole', async () => {
    const none = await leakyApi({ code: 'OPERATOR_REQUIRED', message: 'Pick your operator profile first.', details: { operatorId: 'x' } })(
      fromApp,
      { name: 'operators.list', input: {} },
    )
    expect(none).toEqual({ ok: false, error: { code: 'OPERATOR_REQUIRED', message: 'Pick your operator profile first.' } })
    const misfit = await leakyApi({
      code: 'DEVICE_LOCKED',
      message: 'Ledger is locked — unlock it.',
      details: { statusWord: 'SW=6985 raw' },
    })(fromApp, { name: 'signers.status', input: {} })
    expect(misfit).toEqual({ ok: false, error: { code: 'DEVICE_LOCKED', message: 'Ledger is locked — unlock it.' } })
  })

  it("the core's API keeps the device state and drops the transport id and device path", () => {
    const payload = toErrorPayload(
      new CsError('DEVICE_WRONG_APP', 'Open the Stellar app on your Ledger, then try again.', {
        cause: new Error('0x6e01 at /dev/hidraw3'),
        details: { operation: 'sign-stellar-transaction', app: 'Stellar', openApp: 'Ethereum', statusWord: '0x6e01', id: '/dev/hidraw3' },
      }),
      'batches.execute',
    )
    expect(payload).toEqual({
      code: 'DEVICE_WRONG_APP',
      message: 'Open the Stellar app on your Ledger, then try again.',
      details: { operation: 'sign-stellar-transaction', app: 'Stellar', openApp: 'Ethereum', statusWord: '0x6e01' },
    })
  })

  it("the core's API scrubs a secret quoted inside a whitelisted detail", () => {
    const payload = toErrorPayload(
      new CsError('PREFLIGHT_FAILED', 'Batch "May" cannot be paid now — fix this, then execute again.', {
        details: { problems: [{ code: 'STRIPE_AUTH_FAILED', message: 'Stripe refused the key sk_test_51Habcdefghijklmnop' }] },
      }),
      'batches.submit',
    )
    expect(JSON.stringify(payload)).not.toContain('sk_test_51Habcdefghijklmnop')
    expect(payload.details).toMatchObject({ problems: [{ code: 'STRIPE_AUTH_FAILED' }] })
  })

  it('a real refusal carries the fields at fault, and a real ledger error its entry and difference', async () => {
    const refused = await handler(fromApp, { name: 'operators.add', input: { name: '', roles: ['wizard'] } })
    expectError(refused, 'INVALID_INPUT')
    expect(refused).toMatchObject({ error: { details: { issues: [{ path: 'name' }, { path: 'roles.0' }] } } })

    const adminId = await addAdmin()
    const assetId = await anAssetId()
    for (const [id, kind] of [
      ['a-1', 'treasury'],
      ['a-2', 'external'],
    ] as const) {
      const r = await handler(fromApp, {
        name: 'ledger.accounts.add',
        input: { id, name: id, kind, assetId },
        meta: { operatorId: adminId },
      })
      expect(r).toMatchObject({ ok: true })
    }
    const unbalanced = await handler(fromApp, {
      name: 'ledger.entries.post',
      input: {
        entries: [
          {
            id: 'e-1',
            description: 'off by one',
            postings: [
              { account: 'a-1', debit: '2' },
              { account: 'a-2', credit: '1' },
            ],
          },
        ],
      },
      meta: { operatorId: adminId },
    })
    expectError(unbalanced, 'ENTRY_UNBALANCED')
    expect(unbalanced).toMatchObject({ error: { details: { entryId: 'e-1', entryIndex: 0, field: 'postings', assetId } } })
  })
})
