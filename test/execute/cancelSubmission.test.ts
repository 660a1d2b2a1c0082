/**
 * Cancelling a transaction the device refused, against a real Anvil and the device emulator behind
 * the real Ledger signer: the device rejects transaction 2 of 3, it is cancelled, signing resumes,
 * and transaction 3 goes out with the freed nonce. Every payout is paid exactly once or cancelled
 * (and then paid once by a retry), and the ledger equals the chain. Also the refusals: a later
 * transaction of the source already signed (the gap could not close), a transaction not planned,
 * an unknown id, an operator without the role — each leaves everything as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Operator } from '../../src/shared/workspaceApi'
import type { CoreContext } from '../../src/main/core/context'
import { cancelSubmission, executeBatch, retryFailed } from '../../src/main/core/payouts/execute'
import { plannedSubmissions } from '../../src/main/core/payouts/execute/executionStore'
import { signAndBroadcast } from '../../src/main/core/payouts/execute/signAndBroadcast'
import { evmBatchRef } from '../../src/main/core/rails/evm'
import type { RailRegistry } from '../../src/main/core/rails/Rail'
import { createSandboxLedgerEmulator, type SandboxLedgerEmulator } from '../../src/main/core/signing/emulator/createSandboxLedgerEmulator'
import { SPECULOS_TEST_MNEMONIC } from '../../src/main/core/signing/emulator/sandboxSoftwareKeys'
import { createLedgerSigner } from '../../src/main/core/signing/ledgerDevice/createLedgerSigner'
import type { Signer } from '../../src/main/core/signing/Signer'
import type { SubmissionRow } from '../../src/main/core/db/schema'
import { recipientAddresses } from '../harness/evm/recipients'
import {
  chainBalances,
  feesBooked,
  insertApprovedBatchForTest,
  ledgerBalance,
  MAKER,
  paidEvents,
  pollUntilQuiet,
  railsFor,
  recipientBalance,
  setupWorkspace,
  startWorld,
  sumOf,
  tempDir,
  type TestPayout,
  type World,
} from './executeKit'
import { sqlFirst } from '../dbSql'

let world: World
let emulator: SandboxLedgerEmulator
let signer: Signer

const PROFILE = { createdAt: '2026-01-01T00:00:00.000Z', status: 'active', passphraseSet: true, approvalKey: null } as const
const CAROL: Operator = { id: 'op-carol', name: 'Carol Signer', roles: ['signer'], ...PROFILE }
const ALICE: Operator = { id: 'op-alice', name: 'Alice Preparer', roles: ['preparer'], ...PROFILE }

beforeAll(async () => {
  world = await startWorld()
  emulator = createSandboxLedgerEmulator({
    mnemonic: SPECULOS_TEST_MNEMONIC,
    openApp: 'Ethereum',
    user: 'approve',
    ethereum: { blindSigning: true },
  })
  signer = createLedgerSigner({ factory: emulator.transportFactory, deviceId: emulator.deviceId })
}, 60_000)
afterAll(async () => {
  await signer?.close()
  await world?.stop()
})

/** Six token payouts, two per transaction: three transactions. */
function payoutsFor(seed: string): TestPayout[] {
  return recipientAddresses(seed, 6).map((recipient, i) => ({
    id: `${seed}-t${i}`,
    assetId: world.tokenAssetId,
    recipient,
    amount: 1_000_000n + BigInt(i),
  }))
}

async function submissionsOf(ctx: CoreContext, batchId: string): Promise<SubmissionRow[]> {
  return await ctx.db.all(
    ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId).orderBy('chunk_index').orderBy('attempt'),
  )
}

async function payoutRow(ctx: CoreContext, id: string) {
  return (await ctx.db.first(ctx.db.k.selectFrom('payouts').selectAll().where('id', '=', id)))!
}

async function auditCount(ctx: CoreContext): Promise<number> {
  return (await sqlFirst<{ n: number }>(ctx.db, 'SELECT COUNT(*) AS n FROM audit_log'))!.n
}

/** A batch of three transactions whose second the device refuses: the first is broadcast, the rest planned. */
async function refuseSecond(
  ctx: CoreContext,
  rails: RailRegistry,
  batchId: string,
  payouts: readonly TestPayout[],
): Promise<SubmissionRow[]> {
  for (const op of [CAROL, ALICE]) {
    await ctx.db.run(
      ctx.db.k
        .insertInto('operators')
        .values({ id: op.id, name: op.name, roles: JSON.stringify(op.roles), created_at: op.createdAt })
        .onConflict((oc) => oc.doNothing()),
    )
  }
  await insertApprovedBatchForTest(ctx, batchId, payouts)
  emulator.setUser('manual')
  const running = executeBatch(ctx, { rails, signer }, batchId, MAKER)
  ;(await emulator.nextPrompt()).approve()
  ;(await emulator.nextPrompt()).reject()
  await expect(running).rejects.toMatchObject({ code: 'DEVICE_REJECTED' })
  emulator.setUser('approve')
  const subs = await submissionsOf(ctx, batchId)
  expect(subs.map((s) => s.state)).toEqual(['broadcast', 'planned', 'planned'])
  const [n0, n1, n2] = subs.map((s) => BigInt(s.nonce!))
  expect([n1! - n0!, n2! - n0!]).toEqual([1n, 2n])
  return subs
}

async function expectLedgerEqualsChain(ctx: CoreContext, opening: { eth: bigint; token: bigint }, paid: readonly TestPayout[]) {
  const now = await chainBalances(world)
  expect(await ledgerBalance(ctx, `treasury:${world.tokenAssetId}`)).toBe(now.token)
  expect(await ledgerBalance(ctx, `treasury:${world.ethAssetId}`)).toBe(now.eth)
  expect(opening.token - now.token).toBe(sumOf(paid, world.tokenAssetId))
  expect(opening.eth - now.eth).toBe(await feesBooked(ctx, world))
}

describe('cancelSubmission on a real node', () => {
  it('the device rejects transaction 2 of 3 → cancel it → resume: 3 goes out with the freed nonce; paid once or cancelled', async () => {
    const { ctx, opening } = await setupWorkspace(world, tempDir('cancel'))
    const rails = railsFor(world.chain({ payoutsPerChunkMax: 2 }))
    const payouts = payoutsFor('cancel')
    const [first, refused, third] = await refuseSecond(ctx, rails, 'b-cancel', payouts)
    const auditBefore = await auditCount(ctx)

    const result = await cancelSubmission(ctx, rails, CAROL, { submissionId: refused!.id })
    expect(result.submission).toMatchObject({ id: refused!.id, state: 'dead', nonce: refused!.nonce, failure: { code: 'CANCELLED' } })
    expect(result.submission.failure.message).toContain('Cancelled by Carol Signer')
    expect(result.payouts).toEqual([
      { id: 'cancel-t2', state: 'failed', failureCode: 'CANCELLED' },
      { id: 'cancel-t3', state: 'failed', failureCode: 'CANCELLED' },
    ])
    expect(result.renumbered).toEqual([{ id: third!.id, batchId: 'b-cancel', fromNonce: third!.nonce, toNonce: refused!.nonce }])
    expect(result.batch).toEqual({ id: 'b-cancel', state: 'executing' })
    // Audited in the same transaction: the cancel and the renumbering.
    const audit = await ctx.db.all(ctx.db.k.selectFrom('audit_log').selectAll().where('seq', '>', auditBefore).orderBy('seq'))
    expect(audit.map((a) => [a.action, a.subject, a.actor])).toEqual([
      ['payouts.submission.dead', `submission:${refused!.id}`, CAROL.id],
      ['payouts.submission.renumbered', `submission:${third!.id}`, CAROL.id],
    ])
    expect(JSON.parse(audit[0]!.change)).toMatchObject({ code: 'CANCELLED', by: 'Carol Signer', nonceFreed: refused!.nonce })
    expect(JSON.parse(audit[1]!.change)).toMatchObject({ from: third!.nonce, to: refused!.nonce, freedBy: refused!.id })

    // Resume signing: only the planned one is left, and it is signed at the freed nonce.
    const resumed = await signAndBroadcast(ctx, { rails, signer }, CAROL.id, await plannedSubmissions(ctx, 'b-cancel'))
    expect(resumed).toMatchObject({ signed: 1, broadcast: 1 })
    await pollUntilQuiet(ctx, world, rails)
    const after = await submissionsOf(ctx, 'b-cancel')
    expect(after.map((s) => [s.id, s.state])).toEqual([
      [first!.id, 'confirmed'],
      [refused!.id, 'dead'],
      [third!.id, 'confirmed'],
    ])
    const onChain = await world.h.clients.publicClient.getTransaction({ hash: after[2]!.tx_hash as `0x${string}` })
    expect(BigInt(onChain.nonce)).toBe(BigInt(refused!.nonce!))
    expect((await ctx.db.first(ctx.db.k.selectFrom('batches').select('state').where('id', '=', 'b-cancel')))!.state).toBe(
      'partially_failed',
    )

    // Paid exactly once, or cancelled and not paid on chain.
    const cancelled = payouts.filter((p) => p.id === 'cancel-t2' || p.id === 'cancel-t3')
    const paid = payouts.filter((p) => !cancelled.includes(p))
    for (const p of paid) {
      expect(await recipientBalance(world, p)).toBe(p.amount)
      expect(await payoutRow(ctx, p.id)).toMatchObject({ state: 'confirmed', entry_id: `payout:${p.id}` })
    }
    for (const p of cancelled) {
      expect(await recipientBalance(world, p)).toBe(0n)
      expect(await payoutRow(ctx, p.id)).toMatchObject({ state: 'failed', failure_code: 'CANCELLED', entry_id: null })
    }
    expect(await paidEvents(world, evmBatchRef(world.anvil.chainId, 'b-cancel', 1))).toEqual([])
    await expectLedgerEqualsChain(ctx, opening, paid)

    // The cancelled payouts can still be paid: a retry is a new attempt of the same chunk, paid once.
    const retry = await retryFailed(ctx, { rails, signer }, 'b-cancel', CAROL.id)
    expect(retry).toMatchObject({ chunks: 1, payouts: 2, broadcast: 1 })
    await pollUntilQuiet(ctx, world, rails)
    expect((await ctx.db.first(ctx.db.k.selectFrom('batches').select('state').where('id', '=', 'b-cancel')))!.state).toBe('completed')
    for (const p of payouts) expect(await recipientBalance(world, p)).toBe(p.amount)
    expect(await paidEvents(world, evmBatchRef(world.anvil.chainId, 'b-cancel', 1))).toHaveLength(2)
    const payoutEntries = (await sqlFirst<{ n: number }>(ctx.db, `SELECT COUNT(*) AS n FROM entries WHERE kind = 'payout'`))!
    expect(payoutEntries.n).toBe(6)
    await expectLedgerEqualsChain(ctx, opening, payouts)
    await ctx.db.close()
  }, 120_000)

  it('refuses while a later transaction of the source is signed, a transaction not planned, an unknown id, a preparer', async () => {
    const { ctx, opening } = await setupWorkspace(world, tempDir('cancel-refused'))
    const rails = railsFor(world.chain({ payoutsPerChunkMax: 2 }))
    const payouts = payoutsFor('refused')
    const [first, refused, third] = await refuseSecond(ctx, rails, 'b-refused', payouts)
    // Transaction 3 is signed and sent on its own (it waits in the pool behind the gap).
    expect(await signAndBroadcast(ctx, { rails, signer }, CAROL.id, [third!])).toMatchObject({ signed: 1 })
    const before = { audit: await auditCount(ctx), subs: await submissionsOf(ctx, 'b-refused') }

    await expect(cancelSubmission(ctx, rails, CAROL, { submissionId: refused!.id })).rejects.toMatchObject({
      code: 'CANCEL_BLOCKED',
      message: expect.stringMatching(/already broadcast with a later nonce .* sign this one instead/),
    })
    await expect(cancelSubmission(ctx, rails, CAROL, { submissionId: first!.id })).rejects.toMatchObject({
      code: 'EXECUTION_STATE',
      message: expect.stringContaining('is broadcast, not planned — only a transaction that was never signed can be cancelled'),
    })
    await expect(cancelSubmission(ctx, rails, CAROL, { submissionId: 'b-refused:c9:a1' })).rejects.toMatchObject({
      code: 'SUBMISSION_NOT_FOUND',
    })
    await expect(cancelSubmission(ctx, rails, ALICE, { submissionId: refused!.id })).rejects.toMatchObject({
      code: 'ROLE_REQUIRED',
      message: expect.stringContaining('needs the signer or admin role'),
    })
    await expect(cancelSubmission(ctx, rails, null, { submissionId: refused!.id })).rejects.toMatchObject({ code: 'OPERATOR_REQUIRED' })
    expect(await auditCount(ctx)).toBe(before.audit)
    expect(await submissionsOf(ctx, 'b-refused')).toEqual(before.subs)

    // As the refusal says: sign the refused one after all — everything is paid once.
    expect(await signAndBroadcast(ctx, { rails, signer }, CAROL.id, await plannedSubmissions(ctx, 'b-refused'))).toMatchObject({
      signed: 1,
    })
    await pollUntilQuiet(ctx, world, rails)
    expect((await ctx.db.first(ctx.db.k.selectFrom('batches').select('state').where('id', '=', 'b-refused')))!.state).toBe('completed')
    for (const p of payouts) expect(await recipientBalance(world, p)).toBe(p.amount)
    await expect(cancelSubmission(ctx, rails, CAROL, { submissionId: refused!.id })).rejects.toMatchObject({
      code: 'EXECUTION_STATE',
      message: expect.stringContaining('is confirmed, not planned'),
    })
    await expectLedgerEqualsChain(ctx, opening, payouts)
    await ctx.db.close()
  }, 120_000)
})
