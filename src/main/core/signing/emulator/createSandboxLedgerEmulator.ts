/**
 * SANDBOX / TEST ONLY. An in-process Ledger: a Transport (hw-transport's class, like every real
 * transport) in front of an emulated device running the Ethereum and Stellar apps from software
 * keys. The Ledger signer drives it through the same hw-app-eth / hw-app-str code as a real device.
 *
 * Scriptable like a person holding a device: which app is open, locked or not, the app settings,
 * the user's answer to each prompt (approve, reject, or "manual": the test gets each prompt and
 * answers it when it chooses — a slow user without timers), a disconnect now or after n signatures,
 * and a one-shot status word for the next APDU. For full EIP-712 messages it also keeps what the
 * screen showed (`lastDisplay()`).
 */
import { DASHBOARD_APP_NAME } from '../ledgerDevice/getOpenApp'
import type { LedgerTransportFactory } from '../ledgerDevice/LedgerTransportFactory'
import { ledgerErrorClasses, TransportBase, transportErrorClass } from '../ledgerDevice/ledgerPackages'
import type { DeviceDisplayLine } from '../eip712Device'
import { APP_ETHEREUM_TEST_CAL_KEY } from './emulatedEip712'
import { createEmulatedEthereumApp, type EmulatedEthereumSettings } from './emulatedEthereumApp'
import { createEmulatedStellarApp, type EmulatedStellarSettings } from './emulatedStellarApp'
import { bytesToHexString, reply, status, sw, type EmulatedApp, type EmulatedDeviceServices, type PromptContent } from './emulatedApp'
import { createSandboxSoftwareKeys } from './sandboxSoftwareKeys'

export type EmulatorAppChoice = 'Ethereum' | 'Stellar' | 'dashboard'
export type EmulatorUserMode = 'approve' | 'reject' | 'manual'

export interface SandboxLedgerEmulatorOptions {
  /** SANDBOX / TEST ONLY: never a mnemonic that controls real funds. */
  mnemonic: string
  openApp?: EmulatorAppChoice
  user?: EmulatorUserMode
  locked?: boolean
  ethereum?: Partial<EmulatedEthereumSettings> & { version?: readonly [number, number, number] }
  stellar?: Partial<EmulatedStellarSettings> & { version?: readonly [number, number, number] }
  /** What the dashboard answers to an app APDU (CLA E0): 0x6E01 on current firmware; 0x6E00 / 0x6511 on others. */
  dashboardStatusWord?: number
  firmwareVersion?: string
  deviceId?: string
}

export interface PendingPrompt extends PromptContent {
  approve(): void
  reject(): void
}

export interface EmulatorStats {
  exchanges: number
  /** Most exchanges ever in flight at once; a correct host keeps this at 1. */
  concurrentExchangesMax: number
  signatures: number
  /** Every command APDU received, as lowercase hex. */
  apdus: string[]
  /** Every prompt shown, in order, with the emulated user's answer. */
  prompts: Array<PromptContent & { answer: 'approved' | 'rejected' | 'unanswered' }>
}

export interface SandboxLedgerEmulator {
  readonly deviceId: string
  readonly transportFactory: LedgerTransportFactory
  /** Live app settings; tests flip them between operations. */
  readonly settings: { ethereum: EmulatedEthereumSettings; stellar: EmulatedStellarSettings }
  readonly stats: EmulatorStats
  /** One raw APDU through the emulated device, exactly as a transport delivers it. */
  exchange(apdu: Uint8Array): Promise<Uint8Array>
  openApp(app: EmulatorAppChoice): void
  lock(): void
  unlock(): void
  setUser(mode: EmulatorUserMode): void
  /** The next prompt shown in "manual" mode (already shown or still to come). */
  nextPrompt(): Promise<PendingPrompt>
  /** The next APDU (or the next app APDU with this INS) is answered with this status word instead. */
  failNextApdu(statusWord: number, options?: { ins?: number }): void
  /** After `count` more signatures, the device is unplugged at the next exchange. */
  disconnectAfterSignatures(count: number): void
  /** Unplugs the device now: a pending prompt's exchange fails, later ones too, until reconnect(). */
  disconnect(): void
  reconnect(): void
  /**
   * The screens the Ethereum app showed for the last full EIP-712 message, in order (also after a
   * rejection or a refusal part-way); null before the first one.
   */
  lastDisplay(): readonly DeviceDisplayLine[] | null
}

const defaultEthereumVersion = [1, 17, 0] as const
/** The Stellar app version and buffer size recorded from a device in the APDU vectors. */
const defaultStellarVersion = [5, 4, 1] as const
const defaultStellarMaxDataSizeBytes = 1562
const defaultFirmwareVersion = '2.4.2'
const getAppAndVersion = { cla: 0xb0, ins: 0x01 } as const
const lockedStatusWord = 0x5515
const appClaNotSupportedOnDashboard = 0x6e01
/** App flags byte in the `b0 01` answer; the host does not interpret it. */
const appFlags = 0x00
/** Smallest command APDU: CLA INS P1 P2 Lc. */
const apduHeaderBytes = 5

export function createSandboxLedgerEmulator(options: SandboxLedgerEmulatorOptions): SandboxLedgerEmulator {
  const errors = ledgerErrorClasses()
  const keys = createSandboxSoftwareKeys(options.mnemonic)
  const deviceId = options.deviceId ?? 'sandbox-ledger-emulator'
  const firmwareVersion = options.firmwareVersion ?? defaultFirmwareVersion
  const settings = {
    ethereum: {
      blindSigning: options.ethereum?.blindSigning ?? false,
      rawMessages: options.ethereum?.rawMessages ?? false,
      calPublicKey: options.ethereum?.calPublicKey ?? APP_ETHEREUM_TEST_CAL_KEY,
    },
    stellar: {
      hashSigning: options.stellar?.hashSigning ?? false,
      maxDataSizeBytes: options.stellar?.maxDataSizeBytes ?? defaultStellarMaxDataSizeBytes,
    },
  }
  const stats: EmulatorStats = { exchanges: 0, concurrentExchangesMax: 0, signatures: 0, apdus: [], prompts: [] }

  let currentApp: EmulatorAppChoice = options.openApp ?? 'dashboard'
  let locked = options.locked ?? false
  let userMode: EmulatorUserMode = options.user ?? 'approve'
  const dashboardStatusWord = options.dashboardStatusWord ?? appClaNotSupportedOnDashboard
  let disconnected = false
  let disconnectAtSignatures: number | null = null
  let injectedFault: { statusWord: number; ins?: number } | null = null
  let inFlight = 0
  let openTransport: SandboxEmulatorTransport | null = null

  // Manual-mode prompts: shown ones not yet claimed by a test, and tests waiting for one.
  const unclaimedPrompts: PendingPrompt[] = []
  const promptWaiters: Array<(p: PendingPrompt) => void> = []
  // The prompt currently on screen, so a disconnect can fail its exchange.
  let onScreen: { fail: (error: Error) => void } | null = null

  const services: EmulatedDeviceServices = {
    keys,
    confirm(content) {
      const record: EmulatorStats['prompts'][number] = { ...content, answer: 'unanswered' }
      stats.prompts.push(record)
      if (userMode !== 'manual') {
        record.answer = userMode === 'approve' ? 'approved' : 'rejected'
        return Promise.resolve(userMode === 'approve')
      }
      return new Promise<boolean>((resolve, reject) => {
        let answered = false
        const answer = (approved: boolean) => {
          if (answered) return
          answered = true
          onScreen = null
          record.answer = approved ? 'approved' : 'rejected'
          resolve(approved)
        }
        onScreen = {
          fail: (error) => {
            answered = true
            onScreen = null
            reject(error)
          },
        }
        const prompt: PendingPrompt = { ...content, approve: () => answer(true), reject: () => answer(false) }
        const waiter = promptWaiters.shift()
        if (waiter) waiter(prompt)
        else unclaimedPrompts.push(prompt)
      })
    },
    signatureProduced() {
      stats.signatures++
    },
  }

  const ethereumApp = createEmulatedEthereumApp(services, settings.ethereum, options.ethereum?.version ?? defaultEthereumVersion)
  const apps: Record<'Ethereum' | 'Stellar', EmulatedApp> = {
    Ethereum: ethereumApp,
    Stellar: createEmulatedStellarApp(services, settings.stellar, options.stellar?.version ?? defaultStellarVersion),
  }

  function appAndVersion(): Uint8Array {
    const ascii = new TextEncoder()
    if (currentApp === 'dashboard') {
      const name = ascii.encode(DASHBOARD_APP_NAME)
      const version = ascii.encode(firmwareVersion)
      return reply(new Uint8Array([0x01, name.length, ...name, version.length, ...version]), sw.ok)
    }
    const app = apps[currentApp]
    const name = ascii.encode(app.name)
    const version = ascii.encode(app.version)
    return reply(new Uint8Array([0x01, name.length, ...name, version.length, ...version, 1, appFlags]), sw.ok)
  }

  async function dispatch(raw: Uint8Array): Promise<Uint8Array> {
    if (raw.length < apduHeaderBytes) return status(sw.wrongLength)
    const [cla = 0, ins = 0, p1 = 0, p2 = 0, lc = 0] = raw
    const data = raw.slice(apduHeaderBytes)
    if (data.length !== lc) return status(sw.wrongLength)
    if (injectedFault && (injectedFault.ins === undefined || (cla === 0xe0 && injectedFault.ins === ins))) {
      const fault = injectedFault.statusWord
      injectedFault = null
      return status(fault)
    }
    if (locked) return status(lockedStatusWord)
    if (cla === getAppAndVersion.cla && ins === getAppAndVersion.ins) return appAndVersion()
    if (currentApp === 'dashboard') return status(cla === 0xe0 ? dashboardStatusWord : sw.claNotSupported)
    return apps[currentApp].handle({ cla, ins, p1, p2, data })
  }

  function unplug(): void {
    if (disconnected) return
    disconnected = true
    disconnectAtSignatures = null
    apps.Ethereum.reset()
    apps.Stellar.reset()
    onScreen?.fail(new errors.DisconnectedDeviceDuringOperation('sandbox emulator: unplugged while a prompt was shown'))
    const transport = openTransport
    openTransport = null
    transport?.markUnplugged()
  }

  async function exchange(apdu: Uint8Array): Promise<Uint8Array> {
    if (disconnected) throw new errors.DisconnectedDevice('sandbox emulator: device is unplugged')
    if (disconnectAtSignatures !== null && stats.signatures >= disconnectAtSignatures) {
      unplug()
      throw new errors.DisconnectedDeviceDuringOperation('sandbox emulator: unplugged during the exchange')
    }
    inFlight++
    stats.concurrentExchangesMax = Math.max(stats.concurrentExchangesMax, inFlight)
    try {
      // Two exchanges at once would garble a real HID link; the emulator refuses the second.
      if (inFlight > 1) throw new errors.TransportRaceCondition('sandbox emulator: an exchange is already in flight')
      stats.exchanges++
      stats.apdus.push(bytesToHexString(apdu))
      return await dispatch(apdu)
    } finally {
      inFlight--
    }
  }

  class SandboxEmulatorTransport extends TransportBase {
    private closed = false

    override async exchange(apdu: Buffer): Promise<Buffer> {
      if (this.closed) throw new errors.DisconnectedDevice('sandbox emulator: transport is closed')
      return Buffer.from(await exchange(new Uint8Array(apdu)))
    }

    override setScrambleKey(): void {}

    override async close(): Promise<void> {
      this.closed = true
      if (openTransport === this) openTransport = null
    }

    markUnplugged(): void {
      this.closed = true
      this.emit('disconnect')
    }
  }

  const transportFactory: LedgerTransportFactory = {
    kind: 'sandbox-emulator',
    async list() {
      return disconnected ? [] : [{ id: deviceId, label: 'Sandbox Ledger emulator (test only)' }]
    },
    async open(id) {
      if (disconnected || id !== deviceId) {
        const TransportError = transportErrorClass()
        throw new TransportError('No Ledger device found', 'NoDeviceFound')
      }
      // Like USB HID on macOS and Windows: one host connection at a time.
      if (openTransport) throw new errors.CantOpenDevice('sandbox emulator: already open by another connection')
      openTransport = new SandboxEmulatorTransport()
      return openTransport
    },
  }

  return {
    deviceId,
    transportFactory,
    settings,
    stats,
    exchange,
    openApp(app) {
      apps.Ethereum.reset()
      apps.Stellar.reset()
      currentApp = app
    },
    lock() {
      locked = true
    },
    unlock() {
      locked = false
    },
    setUser(mode) {
      userMode = mode
    },
    nextPrompt() {
      const shown = unclaimedPrompts.shift()
      if (shown) return Promise.resolve(shown)
      return new Promise((resolve) => promptWaiters.push(resolve))
    },
    failNextApdu(statusWord, opts = {}) {
      injectedFault = { statusWord, ins: opts.ins }
    },
    disconnectAfterSignatures(count) {
      disconnectAtSignatures = stats.signatures + count
    },
    disconnect: unplug,
    reconnect() {
      disconnected = false
    },
    lastDisplay: () => ethereumApp.lastTypedDataDisplay(),
  }
}

export { DASHBOARD_APP_NAME }
export const emulatorStatusWords = { locked: lockedStatusWord, dashboardDefault: appClaNotSupportedOnDashboard } as const
