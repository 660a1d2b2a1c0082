/**
 * displayAddress checksums EVM addresses with the project's own EIP-55 helper, so listing payees
 * does not load viem (issue 17, finding 15). It must answer exactly as viem's
 * isAddress(…, { strict: false }) / getAddress did, on any input.
 */
import fc from 'fast-check'
import { getAddress, isAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { displayAddress } from './payeeAccounts'

function viaViem(rail: string, address: string): string {
  return rail === 'evm' && isAddress(address, { strict: false }) ? getAddress(address) : address
}

const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF'.split(''))
/** 0x + 40 hex digits in mixed case, sometimes one character off (length, prefix, a non-hex digit). */
const nearAddress = fc
  .tuple(fc.constantFrom('0x', '0X', '', '0x0'), fc.array(hexDigit, { minLength: 38, maxLength: 42 }), fc.constantFrom('', 'g', ' ', 'G'))
  .map(([prefix, digits, tail]) => `${prefix}${digits.join('')}${tail}`)

describe('displayAddress answers as viem', () => {
  it('on addresses, near-addresses and any string, on every rail', () => {
    fc.assert(
      fc.property(fc.constantFrom('evm', 'stellar', 'stripe'), fc.oneof(nearAddress, fc.string()), (rail, address) => {
        expect(displayAddress(rail, address)).toBe(viaViem(rail, address))
      }),
      { numRuns: 2000 },
    )
  })

  it('checksums a known address (EIP-55 test vector)', () => {
    expect(displayAddress('evm', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed')).toBe('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')
  })
})
