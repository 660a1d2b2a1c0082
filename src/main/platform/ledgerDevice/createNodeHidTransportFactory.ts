/**
 * Ledger over USB HID (@ledgerhq/hw-transport-node-hid, a native module) behind the core's
 * LedgerTransportFactory. The package is loaded on first use, never at import: the CLI, the tests
 * and machines without libusb/udev run without it until someone actually asks for a device.
 * Loaded through its CommonJS build (its ESM build does not load under Node; see ledgerPackages.ts).
 */
import { createRequire } from 'node:module'
import { CsError } from '../../../shared/errors'
import type { LedgerDeviceDescriptor, LedgerTransportFactory } from '../../core/signing/ledgerDevice/LedgerTransportFactory'
import type { LedgerTransport } from '../../core/signing/ledgerDevice/ledgerPackages'

/** The part of TransportNodeHid's static API this adapter uses. */
export interface NodeHidTransportClass {
  isSupported(): Promise<boolean>
  list(): Promise<unknown[]>
  open(path: string): Promise<LedgerTransport>
}

export interface NodeHidTransportFactoryOptions {
  /** Loads the transport class; tests pass a fake. */
  load?: () => NodeHidTransportClass
}

const requireCjs = createRequire(import.meta.url)

function loadNodeHid(): NodeHidTransportClass {
  return (requireCjs('@ledgerhq/hw-transport-node-hid') as { default: NodeHidTransportClass }).default
}

export function createNodeHidTransportFactory(options: NodeHidTransportFactoryOptions = {}): LedgerTransportFactory {
  const load = options.load ?? loadNodeHid
  let transportClass: NodeHidTransportClass | undefined

  function hid(): NodeHidTransportClass {
    if (transportClass) return transportClass
    try {
      transportClass = load()
    } catch (error) {
      throw new CsError('DEVICE_UNEXPECTED', 'USB support for the Ledger could not be loaded — reinstall Countersign, then try again.', {
        cause: error,
      })
    }
    return transportClass
  }

  async function listPaths(): Promise<string[]> {
    const paths = await hid().list()
    return paths.filter((p): p is string => typeof p === 'string' && p.length > 0)
  }

  return {
    kind: 'usb-hid',
    async list(): Promise<LedgerDeviceDescriptor[]> {
      return (await listPaths()).map((path, i) => ({ id: path, label: `Ledger on USB${i > 0 ? ` #${i + 1}` : ''}` }))
    },
    async open(id: string): Promise<LedgerTransport> {
      if (!(await listPaths()).includes(id)) {
        throw new CsError('DEVICE_NOT_FOUND', 'No Ledger found — connect it by USB, unlock it and try again.', { details: { id } })
      }
      try {
        return await hid().open(id)
      } catch (error) {
        // node-hid says only "cannot open device with path …": another app holds it (Ledger Live),
        // or, on Linux, the udev rules that let users open Ledger devices are missing.
        throw new CsError(
          'DEVICE_BUSY',
          "Could not open the Ledger — close Ledger Live or any other wallet app using it (on Linux, install Ledger's udev rules), then try again.",
          { cause: error },
        )
      }
    },
  }
}
