import { parseTransaction, serializeTransaction } from 'viem'
import { describe, expect, it } from 'vitest'
import { decodeUnsignedEvmTransaction, evmAddressFromPublicKey, hexToBytesStrict, toChecksumAddress } from './evmCrypto'
import { decodeRlp, rlpItemLength } from './rlp'

const to = '0x2222222222222222222222222222222222222222'
const bytes = (hex: string) => hexToBytesStrict(hex, 'test')

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (e) {
    return (e as { code?: string }).code
  }
  return undefined
}

describe('decodeUnsignedEvmTransaction', () => {
  it('reads the three supported unsigned forms as viem serialises them', () => {
    const base = { nonce: 3, gas: 21_000n, to, value: 10n ** 18n } as const
    const eip1559 = serializeTransaction({
      ...base,
      type: 'eip1559',
      chainId: 8453,
      maxFeePerGas: 2n,
      maxPriorityFeePerGas: 1n,
      data: '0xabcd',
    })
    expect(decodeUnsignedEvmTransaction(bytes(eip1559))).toMatchObject({
      type: 'eip1559',
      chainId: 8453n,
      value: 10n ** 18n,
      data: new Uint8Array([0xab, 0xcd]),
    })
    const eip2930 = serializeTransaction({
      ...base,
      type: 'eip2930',
      chainId: 1,
      gasPrice: 5n,
      accessList: [{ address: to, storageKeys: [] }],
    })
    expect(decodeUnsignedEvmTransaction(bytes(eip2930))).toMatchObject({ type: 'eip2930', chainId: 1n })
    const legacy155 = serializeTransaction({ ...base, type: 'legacy', chainId: 137, gasPrice: 5n })
    expect(decodeUnsignedEvmTransaction(bytes(legacy155))).toMatchObject({ type: 'legacy', chainId: 137n })
    const legacyPre155 = serializeTransaction({ ...base, type: 'legacy', gasPrice: 5n })
    expect(decodeUnsignedEvmTransaction(bytes(legacyPre155))).toMatchObject({ type: 'legacy', chainId: null })
    expect(parseTransaction(eip1559).chainId).toBe(8453)
  })

  it('refuses signed transactions, other types and non-canonical RLP', () => {
    const tx = { type: 'eip1559', chainId: 1, nonce: 0, gas: 21_000n, to, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n } as const
    const signed = serializeTransaction(tx, { r: `0x${'11'.repeat(32)}`, s: `0x${'22'.repeat(32)}`, yParity: 1 })
    expect(codeOf(() => decodeUnsignedEvmTransaction(bytes(signed)))).toBe('INVALID_INPUT')
    const legacySigned = serializeTransaction(
      { type: 'legacy', chainId: 1, nonce: 0, gas: 21_000n, to, gasPrice: 1n },
      { r: `0x${'11'.repeat(32)}`, s: `0x${'22'.repeat(32)}`, v: 37n },
    )
    expect(codeOf(() => decodeUnsignedEvmTransaction(bytes(legacySigned)))).toBe('INVALID_INPUT')
    expect(codeOf(() => decodeUnsignedEvmTransaction(bytes('03c0')))).toBe('INVALID_INPUT') // EIP-4844 type byte
    expect(codeOf(() => decodeUnsignedEvmTransaction(bytes(`${serializeTransaction(tx).slice(2)}00`)))).toBe('INVALID_INPUT') // trailing byte
    expect(codeOf(() => decodeUnsignedEvmTransaction(new Uint8Array(0)))).toBe('INVALID_INPUT')
  })
})

describe('RLP', () => {
  it('knows an item length from its header alone, or says it needs more bytes', () => {
    expect(rlpItemLength(bytes('f901ad'))).toBe(3 + 0x1ad)
    expect(rlpItemLength(bytes('f9'))).toBeNull()
    expect(rlpItemLength(bytes('c3'))).toBe(4)
    expect(rlpItemLength(bytes('7f'))).toBe(1)
  })

  it('decodes nested lists and refuses non-canonical encodings', () => {
    expect(decodeRlp(bytes('c5c10182ffff'))).toEqual([[new Uint8Array([1])], new Uint8Array([0xff, 0xff])])
    expect(() => decodeRlp(bytes('8101'))).toThrow(/single byte/)
    expect(() => decodeRlp(bytes('b80100'))).toThrow(/long form/)
    expect(() => decodeRlp(bytes('c2'))).toThrow(/ends inside/)
  })
})

describe('addresses', () => {
  it('derives EIP-55 addresses from public keys', () => {
    const publicKey = bytes(
      '04df00ad3869baad7ce54f4d560ba7f268d542df8f2679a5898d78a690c3db8f9833d2973671cb14b088e91bdf7c0ab00029a576473c0e12f84d252e630bb3809b',
    )
    expect(evmAddressFromPublicKey(publicKey)).toBe('0xCbA98362e199c41E1864D0923AF9646d3A648451')
    expect(toChecksumAddress('0xdad77910dbdfde764fc21fcd4e74d71bbaca6d8d')).toBe('0xDad77910DbDFdE764fC21FCD4E74D71bBACA6D8D')
    expect(codeOf(() => toChecksumAddress('0x1234'))).toBe('INVALID_INPUT')
  })
})
