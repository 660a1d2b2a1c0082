/** The pure parts of telling payees apart: names without their asset, addresses as each rail compares them. */
import { describe, expect, it } from 'vitest'
import { addressKey, displayAddress } from '../ledger/payeeAccounts'
import { payeeNameOf, placeKey } from './payeeGroups'

describe('payee names and addresses', () => {
  it('reads the payee out of an account name: the address book’s and the engine’s, old and new', () => {
    const usdc = { assetId: 'USDC@evm:8453', assetCode: 'USDC' }
    expect(payeeNameOf({ ...usdc, name: 'Acme Supplies USDC', auto: false })).toBe('Acme Supplies')
    expect(payeeNameOf({ ...usdc, name: 'Payee Acme Supplies (USDC@evm:8453)', auto: true })).toBe('Acme Supplies')
    // "Payee" is only the engine's prefix: an operator's account may be called that.
    expect(payeeNameOf({ ...usdc, name: 'Payee Services Ltd USDC', auto: false })).toBe('Payee Services Ltd')
    expect(payeeNameOf({ ...usdc, name: 'USDC', auto: false })).toBe('USDC')
  })

  it('compares EVM addresses in any case and keeps Stellar keys and Stripe ids exact', () => {
    const lower = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8'
    expect(addressKey('evm', lower)).toBe(addressKey('evm', '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'))
    expect(displayAddress('evm', lower)).toBe('0x70997970C51812dc3A010C7d01b50e0d17dc79C8')
    expect(addressKey('stripe', 'acct_1CsSandboxFreelancer')).not.toBe(addressKey('stripe', 'acct_1cssandboxfreelancer'))
    expect(displayAddress('stripe', 'acct_1CsSandboxFreelancer')).toBe('acct_1CsSandboxFreelancer')
    expect(placeKey('stellar', 'pubnet', 'GABC')).not.toBe(placeKey('stellar', 'testnet', 'GABC'))
  })
})
