/**
 * The device half of the Ledger signer, shared by its EVM and Stellar parts: one queue per device
 * (never two exchanges in flight), the transport opened on first use and dropped when the device
 * is gone or stuck, the open-app check before any app APDU, device status, and every failure
 * mapped to a DEVICE_* CsError. The chain parts only say which app they need and what to exchange.
 *
 * Per operation: one job on the device's queue → open the transport if needed → ask the device
 * which app is open (`b0 01`) → refuse early if it is not the app needed → the part's APDUs.
 */
import { CsError } from '../../../../shared/errors'
import { createDeviceQueue, type DeviceJob } from '../deviceQueue'
import { deviceError, toDeviceError, type DeviceOperation, type LedgerAppName } from '../deviceErrors'
import { hexToBytesStrict } from '../evmCrypto'
import type { BatchSignerOptions, ConfirmationSubject, DeviceStatus, SignerChain, SignerOptions, SignerProgress } from '../Signer'
import { systemTimer, type Timer } from '../timer'
import { getEthAppConfiguration } from './ethAppOps'
import { getOpenApp, type OpenApp } from './getOpenApp'
import type { LedgerTransportFactory } from './LedgerTransportFactory'
import type { LedgerTransport } from './ledgerPackages'
import { getStellarAppConfiguration } from './stellarAppOps'

export interface LedgerSignerOptions {
  factory: LedgerTransportFactory
  deviceId: string
  timer?: Timer
  /** Deadline for an exchange the user does not have to confirm (app check, key derivation). */
  exchangeTimeoutMs?: number
  /** Deadline for the user to read and confirm one prompt on the device. */
  confirmationTimeoutMs?: number
  /** Operations allowed to wait for the device before callers get DEVICE_BUSY. */
  waitingJobsMax?: number
}

export const LEDGER_SESSION_DEFAULTS = {
  exchangeTimeoutMs: 20_000,
  /** Long Stellar transactions take minutes to page through on a Nano S. */
  confirmationTimeoutMs: 10 * 60_000,
  waitingJobsMax: 16,
} as const

/** App names the device reports for the apps we speak to (`b0 01`). */
export const APP_NAMES_ON_DEVICE: Readonly<Record<LedgerAppName, readonly string[]>> = {
  Ethereum: ['Ethereum'],
  Stellar: ['Stellar'],
}

/** What a chain part works with inside one device job. */
export interface DeviceJobSession {
  transport: LedgerTransport
  job: DeviceJob
  openApp: OpenApp
}

export interface LedgerDeviceSession {
  readonly exchangeTimeoutMs: number
  readonly confirmationTimeoutMs: number
  /** Runs `work` as one job on the device queue, with the right app open. Errors leave as CsErrors. */
  withDevice<T>(
    app: LedgerAppName | null,
    operation: DeviceOperation,
    onProgress: SignerOptions['onProgress'],
    work: (session: DeviceJobSession) => Promise<T>,
  ): Promise<T>
  /** Releases the device (the next job opens it again). */
  close(): Promise<void>
}

/** Marks a caller's own error (from onSigned) so it is passed through instead of mapped as a device error. */
class CallerError {
  constructor(readonly error: unknown) {}
}

export function createLedgerDeviceSession(options: LedgerSignerOptions): LedgerDeviceSession {
  const { factory, deviceId } = options
  const timer = options.timer ?? systemTimer
  const exchangeTimeoutMs = options.exchangeTimeoutMs ?? LEDGER_SESSION_DEFAULTS.exchangeTimeoutMs
  const confirmationTimeoutMs = options.confirmationTimeoutMs ?? LEDGER_SESSION_DEFAULTS.confirmationTimeoutMs
  const queue = createDeviceQueue({ timer, waitingJobsMax: options.waitingJobsMax ?? LEDGER_SESSION_DEFAULTS.waitingJobsMax })
  let transport: LedgerTransport | null = null
  /** The last discarded transport's close: the next open waits for it (USB HID is exclusive on macOS and Windows). */
  let closing: Promise<void> = Promise.resolve()

  function discardTransport(): void {
    const current = transport
    transport = null
    // Best effort: a HID transport waits for its pending exchange before closing.
    if (current) closing = current.close().catch(() => undefined)
  }

  async function openTransport(job: DeviceJob, onProgress: SignerOptions['onProgress']): Promise<LedgerTransport> {
    if (transport) return transport
    emit(onProgress, { kind: 'opening-device' })
    await job.withDeadline(closing, exchangeTimeoutMs)
    const opened = await job.withDeadline(
      Promise.resolve().then(() => factory.open(deviceId)),
      exchangeTimeoutMs,
    )
    opened.on('disconnect', () => {
      if (transport === opened) transport = null
    })
    transport = opened
    return opened
  }

  const withDevice: LedgerDeviceSession['withDevice'] = async (app, operation, onProgress, work) => {
    let openAppName: string | undefined
    try {
      return await queue.run(async (job) => {
        const t = await openTransport(job, onProgress)
        const openApp = await job.withDeadline(getOpenApp(t), exchangeTimeoutMs)
        openAppName = openApp.name
        if (app !== null && !APP_NAMES_ON_DEVICE[app].includes(openApp.name)) {
          throw deviceError('DEVICE_WRONG_APP', { operation, app, openApp: openApp.name }, { openApp: openApp.name })
        }
        return await work({ transport: t, job, openApp })
      })
    } catch (error) {
      if (error instanceof CallerError) throw error.error
      const mapped = toDeviceError(error, { operation, app: app ?? undefined, openApp: openAppName })
      if (mapped.code === 'DEVICE_DISCONNECTED' || mapped.code === 'DEVICE_TIMEOUT' || mapped.code === 'DEVICE_NOT_FOUND')
        discardTransport()
      throw mapped
    }
  }

  return {
    exchangeTimeoutMs,
    confirmationTimeoutMs,
    withDevice,

    async close() {
      if (queue.isStuck) {
        discardTransport()
        return
      }
      await queue.run(async () => discardTransport())
    },
  }
}

/**
 * Signs `items` in one job, one prompt each, in order: progress per prompt and per signature,
 * each signature handed to `onSigned` before the next prompt. `beforeFirst` runs once, after the
 * app check and before the first prompt. A batch that stops part-way says how far it got.
 */
export async function signBatch<P, S>(
  device: LedgerDeviceSession,
  app: LedgerAppName,
  operation: DeviceOperation,
  items: readonly P[],
  opts: BatchSignerOptions<S>,
  sign: (session: DeviceJobSession, item: P) => Promise<S>,
  beforeFirst?: (session: DeviceJobSession) => Promise<void>,
): Promise<S[]> {
  let signedCount = 0
  try {
    return await device.withDevice(app, operation, opts.onProgress, async (session) => {
      if (beforeFirst) await beforeFirst(session)
      const signatures: S[] = []
      for (const [index, item] of items.entries()) {
        emit(opts.onProgress, confirmation('transaction', index, items.length))
        const signature = await sign(session, item)
        signatures.push(signature)
        signedCount++
        emit(opts.onProgress, { kind: 'signed', signed: signedCount, total: items.length })
        await deliver(opts.onSigned, index, signature)
      }
      return signatures
    })
  } catch (error) {
    throw withBatchContext(error, signedCount, items.length)
  }
}

/** Which app is open, and that app's configuration when it is one we speak to. */
export async function getDeviceStatus(device: LedgerDeviceSession, opts: SignerOptions): Promise<DeviceStatus> {
  return device.withDevice(null, 'read-status', opts.onProgress, async ({ transport: t, job, openApp }) => {
    const status: DeviceStatus = { openApp: { name: openApp.name, version: openApp.version } }
    if (APP_NAMES_ON_DEVICE.Ethereum.includes(openApp.name)) {
      status.ethereum = await job.withDeadline(getEthAppConfiguration(t), device.exchangeTimeoutMs)
    } else if (APP_NAMES_ON_DEVICE.Stellar.includes(openApp.name)) {
      status.stellar = await job.withDeadline(getStellarAppConfiguration(t), device.exchangeTimeoutMs)
    }
    return status
  })
}

export function appFor(chain: SignerChain): LedgerAppName {
  return chain === 'evm' ? 'Ethereum' : 'Stellar'
}

async function deliver<S>(onSigned: BatchSignerOptions<S>['onSigned'], index: number, signature: S): Promise<void> {
  if (!onSigned) return
  try {
    await onSigned(index, signature)
  } catch (error) {
    throw new CallerError(error)
  }
}

/** A batch that stops part-way says how far it got; the signatures so far went to onSigned. */
function withBatchContext(error: unknown, signedCount: number, total: number): unknown {
  if (total <= 1 || !(error instanceof CsError) || !error.code.startsWith('DEVICE_')) return error
  const progress =
    signedCount === 0 ? 'None of the transactions was signed.' : `${signedCount} of ${total} were signed before this and are kept.`
  return new CsError(error.code, `${error.message} ${progress}`, {
    cause: error.cause,
    details: { ...error.details, signedCount, total },
  })
}

export function confirmation(subject: ConfirmationSubject, index: number, total: number): SignerProgress {
  return { kind: 'awaiting-confirmation', subject, position: index + 1, total }
}

export function emit(onProgress: SignerOptions['onProgress'], progress: SignerProgress): void {
  if (!onProgress) return
  try {
    onProgress(progress)
  } catch {
    // A broken progress listener (a closed window) must not break a signature.
  }
}

/** The Ledger answered, but with something that cannot be right: never used, always DEVICE_UNEXPECTED. */
export function unexpectedAnswer(why: string): CsError {
  return new CsError(
    'DEVICE_UNEXPECTED',
    `The Ledger's answer cannot be used (${why}), so it was discarded — reconnect the Ledger and try again.`,
    {
      details: { why },
    },
  )
}

/** Bytes of a hex field in the device's answer, or null when it is not hex. */
export function safeHex(hex: string): Uint8Array | null {
  try {
    return hexToBytesStrict(hex, 'signature')
  } catch {
    return null
  }
}
