/** The one nonce strategy: max(1 + highest held by a live submission, the network's floor). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CoreContext } from '../../context'
import { insertTestSubmission, openExecuteTestDb } from './executeTestDb'
import { reserveNonces } from './reserveNonce'

const EVM = { rail: 'evm', network: '1', source: '0xS' }
let ctx: CoreContext
beforeEach(async () => {
  ctx = await openExecuteTestDb()
})
afterEach(async () => {
  await ctx.db.close()
})

const reserve = async (key: typeof EVM, floor: bigint | null) => await ctx.db.tx(() => reserveNonces(ctx, key, floor))

describe('reserveNonces', () => {
  it('takes the network floor when nothing is held, and null on a rail without nonces', async () => {
    expect(await reserve(EVM, 5n)).toBe(5n)
    expect(await reserve({ rail: 'stripe', network: 'stripe', source: 'stripe:platform' }, null)).toBeNull()
  })

  it('goes past every live nonce of the same rail + network + source, whatever the floor says', async () => {
    await insertTestSubmission(ctx, { nonce: '9', state: 'planned' })
    await insertTestSubmission(ctx, { nonce: '10', state: 'signed' })
    await insertTestSubmission(ctx, { nonce: '99', source: '0xOther' })
    await insertTestSubmission(ctx, { nonce: '98', network: '2' })
    expect(await reserve(EVM, 5n)).toBe(11n)
    expect(await reserve(EVM, 20n)).toBe(20n)
  })

  it('a reverted (failed) or confirmed submission used its nonce: a lagging floor cannot hand it out again', async () => {
    await insertTestSubmission(ctx, { nonce: '3', state: 'confirmed' })
    await insertTestSubmission(ctx, { nonce: '4', state: 'failed' })
    expect(await reserve(EVM, 4n)).toBe(5n)
  })

  it('a dead submission holds nothing: a Stellar sequence that expired unused is used again', async () => {
    const stellar = { rail: 'stellar', network: 'testnet', source: 'GSOURCE' }
    await insertTestSubmission(ctx, { ...stellar, nonce: '100', state: 'confirmed' })
    await insertTestSubmission(ctx, { ...stellar, nonce: '101', state: 'dead' })
    // Horizon: the account's sequence is still 100, so the floor is 101 — the dead one's.
    expect(await reserve(stellar, 101n)).toBe(101n)
    // An EVM dead one had its nonce taken by another transaction: the floor is already past it.
    await insertTestSubmission(ctx, { nonce: '7', state: 'dead' })
    expect(await reserve(EVM, 8n)).toBe(8n)
  })

  it('a cancelled submission (never signed, dead) gives its nonce back to the next reservation', async () => {
    await insertTestSubmission(ctx, { nonce: '6', state: 'broadcast' })
    await insertTestSubmission(ctx, { nonce: '7', state: 'dead', failure_code: 'CANCELLED', tx_hash: null, signed_payload: null })
    // The pending count is 7 (only the broadcast one is in the pool): 7 is free again.
    expect(await reserve(EVM, 7n)).toBe(7n)
  })

  it('compares nonces exactly beyond 64 bits (decimal text, no integer cast)', async () => {
    await insertTestSubmission(ctx, { nonce: '18446744073709551615' })
    await insertTestSubmission(ctx, { nonce: '9' })
    expect(await reserve(EVM, 0n)).toBe(18446744073709551616n)
  })

  it('runs only inside the transaction that records the submissions', async () => {
    await expect(reserveNonces(ctx, EVM, 1n)).rejects.toThrow(/^invariant: nonces are reserved inside the transaction/)
  })
})
