/**
 * Escrow crash tests on EVM: the CLI runs as its own process and is SIGKILLed at each escrow crash
 * point (crashPoint.ts) in each step — fund, release, resolve, refund after the expiry —
 * and in the poll that books a milestone a stranger claimed on chain (the automatic release).
 * Then the CLI is run again, as a person would after a power cut: `escrow execute ACTION` resumes
 * the action from its stored planned / signed transaction, `poll --once` confirms and books it.
 * After every step: the action is done with exactly one rail transaction (attempt 1, confirmed —
 * nothing was signed twice), the escrow contract's token balance equals the ledger's escrow
 * account and the sum of open escrow holds, the payee's and the treasury's token balances moved by
 * exactly what the ledger booked; at the end `audit verify` is ok.
 *
 * The sandbox (Anvil, CountersignEscrow, the device emulator) runs in this process with its poller
 * stopped; each crash point has its own escrow and payee, walked through every step.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { EscrowList, type EscrowDetail } from '../../src/shared/escrowApi'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import type { CrashPointName } from '../../src/main/core/util/crashPoint'
import { recipientAddresses } from '../harness/evm/recipients'
import { json, tempDir } from '../cli/cliHarness'
import { cliOf, ledgerMinor, minorOf, openEscrowHoldsMinor, txsOfAction } from './escrowCrashKit'
import {
  claimAsStranger,
  evmEscrowChainOf,
  fundStranger,
  milestoneOnChain as milestoneOnChainOf,
  ON_CHAIN,
  tokenBalance as tokenBalanceOf,
  type EvmEscrowChain,
} from './evmEscrowKit'

const USDC = 'USDC@evm:31337'
const SCALE = 6
const POLL_ROUNDS_MAX = 6
/** The points an execution passes (in the executing CLI) and the one inside the confirming poll. */
const EXECUTE_POINTS = ['escrow-after-plan', 'escrow-after-persist', 'escrow-after-broadcast'] as const
const POINTS: readonly CrashPointName[] = [...EXECUTE_POINTS, 'escrow-before-book']
/** Each crash point's escrow: 1,000 released, 2,000 disputed then split 1,400 / 600, 3,000 refunded after the expiry. */
const M1 = 1_000_000_000n
const M2 = 2_000_000_000n
const M3 = 3_000_000_000n
const TO_PAYEE_2 = 1_400_000_000n
const TO_PAYER_2 = 600_000_000n
const CLAIMED = 500_000_000n

let root: string
let dir: string
let sb: Sandbox
let evmChain: EvmEscrowChain
let escrowContract: Address
let treasury: Address
let treasuryAccount: string
/** The workspace's CLI (made in beforeAll, once the data dir exists). */
let k: ReturnType<typeof cliOf>
const ok = (...args: string[]) => k.ok(...args)
const show = (id: string) => k.show(id)
const crash = (point: CrashPointName, ...args: string[]) => k.crash(point, ...args)

const tokenBalance = (of: Address) => tokenBalanceOf(evmChain, of)

/** One crash point's escrow and what its payee and the treasury should have been paid so far. */
interface Case {
  point: CrashPointName
  payee: Address
  id: string
  toPayee: bigint
  toPayer: bigint
  funded: bigint
}
const cases: Case[] = POINTS.map((point) => ({
  point,
  payee: recipientAddresses(`escrow-crash-${point}`, 1)[0]!,
  id: '',
  toPayee: 0n,
  toPayer: 0n,
  funded: 0n,
}))
let treasuryChainStart = 0n
let treasuryLedgerStart = 0n

/** Polls until the action is done (mining a block between rounds for the confirmations). */
const pollUntilDone = (id: string, actionId: string) =>
  k.pollUntilDone(id, actionId, POLL_ROUNDS_MAX, async () => {
    await evmChain.chain.testClient.mine({ blocks: 1 })
  })

/**
 * Carries out an approved action with a crash at `point`, then restarts: `execute` again (it
 * resumes what is stored) and polls until it is done. `run` is the command the person typed.
 */
async function executeThroughCrash(c: Case, actionId: string, run: string[]): Promise<EscrowDetail> {
  if (c.point === 'escrow-before-book') {
    await ok(...run)
    await evmChain.chain.testClient.mine({ blocks: 1 })
    await crash(c.point, 'poll', '--once', '--json')
    // The confirm transaction rolled back: the action is still executing, its transaction sent.
    const after = await show(c.id)
    expect(after.actions.find((a) => a.id === actionId)?.state).toBe('executing')
    expect((await txsOfAction(sb, actionId)).map((t) => t.state)).toEqual(['broadcast'])
  } else {
    await crash(c.point, ...run)
    const after = await show(c.id)
    expect(after.actions.find((a) => a.id === actionId)?.state).toBe('executing')
    const stored = { 'escrow-after-plan': 'planned', 'escrow-after-persist': 'signed', 'escrow-after-broadcast': 'signed' }[
      c.point as (typeof EXECUTE_POINTS)[number]
    ]
    expect((await txsOfAction(sb, actionId)).map((t) => t.state)).toEqual([stored])
  }
  // Restart: the signer runs execute again; it resumes the stored transaction.
  await ok('escrow', 'execute', actionId, '--as', 'Carol Signer')
  const detail = await pollUntilDone(c.id, actionId)
  expect(await txsOfAction(sb, actionId)).toEqual([{ id: `${actionId}:t1`, attempt: 1, state: 'confirmed' }])
  return detail
}

/** Asked (preparer), approved (approver) unless it needs no approval (a dispute): the id of the new action. */
const requestApproved = (id: string, ...request: string[]) => k.requestApproved(id, ...request)

/** Chain = books, for every escrow of this file together and for this case's payee. */
async function expectBooksMatchChain(c: Case | null): Promise<void> {
  const inContract = await tokenBalance(escrowContract)
  expect(await ledgerMinor(sb, `escrow:${USDC}`)).toBe(inContract)
  expect(await openEscrowHoldsMinor(sb, USDC)).toBe(inContract)
  const list = EscrowList.parse(json(await ok('escrow', 'list', '--json')))
  expect(minorOf(list.inEscrow.find((e) => e.assetId === USDC)?.held ?? '0', SCALE)).toBe(inContract)
  const treasuryMoved = (await tokenBalance(treasury)) - treasuryChainStart
  expect((await ledgerMinor(sb, treasuryAccount)) - treasuryLedgerStart).toBe(treasuryMoved)
  if (c === null) return
  expect(await tokenBalance(c.payee)).toBe(c.toPayee)
  expect(await ledgerMinor(sb, `payee:${USDC}:${c.payee.toLowerCase()}`)).toBe(c.toPayee)
}

const milestoneOnChain = (id: string, index: number) => milestoneOnChainOf(evmChain, id, index)

const createEscrow = (name: string, payee: Address, expiresInHours: number, milestones: string[]) =>
  k.create({ rail: 'evm', network: '31337', asset: USDC }, name, payee, expiresInHours, milestones)

beforeAll(async () => {
  root = tempDir('countersign-escrow-crash-')
  dir = path.join(root, 'sandbox')
  k = cliOf(dir)
  sb = await sandboxUp({ dataDir: dir, services: [createAnvilService({ persist: false })], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  evmChain = await evmEscrowChainOf(sb, ok, USDC)
  escrowContract = evmChain.escrowContract
  treasury = evmChain.treasury
  const db = sb.core.ctx.db
  treasuryAccount = (await db.first(db.k.selectFrom('accounts').select('id').where('kind', '=', 'treasury').where('asset_id', '=', USDC)))!
    .id
  treasuryChainStart = await tokenBalance(treasury)
  treasuryLedgerStart = await ledgerMinor(sb, treasuryAccount)
}, 120_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('escrow on EVM: SIGKILL at every crash point of every step, restart, each action exactly once', () => {
  it.each(cases)(
    'fund, release and resolve (after a dispute) with a crash at $point',
    async (c) => {
      const created = await createEscrow(`Crash ${c.point}`, c.payee, 10, ['Design:1000:@2h:1', 'Build:2000:@2h:1', 'Launch:3000:@2h:1'])
      c.id = created.escrow.id
      const fund = created.actions[0]!.id
      await ok('escrow', 'approve', fund, '--as', 'Bob Approver')
      let detail = await executeThroughCrash(c, fund, ['escrow', 'fund', c.id, '--as', 'Carol Signer'])
      expect(detail.milestoneList.map((m) => m.state)).toEqual(['held', 'held', 'held'])
      c.funded = M1 + M2 + M3
      await expectBooksMatchChain(c)

      const release = await requestApproved(c.id, 'release', c.id, '--milestone', '1')
      detail = await executeThroughCrash(c, release, ['escrow', 'execute', release, '--as', 'Carol Signer'])
      expect(detail.milestoneList[0]).toMatchObject({ state: 'released', released: '1000.000000' })
      expect(await milestoneOnChain(c.id, 1)).toBe(ON_CHAIN.released)
      c.toPayee += M1
      await expectBooksMatchChain(c)

      // The dispute (a lock) runs the same engine path; it is carried out without a crash to keep the run short.
      const dispute = await requestApproved(c.id, 'dispute', c.id, '--milestone', '2', '--reason', 'not as agreed')
      await ok('escrow', 'execute', dispute, '--as', 'Carol Signer')
      detail = await pollUntilDone(c.id, dispute)
      expect(detail.milestoneList[1]!.state).toBe('disputed')
      expect(await milestoneOnChain(c.id, 2)).toBe(ON_CHAIN.locked)
      await expectBooksMatchChain(c)

      const resolve = await requestApproved(c.id, 'resolve', c.id, '--milestone', '2', '--to-payee', '1400', '--to-payer', '600')
      detail = await executeThroughCrash(c, resolve, ['escrow', 'execute', resolve, '--as', 'Carol Signer'])
      expect(detail.milestoneList[1]).toMatchObject({ state: 'resolved', released: '1400.000000', refunded: '600.000000' })
      expect(await milestoneOnChain(c.id, 2)).toBe(ON_CHAIN.resolved)
      c.toPayee += TO_PAYEE_2
      c.toPayer += TO_PAYER_2
      await expectBooksMatchChain(c)
    },
    120_000,
  )

  it('a claim taken by a stranger on chain, booked by a poll killed inside the booking and run again', async () => {
    const [payee] = recipientAddresses('escrow-crash-claimed', 1) as [Address]
    const created = await createEscrow('Claimed by a stranger', payee, 48, ['All:500:@1h:1'])
    const id = created.escrow.id
    await ok('escrow', 'approve', created.actions[0]!.id, '--as', 'Bob Approver')
    await ok('escrow', 'fund', id, '--as', 'Carol Signer')
    await pollUntilDone(id, created.actions[0]!.id)
    await expectBooksMatchChain(null)

    // The app is stopped; the chain passes the review window and a stranger claims the milestone.
    await ok('sandbox', 'clock', '--advance', '3h')
    await fundStranger(evmChain)
    await claimAsStranger(evmChain, id, 1)
    expect(await tokenBalance(payee)).toBe(CLAIMED)

    await crash('escrow-observed-before-book', 'poll', '--once', '--json')
    expect((await show(id)).milestoneList[0]!.state).toBe('held')
    expect(await ledgerMinor(sb, `payee:${USDC}:${payee.toLowerCase()}`)).toBe(0n)

    await ok('poll', '--once', '--json')
    await ok('poll', '--once', '--json')
    const detail = await show(id)
    expect(detail.milestoneList[0]).toMatchObject({ state: 'released', released: '500.000000', autoReleased: true })
    expect(detail.escrow.state).toBe('released')
    expect(await ledgerMinor(sb, `payee:${USDC}:${payee.toLowerCase()}`)).toBe(CLAIMED)
    await expectBooksMatchChain(null)
  }, 60_000)

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
      expect(detail.milestoneList[2]).toMatchObject({ state: 'refunded', refunded: '3000.000000' })
      expect(detail.escrow.state).toBe('resolved')
      expect(await milestoneOnChain(c.id, 3)).toBe(ON_CHAIN.refunded)
      c.toPayer += M3
      await expectBooksMatchChain(c)
      // Every action of the escrow: done, one confirmed transaction each.
      for (const a of detail.actions) {
        expect(a.state).toBe('done')
        expect(await txsOfAction(sb, a.id)).toEqual([{ id: `${a.id}:t1`, attempt: 1, state: 'confirmed' }])
      }
    },
    60_000,
  )

  it('the books verify after every crash', async () => {
    for (const c of cases) expect(c.funded - c.toPayee - c.toPayer, c.point).toBe(0n)
    const audit = json(await ok('audit', 'verify', '--json')) as { ok: boolean }
    expect(audit.ok).toBe(true)
  })
})
