/**
 * The Stripe side of the core beyond one transfer: a real SQLite workspace (the Stripe sandbox),
 * a second core on it with NO signer at all, the harness.
 * - A Stripe batch executes with no device.
 * - The Events sync pages through more events than one page, in Stripe's order, keeps its cursor
 *   across a restart, and replays nothing.
 * - A reversal whose payout is not booked yet stops the sync at that event (nothing later is
 *   applied out of order) until the payout is confirmed.
 * - A bank payout whose answer is lost (dropped after commit, then 500s) stays "requested" with
 *   our key and is recovered by the sync with the same key: exactly one payout at Stripe.
 * - A missing or refused key stops execution and the sync with a sentence that never carries it.
 */
import { unlockForTest } from '../../src/main/core/operators/operatorTestKit'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../src/main/core/core'
import { applyBankPayout } from '../../src/main/core/stripe/applyBankPayout'
import type { StripePayoutSnapshot } from '../../src/main/core/stripe/stripeBooking'
import { STRIPE_SECRET_KEY_NAME } from '../../src/main/core/rails/stripe/stripeRailConfig'
import { SANDBOX_STRIPE_ACCOUNTS } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import type { StripeHarness } from '../harness/stripe'
import { tempDir } from './executeKit'

const FAST_RETRY = { attemptsMax: 4, backoffMsBase: 1, backoffMsMax: 4, sleep: async () => {} }

let dir: string
let sb: Sandbox
let h: StripeHarness
let core: Core

const as = (name: string) => ({ operatorId: sb.description.operators.find((o) => o.name === name)!.id })

async function approvedBatch(rows: readonly [string, string, string][], name: string): Promise<string> {
  const api = core.api
  const csv = [
    'id,rail,network,asset,recipient,amount',
    ...rows.map(([id, acct, amount]) => `${id},stripe,stripe,USD,${acct},${amount}`),
  ].join('\n')
  const imported = await api.call('payouts.import', { csv, batchName: name }, as('Alice Preparer'))
  const version = (await api.call('batches.get', { id: imported.batchId! })).batch.version
  await api.call('batches.submit', { id: imported.batchId!, version }, as('Alice Preparer'))
  await api.call('batches.approve', { id: imported.batchId!, version }, as('Bob Approver'))
  return imported.batchId!
}

async function ledger(accountId: string): Promise<bigint> {
  const row = await core.ctx.db.first(
    core.ctx.db.k.selectFrom('balances').select(['debits_posted', 'credits_posted']).where('account_id', '=', accountId),
  )
  return row ? BigInt(row.debits_posted) - BigInt(row.credits_posted) : 0n
}

beforeAll(async () => {
  dir = path.join(tempDir('stripe-sync'), 'ws')
  const stripe = createStripeService()
  sb = await sandboxUp({ dataDir: dir, services: [stripe], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  h = stripe.harness()!
  // The core under test: same workspace, no signer of any kind.
  core = await unlocked(await createCore({ dataDir: dir, resumeOnStart: false, stripeRetry: FAST_RETRY, pollIntervalMs: 3_600_000 }))
}, 90_000)

/** A core opened on the sandbox's file is another process: its operators unlock there with their passphrases. */
async function unlocked(c: Core): Promise<Core> {
  for (const o of sb.description.operators) await unlockForTest(c.api, o)
  return c
}

afterAll(async () => {
  await core?.close()
  await sb?.stop()
  fs.rmSync(path.dirname(dir), { recursive: true, force: true })
})

describe('Stripe in the core', () => {
  it('executes a Stripe batch on a core that has no signer at all', async () => {
    expect(core.execution.signerLabel).toBeNull()
    const id = await approvedBatch(
      [
        ['ns-1', SANDBOX_STRIPE_ACCOUNTS.freelancer, '10.00'],
        ['ns-2', SANDBOX_STRIPE_ACCOUNTS.studio, '20.00'],
      ],
      'No device',
    )
    const r = await core.api.call('batches.execute', { id }, as('Carol Signer'))
    expect(r).toMatchObject({ chunks: 2, broadcast: 2 })
    await core.poller.runOnce()
    expect((await core.api.call('batches.get', { id })).batch.state).toBe('completed')
  })

  it('pages through more events than one page, in order, and a restarted core replays nothing', async () => {
    await core.poller.runOnce() // catch up
    const accounts = [SANDBOX_STRIPE_ACCOUNTS.freelancer, SANDBOX_STRIPE_ACCOUNTS.studio, SANDBOX_STRIPE_ACCOUNTS.agency]
    const id = await approvedBatch(
      Array.from({ length: 130 }, (_, i): [string, string, string] => [
        `pg-${i}`,
        accounts[i % 3]!,
        `1.${String(i % 100).padStart(2, '0')}`,
      ]),
      'Many',
    )
    await core.api.call('batches.execute', { id }, as('Carol Signer'))
    const getsBefore = h.requests().filter((q) => q.method === 'GET' && q.path === '/v1/transfers').length
    await core.poller.runOnce() // confirms and books all 130
    // The confirm sweep lists the newest transfers (100 a page), not one request per payout.
    const gets = h.requests().filter((q) => q.method === 'GET' && q.path === '/v1/transfers').length - getsBefore
    expect(gets).toBeLessThanOrEqual(3)
    expect((await core.api.call('batches.get', { id })).batch.state).toBe('completed')
    const transfers = h.transfers() as { id: string; metadata: Record<string, string> }[]
    const mine = transfers.filter((t) => t.metadata['countersign_payout_id']?.startsWith('pg-'))
    expect(mine).toHaveLength(130)
    // 130 reversals of 0.01 each: 130 new events, more than one page of 100.
    for (const t of mine) h.reverseTransfer(t.id, 1n)
    const before = await ledger('treasury.usd-stripe')
    const r = await core.api.call('stripe.sync', {}, as('Dana Admin'))
    expect(r.events).toBe(130)
    expect(r.entries).toBe(130)
    expect((await ledger('treasury.usd-stripe')) - before).toBe(130n)
    // Applied oldest first: the stored order of rows follows Stripe's event order.
    const stored = await core.ctx.db.all(
      core.ctx.db.k.selectFrom('stripe_events').select(['id', 'created']).where('type', '=', 'transfer.reversed'),
    )
    const harnessOrder = (h.events() as { id: string; type: string }[]).filter((e) => e.type === 'transfer.reversed').map((e) => e.id)
    expect(stored.map((e) => e.id)).toEqual(harnessOrder)

    // A second core (a restart) continues from the saved cursor: nothing is read twice.
    const again = await unlocked(
      await createCore({ dataDir: dir, resumeOnStart: false, stripeRetry: FAST_RETRY, pollIntervalMs: 3_600_000 }),
    )
    try {
      expect(await again.api.call('stripe.sync', {}, as('Dana Admin'))).toMatchObject({ events: 0, entries: 0 })
    } finally {
      await again.close()
    }
    expect((await ledger('treasury.usd-stripe')) - before).toBe(130n)
    expect(await ledger('treasury.usd-stripe')).toBe(h.balance('usd'))
  }, 120_000)

  it('stops at a reversal of a payout not booked yet, and applies it once the payout is confirmed', async () => {
    const id = await approvedBatch([['early-1', SANDBOX_STRIPE_ACCOUNTS.agency, '5.00']], 'Early reversal')
    await core.api.call('batches.execute', { id }, as('Carol Signer'))
    const t = (h.transfers() as { id: string; metadata: Record<string, string> }[]).find(
      (x) => x.metadata['countersign_payout_id'] === 'early-1',
    )!
    h.reverseTransfer(t.id, 200n)
    // Sync before the confirm sweep: it must not book the reversal against an unbooked payout.
    await expect(core.api.call('stripe.sync', {}, as('Dana Admin'))).rejects.toMatchObject({ code: 'EXECUTION_STATE' })
    expect(core.stripe.status().lastError?.message).toContain('not booked yet')
    const payee = `payee:USD@stripe:${SANDBOX_STRIPE_ACCOUNTS.agency}`
    const payeeBefore = await ledger(payee)
    await core.poller.runOnce() // stripe.confirm books the payout, then stripe.sync the reversal
    expect((await core.api.call('batches.get', { id })).batch.state).toBe('completed')
    expect((await ledger(payee)) - payeeBefore).toBe(500n - 200n)
    expect(core.stripe.status().lastError).toBeNull()
  })

  it('a bank payout whose answer is lost is recovered with the same key: exactly one payout', async () => {
    const before = h.payouts().length
    // One try only (the app was closed right after), and its answer is lost after Stripe applied it
    // (twice: the HTTP client re-sends once on a reset connection; the same key replays).
    h.faults.dropAfterCommit(2, { method: 'POST', path: '/v1/payouts' })
    const oneTry = await unlocked(
      await createCore({
        dataDir: dir,
        resumeOnStart: false,
        stripeRetry: { ...FAST_RETRY, attemptsMax: 1 },
        pollIntervalMs: 3_600_000,
      }),
    )
    let row
    try {
      row = await oneTry.api.call('stripe.bankPayouts.create', { assetId: 'USD@stripe', amount: '12.34' }, as('Dana Admin'))
    } finally {
      await oneTry.close()
    }
    expect(row).toMatchObject({ status: 'requested', stripeId: null, booked: null })
    expect(h.payouts().length).toBe(before + 1) // it DID land; only the answer was lost
    // The next answers fail too at first: the sync's resend retries them with the same key.
    h.faults.error500(2, { method: 'POST', path: '/v1/payouts' })
    const r = await core.api.call('stripe.sync', {}, as('Dana Admin'))
    expect(r.recovered).toBe(1)
    const listed = (await core.api.call('stripe.bankPayouts.list', {})).find((p) => p.key === row.key)!
    expect(listed).toMatchObject({ status: 'pending', booked: 'sent' })
    expect(h.payouts().length).toBe(before + 1)
    const posts = h.requests().filter((q) => q.method === 'POST' && q.path === '/v1/payouts' && q.idempotencyKey === row.key)
    expect(posts.length).toBe(5) // the lost one and its re-send, two 500s, the replay
    expect(
      new Set(
        h
          .requests()
          .filter((q) => q.path === '/v1/payouts' && q.method === 'POST')
          .map((q) => q.idempotencyKey),
      ).size,
    ).toBe(h.payouts().length)
    // The payout.created event arrives later: booked already, nothing twice.
    await core.api.call('stripe.sync', {}, as('Dana Admin'))
    expect(await ledger('clearing:stripe-payouts:USD@stripe')).toBe(1234n)

    // Paid; then a stale 'pending' snapshot (a late replay) must not move the books backwards,
    // and the later failure is booked back from the bank, where the money was.
    h.advancePayout(listed.stripeId!, 'paid')
    await core.api.call('stripe.sync', {}, as('Dana Admin'))
    const stale = (h.payouts() as { id: string; amount: bigint }[]).find((p) => p.id === listed.stripeId)!
    // As stripe-node hands it over: amounts are JSON numbers.
    const snapshot = { ...(stale as unknown as StripePayoutSnapshot), amount: Number(stale.amount), status: 'pending' }
    await core.ctx.db.tx(async () => await applyBankPayout(core.ctx, snapshot))
    expect((await core.api.call('stripe.bankPayouts.list', {})).find((p) => p.key === row.key)).toMatchObject({
      status: 'paid',
      booked: 'paid',
    })
    h.advancePayout(listed.stripeId!, 'failed')
    await core.api.call('stripe.sync', {}, as('Dana Admin'))
    expect(await ledger('clearing:stripe-payouts:USD@stripe')).toBe(0n)
    expect(await ledger('external:stripe-bank:USD@stripe')).toBe(0n)
    expect(await ledger('treasury.usd-stripe')).toBe(h.balance('usd'))
  })

  it('a missing key stops execution and the sync with what to do; a refused key never shows in the message', async () => {
    const key = await core.secrets.get(STRIPE_SECRET_KEY_NAME)
    await core.api.call('settings.stripe.clearKey', {}, as('Dana Admin'))
    try {
      const id = await approvedBatch([['nokey-1', SANDBOX_STRIPE_ACCOUNTS.freelancer, '1.00']], 'No key').catch((e: Error) => e)
      expect(id).toMatchObject({ message: expect.stringContaining('No Stripe secret key is set') })
      await expect(core.api.call('stripe.sync', {}, as('Dana Admin'))).rejects.toMatchObject({ code: 'STRIPE_KEY_MISSING' })
      // A key Stripe does not accept (revoked): saved directly, as if it was revoked after saving.
      const revoked = 'sk_test_REVOKEDrevokedREVOKED4242'
      await core.secrets.set(STRIPE_SECRET_KEY_NAME, revoked)
      const err = (await core.api.call('stripe.sync', {}, as('Dana Admin')).catch((e: Error) => e)) as unknown as {
        code: string
        message: string
      }
      expect(err.code).toBe('STRIPE_AUTH_FAILED')
      expect(err.message).not.toContain(revoked)
      expect(JSON.stringify(await core.api.call('stripe.status', {}))).not.toContain(revoked)
    } finally {
      await core.secrets.set(STRIPE_SECRET_KEY_NAME, key!)
    }
  })
})
