/**
 * SANDBOX / TEST ONLY. What an emulated Ledger app sees (one parsed APDU) and what it may ask of
 * the emulated device (a confirmation from the emulated user, the software keys).
 */
import type { DeviceDisplayLine } from '../eip712Device'
import type { SandboxSoftwareKeys } from './sandboxSoftwareKeys'

export interface Apdu {
  cla: number
  ins: number
  p1: number
  p2: number
  data: Uint8Array
}

export type PromptKind = 'verify-address' | 'sign-transaction' | 'sign-message' | 'sign-typed-data' | 'sign-hash'

/** What the emulated screen shows, for tests to read before they approve or reject. */
export interface PromptContent {
  app: string
  kind: PromptKind
  /** Field name → text as the device would show it (address, amount, chain id, hash…). */
  fields: Readonly<Record<string, string>>
  /** Full EIP-712 messages: every screen shown before the signing prompt, in order (labels repeat). */
  lines?: readonly DeviceDisplayLine[]
}

export interface EmulatedDeviceServices {
  keys: SandboxSoftwareKeys
  /** Shows a prompt and resolves true when the emulated user approves, false on reject. */
  confirm(content: PromptContent): Promise<boolean>
  /** Counts signatures for scripted faults ("disconnect after n signatures"). */
  signatureProduced(): void
}

export interface EmulatedApp {
  readonly name: string
  readonly version: string
  /** Returns response data ‖ status word. */
  handle(apdu: Apdu): Promise<Uint8Array>
  /** Forget any half-received request (app closed, device unplugged). */
  reset(): void
}

export const sw = {
  ok: 0x9000,
  wrongLength: 0x6700,
  rejected: 0x6985,
  incorrectData: 0x6a80,
  wrongP1P2: 0x6b00,
  insNotSupported: 0x6d00,
  claNotSupported: 0x6e00,
} as const

export function reply(data: Uint8Array, statusWord: number): Uint8Array {
  const out = new Uint8Array(data.length + 2)
  out.set(data)
  out[data.length] = statusWord >> 8
  out[data.length + 1] = statusWord & 0xff
  return out
}

export function status(statusWord: number): Uint8Array {
  return reply(new Uint8Array(0), statusWord)
}

/** Reads the BIP32 path at the start of `data`; null when it is malformed. */
export function readPath(data: Uint8Array, componentsMax = 10): { path: number[]; rest: Uint8Array } | null {
  const count = data[0]
  if (count === undefined || count < 1 || count > componentsMax || data.length < 1 + count * 4) return null
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const path = Array.from({ length: count }, (_, i) => view.getUint32(1 + i * 4))
  return { path, rest: data.subarray(1 + count * 4) }
}

export function bytesToHexString(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
