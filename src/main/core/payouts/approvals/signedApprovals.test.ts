/**
 * Approvals are signatures, and the engine checks them before it plans or signs anything: a row
 * inserted with SQL, an approval copied to another version, a payout edited after approval — each
 * refused by `batches.execute` (nothing planned, the refusal audited) and named by `audit.verify`.
 * Also: passphrases (wrong ones back off and are audited) and the admin changes a second admin
 * signs. In process, on a real SQLite file (and on PostgreSQL under COUNTERSIGN_TEST_DB=postgres).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DIRECT_CHANNEL, type Channel } from '../../operators/sessions'
import { addOperatorForTest, unlockForTest } from '../../operators/operatorTestKit'
import { sqlAll, sqlFirst, sqlRun } from '../../../../../test/dbSql'
import { ALICE, BOB, DANA, failure, openDesk, submitted, type Desk } from '../batches/testKit'

const SAM = 'sam-signer'
let desk: Desk

beforeEach(async () => {
  desk = await openDesk()
})
afterEach(async () => {
  await desk.close()
})

async function approvedByBob(): Promise<{ id: string; version: number }> {
  const b = await submitted(desk, ALICE, ['100.00', '250.50'])
  const detail = await desk.as(BOB, 'batches.approve', { id: b.id, version: b.version })
  expect(detail.batch.state).toBe('approved')
  return { id: b.id, version: detail.batch.version }
}

async function submissionsOf(id: string): Promise<number> {
  return (await sqlAll(desk.core.ctx.db, 'SELECT id FROM submissions WHERE batch_id = ?', id)).length
}

async function refusals(id: string): Promise<number> {
  return (
    await sqlAll(desk.core.ctx.db, "SELECT seq FROM audit_log WHERE action = 'batches.execute.refused' AND subject = ?", `batch:${id}`)
  ).length
}

describe('signed approvals', () => {
  it('an approval is a signature that verifies, shown with its key', async () => {
    const b = await approvedByBob()
    const detail = await desk.as(ALICE, 'batches.get', { id: b.id })
    const bob = (await desk.as(undefined, 'operators.list', {})).find((o) => o.id === BOB)!
    expect(detail.approvals).toMatchObject([{ operatorId: BOB, signature: 'verified', keyFingerprint: bob.approvalKey!.fingerprint }])
    const row = await sqlFirst<{ signature: string; digest: string; key_id: string }>(
      desk.core.ctx.db,
      'SELECT signature, digest, key_id FROM approvals WHERE batch_id = ?',
      b.id,
    )
    expect(row?.signature).toMatch(/^[0-9a-f]{128}$/)
    expect(row?.key_id).toBe(bob.approvalKey!.id)
    const verified = await desk.as(undefined, 'operators.verify', {})
    expect(verified.approvals).toEqual({ checked: 1, valid: 1, broken: [] })
    expect((await desk.as(undefined, 'audit.verify', {})).ok).toBe(true)
  })

  it('an approval row inserted with SQL: execute refuses, nothing is planned, audit verify names it', async () => {
    const b = await submitted(desk, ALICE, ['100.00'])
    const db = desk.core.ctx.db
    // What an insider with the file could do before: approve as Bob without Bob.
    await sqlRun(
      db,
      "INSERT INTO approvals (batch_id, version, operator_id, decision, comment, at) VALUES (?, ?, ?, 'approve', NULL, ?)",
      b.id,
      b.version,
      BOB,
      '2026-03-02T09:00:00.000Z',
    )
    await sqlRun(db, "UPDATE batches SET state = 'approved' WHERE id = ?", b.id)
    const refused = await failure(desk.as(SAM, 'batches.execute', { id: b.id }))
    expect(refused.code).toBe('APPROVAL_SIGNATURE_INVALID')
    expect(refused.message).toContain('carries no signature')
    expect(refused.message).toContain('Nothing was signed or sent')
    expect(await submissionsOf(b.id)).toBe(0)
    expect(await refusals(b.id)).toBe(1)
    const audit = await desk.as(undefined, 'audit.verify', {})
    expect(audit.ok).toBe(false)
    expect(audit.firstBroken?.reason).toContain(`approval of batch ${b.id} version ${b.version} by ${BOB}`)
    // The window shows it as no approval at all.
    const shown = await desk.as(ALICE, 'batches.get', { id: b.id })
    expect(shown.approvals[0]?.signature).toBe('missing')
    expect(shown.approvalStatus.approvals).toBe(0)
  })

  it("a payout's amount changed with SQL after approval: refused, and the signature no longer verifies", async () => {
    const b = await approvedByBob()
    await sqlRun(desk.core.ctx.db, "UPDATE payouts SET amount = '999999000000' WHERE batch_id = ? AND row_no = 1", b.id)
    const refused = await failure(desk.as(SAM, 'batches.execute', { id: b.id }))
    expect(refused.code).toBe('APPROVAL_SIGNATURE_INVALID')
    expect(refused.message).toContain('does not match the batch as stored now')
    expect(await submissionsOf(b.id)).toBe(0)
    expect(await refusals(b.id)).toBe(1)
    expect((await desk.as(ALICE, 'batches.get', { id: b.id })).approvals[0]?.signature).toBe('invalid')
    const keys = await desk.as(undefined, 'operators.verify', {})
    expect(keys.approvals.broken).toMatchObject([{ batchId: b.id, operatorId: BOB }])
  })

  it('a role granted with SQL does not count: the engine goes by the roles the audit chain recorded', async () => {
    const b = await submitted(desk, ALICE, ['7.00'])
    await sqlRun(desk.core.ctx.db, `UPDATE operators SET roles = '["approver","signer"]' WHERE id = ?`, SAM)
    // Sam can sign (he has a key), but his approval is not one: the batch stays awaiting approval.
    const detail = await desk.as(SAM, 'batches.approve', { id: b.id, version: b.version })
    expect(detail.batch.state).toBe('awaiting_approval')
    expect(detail.approvals).toMatchObject([{ operatorId: SAM, signature: 'invalid' }])
    const verified = await desk.as(undefined, 'operators.verify', {})
    expect(verified.operators.find((o) => o.id === SAM)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not what the audit log recorded'),
    })
    expect((await desk.as(undefined, 'audit.verify', {})).ok).toBe(false)
  })

  it('an approval copied to another version with SQL is refused', async () => {
    const b = await approvedByBob()
    const db = desk.core.ctx.db
    await sqlRun(db, 'UPDATE batches SET version = version + 1 WHERE id = ?', b.id)
    await sqlRun(
      db,
      'INSERT INTO approvals (batch_id, version, operator_id, decision, comment, at, key_id, digest, signature) SELECT batch_id, version + 1, operator_id, decision, comment, at, key_id, digest, signature FROM approvals WHERE batch_id = ?',
      b.id,
    )
    const refused = await failure(desk.as(SAM, 'batches.execute', { id: b.id }))
    expect(refused.code).toBe('APPROVAL_SIGNATURE_INVALID')
    expect(await submissionsOf(b.id)).toBe(0)
  })

  it('an operator who is not unlocked on this channel cannot act, and another channel cannot borrow a session', async () => {
    const b = await submitted(desk, ALICE, ['5.00'])
    const window: Channel = { id: 'window-1', kind: 'window' }
    await desk.core.api.call('operators.unlock', { operatorId: ALICE, passphrase: 'alice-demo-passphrase' }, {}, window)
    // Alice's window names Bob: refused, nothing written.
    const before = await sqlAll(desk.core.ctx.db, 'SELECT seq FROM audit_log')
    const mismatch = await failure(desk.core.api.call('batches.approve', { id: b.id, version: b.version }, { operatorId: BOB }, window))
    expect(mismatch.code).toBe('OPERATOR_SESSION_MISMATCH')
    expect(await sqlAll(desk.core.ctx.db, 'SELECT batch_id FROM approvals')).toEqual([])
    expect((await sqlAll(desk.core.ctx.db, 'SELECT seq FROM audit_log')).length).toBe(before.length)
    // A fresh script channel where Bob never unlocked.
    const script: Channel = { id: 'cli-x', kind: 'cli' }
    expect((await failure(desk.core.api.call('batches.approve', { id: b.id, version: b.version }, { operatorId: BOB }, script))).code).toBe(
      'OPERATOR_LOCKED',
    )
    // A locked window may not even read.
    const locked: Channel = { id: 'window-2', kind: 'window' }
    expect((await failure(desk.core.api.call('batches.list', {}, {}, locked))).code).toBe('OPERATOR_LOCKED')
    expect(await desk.core.api.call('operators.list', {}, {}, locked)).toHaveLength(6)
    // Bob's passphrase unlocks Bob on the window (and locks Alice there).
    await unlockForTest(desk.core.api, { id: BOB, name: 'Bob Approver' }, window)
    const session = await desk.core.api.call('operators.session', {}, {}, window)
    expect(session.operator?.id).toBe(BOB)
    expect((await failure(desk.core.api.call('batches.list', {}, { operatorId: ALICE }, window))).code).toBe('OPERATOR_SESSION_MISMATCH')
  })

  it('a window locks after the idle time; a script channel does not', async () => {
    const window: Channel = { id: 'window-idle', kind: 'window' }
    await unlockForTest(desk.core.api, { id: ALICE, name: 'Alice Preparer' }, window)
    expect((await desk.core.api.call('operators.session', {}, {}, window)).locksAt).toBe('2026-03-02T09:10:00.000Z')
    desk.clock.advance(10 * 60_000 + 1)
    expect((await failure(desk.core.api.call('batches.list', {}, {}, window))).code).toBe('OPERATOR_LOCKED')
    expect(await desk.core.api.call('batches.list', {}, { operatorId: ALICE }, DIRECT_CHANNEL)).toBeTruthy()
  })
})

describe('passphrases', () => {
  it("prepare as Alice, approve as Bob with Alice's passphrase: refused, recorded, nothing approved", async () => {
    const b = await submitted(desk, ALICE, ['1.00'])
    const mallory: Channel = { id: 'cli-mallory', kind: 'cli' }
    const wrong = await failure(
      desk.core.api.call('operators.unlock', { operatorId: BOB, passphrase: 'alice-demo-passphrase' }, {}, mallory),
    )
    expect(wrong.code).toBe('PASSPHRASE_WRONG')
    expect(wrong.message).not.toContain('alice-demo-passphrase')
    expect(
      (await failure(desk.core.api.call('batches.approve', { id: b.id, version: b.version }, { operatorId: BOB }, mallory))).code,
    ).toBe('OPERATOR_LOCKED')
    expect(await sqlAll(desk.core.ctx.db, 'SELECT batch_id FROM approvals')).toEqual([])
  })

  it('five wrong passphrases back off exponentially, each one audited; the right one later resets the count', async () => {
    const ch: Channel = { id: 'cli-guess', kind: 'cli' }
    const codes: string[] = []
    for (let i = 0; i < 5; i++) {
      const r = await failure(desk.core.api.call('operators.unlock', { operatorId: BOB, passphrase: `guess number ${i}` }, {}, ch))
      codes.push(r.code)
      // Wait out each back-off so every guess is really tried (and counted).
      const until = await sqlFirst<{ locked_until: string | null }>(
        desk.core.ctx.db,
        'SELECT locked_until FROM operators WHERE id = ?',
        BOB,
      )
      if (until?.locked_until) desk.clock.set(until.locked_until)
    }
    expect(codes).toEqual(['PASSPHRASE_WRONG', 'PASSPHRASE_WRONG', 'PASSPHRASE_WRONG', 'PASSPHRASE_WRONG', 'PASSPHRASE_WRONG'])
    const failed = await sqlAll<{ at: string; change: string }>(
      desk.core.ctx.db,
      "SELECT at, change FROM audit_log WHERE action = 'operators.unlock.failed' AND subject = ? ORDER BY seq",
      'operator:bob-approver',
    )
    expect(failed.map((r) => (JSON.parse(r.change) as { failures: number }).failures)).toEqual([1, 2, 3, 4, 5])
    // Three tries are free; then the wait doubles: 2 s after the 3rd, 4 s after the 4th, 8 s after the 5th.
    const waits = failed.map((r) => {
      const until = (JSON.parse(r.change) as { lockedUntil: string | null }).lockedUntil
      return until === null ? null : (Date.parse(until) - Date.parse(r.at)) / 1000
    })
    expect(waits).toEqual([null, null, 2, 4, 8])
    // While throttled even the right passphrase is not tried.
    const more = await failure(desk.core.api.call('operators.unlock', { operatorId: BOB, passphrase: 'one more guess' }, {}, ch))
    expect(more.code).toBe('PASSPHRASE_WRONG')
    const throttled = await failure(desk.core.api.call('operators.unlock', { operatorId: BOB, passphrase: 'bob-demo-passphrase' }, {}, ch))
    expect(throttled.code).toBe('UNLOCK_THROTTLED')
    expect(throttled.message).toMatch(/wait 16 s/)
    desk.clock.advance(16_000)
    await unlockForTest(desk.core.api, { id: BOB, name: 'Bob Approver' }, ch)
    const row = await sqlFirst<{ failed_unlocks: number }>(desk.core.ctx.db, 'SELECT failed_unlocks FROM operators WHERE id = ?', BOB)
    expect(Number(row?.failed_unlocks)).toBe(0)
  })

  it('the passphrase hash and the sealed key are never in the contract, errors or the audit log', async () => {
    const rows = await sqlAll<{ passphrase: string }>(desk.core.ctx.db, 'SELECT passphrase FROM operators WHERE id = ?', BOB)
    const verifier = (JSON.parse(rows[0]!.passphrase) as { verifier: string; salt: string }).verifier
    const sealed = (await sqlFirst<{ sealed_secret: string }>(
      desk.core.ctx.db,
      'SELECT sealed_secret FROM operator_keys WHERE operator_id = ?',
      BOB,
    ))!.sealed_secret
    const ct = (JSON.parse(sealed) as { ct: string }).ct
    const everything = JSON.stringify([
      await desk.as(undefined, 'operators.list', {}),
      await desk.as(undefined, 'operators.keys', {}),
      await desk.as(undefined, 'operators.changes.list', {}),
      await desk.as(undefined, 'audit.list', { limit: 500 }),
      await failure(
        desk.core.api.call('operators.unlock', { operatorId: BOB, passphrase: 'wrong wrong wrong' }, {}, { id: 'x', kind: 'cli' }),
      ),
    ])
    expect(everything).not.toContain(verifier)
    expect(everything).not.toContain(ct)
    expect(everything).not.toContain('bob-demo-passphrase')
  })
})

describe('admin changes', () => {
  it('with two admins a role change waits for the other admin, who signs it; nobody approves their own', async () => {
    const erin = await addOperatorForTest(desk.core.api, { name: 'Erin Admin', roles: ['admin'] }, { operatorId: DANA })
    // Dana now asks to make Bob an admin too: pending, not applied.
    const asked = await desk.as(DANA, 'operators.setRoles', { operatorId: BOB, roles: ['approver', 'admin'] })
    expect(asked.change.state).toBe('pending')
    expect(asked.operator?.roles).toEqual(['approver'])
    expect((await failure(desk.as(DANA, 'operators.changes.approve', { id: asked.change.id }))).code).toBe('SELF_APPROVAL')
    const done = await desk.as(erin.id, 'operators.changes.approve', { id: asked.change.id })
    expect(done.change).toMatchObject({ state: 'applied', decidedBy: erin.id, signatureVerified: true })
    expect(done.operator?.roles).toEqual(['admin', 'approver'])
    // Bob may not approve a change that gives him more.
    const promote = await desk.as(DANA, 'operators.setRoles', { operatorId: BOB, roles: ['approver', 'admin', 'signer'] })
    expect((await failure(desk.as(BOB, 'operators.changes.approve', { id: promote.change.id }))).code).toBe('SELF_APPROVAL')
    // An invite with two admins waits too; its code works only once the other admin approved.
    const invited = await desk.as(DANA, 'operators.add', { name: 'Frank Preparer', roles: ['preparer'] })
    expect(invited.change.state).toBe('pending')
    expect(invited.operator).toBeNull()
    await desk.as(erin.id, 'operators.changes.approve', { id: invited.change.id })
    const frank = await desk.core.api.call('operators.activate', {
      operatorId: invited.change.subjectId,
      inviteCode: invited.inviteCode!,
      passphrase: 'frank-demo-passphrase',
    })
    expect(frank.operator?.status).toBe('active')
    expect((await desk.as(undefined, 'audit.verify', {})).ok).toBe(true)
  })

  it('with two admins a policy change waits for the second one, and applies only then', async () => {
    const erin = await addOperatorForTest(desk.core.api, { name: 'Erin Admin', roles: ['admin'] }, { operatorId: DANA })
    const asked = await desk.as(DANA, 'settings.policy.set', { approversMin: 2, thresholds: [], dailyLimits: [] })
    expect(asked.policy.approversMin).toBe(1)
    expect(asked.pendingChange?.summary).toContain('2 approver(s) minimum')
    // Meanwhile a batch approved under the old policy verifies; once the new one applies it needs two.
    const b = await submitted(desk, ALICE, ['3.00'])
    await desk.as(BOB, 'batches.approve', { id: b.id, version: b.version })
    const applied = await desk.as(erin.id, 'operators.changes.approve', { id: asked.pendingChange!.id })
    expect(applied.change.signatureVerified).toBe(true)
    expect((await desk.as(undefined, 'settings.policy.get', {})).policy.approversMin).toBe(2)
    // The policy is part of what was signed: the approval made under the old one no longer counts.
    const refused = await failure(desk.as(SAM, 'batches.execute', { id: b.id }))
    expect(refused.code).toBe('APPROVAL_SIGNATURE_INVALID')
  })

  it('the last admin cannot be demoted or deactivated; a deactivated operator cannot unlock and is never deleted', async () => {
    expect((await failure(desk.as(DANA, 'operators.setRoles', { operatorId: DANA, roles: ['approver'] }))).code).toBe('LAST_ADMIN')
    expect((await failure(desk.as(DANA, 'operators.deactivate', { operatorId: DANA }))).code).toBe('LAST_ADMIN')
    const gone = await desk.as(DANA, 'operators.deactivate', { operatorId: BOB })
    expect(gone.change.state).toBe('applied')
    expect((await failure(unlockForTest(desk.core.api, { id: BOB, name: 'Bob Approver' }, { id: 'w', kind: 'window' }))).code).toBe(
      'OPERATOR_INACTIVE',
    )
    const b = await submitted(desk, ALICE, ['1.00'])
    expect((await failure(desk.as(BOB, 'batches.approve', { id: b.id, version: b.version }))).code).toMatch(
      /OPERATOR_LOCKED|OPERATOR_INACTIVE/,
    )
    expect((await desk.as(undefined, 'operators.list', {})).find((o) => o.id === BOB)?.status).toBe('deactivated')
  })

  it("a second admin's approval of an approval-key change is itself signed, and old approvals keep verifying", async () => {
    const b = await approvedByBob()
    const rotated = await desk.as(BOB, 'operators.rotateKey', { kind: 'ed25519', passphrase: 'bob-demo-passphrase' })
    expect(rotated.change.state).toBe('pending')
    const done = await desk.as(DANA, 'operators.changes.approve', { id: rotated.change.id })
    expect(done.change.signatureVerified).toBe(true)
    const keys = (await desk.as(undefined, 'operators.keys', {})).find((o) => o.operatorId === BOB)!.keys
    expect(keys.map((k) => k.revokedAt === null)).toEqual([false, true])
    // Bob's session ended with the old key; he unlocks again and gets the new one.
    await unlockForTest(desk.core.api, { id: BOB, name: 'Bob Approver' })
    expect((await desk.as(ALICE, 'batches.get', { id: b.id })).approvals[0]?.signature).toBe('verified')
    expect((await desk.as(undefined, 'operators.verify', {})).operators.every((o) => o.ok)).toBe(true)
  })
})
