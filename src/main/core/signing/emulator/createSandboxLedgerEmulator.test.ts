/**
 * The emulated device at the APDU level (the signer-level behaviour is in test/signing).
 */
import { describe, expect, it } from 'vitest'
import { getOpenApp, parseOpenApp } from '../ledgerDevice/getOpenApp'
import { signStellarTransaction } from '../ledgerDevice/stellarAppOps'
import { createSandboxLedgerEmulator, type SandboxLedgerEmulatorOptions } from './createSandboxLedgerEmulator'
import { SPECULOS_TEST_MNEMONIC } from './sandboxSoftwareKeys'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const apdu = (h: string) => Buffer.from(h, 'hex')

function emulator(options: Partial<SandboxLedgerEmulatorOptions> = {}) {
  return createSandboxLedgerEmulator({ mnemonic: SPECULOS_TEST_MNEMONIC, user: 'approve', ...options })
}

describe('sandbox Ledger emulator', () => {
  it('answers b0 01 with the open app, or BOLOS on the dashboard', async () => {
    const device = emulator({ openApp: 'dashboard' })
    const transport = await device.transportFactory.open(device.deviceId)
    expect(await getOpenApp(transport)).toMatchObject({ name: 'BOLOS', version: '2.4.2' })
    device.openApp('Stellar')
    expect(await getOpenApp(transport)).toMatchObject({ name: 'Stellar', version: '5.4.1', flags: new Uint8Array([0]) })
    expect(parseOpenApp(apdu('0108457468657265756d06312e31372e300100'))).toMatchObject({ name: 'Ethereum', version: '1.17.0' })
    expect(() => parseOpenApp(apdu('0208'))).toThrow(/which app is open/)
  })

  it('answers app APDUs on the dashboard with the configured status word', async () => {
    const device = emulator({ openApp: 'dashboard' })
    expect(hex(await device.exchange(apdu('e00200000d038000002c8000009480000000')))).toBe('6e01')
    const older = emulator({ openApp: 'dashboard', dashboardStatusWord: 0x6511 })
    expect(hex(await older.exchange(apdu('e006000000')))).toBe('6511')
  })

  it('answers everything with 5515 while locked', async () => {
    const device = emulator({ openApp: 'Ethereum', locked: true })
    expect(hex(await device.exchange(apdu('b001000000')))).toBe('5515')
    expect(hex(await device.exchange(apdu('e006000000')))).toBe('5515')
  })

  it('checks Lc and refuses a continuation frame without a first frame', async () => {
    const device = emulator({ openApp: 'Stellar' })
    expect(hex(await device.exchange(apdu('e006000001')))).toBe('6700')
    expect(hex(await device.exchange(apdu('e004800002abcd')))).toBe('b005')
    expect(hex(await device.exchange(apdu('e0040000110580000000800000008000000080000000')))).toBe('6a87')
  })

  it('enforces the Stellar buffer size itself (B004) and reports it in the configuration', async () => {
    const device = emulator({ openApp: 'Stellar', stellar: { maxDataSizeBytes: 300 } })
    expect(hex(await device.exchange(apdu('e006000000')))).toBe('00050401012c9000')
    const transport = await device.transportFactory.open(device.deviceId)
    const error = await signStellarTransaction(transport, "44'/148'/0'", new Uint8Array(400)).catch((e: Error) => e)
    expect(error).toMatchObject({ name: 'StellarDataTooLargeError' })
    expect(device.stats.prompts).toEqual([])
  })

  it('refuses non-hardened Stellar paths like the app (B001)', async () => {
    const device = emulator({ openApp: 'Stellar' })
    expect(hex(await device.exchange(apdu('e00200000d038000002c8000009400000000')))).toBe('b001')
  })

  it('answers the Ethereum configuration with the blind signing flag', async () => {
    const device = emulator({ openApp: 'Ethereum', ethereum: { blindSigning: true, version: [1, 13, 2] } })
    expect(hex(await device.exchange(apdu('e006000000')))).toBe('01010d029000')
    device.settings.ethereum.blindSigning = false
    expect(hex(await device.exchange(apdu('e006000000')))).toBe('00010d029000')
  })

  it('lists nothing and refuses to open while unplugged', async () => {
    const device = emulator()
    device.disconnect()
    expect(await device.transportFactory.list()).toEqual([])
    await expect(device.transportFactory.open(device.deviceId)).rejects.toMatchObject({ name: 'TransportError', id: 'NoDeviceFound' })
    await expect(device.exchange(apdu('b001000000'))).rejects.toMatchObject({ name: 'DisconnectedDevice' })
    device.reconnect()
    expect(await device.transportFactory.list()).toHaveLength(1)
  })

  it('refuses a mnemonic that is not BIP39', () => {
    expect(() => createSandboxLedgerEmulator({ mnemonic: 'not a real mnemonic at all' })).toThrow(/not a valid BIP39/)
  })
})
