import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { CsError } from '../../../shared/errors'
import { toDeviceError, type DeviceOperation } from './deviceErrors'

const requireCjs = createRequire(import.meta.url)
type StatusErrorClass = new (statusCode: number) => Error & { statusCode: number }
/**
 * Two different copies of TransportStatusError (the top-level hw-transport and the one hw-app-str
 * pins): the mapping must not care which class an error comes from.
 */
const topLevel = (requireCjs('@ledgerhq/hw-transport') as { TransportStatusError: StatusErrorClass }).TransportStatusError
const strCopy = (
  createRequire(requireCjs.resolve('@ledgerhq/hw-app-str'))('@ledgerhq/hw-transport') as { TransportStatusError: StatusErrorClass }
).TransportStatusError
const ledgerErrors = requireCjs('@ledgerhq/errors') as Record<string, new (message?: string) => Error>

const code = (error: unknown, operation: DeviceOperation = 'sign-evm-transaction') =>
  toDeviceError(error, { operation, app: 'Ethereum' }).code

describe('toDeviceError', () => {
  it('uses duplicate classes from different package copies alike', () => {
    expect(topLevel).not.toBe(strCopy)
    expect(code(new topLevel(0x6985))).toBe('DEVICE_REJECTED')
    expect(code(new strCopy(0x6985))).toBe('DEVICE_REJECTED')
  })

  it.each([
    [0x5515, 'DEVICE_LOCKED'],
    [0x6982, 'DEVICE_LOCKED'],
    [0x6985, 'DEVICE_REJECTED'],
    [0x5501, 'DEVICE_REJECTED'],
    [0x6e00, 'DEVICE_WRONG_APP'],
    [0x6e01, 'DEVICE_WRONG_APP'],
    [0x6d00, 'DEVICE_WRONG_APP'],
    [0x6511, 'DEVICE_WRONG_APP'],
    [0x6a15, 'DEVICE_WRONG_APP'],
    [0x6a80, 'DEVICE_BLIND_SIGNING_OFF'],
    [0x6c66, 'DEVICE_HASH_SIGNING_OFF'],
    [0xb004, 'DEVICE_DATA_TOO_LARGE'],
    [0xb005, 'DEVICE_PARSE_FAILED'],
    [0x6f00, 'DEVICE_UNEXPECTED'],
  ])('status word 0x%s maps to %s while signing', (statusWord, expected) => {
    expect(code(new topLevel(statusWord))).toBe(expected)
  })

  it('reads 0x6A80 as blind signing only while signing', () => {
    expect(code(new topLevel(0x6a80), 'sign-evm-typed-data-hash')).toBe('DEVICE_BLIND_SIGNING_OFF')
    expect(code(new topLevel(0x6a80), 'get-address')).toBe('DEVICE_UNEXPECTED')
  })

  it('follows the cause chain (hw-app-str wraps the status error)', () => {
    const wrapped = new Error('User refused the request', { cause: new strCopy(0x6985) })
    wrapped.name = 'StellarUserRefusedError'
    expect(code(wrapped, 'sign-stellar-transaction')).toBe('DEVICE_REJECTED')
    const nameOnly = Object.assign(new Error('x'), { name: 'StellarDataTooLargeError' })
    expect(code(nameOnly, 'sign-stellar-transaction')).toBe('DEVICE_DATA_TOO_LARGE')
  })

  it('maps by name when there is no status word', () => {
    expect(code(Object.assign(new Error('Please enable Blind signing'), { name: 'EthAppPleaseEnableContractData' }))).toBe(
      'DEVICE_BLIND_SIGNING_OFF',
    )
    expect(code(new ledgerErrors.DisconnectedDeviceDuringOperation!('gone'))).toBe('DEVICE_DISCONNECTED')
    expect(code(new ledgerErrors.DisconnectedDevice!())).toBe('DEVICE_DISCONNECTED')
    expect(code(new ledgerErrors.TransportRaceCondition!('busy'))).toBe('DEVICE_BUSY')
    expect(
      code(Object.assign(new Error('Ledger Device is busy (lock signTransaction)'), { name: 'TransportError', id: 'TransportLocked' })),
    ).toBe('DEVICE_BUSY')
    expect(code(Object.assign(new Error('NoDevice'), { name: 'TransportError', id: 'NoDevice' }))).toBe('DEVICE_NOT_FOUND')
    expect(code(new TypeError('something else'))).toBe('DEVICE_UNEXPECTED')
  })

  it('keeps the cause for the log and never puts it in the message', () => {
    const cause = new topLevel(0x5515)
    const mapped = toDeviceError(cause, { operation: 'get-address', app: 'Stellar' })
    expect(mapped.cause).toBe(cause)
    // The device state a window can act on: what was asked, the app it needs, the status word.
    expect(mapped.details).toEqual({ operation: 'get-address', app: 'Stellar', statusWord: '0x5515' })
    expect(mapped.message).not.toContain('Ledger device:')
  })

  it('passes a CsError through unchanged', () => {
    const original = new CsError('DEVICE_TIMEOUT', 'x')
    expect(toDeviceError(original, { operation: 'get-address' })).toBe(original)
  })
})
