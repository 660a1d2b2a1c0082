/**
 * The export calls through the contract, on a desk of operators: any unlocked operator exports
 * (and is recorded), only an admin changes the saved account codes, a preview needs no one and
 * records nothing, and the contract refuses what is not an export.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { verifyAudit } from '../audit/verifyAudit'
import { ALICE, BOB, DANA, failure, openDesk, SAM, type Desk } from '../payouts/batches/testKit'
import { csvRowsOf } from './exportsTestKit'

let desk: Desk
beforeEach(async () => {
  desk = await openDesk()
})
afterEach(async () => {
  await desk.close()
})

async function auditCount(): Promise<number> {
  const db = desk.core.ctx.db
  return (await db.all(db.k.selectFrom('audit_log').select('seq'))).length
}

describe('exports.* calls', () => {
  it('lets every role export, records each export, and previews without recording', async () => {
    for (const who of [ALICE, BOB, SAM, DANA]) {
      const before = await auditCount()
      const out = await desk.as(who, 'exports.run', { kind: 'quickbooks', account: 'treasury-usdc' })
      expect(csvRowsOf(out.files[0]!)[1]).toEqual(['03/02/2026', 'Opening balance (opening-usdc)', '1000000.00'])
      expect(await auditCount()).toBe(before + 1)
    }
    const before = await auditCount()
    const preview = await desk.as(undefined, 'exports.preview', { kind: 'quickbooks', account: 'treasury-usdc' })
    expect(preview.note).toMatch(/^Money out of Treasury USDC is shown as negative amounts/)
    expect(await auditCount()).toBe(before)
    expect((await verifyAudit(desk.core.ctx)).ok).toBe(true)
  })

  it('keeps the account codes for admins to change, audited', async () => {
    expect((await failure(desk.as(ALICE, 'exports.accountCodes.set', { byKind: { external: '970' } }))).code).toBe('ROLE_REQUIRED')
    const saved = await desk.as(DANA, 'exports.accountCodes.set', { byKind: { external: '970' }, byAccount: { 'treasury-usdc': 'BANK-1' } })
    expect(saved).toEqual({ byKind: { external: '970' }, byAccount: { 'treasury-usdc': 'BANK-1' } })
    expect(await desk.as(ALICE, 'exports.accountCodes.get', {})).toEqual({
      saved,
      defaults: { treasury: '090', fees: '404', payee: '429' },
      taxRate: 'Tax Exempt',
    })
    const out = await desk.as(ALICE, 'exports.run', { kind: 'xero' })
    expect(
      csvRowsOf(out.files[0]!)
        .slice(1)
        .map((r) => r[3]),
    ).toEqual(['BANK-1', '970'])
    const bad = await failure(desk.as(DANA, 'exports.accountCodes.set', { byKind: { treasury: '090 - Bank' } }))
    expect(bad.code).toBe('INVALID_INPUT')
  })

  it('refuses what the contract does not know', async () => {
    expect((await failure(desk.as(ALICE, 'exports.run', { kind: 'xero', dateFormat: 'YYYY-MM-DD' as never }))).code).toBe('INVALID_INPUT')
    expect((await failure(desk.as(ALICE, 'exports.run', { kind: 'payouts', from: '1 March' }))).code).toBe('INVALID_INPUT')
    expect((await failure(desk.as(undefined, 'exports.run', { kind: 'payouts' }))).code).toBe('OPERATOR_REQUIRED')
  })
})
