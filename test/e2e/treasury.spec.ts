/**
 * What a person sees: pick an operator, read exact balances (10^30 minor units intact), watch
 * the audit chain verify, tamper with the database behind the app's back, and see it break.
 */
import Database from 'better-sqlite3'
import { expect, snap, test, USDC_OPENING_DISPLAY, USDC_OPENING_GROUPED, watchPageProblems, unlockAs } from './fixtures'

test('operator picks a profile, sees exact balances, and the audit chain catches tampering', async ({ page, workspace }) => {
  const problems = watchPageProblems(page)
  await page.goto(workspace.url)

  await test.step('the token leaves the address bar', async () => {
    await expect(page.getByTestId('operator-picker')).toBeVisible()
    expect(new URL(page.url()).hash).toBe('')
  })

  await test.step('operator picker lists the profiles with their roles', async () => {
    const options = page.getByTestId('operator-option')
    await expect(options).toHaveCount(3)
    await expect(page.locator('[data-operator-name="Alice Preparer"]')).toContainText('Preparer')
    await expect(page.locator('[data-operator-name="Bob Approver"]')).toContainText('Approver')
    await expect(page.locator('[data-operator-name="Dana Admin"]')).toContainText('Admin')
    await snap(page, '01-operator-picker')
    await unlockAs(page, 'Dana Admin')
  })

  await test.step('dashboard shows 10^30 minor units of USDC exactly', async () => {
    const usdc = page.getByTestId('asset-summary-USDC@evm:1')
    // The one display form on screen, the exact one on hover.
    await expect(usdc.getByTestId('summary-treasury')).toHaveText(USDC_OPENING_DISPLAY)
    await expect(usdc.getByTestId('summary-treasury')).toHaveAttribute('title', `Exactly ${USDC_OPENING_GROUPED} USDC`)
    await expect(usdc).toContainText('Ethereum')
    await expect(page.getByTestId('asset-summary-USD@stripe').getByTestId('summary-treasury')).toHaveText('2,500.00')
    // The per-account table shows the same exact string.
    await expect(page.getByTestId('balance-row-treasury-usdc-eth').getByTestId('balance-cell')).toHaveText(USDC_OPENING_DISPLAY)
    await expect(page.getByTestId('treasury-chart-note')).toContainText('Proportional')
  })

  await test.step('the dashboard refreshes live when the ledger changes', async () => {
    const dana = { operatorId: workspace.operators.dana.id }
    await workspace.core.api.call(
      'ledger.entries.post',
      {
        entries: [
          {
            id: 'top-up-usd-1',
            description: 'Top-up of one cent',
            postings: [
              { account: 'treasury-usd-stripe', debit: '0.01' },
              { account: 'opening-usd-stripe', credit: '0.01' },
            ],
          },
        ],
      },
      dana,
    )
    await expect(page.getByTestId('asset-summary-USD@stripe').getByTestId('summary-treasury')).toHaveText('2,500.01')
    await snap(page, '02-dashboard-light')
  })

  await test.step('dark mode', async () => {
    await page.getByTestId('color-scheme-toggle').click()
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark')
    await snap(page, '03-dashboard-dark')
    await page.getByTestId('color-scheme-toggle').click()
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'light')
  })

  const expected = await workspace.core.api.call('audit.verify', {})
  expect(expected.ok).toBe(true)

  await test.step('audit view: the chain verifies with the right row count', async () => {
    await page.getByTestId('nav-audit').click()
    const status = page.getByTestId('audit-verification')
    await expect(status).toHaveAttribute('data-state', 'verified')
    await expect(page.getByTestId('audit-verification-title')).toHaveText(
      `Chain verified — ${expected.rowsChecked} rows, head ${expected.headHash.slice(0, 8)}…`,
    )
    await expect(page.getByTestId(`audit-row-${expected.headSeq}`)).toBeVisible()
    // Rows 2–3 invite the first operator, before anyone could unlock; from row 4 (her first unlock) they are Dana's.
    await expect(page.getByTestId('audit-row-2').getByTestId('audit-actor')).toHaveText('bootstrap')
    await expect(page.getByTestId('audit-row-3').getByTestId('audit-actor')).toHaveText('bootstrap')
    await expect(page.getByTestId('audit-row-4').getByTestId('audit-actor')).toHaveText('Dana Admin')
    await snap(page, '04-audit-verified')
  })

  await test.step('settings', async () => {
    await page.getByTestId('nav-settings').click()
    await expect(page.getByTestId('operator-row')).toHaveCount(3)
    await expect(page.getByTestId('assets-table')).toContainText('USDC@evm:1')
    await expect(page.getByTestId('about-mode')).toHaveText('Browser mode')
    await expect(page.getByTestId('about-data-folder')).toHaveText(workspace.dataDir)
    await snap(page, '06-settings')
  })

  await test.step('reconciliation and receipts start empty', async () => {
    await page.getByTestId('nav-reconciliation').click()
    await expect(page.getByTestId('view-title')).toHaveText('Reconciliation')
    await expect(page.getByTestId('recon-statements-table-empty')).toContainText('No statements imported yet')
    await expect(page.getByTestId('recon-accounts-empty')).toBeVisible()
    await expect(page.getByTestId('recon-statements-count')).toContainText('0 statements · updated')
    await snap(page, '07-reconciliation-empty')
    await page.getByTestId('nav-receipts').click()
    await expect(page.getByTestId('view-title')).toHaveText('Receipts')
    await expect(page.getByTestId('receipts-table-empty')).toContainText('Receipts are issued once a payment is final')
  })

  await test.step('tampering with the audit log directly in SQLite is caught on re-verify', async () => {
    await page.getByTestId('nav-audit').click()
    await expect(page.getByTestId('audit-verification')).toHaveAttribute('data-state', 'verified')
    const db = new Database(workspace.dbFile)
    try {
      const changed = db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2").run()
      expect(changed.changes).toBe(1)
    } finally {
      db.close()
    }
    await page.getByTestId('audit-reverify').click()
    await expect(page.getByTestId('audit-verification')).toHaveAttribute('data-state', 'broken')
    await expect(page.getByTestId('audit-verification-title')).toContainText('Broken at row 2:')
    await expect(page.getByTestId('audit-verification-title')).toContainText('row 2 was changed after it was written')
    // The reload shows the tampered row as it now reads.
    await page.getByTestId('audit-refresh').click()
    await expect(page.getByTestId('audit-row-2').getByTestId('audit-actor')).toHaveText('mallory')
    // The system's own rows are hidden by default: the view offers them, so no marked row stays out of sight.
    await expect(page.getByTestId('audit-broken-hidden')).toBeVisible()
    await expect(page.getByTestId('audit-shown')).toContainText('every row that matches')
    await snap(page, '05-audit-broken')
    await page.getByTestId('color-scheme-toggle').click()
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark')
    await snap(page, '08-audit-broken-dark')
    await page.getByTestId('color-scheme-toggle').click()
  })

  expect(problems).toEqual([])
})

test('the admin adds an operator from Settings; others cannot', async ({ page, workspace }) => {
  const problems = watchPageProblems(page)
  await page.goto(workspace.url)
  await unlockAs(page, 'Dana Admin')
  await page.getByTestId('nav-settings').click()
  await page.getByTestId('add-operator-name').fill('Carol Signer')
  await page.getByTestId('add-operator-role-signer').click()
  await page.getByTestId('add-operator-submit').click()
  await expect(page.getByTestId('notification-success')).toContainText('Carol Signer')
  await expect(page.getByTestId('operator-row')).toHaveCount(4)

  await unlockAs(page, 'Alice Preparer')
  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('settings-operators')).toContainText('Only an admin can invite operators')
  await expect(page.getByTestId('add-operator-form')).toHaveCount(0)
  expect(problems).toEqual([])
})

test('without the token the page cannot reach the API and says why', async ({ page, workspace }) => {
  await page.goto(workspace.server.url)
  await expect(page.getByTestId('operators-error')).toContainText('no access token')
  await expect(page.getByTestId('connection-status')).toHaveText('No access token')
})
