import { describe, expect, it } from 'vitest'
import { networkKey, networkName, networkNameOfKey } from './networkNames'

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
