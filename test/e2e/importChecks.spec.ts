/**
 * Issue 17 (findings 5, 9 and 13), as a finance person meets them in the sandbox:
 * - a row paying a Stripe account that cannot receive transfers is flagged at import, next to its
 *   row, with what to do — not only at Submit — and the draft keeps the warning for the approver;
 * - "Add payout" starts on a network set up in this workspace: the batch's own, else the first;
 * - the payouts table's "Row" header is whole (its capitals and its sort arrow fit the column);
 * - the batch page at 1024×700 reaches its payouts table without scrolling past everything.
 */
import { SANDBOX_STRIPE_ACCOUNTS } from '../../src/main/sandbox/sandboxPlan'
import { networkNameOfKey, networksConfigured } from '../../src/shared/networkNames'
import { expect, snap, unlockAs, watchPageProblems } from './fixtures'
import { sharedSandboxTest as test } from './sandboxFixtures'

test('a Stripe account that cannot receive transfers is flagged at import; Add payout starts on a set-up network', async ({
  page,
  sharedSandbox: ws,
}) => {
  const problems = watchPageProblems(page)
  const api = ws.sandbox.core.api
  const csv = [
    'id,rail,network,asset,recipient,amount,memo,name',
    `ic-1,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.freelancer},1200.00,INV-4100,Freelancer`,
    `ic-2,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.restricted},310.50,INV-4101,Restricted Ltd`,
    '',
  ].join('\n')

  await page.goto(ws.url)
  await unlockAs(page, 'Alice Preparer')
  await page.getByTestId('nav-payouts').click()
  if (await page.getByTestId('batch-back').isVisible()) await page.getByTestId('batch-back').click()

  await test.step('the import flags the restricted account on its row and stays open', async () => {
    await page.getByTestId('import-open').click()
    await page.getByTestId('import-drop-input').setInputFiles({ name: 'stripe-april.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await page.getByTestId('import-batch-name').fill('Stripe April')
    await page.getByTestId('import-submit').click()
    await expect(page.getByTestId('import-result-title')).toHaveText('Draft created with 2 rows — 1 cannot be paid as things stand')
    const issues = page.getByTestId('import-issues-row')
    await expect(issues).toHaveCount(1)
    await expect(issues.first()).toContainText('3')
    await expect(issues.first()).toContainText(
      `Connected account ${SANDBOX_STRIPE_ACCOUNTS.restricted} cannot receive transfers (transfers capability inactive) — ask the payee to finish onboarding.`,
    )
    await expect(issues.first()).not.toContainText(SANDBOX_STRIPE_ACCOUNTS.freelancer)
    await snap(page, 'import-checks-01-stripe-restricted')
    await page.setViewportSize({ width: 1024, height: 700 })
    await snap(page, 'import-checks-02-stripe-restricted-1024')
    await page.setViewportSize({ width: 1440, height: 900 })
    await page.getByTestId('import-open-batch').click()
  })

  await test.step('the draft keeps it with the row, for the approver too', async () => {
    // In its own box: it cannot be paid as things stand, unlike a payee never paid before.
    await expect(page.getByTestId('warnings-blocking')).toContainText('Cannot be paid as things stand — 1 payout')
    const kind = page
      .getByTestId('warnings-blocking')
      .getByTestId('warning-kind')
      .and(page.locator('[data-code="RECIPIENT_CANNOT_RECEIVE"]'))
    await expect(kind.getByTestId('warning-kind-title')).toHaveText(
      '1 payout goes to an account that cannot receive transfers — it cannot be paid',
    )
    await expect(page.getByTestId('payout-row-ic-2').getByTestId('payout-warning-mark')).toHaveAttribute(
      'aria-label',
      /cannot receive transfers/,
    )
    // The freelancer's account can: whatever else its row says (a payee never paid), not that.
    const other = page.getByTestId('payout-row-ic-1').getByTestId('payout-warning-mark')
    if ((await other.count()) > 0) await expect(other).not.toHaveAttribute('aria-label', /cannot receive transfers/)
    // Stored with the batch: what the approver's window reads.
    const batchId = await page.getByTestId('batch-detail').getAttribute('data-batch-id')
    const stored = (await api.call('batches.get', { id: batchId! })).warnings.filter((w) => w.code === 'RECIPIENT_CANNOT_RECEIVE')
    expect(stored.map((w) => w.payoutId)).toEqual(['ic-2'])
    // No "could not check": Stripe answered.
    await expect(page.locator('[data-code="RECIPIENTS_NOT_CHECKED"]')).toHaveCount(0)
    await snap(page, 'import-checks-03-draft-flagged')
  })

  await test.step('at 1024×700 the draft reaches its payouts without scrolling past everything', async () => {
    await page.setViewportSize({ width: 1024, height: 700 })
    await page.evaluate('window.scrollTo(0, 0)')
    // The approval a draft will need is one line (the policy on demand), not a panel.
    await expect(page.getByTestId('approval-panel')).toHaveAttribute('data-compact', 'true')
    await expect(page.getByTestId('approval-summary')).toContainText('needs 1 approver')
    await expect(page.getByTestId('payouts-table').getByRole('columnheader').first()).toBeInViewport()
    await snap(page, 'import-checks-03b-draft-1024')
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  await test.step('"Row" is whole in the payouts table header', async () => {
    const header = page.getByTestId('payouts-table').getByRole('columnheader').first()
    await expect(header).toHaveText(/^Row$/i)
    const cut = await header.evaluate((el) => el.scrollWidth > el.clientWidth + 1)
    expect(cut, 'the Row header is cut').toBe(false)
  })

  await test.step('Add payout starts on the batch’s own network (Stripe), never on one not set up', async () => {
    await page.getByTestId('row-add').click()
    await expect(page.getByTestId('row-network')).toHaveValue('Stripe')
    await expect(page.getByTestId('row-asset')).toHaveValue('USD')
    await expect(page.getByTestId('row-recipient')).toHaveAttribute('placeholder', 'acct_… connected account')
    await snap(page, 'import-checks-04-add-payout-batch-network')
    await page.getByTestId('row-cancel').click()
  })

  await test.step('on an empty batch it starts on the first network set up here (Local Anvil)', async () => {
    const empty = await api.call('batches.create', { name: 'Empty May' }, { operatorId: ws.operator('Alice Preparer').id })
    await page.getByTestId('batch-back').click()
    await page.getByTestId('batch-open').filter({ hasText: 'Empty May' }).click()
    await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-batch-id', empty.id)
    await page.getByTestId('row-add').click()
    await expect(page.getByTestId('row-network')).toHaveValue('Local Anvil')
    // Money with cents first (USDC), not the network's coin.
    await expect(page.getByTestId('row-asset')).toHaveValue('USDC')
    await expect(page.getByTestId('row-recipient')).toHaveAttribute('placeholder', '0x… address')
    // Every network the asset is on is listed; one that is not set up here says so.
    const setUp = networksConfigured((await api.call('settings.rails.get', {})).rails).map((key) =>
      networkNameOfKey(key.replace(/^stripe:stripe$/, 'stripe')),
    )
    await page.getByTestId('row-network').click()
    const options = page.getByRole('option')
    await expect(options.filter({ hasText: 'Local Anvil' })).toHaveCount(1)
    for (const text of await options.allTextContents()) {
      if (setUp.includes(text)) continue
      expect(text, `${text} is not set up here`).toMatch(/ — not set up$/)
    }
    await page.keyboard.press('Escape')
    await snap(page, 'import-checks-05-add-payout-first-network')
    await page.getByTestId('row-cancel').click()
  })

  expect(problems).toEqual([])
})
