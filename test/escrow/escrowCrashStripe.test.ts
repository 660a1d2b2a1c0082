/**
 * Escrow crash tests on Stripe (the sandbox's Stripe-compatible harness, in this process): for
 * each crash point the CLI is SIGKILLed while it releases milestone 1 of a charge-funded escrow
 * (`escrow execute`, or the `poll --once` that confirms it), and while the POLLER carries out the
 * automatic release of milestone 2 after its review window (plan, seal and send happen inside
 * `poll --once`). Then it runs again: the person's `escrow execute` resumes the release, the
 * poller alone finishes the automatic one (nobody is there to run execute for it). After every
 * step: exactly one transfer per milestone in the escrow's transfer_group (the idempotency key
 * held across the crash), one confirmed rail transaction per action, and what the platform holds
 * for the escrow (charge − refunds − transfers of the group) = its open milestones = the ledger's
 * escrow account = the open escrow holds. Funding a Stripe escrow sends nothing (a check of the
 * charge), so it has no crash point to hit.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EscrowDetail } from '../../src/shared/escrowApi'
import { SANDBOX_STRIPE_ACCOUNTS } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStripeService } from '../../src/main/sandbox/stripeService'
import type { StripeHarness } from '../../src/main/sandbox/harness/stripe/stripeHarness'
import { observeEscrows } from '../../src/main/core/escrow/observeEscrows'
import { readSandboxClockOffset, type ShiftableClock } from '../../src/main/core/sandboxClock'
import type { CrashPointName } from '../../src/main/core/util/crashPoint'
import { json, tempDir } from '../cli/cliHarness'
import { cliOf, ledgerMinor, openEscrowHoldsMinor, txsOfAction } from './escrowCrashKit'

const USD = 'USD@stripe'
const HOUR_MS = 3_600_000
const POLL_ROUNDS_MAX = 4
const PAYEE = SANDBOX_STRIPE_ACCOUNTS.freelancer
const EXECUTE_POINTS = ['escrow-after-plan', 'escrow-after-persist', 'escrow-after-broadcast'] as const
const POINTS: readonly CrashPointName[] = [...EXECUTE_POINTS, 'escrow-before-book']
const M1 = 100_000n
const M2 = 250_050n
/** Case i's milestone 2 window ends this long after creation; each case moves the clock past its own only. */
const FIRST_WINDOW_MS = 3.5 * HOUR_MS

interface HarnessTransfer {
  amount: bigint
  amount_reversed: bigint
  destination: string
  transfer_group: string | null
  metadata: Record<string, string>
}

let root: string
let dir: string
let sb: Sandbox
let h: StripeHarness
let k: ReturnType<typeof cliOf>
let payeeStart = 0n

interface Case {
  point: CrashPointName
  id: string
  charge: string
  released: bigint
}
const cases: Case[] = POINTS.map((point) => ({
  point,
  id: `ORDER-${point.replace('escrow-', '').toUpperCase()}`,
  charge: '',
  released: 0n,
}))

function transfersOf(group: string): HarnessTransfer[] {
  return (h.transfers() as HarnessTransfer[]).filter((t) => t.transfer_group === group)
}

async function pollUntilDone(id: string, actionId: string): Promise<EscrowDetail> {
  let detail = await k.show(id)
  for (let round = 1; round <= POLL_ROUNDS_MAX; round++) {
    if (detail.actions.find((a) => a.id === actionId)?.state === 'done') return detail
    await k.ok('poll', '--once', '--json')
    detail = await k.show(id)
  }
  throw new Error(`${actionId} did not finish: ${JSON.stringify(detail.actions.find((a) => a.id === actionId))}`)
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

/** Every escrow of this file: the platform holds for each exactly its open milestones; their sum is the books'. */
async function expectBooksMatchStripe(): Promise<void> {
  let open = 0n
  for (const c of cases.filter((x) => x.charge !== '')) {
    const d = await k.show(c.id)
    const openHere = d.milestoneList
      .filter((m) => ['held', 'in_review', 'disputed'].includes(m.state))
      .reduce((s, m) => s + BigInt(m.amount.replace('.', '')), 0n)
    const charge = h.charges().find((x) => x.id === c.charge)!
    const transferred = transfersOf(c.id).reduce((s, t) => s + t.amount - t.amount_reversed, 0n)
    expect(BigInt(charge.amount) - BigInt(charge.amount_refunded) - transferred, `held on Stripe for ${c.id}`).toBe(openHere)
    open += openHere
  }
  expect(await ledgerMinor(sb, `escrow:${USD}`)).toBe(open)
  expect(await openEscrowHoldsMinor(sb, USD)).toBe(open)
  const paid = cases.reduce((s, c) => s + c.released, 0n)
  expect(await ledgerMinor(sb, `payee:${USD}:${PAYEE.toLowerCase()}`)).toBe(payeeStart + paid)
}

/** One transfer per milestone of the escrow, of its amount, to the payee. */
function expectTransfers(c: Case, byMilestone: Record<string, bigint>): void {
  const seen = transfersOf(c.id).map((t) => [t.metadata['milestone'], t.amount, t.destination])
  expect(seen).toEqual(Object.entries(byMilestone).map(([m, amount]) => [m, amount, PAYEE]))
}

beforeAll(async () => {
  root = tempDir('countersign-escrow-crash-stripe-')
  dir = path.join(root, 'sandbox')
  k = cliOf(dir)
  const stripe = createStripeService()
  sb = await sandboxUp({ dataDir: dir, services: [stripe], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  h = stripe.harness()!
  payeeStart = await ledgerMinor(sb, `payee:${USD}:${PAYEE.toLowerCase()}`)
}, 90_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('escrow on Stripe: SIGKILL at every crash point, restart, each transfer exactly once', () => {
  it.each(cases)(
    'fund and release milestone 1 with a crash at $point',
    async (c) => {
      const i = cases.indexOf(c)
      c.charge = h.customerPays({ amount: M1 + M2, currency: 'usd', transferGroup: c.id }).charge
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
            at(30 * 24 * HOUR_MS),
            '--funding-charge',
            c.charge,
            '--milestone',
            `Design:1000.00:${at(2 * HOUR_MS)}:1`,
            '--milestone',
            `Build:2500.50:${at(FIRST_WINDOW_MS + i * HOUR_MS)}:1`,
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
      expect(detail.milestoneList.map((m) => m.state)).toEqual(['held', 'held'])
      expect(transfersOf(c.id)).toEqual([])
      await expectBooksMatchStripe()

      await k.ok('escrow', 'release', c.id, '--milestone', '1', '--as', 'Alice Preparer')
      const release = (await k.show(c.id)).actions.at(-1)!.id
      await k.ok('escrow', 'approve', release, '--as', 'Bob Approver')
      detail = await executeThroughCrash(c, release, ['escrow', 'execute', release, '--as', 'Carol Signer'])
      expect(detail.milestoneList[0]).toMatchObject({ state: 'released', released: '1000.00', autoReleased: false })
      c.released += M1
      expectTransfers(c, { '1': M1 })
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
        await observeEscrows(sb.core.ctx, sb.core.escrowRails)
        const sent = (await k.show(c.id)).actions.find((a) => a.kind === 'release' && a.milestone === 2)!
        expect((await txsOfAction(sb, sent.id)).map((t) => t.state)).toEqual(['broadcast'])
      }
      await k.crash(c.point, 'poll', '--once', '--json')
      const auto = (await k.show(c.id)).actions.find((a) => a.kind === 'release' && a.milestone === 2)
      expect(auto, 'the poller asked for the automatic release before it was killed').toBeDefined()
      // Restart: only the poller runs (an automatic release has nobody to run execute).
      const detail = await pollUntilDone(c.id, auto!.id)
      expect(detail.milestoneList[1]).toMatchObject({ state: 'released', released: '2500.50', autoReleased: true })
      expect(detail.escrow.state).toBe('released')
      expect(await txsOfAction(sb, auto!.id)).toEqual([{ id: `${auto!.id}:t1`, attempt: 1, state: 'confirmed' }])
      c.released += M2
      expectTransfers(c, { '1': M1, '2': M2 })
      await expectBooksMatchStripe()
      // Other escrows' windows have not passed: nothing of theirs moved.
      for (const other of cases.slice(cases.indexOf(c) + 1)) expect(transfersOf(other.id)).toHaveLength(1)
    },
    60_000,
  )

  it('the books verify after every crash', async () => {
    await k.ok('poll', '--once', '--json')
    for (const c of cases) expect(transfersOf(c.id)).toHaveLength(2)
    await expectBooksMatchStripe()
    const audit = json(await k.ok('audit', 'verify', '--json')) as { ok: boolean }
    expect(audit.ok).toBe(true)
  })
})
