/**
 * Escrow on Stripe end to end, through the CLI against the sandbox's Stripe-compatible harness
 * ("separate charges and transfers": the escrowed money sits on the platform balance tagged
 * transfer_group = the escrow id), as finance staff would run it:
 *   (a) a customer pays ORDER-123 (a PaymentIntent with that transfer_group); the escrow is
 *       created with that id and the charge; approve + fund (a check of the charge, no device);
 *       release milestone 1 (a transfer with transfer_group and source_transaction); dispute
 *       milestone 2 (at once: nothing is asked of Stripe); resolve it 70/30 (transfer + refund);
 *       then the sandbox clock passes milestone 3's window and the POLLER releases it (automatic
 *       release, approved with the funding).
 *   (b) the treasury funds an escrow: funding asks nothing of Stripe, and neither does the refund
 *       of a disputed milestone (the ledger hold is voided); a release is a plain transfer.
 *   (c) a resolve half-lands (its transfer made, its refund refused for want of platform balance):
 *       the action fails and nothing is booked; executed again, only the refund is sent.
 * After every step what the platform holds for the escrows (charge − refunds − transfers of its
 * transfer_group; for the treasury-funded one its open milestones) equals the ledger's escrow
 * account and `escrow list`'s inEscrow. Refusals change nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EscrowDetail, EscrowList } from '../../src/shared/escrowApi'
import { accountIds, SANDBOX_STRIPE_ACCOUNTS } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import type { StripeHarness } from '../../src/main/sandbox/harness/stripe/stripeHarness'
import { json, tempDir } from '../cli/cliHarness'
import { cliOf, minorOf } from './escrowCrashKit'
import { heldOnStripe as heldOnStripeOf, transfersOf as transfersOfGroup } from './stripeEscrowKit'

const POLL_ROUNDS_MAX = 5
const USD = 'USD@stripe'
const HOUR_MS = 3_600_000
const PAYEE = SANDBOX_STRIPE_ACCOUNTS.freelancer
const ORDER = 'ORDER-123'
const OPEN_STATES = ['held', 'in_review', 'disputed', 'expired']

let root: string
let dir: string
let sb: Sandbox
let h: StripeHarness
/** The escrows of this file, for the platform-wide invariant. */
const escrowIds: string[] = []
let k: ReturnType<typeof cliOf>

const ok = (...args: string[]) => k.ok(...args)
const refused = (code: string, ...args: string[]) => k.refused(code, ...args)
const show = (id: string) => k.show(id)
const toMinor = (text: string) => minorOf(text, 2)
const ledgerBalance = (accountId: string) => k.ledgerBalance(accountId)
const transfersOf = (group: string) => transfersOfGroup(h, group)
/** Requests that could move money (every POST) the harness has received. */
function posts(): number {
  return h.requests().filter((r) => r.method === 'POST').length
}
/** What the platform holds for a charge-funded escrow: the charge, less its refunds and the group's transfers. */
const heldOnStripe = (e: EscrowDetail['escrow'], charge: string): bigint => heldOnStripeOf(h, e.id, charge)
const pollUntil = (id: string, done: (d: EscrowDetail) => boolean, what: string): Promise<EscrowDetail> =>
  k.pollUntil(id, done, POLL_ROUNDS_MAX, (d) => `${what} did not happen: ${JSON.stringify(d.actions.at(-1))}`)
const actionDone = (actionId: string) => (d: EscrowDetail) => d.actions.find((a) => a.id === actionId)?.state === 'done'
/**
 * The invariant after every step: per escrow, what the platform holds for it (charge-funded: the
 * charge less refunds and transfers of its group; treasury-funded: its open milestones) equals
 * its open milestones; their sum equals the ledger's escrow account and inEscrow.
 */
async function expectEscrowMatchesStripe(expectedMinor: bigint): Promise<void> {
  let total = 0n
  for (const id of escrowIds) {
    const d = await show(id)
    const open = d.milestoneList.filter((m) => OPEN_STATES.includes(m.state)).reduce((s, m) => s + toMinor(m.amount), 0n)
    if (d.escrow.funding === 'charge' && d.escrow.state !== 'draft') expect(heldOnStripe(d.escrow, chargeOf.get(id)!)).toBe(open)
    total += open
  }
  expect(total).toBe(expectedMinor)
  const list = EscrowList.parse(json(await ok('escrow', 'list', '--json')))
  expect(toMinor(list.inEscrow.find((e) => e.assetId === USD)?.held ?? '0')).toBe(expectedMinor)
  expect(toMinor(await ledgerBalance(`escrow:${USD}`))).toBe(expectedMinor)
}
/** The customer's charge of each charge-funded escrow. */
const chargeOf = new Map<string, string>()

beforeAll(async () => {
  root = tempDir('countersign-escrow-stripe-')
  dir = path.join(root, 'sandbox')
  k = cliOf(dir)
  const stripe = createStripeService()
  sb = await sandboxUp({ dataDir: dir, services: [stripe], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  h = stripe.harness()!
}, 90_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('escrow on Stripe through the CLI', () => {
  it('charge-funded: fund → release 1 → dispute 2 → resolve 70/30 → the poller releases milestone 3 after its window', async () => {
    // The customer pays the order at checkout: the PaymentIntent carries the order id as transfer_group.
    const paid = h.customerPays({ amount: 600_000n, currency: 'usd', transferGroup: ORDER })
    chargeOf.set(ORDER, paid.charge)
    const platformStart = h.balance('usd')

    const now = Date.now()
    const at = (hours: number) => new Date(now + hours * HOUR_MS).toISOString()
    const created = EscrowDetail.parse(
      json(
        await ok(
          'escrow',
          'create',
          '--id',
          ORDER,
          '--name',
          'Order 123',
          '--rail',
          'stripe',
          '--network',
          'stripe',
          '--asset',
          USD,
          '--payee',
          PAYEE,
          '--payee-name',
          'Freelancer',
          '--expires',
          at(24 * 30),
          '--funding-charge',
          paid.charge,
          '--milestone',
          `Design:1000.00:${at(2)}:1`,
          '--milestone',
          `Build:2000.00:${at(3)}:1`,
          '--milestone',
          `Launch:3000.00:${at(4)}:1`,
          '--auto-release',
          '--as',
          'Alice Preparer',
          '--json',
        ),
      ),
    )
    escrowIds.push(ORDER)
    expect(created.escrow).toMatchObject({ id: ORDER, state: 'draft', funding: 'charge', total: '6000.00', autoRelease: true })
    const fundAction = created.actions[0]!
    await expectEscrowMatchesStripe(0n)

    // Fund: Bob approves; Carol's execution checks the charge (no device, nothing sent to Stripe).
    await ok('escrow', 'approve', fundAction.id, '--as', 'Bob Approver')
    const postsBeforeFund = posts()
    await ok('escrow', 'fund', ORDER, '--as', 'Carol Signer')
    let detail = await pollUntil(ORDER, actionDone(fundAction.id), 'the funding')
    expect(posts()).toBe(postsBeforeFund)
    expect(detail.milestoneList.map((m) => m.state)).toEqual(['held', 'held', 'held'])
    expect(h.balance('usd')).toBe(platformStart)
    await expectEscrowMatchesStripe(600_000n)

    // Release milestone 1: a transfer tagged with the order and drawn on the customer's charge.
    await ok('escrow', 'release', ORDER, '--milestone', '1', '--as', 'Alice Preparer')
    const release1 = (await show(ORDER)).actions.at(-1)!
    await ok('escrow', 'approve', release1.id, '--as', 'Bob Approver')
    await ok('escrow', 'execute', release1.id, '--as', 'Carol Signer')
    detail = await pollUntil(ORDER, actionDone(release1.id), 'release 1')
    expect(detail.milestoneList[0]).toMatchObject({ state: 'released', released: '1000.00', autoReleased: false })
    expect(transfersOf(ORDER)).toEqual([
      expect.objectContaining({
        amount: 100_000n,
        destination: PAYEE,
        source_transaction: paid.charge,
        metadata: expect.objectContaining({ milestone: '1', op: 'release' }),
      }),
    ])
    await expectEscrowMatchesStripe(500_000n)

    // Dispute milestone 2: at once, and nothing is asked of Stripe.
    const postsBeforeDispute = posts()
    await ok('escrow', 'dispute', ORDER, '--milestone', '2', '--reason', 'Build does not pass review', '--as', 'Alice Preparer')
    detail = await show(ORDER)
    expect(detail.milestoneList[1]!.state).toBe('disputed')
    expect(detail.actions.at(-1)).toMatchObject({ kind: 'dispute', state: 'done' })
    expect(posts()).toBe(postsBeforeDispute)
    await expectEscrowMatchesStripe(500_000n)

    // Refused, with nothing changed: release of the disputed milestone, a split that does not add up.
    const actionsBefore = detail.actions.length
    await refused('ESCROW_MILESTONE_DISPUTED', 'escrow', 'release', ORDER, '--milestone', '2', '--as', 'Alice Preparer')
    await refused(
      'ESCROW_SPLIT_MISMATCH',
      'escrow',
      'resolve',
      ORDER,
      '--milestone',
      '2',
      '--to-payee',
      '1400',
      '--to-payer',
      '599.99',
      '--as',
      'Alice Preparer',
    )
    expect((await show(ORDER)).actions).toHaveLength(actionsBefore)
    expect(posts()).toBe(postsBeforeDispute)
    await expectEscrowMatchesStripe(500_000n)

    // Resolve 70/30: a transfer of the payee's part and a refund of the customer's.
    await ok('escrow', 'resolve', ORDER, '--milestone', '2', '--to-payee', '1400', '--to-payer', '600', '--as', 'Alice Preparer')
    const resolve = (await show(ORDER)).actions.at(-1)!
    await ok('escrow', 'approve', resolve.id, '--as', 'Bob Approver')
    await ok('escrow', 'execute', resolve.id, '--as', 'Carol Signer')
    detail = await pollUntil(ORDER, actionDone(resolve.id), 'the resolve')
    expect(detail.milestoneList[1]).toMatchObject({ state: 'resolved', released: '1400.00', refunded: '600.00' })
    expect(transfersOf(ORDER).map((t) => [t.amount, t.metadata['milestone'], t.metadata['op']])).toEqual(
      expect.arrayContaining([[140_000n, '2', 'resolve']]),
    )
    expect(
      h
        .refunds()
        .filter((r) => r.charge === paid.charge)
        .map((r) => [r.amount, r.metadata['op']]),
    ).toEqual([[60_000n, 'resolve']])
    await expectEscrowMatchesStripe(300_000n)

    // Milestone 3's window passes; the next poll releases it by itself (approved with the funding).
    await ok('poll', '--once', '--json')
    expect(transfersOf(ORDER)).toHaveLength(2)
    await ok('sandbox', 'clock', '--advance', '5h')
    await ok('poll', '--once', '--json')
    expect(transfersOf(ORDER).filter((t) => t.metadata['milestone'] === '3')).toEqual([
      expect.objectContaining({ amount: 300_000n, destination: PAYEE, source_transaction: paid.charge, transfer_group: ORDER }),
    ])
    detail = await pollUntil(ORDER, (d) => d.milestoneList[2]!.state === 'released', 'the automatic release')
    expect(detail.milestoneList[2]).toMatchObject({ state: 'released', released: '3000.00', autoReleased: true })
    expect(detail.actions.at(-1)).toMatchObject({ kind: 'release', milestone: 3, state: 'done' })
    expect(detail.escrow.state).toBe('resolved')
    await expectEscrowMatchesStripe(0n)
    // Another poll changes nothing: no second transfer.
    await ok('poll', '--once', '--json')
    expect(transfersOf(ORDER)).toHaveLength(3)
    await expectEscrowMatchesStripe(0n)
    // The platform kept nothing of the order: 6,000 in, 5,400 out to the payee, 600 back to the customer.
    expect(h.balance('usd')).toBe(platformStart - 600_000n)
    expect(toMinor(await ledgerBalance(accountIds.payee('freelancer', 'usd-stripe')))).toBe(540_000n)
  }, 120_000)

  it('treasury-funded: funding and the refund of a disputed milestone ask nothing of Stripe', async () => {
    const now = Date.now()
    const at = (hours: number) => new Date(now + hours * HOUR_MS).toISOString()
    const created = EscrowDetail.parse(
      json(
        await ok(
          'escrow',
          'create',
          '--name',
          'Retainer',
          '--rail',
          'stripe',
          '--network',
          'stripe',
          '--asset',
          USD,
          '--payee',
          PAYEE,
          '--expires',
          at(24 * 60),
          '--milestone',
          `First:100.00:${at(30)}:1`,
          '--milestone',
          `Second:200.50:${at(40)}:1`,
          '--as',
          'Alice Preparer',
          '--json',
        ),
      ),
    )
    const id = created.escrow.id
    escrowIds.push(id)
    expect(created.escrow).toMatchObject({ funding: 'treasury', total: '300.50' })
    const platformStart = h.balance('usd')
    const postsStart = posts()

    await ok('escrow', 'approve', created.actions[0]!.id, '--as', 'Bob Approver')
    await ok('escrow', 'fund', id, '--as', 'Carol Signer')
    let detail = await show(id)
    expect(detail.actions[0]!.state).toBe('done')
    expect(detail.txs).toEqual([])
    expect(detail.milestoneList.map((m) => m.state)).toEqual(['held', 'held'])
    expect(posts()).toBe(postsStart)
    await expectEscrowMatchesStripe(30_050n)

    // Dispute milestone 1, then refund it: the hold is voided, nothing is sent.
    await ok('escrow', 'dispute', id, '--milestone', '1', '--reason', 'Work cancelled', '--as', 'Alice Preparer')
    await refused('ESCROW_MILESTONE_DISPUTED', 'escrow', 'release', id, '--milestone', '1', '--as', 'Alice Preparer')
    await ok('escrow', 'refund', id, '--milestone', '1', '--as', 'Alice Preparer')
    const refund = (await show(id)).actions.at(-1)!
    expect(refund).toMatchObject({ kind: 'refund', milestone: 1, state: 'awaiting_approval' })
    await ok('escrow', 'approve', refund.id, '--as', 'Bob Approver')
    await ok('escrow', 'execute', refund.id, '--as', 'Carol Signer')
    detail = await show(id)
    expect(detail.milestoneList[0]).toMatchObject({ state: 'refunded', refunded: '100.00', released: '0.00' })
    expect(detail.txs).toEqual([])
    expect(posts()).toBe(postsStart)
    expect(h.balance('usd')).toBe(platformStart)
    await expectEscrowMatchesStripe(20_050n)

    // Release milestone 2: a transfer from the platform balance (no source_transaction).
    await ok('escrow', 'release', id, '--milestone', '2', '--as', 'Alice Preparer')
    const release = (await show(id)).actions.at(-1)!
    await ok('escrow', 'approve', release.id, '--as', 'Bob Approver')
    await ok('escrow', 'execute', release.id, '--as', 'Carol Signer')
    detail = await pollUntil(id, actionDone(release.id), 'the release')
    expect(detail.milestoneList[1]).toMatchObject({ state: 'released', released: '200.50' })
    expect(transfersOf(id)).toEqual([expect.objectContaining({ amount: 20_050n, destination: PAYEE, source_transaction: null })])
    expect(h.balance('usd')).toBe(platformStart - 20_050n)
    await expectEscrowMatchesStripe(0n)

    const audit = json(await ok('audit', 'verify', '--json')) as { ok: boolean }
    expect(audit.ok).toBe(true)
  }, 120_000)
  it('a resolve whose refund is refused after its transfer landed is failed, and executing it again sends only the refund', async () => {
    const order = 'ORDER-456'
    const paid = h.customerPays({ amount: 100_000n, currency: 'usd', transferGroup: order })
    const now = Date.now()
    const at = (hours: number) => new Date(now + hours * HOUR_MS).toISOString()
    const created = EscrowDetail.parse(
      json(
        await ok(
          'escrow',
          'create',
          '--id',
          order,
          '--name',
          'Order 456',
          '--rail',
          'stripe',
          '--network',
          'stripe',
          '--asset',
          USD,
          '--payee',
          PAYEE,
          '--expires',
          at(24 * 30),
          '--funding-charge',
          paid.charge,
          '--milestone',
          `All:1000.00:${at(10)}:1`,
          '--as',
          'Alice Preparer',
          '--json',
        ),
      ),
    )
    escrowIds.push(order)
    chargeOf.set(order, paid.charge)
    await ok('escrow', 'approve', created.actions[0]!.id, '--as', 'Bob Approver')
    await ok('escrow', 'fund', order, '--as', 'Carol Signer')
    await pollUntil(order, actionDone(created.actions[0]!.id), 'the funding')
    await ok('escrow', 'dispute', order, '--milestone', '1', '--reason', 'Half done', '--as', 'Alice Preparer')
    await expectEscrowMatchesStripe(100_000n)

    // The platform balance covers the transfer (300.00) but then not the refund (700.00).
    const platform = h.balance('usd')
    h.setBalance('usd', 40_000n)
    await ok('escrow', 'resolve', order, '--milestone', '1', '--to-payee', '300', '--to-payer', '700', '--as', 'Alice Preparer')
    const resolve = (await show(order)).actions.at(-1)!
    await ok('escrow', 'approve', resolve.id, '--as', 'Bob Approver')
    await ok('escrow', 'execute', resolve.id, '--as', 'Carol Signer')
    let detail = await pollUntil(order, (d) => d.actions.find((a) => a.id === resolve.id)?.state === 'failed', 'the refusal')
    const failed = detail.actions.find((a) => a.id === resolve.id)!
    expect(failed.failureMessage).toMatch(/Stripe made transfer tr_\w+ but refused the rest/)
    expect(detail.milestoneList[0]!.state).toBe('disputed')
    expect(transfersOf(order).map((t) => t.amount)).toEqual([30_000n])
    expect(h.refunds().filter((r) => r.charge === paid.charge)).toEqual([])
    // Nothing was booked: the books still hold the whole milestone, Stripe holds what was not transferred.
    expect(toMinor(await ledgerBalance(`escrow:${USD}`))).toBe(100_000n)

    // The balance is topped up and the same request executed again: only the refund is sent.
    h.setBalance('usd', platform)
    await ok('escrow', 'execute', resolve.id, '--as', 'Carol Signer')
    detail = await pollUntil(order, actionDone(resolve.id), 'the second attempt')
    expect(detail.milestoneList[0]).toMatchObject({ state: 'resolved', released: '300.00', refunded: '700.00' })
    expect(transfersOf(order).map((t) => t.amount)).toEqual([30_000n])
    expect(
      h
        .refunds()
        .filter((r) => r.charge === paid.charge)
        .map((r) => r.amount),
    ).toEqual([70_000n])
    await expectEscrowMatchesStripe(0n)
    const audit = json(await ok('audit', 'verify', '--json')) as { ok: boolean }
    expect(audit.ok).toBe(true)
  }, 120_000)
})
