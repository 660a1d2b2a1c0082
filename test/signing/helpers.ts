/**
 * Test helpers for the signing tests: the copied Ledger vectors (test/fixtures/ledger, never
 * /work/shared), a transport factory over hw-transport-mocker's replayer, and a timer the test
 * fires by hand.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import type { RecordStore as RecordStoreType } from '@ledgerhq/hw-transport-mocker'
import type { LedgerTransportFactory } from '../../src/main/core/signing/ledgerDevice/LedgerTransportFactory'
import type { LedgerTransport } from '../../src/main/core/signing/ledgerDevice/ledgerPackages'
import type { Timer, TimerHandle } from '../../src/main/core/signing/timer'

const requireCjs = createRequire(import.meta.url)
// CommonJS build: the mocker's ESM build does not load under Node (extension-less imports).
const mocker = requireCjs('@ledgerhq/hw-transport-mocker') as {
  RecordStore: typeof RecordStoreType
  openTransportReplayer: (store: RecordStoreType) => Promise<LedgerTransport>
}

export const fixturesDir = fileURLToPath(new URL('../fixtures/ledger/', import.meta.url))

export function readFixture(name: string): string {
  return readFileSync(`${fixturesDir}${name}`, 'utf8')
}

export function readInputHex(name: string): string {
  return readFixture(name).trim()
}

export function vectorFiles(): string[] {
  return readdirSync(fixturesDir)
    .filter((f) => f.endsWith('.apdu'))
    .sort()
}

export interface Exchange {
  command: string
  response: string
}

/** `=> command` / `<= response` pairs of a RecordStore text. */
export function parseExchanges(text: string): Exchange[] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
  const out: Exchange[] = []
  for (let i = 0; i < lines.length; i += 2) {
    const command = lines[i]
    const response = lines[i + 1]
    if (!command?.startsWith('=> ') || !response?.startsWith('<= ')) throw new Error(`malformed recording at line ${i + 1}`)
    out.push({ command: command.slice(3), response: response.slice(3) })
  }
  return out
}

/**
 * The `b0 01` exchange the Ledger signer sends before every operation, answered for `app`.
 * Synthetic (the vectors do not record it): format 01 ‖ name ‖ version ‖ flags, as the device OS answers.
 */
export function openAppExchange(app: string, version: string): string {
  const hex = (s: string) => Buffer.from(s, 'ascii').toString('hex')
  const len = (s: string) => s.length.toString(16).padStart(2, '0')
  return `=> b001000000\n<= 01${len(app)}${hex(app)}${len(version)}${hex(version)}0100` + '9000\n'
}

export function replayFactory(...recordings: string[]): { store: RecordStoreType; factory: LedgerTransportFactory; opened: () => number } {
  const store = mocker.RecordStore.fromString(recordings.join('\n'))
  let opens = 0
  const factory: LedgerTransportFactory = {
    kind: 'test',
    list: async () => [{ id: 'replay', label: 'Recorded APDUs' }],
    open: async () => {
      opens++
      return mocker.openTransportReplayer(store)
    },
  }
  return { store, factory, opened: () => opens }
}

export async function openReplayTransport(recording: string): Promise<{ store: RecordStoreType; transport: LedgerTransport }> {
  const store = mocker.RecordStore.fromString(recording)
  return { store, transport: await mocker.openTransportReplayer(store) }
}

/** A timer that fires only when the test says so. */
export interface ManualTimer extends Timer {
  readonly pending: number
  /** Fires every pending timeout. */
  fireAll(): void
}

export function createManualTimer(): ManualTimer {
  let nextId = 0
  const callbacks = new Map<number, () => void>()
  return {
    setTimeout(callback) {
      const id = ++nextId
      callbacks.set(id, callback)
      return id
    },
    clearTimeout(handle: TimerHandle) {
      callbacks.delete(handle as number)
    },
    get pending() {
      return callbacks.size
    },
    fireAll() {
      const due = [...callbacks.values()]
      callbacks.clear()
      for (const cb of due) cb()
    },
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<{ code?: string; message: string; details?: Record<string, unknown>; name?: string }> {
  try {
    await promise
  } catch (error) {
    return error as { code?: string; message: string; details?: Record<string, unknown> }
  }
  throw new Error('expected the promise to reject, but it resolved')
}
