/** settings.policy.*: admin only, validated against the registry, stored canonical, audited. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listAuditRows } from '../../audit/listAuditRows'
import { ALICE, BOB, DANA, USDC, failure, openDesk, type Desk } from '../batches/testKit'

let desk: Desk
beforeEach(async () => {
  desk = await openDesk()
})
afterEach(async () => {
  await desk.close()
})

describe('settings.policy', () => {
  it('starts at the default and is replaced only by an admin', async () => {
    expect(await desk.as(undefined, 'settings.policy.get', {})).toEqual({
      policy: { approversMin: 1, thresholds: [], dailyLimits: [] },
      updatedAt: null,
      updatedBy: null,
    })
    const policy = {
      approversMin: 1,
      thresholds: [{ assetId: USDC, above: '10000', approversMin: 2 }],
      dailyLimits: [{ rail: 'evm' as const, assetId: USDC, amount: '50000.5' }],
    }
    for (const who of [ALICE, BOB]) expect((await failure(desk.as(who, 'settings.policy.set', policy))).code).toBe('ROLE_REQUIRED')
    expect((await failure(desk.as(undefined, 'settings.policy.set', policy))).code).toBe('OPERATOR_REQUIRED')
    const set = await desk.as(DANA, 'settings.policy.set', policy)
    expect(set).toEqual({
      policy: {
        approversMin: 1,
        thresholds: [{ assetId: USDC, above: '10000.000000', approversMin: 2 }],
        dailyLimits: [{ rail: 'evm', assetId: USDC, amount: '50000.500000' }],
      },
      updatedAt: '2026-03-02T09:00:00.000Z',
      updatedBy: DANA,
      // One admin: applied at once (signed by Dana), nothing waits.
      pendingChange: null,
    })
    const { pendingChange: _none, ...stored } = set
    expect(await desk.as(undefined, 'settings.policy.get', {})).toEqual(stored)
    expect((await listAuditRows(desk.core.ctx, { subject: 'settings:approval_policy' })).rows).toMatchObject([
      { actor: DANA, action: 'settings.policy.set' },
    ])
  })

  it('refuses policies that cannot be right, changing nothing', async () => {
    const cases: [unknown, string][] = [
      [{ approversMin: 1, thresholds: [{ assetId: 'NOPE', above: '1', approversMin: 2 }], dailyLimits: [] }, 'there is no asset "NOPE"'],
      [{ approversMin: 1, thresholds: [{ assetId: USDC, above: '1.0000001', approversMin: 2 }], dailyLimits: [] }, 'more than 6 decimals'],
      [
        { approversMin: 2, thresholds: [{ assetId: USDC, above: '1', approversMin: 1 }], dailyLimits: [] },
        'fewer than the 2 every batch needs',
      ],
      [
        { approversMin: 1, thresholds: [], dailyLimits: [{ rail: 'stellar', assetId: USDC, amount: '1' }] },
        'is paid on the evm rail, not stellar',
      ],
      [
        {
          approversMin: 1,
          thresholds: [],
          dailyLimits: [
            { rail: 'evm', assetId: USDC, amount: '1' },
            { rail: 'evm', assetId: USDC, amount: '2' },
          ],
        },
        'two daily limits',
      ],
    ]
    for (const [policy, sentence] of cases) {
      const err = await failure(desk.core.api.call('settings.policy.set', policy as never, { operatorId: DANA }))
      expect(err.code).toBe('POLICY_INVALID')
      expect(err.message).toContain(sentence)
    }
    expect(
      (await failure(desk.core.api.call('settings.policy.set', { approversMin: 0, thresholds: [], dailyLimits: [] }, { operatorId: DANA })))
        .code,
    ).toBe('INVALID_INPUT')
    expect((await desk.as(undefined, 'settings.policy.get', {})).updatedAt).toBeNull()
  })

  it('a broken stored policy refuses approvals instead of falling back', async () => {
    const db = desk.core.ctx.db
    await db.run(
      db.k.insertInto('settings').values({ key: 'approval_policy', value: '{"approversMin": 0}', updated_at: 'x', updated_by: 'x' }),
    )
    expect((await failure(desk.as(undefined, 'settings.policy.get', {}))).code).toBe('POLICY_INVALID')
  })
})
