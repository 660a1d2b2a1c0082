import { describe, expect, it } from 'vitest'
import { railReferenceOfLine } from './railLineReference'

const HASH = `0x${'ab'.repeat(32)}`
const STELLAR_HASH = 'cd'.repeat(32)

describe('the rail id of a pulled statement line', () => {
  it('is the EVM transaction hash, for a transfer and for its gas', () => {
    expect(railReferenceOfLine({ externalKey: `evm:31337:${HASH}:3`, structuredRef: `${HASH}:3`, customerRef: null })).toEqual({
      rail: 'evm',
      network: '31337',
      reference: HASH,
    })
    expect(railReferenceOfLine({ externalKey: `evm:8453:${HASH}:gas`, structuredRef: null, customerRef: 'pay_1' })?.reference).toBe(HASH)
  })

  it('is the Stellar transaction hash, not the operation id', () => {
    expect(
      railReferenceOfLine({ externalKey: 'stellar:testnet:123456789', structuredRef: `${STELLAR_HASH}:0`, customerRef: null }),
    ).toEqual({ rail: 'stellar', network: 'testnet', reference: STELLAR_HASH })
    expect(
      railReferenceOfLine({ externalKey: `stellar:standalone:${STELLAR_HASH}:fee`, structuredRef: null, customerRef: 'esc_1' }),
    ).toEqual({
      rail: 'stellar',
      network: 'standalone',
      reference: STELLAR_HASH,
    })
  })

  it('is the Stripe transfer a balance transaction is about, or the balance transaction for a fee', () => {
    expect(railReferenceOfLine({ externalKey: 'stripe:txn_1', structuredRef: null, customerRef: 'tr_9' })).toEqual({
      rail: 'stripe',
      network: 'stripe',
      reference: 'tr_9',
    })
    expect(railReferenceOfLine({ externalKey: 'stripe:txn_1:fee', structuredRef: null, customerRef: null })?.reference).toBe('txn_1')
    expect(railReferenceOfLine({ externalKey: 'stripe:txn_2', structuredRef: null, customerRef: null })?.reference).toBe('txn_2')
  })

  it('is none for a bank file line', () => {
    expect(railReferenceOfLine({ externalKey: null, structuredRef: 'RF18539007547034', customerRef: 'INV-1' })).toBeNull()
  })
})
