/**
 * The approver decides with the risk in view (issue 17, findings 2 and 8): Dana sets a daily limit
 * in Settings (signed, audited); Alice imports a file with a look-alike address, new payees, a
 * repeated payment and an address without its checksum, and submits it; Bob — after a reload, so
 * nothing comes from Alice's window — sees the warnings grouped by kind beside the approve button,
 * filters the payouts to the look-alike, reads today's limit with this batch on top, and approves
 * in a dialog that repeats the totals and asks him to confirm he checked the look-alike. A second
 * batch that would pass the daily limit cannot be approved, and says why.
 */
import path from 'node:path'
import { getAddress, keccak256, toHex } from 'viem'
import type { ApprovalPolicy } from '../../src/shared/payoutsApi'
import { expect, openBatch, SCREENSHOT_DIR, snap, unlockAs, watchPageProblems } from './fixtures'
import { sharedSandboxTest as test } from './sandboxFixtures'

const USDC = 'USDC@evm:31337'
/** A payee in the address book, and an address with the same first and last 4 characters. */
const ACME = '0x1111aBaBABababAbAbABABAbaBaBabaBAbab2222'
const LOOKALIKE = '0x1111cdcdCdCdcDcDCdcdCdcdCdcDcDcDCDcD2222'
const [NEW_1, NEW_2, NEW_3] = [1, 2, 3].map((n) => getAddress(keccak256(toHex(`countersign approval-risk payee ${n}`)).slice(0, 42)))

const RISKY = 'June suppliers (risk review)'
const OVER = 'June bonus run (over the limit)'
const HEADER = 'id,rail,network,asset,recipient,amount,reference,name'
const RISKY_CSV = [
  HEADER,
  `risk-1,evm,31337,USDC,${LOOKALIKE},100.00,INV-7001,ACME GmbH`,
  `risk-2,evm,31337,USDC,${NEW_1},200.00,INV-7002,Nova Design`,
  `risk-3,evm,31337,USDC,${NEW_1},200.00,INV-7002,Nova Design`,
  `risk-4,evm,31337,USDC,${NEW_2!.toLowerCase()},55.00,INV-7003,Orbit Freight`,
  '',
].join('\n')
const OVER_CSV = [HEADER, `over-1,evm,31337,USDC,${NEW_3},600.00,BONUS-6,Pilot Crew`, ''].join('\n')

test.describe.configure({ mode: 'serial' })

test('the approver sees the warnings, the policy and the limits, and confirms in a dialog', async ({ page, sharedSandbox: ws }) => {
  const problems = watchPageProblems(page)
  const api = ws.sandbox.core.api
  const as = (name: string) => ({ operatorId: ws.operator(name).id })
  const before: ApprovalPolicy = (await api.call('settings.policy.get', {})).policy
  const shot = async (name: string) => {
    const notices = page.locator('[data-testid^="notification-"] button')
    while ((await notices.count()) > 0) await notices.first().click()
    await snap(page, `${name}-1440`)
    await page.setViewportSize({ width: 1024, height: 700 })
    await snap(page, `${name}-1024`)
    await page.setViewportSize({ width: 1440, height: 900 })
  }

  try {
    await api.call(
      'ledger.accounts.add',
      { id: 'payee-acme-usdc', name: 'ACME GmbH', kind: 'payee', assetId: USDC, address: ACME },
      as('Dana Admin'),
    )
    await page.goto(ws.url)

    await test.step('Dana reads the policy in Settings and adds a daily limit; the change is audited', async () => {
      await unlockAs(page, 'Dana Admin')
      await page.getByTestId('nav-settings').click()
      const section = page.getByTestId('settings-policy')
      await expect(section.getByTestId('policy-approvers')).toContainText(`Every batch needs ${before.approversMin}`)
      await section.getByTestId('policy-edit').click()
      await section.getByTestId('policy-limit-add').click()
      const row = section.getByTestId('policy-limit-row').last()
      await row.getByTestId('policy-limit-asset').click()
      await page.getByRole('option', { name: 'USDC on Local Anvil' }).click()
      // Surplus precision is refused in place, before anything is sent.
      await row.getByTestId('policy-limit-amount').fill('1000.0000001')
      await section.getByTestId('policy-save').click()
      await expect(section.getByTestId('policy-error')).toContainText('Daily limit 1')
      await row.getByTestId('policy-limit-amount').fill('1000')
      await section.screenshot({ path: path.join(SCREENSHOT_DIR, 'approval-01-policy-editor.png') })
      await section.getByTestId('policy-save').click()
      // The one display form of every view; the exact value on hover (the form's input stays exact).
      await expect(section.getByTestId('policy-limit-amount-shown')).toHaveText('1,000.00 USDC')
      await expect(section.getByTestId('policy-limit-amount-shown')).toHaveAttribute('title', 'Exactly 1,000.000000 USDC')
      await expect(section.getByTestId('policy-changed')).toContainText('Last changed by Dana Admin')
      const stored = await api.call('settings.policy.get', {})
      expect(stored.policy.dailyLimits).toEqual([...before.dailyLimits, { rail: 'evm', assetId: USDC, amount: '1000.000000' }])
      const audit = await api.call('audit.list', { limit: 20 }, as('Dana Admin'))
      expect(audit.rows.some((r) => r.action === 'settings.policy.set' && r.actor === ws.operator('Dana Admin').id)).toBe(true)
      await section.screenshot({ path: path.join(SCREENSHOT_DIR, 'approval-02-policy-saved.png') })
      await page.setViewportSize({ width: 1024, height: 700 })
      await section.screenshot({ path: path.join(SCREENSHOT_DIR, 'approval-02-policy-saved-1024.png') })
      await page.setViewportSize({ width: 1440, height: 900 })
    })

    await test.step('Alice imports and submits; the warnings stay with the batch', async () => {
      const imported = await api.call('payouts.import', { csv: RISKY_CSV, batchName: RISKY }, as('Alice Preparer'))
      expect(imported.issues).toEqual([])
      await api.call('batches.submit', { id: imported.batchId! }, as('Alice Preparer'))
      const over = await api.call('payouts.import', { csv: OVER_CSV, batchName: OVER }, as('Alice Preparer'))
      await api.call('batches.submit', { id: over.batchId! }, as('Alice Preparer'))
    })

    await test.step('Bob, after a reload, sees the warnings grouped, beside the approve button', async () => {
      await page.reload()
      await unlockAs(page, 'Bob Approver')
      await openBatch(page, RISKY)
      // On a 1024×700 laptop the decision is on the first screen: totals against today's limit,
      // the warnings by kind, the new payees by name, and the approve button — without scrolling.
      await page.setViewportSize({ width: 1024, height: 700 })
      const panel = page.getByTestId('approval-panel')
      await expect(panel).toHaveAttribute('data-compact', 'decision')
      await expect(page.getByTestId('batch-approve')).toBeInViewport({ ratio: 1 })
      await expect(panel.getByTestId('approval-total')).toHaveText([/USDC on Local Anvil · 4 payouts.*555\.00 USDC/])
      await expect(panel.getByTestId('approval-new-payee')).toHaveText([/^ACME GmbH 0x1111/, /^, Nova Design 0x/, /^, Orbit Freight 0x/])
      await page.setViewportSize({ width: 1440, height: 900 })
      const kinds = page.getByTestId('batch-warnings').getByTestId('warning-kind')
      await expect(kinds.locator('[data-testid="warning-kind-title"]')).toHaveText([
        "1 address looks like a known payee's but differs",
        '1 payment repeats an earlier row (same payee, asset and amount)',
        '4 payouts go to payees never paid before (3 payees)',
        '1 address was written without a checksum',
      ])
      // The look-alike is open and names the payee it imitates.
      await expect(page.getByTestId('warnings-lookalike').getByTestId('warning-row')).toContainText('ACME GmbH')
      await expect(page.getByTestId('approval-warnings').getByTestId('approval-warning')).toHaveCount(4)
      await expect(page.getByTestId('approval-warnings')).toContainText('looks like a known payee')
      // The caller's own sentence once, where the buttons are.
      await expect(page.getByTestId('approval-sentences')).not.toContainText('You can approve')
      await expect(page.getByTestId('approval-caller')).toHaveText('You can approve version 1.')
      const limit = page.getByTestId('approval-panel').getByTestId('daily-limit')
      await expect(limit).toHaveAttribute('data-ok', 'true')
      await expect(limit.getByTestId('daily-limit-after')).toHaveText('555.00 of 1,000.00 USDC')
      await shot('approval-03-approver-view')

      // Only the payouts concerned, then all again.
      await page.getByTestId('warnings-lookalike').getByTestId('warning-kind-filter').click()
      await expect(page.getByTestId('payouts-table').locator('[data-testid^="payout-row-"]')).toHaveCount(1)
      await expect(page.getByTestId('payouts-filter')).toContainText('1 of 4 payouts')
      await expect(page.getByTestId('payout-row-risk-1')).toBeVisible()
      await page.getByTestId('payouts-filter-clear').click()
      await expect(page.getByTestId('payouts-table').locator('[data-testid^="payout-row-"]')).toHaveCount(4)
    })

    await test.step('Bob approves in a dialog that repeats the totals and the warnings', async () => {
      await page.getByTestId('approval-comment').fill('Called ACME: the new address is theirs.')
      await page.getByTestId('batch-approve').click()
      const dialog = page.getByTestId('approve-dialog')
      await expect(dialog.getByTestId('approve-dialog-totals')).toBeVisible()
      await expect(dialog.getByTestId('approve-dialog-total')).toHaveText([/USDC.*Local Anvil.*4.*555\.00 USDC/])
      await expect(dialog.getByTestId('approve-dialog-policy')).toContainText('Yours is approval 1 of the 1')
      await expect(dialog.getByTestId('approve-dialog-warnings')).toContainText('4 payouts go to payees never paid before (3 payees)')
      await expect(dialog.getByTestId('approve-dialog-comment')).toContainText('Called ACME')
      await expect(dialog.getByTestId('approval-signing-note')).toContainText('approval key')
      // A look-alike must be acknowledged before the approval can be signed.
      await expect(dialog.getByTestId('approve-dialog-confirm')).toBeDisabled()
      await dialog.getByTestId('approve-dialog-ack').check()
      await shot('approval-04-approve-dialog')
      await dialog.getByTestId('approve-dialog-confirm').click()
      await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'approved')
      await expect(page.getByTestId('approval-list')).toContainText('Approved by Bob Approver')
      // The sentence names no version twice.
      await expect(page.getByTestId('approval-sentences')).not.toContainText('(version 1)')
    })

    await test.step('a batch that would pass the daily limit cannot be approved, and says why', async () => {
      await openBatch(page, OVER)
      const limit = page.getByTestId('approval-panel').getByTestId('daily-limit')
      await expect(limit).toHaveAttribute('data-ok', 'false')
      await expect(limit.getByTestId('daily-limit-after')).toHaveText('1,155.00 of 1,000.00 USDC — over the limit')
      await expect(page.getByTestId('batch-approve')).toBeDisabled()
      await expect(page.getByTestId('approval-disabled-reason')).toHaveText(
        'You cannot approve it today: it would pass a daily limit (see the daily limits).',
      )
      await expect(page.getByTestId('approval-disabled-reason')).toHaveCount(1)
      await shot('approval-05-over-limit')
    })
    expect(problems).toEqual([])
  } finally {
    // The sandbox is shared with later specs: give back the policy it had.
    await api.call('settings.policy.set', before, as('Dana Admin')).catch(() => undefined)
  }
})
