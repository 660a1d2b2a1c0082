import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import type { LedgerTransport } from '../../core/signing/ledgerDevice/ledgerPackages'
import { createNodeHidTransportFactory, type NodeHidTransportClass } from './createNodeHidTransportFactory'

function fakeHid(paths: unknown[], open: (path: string) => Promise<LedgerTransport>): NodeHidTransportClass {
  return { isSupported: async () => true, list: async () => paths, open }
}

const neverOpened = async (): Promise<LedgerTransport> => {
  throw new Error('must not open')
}

describe('node-hid transport factory', () => {
  it('does not load the native module until a device is asked for', async () => {
    let loads = 0
    const factory = createNodeHidTransportFactory({
      load: () => {
        loads++
        return fakeHid(['/dev/hidraw3'], neverOpened)
      },
    })
    expect(loads).toBe(0)
    expect(await factory.list()).toEqual([{ id: '/dev/hidraw3', label: 'Ledger on USB' }])
    await factory.list()
    expect(loads).toBe(1)
  })

  it('DEVICE_NOT_FOUND for a device that is gone, DEVICE_BUSY when it cannot be opened', async () => {
    const busy = createNodeHidTransportFactory({
      load: () =>
        fakeHid(['/dev/hidraw3'], async (path) => {
          throw new Error(`cannot open device with path ${path}`)
        }),
    })
    await expect(busy.open('/dev/hidraw9')).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND' })
    await expect(busy.open('/dev/hidraw3')).rejects.toMatchObject({
      code: 'DEVICE_BUSY',
      message:
        "Could not open the Ledger — close Ledger Live or any other wallet app using it (on Linux, install Ledger's udev rules), then try again.",
    })
  })

  it('reports a module that will not load as a reinstall problem', async () => {
    const broken = createNodeHidTransportFactory({
      load: () => {
        throw new Error('Could not locate the bindings file')
      },
    })
    await expect(broken.list()).rejects.toMatchObject({
      code: 'DEVICE_UNEXPECTED',
      message: 'USB support for the Ledger could not be loaded — reinstall Countersign, then try again.',
    })
  })

  it('loads the real native module (built against libusb/libudev) and lists without a device', async () => {
    const real = createRequire(import.meta.url)('@ledgerhq/hw-transport-node-hid') as { default: NodeHidTransportClass }
    expect(await real.default.isSupported()).toBe(true)
    const devices = await createNodeHidTransportFactory().list()
    expect(Array.isArray(devices)).toBe(true)
  })
})
