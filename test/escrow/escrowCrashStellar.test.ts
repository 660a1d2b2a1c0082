/**
 * Escrow crash tests on Stellar (the sandbox's Horizon-compatible harness and the device emulator,
 * in this process): the CLI runs as its own process and is SIGKILLed at each escrow crash point
 * (crashPoint.ts) in every step of an escrow of its own — fund, release of milestone 1, dispute of
 * milestone 2 (on Stellar a claim-back the signer executes), resolve of milestone 2 with a split,
 * refund of milestone 3 after the expiry — and in the poll that books a milestone the PAYEE claimed
 * with its own key while no Countersign process ran (the automatic release Stellar needs no app
 * for). Then the CLI is run again, as a person would after a power cut: `escrow execute ACTION`
 * resumes the action from its stored planned / signed transaction, `poll --once` confirms and books.
 *
 * After every step, read from the harness itself (not from our database): the treasury-sponsored
 * claimable balances are exactly the held milestones, once each, and the reserves the treasury
 * sponsors match them; each payee received exactly the payments released or resolved to it (one
 * payment per action) and its USDC moved by exactly that; the treasury's USDC moved by exactly what
 * left for good, and its XLM by exactly the fees the ledger booked. And: live balances + what was
 * clawed back for open disputes = the ledger's escrow account = the open escrow holds = `escrow
 * list`'s inEscrow. Every action ends done with exactly one rail transaction, attempt 1, confirmed
 * (a planned envelope is signed as it was stored, a signed one resent as the same bytes — never
 * rebuilt); at the end `audit verify` is ok.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EscrowList, type EscrowDetail } from '../../src/shared/escrowApi'
import { accountIds, SANDBOX_STELLAR_PAYEES, SANDBOX_STELLAR_TREASURY } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import type { CrashPointName } from '../../src/main/core/util/crashPoint'
import { json, tempDir } from '../cli/cliHarness'
import { cliOf, ledgerMinor, minorOf, openEscrowHoldsMinor, txsOfAction } from './escrowCrashKit'
import {
  accountOf,
  claimAsPayee as claimAsPayeeWith,
  getJson as getJsonOf,
  horizonOf,
  sandboxPayeeKey,
  STELLAR_SCALE,
  treasuryBalances as treasuryBalancesOf,
  usdcIn,
  type HorizonAccount,
} from './stellarEscrowKit'

const NETWORK = 'standalone'
const USDC = `USDC@stellar:${NETWORK}`
const XLM = `XLM@stellar:${NETWORK}`
const TREASURY = SANDBOX_STELLAR_TREASURY
const SCALE = STELLAR_SCALE
const POLL_ROUNDS_MAX = 6
/** Each claimable balance has two claimants (payee, treasury); the treasury sponsors a base reserve for each. */
const SPONSORED_PER_BALANCE = 2
/** The points an execution passes (in the executing CLI) and the one inside the confirming poll. */
const EXECUTE_POINTS = ['escrow-after-plan', 'escrow-after-persist', 'escrow-after-broadcast'] as const
const POINTS: readonly CrashPointName[] = [...EXECUTE_POINTS, 'escrow-before-book']
/** Each crash point's escrow: 1,000 released, 2,000 disputed then split 1,400 / 600, 3,000 refunded after the expiry. */
const M1 = 10_000_000_000n
const M2 = 20_000_000_000n
const M3 = 30_000_000_000n
const TO_PAYEE_2 = 14_000_000_000n
const TO_PAYER_2 = 6_000_000_000n
/** The escrow whose single milestone the payee claims itself. */
const CLAIMED = 5_000_000_000n
/** The sandbox payees with a USDC trustline; their keys come from public phrases (sandboxPlan.ts), TEST ONLY. */
const PAYEE_NAMES = ['payee-1', 'payee-2', 'payee-3'] as const
const PAYEES = PAYEE_NAMES.map((name) => SANDBOX_STELLAR_PAYEES[name])

let root: string
let dir: string
let sb: Sandbox
let horizon: string
let passphrase: string
let k: ReturnType<typeof cliOf>
const ok = (...args: string[]) => k.ok(...args)
const show = (id: string) => k.show(id)
const crash = (point: CrashPointName, ...args: string[]) => k.crash(point, ...args)

/** One escrow of this file and what should have happened to its money so far (the model the network and books are held to). */
interface Escrowed {
  payee: string
  id: string
  funded: bigint
  toPayee: bigint
  toPayer: bigint
  /** Clawed back to the treasury for a dispute not yet resolved (still in escrow in the books). */
  disputed: bigint
  /** The USDC payments the treasury made to the payee for it, by amount (a payee's own claim is none). */
  payments: bigint[]
}
interface Case extends Escrowed {
  point: CrashPointName
}
const blank = (payee: string): Escrowed => ({ payee, id: '', funded: 0n, toPayee: 0n, toPayer: 0n, disputed: 0n, payments: [] })
// Four crash cases over three payees: payee-1 is shared (its expected totals add up over both).
const cases: Case[] = POINTS.map((point, i) => ({ point, ...blank(PAYEES[i % PAYEES.length]!) }))
const claimed: Escrowed = blank(SANDBOX_STELLAR_PAYEES['payee-2'])
const escrows = (): Escrowed[] => [...cases, claimed].filter((e) => e.id !== '')

/** Where the network and the books stood before the first escrow. */
const start = { usdc: 0n, xlm: 0n, ledgerUsdc: 0n, ledgerXlm: 0n, payees: new Map<string, { usdc: bigint; ledger: bigint }>() }
let treasuryUsdcAccount: string
let treasuryXlmAccount: string

const getJson = <T>(p: string): Promise<T> => getJsonOf<T>(horizon, p)
const account = (id: string) => accountOf(horizon, id)
const usdcOf = usdcIn
const xlmOf = (a: HorizonAccount): bigint => minorOf(a.balances.find((b) => b.asset_type === 'native')!.balance, SCALE)
/** The live USDC claimable balances the treasury sponsors (created), by id. */
const treasuryBalances = () => treasuryBalancesOf(horizon)

/** The USDC payments the treasury made to `payee` on the network, by amount (sorted). */
async function paymentsTo(payee: string): Promise<string[]> {
  const page = await getJson<{ _embedded: { records: Record<string, string>[] } }>(`/accounts/${payee}/payments?limit=200`)
  return page._embedded.records
    .filter((r) => r['type'] === 'payment' && r['from'] === TREASURY && r['to'] === payee && r['asset_code'] === 'USDC')
    .map((r) => minorOf(r['amount']!, SCALE).toString())
    .sort()
}

/** The sandbox's address book holds payee-1 (Stellar Partners); the others get the engine's account, exact key. */
const payeeLedgerAccount = (payee: string) =>
  payee === SANDBOX_STELLAR_PAYEES['payee-1'] ? accountIds.payee('stellar-partners', 'usdc-stellar-local') : `payee:${USDC}:${payee}`
const sum = (xs: Iterable<bigint>): bigint => [...xs].reduce((s, x) => s + x, 0n)
/** What the model says `payee` was given so far, over every escrow of this file it is the payee of. */
const paidTo = (payee: string): bigint =>
  sum(
    escrows()
      .filter((e) => e.payee === payee)
      .map((e) => e.toPayee),
  )

/**
 * The network (read from the harness) = the model = the books, for every escrow of this file:
 * - the treasury's live claimable balances are exactly the held milestones' recorded ids (each
 *   created once: a second funding would leave balances nobody claims), summing to what is in
 *   escrow less what was clawed back for open disputes, with two sponsored reserves each;
 * - ledger escrow account = open escrow holds = escrow list's inEscrow = what is in escrow;
 * - the treasury's USDC moved by what left it for good (and what disputes brought back for now),
 *   its XLM by exactly the fees the ledger booked;
 * - each payee got exactly its payments, once each, and its balance (and ledger account) moved by them.
 */
async function expectBooksMatchNetwork(): Promise<void> {
  const all = escrows()
  const inEscrow = sum(all.map((e) => e.funded - e.toPayee - e.toPayer))
  const clawedBack = sum(all.map((e) => e.disputed))
  const held: string[] = []
  let disputedInBooks = 0n
  for (const e of all) {
    for (const m of (await show(e.id)).milestoneList) {
      if (m.state === 'held' || m.state === 'in_review' || m.state === 'expired') held.push(m.railRef!)
      if (m.state === 'disputed') disputedInBooks += minorOf(m.amount, SCALE)
    }
  }
  const live = await treasuryBalances()
  expect([...live.keys()].sort()).toEqual(held.sort())
  expect(sum(live.values()) + clawedBack).toBe(inEscrow)
  expect(disputedInBooks).toBe(clawedBack)
  const treasury = await account(TREASURY)
  expect(treasury.num_sponsoring ?? 0).toBe(SPONSORED_PER_BALANCE * live.size)

  expect(await ledgerMinor(sb, `escrow:${USDC}`)).toBe(inEscrow)
  expect(await openEscrowHoldsMinor(sb, USDC)).toBe(inEscrow)
  const list = EscrowList.parse(json(await ok('escrow', 'list', '--json')))
  expect(minorOf(list.inEscrow.find((x) => x.assetId === USDC)?.held ?? '0', SCALE)).toBe(inEscrow)

  // Gone for good: what was funded less what came back to the payer. A clawed-back dispute is in the
  // treasury on the network but still in escrow in the books.
  const spent = sum(all.map((e) => e.funded - e.toPayer))
  expect(usdcOf(treasury) - start.usdc).toBe(clawedBack - spent)
  expect((await ledgerMinor(sb, treasuryUsdcAccount)) - start.ledgerUsdc).toBe(-spent)
  // Fees: what the network charged the treasury = what the ledger booked (each fee booked once).
  expect(xlmOf(treasury) - start.xlm).toBe((await ledgerMinor(sb, treasuryXlmAccount)) - start.ledgerXlm)

  for (const payee of PAYEES) {
    const mine = all.filter((e) => e.payee === payee)
    const paid = paidTo(payee)
    expect(await paymentsTo(payee), `payments to ${payee}`).toEqual(mine.flatMap((e) => e.payments.map(String)).sort())
    expect(usdcOf(await account(payee)) - start.payees.get(payee)!.usdc, `USDC of ${payee}`).toBe(paid)
    expect((await ledgerMinor(sb, payeeLedgerAccount(payee))) - start.payees.get(payee)!.ledger, `books of ${payee}`).toBe(paid)
  }
}

const pollUntilDone = (id: string, actionId: string) => k.pollUntilDone(id, actionId, POLL_ROUNDS_MAX)

/**
 * Carries out an approved action with a crash at the case's point, then restarts: `execute` again
 * (it resumes what is stored) and polls until it is done. `run` is the command the person typed.
 */
async function executeThroughCrash(c: Case, actionId: string, run: string[]): Promise<EscrowDetail> {
  if (c.point === 'escrow-before-book') {
    // Sent and, the harness closing a ledger per synchronous submit, already in a ledger.
    await ok(...run)
    await crash(c.point, 'poll', '--once', '--json')
    // The confirm transaction rolled back: the action is still executing, its transaction sent.
    expect((await txsOfAction(sb, actionId)).map((t) => t.state)).toEqual(['broadcast'])
  } else {
    await crash(c.point, ...run)
    const stored = { 'escrow-after-plan': 'planned', 'escrow-after-persist': 'signed', 'escrow-after-broadcast': 'signed' }[
      c.point as (typeof EXECUTE_POINTS)[number]
    ]
    expect((await txsOfAction(sb, actionId)).map((t) => t.state)).toEqual([stored])
  }
  expect((await show(c.id)).actions.find((a) => a.id === actionId)?.state).toBe('executing')
  // Restart: the signer runs execute again; it resumes the stored transaction (the same envelope).
  await ok('escrow', 'execute', actionId, '--as', 'Carol Signer')
  const detail = await pollUntilDone(c.id, actionId)
  expect(await txsOfAction(sb, actionId)).toEqual([{ id: `${actionId}:t1`, attempt: 1, state: 'confirmed' }])
  return detail
}

/** Asked (preparer), approved (approver) unless it needs no approval (a dispute): the id of the new action. */
const requestApproved = (id: string, ...request: string[]) => k.requestApproved(id, ...request)

const createEscrow = (name: string, payee: string, expiresInHours: number, milestones: string[]) =>
  k.create({ rail: 'stellar', network: NETWORK, asset: USDC }, name, payee, expiresInHours, milestones)

beforeAll(async () => {
  root = tempDir('countersign-escrow-crash-stellar-')
  dir = path.join(root, 'sandbox')
  k = cliOf(dir)
  sb = await sandboxUp({ dataDir: dir, services: [createStellarService()], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  ;({ horizon, passphrase } = horizonOf(sb))
  const db = sb.core.ctx.db
  const treasuryOf = async (assetId: string) =>
    (await db.first(db.k.selectFrom('accounts').select('id').where('kind', '=', 'treasury').where('asset_id', '=', assetId)))!.id
  treasuryUsdcAccount = await treasuryOf(USDC)
  treasuryXlmAccount = await treasuryOf(XLM)
  const t = await account(TREASURY)
  start.usdc = usdcOf(t)
  start.xlm = xlmOf(t)
  start.ledgerUsdc = await ledgerMinor(sb, treasuryUsdcAccount)
  start.ledgerXlm = await ledgerMinor(sb, treasuryXlmAccount)
  for (const payee of PAYEES)
    start.payees.set(payee, { usdc: usdcOf(await account(payee)), ledger: await ledgerMinor(sb, payeeLedgerAccount(payee)) })
  expect(await treasuryBalances()).toEqual(new Map())
}, 120_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('escrow on Stellar: SIGKILL at every crash point of every step, restart, each action exactly once', () => {
  it.each(cases)(
    'fund, release, dispute and resolve with a crash at $point',
    async (c) => {
      const created = await createEscrow(`Crash ${c.point}`, c.payee, 10, ['Design:1000:@2h:1', 'Build:2000:@2h:1', 'Launch:3000:@2h:1'])
      c.id = created.escrow.id
      const fund = created.actions[0]!.id
      await ok('escrow', 'approve', fund, '--as', 'Bob Approver')
      let detail = await executeThroughCrash(c, fund, ['escrow', 'fund', c.id, '--as', 'Carol Signer'])
      expect(detail.milestoneList.map((m) => m.state)).toEqual(['held', 'held', 'held'])
      // The balance ids recorded are those of the one funding transaction that landed, each of its amount.
      const live = await treasuryBalances()
      expect(detail.milestoneList.map((m) => live.get(m.railRef!))).toEqual([M1, M2, M3])
      c.funded = M1 + M2 + M3
      await expectBooksMatchNetwork()

      // Release 1: claim back + payment in one transaction.
      const release = await requestApproved(c.id, 'release', c.id, '--milestone', '1')
      detail = await executeThroughCrash(c, release, ['escrow', 'execute', release, '--as', 'Carol Signer'])
      expect(detail.milestoneList[0]).toMatchObject({ state: 'released', released: '1000.0000000', autoReleased: false })
      c.toPayee += M1
      c.payments.push(M1)
      await expectBooksMatchNetwork()

      // Dispute 2: on Stellar a claim-back the signer signs, carried out through a crash like the rest.
      const dispute = await requestApproved(c.id, 'dispute', c.id, '--milestone', '2', '--reason', 'not as agreed')
      detail = await executeThroughCrash(c, dispute, ['escrow', 'execute', dispute, '--as', 'Carol Signer'])
      expect(detail.milestoneList[1]!.state).toBe('disputed')
      c.disputed = M2
      await expectBooksMatchNetwork()

      // Resolve 2 as 1,400 / 600: a payment of the payee's part; the payer's part stays in the treasury.
      const resolve = await requestApproved(c.id, 'resolve', c.id, '--milestone', '2', '--to-payee', '1400', '--to-payer', '600')
      detail = await executeThroughCrash(c, resolve, ['escrow', 'execute', resolve, '--as', 'Carol Signer'])
      expect(detail.milestoneList[1]).toMatchObject({ state: 'resolved', released: '1400.0000000', refunded: '600.0000000' })
      c.disputed = 0n
      c.toPayee += TO_PAYEE_2
      c.toPayer += TO_PAYER_2
      c.payments.push(TO_PAYEE_2)
      await expectBooksMatchNetwork()
    },
    180_000,
  )

  it('a milestone the payee claimed itself with the app stopped, booked by a poll killed inside the booking and run again', async () => {
    const created = await createEscrow('Claimed by the payee', claimed.payee, 48, ['All:500:@1h:1'])
    claimed.id = created.escrow.id
    await ok('escrow', 'approve', created.actions[0]!.id, '--as', 'Bob Approver')
    await ok('escrow', 'fund', claimed.id, '--as', 'Carol Signer')
    const balanceId = (await pollUntilDone(claimed.id, created.actions[0]!.id)).milestoneList[0]!.railRef!
    claimed.funded = CLAIMED
    await expectBooksMatchNetwork()

    // No Countersign process runs: the network passes the review window and the payee claims with its own key.
    await ok('sandbox', 'clock', '--advance', '3h')
    expect(await claimAsPayee(PAYEE_NAMES[1], balanceId)).toMatchObject({ status: 200 })
    expect(usdcOf(await account(claimed.payee)) - start.payees.get(claimed.payee)!.usdc).toBe(paidTo(claimed.payee) + CLAIMED)

    await crash('escrow-observed-before-book', 'poll', '--once', '--json')
    // The booking rolled back: still held in the books, nothing booked to the payee.
    expect((await show(claimed.id)).milestoneList[0]!.state).toBe('held')
    const payeeBooked = async () => (await ledgerMinor(sb, payeeLedgerAccount(claimed.payee))) - start.payees.get(claimed.payee)!.ledger
    expect(await payeeBooked()).toBe(paidTo(claimed.payee))

    await ok('poll', '--once', '--json')
    await ok('poll', '--once', '--json')
    const detail = await show(claimed.id)
    expect(detail.milestoneList[0]).toMatchObject({ state: 'released', released: '500.0000000', autoReleased: true })
    expect(detail.escrow.state).toBe('released')
    // Booked once: a second poll after the booking moved nothing more.
    claimed.toPayee = CLAIMED
    expect(await payeeBooked()).toBe(paidTo(claimed.payee))
    await expectBooksMatchNetwork()
  }, 90_000)

  it.each(cases)(
    'refund of milestone 3 after the expiry with a crash at $point',
    async (c) => {
      expect(c.id, 'the escrow of this crash point was made by the first test').not.toBe('')
      // Past every escrow's expiry (10h after creation; the claim test moved the clock 3h already).
      if (c === cases[0]) await ok('sandbox', 'clock', '--advance', '8h')
      await ok('poll', '--once', '--json')
      expect((await show(c.id)).milestoneList[2]!.state).toBe('expired')
      const refund = await requestApproved(c.id, 'refund', c.id, '--milestone', '3')
      const detail = await executeThroughCrash(c, refund, ['escrow', 'execute', refund, '--as', 'Carol Signer'])
      expect(detail.milestoneList[2]).toMatchObject({ state: 'refunded', refunded: '3000.0000000' })
      expect(detail.escrow.state).toBe('resolved')
      c.toPayer += M3
      await expectBooksMatchNetwork()
      // Every action of the escrow: done, one confirmed transaction each.
      for (const a of detail.actions) {
        expect(a.state).toBe('done')
        expect(await txsOfAction(sb, a.id)).toEqual([{ id: `${a.id}:t1`, attempt: 1, state: 'confirmed' }])
      }
    },
    90_000,
  )

  it('the books verify after every crash, and every balance was created and claimed exactly once', async () => {
    for (const c of cases) expect(c.funded - c.toPayee - c.toPayer, c.point).toBe(0n)
    await ok('poll', '--once', '--json')
    await expectBooksMatchNetwork()
    expect((await treasuryBalances()).size).toBe(0)
    // Horizon's history of each milestone's balance: created once, claimed once — by the treasury
    // (release, dispute, refund) or, for the payee's own claim, by the payee.
    for (const e of escrows()) {
      for (const m of (await show(e.id)).milestoneList) {
        const ops = await getJson<{ _embedded: { records: { type: string; source_account: string }[] } }>(
          `/claimable_balances/${m.railRef!}/operations?limit=200`,
        )
        const kinds = ops._embedded.records.map((o) => [o.type, o.source_account])
        const claimer = e === claimed ? e.payee : TREASURY
        expect(kinds, `${e.id} milestone ${m.index}`).toEqual([
          ['create_claimable_balance', TREASURY],
          ['claim_claimable_balance', claimer],
        ])
      }
    }
    const audit = json(await ok('audit', 'verify', '--json')) as { ok: boolean }
    expect(audit.ok).toBe(true)
  })
})

/** The payee's own claim_claimable_balance, signed with its key and sent to Horizon (no Countersign). */
async function claimAsPayee(name: (typeof PAYEE_NAMES)[number], balanceId: string): Promise<{ status: number }> {
  const key = sandboxPayeeKey(name)
  expect(key.publicKey()).toBe(SANDBOX_STELLAR_PAYEES[name])
  return await claimAsPayeeWith(horizon, passphrase, key, balanceId)
}
