import { describe, expect, it } from 'vitest'
import { canonicalBip32Path, evmAccountPath, parseBip32Path, serializeBip32Path, stellarAccountPath } from './bip32Path'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return (e as { code?: string }).code
  }
  return undefined
}

describe('BIP32 paths', () => {
  it('parses hardened and plain steps, with or without m/', () => {
    expect(parseBip32Path("44'/60'/0'/0/3")).toEqual([0x8000002c, 0x8000003c, 0x80000000, 0, 3])
    expect(parseBip32Path("m/44'/148'/19773'")).toEqual([0x8000002c, 0x80000094, 0x80004d3d])
    expect(canonicalBip32Path("m/44'/60'/0'/0/0")).toBe("44'/60'/0'/0/0")
  })

  it('refuses what hw-app-eth would silently mis-derive', () => {
    // "h" hardening, junk steps, empty steps, leading zeros, out-of-range indexes, too deep.
    for (const bad of ['44h/60h/0h/0/0', "44'/x/0", "44'//0", "44'/060'", `44'/${2 ** 31}`, '', 'm/', Array(11).fill('0').join('/')]) {
      expect(
        codeOf(() => parseBip32Path(bad)),
        bad,
      ).toBe('INVALID_INPUT')
    }
    expect(parseBip32Path(`44'/${2 ** 31 - 1}'`)).toEqual([0x8000002c, 0xffffffff])
  })

  it('encodes as the apps expect: count, then big-endian u32 steps', () => {
    expect(Buffer.from(serializeBip32Path(parseBip32Path("44'/148'/0'"))).toString('hex')).toBe('038000002c8000009480000000')
  })

  it('builds the standard account paths', () => {
    expect(evmAccountPath(3)).toBe("44'/60'/0'/0/3")
    expect(stellarAccountPath(3)).toBe("44'/148'/3'")
    expect(codeOf(() => evmAccountPath(-1))).toBe('INVALID_INPUT')
    expect(codeOf(() => stellarAccountPath(2 ** 31))).toBe('INVALID_INPUT')
    expect(codeOf(() => evmAccountPath(1.5))).toBe('INVALID_INPUT')
  })
})
