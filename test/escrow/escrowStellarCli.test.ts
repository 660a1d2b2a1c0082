/**
 * Escrow on Stellar end to end, through the CLI against the sandbox (the Horizon-compatible
 * harness + the device emulator), as finance staff would run it: create with three milestones
 * (one claimable balance each), approve and fund, release milestone 1 (claim back + payment),
 * dispute milestone 2 (the treasury claims its balance back) and resolve it 70/30, then — with no
 * Countersign process running — the sandbox clock passes milestone 3's review window and the
 * PAYEE claims its balance with its own key; the next `poll --once` books it as an automatic
 * release. After every step the treasury-sponsored claimable balances plus what was clawed back
 * for open disputes equal the ledger's escrow account and `escrow list`'s inEscrow, and the
 * payee's balance on the network moved by exactly what was released. Refusals change nothing.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EscrowDetail, EscrowList } from '../../src/shared/escrowApi'
import { accountIds, SANDBOX_STELLAR_PAYEES } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import { json, tempDir } from '../cli/cliHarness'
import { cliOf, minorOf } from './escrowCrashKit'
import {
  claimAsPayee as claimAsPayeeWith,
  horizonOf,
  sandboxPayeeKey,
  STELLAR_SCALE,
  treasuryBalances as treasuryBalancesOf,
  usdcOnNetwork,
} from './stellarEscrowKit'

const POLL_ROUNDS_MAX = 6
const USDC = 'USDC@stellar:standalone'
const HOUR_MS = 3_600_000
/** The sandbox payee with a USDC trustline; its key is derived from a public phrase (sandboxPlan.ts), TEST ONLY. */
const PAYEE = SANDBOX_STELLAR_PAYEES['payee-1']
const payeeKey = sandboxPayeeKey('payee-1')

let root: string
let dir: string
let sb: Sandbox
let horizon: string
let passphrase: string
let k: ReturnType<typeof cliOf>

const ok = (...args: string[]) => k.ok(...args)
const refused = (code: string, ...args: string[]) => k.refused(code, ...args)
const show = (id: string) => k.show(id)
const toMinor = (text: string) => minorOf(text, STELLAR_SCALE)
/** The payee's USDC on the network, in stroops. */
const payeeUsdc = () => usdcOnNetwork(horizon, PAYEE)
const treasuryBalances = () => treasuryBalancesOf(horizon)
const ledgerBalance = (accountId: string) => k.ledgerBalance(accountId)
/** Poll until the action is done (each sync submit closes a ledger, so one round usually does). */
const pollUntilDone = (id: string, actionId: string) => k.pollUntilDone(id, actionId, POLL_ROUNDS_MAX)
const claimAsPayee = (balanceId: string) => claimAsPayeeWith(horizon, passphrase, payeeKey, balanceId)
/**
 * The invariant after every step: the treasury's claimable balances + what was clawed back for
 * open disputes = the ledger's escrow account = escrow list's inEscrow = `expectedMinor`.
 */
async function expectEscrowMatchesRail(id: string, expectedMinor: bigint): Promise<void> {
  const detail = await show(id)
  const onRail = [...(await treasuryBalances()).values()].reduce((s, v) => s + v, 0n)
  const clawedBack = detail.milestoneList.filter((m) => m.state === 'disputed').reduce((s, m) => s + toMinor(m.amount), 0n)
  expect(onRail + clawedBack).toBe(expectedMinor)
  const list = EscrowList.parse(json(await ok('escrow', 'list', '--json')))
  expect(toMinor(list.inEscrow.find((e) => e.assetId === USDC)?.held ?? '0')).toBe(expectedMinor)
  expect(toMinor(await ledgerBalance(`escrow:${USDC}`))).toBe(expectedMinor)
  // Every live balance is one of this escrow's held milestones, by its recorded id.
  const held = detail.milestoneList.filter((m) => m.state === 'held' || m.state === 'in_review').map((m) => m.railRef)
  expect([...(await treasuryBalances()).keys()].sort()).toEqual([...held].sort())
}

beforeAll(async () => {
  root = tempDir('countersign-escrow-stellar-')
  dir = path.join(root, 'sandbox')
  k = cliOf(dir)
  sb = await sandboxUp({ dataDir: dir, services: [createStellarService()], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  ;({ horizon, passphrase } = horizonOf(sb))
  expect(payeeKey.publicKey()).toBe(PAYEE)
}, 120_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('escrow on Stellar through the CLI', () => {
  it('fund → release 1 → dispute 2 → resolve 70/30 → milestone 3 claimed by the payee with the app stopped, booked on the next poll', async () => {
    const now = Date.now()
    const at = (h: number) => new Date(now + h * HOUR_MS).toISOString()
    const created = EscrowDetail.parse(
      json(
        await ok(
          'escrow',
          'create',
          '--name',
          'Partner integration',
          '--rail',
          'stellar',
          '--network',
          'standalone',
          '--asset',
          USDC,
          '--payee',
          PAYEE,
          '--payee-name',
          'Stellar Partners',
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
    expect(created.escrow).toMatchObject({ state: 'draft', total: '6000.0000000', milestones: 3 })
    const fundAction = created.actions[0]!
    expect(fundAction).toMatchObject({ kind: 'fund', state: 'awaiting_approval', amount: '6000.0000000' })
    const payeeStart = await payeeUsdc()
    await expectEscrowMatchesRail(id, 0n)

    // Fund: Bob approves, Carol executes (the device emulator signs); the poller confirms it.
    await refused('ESCROW_NOT_APPROVED', 'escrow', 'fund', id, '--as', 'Carol Signer')
    await ok('escrow', 'approve', fundAction.id, '--as', 'Bob Approver')
    await ok('escrow', 'fund', id, '--as', 'Carol Signer')
    let detail = await pollUntilDone(id, fundAction.id)
    expect(detail.milestoneList.map((m) => m.state)).toEqual(['held', 'held', 'held'])
    // The balance ids are recorded on the milestones, and each holds its milestone's amount on the network.
    const refs = detail.milestoneList.map((m) => m.railRef)
    expect(refs.every((r) => r !== null && /^00000000[0-9a-f]{64}$/.test(r))).toBe(true)
    const live = await treasuryBalances()
    expect(refs.map((r) => live.get(r!))).toEqual([10_000_000_000n, 20_000_000_000n, 30_000_000_000n])
    await expectEscrowMatchesRail(id, 60_000_000_000n)

    // Release milestone 1: asked, approved, executed (claim back + payment in one transaction), confirmed.
    await ok('escrow', 'release', id, '--milestone', '1', '--as', 'Alice Preparer')
    const release1 = (await show(id)).actions.at(-1)!
    expect(release1).toMatchObject({ kind: 'release', milestone: 1, state: 'awaiting_approval' })
    await ok('escrow', 'approve', release1.id, '--as', 'Bob Approver')
    await ok('escrow', 'execute', release1.id, '--as', 'Carol Signer')
    detail = await pollUntilDone(id, release1.id)
    expect(detail.milestoneList[0]).toMatchObject({ state: 'released', released: '1000.0000000', autoReleased: false })
    expect(await payeeUsdc()).toBe(payeeStart + 10_000_000_000n)
    await expectEscrowMatchesRail(id, 50_000_000_000n)

    // Dispute milestone 2: Alice asks (no approval needed); on Stellar it is a claim-back Carol signs.
    await ok('escrow', 'dispute', id, '--milestone', '2', '--reason', 'Build does not pass review', '--as', 'Alice Preparer')
    const dispute = (await show(id)).actions.at(-1)!
    expect(dispute).toMatchObject({ kind: 'dispute', milestone: 2, state: 'approved' })
    await ok('escrow', 'execute', dispute.id, '--as', 'Carol Signer')
    detail = await pollUntilDone(id, dispute.id)
    expect(detail.milestoneList[1]!.state).toBe('disputed')
    expect((await treasuryBalances()).has(refs[1]!)).toBe(false)
    await expectEscrowMatchesRail(id, 50_000_000_000n)

    // Refused, with nothing changed: release of the disputed milestone, a split that does not add up.
    const actionsBefore = detail.actions.length
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
      '599.9999999',
      '--as',
      'Alice Preparer',
    )
    expect((await show(id)).actions).toHaveLength(actionsBefore)
    expect(await payeeUsdc()).toBe(payeeStart + 10_000_000_000n)
    await expectEscrowMatchesRail(id, 50_000_000_000n)

    // Resolve 70/30: the payee's part is a payment from the treasury, the payer's part stays there.
    await ok('escrow', 'resolve', id, '--milestone', '2', '--to-payee', '1400', '--to-payer', '600', '--as', 'Alice Preparer')
    const resolve = (await show(id)).actions.at(-1)!
    await ok('escrow', 'approve', resolve.id, '--as', 'Bob Approver')
    await ok('escrow', 'execute', resolve.id, '--as', 'Carol Signer')
    detail = await pollUntilDone(id, resolve.id)
    expect(detail.milestoneList[1]).toMatchObject({ state: 'resolved', released: '1400.0000000', refunded: '600.0000000' })
    expect(await payeeUsdc()).toBe(payeeStart + 24_000_000_000n)
    await expectEscrowMatchesRail(id, 30_000_000_000n)

    // No Countersign process runs now: the sandbox clock passes milestone 3's window.
    const early = await claimAsPayee(refs[2]!)
    expect(early).toMatchObject({ status: 400, ops: ['op_cannot_claim'] })
    await ok('sandbox', 'clock', '--advance', '5h')
    // The payee claims milestone 3 itself, with its own key.
    expect(await claimAsPayee(refs[2]!)).toMatchObject({ status: 200 })
    expect(await payeeUsdc()).toBe(payeeStart + 54_000_000_000n)
    expect((await treasuryBalances()).size).toBe(0)

    // The next poll (a restarted app) books it: released, automatically.
    await ok('poll', '--once', '--json')
    detail = await show(id)
    expect(detail.milestoneList[2]).toMatchObject({ state: 'released', released: '3000.0000000', autoReleased: true })
    expect(detail.escrow.state).toBe('resolved')
    await expectEscrowMatchesRail(id, 0n)
    // A second poll books nothing more.
    await ok('poll', '--once', '--json')
    await expectEscrowMatchesRail(id, 0n)
    // Books: the payee's account holds what the network paid it.
    expect(toMinor(await ledgerBalance(accountIds.payee('stellar-partners', 'usdc-stellar-local')))).toBe(54_000_000_000n)
    const audit = json(await ok('audit', 'verify', '--json')) as { ok: boolean }
    expect(audit.ok).toBe(true)
  }, 180_000)
})
