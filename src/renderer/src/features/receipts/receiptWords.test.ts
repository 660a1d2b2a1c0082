import { describe, expect, it } from 'vitest'
import type { ReceiptCheck } from '../../../../shared/receiptsApi'
import {
  amountWithCode,
  exactAmountWithCode,
  dateProblem,
  EMPTY_FILTER,
  evidenceRows,
  groupedAmount,
  toReceiptFilter,
  verdictSentence,
} from './receiptWords'

const check = (name: ReceiptCheck['name'], status: ReceiptCheck['status']): ReceiptCheck => ({ name, status, detail: '' })

describe('amounts', () => {
  it('are grouped at the precision written, never rounded, past 2^53', () => {
    expect(groupedAmount('1234567.500001')).toBe('1,234,567.500001')
    expect(groupedAmount('0.000001')).toBe('0.000001')
    expect(groupedAmount('98765432109876543210.10')).toBe('98,765,432,109,876,543,210.10')
    expect(groupedAmount('1000')).toBe('1,000')
    expect(amountWithCode('1250.50', 'USD')).toBe('1,250.50 USD')
    // The one display form: trailing zeros trimmed, never rounded (the exact form stays for hover).
    expect(amountWithCode('1250.500000', 'USDC')).toBe('1,250.50 USDC')
    expect(amountWithCode('100015.932110', 'USDC')).toBe('100,015.93211 USDC')
    expect(exactAmountWithCode('100015.932110', 'USDC')).toBe('100,015.932110 USDC')
  })
})

describe('the search filter', () => {
  it('leaves out what is empty and dates that are not whole', () => {
    expect(toReceiptFilter(EMPTY_FILTER)).toEqual({})
    expect(toReceiptFilter({ query: '  INV-1001 ', kind: 'payout', from: '2026-03-01', to: '2026-03', batchId: 'b1' })).toEqual({
      query: 'INV-1001',
      kind: 'payout',
      from: '2026-03-01',
      batchId: 'b1',
    })
  })

  it('says when "from" is after "to"', () => {
    expect(dateProblem({ ...EMPTY_FILTER, from: '2026-03-02', to: '2026-03-01' })).toContain('after')
    expect(dateProblem({ ...EMPTY_FILTER, from: '2026-03-01', to: '2026-03-01' })).toBeNull()
  })
})

describe('the verdict', () => {
  it('names the checks that failed', () => {
    expect(verdictSentence(false, [check('schema', 'pass'), check('hash', 'fail'), check('signature', 'pass')])).toBe(
      'The fingerprint (SHA-256) check failed: do not rely on what the file says.',
    )
  })

  it('counts what could not be checked when everything else passed', () => {
    expect(verdictSentence(true, [check('hash', 'pass'), check('rail-evidence', 'skipped')])).toBe(
      'Every check that could be made passed; 1 could not be made (see below).',
    )
    expect(verdictSentence(true, [check('hash', 'pass')])).toBe('Every check passed.')
  })

  it('explains a refusal with no failed check: an untrusted key', () => {
    expect(verdictSentence(false, [check('hash', 'pass'), check('key', 'skipped')])).toContain('not one this workspace trusts')
  })
})

describe('evidence', () => {
  it('lists every field of an EVM transfer, the hash in monospace', () => {
    const rows = evidenceRows({
      rail: 'evm',
      chainId: '31337',
      network: '31337',
      txHash: '0xabc',
      blockNumber: '12',
      blockHash: '0xdef',
      logIndex: null,
      from: '0x1',
      to: '0x2',
    })
    expect(rows.map((r) => r.label)).toEqual(['Network', 'Transaction hash', 'Block', 'Block hash', 'Log index', 'From', 'Contract called'])
    expect(rows.find((r) => r.label === 'Transaction hash')).toEqual({
      label: 'Transaction hash',
      value: '0xabc',
      mono: true,
      railId: true,
    })
    expect(rows.find((r) => r.label === 'Log index')?.mono).toBe(false)
  })
})
