/** The preload bridge with a fake ipcRenderer: what the page gets, and what it never gets. */
import { describe, expect, it, vi } from 'vitest'
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../src/shared/api'
import { createBridge, EVENT_LISTENERS_MAX, type IpcRendererLike } from '../../src/preload/createBridge'

type Listener = (event: unknown, ...args: unknown[]) => void

function fakeIpc(answer: (channel: string, ...args: unknown[]) => Promise<unknown> = async () => ({ ok: true, data: 'pong' })) {
  const listeners = new Map<string, Set<Listener>>()
  const ipc: IpcRendererLike & { emit(channel: string, ...args: unknown[]): void; count(channel: string): number } = {
    invoke: vi.fn(answer),
    on: vi.fn((channel: string, l: Listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set())
      listeners.get(channel)!.add(l)
    }),
    removeListener: vi.fn((channel: string, l: Listener) => {
      listeners.get(channel)?.delete(l)
    }),
    emit(channel, ...args) {
      const rawEvent = { sender: { secret: 'ipcRenderer' }, ports: [] }
      for (const l of listeners.get(channel) ?? []) l(rawEvent, ...args)
    },
    count: (channel) => listeners.get(channel)?.size ?? 0,
  }
  return ipc
}
const channels = { invoke: IPC_INVOKE_CHANNEL, event: IPC_EVENT_CHANNEL }

describe('createBridge', () => {
  it('exposes exactly invoke and on, frozen', () => {
    const bridge = createBridge(fakeIpc(), channels)
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on'])
    expect(Object.isFrozen(bridge)).toBe(true)
  })

  it('invoke sends one envelope { name, input, meta } on the invoke channel and returns main’s Result', async () => {
    const ipc = fakeIpc()
    const bridge = createBridge(ipc, channels)
    const r = await bridge.invoke('operators.add', { name: 'Ada', roles: ['admin'] }, { operatorId: 'ada' })
    expect(r).toEqual({ ok: true, data: 'pong' })
    expect(ipc.invoke).toHaveBeenCalledTimes(1)
    expect(ipc.invoke).toHaveBeenCalledWith(IPC_INVOKE_CHANNEL, {
      name: 'operators.add',
      input: { name: 'Ada', roles: ['admin'] },
      meta: { operatorId: 'ada' },
    })
  })

  it('turns a broken channel into an INTERNAL Result, never a rejection or a stack', async () => {
    const bridge = createBridge(
      fakeIpc(async () => {
        throw new Error("Error invoking remote method 'countersign:invoke': Error: boom\n    at x (/app/out/main/index.js:1:1)")
      }),
      channels,
    )
    const r = await bridge.invoke('operators.list', {})
    expect(r.ok).toBe(false)
    expect(r).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } })
    expect(JSON.stringify(r)).not.toContain('index.js')
  })

  it('on delivers only the payload of matching events, never the IPC event object', () => {
    const ipc = fakeIpc()
    const bridge = createBridge(ipc, channels)
    const seen: unknown[][] = []
    bridge.on('operators.changed', (...args: unknown[]) => seen.push(args))
    ipc.emit(IPC_EVENT_CHANNEL, { event: 'ledger.changed', payload: { accountIds: ['a'] } })
    ipc.emit(IPC_EVENT_CHANNEL, { event: 'operators.changed', payload: {} })
    ipc.emit('some-other-channel', { event: 'operators.changed', payload: { wrong: true } })
    expect(seen).toEqual([[{}]])
  })

  it('ignores malformed event envelopes', () => {
    const ipc = fakeIpc()
    const bridge = createBridge(ipc, channels)
    const listener = vi.fn()
    bridge.on('operators.changed', listener)
    for (const bad of [null, undefined, 'operators.changed', 42, { event: 42 }, {}]) ipc.emit(IPC_EVENT_CHANNEL, bad)
    expect(listener).not.toHaveBeenCalled()
  })

  it('unsubscribe stops delivery, is idempotent, and detaches from IPC when the last one goes', () => {
    const ipc = fakeIpc()
    const bridge = createBridge(ipc, channels)
    const a = vi.fn()
    const b = vi.fn()
    const offA = bridge.on('ledger.changed', a)
    const offB = bridge.on('ledger.changed', b)
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(1)
    offA()
    offA()
    ipc.emit(IPC_EVENT_CHANNEL, { event: 'ledger.changed', payload: { accountIds: [] } })
    expect(a).not.toHaveBeenCalled()
    expect(b).toHaveBeenCalledTimes(1)
    offB()
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(0)
    bridge.on('ledger.changed', a)
    expect(ipc.count(IPC_EVENT_CHANNEL)).toBe(1)
  })

  it('a throwing listener does not starve the others', () => {
    const ipc = fakeIpc()
    const bridge = createBridge(ipc, channels)
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    const good = vi.fn()
    bridge.on('operators.changed', () => {
      throw new Error('view crashed')
    })
    bridge.on('operators.changed', good)
    ipc.emit(IPC_EVENT_CHANNEL, { event: 'operators.changed', payload: {} })
    expect(good).toHaveBeenCalledTimes(1)
    spy.mockRestore()
  })

  it('caps subscriptions and rejects non-function listeners', () => {
    const bridge = createBridge(fakeIpc(), channels)
    expect(() => bridge.on('operators.changed', 'alert(1)' as never)).toThrow(TypeError)
    for (let i = 0; i < EVENT_LISTENERS_MAX; i++) bridge.on('operators.changed', () => {})
    expect(() => bridge.on('operators.changed', () => {})).toThrow(/more than/)
  })
})
