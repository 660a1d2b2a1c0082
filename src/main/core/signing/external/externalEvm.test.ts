import {
  encodeFunctionData,
  keccak256,
  parseAbi,
  parseTransaction,
  serializeTransaction,
  type Hex,
  type TransactionSerializableEIP1559,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { exportUnsignedEvm, verifySignedEvm } from './externalEvm'
import { ExternalSigningFileSchema } from './externalFile'
import { importSignedFile, type ExpectedSigned } from './importSignedFile'

// TEST KEYS: well-known Hardhat/Anvil development keys. They never hold funds and are never used by the app.
const TEST_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' as const
const OTHER_TEST_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const
const account = privateKeyToAccount(TEST_KEY)
const other = privateKeyToAccount(OTHER_TEST_KEY)

const abi = parseAbi(['function pay(address[] recipients, uint256[] amounts)'])
const recipient = '0x2222222222222222222222222222222222222222'
const contract = '0x1111111111111111111111111111111111111111'

const tx: TransactionSerializableEIP1559 = {
  type: 'eip1559',
  chainId: 8453,
  nonce: 7,
  to: contract,
  data: encodeFunctionData({ abi, functionName: 'pay', args: [[recipient], [1_000_000n]] }),
  value: 1_000_000n,
  gas: 120_000n,
  maxFeePerGas: 3_000_000_000n,
  maxPriorityFeePerGas: 1_000_000n,
}
const unsignedSerialized = serializeTransaction(tx)
const expected = { submissionId: 'sub-1', chainId: 8453, from: account.address, unsignedSerialized }

async function refusal(signed: Hex): Promise<{ code?: string; message: string }> {
  try {
    await verifySignedEvm(expected, signed)
  } catch (e) {
    return e as { code?: string; message: string }
  }
  throw new Error('expected a refusal')
}

describe('external EVM signing', () => {
  it('exports a versioned document that reads back with its schema', () => {
    const file = exportUnsignedEvm([expected], new Date('2026-01-01T00:00:00Z'))
    const read = ExternalSigningFileSchema.parse(JSON.parse(JSON.stringify(file)))
    expect(read.format).toBe('countersign.external-signing.v1')
    expect(read.rail).toBe('evm')
    if (read.rail !== 'evm') throw new Error('rail')
    expect(read.items[0]?.summary).toEqual({
      to: contract,
      nonce: '7',
      value: '1000000',
      maxFeePerGas: '3000000000',
      gas: '120000',
      dataHash: keccak256(tx.data as Hex),
    })
    expect(read.items[0]?.unsigned).toBe(unsignedSerialized)
  })

  it('refuses to export a duplicate or a payload for another chain', () => {
    expect(() => exportUnsignedEvm([expected, expected])).toThrow(/twice/)
    expect(() => exportUnsignedEvm([{ ...expected, chainId: 1 }])).toThrow(/chain/)
  })

  it('round trip: the exported unsigned tx signed externally is accepted', async () => {
    const file = exportUnsignedEvm([expected])
    if (file.rail !== 'evm') throw new Error('rail')
    const item = file.items[0]
    if (!item) throw new Error('item')
    // The "air-gapped machine": signs exactly the bytes it was given.
    const signed = await account.signTransaction(parseTransaction(item.unsigned as Hex) as TransactionSerializableEIP1559)
    const result = await verifySignedEvm(expected, signed)
    expect(result.hash).toBe(keccak256(signed))
    expect(result.signed).toBe(signed.toLowerCase())

    const returned = JSON.stringify({ format: 'countersign.external-signed.v1', items: [{ submissionId: 'sub-1', signed }] })
    const map = new Map<string, ExpectedSigned>([['sub-1', { rail: 'evm', ...expected }]])
    const imported = await importSignedFile(returned, map)
    expect(imported).toEqual([{ submissionId: 'sub-1', rail: 'evm', hash: keccak256(signed), signed: signed.toLowerCase() }])
  })

  it.each([
    ['amount', { value: 2_000_000n }, /amount \(value\)/],
    [
      'recipient in calldata',
      { data: encodeFunctionData({ abi, functionName: 'pay', args: [[contract], [1_000_000n]] }) },
      /calldata \(data\)/,
    ],
    ['to', { to: recipient }, /recipient \(to\)/],
    ['nonce', { nonce: 8 }, /nonce/],
    ['chainId', { chainId: 1 }, /chain id/],
    ['fee', { maxFeePerGas: 30_000_000_000n }, /max fee per gas/],
  ] as const)('refuses a signed tx with another %s', async (_name, change, field) => {
    const signed = await account.signTransaction({ ...tx, ...change } as TransactionSerializableEIP1559)
    const error = await refusal(signed)
    expect(error.code).toBe('EXTERNAL_CONTENT_MISMATCH')
    expect(error.message).toMatch(field)
  })

  it('refuses the right tx signed by another key', async () => {
    const signed = await other.signTransaction(tx)
    const error = await refusal(signed)
    expect(error.code).toBe('EXTERNAL_SIGNATURE_INVALID')
    expect(error.message).toContain(other.address)
  })

  it('refuses a malleated (high-s) signature', async () => {
    const parsed = parseTransaction(await account.signTransaction(tx))
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
    const highS = `0x${(n - BigInt(parsed.s as Hex)).toString(16).padStart(64, '0')}` as Hex
    const malleated = serializeTransaction(tx, { r: parsed.r as Hex, s: highS, yParity: parsed.yParity === 0 ? 1 : 0 })
    const error = await refusal(malleated)
    expect(error.code).toBe('EXTERNAL_SIGNATURE_INVALID')
    expect(error.message).toMatch(/canonical/)
  })

  it('refuses an unsigned or unreadable return', async () => {
    expect((await refusal(unsignedSerialized)).code).toBe('EXTERNAL_SIGNATURE_INVALID')
    expect((await refusal('0xdeadbeef')).code).toBe('EXTERNAL_SIGNATURE_INVALID')
  })

  it('import is all-or-nothing and refuses unknown, duplicate and wrong-format files', async () => {
    const good = await account.signTransaction(tx)
    const bad = await account.signTransaction({ ...tx, value: 5n })
    const map = new Map<string, ExpectedSigned>([
      ['sub-1', { rail: 'evm', ...expected }],
      ['sub-2', { rail: 'evm', ...expected, submissionId: 'sub-2' }],
    ])
    const doc = (items: unknown[], format = 'countersign.external-signed.v1') => JSON.stringify({ format, items })
    await expect(
      importSignedFile(
        doc([
          { submissionId: 'sub-1', signed: good },
          { submissionId: 'sub-2', signed: bad },
        ]),
        map,
      ),
    ).rejects.toMatchObject({
      code: 'EXTERNAL_CONTENT_MISMATCH',
    })
    await expect(importSignedFile(doc([{ submissionId: 'sub-9', signed: good }]), map)).rejects.toMatchObject({
      code: 'EXTERNAL_FILE_INVALID',
    })
    await expect(
      importSignedFile(
        doc([
          { submissionId: 'sub-1', signed: good },
          { submissionId: 'sub-1', signed: good },
        ]),
        map,
      ),
    ).rejects.toThrow(/twice/)
    await expect(importSignedFile(doc([{ submissionId: 'sub-1', signed: good }], 'other.v9'), map)).rejects.toThrow(/other\.v9/)
    await expect(importSignedFile(doc([{ submissionId: 'sub-1', signed: good }]), map)).rejects.toThrow(/lacks submission/)
    await expect(importSignedFile('not json', map)).rejects.toMatchObject({ code: 'EXTERNAL_FILE_INVALID' })
  })
})
