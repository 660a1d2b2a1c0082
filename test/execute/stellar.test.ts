/**
 * The Stellar rail end to end on the Horizon-compatible harness: a 250-payout batch → 3
 * transactions (100/100/50) signed through hw-app-str on the device emulator → applied →
 * confirmed and booked. Balances on the harness equal the CSV, the ledger equals the harness,
 * fees are booked, the payer of every transaction is the treasury the device derived.
 */
import { approveBatchForTest } from '../support/signedApprovals'
import { TransactionBuilder } from '@stellar/stellar-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { executeBatch } from '../../src/main/core/payouts/execute'
import { followPayments } from '../../src/main/core/poller/tasks/stellarPayments'
import { insertApprovedBatchForTest, ledgerBalance, MAKER, openWorkspace, tempDir } from './executeKit'
import {
  pollStellarUntilQuiet,
  setupStellarWorkspace,
  startStellarWorld,
  stellarEmulator,
  stellarPayouts,
  stellarRails,
  stellarSigner,
  TREASURY,
  XLM,
  type StellarWorld,
} from './stellarKit'
import { sqlAll, sqlFirst } from '../dbSql'

let world: StellarWorld
beforeAll(async () => {
  world = await startStellarWorld()
})
afterAll(async () => world?.stop())

const sum = (list: { amount: bigint }[]): bigint => list.reduce((s, p) => s + p.amount, 0n)

describe('Stellar rail on the harness', () => {
  it('pays 250 USDC payouts in 3 transactions signed on the emulator, exactly once, booked to the stroop', async () => {
    const dir = tempDir('stellar-250')
    const ctx = await setupStellarWorkspace(world, dir)
    const payouts = stellarPayouts(world, 'p250', 250, world.usdcAssetId)
    await insertApprovedBatchForTest(ctx, 'b-250', payouts)
    const rails = stellarRails(world.config())
    const emulator = stellarEmulator({ hashSigning: true })
    const treasuryXlmBefore = world.h.balance(TREASURY, 'native')!
    const progress: string[] = []
    const result = await executeBatch(ctx, { rails, signer: stellarSigner(emulator) }, 'b-250', MAKER, {
      onProgress: (p) => progress.push(p.message),
    })
    expect(result.chunks).toBe(3)
    expect(result.broadcast).toBe(3)
    expect(emulator.stats.signatures).toBe(3)
    await pollStellarUntilQuiet(ctx, world, rails)

    const subs = await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', 'b-250').orderBy('chunk_index'))
    expect(subs.map((s) => s.state)).toEqual(['confirmed', 'confirmed', 'confirmed'])
    const counts = await sqlAll<{ n: number }>(
      ctx.db,
      `SELECT submission_id, COUNT(*) AS n FROM submission_payouts GROUP BY submission_id ORDER BY n DESC`,
    )
    expect(counts.map((c) => c.n)).toEqual([100, 100, 50])
    // Consecutive sequence numbers, each transaction applied once, from the treasury.
    const seqs = subs.map((s) => BigInt(s.nonce!))
    expect(seqs[1]! - seqs[0]!).toBe(1n)
    expect(seqs[2]! - seqs[1]!).toBe(1n)
    for (const s of subs) {
      expect(world.h.applied().filter((a) => a.hash === s.tx_hash)).toEqual([expect.objectContaining({ successful: true })])
      const tx = TransactionBuilder.fromXDR(s.signed_payload!, world.h.networkPassphrase)
      expect('source' in tx ? tx.source : null).toBe(TREASURY)
    }
    for (const p of payouts) expect(world.h.balance(p.recipient, world.usdc)).toBe(p.amount)
    expect((await ctx.db.all(ctx.db.k.selectFrom('batches').select('state').where('id', '=', 'b-250')))[0]!.state).toBe('completed')

    // The ledger equals the harness: USDC out exactly, XLM down by exactly the fees booked.
    expect(await ledgerBalance(ctx, `treasury:${world.usdcAssetId}`)).toBe(world.h.balance(TREASURY, world.usdc))
    expect(await ledgerBalance(ctx, `treasury:${world.xlmAssetId}`)).toBe(world.h.balance(TREASURY, 'native'))
    const fees = await ledgerBalance(ctx, `fees:${world.xlmAssetId}`)
    expect(fees).toBe(250n * 100n)
    expect(treasuryXlmBefore - world.h.balance(TREASURY, 'native')!).toBe(fees)
    // Each payout booked once, linked to its transaction and operation index.
    const entries = (await sqlFirst<{ n: number }>(ctx.db, `SELECT COUNT(*) AS n FROM entries WHERE id LIKE 'payout:p250-%'`))!
    expect(entries.n).toBe(250)
    expect(sum(payouts)).toBe(1_000_000n * XLM - world.h.balance(TREASURY, world.usdc)!)

    // The poller follows the treasury's payments from a cursor that survives a restart.
    const added = await followPayments(ctx, 'standalone', world.h.url, TREASURY)
    expect(added).toBe(250)
    await ctx.db.close()
    const reopened = await openWorkspace(dir)
    expect(await followPayments(reopened, 'standalone', world.h.url, TREASURY)).toBe(0)
    const ours = (await sqlFirst<{ n: number }>(
      reopened.db,
      `SELECT COUNT(DISTINCT tx_hash) AS n FROM stellar_payments WHERE tx_hash IN (${subs.map(() => '?').join(',')})`,
      ...subs.map((s) => s.tx_hash),
    ))!
    expect(ours.n).toBe(3)
    await reopened.db.close()
  })

  it('splits by memo, pays XLM with create_account to an unfunded destination when allowed, and parses each tx on the device', async () => {
    const dir = tempDir('stellar-memo')
    const ctx = await setupStellarWorkspace(world, dir)
    const unfunded = world.payee({ unfunded: true })
    const payouts = [
      ...stellarPayouts(world, 'pm-a', 3, world.xlmAssetId, 'INV-1'),
      ...stellarPayouts(world, 'pm-b', 2, world.xlmAssetId, 'INV-2'),
      { id: 'pm-new', assetId: world.xlmAssetId, recipient: unfunded, amount: 2n * XLM },
    ]
    await insertApprovedBatchForTest(ctx, 'b-memo', payouts)
    const rails = stellarRails(world.config({ allowCreateAccount: true }))
    // Small transactions fit the app's buffer: signed by content, not by hash.
    const emulator = stellarEmulator({ hashSigning: false })
    const result = await executeBatch(ctx, { rails, signer: stellarSigner(emulator) }, 'b-memo', MAKER)
    expect(result.chunks).toBe(3)
    await pollStellarUntilQuiet(ctx, world, rails)
    expect(world.h.balance(unfunded, 'native')).toBe(2n * XLM)
    const memos = (
      await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', 'b-memo').orderBy('chunk_index'))
    ).map((s) => {
      const tx = TransactionBuilder.fromXDR(s.signed_payload!, world.h.networkPassphrase)
      return 'memo' in tx ? tx.memo.value?.toString() : null
    })
    expect(memos).toEqual(['INV-1', 'INV-2', undefined])
    expect(await ledgerBalance(ctx, `treasury:${world.xlmAssetId}`)).toBe(world.h.balance(TREASURY, 'native'))
    await ctx.db.close()
  })

  it("carries the payouts' shared reference as the memo when they have none of their own (and it fits 28 bytes)", async () => {
    const ctx = await setupStellarWorkspace(world, tempDir('stellar-ref'))
    const shared = stellarPayouts(world, 'pr-s', 2, world.usdcAssetId)
    const own = stellarPayouts(world, 'pr-m', 1, world.usdcAssetId, 'DEPOSIT-7')
    const mixed = stellarPayouts(world, 'pr-x', 2, world.xlmAssetId)
    const tooLong = stellarPayouts(world, 'pr-l', 1, world.xlmAssetId)
    await insertApprovedBatchForTest(ctx, 'b-ref', [...shared, ...own, ...mixed])
    await insertApprovedBatchForTest(ctx, 'b-ref-long', tooLong)
    const setReference = async (ids: readonly { id: string }[], reference: string | ((i: number) => string)) => {
      for (const [i, p] of ids.entries())
        await ctx.db.run(
          ctx.db.k
            .updateTable('payouts')
            .set({ reference: typeof reference === 'string' ? reference : reference(i) })
            .where('id', '=', p.id),
        )
    }
    await setReference(shared, 'INV-2026-0042')
    await setReference(own, 'INV-2026-0043')
    await setReference(mixed, (i) => `INV-X-${i}`)
    await setReference(tooLong, 'A reference of 29 bytes long.')
    // Edited after approval: approved again over what is stored now (the engine refuses otherwise).
    for (const b of ['b-ref', 'b-ref-long']) {
      await ctx.db.run(ctx.db.k.deleteFrom('approvals').where('batch_id', '=', b))
      await approveBatchForTest(ctx, b)
    }
    const rails = stellarRails(world.config())
    await executeBatch(ctx, { rails, signer: stellarSigner(stellarEmulator({ hashSigning: false })) }, 'b-ref', MAKER)
    await executeBatch(ctx, { rails, signer: stellarSigner(stellarEmulator({ hashSigning: false })) }, 'b-ref-long', MAKER)
    await pollStellarUntilQuiet(ctx, world, rails)
    // What arrived: Horizon's record of each applied transaction, by the hash we stored.
    const arrived = async (batchId: string) => {
      const subs = await ctx.db.all(ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId).orderBy('chunk_index'))
      expect(subs.map((s) => s.state)).toEqual(subs.map(() => 'confirmed'))
      const out: (string | null)[] = []
      for (const s of subs) {
        const record = (await (await fetch(`${world.h.url}/transactions/${s.tx_hash}`)).json()) as { memo_type: string; memo?: string }
        out.push(record.memo_type === 'memo_text' ? record.memo! : null)
      }
      return out
    }
    // Chunks: USDC without memo (shared reference), USDC with its own memo, XLM with two references.
    expect(await arrived('b-ref')).toEqual(['INV-2026-0042', 'DEPOSIT-7', null])
    expect(await arrived('b-ref-long')).toEqual([null])
    for (const p of [...shared, ...own, ...mixed, ...tooLong]) {
      const row = (await ctx.db.first(ctx.db.k.selectFrom('payouts').select('state').where('id', '=', p.id)))!
      expect(row.state).toBe('confirmed')
    }
    await ctx.db.close()
  })
})
