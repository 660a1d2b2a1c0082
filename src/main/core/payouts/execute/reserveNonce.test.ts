/** The one nonce strategy: the lowest nonces >= the network's floor that no live submission or escrow transaction holds. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CoreContext } from '../../context'
import { insertTestEscrowTx, insertTestSubmission, openExecuteTestDb } from './executeTestDb'
import { reserveNonces } from './reserveNonce'

const EVM = { rail: 'evm', network: '1', source: '0xS' }
let ctx: CoreContext
beforeEach(async () => {
  ctx = await openExecuteTestDb()
})
afterEach(async () => {
  await ctx.db.close()
})

const reserveMany = async (key: typeof EVM, floor: bigint | null, count: number) =>
  await ctx.db.tx(() => reserveNonces(ctx, key, floor, count))
const reserve = async (key: typeof EVM, floor: bigint | null) => (await reserveMany(key, floor, 1))?.[0] ?? null

describe('reserveNonces', () => {
  it('takes the network floor when nothing is held, and null on a rail without nonces', async () => {
    expect(await reserve(EVM, 5n)).toBe(5n)
    expect(await reserve({ rail: 'stripe', network: 'stripe', source: 'stripe:platform' }, null)).toBeNull()
  })

  it('never hands out a nonce a live submission of the same rail + network + source holds', async () => {
    await insertTestSubmission(ctx, { nonce: '9', state: 'planned' })
    await insertTestSubmission(ctx, { nonce: '10', state: 'signed' })
    await insertTestSubmission(ctx, { nonce: '99', source: '0xOther' })
    await insertTestSubmission(ctx, { nonce: '98', network: '2' })
    expect(await reserveMany(EVM, 9n, 2)).toEqual([11n, 12n])
    // Below them nothing of ours holds 5..8: those are taken first (the live ones wait on them).
    expect(await reserveMany(EVM, 5n, 6)).toEqual([5n, 6n, 7n, 8n, 11n, 12n])
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
    expect(await reserve(EVM, 18446744073709551615n)).toBe(18446744073709551616n)
    expect(await reserve(EVM, 9n)).toBe(10n)
  })

  it('takes a free nonce below a live one first — a Stellar sequence that expired under a live transaction (chaos seed 43.0)', async () => {
    const stellar = { rail: 'stellar', network: 'testnet', source: 'GSOURCE' }
    await insertTestSubmission(ctx, { ...stellar, nonce: '296', state: 'confirmed' })
    // 297 (an escrow transaction) expired unused; the payout at 298 is live but cannot land
    // before 297 does. One past the highest held (299) would leave the gap open for ever.
    await insertTestEscrowTx(ctx, { ...stellar, nonce: '297', state: 'dead' })
    await insertTestSubmission(ctx, { ...stellar, nonce: '298', state: 'broadcast' })
    expect(await reserve(stellar, 297n)).toBe(297n)
    // Several at once: the gap first, then past every live holder.
    expect(await reserveMany(stellar, 297n, 3)).toEqual([297n, 299n, 300n])
  })

  it('never a nonce a live escrow transaction holds: payouts and escrow share one sequence', async () => {
    await insertTestSubmission(ctx, { nonce: '5', state: 'broadcast' })
    await insertTestEscrowTx(ctx, { nonce: '6', state: 'planned' })
    await insertTestEscrowTx(ctx, { nonce: '8', state: 'signed' })
    await insertTestEscrowTx(ctx, { nonce: '7', state: 'dead' })
    expect(await reserveMany(EVM, 5n, 3)).toEqual([7n, 9n, 10n])
    // Another source's or network's escrow transactions hold nothing here.
    await insertTestEscrowTx(ctx, { nonce: '7', source: '0xOther' })
    await insertTestEscrowTx(ctx, { nonce: '7', network: '2' })
    expect(await reserve(EVM, 5n)).toBe(7n)
  })

  it('walks exactly through holders beyond 64 bits, and from a floor above every holder', async () => {
    await insertTestSubmission(ctx, { nonce: '18446744073709551615', state: 'planned' })
    await insertTestSubmission(ctx, { nonce: '18446744073709551617', state: 'planned' })
    expect(await reserveMany(EVM, 18446744073709551615n, 3)).toEqual([18446744073709551616n, 18446744073709551618n, 18446744073709551619n])
    expect(await reserveMany(EVM, 2n ** 70n, 2)).toEqual([2n ** 70n, 2n ** 70n + 1n])
  })

  it('runs only inside the transaction that records the submissions', async () => {
    await expect(reserveNonces(ctx, EVM, 1n, 1)).rejects.toThrow(/^invariant: nonces are reserved inside the transaction/)
  })
})
