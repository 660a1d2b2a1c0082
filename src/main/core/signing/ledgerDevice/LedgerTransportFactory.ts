/**
 * Where Ledger transports come from. The core only knows this interface; the node-hid adapter
 * lives in src/main/platform/ledgerDevice, the sandbox emulator in ../emulator, and tests pass a
 * factory over a recorded-APDU replayer.
 */
import type { LedgerTransport } from './ledgerPackages'

export interface LedgerDeviceDescriptor {
  /** Stable while the device stays plugged in (a HID path for USB). */
  id: string
  /** For people: "Ledger Nano S Plus (USB)", "Sandbox Ledger emulator (test only)". */
  label: string
}

export interface LedgerTransportFactory {
  readonly kind: 'usb-hid' | 'sandbox-emulator' | 'test'
  list(): Promise<LedgerDeviceDescriptor[]>
  /** Opens the device with this id. Throws (or rejects) when it is gone or held by another app. */
  open(id: string): Promise<LedgerTransport>
}
