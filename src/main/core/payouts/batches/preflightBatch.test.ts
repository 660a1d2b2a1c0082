/** Pre-flight at submit: funds, treasury account, recipients, and the rail hook. */
import { afterEach, describe, expect, it } from 'vitest'
import { ALICE, DANA, USDC, draftWith, failure, openDesk, type Desk } from './testKit'
import { preflightBatch } from './preflightBatch'
import { registerRailPreflight } from './railPreflights'

let desk: Desk
afterEach(async () => {
  await desk.close()
})

describe('preflightBatch', () => {
  it('refuses to submit a batch the treasury cannot cover, naming the amounts', async () => {
    desk = await openDesk({ treasury: '100' })
    const id = await draftWith(desk, ALICE, ['60', '40.000001'])
    expect(await desk.as(undefined, 'batches.preflight', { id })).toEqual({
      ok: false,
      problems: [
        {
          code: 'INSUFFICIENT_FUNDS',
          message: `The batch pays 100.000001 USDC (${USDC}) but Treasury USDC has 100.000000 available — fund it or remove payouts`,
        },
      ],
    })
    const err = await failure(desk.as(ALICE, 'batches.submit', { id }))
    expect(err.code).toBe('PREFLIGHT_FAILED')
    expect(err.message).toContain('was not submitted: The batch pays 100.000001 USDC')
    expect((await desk.as(undefined, 'batches.get', { id })).batch.state).toBe('draft')
  })

  it('refuses an empty batch and an asset without a treasury account', async () => {
    desk = await openDesk()
    const empty = await desk.as(ALICE, 'batches.create', { name: 'empty' })
    expect((await failure(desk.as(ALICE, 'batches.submit', { id: empty.id }))).message).toContain('has no payouts')
    await desk.as(ALICE, 'batches.rows.add', {
      id: empty.id,
      rows: [{ assetId: 'USD@stripe', recipient: 'acct_1234567890ABCDEF', amount: '1' }],
    })
    expect((await preflightBatch(desk.core.ctx, empty.id)).problems.map((p) => p.code)).toEqual(['TREASURY_MISSING'])
  })

  it('runs registered rail checks and fails closed when one throws', async () => {
    desk = await openDesk()
    const id = await draftWith(desk, ALICE, ['1'])
    const off = [
      registerRailPreflight({
        name: 'evm.gas',
        rail: 'evm',
        check: async () => [{ code: 'GAS_LOW', message: 'the source has no ETH for gas' }],
      }),
      registerRailPreflight({ name: 'stripe.balance', rail: 'stripe', check: () => [{ code: 'NEVER', message: 'not on this rail' }] }),
      registerRailPreflight({
        name: 'evm.fee',
        rail: 'evm',
        check: () => {
          throw new Error('rpc down')
        },
      }),
    ]
    try {
      expect((await preflightBatch(desk.core.ctx, id)).problems.map((p) => p.code)).toEqual(['GAS_LOW', 'RAIL_CHECK_FAILED'])
    } finally {
      for (const f of off) f()
    }
    expect(await preflightBatch(desk.core.ctx, id)).toEqual({ ok: true, problems: [] })
    expect((await desk.as(ALICE, 'batches.submit', { id })).state).toBe('awaiting_approval')
    expect((await failure(desk.as(DANA, 'batches.submit', { id }))).code).toBe('ROLE_REQUIRED')
  })
})
