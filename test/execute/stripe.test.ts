/**
 * The Stripe rail through the rail-neutral engine: a real SQLite file, the Stripe harness, no
 * device (Stripe needs none). USD (2 decimals), JPY (0) and BHD (3) payouts, exact minor units,
 * one transfer per payout key under injected faults, every request carried our key.
 */
import { approveBatchForTest } from '../support/signedApprovals'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CsError } from '../../src/shared/errors'
import { CRASH_ENV, resumeOpen } from '../../src/main/core/payouts/execute'
import type { CoreContext } from '../../src/main/core/context'
import { addAccount, postEntries, seedDefaultAssets } from '../../src/main/core/ledger'
import { executeBatch } from '../../src/main/core/payouts/execute/executeBatch'
import { preflightBatch } from '../../src/main/core/payouts/batches/preflightBatch'
import { sweepRail } from '../../src/main/core/payouts/execute/sweepRail'
import { createRailRegistry, type RailRegistry } from '../../src/main/core/rails/Rail'
import { createStripeRail, STRIPE_PLATFORM_SOURCE } from '../../src/main/core/rails/stripe/createStripeRail'
import { startStripeHarness, type StripeHarness } from '../harness/stripe'
import { insertApprovedBatchForTest, ledgerBalance, MAKER, openWorkspace, tempDir, type TestPayout } from './executeKit'
import { sqlAll, sqlFirst } from '../dbSql'

const ASSETS = [
  ['USD@stripe', 1_000_000n, '10000.00'],
  ['JPY@stripe', 1_000_000n, '1000000'],
  ['BHD@stripe', 1_000_000n, '1000.000'],
] as const

describe('Stripe batch through the execution engine', () => {
  let h: StripeHarness
  let ctx: CoreContext
  let rails: RailRegistry
  let dataDir: string

  beforeEach(async () => {
    h = await startStripeHarness({ balances: { usd: 1_000_000n, jpy: 1_000_000n, bhd: 1_000_000n } })
    dataDir = tempDir('stripe')
    ctx = await openWorkspace(dataDir)
    await seedDefaultAssets(ctx)
    await ctx.db.run(
      ctx.db.k.insertInto('operators').values({ id: MAKER, name: 'Maker', roles: '["preparer"]', created_at: '2026-01-01T00:00:00.000Z' }),
    )
    for (const [assetId, , text] of ASSETS) {
      await addAccount(ctx, MAKER, {
        id: `treasury:${assetId}`,
        name: `Treasury ${assetId}`,
        kind: 'treasury',
        assetId,
        address: STRIPE_PLATFORM_SOURCE,
      })
      await addAccount(ctx, MAKER, { id: `opening:${assetId}`, name: `Opening ${assetId}`, kind: 'external', assetId })
      await postEntries(
        ctx,
        MAKER,
        [
          {
            id: `opening:${assetId}`,
            description: 'Opening = Stripe balance',
            postings: [
              { account: `treasury:${assetId}`, debit: text },
              { account: `opening:${assetId}`, credit: text },
            ],
          },
        ],
        { kind: 'manual' },
      )
    }
    rails = createRailRegistry([
      createStripeRail({
        apiBase: { host: h.host, port: h.port, protocol: h.protocol },
        secretKey: async () => h.secretKey,
        retry: { attemptsMax: 6, backoffMsBase: 1, backoffMsMax: 8, sleep: async () => {} },
        timeoutMs: 2_000,
      }),
    ])
  })
  afterEach(async () => {
    await h.stop()
    await ctx.db.close()
  })

  function batch(accts: [string, string, string]): TestPayout[] {
    // Connected account ids typed loosely as the kit's recipient string.
    return (
      [
        { id: 'p-usd', assetId: 'USD@stripe', recipient: accts[0], amount: 12_345n },
        { id: 'p-jpy', assetId: 'JPY@stripe', recipient: accts[1], amount: 5_000n },
        { id: 'p-bhd', assetId: 'BHD@stripe', recipient: accts[2], amount: 1_234n },
      ] as const
    ).map((p) => ({ ...p, recipient: p.recipient as TestPayout['recipient'] }))
  }

  async function sweepUntilQuiet(roundsMax = 10) {
    for (let round = 1; round <= roundsMax; round++) {
      for (const rail of rails.all()) await sweepRail(ctx, rail)
      const open = (await sqlFirst<{ n: number }>(
        ctx.db,
        `SELECT COUNT(*) AS n FROM submissions WHERE state IN ('planned', 'signed', 'broadcast')`,
      ))!
      if (open.n === 0) return
    }
    throw new Error('submissions still open')
  }

  function assertExactlyOncePerKey(payoutIds: string[]) {
    const transfers = h.transfers() as { metadata: Record<string, string> }[]
    for (const id of payoutIds) expect(transfers.filter((t) => t.metadata.countersign_payout_id === id)).toHaveLength(1)
    for (const r of h.requests().filter((x) => x.method === 'POST')) expect(r.idempotencyKey).toMatch(/^cs_p-(usd|jpy|bhd)_a1$/)
  }

  for (const fault of ['none', 'dropAfterCommit', 'error500', 'rateLimit429'] as const) {
    it(`executes USD/JPY/BHD payouts and books exact minor units (fault: ${fault})`, async () => {
      const accts: [string, string, string] = [h.addConnectedAccount(), h.addConnectedAccount(), h.addConnectedAccount()]
      const payouts = batch(accts)
      await insertApprovedBatchForTest(ctx, 'b-stripe', payouts)
      if (fault === 'dropAfterCommit') h.faults.dropAfterCommit(2, { method: 'POST', path: '/v1/transfers' })
      if (fault === 'error500') h.faults.error500(3, { path: '/v1/transfers' })
      if (fault === 'rateLimit429') h.faults.rateLimit429(3, { path: '/v1/transfers' })
      await executeBatch(ctx, { rails }, 'b-stripe', MAKER)
      await sweepUntilQuiet()
      const states = await sqlAll(ctx.db, `SELECT id, state FROM payouts ORDER BY id`)
      expect(states).toEqual([
        { id: 'p-bhd', state: 'confirmed' },
        { id: 'p-jpy', state: 'confirmed' },
        { id: 'p-usd', state: 'confirmed' },
      ])
      assertExactlyOncePerKey(payouts.map((p) => p.id))
      for (const p of payouts) {
        const [assetId, opening] = ASSETS.find(([a]) => a === p.assetId)!
        expect(await ledgerBalance(ctx, `treasury:${assetId}`)).toBe(opening - p.amount)
        expect(h.balance(p.assetId.slice(0, 3).toLowerCase())).toBe(opening - p.amount)
      }
      const subs = await sqlAll<{
        idempotency_key: string
        tx_hash: string
        block_hash: string
        fee_paid: string
      }>(ctx.db, `SELECT idempotency_key, tx_hash, block_hash, fee_paid FROM submissions ORDER BY idempotency_key`)
      for (const s of subs) {
        expect(s.tx_hash).toBe(s.idempotency_key)
        expect(s.block_hash).toMatch(/^tr_/)
      }
    })
  }

  it('slow Stripe: our timeout fires, the retry meets the first request still running (409), then its replay — one transfer per key', async () => {
    const accts: [string, string, string] = [h.addConnectedAccount(), h.addConnectedAccount(), h.addConnectedAccount()]
    const payouts = batch(accts)
    await insertApprovedBatchForTest(ctx, 'b-stripe', payouts)
    // The first POST is held 600 ms while our client gives up after 150 ms and retries with the
    // same key: Stripe answers 409 idempotency_key_in_use until the first one finishes.
    h.faults.slow(600, 1, { method: 'POST', path: '/v1/transfers' })
    const slowRails = createRailRegistry([
      createStripeRail({
        apiBase: { host: h.host, port: h.port, protocol: h.protocol },
        secretKey: async () => h.secretKey,
        retry: { attemptsMax: 10, backoffMsBase: 50, backoffMsMax: 200, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
        timeoutMs: 150,
      }),
    ])
    await executeBatch(ctx, { rails: slowRails }, 'b-stripe', MAKER)
    for (let round = 1; round <= 10; round++) {
      for (const rail of slowRails.all()) await sweepRail(ctx, rail)
      const open = (await sqlFirst<{
        n: number
      }>(ctx.db, `SELECT COUNT(*) AS n FROM submissions WHERE state IN ('planned', 'signed', 'broadcast')`))!
      if (open.n === 0) break
    }
    const statuses = h.requests().filter((q) => q.method === 'POST' && q.idempotencyKey === 'cs_p-usd_a1')
    expect(statuses.map((q) => q.status)).toContain(409)
    expect(statuses.some((q) => q.replayed)).toBe(true)
    assertExactlyOncePerKey(payouts.map((p) => p.id))
    expect(await sqlAll(ctx.db, `SELECT DISTINCT state FROM payouts`)).toEqual([{ state: 'confirmed' }])
  })

  it("each transfer carries the payout's own id, batch and reference (metadata) and its description", async () => {
    const accts: [string, string, string] = [h.addConnectedAccount(), h.addConnectedAccount(), h.addConnectedAccount()]
    await insertApprovedBatchForTest(ctx, 'b-ref', batch(accts))
    await ctx.db.run(ctx.db.k.updateTable('payouts').set({ reference: 'INV-2026-0042' }).where('id', '=', 'p-usd'))
    await ctx.db.run(ctx.db.k.updateTable('payouts').set({ reference: 'INV-2026-0043', memo: 'March retainer' }).where('id', '=', 'p-jpy'))
    // Edited after approval: approved again over what is stored now (the engine would refuse otherwise).
    await ctx.db.run(ctx.db.k.deleteFrom('approvals').where('batch_id', '=', 'b-ref'))
    await approveBatchForTest(ctx, 'b-ref')
    await executeBatch(ctx, { rails }, 'b-ref', MAKER)
    await sweepUntilQuiet()
    const arrived = (h.transfers() as { metadata: Record<string, string>; description: string | null }[]).map((t) => ({
      metadata: t.metadata,
      description: t.description,
    }))
    expect(arrived).toEqual([
      {
        metadata: { countersign_payout_id: 'p-usd', countersign_batch_id: 'b-ref', countersign_reference: 'INV-2026-0042' },
        description: 'INV-2026-0042',
      },
      {
        metadata: { countersign_payout_id: 'p-jpy', countersign_batch_id: 'b-ref', countersign_reference: 'INV-2026-0043' },
        description: 'March retainer',
      },
      { metadata: { countersign_payout_id: 'p-bhd', countersign_batch_id: 'b-ref' }, description: 'p-bhd' },
    ])
    // As sent on the wire (form-encoded), not only as stored.
    const posted = h.requests().filter((r) => r.method === 'POST' && r.path === '/v1/transfers')
    expect(posted[0]!.params).toMatchObject({ description: 'INV-2026-0042', metadata: { countersign_reference: 'INV-2026-0042' } })
    expect(await sqlAll(ctx.db, `SELECT DISTINCT state FROM payouts`)).toEqual([{ state: 'confirmed' }])
  })

  it("pre-flight is the rail's own: balance, missing and not-ready accounts, and a key it cannot read", async () => {
    const accts: [string, string, string] = [
      h.addConnectedAccount(),
      'acct_1NoSuchAccount00000',
      h.addConnectedAccount({ transfersCapability: 'inactive' }),
    ]
    await insertApprovedBatchForTest(ctx, 'b-pf', batch(accts))
    expect((await preflightBatch(ctx, 'b-pf', rails)).problems).toEqual([
      expect.objectContaining({
        code: 'STRIPE_ACCOUNT_MISSING',
        payoutId: 'p-jpy',
        message: expect.stringContaining('acct_1NoSuchAccount00000'),
      }),
      expect.objectContaining({ code: 'STRIPE_ACCOUNT_NOT_READY', payoutId: 'p-bhd', message: expect.stringContaining(accts[2]) }),
    ])
    h.setBalance('usd', 100n)
    expect((await preflightBatch(ctx, 'b-pf', rails)).problems[0]).toMatchObject({
      code: 'STRIPE_BALANCE_INSUFFICIENT',
      message: expect.stringContaining('has 1.00 USD available, the batch needs 123.45'),
    })
    const keyless = createRailRegistry([
      createStripeRail({
        apiBase: { host: h.host, port: h.port, protocol: h.protocol },
        secretKey: () =>
          Promise.reject(new CsError('STRIPE_KEY_MISSING', 'No Stripe secret key is set — an admin enters it in Settings → Stripe.')),
      }),
    ])
    expect((await preflightBatch(ctx, 'b-pf', keyless)).problems).toEqual([
      { code: 'STRIPE_KEY_MISSING', message: 'No Stripe secret key is set — an admin enters it in Settings → Stripe' },
    ])
  })

  it('a refused transfer (account cannot receive) fails with a code naming the payee; the others pay', async () => {
    const accts: [string, string, string] = [
      h.addConnectedAccount(),
      h.addConnectedAccount({ transfersCapability: 'inactive' }),
      h.addConnectedAccount(),
    ]
    await insertApprovedBatchForTest(ctx, 'b-stripe', batch(accts))
    await executeBatch(ctx, { rails }, 'b-stripe', MAKER)
    await sweepUntilQuiet()
    const jpy = (await sqlFirst<Record<string, string>>(
      ctx.db,
      `SELECT state, failure_code, failure_message FROM payouts WHERE id = 'p-jpy'`,
    ))!
    expect(jpy.state).toBe('failed')
    expect(jpy.failure_code).toBe('STRIPE_ACCOUNT_NOT_READY')
    expect(jpy.failure_message).toContain(accts[1])
    expect(await ledgerBalance(ctx, 'treasury:JPY@stripe')).toBe(1_000_000n)
  })

  it('SIGKILL after Stripe applied the POST and before its answer arrived: one transfer per key after restart', async () => {
    const accts: [string, string, string] = [h.addConnectedAccount(), h.addConnectedAccount(), h.addConnectedAccount()]
    const payouts = batch(accts)
    await insertApprovedBatchForTest(ctx, 'b-crash', payouts)
    await ctx.db.close()
    // The second transfer's answer is dropped after Stripe committed it; the child dies right there.
    // Two drops: stripe-node 23 itself resends ONCE on a closed connection even with
    // maxNetworkRetries 0 (same key — ours); the second drop reaches our retry loop, which dies.
    h.faults.dropAfterCommit(2, { method: 'POST', path: '/v1/transfers' })
    const child = fileURLToPath(new URL('./stripeCrashChild.ts', import.meta.url))
    const config = JSON.stringify({ batchId: 'b-crash', host: h.host, port: h.port, secretKey: h.secretKey })
    // Async spawn: the harness lives in this process's event loop.
    let stderr = ''
    const signal = await new Promise<string | null>((resolve) => {
      const p = execFile(process.execPath, ['--import', 'tsx', child, dataDir, config], {
        env: { ...process.env, [CRASH_ENV]: 'stripe-answer-lost' },
      })
      p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
      p.on('exit', (_code, sig) => resolve(sig))
      p.stdout?.resume()
    })
    expect(signal, `child did not die at the crash point: ${stderr.slice(0, 500)}`).toBe('SIGKILL')
    expect(h.transfers()).toHaveLength(1)
    // Restart: reopen the same file; the poller resolves the lost answer with the SAME key, the rest run.
    ctx = await openWorkspace(dataDir)
    await resumeOpen(ctx, { rails })
    await sweepUntilQuiet()
    assertExactlyOncePerKey(payouts.map((p) => p.id))
    expect(h.transfers()).toHaveLength(3)
    for (const p of payouts) {
      const [assetId, opening] = ASSETS.find(([a]) => a === p.assetId)!
      expect(await ledgerBalance(ctx, `treasury:${assetId}`)).toBe(opening - p.amount)
    }
  })
})
