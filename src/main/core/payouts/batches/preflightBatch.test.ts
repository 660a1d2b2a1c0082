/** Pre-flight at submit: funds, treasury account, recipients, and each configured rail's own check. */
import { afterEach, describe, expect, it } from 'vitest'
import type { PreflightProblem } from '../../../../shared/payoutsApi'
import { createRailRegistry, type Rail, type RailPreflightInput } from '../../rails/Rail'
import { ALICE, DANA, USDC, draftWith, failure, openDesk, type Desk } from './testKit'
import { preflightBatch } from './preflightBatch'

/** A rail that only has a pre-flight: all preflightBatch asks of it. */
function checkingRail(rail: string, network: string, preflight: (input: RailPreflightInput) => Promise<readonly PreflightProblem[]>): Rail {
  return { rail, network, feeAssetId: USDC, preflight } as unknown as Rail
}

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
    expect((await preflightBatch(desk.core.ctx, empty.id, await desk.core.rails.load())).problems.map((p) => p.code)).toEqual([
      'TREASURY_MISSING',
    ])
  })

  it("runs the rails' own checks and fails closed when one throws", async () => {
    desk = await openDesk()
    const id = await draftWith(desk, ALICE, ['1'])
    const seen: string[] = []
    const checking = createRailRegistry([
      checkingRail('evm', '8453', async ({ payouts }) => {
        seen.push(...payouts.map((p) => p.asset_id))
        return [{ code: 'GAS_LOW', message: 'the source has no ETH for gas' }]
      }),
      checkingRail('stripe', 'stripe', async () => [{ code: 'NEVER', message: 'not on this rail' }]),
    ])
    expect((await preflightBatch(desk.core.ctx, id, checking)).problems.map((p) => p.code)).toEqual(['GAS_LOW'])
    expect(seen).toEqual([USDC])
    const throwing = createRailRegistry([
      checkingRail('evm', '8453', () => {
        throw new Error('rpc down')
      }),
    ])
    const failed = await preflightBatch(desk.core.ctx, id, throwing)
    expect(failed.problems.map((p) => p.code)).toEqual(['RAIL_CHECK_FAILED'])
    expect(failed.problems[0]!.message).toContain('rpc down')
    expect(await preflightBatch(desk.core.ctx, id, await desk.core.rails.load())).toEqual({ ok: true, problems: [] })
    expect((await desk.as(ALICE, 'batches.submit', { id })).state).toBe('awaiting_approval')
    expect((await failure(desk.as(DANA, 'batches.submit', { id }))).code).toBe('ROLE_REQUIRED')
  })
})
