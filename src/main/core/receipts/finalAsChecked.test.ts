/**
 * The guard every EVM draft (payout or escrow outcome) passes inside the issuing transaction: the
 * receipt names exactly the transaction and block that were found final before it; a row that
 * changed since (the engine saw a reorg, a new attempt confirmed) waits for the next read.
 */
import { describe, expect, it } from 'vitest'
import { finalAsChecked, finalityDetail, type ChainFinal } from './receiptFinality'

const checked: ChainFinal = { txId: 'act-1:t1', blockNumber: '120', blockHash: '0xaa', confirmations: 66n, windowBlocks: 64n }
const row = { id: 'act-1:t1', block_number: '120', block_hash: '0xaa' }

describe('finalAsChecked', () => {
  it('passes only the very transaction and block that were checked', () => {
    expect(finalAsChecked(checked, row)).toBe(true)
    expect(finalAsChecked(undefined, row)).toBe(false) // not final (yet)
    expect(finalAsChecked(checked, { ...row, block_hash: '0xbb' })).toBe(false) // the block was replaced
    expect(finalAsChecked(checked, { ...row, block_number: '121' })).toBe(false) // it landed in another block
    expect(finalAsChecked(checked, { ...row, id: 'act-1:t2' })).toBe(false) // another attempt confirmed
  })

  it('says how deep the block was when receipted', () => {
    expect(finalityDetail(checked)).toBe('block 120; 66 confirmations when receipted, past the 64-block reorg window')
  })
})
