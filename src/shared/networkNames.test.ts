import { describe, expect, it } from 'vitest'
import { networkKey, networkName, networkNameOfAsset, networkNameOfKey, networksConfigured } from './networkNames'

describe('networkName', () => {
  it('names the networks people know', () => {
    expect(networkName('evm', '8453')).toBe('Base')
    expect(networkName('evm', '1')).toBe('Ethereum')
    expect(networkName('evm', '31337')).toBe('Local Anvil')
    expect(networkName('stellar', 'testnet')).toBe('Stellar testnet')
    expect(networkName('stellar', 'pubnet')).toBe('Stellar')
    expect(networkName('stripe', 'stripe')).toBe('Stripe')
  })

  it('keeps an unknown chain id visible', () => {
    expect(networkName('evm', '999999')).toBe('EVM chain 999999')
    expect(networkName('stellar', 'mynet')).toBe('Stellar mynet')
  })

  it('reads keys too, and keys stay the engine keys', () => {
    expect(networkNameOfKey('evm:31337')).toBe('Local Anvil')
    expect(networkNameOfKey('stellar:testnet')).toBe('Stellar testnet')
    expect(networkNameOfKey('stripe')).toBe('Stripe')
    expect(networkKey('evm', '31337')).toBe('evm:31337')
    expect(networkKey('stripe', 'stripe')).toBe('stripe')
  })
})

describe('networkNameOfAsset and networksConfigured', () => {
  it('names the network of an asset id, issuer or not', () => {
    expect(networkNameOfAsset('USDC@evm:8453')).toBe('Base')
    expect(networkNameOfAsset('USDC@evm:31337:0x5FbDB2315678afecb367f032d93F642f64180aa3')).toBe('Local Anvil')
    expect(networkNameOfAsset('XLM@stellar:testnet')).toBe('Stellar testnet')
    expect(networkNameOfAsset('USD@stripe')).toBe('Stripe')
  })
  it('lists the networks a rails setting sets up, in its order', () => {
    expect(
      networksConfigured({ evm: { chains: [{ chainId: 31337 }] }, stellar: { networks: [{ network: 'testnet' }] }, stripe: {} }),
    ).toEqual(['evm:31337', 'stellar:testnet', 'stripe:stripe'])
    expect(networksConfigured({})).toEqual([])
  })
})
