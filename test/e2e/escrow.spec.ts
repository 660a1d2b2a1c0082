/**
 * An escrow from creation to its last milestone, as finance staff see it, in a sandbox world of
 * its own (the spec moves its clock): Alice creates an escrow of three milestones on the Anvil
 * USDC; Bob approves its funding and Carol executes it on the device emulator. Milestone 1: Alice
 * asks for its release, Bob approves, Carol executes. Milestone 2: Alice disputes it and asks for a
 * 70/30 split (the form refuses parts that do not add up), Bob approves, Carol executes. Milestone
 * 3: its review window passes and it is released automatically. Each state is photographed under
 * test-results/e2e/screenshots/escrow-NN-*.png.
 */
import { createWalletClient, getAddress, http, isAddress, keccak256, stringToBytes, toHex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { countersignEscrowAbi } from '../../src/main/core/rails/evm/abi'
import { anvilTestMnemonic } from '../../src/main/sandbox/harness/evm/anvil'
import { ANVIL_CHAIN_ID } from '../../src/main/sandbox/sandboxPlan'
import { createHarnessClients } from '../harness/evm/clients'
import type { Page } from '@playwright/test'
import path from 'node:path'
import { expect, SCREENSHOT_DIR, snap, unlockAs, watchPageProblems } from './fixtures'
import { emulatorWorldTest, type EmulatorWorld } from './sandboxFixtures'

const test = emulatorWorldTest('escrow')
test.describe.configure({ mode: 'serial' })

const ESCROW_NAME = 'Website redesign — Acme'
const PAYEE = getAddress(keccak256(toHex('countersign e2e escrow payee')).slice(0, 42))
/** Three milestones; 2 is split 70/30 after its dispute. */
const MILESTONES = [
  { title: 'Wireframes approved', amount: '1000', hours: '24' },
  { title: 'Design delivered', amount: '2500.50', hours: '48' },
  { title: 'Site live', amount: '499.50', hours: '72' },
] as const
const TOTAL = '4,000.00 USDC'
const SPLIT = { toPayee: '1750.35', toPayer: '750.15' } as const
const HOUR_MS = 60 * 60 * 1000
/** An Anvil dev account nobody else in the sandbox uses: it claims milestone 3 as the payee would. */
const CLAIMER_ACCOUNT_INDEX = 9
/** Ether the claimer gets for gas (the sandbox may have spent the dev accounts' own). */
const CLAIMER_GAS_WEI = 10n ** 18n

/** One sweep of the poller (confirmations, escrow deadlines), now; fails on a failed task. */
async function sweep(world: EmulatorWorld): Promise<void> {
  const { failed } = await world.sandbox.core.poller.runOnce()
  if (failed.length > 0) throw new Error(`poller tasks failed: ${failed.join(', ')}`)
}

/** Confirmations fade on their own; close them so they cover nothing in a screenshot. */
async function shot(page: Page, name: string): Promise<void> {
  const notices = page.locator('[data-testid^="notification-"] button')
  while ((await notices.count()) > 0) await notices.first().click()
  // From the top: a full-page capture of a scrolled window draws the fixed header mid-page.
  await page.evaluate('window.scrollTo(0, 0)')
  await snap(page, name)
}

/** A dialog as the person sees it: the viewport (a full-page capture draws the overlay over one screen only). */
async function dialogShot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0)
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' })
}

async function pick(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click()
  await page.getByRole('option', { name: option, exact: true }).click()
}

/** Open the escrow from the list, whoever left the view where. */
async function openEscrow(page: Page): Promise<void> {
  await page.getByTestId('nav-escrow').click()
  if (await page.getByTestId('escrow-back').isVisible()) await page.getByTestId('escrow-back').click()
  await page.getByTestId('escrow-open').filter({ hasText: ESCROW_NAME }).click()
  await expect(page.getByTestId('view-title')).toHaveText(ESCROW_NAME)
}

function action(page: Page, kind: string, milestone: number | null) {
  return page.locator(`[data-testid="escrow-action"][data-kind="${kind}"][data-milestone="${milestone ?? ''}"]`)
}

function milestone(page: Page, n: number) {
  return page.locator(`[data-testid="milestone"][data-milestone="${n}"]`)
}

/** Bob approves the open request; Carol executes it; the poller confirms it. */
async function approveAndExecute(page: Page, world: EmulatorWorld, kind: string, n: number | null, shotName: string): Promise<void> {
  await unlockAs(page, 'Bob Approver')
  await openEscrow(page)
  const request = action(page, kind, n)
  await expect(request).toHaveAttribute('data-state', 'awaiting_approval')
  await request.getByTestId('action-approve').click()
  await expect(request).toHaveAttribute('data-state', 'approved')
  await expect(request.getByTestId('action-approval')).toContainText('Approved by Bob Approver')
  await expect(request.getByTestId('action-approval-signature')).toHaveText('signature verified')
  await expect(request.getByTestId('action-execute')).toHaveCount(0) // Bob is no signer
  await shot(page, shotName)

  await unlockAs(page, 'Carol Signer')
  await openEscrow(page)
  await action(page, kind, n).getByTestId('action-execute').click()
  await confirmed(page, world, kind, n)
}

/** Sweep until the request is done: the click returns before the transaction is broadcast, so one sweep may come too early. */
async function confirmed(page: Page, world: EmulatorWorld, kind: string, n: number | null): Promise<void> {
  await expect(async () => {
    await sweep(world)
    await expect(action(page, kind, n)).toHaveAttribute('data-state', 'done', { timeout: 1_000 })
  }).toPass({ timeout: 30_000 })
}

test('an escrow of three milestones: funded, released, disputed and split, released automatically', async ({ page, world }) => {
  test.setTimeout(240_000)
  const problems = watchPageProblems(page)

  await page.goto(world.url)
  await unlockAs(page, 'Alice Preparer')
  await page.getByTestId('nav-escrow').click()

  await test.step('the empty list; the CSV import names its columns', async () => {
    await expect(page.getByTestId('escrow-table-empty')).toBeVisible()
    await page.getByTestId('escrow-import-open').click()
    await expect(page.getByTestId('escrow-import-columns')).toHaveText(
      'escrow_name,reference,rail,network,asset,payee,payee_name,expires_at,milestone_title,amount,review_window_hours,review_ends_at',
    )
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
    await shot(page, 'escrow-01-list')
  })

  await test.step('Alice creates the escrow: three milestones, the exact total, review ends following each other', async () => {
    await page.getByTestId('escrow-new').click()
    await page.getByTestId('escrow-create-name').fill(ESCROW_NAME)
    await page.getByTestId('escrow-create-reference').fill('PO-2026-014')
    await pick(page, 'escrow-create-rail', 'evm')
    await pick(page, 'escrow-create-network', '31337')
    await pick(page, 'escrow-create-asset', 'USDC')
    await page.getByTestId('escrow-create-payee').fill(PAYEE)
    await page.getByTestId('escrow-create-payee-name').fill('Acme Studio')
    await page.getByTestId('milestone-add').click()
    await page.getByTestId('milestone-add').click()
    const rows = page.getByTestId('milestone-row')
    await expect(rows).toHaveCount(3)
    for (const [i, m] of MILESTONES.entries()) {
      await rows.nth(i).getByTestId('milestone-title').fill(m.title)
      await rows.nth(i).getByTestId('milestone-amount').fill(m.amount)
      await rows.nth(i).getByTestId('milestone-window').fill(m.hours)
    }
    // A digit too many is refused on the row, in the money module's sentence.
    await rows.nth(2).getByTestId('milestone-amount').fill('499.5000001')
    await expect(rows.nth(2)).toContainText('more than 6 decimals')
    await expect(page.getByTestId('escrow-create-total')).toContainText('—')
    await rows.nth(2).getByTestId('milestone-amount').fill(MILESTONES[2].amount)
    await expect(page.getByTestId('escrow-create-total')).toContainText(TOTAL)
    // Each review ends its window after the one before.
    const ends = await rows
      .getByTestId('milestone-ends')
      .evaluateAll((els) => els.map((e) => Date.parse((e as unknown as { value: string }).value + 'Z')))
    expect(ends[1]! - ends[0]!).toBe(48 * HOUR_MS)
    expect(ends[2]! - ends[1]!).toBe(72 * HOUR_MS)
    await expect(page.getByTestId('escrow-create-auto-release')).toBeChecked()
    await dialogShot(page, 'escrow-02-create')

    await page.getByTestId('escrow-create-submit').click()
    await expect(page.getByTestId('escrow-page')).toBeVisible()
    await expect(page.getByTestId('view-title')).toHaveText(ESCROW_NAME)
    await expect(page.getByTestId('escrow-total-total').getByTestId('escrow-total-amount')).toHaveText(TOTAL)
    await expect(page.getByTestId('milestone')).toHaveCount(3)
    await expect(action(page, 'fund', null)).toHaveAttribute('data-state', 'awaiting_approval')
    // Alice asked: she may not approve her own request; the core's sentence says why.
    await expect(action(page, 'fund', null).getByTestId('action-approve')).toHaveCount(0)
    await expect(action(page, 'fund', null).getByTestId('action-sentences')).not.toBeEmpty()
    await shot(page, 'escrow-03-created')
  })

  await test.step('Bob approves the funding, Carol executes it: the money is held', async () => {
    await approveAndExecute(page, world, 'fund', null, 'escrow-04-funding-approved')
    await expect(page.getByTestId('escrow-page')).toHaveAttribute('data-state', /^(held|in_review)$/)
    await expect(page.getByTestId('escrow-total-held').getByTestId('escrow-total-amount')).toHaveText(TOTAL)
    await expect(page.getByTestId('escrow-tx').first()).toHaveAttribute('data-state', 'confirmed')
    await shot(page, 'escrow-05-held')
    await page.getByTestId('escrow-back').click()
    await expect(page.getByTestId('escrow-table').getByTestId('escrow-held')).toHaveText(TOTAL)
    // The card per asset names the asset as every view does: its code and the network's name.
    await expect(page.getByTestId('escrow-held-per-asset').getByTestId('escrow-held-amount')).toHaveText([TOTAL])
    await expect(page.getByTestId('escrow-held-per-asset').getByTestId('escrow-held-asset')).toHaveText(['USDC on Local Anvil'])
    await expect(page.getByTestId('escrow-deadline')).toContainText('review ends in')
    await shot(page, 'escrow-06-list-held')
  })

  await test.step('milestone 1: Alice asks for its release, Bob approves, Carol executes', async () => {
    await unlockAs(page, 'Alice Preparer')
    await openEscrow(page)
    await milestone(page, 1).getByTestId('milestone-request-release').click()
    await expect(action(page, 'release', 1)).toHaveAttribute('data-state', 'awaiting_approval')
    await expect(milestone(page, 1).getByTestId('milestone-pending')).toBeVisible()
    await approveAndExecute(page, world, 'release', 1, 'escrow-07-release-approved')
    await expect(milestone(page, 1)).toHaveAttribute('data-state', 'released')
    await expect(milestone(page, 1).getByTestId('milestone-released')).toContainText('1,000.00 USDC')
    await shot(page, 'escrow-08-milestone-1-released')
  })

  await test.step('milestone 2: Alice disputes it (a reason is required)', async () => {
    await unlockAs(page, 'Alice Preparer')
    await openEscrow(page)
    await milestone(page, 2).getByTestId('milestone-dispute').click()
    await expect(page.getByTestId('dispute-confirm')).toBeDisabled()
    await page.getByTestId('dispute-reason').fill('The delivered design does not match the agreed scope.')
    await dialogShot(page, 'escrow-09-dispute-dialog')
    await page.getByTestId('dispute-confirm').click()
    // Protective: no approval needed, but on chain the lock is a transaction a signer executes.
    await expect(action(page, 'dispute', 2)).toHaveAttribute('data-state', 'approved')
    await expect(action(page, 'dispute', 2).getByTestId('action-approve')).toHaveCount(0)
    await shot(page, 'escrow-10-dispute-requested')
    await unlockAs(page, 'Carol Signer')
    await openEscrow(page)
    await action(page, 'dispute', 2).getByTestId('action-execute').click()
    await confirmed(page, world, 'dispute', 2)
    await expect(milestone(page, 2)).toHaveAttribute('data-state', 'disputed')
    await unlockAs(page, 'Alice Preparer')
    await openEscrow(page)
  })

  await test.step('Alice asks for a 70/30 split; parts that do not add up are refused', async () => {
    await milestone(page, 2).getByTestId('milestone-resolve').click()
    await page.getByTestId('resolve-to-payee').fill(SPLIT.toPayee)
    await page.getByTestId('resolve-to-payer').fill('750')
    // The one display form of every view; the exact values on hover.
    await expect(page.getByTestId('resolve-check')).toContainText('2,500.35 of 2,500.50 USDC: 0.15 USDC short')
    await expect(page.getByTestId('resolve-check-text')).toHaveAttribute(
      'title',
      'Exactly 2,500.350000 of 2,500.500000 USDC — 0.150000 USDC short',
    )
    await expect(page.getByTestId('resolve-submit')).toBeDisabled()
    await page.getByTestId('resolve-to-payer').fill(SPLIT.toPayer)
    await expect(page.getByTestId('resolve-check')).toContainText('exactly what milestone 2 holds')
    await page.getByTestId('resolve-reason').fill('Agreed with both parties: 70 % of the design was delivered.')
    await shot(page, 'escrow-11-resolve-form')
    await page.getByTestId('resolve-submit').click()
    await expect(action(page, 'resolve', 2)).toHaveAttribute('data-state', 'awaiting_approval')
    await expect(action(page, 'resolve', 2).getByTestId('action-split')).toHaveText('1,750.35 USDC to the payee · 750.15 USDC to the payer')
    await approveAndExecute(page, world, 'resolve', 2, 'escrow-12-resolve-approved')
    await expect(milestone(page, 2)).toHaveAttribute('data-state', 'resolved')
    await expect(milestone(page, 2).getByTestId('milestone-released')).toContainText('1,750.35 USDC')
    await expect(milestone(page, 2).getByTestId('milestone-refunded')).toContainText('750.15 USDC')
    await shot(page, 'escrow-13-milestone-2-resolved')
  })

  await test.step('milestone 3: its review window passes and it is released automatically', async () => {
    await passWindowAndClaim(page, world, 3, 10 * 24 * HOUR_MS)
    await expect(async () => {
      await sweep(world)
      await expect(milestone(page, 3)).toHaveAttribute('data-state', 'released', { timeout: 1_000 })
    }).toPass({ timeout: 30_000 })
    await expect(milestone(page, 3)).toContainText('released automatically')
    await expect(page.getByTestId('escrow-page')).toHaveAttribute('data-state', /^(closed|released|resolved)$/)
    await shot(page, 'escrow-14-milestone-3-auto-released')
  })

  expect(problems).toEqual([])
})

/**
 * Milestone 3's review window passes on the chain (Anvil's clock moves on), and someone — here an
 * Anvil account standing in for the payee — claims it from the escrow contract: the release that
 * needs no app. The poller then finds it on the chain and books it. (The core's own clock is not
 * moved: on EVM the contract's clock is the one that decides.)
 */
async function passWindowAndClaim(page: Page, world: EmulatorWorld, milestoneNo: number, ms: number): Promise<void> {
  const api = world.sandbox.core.api
  const anvil = world.sandbox.description.services.anvil!
  const rpcUrl = String(anvil.rpcUrl)
  const { chain, publicClient, testClient } = createHarnessClients({ rpcUrl, chainId: ANVIL_CHAIN_ID })
  const rails = await api.call('settings.rails.get', {})
  const escrowContract = rails.rails.evm?.chains.find((c) => c.chainId === ANVIL_CHAIN_ID)?.escrowContract
  if (!escrowContract || !isAddress(escrowContract)) throw new Error('the sandbox chain has no escrow contract configured')
  const escrowId = await page.getByTestId('escrow-page').getAttribute('data-escrow-id')
  if (!escrowId) throw new Error('no escrow page is open')

  await testClient.increaseTime({ seconds: Math.ceil(ms / 1000) })
  await testClient.mine({ blocks: 1 })
  const account = mnemonicToAccount(anvilTestMnemonic, { addressIndex: CLAIMER_ACCOUNT_INDEX })
  await testClient.setBalance({ address: account.address, value: CLAIMER_GAS_WEI })
  const claimer = createWalletClient({ chain, transport: http(rpcUrl), account })
  const hash = await claimer.writeContract({
    address: escrowContract,
    abi: countersignEscrowAbi,
    functionName: 'claim',
    // The contract knows the escrow by keccak256 of its id, and milestones from 0.
    args: [keccak256(stringToBytes(escrowId)), BigInt(milestoneNo - 1)],
  })
  const receipt = await publicClient.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
}
