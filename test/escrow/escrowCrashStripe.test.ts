/**
 * Escrow crash tests on Stripe (the sandbox's Stripe-compatible harness, in this process): each
 * crash point has its own charge-funded escrow of four milestones, and the CLI is SIGKILLed at
 * that point (`escrow execute`, or the `poll --once` that confirms it) in every step that asks
 * something of Stripe:
 *   - the funding (a check of the charge) and the release of milestone 1 (a transfer);
 *   - the resolve of milestone 3, disputed, split 70/30 (a transfer of the payee's part and a
 *     refund of the payer's, each with its own idempotency key, in one rail transaction);
 *   - the POLLER's automatic release of milestone 2 after its review window (plan, seal and send
 *     happen inside `poll --once`);
 *   - the refund of milestone 4 after the escrow's expiry (a refund of the charge; the sandbox
 *     clock is moved past the expiry and the poller marks the milestone expired first).
 * Then it runs again: the person's `escrow execute` resumes what is stored, the poller alone
 * finishes the automatic release (nobody is there to run execute for it). After every step: one
 * confirmed rail transaction per action (attempt 1, nothing planned twice); on Stripe exactly one
 * transfer per paid milestone in the escrow's transfer_group and exactly one refund per returned
 * part on the charge, each of the right amount, milestone, op and action (the keys held across the
 * crash); and what the platform holds for the escrow (charge − refunds − transfers of the group) =
 * its open milestones = the ledger's escrow account = the open escrow holds, the payee's ledger
 * account = what was transferred, the customers' = what was charged less what was refunded.
 * The dispute itself asks nothing of Stripe (our side freezes at once): it has no crash point.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EscrowDetail } from '../../src/shared/escrowApi'
import { accountIds, SANDBOX_STRIPE_ACCOUNTS } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import type { StripeHarness } from '../../src/main/sandbox/harness/stripe/stripeHarness'
import { observeEscrows } from '../../src/main/core/escrow/observeEscrows'
import { readSandboxClockOffset, type ShiftableClock } from '../../src/main/core/sandboxClock'
import type { CrashPointName } from '../../src/main/core/util/crashPoint'
import { json, tempDir } from '../cli/cliHarness'
import { cliOf, ledgerMinor, openEscrowHoldsMinor, txsOfAction } from './escrowCrashKit'
import { heldOnStripe, transfersOf as transfersOfGroup } from './stripeEscrowKit'

const USD = 'USD@stripe'
const HOUR_MS = 3_600_000
const POLL_ROUNDS_MAX = 4
const PAYEE = SANDBOX_STRIPE_ACCOUNTS.freelancer
const EXECUTE_POINTS = ['escrow-after-plan', 'escrow-after-persist', 'escrow-after-broadcast'] as const
const POINTS: readonly CrashPointName[] = [...EXECUTE_POINTS, 'escrow-before-book']
/** Each crash point's escrow: 1,000 released, 2,500.50 released by the poller, 2,000 disputed and split 1,400 / 600, 500 refunded after the expiry. */
const M1 = 100_000n
const M2 = 250_050n
const M3 = 200_000n
const M4 = 50_000n
const TO_PAYEE_3 = 140_000n
const TO_PAYER_3 = 60_000n
/** Case i's milestone 2 window ends this long after creation; each case moves the clock past its own only. */
const FIRST_WINDOW_MS = 3.5 * HOUR_MS
/** Milestones 3 and 4's one-hour windows open after the automatic releases (the clock reaches ~7 h) and end before the expiry. */
const LATE_WINDOW_MS = 8.5 * HOUR_MS
const EXPIRES_MS = 9.5 * HOUR_MS

let root: string
let dir: string
let sb: Sandbox
let h: StripeHarness
let k: ReturnType<typeof cliOf>
let payeeStart = 0n
let customerStart = 0n

/** One thing Stripe should hold for an escrow: a transfer to the payee or a refund of the charge, of one milestone, by one action. */
interface Move {
  milestone: number
  amount: bigint
  op: 'release' | 'resolve' | 'refund'
  actionId: string
}

interface Case {
  point: CrashPointName
  id: string
  charge: string
  transfers: Move[]
  refunds: Move[]
}
const cases: Case[] = POINTS.map((point) => ({
  point,
  id: `ORDER-${point.replace('escrow-', '').toUpperCase()}`,
  charge: '',
  transfers: [],
  refunds: [],
}))
const sumOf = (moves: readonly Move[]): bigint => moves.reduce((s, m) => s + m.amount, 0n)

const transfersOf = (group: string) => transfersOfGroup(h, group)
const pollUntilDone = (id: string, actionId: string) => k.pollUntilDone(id, actionId, POLL_ROUNDS_MAX)

/** Asked (preparer) and approved (approver): the id of the new action. */
async function requestApproved(id: string, ...request: string[]): Promise<string> {
  await k.ok('escrow', ...request, '--as', 'Alice Preparer')
  const action = (await k.show(id)).actions.at(-1)!
  expect(action.state).toBe('awaiting_approval')
  await k.ok('escrow', 'approve', action.id, '--as', 'Bob Approver')
  return action.id
}

/**
 * Carries out an approved action with a crash at the case's point, then restarts: `execute`
 * again (it resumes what is stored) and polls until it is done, with one confirmed transaction.
 */
async function executeThroughCrash(c: Case, actionId: string, run: string[]): Promise<EscrowDetail> {
  if (c.point === 'escrow-before-book') {
    await k.ok(...run)
    await k.crash(c.point, 'poll', '--once', '--json')
    expect((await txsOfAction(sb, actionId)).map((t) => t.state)).toEqual(['broadcast'])
  } else {
    await k.crash(c.point, ...run)
    const stored = { 'escrow-after-plan': 'planned', 'escrow-after-persist': 'signed', 'escrow-after-broadcast': 'signed' }[
      c.point as (typeof EXECUTE_POINTS)[number]
    ]
    expect((await txsOfAction(sb, actionId)).map((t) => t.state)).toEqual([stored])
  }
  expect((await k.show(c.id)).actions.find((a) => a.id === actionId)!.state).toBe('executing')
  await k.ok('escrow', 'execute', actionId, '--as', 'Carol Signer')
  const detail = await pollUntilDone(c.id, actionId)
  expect(await txsOfAction(sb, actionId)).toEqual([{ id: `${actionId}:t1`, attempt: 1, state: 'confirmed' }])
  return detail
}

/**
 * Every escrow of this file: the platform holds for each exactly its open milestones; their sum is
 * the books'. The payee's account holds every transfer, the customers' every charge less its refunds.
 */
async function expectBooksMatchStripe(): Promise<void> {
  let open = 0n
  for (const c of cases.filter((x) => x.charge !== '')) {
    const d = await k.show(c.id)
    const openHere = d.milestoneList
      .filter((m) => ['held', 'in_review', 'disputed', 'expired'].includes(m.state))
      .reduce((s, m) => s + BigInt(m.amount.replace('.', '')), 0n)
    expect(heldOnStripe(h, c.id, c.charge), `held on Stripe for ${c.id}`).toBe(openHere)
    open += openHere
  }
  expect(await ledgerMinor(sb, `escrow:${USD}`)).toBe(open)
  expect(await openEscrowHoldsMinor(sb, USD)).toBe(open)
  const paid = cases.reduce((s, c) => s + sumOf(c.transfers), 0n)
  expect(await ledgerMinor(sb, accountIds.payee('freelancer', 'usd-stripe'))).toBe(payeeStart + paid)
  const charged = cases.filter((c) => c.charge !== '').reduce((s, c) => s + BigInt(h.charges().find((x) => x.id === c.charge)!.amount), 0n)
  const returned = cases.reduce((s, c) => s + sumOf(c.refunds), 0n)
  expect(await ledgerMinor(sb, `customer:${USD}`)).toBe(customerStart + charged - returned)
}

/**
 * Exactly once on Stripe: the escrow's transfer_group holds one transfer per paid milestone, and
 * its charge one refund per returned part, each of its amount, milestone, op and action — and
 * nothing else (the charge's amount_refunded is their sum).
 */
function expectStripeMoves(c: Case): void {
  const byMilestone = (a: Move, b: Move) => a.milestone - b.milestone || a.op.localeCompare(b.op)
  const moveOf = (amount: bigint, metadata: Record<string, string>): Move => ({
    milestone: Number(metadata['milestone']),
    amount,
    op: metadata['op'] as Move['op'],
    actionId: metadata['action_id']!,
  })
  const transfers = transfersOf(c.id)
  for (const t of transfers) expect(t).toMatchObject({ destination: PAYEE, source_transaction: c.charge, amount_reversed: 0n })
  expect(transfers.map((t) => moveOf(t.amount, t.metadata)).sort(byMilestone)).toEqual([...c.transfers].sort(byMilestone))
  const refunds = h.refunds().filter((r) => r.charge === c.charge)
  expect(refunds.map((r) => moveOf(r.amount, r.metadata)).sort(byMilestone)).toEqual([...c.refunds].sort(byMilestone))
  expect(BigInt(h.charges().find((x) => x.id === c.charge)!.amount_refunded)).toBe(sumOf(c.refunds))
}

beforeAll(async () => {
  root = tempDir('countersign-escrow-crash-stripe-')
  dir = path.join(root, 'sandbox')
  k = cliOf(dir)
  const stripe = createStripeService()
  sb = await sandboxUp({ dataDir: dir, services: [stripe], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  h = stripe.harness()!
  payeeStart = await ledgerMinor(sb, accountIds.payee('freelancer', 'usd-stripe'))
  customerStart = await ledgerMinor(sb, `customer:${USD}`)
}, 90_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('escrow on Stripe: SIGKILL at every crash point, restart, each transfer and refund exactly once', () => {
  it.each(cases)(
    'fund and release milestone 1 with a crash at $point',
    async (c) => {
      const i = cases.indexOf(c)
      c.charge = h.customerPays({ amount: M1 + M2 + M3 + M4, currency: 'usd', transferGroup: c.id }).charge
      const now = Date.now()
      const at = (ms: number) => new Date(now + ms).toISOString()
      const created = EscrowDetail.parse(
        json(
          await k.ok(
            'escrow',
            'create',
            '--id',
            c.id,
            '--name',
            `Crash ${c.point}`,
            '--rail',
            'stripe',
            '--network',
            'stripe',
            '--asset',
            USD,
            '--payee',
            PAYEE,
            '--expires',
            at(EXPIRES_MS),
            '--funding-charge',
            c.charge,
            '--milestone',
            `Design:1000.00:${at(2 * HOUR_MS)}:1`,
            '--milestone',
            `Build:2500.50:${at(FIRST_WINDOW_MS + i * HOUR_MS)}:1`,
            '--milestone',
            `Launch:2000.00:${at(LATE_WINDOW_MS)}:1`,
            '--milestone',
            `Support:500.00:${at(LATE_WINDOW_MS)}:1`,
            '--auto-release',
            '--as',
            'Alice Preparer',
            '--json',
          ),
        ),
      )
      const fund = created.actions[0]!.id
      await k.ok('escrow', 'approve', fund, '--as', 'Bob Approver')
      // Funding by a customer's charge is a check of the charge on Stripe (nothing moves): a transaction like any other.
      let detail = await executeThroughCrash(c, fund, ['escrow', 'fund', c.id, '--as', 'Carol Signer'])
      expect(detail.milestoneList.map((m) => m.state)).toEqual(['held', 'held', 'held', 'held'])
      expectStripeMoves(c)
      await expectBooksMatchStripe()

      const release = await requestApproved(c.id, 'release', c.id, '--milestone', '1')
      detail = await executeThroughCrash(c, release, ['escrow', 'execute', release, '--as', 'Carol Signer'])
      expect(detail.milestoneList[0]).toMatchObject({ state: 'released', released: '1000.00', autoReleased: false })
      c.transfers.push({ milestone: 1, amount: M1, op: 'release', actionId: release })
      expectStripeMoves(c)
      await expectBooksMatchStripe()
    },
    60_000,
  )

  it.each(cases)(
    'dispute milestone 3, then resolve it 70/30 with a crash at $point',
    async (c) => {
      // The dispute asks nothing of Stripe: done at once, with no rail transaction.
      await k.ok('escrow', 'dispute', c.id, '--milestone', '3', '--reason', 'Launch slipped', '--as', 'Alice Preparer')
      let detail = await k.show(c.id)
      const dispute = detail.actions.at(-1)!
      expect(dispute).toMatchObject({ kind: 'dispute', milestone: 3, state: 'done' })
      expect(await txsOfAction(sb, dispute.id)).toEqual([])
      expect(detail.milestoneList[2]!.state).toBe('disputed')
      await expectBooksMatchStripe()

      // One rail transaction of two requests: the payee's transfer and the customer's refund.
      const resolve = await requestApproved(c.id, 'resolve', c.id, '--milestone', '3', '--to-payee', '1400', '--to-payer', '600')
      detail = await executeThroughCrash(c, resolve, ['escrow', 'execute', resolve, '--as', 'Carol Signer'])
      expect(detail.milestoneList[2]).toMatchObject({ state: 'resolved', released: '1400.00', refunded: '600.00' })
      c.transfers.push({ milestone: 3, amount: TO_PAYEE_3, op: 'resolve', actionId: resolve })
      c.refunds.push({ milestone: 3, amount: TO_PAYER_3, op: 'resolve', actionId: resolve })
      expectStripeMoves(c)
      await expectBooksMatchStripe()
    },
    60_000,
  )

  it.each(cases)(
    'the poller’s automatic release of milestone 2 with a crash at $point',
    async (c) => {
      // Only this case's window passes now: the first case moves the clock past it, each next one an hour on.
      await k.ok('sandbox', 'clock', '--advance', c === cases[0] ? '4h' : '1h')
      // The poll that asks for and sends the release books it only in the next poll's sweep.
      if (c.point === 'escrow-before-book') {
        // The poller's watch asks for and sends the release; the NEXT poll's sweep confirms and books it.
        // (The in-process sandbox's poller is stopped, so its clock learns the moved offset here.)
        ;(sb.core.ctx.clock as ShiftableClock).offsetMs = await readSandboxClockOffset(sb.core.ctx)
        await observeEscrows(sb.core.ctx, await sb.core.escrowRails.load())
        const sent = (await k.show(c.id)).actions.find((a) => a.kind === 'release' && a.milestone === 2)!
        expect((await txsOfAction(sb, sent.id)).map((t) => t.state)).toEqual(['broadcast'])
      }
      await k.crash(c.point, 'poll', '--once', '--json')
      const auto = (await k.show(c.id)).actions.find((a) => a.kind === 'release' && a.milestone === 2)
      expect(auto, 'the poller asked for the automatic release before it was killed').toBeDefined()
      // Restart: only the poller runs (an automatic release has nobody to run execute).
      const detail = await pollUntilDone(c.id, auto!.id)
      expect(detail.milestoneList[1]).toMatchObject({ state: 'released', released: '2500.50', autoReleased: true })
      // Milestone 4 is still held (its window has not even opened), so the escrow is too.
      expect(detail.milestoneList[3]!.state).toBe('held')
      expect(detail.escrow.state).toBe('held')
      expect(await txsOfAction(sb, auto!.id)).toEqual([{ id: `${auto!.id}:t1`, attempt: 1, state: 'confirmed' }])
      c.transfers.push({ milestone: 2, amount: M2, op: 'release', actionId: auto!.id })
      expectStripeMoves(c)
      await expectBooksMatchStripe()
      // Other escrows' windows have not passed: nothing of theirs moved.
      for (const other of cases.slice(cases.indexOf(c) + 1)) expectStripeMoves(other)
    },
    60_000,
  )

  it.each(cases)(
    'refund of milestone 4 after the expiry with a crash at $point',
    async (c) => {
      // Past every escrow's expiry (9.5 h after creation; the automatic releases moved the clock ~7 h).
      if (c === cases[0]) await k.ok('sandbox', 'clock', '--advance', '3h')
      // The poller's watch marks the held milestone expired (before its review window could release it).
      await k.ok('poll', '--once', '--json')
      let detail = await k.show(c.id)
      expect(detail.milestoneList[3]!.state).toBe('expired')
      expect(detail.escrow.state).toBe('expired')
      expectStripeMoves(c)
      await expectBooksMatchStripe()

      const refund = await requestApproved(c.id, 'refund', c.id, '--milestone', '4')
      detail = await executeThroughCrash(c, refund, ['escrow', 'execute', refund, '--as', 'Carol Signer'])
      expect(detail.milestoneList[3]).toMatchObject({ state: 'refunded', refunded: '500.00', released: '0.00' })
      expect(detail.escrow.state).toBe('resolved')
      c.refunds.push({ milestone: 4, amount: M4, op: 'refund', actionId: refund })
      expectStripeMoves(c)
      await expectBooksMatchStripe()
      // Every action of the escrow is done; each that asked Stripe something has one confirmed transaction.
      for (const a of detail.actions) {
        expect(a.state).toBe('done')
        const txs = a.kind === 'dispute' ? [] : [{ id: `${a.id}:t1`, attempt: 1, state: 'confirmed' }]
        expect(await txsOfAction(sb, a.id)).toEqual(txs)
      }
    },
    60_000,
  )

  it('the books verify after every crash', async () => {
    await k.ok('poll', '--once', '--json')
    for (const c of cases) {
      // Nothing left in escrow: 6,000.50 charged, 4,900.50 transferred to the payee, 1,100 refunded.
      expect(sumOf(c.transfers) + sumOf(c.refunds), c.point).toBe(M1 + M2 + M3 + M4)
      expect(transfersOf(c.id)).toHaveLength(3)
      expect(h.refunds().filter((r) => r.charge === c.charge)).toHaveLength(2)
      expectStripeMoves(c)
    }
    await expectBooksMatchStripe()
    const audit = json(await k.ok('audit', 'verify', '--json')) as { ok: boolean }
    expect(audit.ok).toBe(true)
  })
})
