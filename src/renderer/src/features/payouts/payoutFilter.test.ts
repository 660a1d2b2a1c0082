import { describe, expect, it } from 'vitest'
import type { Payout } from '../../../../shared/payoutsApi'
import { filterPayouts, isFiltered, NO_FILTER } from './payoutFilter'

function payout(id: string, over: Partial<Payout> = {}): Payout {
  return {
    id,
    rowNo: 2,
    rail: 'evm',
    network: '1',
    assetId: 'USDC@evm:1',
    recipient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    amount: '1250.500000',
    memo: null,
    reference: null,
    name: null,
    state: 'pending',
    failureCode: null,
    failureMessage: null,
    submissionId: null,
    reversed: null,
    ...over,
  }
}

const PAYOUTS = [
  payout('inv-1', { name: 'Ada Contractor', reference: 'INV-1001' }),
  payout('inv-2', { name: 'Ben', amount: '0.000001', state: 'failed' }),
  payout('inv-3', { name: 'Cy', assetId: 'USD@stripe', rail: 'stripe', network: 'stripe', recipient: 'acct_1AbC', amount: '99.00' }),
]
const ids = (f: Partial<typeof NO_FILTER>) => filterPayouts(PAYOUTS, { ...NO_FILTER, ...f }).map((p) => p.id)

describe('filterPayouts', () => {
  it('searches id, payee, reference and recipient, case-insensitively', () => {
    expect(ids({ search: 'ada' })).toEqual(['inv-1'])
    expect(ids({ search: 'inv-100' })).toEqual(['inv-1'])
    expect(ids({ search: 'INV-3' })).toEqual(['inv-3'])
    expect(ids({ search: 'ACCT_1abc' })).toEqual(['inv-3'])
    expect(ids({ search: '0x7099' })).toEqual(['inv-1', 'inv-2'])
  })

  it('finds an amount however it is typed, and never a different one', () => {
    expect(ids({ search: '1,250.5' })).toEqual(['inv-1'])
    expect(ids({ search: '1250.500000' })).toEqual(['inv-1'])
    expect(ids({ search: '1250' })).toEqual(['inv-1'])
    expect(ids({ search: '0.000001' })).toEqual(['inv-2'])
    expect(ids({ search: '99.0' })).toEqual(['inv-3'])
    expect(ids({ search: '1250.51' })).toEqual([])
    expect(ids({ search: '125' })).toEqual([])
  })

  it('filters by state, asset and warning, together with the search', () => {
    expect(ids({ state: 'failed' })).toEqual(['inv-2'])
    expect(ids({ assetId: 'USD@stripe' })).toEqual(['inv-3'])
    expect(ids({ warningIds: new Set(['inv-1', 'inv-3']) })).toEqual(['inv-1', 'inv-3'])
    expect(ids({ warningIds: new Set(['inv-1', 'inv-3']), search: 'cy' })).toEqual(['inv-3'])
    expect(isFiltered(NO_FILTER)).toBe(false)
    expect(isFiltered({ ...NO_FILTER, search: ' x ' })).toBe(true)
  })
})
