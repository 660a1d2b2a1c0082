/** The assembled EVM rail, without a node: what it tells the engine and the screens about itself. */
import { describe, expect, it } from 'vitest'
import { isDeviceRail } from '../Rail'
import { createEvmRail } from './createEvmRail'
import { TEST_BATCH_CONTRACT, TEST_CHAIN_ID, TEST_SOURCE, testSubmission } from './evmTestRows'

const config = {
  chainId: TEST_CHAIN_ID,
  rpcUrl: 'http://127.0.0.1:9/never-called',
  batchContract: TEST_BATCH_CONTRACT,
  confirmationsMin: 2,
  maxFeePerGasCap: 10n ** 12n,
  source: { address: TEST_SOURCE, path: "44'/60'/0'/0/0" },
} as const

describe('createEvmRail', () => {
  it('is a device rail signed by the Ethereum app, whose source must be verified, with nonces', () => {
    const rail = createEvmRail(config)
    expect(isDeviceRail(rail)).toBe(true)
    expect(rail.capabilities).toMatchObject({ signer: 'evm', verifiesSourceAddress: true, externalSigning: true, nonceName: 'nonce' })
    expect(rail.feeAssetId).toBe(`ETH@evm:${TEST_CHAIN_ID}`)
    expect(typeof rail.head).toBe('function')
  })

  it('links a transaction to the configured explorer, and to nothing without one', () => {
    expect(createEvmRail({ ...config, explorerUrl: 'https://basescan.org/' }).explorerUrl!('0xabc')).toBe('https://basescan.org/tx/0xabc')
    expect(createEvmRail(config).explorerUrl!('0xabc')).toBeNull()
  })

  it('watches every recent confirmed submission until a lookup has seen the head', () => {
    const rail = createEvmRail(config)
    expect(rail.reorgWatch!.isWatched(testSubmission({ state: 'confirmed', block_number: '1' }))).toBe(true)
    expect(() => createEvmRail({ ...config, confirmationsMin: 0 })).toThrow(/^invariant: confirmationsMin/)
  })
})
