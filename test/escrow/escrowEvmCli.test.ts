/**
 * Escrow on EVM end to end, through the CLI against the sandbox (Anvil + CountersignEscrow + the
 * device emulator), as finance staff would run it: create with three milestones, approve and fund,
 * release milestone 1, dispute milestone 2 and resolve it 70/30, then — with no Countersign
 * process running — the chain passes milestone 3's review window and a stranger calls claim();
 * the next `poll --once` books it. After every step the escrow contract's token balance equals the
 * ledger's escrow account and the sum of open escrow holds, and the payee's and treasury's chain
 * balances moved by exactly what the ledger says. Refusals leave everything as it was.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Address } from 'viem'
import { EscrowDetail, EscrowList } from '../../src/shared/escrowApi'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { recipientAddresses } from '../harness/evm/recipients'
import { addOperatorCli, json, tempDir } from '../cli/cliHarness'
import { cliOf, minorOf } from './escrowCrashKit'
import {
  claimAsStranger,
  evmEscrowChainOf,
  fundStranger,
  milestoneOnChain,
  ON_CHAIN,
  tokenBalance as tokenBalanceOf,
  type EvmEscrowChain,
} from './evmEscrowKit'

const POLL_ROUNDS_MAX = 8
const SCALE = 6
const USDC = 'USDC@evm:31337'
const HOUR_MS = 3_600_000

let root: string
let dir: string
let sb: Sandbox
let evmChain: EvmEscrowChain
let k: ReturnType<typeof cliOf>
let escrowContract: Address
let treasury: Address
const [payee] = recipientAddresses('escrow-evm-payee', 1) as [Address]

const ok = (...args: string[]) => k.ok(...args)
const refused = (code: string, ...args: string[]) => k.refused(code, ...args)
const show = (id: string) => k.show(id)
const tokenBalance = (of: Address) => tokenBalanceOf(evmChain, of)
const toMinor = (text: string) => minorOf(text, SCALE)
/** Poll until the action is done (mining a block between rounds for the confirmations). */
const pollUntilDone = (id: string, actionId: string) =>
  k.pollUntilDone(id, actionId, POLL_ROUNDS_MAX, async () => {
    await evmChain.chain.testClient.mine({ blocks: 1 })
  })
/** The invariant after every step: contract balance = escrow account = open escrow holds. */
async function expectEscrowMatchesChain(expectedMinor: bigint): Promise<void> {
  expect(await tokenBalance(escrowContract)).toBe(expectedMinor)
  const list = EscrowList.parse(json(await ok('escrow', 'list', '--json')))
  const held = list.inEscrow.find((x) => x.assetId === USDC)?.held ?? '0.000000'
  expect(toMinor(held)).toBe(expectedMinor)
  expect(toMinor(await k.ledgerBalance(`escrow:${USDC}`))).toBe(expectedMinor)
}

beforeAll(async () => {
  root = tempDir('countersign-escrow-evm-')
  dir = path.join(root, 'sandbox')
  k = cliOf(dir)
  sb = await sandboxUp({ dataDir: dir, services: [createAnvilService({ persist: false })], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  evmChain = await evmEscrowChainOf(sb, ok, USDC)
  escrowContract = evmChain.escrowContract
  treasury = evmChain.treasury
}, 120_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('escrow on EVM through the CLI', () => {
  it('fund → release 1 → dispute 2 → resolve 70/30 → milestone 3 claimed by a stranger with the app stopped, booked on the next poll', async () => {
    const now = Date.now()
    const at = (h: number) => new Date(now + h * HOUR_MS).toISOString()
    const created = EscrowDetail.parse(
      json(
        await ok(
          'escrow',
          'create',
          '--name',
          'Website build',
          '--rail',
          'evm',
          '--network',
          '31337',
          '--asset',
          USDC,
          '--payee',
          payee,
          '--payee-name',
          'Web Studio',
          '--expires',
          at(24 * 30),
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
    const id = created.escrow.id
    expect(created.escrow).toMatchObject({ state: 'draft', total: '6000.000000', milestones: 3, autoRelease: true })
    const fundAction = created.actions[0]!
    expect(fundAction).toMatchObject({ kind: 'fund', state: 'awaiting_approval', amount: '6000.000000' })

    // An unapproved funding is not executed.
    await refused('ESCROW_NOT_APPROVED', 'escrow', 'fund', id, '--as', 'Carol Signer')

    const treasuryBefore = await tokenBalance(treasury)
    await ok('escrow', 'approve', fundAction.id, '--as', 'Bob Approver')
    await ok('escrow', 'fund', id, '--as', 'Carol Signer')
    let detail = await pollUntilDone(id, fundAction.id)
    expect(detail.milestoneList.map((m) => m.state)).toEqual(['held', 'held', 'held'])
    expect(await tokenBalance(treasury)).toBe(treasuryBefore - 6_000_000_000n)
    await expectEscrowMatchesChain(6_000_000_000n)

    // Release milestone 1: asked, approved, executed, confirmed.
    await ok('escrow', 'release', id, '--milestone', '1', '--as', 'Alice Preparer')
    detail = await show(id)
    const release1 = detail.actions.at(-1)!
    await ok('escrow', 'approve', release1.id, '--as', 'Bob Approver')
    await ok('escrow', 'execute', release1.id, '--as', 'Carol Signer')
    detail = await pollUntilDone(id, release1.id)
    expect(detail.milestoneList[0]).toMatchObject({ state: 'released', released: '1000.000000' })
    expect(await tokenBalance(payee)).toBe(1_000_000_000n)
    await expectEscrowMatchesChain(5_000_000_000n)

    // Dispute milestone 2: no approval needed; on chain it is a lock the signer sends.
    await ok('escrow', 'dispute', id, '--milestone', '2', '--reason', 'Build does not pass review', '--as', 'Alice Preparer')
    detail = await show(id)
    const dispute = detail.actions.at(-1)!
    expect(dispute).toMatchObject({ kind: 'dispute', state: 'approved' })
    await ok('escrow', 'execute', dispute.id, '--as', 'Carol Signer')
    detail = await pollUntilDone(id, dispute.id)
    expect(detail.milestoneList[1]!.state).toBe('disputed')
    expect(await milestoneOnChain(evmChain, id, 2)).toBe(ON_CHAIN.locked)

    // Refused, with nothing changed: release of the disputed milestone, a split that does not add up.
    await refused('ESCROW_MILESTONE_DISPUTED', 'escrow', 'release', id, '--milestone', '2', '--as', 'Alice Preparer')
    await refused(
      'ESCROW_SPLIT_MISMATCH',
      'escrow',
      'resolve',
      id,
      '--milestone',
      '2',
      '--to-payee',
      '1400',
      '--to-payer',
      '599.999999',
      '--as',
      'Alice Preparer',
    )
    await refused('ESCROW_REFUND_BEFORE_EXPIRY', 'escrow', 'refund', id, '--milestone', '3', '--as', 'Alice Preparer')

    // Resolve 70/30.
    const treasuryBeforeResolve = await tokenBalance(treasury)
    await ok('escrow', 'resolve', id, '--milestone', '2', '--to-payee', '1400', '--to-payer', '600', '--as', 'Alice Preparer')
    const resolve = (await show(id)).actions.at(-1)!
    await ok('escrow', 'approve', resolve.id, '--as', 'Bob Approver')
    await ok('escrow', 'execute', resolve.id, '--as', 'Carol Signer')
    detail = await pollUntilDone(id, resolve.id)
    expect(detail.milestoneList[1]).toMatchObject({ state: 'resolved', released: '1400.000000', refunded: '600.000000' })
    expect(await tokenBalance(payee)).toBe(2_400_000_000n)
    expect(await tokenBalance(treasury)).toBe(treasuryBeforeResolve + 600_000_000n)
    await expectEscrowMatchesChain(3_000_000_000n)

    // No Countersign process runs now: the chain passes milestone 3's window and a stranger claims it.
    await evmChain.chain.testClient.increaseTime({ seconds: 5 * 3600 })
    await evmChain.chain.testClient.mine({ blocks: 1 })
    await fundStranger(evmChain)
    await claimAsStranger(evmChain, id, 3)
    expect(await tokenBalance(payee)).toBe(5_400_000_000n)

    // The next poll (a restarted app) books it: released, automatically.
    await ok('poll', '--once', '--json')
    detail = await show(id)
    expect(detail.milestoneList[2]).toMatchObject({ state: 'released', released: '3000.000000', autoReleased: true })
    expect(detail.escrow.state).toBe('resolved')
    await expectEscrowMatchesChain(0n)
    // Books: the payee's account holds what the chain paid it.
    expect(toMinor(await k.ledgerBalance(`payee:${USDC}:${payee.toLowerCase()}`))).toBe(5_400_000_000n)
    const audit = json(await ok('audit', 'verify', '--json')) as { ok: boolean }
    expect(audit.ok).toBe(true)

    // An insider puts the paid milestone 1 back to 'held' with SQL and gets a second release approved:
    // its ledger hold (sealed) says it was posted, so nothing is signed or sent.
    await sb.core.ctx.db.run(
      sb.core.ctx.db.k.updateTable('escrow_milestones').set({ state: 'held' }).where('escrow_id', '=', id).where('idx', '=', 1),
    )
    await ok('escrow', 'release', id, '--milestone', '1', '--as', 'Alice Preparer')
    const again = (await show(id)).actions.at(-1)!
    await ok('escrow', 'approve', again.id, '--as', 'Bob Approver')
    await refused('ESCROW_STATE', 'escrow', 'execute', again.id, '--as', 'Carol Signer')
    expect(await tokenBalance(payee)).toBe(5_400_000_000n)
    expect((await show(id)).txs.filter((t) => t.actionId === again.id)).toEqual([])
  }, 180_000)

  it('refuses funding beyond the treasury’s available balance, and an escrow changed after approval', async () => {
    const now = Date.now()
    const at = (h: number) => new Date(now + h * HOUR_MS).toISOString()
    const big = EscrowDetail.parse(
      json(
        await ok(
          'escrow',
          'create',
          '--name',
          'Too big',
          '--rail',
          'evm',
          '--network',
          '31337',
          '--asset',
          USDC,
          '--payee',
          payee,
          '--expires',
          at(48),
          '--milestone',
          `All:5000000:${at(1)}:1`,
          '--as',
          'Alice Preparer',
          '--json',
        ),
      ),
    )
    await ok('escrow', 'approve', big.actions[0]!.id, '--as', 'Bob Approver')
    await refused('ESCROW_FUNDS_INSUFFICIENT', 'escrow', 'fund', big.escrow.id, '--as', 'Carol Signer')
    expect((await show(big.escrow.id)).escrow.state).toBe('draft')

    const small = EscrowDetail.parse(
      json(
        await ok(
          'escrow',
          'create',
          '--name',
          'Tampered',
          '--rail',
          'evm',
          '--network',
          '31337',
          '--asset',
          USDC,
          '--payee',
          payee,
          '--expires',
          at(48),
          '--milestone',
          `A:10:${at(1)}:1`,
          '--milestone',
          `B:20:${at(2)}:1`,
          '--as',
          'Alice Preparer',
          '--json',
        ),
      ),
    )
    await ok('escrow', 'approve', small.actions[0]!.id, '--as', 'Bob Approver')
    const contractBefore = await tokenBalance(escrowContract)
    // Someone with the database file raises a milestone after approval: the milestone sum no longer is what was approved.
    await sb.core.ctx.db.run(
      sb.core.ctx.db.k
        .updateTable('escrow_milestones')
        .set({ amount: '25000000' })
        .where('escrow_id', '=', small.escrow.id)
        .where('idx', '=', 2),
    )
    await refused('APPROVAL_SIGNATURE_INVALID', 'escrow', 'fund', small.escrow.id, '--as', 'Carol Signer')
    expect(await tokenBalance(escrowContract)).toBe(contractBefore)

    // Maker-checker: someone who may both prepare and approve cannot approve what they created.
    await addOperatorCli(dir, 'Dana Admin', 'Erin Both', ['preparer', 'approver'])
    const own = EscrowDetail.parse(
      json(
        await ok(
          'escrow',
          'create',
          '--name',
          'Own',
          '--rail',
          'evm',
          '--network',
          '31337',
          '--asset',
          USDC,
          '--payee',
          payee,
          '--expires',
          at(48),
          '--milestone',
          `A:10:${at(1)}:1`,
          '--as',
          'Erin Both',
          '--json',
        ),
      ),
    )
    await refused('ESCROW_APPROVAL_NOT_ALLOWED', 'escrow', 'approve', own.actions[0]!.id, '--as', 'Erin Both')
    expect((await show(own.escrow.id)).actions[0]!.approvals).toEqual([])
  }, 60_000)
})
