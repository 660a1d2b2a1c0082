/**
 * An approver whose approval key is a Ledger account: registering it is an admin-approved change
 * (the address is confirmed on the device), and each approval is EIP-712 typed data the device
 * shows field by field — here the sandbox's device emulator behind the real Ledger client code.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { recoverTypedDataAddress } from 'viem'
import { createSandboxEmulators, createSandboxSigner } from '../../signing/sandboxSigner'
import { staticSignerSource } from '../../signing/signerSource'
import { describeTypedDataForDevice } from '../../signing/describeTypedDataForDevice'
import { sqlFirst, sqlRun } from '../../../../../test/dbSql'
import { ALICE, BOB, DANA, failure, openDesk, submitted, type Desk } from '../batches/testKit'
import { computeBatchDigest } from './batchDigest'
import { getBatchRow } from '../batches/readBatch'
import { unlockForTest } from '../../operators/operatorTestKit'

const PATH = "44'/60'/0'/0/7"
let desk: Desk | undefined
afterEach(async () => {
  await desk?.close()
  desk = undefined
})

describe('a Ledger approval key', () => {
  it('is registered through a second approval, then signs each batch approval as EIP-712 the device shows', async () => {
    const emulators = createSandboxEmulators()
    desk = await openDesk({ signer: staticSignerSource(createSandboxSigner(emulators), 'test emulator') })
    const asked = await desk.as(BOB, 'operators.rotateKey', { kind: 'ledger-evm', path: PATH })
    // Bob is not an admin: an admin approves his new key (signed with the admin's own key).
    expect(asked.change.state).toBe('pending')
    const done = await desk.as(DANA, 'operators.changes.approve', { id: asked.change.id })
    expect(done.change.signatureVerified).toBe(true)
    const key = done.operator!.approvalKey!
    expect(key).toMatchObject({ kind: 'ledger-evm', path: PATH })
    expect(key.publicKey).toMatch(/^0x[0-9a-fA-F]{40}$/)
    // His sessions ended with the change; he unlocks again.
    await unlockForTest(desk.core.api, { id: BOB, name: 'Bob Approver' })

    const b = await submitted(desk, ALICE, ['12400.00', '0.50'])
    const approved = await desk.as(BOB, 'batches.approve', { id: b.id, version: b.version })
    expect(approved.batch.state).toBe('approved')
    expect(approved.approvals).toMatchObject([{ operatorId: BOB, signature: 'verified', keyFingerprint: key.fingerprint }])

    // What the device showed is what was signed: the batch, its payouts and totals, and the digest.
    const digest = await computeBatchDigest(desk.core.ctx, await getBatchRow(desk.core.ctx, b.id))
    const shown = emulators.ethereum.lastDisplay()!
    expect(shown).toEqual(describeTypedDataForDevice(digest.typedData()))
    const text = shown.map((l) => `${l.label}: ${l.value}`).join('\n')
    expect(text).toContain('batch: March contractors')
    expect(text).toContain('payouts: 2')
    // Exact, at the asset's scale: nothing rounded on the device either.
    expect(text).toContain('totals: 12,400.500000 USDC')
    expect(text).toContain(`digest: 0x${digest.digest.toUpperCase()}`)
    const row = await sqlFirst<{ signature: string }>(desk.core.ctx.db, 'SELECT signature FROM approvals WHERE batch_id = ?', b.id)
    expect(await recoverTypedDataAddress({ ...digest.typedData(), signature: row!.signature as `0x${string}` })).toBe(key.publicKey)

    // Changed behind the app's back: the Ledger signature no longer matches.
    await sqlRun(
      desk.core.ctx.db,
      "UPDATE payouts SET recipient = '0x000000000000000000000000000000000000dEaD' WHERE batch_id = ? AND row_no = 2",
      b.id,
    )
    expect((await failure(desk.as('sam-signer', 'batches.execute', { id: b.id }))).code).toBe('APPROVAL_SIGNATURE_INVALID')
  })

  it('a refusal on the device records nothing', async () => {
    const emulators = createSandboxEmulators()
    desk = await openDesk({ signer: staticSignerSource(createSandboxSigner(emulators), 'test emulator') })
    const asked = await desk.as(BOB, 'operators.rotateKey', { kind: 'ledger-evm', path: PATH })
    await desk.as(DANA, 'operators.changes.approve', { id: asked.change.id })
    await unlockForTest(desk.core.api, { id: BOB, name: 'Bob Approver' })
    const b = await submitted(desk, ALICE, ['1.00'])
    emulators.ethereum.setUser('reject')
    expect((await failure(desk.as(BOB, 'batches.approve', { id: b.id, version: b.version }))).code).toBe('DEVICE_REJECTED')
    expect(await sqlFirst(desk.core.ctx.db, 'SELECT batch_id FROM approvals WHERE batch_id = ?', b.id)).toBeUndefined()
  })
})
