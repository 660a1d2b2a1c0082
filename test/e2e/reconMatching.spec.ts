/**
 * Matching a bank statement with the ledger, as a finance team closes a month, in a workspace of
 * its own served by browser mode. Dana (admin) books the month on "Bank EUR (main)" through the
 * API: a customer payment and a payout with the keys our systems wrote, a supplier payment, two
 * payouts the bank paid as one transfer, and a payout still in transit. The bank's camt.053 (the
 * test writes it) has the same month: two lines with exact keys, the supplier at the same amount,
 * the two payouts as one line (1:N), a bank charge, and a credit nobody booked.
 *
 * In the browser, Alice (preparer) imports it, links its account (the import's warning turns
 * resolved), writes a CSV column mapping (the core's schema errors shown at their fields),
 * previews matching (nothing stored), runs it, reads the two sides side by side (one match lit on
 * both sides), reviews the suggestions with their reasons, confirms two in bulk and the bank charge
 * on its own, picks the unknown credit to match by hand (the panel adds up both sides and the
 * difference as she picks), and books it to other income from the exceptions queue. She cannot
 * approve the adjustments she proposed. Bob (approver) is refused closing the month while they
 * wait — told how many — approves them, reads the drift explained to the cent (the payout in
 * transit, nothing unexplained) and closes the month, after which its matches cannot be undone.
 *
 * Each state is photographed under test-results/e2e/screenshots/recon-match-NN-*.png at 1280×800,
 * the side-by-side panes and the statement lines again at 1024×700.
 */
import fs from 'node:fs'
import path from 'node:path'
import { test as base, type Locator, type Page } from '@playwright/test'
import { CAMT_TEST_IBAN, camtText } from '../recon/camtText'
import { expect, SCREENSHOT_DIR, snap, unlockAs, watchPageProblems, workspaceFixture, type Workspace } from './fixtures'

const test = base.extend<object, { matchDesk: Workspace }>({
  matchDesk: [workspaceFixture, { scope: 'worker' }],
})
test.describe.configure({ mode: 'serial' })

const DAY_MS = 86_400_000
/** The month a controller closes now: the last full one (UTC, as the core's clock reads dates). */
const MONTH = (() => {
  const now = new Date()
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`
})()
const MONTH_LABEL = new Date(`${MONTH}-01T00:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' })
const on = (day: number) => `${MONTH}-${String(day).padStart(2, '0')}`
/** Whole days from `date` to today, as the core counts an item's age. */
const ageOf = (date: string) =>
  Math.floor(
    (Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - Date.parse(`${date}T00:00:00Z`)) / DAY_MS,
  )

const ACCOUNT = `${CAMT_TEST_IBAN}:EUR`

/** The ledger's month on the bank account (+ = money in), with the keys our systems wrote. */
const LEDGER: { id: string; date: string; amount: string; description: string; metadata?: Record<string, string> }[] = [
  {
    id: 'in-acme-0001',
    date: on(2),
    amount: '5000.00',
    description: 'ACME GmbH pays invoice INV-2026-0001',
    metadata: { reference: 'INV-2026-0001' },
  },
  { id: 'payout-0001', date: on(3), amount: '-250.00', description: 'Payout to Lena Fischer', metadata: { payoutId: 'p_0001' } },
  { id: 'supplier-nordwind', date: on(4), amount: '-99.95', description: 'Nordwind Office Supplies, invoice 7731' },
  { id: 'payout-0002', date: on(5), amount: '-40.00', description: 'Payout to Jonas Weber' },
  { id: 'payout-0003', date: on(5), amount: '-60.00', description: 'Payout to Mia Schulz' },
  { id: 'payout-0004', date: on(20), amount: '-75.00', description: 'Payout to Paul Becker (in transit)' },
]

/** What the bank wrote: opening 0.00; 5000 − 250 − 99.95 − 100 − 2.50 + 33 = 4,580.55. */
const STATEMENT = camtText({
  id: `STMT-${MONTH}`,
  seq: 1,
  month: MONTH,
  opening: '0.00',
  closing: '4580.55',
  lines: [
    { amount: '5000.00', dir: 'CRDT', e2e: 'INV-2026-0001', date: on(2), text: 'ACME GMBH INVOICE INV-2026-0001' },
    { amount: '250.00', dir: 'DBIT', e2e: 'p_0001', date: on(3), text: 'PAYOUT LENA FISCHER' },
    { amount: '99.95', dir: 'DBIT', date: on(4), text: 'NORDWIND OFFICE SUPPLIES' },
    { amount: '100.00', dir: 'DBIT', date: on(6), text: 'PAYOUTS WEBER SCHULZ' },
    { amount: '2.50', dir: 'DBIT', date: on(27), text: 'BANK CHARGES ACCOUNT FEE' },
    { amount: '33.00', dir: 'CRDT', date: on(20), text: 'UNKNOWN REMITTER REF 99812' },
  ],
})

/** Notices on screen at most (the notify store's), so closing them is a bounded loop. */
const NOTICES_MAX = 5
const NOTICE_CLOSE_TIMEOUT_MS = 2_000

/**
 * Notices fade on their own; close them so they cover nothing in a screenshot. One may be fading
 * out while it is clicked (detached mid-click): try again, a bounded number of times.
 */
async function shot(page: Page, name: string): Promise<void> {
  const notices = page.locator('[data-testid^="notification-"] button')
  for (let i = 0; i < NOTICES_MAX * 2 && (await notices.count()) > 0; i++)
    await notices
      .first()
      .click({ timeout: NOTICE_CLOSE_TIMEOUT_MS })
      .catch(() => undefined)
  await expect(notices).toHaveCount(0)
  await page.evaluate('window.scrollTo(0, 0)')
  await snap(page, name)
}

/** A dialog as the person sees it: the viewport (a full-page capture draws the overlay over one screen only). */
async function dialogShot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0)
  await page.evaluate('document.fonts.ready.then(() => true)')
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' })
}

async function tab(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).click()
  await expect(page.getByTestId(testId)).toHaveAttribute('aria-selected', 'true')
}

/** A pane's row by the amount it shows. */
function row(page: Page, side: 'statement' | 'ledger', amount: string): Locator {
  return page
    .getByTestId(`recon-pane-${side}-row`)
    .filter({ has: page.getByTestId('recon-item-amount').getByText(amount, { exact: true }) })
}

/** Nothing on the page is wider than the window: no sideways scrolling. */
async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(
    'Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth',
  )
  expect(overflow, `${what} scrolls sideways by ${String(overflow)} px`).toBeLessThanOrEqual(0)
}

/** Every amount inside `scope` is whole inside its table cell. */
async function expectAmountsWhole(scope: Locator): Promise<void> {
  const amounts = scope.locator('[data-amount]')
  expect(await amounts.count()).toBeGreaterThan(0)
  for (const el of await amounts.all()) {
    const fits = await el.evaluate((e) => {
      const cell = e.closest('td, [role="cell"]')
      if (!cell) return true
      const a = e.getBoundingClientRect()
      const c = cell.getBoundingClientRect()
      return a.left >= c.left - 0.5 && a.right <= c.right + 0.5
    })
    expect(fits, `${await el.textContent()} is cut`).toBe(true)
  }
}

test('a month matched with the ledger: import, review suggestions, confirm, resolve an exception, approve, close', async ({
  page,
  matchDesk,
}, testInfo) => {
  test.setTimeout(360_000)
  const problems = watchPageProblems(page)
  const dana = { operatorId: matchDesk.operators.dana.id }
  const api = matchDesk.core.api
  await api.call('ledger.accounts.add', { id: 'bank-eur', name: 'Bank EUR (main)', kind: 'treasury', assetId: 'EUR@stripe' }, dana)
  await api.call(
    'ledger.accounts.add',
    { id: 'world-eur', name: 'Customers and suppliers EUR', kind: 'external', assetId: 'EUR@stripe' },
    dana,
  )
  await api.call('ledger.accounts.add', { id: 'income-eur', name: 'Other income EUR', kind: 'external', assetId: 'EUR@stripe' }, dana)
  await api.call(
    'ledger.entries.post',
    {
      entries: LEDGER.map((e) => {
        const out = e.amount.startsWith('-')
        const a = out ? e.amount.slice(1) : e.amount
        return {
          id: e.id,
          date: e.date,
          description: e.description,
          postings: out
            ? [
                { account: 'world-eur', debit: a },
                { account: 'bank-eur', credit: a },
              ]
            : [
                { account: 'bank-eur', debit: a },
                { account: 'world-eur', credit: a },
              ],
          ...(e.metadata ? { metadata: e.metadata } : {}),
        }
      }),
    },
    dana,
  )
  const statementFile = testInfo.outputPath(`statement-${MONTH}.xml`)
  fs.writeFileSync(statementFile, STATEMENT)

  await page.setViewportSize({ width: 1280, height: 800 })
  await page.goto(matchDesk.url)
  await unlockAs(page, 'Alice Preparer')
  await page.getByTestId('nav-reconciliation').click()

  await test.step('Alice imports the statement, then links its account: the import’s warning turns resolved', async () => {
    await page.getByTestId('recon-drop-input').setInputFiles(statementFile)
    await expect(page.getByTestId('recon-dry-run-summary')).toContainText('a camt.053 file: 1 statement with 6 lines')
    await expect(page.getByTestId('recon-import-submit')).toHaveText('Import 6 lines')
    await page.getByTestId('recon-import-submit').click()
    await expect(page.getByTestId('recon-import-form')).toHaveCount(0)
    const statementRow = page.locator('[data-testid^="recon-statement-row-"]')
    await expect(statementRow.getByTestId('recon-statement-closing')).toHaveText('4,580.55 EUR')
    await expect(statementRow.getByTestId('recon-statement-unmatched')).toHaveText('6 unmatched')
    await expect(statementRow.getByTestId('recon-warnings-badge')).toHaveText('1 warning')
    const account = page.locator(`[data-testid="recon-account"][data-account-id="${ACCOUNT}"]`)
    await account.getByTestId('recon-account-link').click()
    await page.getByTestId('recon-link-select').click()
    await page.getByRole('option', { name: /^Bank EUR \(main\)/ }).click()
    await page.getByTestId('recon-link-confirm').click()
    await expect(account).toHaveAttribute('data-linked', 'true')
    // The warning that the account was not linked no longer counts: grey, "resolved".
    await expect(statementRow.getByTestId('recon-warnings-badge')).toHaveCount(0)
    await expect(statementRow.getByTestId('recon-warnings-resolved')).toHaveText('resolved')
    await expect(page.getByTestId('recon-mappings-empty')).toContainText('No mapping saved yet')
    await shot(page, 'recon-match-01-statements')
  })

  await test.step('the statement page shows the resolved warning in grey', async () => {
    await page.getByTestId('recon-statement-open').click()
    const warnings = page.getByTestId('recon-statement-warnings')
    await expect(warnings).toHaveAttribute('data-resolved', 'true')
    await expect(warnings).toContainText('1 warning from the import, resolved since')
    await expect(warnings.getByTestId('recon-warning-note')).toHaveText('Linked since to Bank EUR (main), bank-eur.')
    await page.getByTestId('recon-back').click()
  })

  await test.step('a CSV column mapping: the core’s schema errors are shown at their fields, then it is saved', async () => {
    await page.getByTestId('recon-mapping-new').click()
    const editor = page.getByTestId('recon-mapping-editor')
    await page.getByTestId('recon-mapping-name').fill('Sparkasse — Umsätze (CSV)')
    await page.getByTestId('recon-mapping-account').fill('DE02120300000000202051')
    await page.getByTestId('recon-mapping-currency').fill('eur')
    await page.getByTestId('recon-mapping-column-date').fill('Buchungstag')
    await page.getByTestId('recon-mapping-save').click()
    const error = page.getByTestId('recon-mapping-error')
    await expect(error).toHaveAttribute('data-code', 'STATEMENT_MAPPING_INVALID')
    await expect(error).toContainText('The column mapping "Sparkasse — Umsätze (CSV)" is not valid')
    await expect(error).toContainText('account.currency: must be a three-letter ISO 4217 code in capitals, such as EUR')
    await expect(error).toContainText('columns.amount: is missing: map one signed amount column, or both a debit and a credit column')
    // Each beside its field.
    await expect(editor.getByText('must be a three-letter ISO 4217 code in capitals, such as EUR', { exact: true })).toBeVisible()
    await expect(
      editor.getByText('is missing: map one signed amount column, or both a debit and a credit column', { exact: true }),
    ).toBeVisible()
    await error.scrollIntoViewIfNeeded()
    await dialogShot(page, 'recon-match-02-mapping-errors')
    await page.getByTestId('recon-mapping-currency').fill('EUR')
    await page.getByTestId('recon-mapping-column-amount').fill('Betrag')
    await page.getByTestId('recon-mapping-save').click()
    await expect(editor).toHaveCount(0)
    const saved = page.locator('[data-testid="recon-mapping"][data-name="Sparkasse — Umsätze (CSV)"]')
    await expect(saved).toContainText('DE02120300000000202051')
    await expect(saved).toContainText('EUR')
  })

  await test.step('side by side before matching: six lines, six postings, all unmatched; search narrows both', async () => {
    await tab(page, 'recon-tab-side')
    await expect(page.getByTestId('recon-match-account')).toHaveValue(ACCOUNT)
    await expect(page.getByTestId('recon-match-ledger')).toContainText('matched against the ledger account Bank EUR (main) (bank-eur)')
    await expect(page.getByTestId('recon-pane-statement-pager-text')).toHaveText('6 lines')
    await expect(page.getByTestId('recon-pane-ledger-pager-text')).toHaveText('6 postings')
    await expect(page.getByTestId('recon-pane-statement').getByTestId('recon-item-state')).toHaveText(Array(6).fill('Unmatched'))
    await expect(row(page, 'statement', '-99.95 EUR').getByTestId('recon-item-text')).toHaveText('NORDWIND OFFICE SUPPLIES')
    await expect(row(page, 'ledger', '-250.00 EUR').getByTestId('recon-item-detail')).toHaveText('p_0001')
    await page.getByTestId('recon-items-search').fill('unknown remitter')
    await expect(page.getByTestId('recon-pane-statement-pager-text')).toHaveText('1 line')
    await expect(page.getByTestId('recon-pane-ledger-empty')).toContainText('No ledger posting fits this filter or search')
    await page.getByTestId('recon-items-search').fill('')
    await expect(page.getByTestId('recon-pane-statement-pager-text')).toHaveText('6 lines')
  })

  await test.step('Preview lists what would be matched, and stores nothing', async () => {
    await page.getByTestId('recon-preview').click()
    const preview = page.getByTestId('recon-preview-result')
    await expect(preview).toContainText('Preview — nothing was stored')
    await expect(preview.getByTestId('recon-run-sentence')).toHaveText(
      '6 open statement lines and 6 open ledger postings compared: 2 would be matched at once, 3 would be suggested for you to confirm, 2 items for the exceptions queue.',
    )
    await expect(preview.getByTestId('recon-preview-row')).toHaveCount(5)
    await expect(preview.locator('[data-testid="recon-preview-row"][data-kind="key"]')).toHaveCount(2)
    await expect(preview.locator('[data-testid="recon-preview-row"][data-kind="1:N"]')).toHaveCount(1)
    await expect(preview.locator('[data-testid="recon-preview-row"][data-kind="fee"]')).toContainText('-2.50 EUR')
    // Nothing was stored: every item is still open, no tab counts anything.
    await expect(page.getByTestId('recon-pane-statement').getByTestId('recon-item-state')).toHaveText(Array(6).fill('Unmatched'))
    await expect(page.getByTestId('recon-tab-matches-count')).toHaveCount(0)
    await shot(page, 'recon-match-03-preview')
  })

  await test.step('Run matching: exact keys matched, three suggested, two in the queue; one match lit on both sides', async () => {
    await page.getByTestId('recon-run').click()
    const result = page.getByTestId('recon-run-result')
    await expect(result.getByTestId('recon-run-sentence')).toHaveText(
      '6 open statement lines and 6 open ledger postings compared: 2 matched at once, 3 suggested for you to confirm, 2 items for the exceptions queue.',
    )
    await expect(result.getByTestId('recon-run-exceptions')).toHaveText('Exceptions by reason: 2 unmatched')
    await expect(page.getByTestId('recon-tab-matches-count')).toHaveText('3')
    await expect(page.getByTestId('recon-tab-exceptions-count')).toHaveText('2')
    await expect(row(page, 'statement', '5,000.00 EUR').getByTestId('recon-item-state')).toHaveText('Matched')
    await expect(row(page, 'statement', '-100.00 EUR').getByTestId('recon-item-state')).toHaveText('Suggested')
    await expect(row(page, 'statement', '33.00 EUR').getByTestId('recon-item-state')).toHaveText('Exception')
    await expect(row(page, 'ledger', '-75.00 EUR').getByTestId('recon-item-state')).toHaveText('Exception')
    // Hovering the bank's one line of two payouts lights both postings on the other side.
    await row(page, 'statement', '-100.00 EUR').hover()
    const lit = page.locator('[data-testid="recon-pane-ledger-row"][data-lit="true"]')
    await expect(lit).toHaveCount(2)
    await expect(lit.getByTestId('recon-item-amount')).toHaveText(['-40.00 EUR', '-60.00 EUR'])
    await page.mouse.move(0, 0)
    await expect(lit).toHaveCount(0)
    // Clicked, they stay lit and the match opens below with why.
    await row(page, 'statement', '-100.00 EUR').click()
    await expect(lit).toHaveCount(2)
    const selected = page.getByTestId('recon-selected')
    await expect(selected).toHaveAttribute('data-kind', '1:N')
    await expect(selected.getByTestId('recon-selected-rule')).toHaveText('Near amount or a group')
    await expect(selected.getByTestId('recon-selected-ledger-total')).toHaveText('-100.00 EUR')
    await shot(page, 'recon-match-04-side-by-side')
  })

  await test.step('the suggestions with their reasons; two confirmed in bulk, the bank charge on its own', async () => {
    await tab(page, 'recon-tab-matches')
    const cards = page.getByTestId('recon-suggestion')
    await expect(cards).toHaveCount(3)
    const same = cards.and(page.locator('[data-kind="1:1"]'))
    const group = cards.and(page.locator('[data-kind="1:N"]'))
    const fee = cards.and(page.locator('[data-kind="fee"]'))
    await expect(same.getByTestId('recon-suggestion-rule')).toHaveText('Same amount')
    await expect(same.getByTestId('recon-suggestion-days')).toHaveText(`${on(4)} · same day`)
    await expect(same.getByTestId('recon-suggestion-variance')).toHaveText('none')
    await expect(same.getByTestId('recon-suggestion-summary')).not.toBeEmpty()
    await expect(group.getByTestId('recon-suggestion-rule')).toHaveText('Near amount or a group')
    await expect(group.getByTestId('recon-suggestion-days')).toHaveText(`${on(6)} · 1 day apart`)
    await expect(group.getByTestId('recon-suggestion-ledger-amount')).toHaveText(['-40.00 EUR', '-60.00 EUR'])
    await expect(fee.getByTestId('recon-suggestion-rule')).toHaveText('Bank charges')
    await expect(fee.getByTestId('recon-suggestion-variance')).toHaveText('-2.50 EUR')
    await expect(fee.getByTestId('recon-suggestion-ledger')).toContainText(
      'Not in the ledger yet — confirming proposes it as a bank charge.',
    )
    await same.getByTestId('recon-suggestion-check').check()
    await group.getByTestId('recon-suggestion-check').check()
    await expect(page.getByTestId('recon-suggestions-selected')).toHaveText('2 selected')
    await expect(page.getByTestId('recon-confirm-selected')).toHaveText('Confirm selected (2)')
    await shot(page, 'recon-match-05-suggestions')
    await page.getByTestId('recon-confirm-selected').click()
    await expect(cards).toHaveCount(1)
    await expect(page.getByTestId('recon-tab-matches-count')).toHaveText('1')
    await fee.getByTestId('recon-suggestion-confirm').click()
    await expect(page.getByTestId('recon-suggestions-empty')).toContainText('No suggestions waiting')
    await expect(page.getByTestId('recon-tab-adjustments-count')).toHaveText('1')
    await page
      .getByTestId('recon-matches-view')
      .getByText(/^Confirmed/)
      .click()
    await expect(page.getByTestId('recon-confirmed')).toHaveCount(5)
    await expect(page.getByTestId('recon-matches-view')).toContainText('Confirmed · 5')
  })

  await test.step('the exceptions queue: the unknown credit, assigned and noted', async () => {
    await tab(page, 'recon-tab-exceptions')
    await expect(page.getByTestId('recon-exception')).toHaveCount(2)
    await page.getByTestId('recon-exceptions-side').getByText('Statement', { exact: true }).click()
    const credit = page.getByTestId('recon-exception')
    await expect(credit).toHaveCount(1)
    await expect(credit).toHaveAttribute('data-reason', 'unmatched')
    await expect(credit.getByTestId('recon-exception-amount')).toHaveText('33.00 EUR')
    await expect(credit.getByTestId('recon-exception-age')).toHaveText(`${on(20)} · waiting ${ageOf(on(20))} days`)
    await expect(credit.getByTestId('recon-exception-assignee')).toHaveText('Unassigned')
    await credit.getByTestId('recon-exception-assign-me').click()
    await expect(credit.getByTestId('recon-exception-assignee')).toHaveText('Assigned to Alice Preparer')
    await credit.getByTestId('recon-exception-note-add').click()
    await page.getByTestId('recon-note-dialog-text').fill('Asked the bank for the remitter: a refund from a supplier')
    await page.getByTestId('recon-note-dialog-submit').click()
    await expect(credit.getByTestId('recon-exception-note')).toContainText('Alice Preparer')
    await expect(credit.getByTestId('recon-exception-note')).toContainText('Asked the bank for the remitter: a refund from a supplier')
    await shot(page, 'recon-match-06-exceptions')
  })

  await test.step('Match by hand adds up what is picked as it is picked, and asks where a difference goes', async () => {
    const credit = page.getByTestId('recon-exception')
    await credit.getByTestId('recon-exception-match').click()
    await expect(page.getByTestId('recon-tab-side')).toHaveAttribute('aria-selected', 'true')
    await expect(row(page, 'statement', '33.00 EUR')).toHaveAttribute('data-picked', 'true')
    const panel = page.getByTestId('recon-manual')
    await expect(panel.getByTestId('recon-manual-statement-total')).toHaveText('33.00 EUR')
    await expect(panel.getByTestId('recon-manual-ledger-total')).toHaveText('0.00 EUR')
    await expect(panel.getByTestId('recon-manual-difference')).toHaveText('+33.00 EUR')
    // A matched posting cannot be picked; the open one can.
    await expect(row(page, 'ledger', '-250.00 EUR').getByTestId('recon-item-pick')).toBeDisabled()
    await row(page, 'ledger', '-75.00 EUR').getByTestId('recon-item-pick').check()
    await expect(panel.getByTestId('recon-manual-ledger-total')).toHaveText('-75.00 EUR')
    await expect(panel.getByTestId('recon-manual-difference')).toHaveText('+108.00 EUR')
    await expect(panel.getByTestId('recon-manual-account')).toBeVisible()
    await page.getByTestId('recon-manual-note').fill('Not these two: checking')
    await expect(page.getByTestId('recon-manual-submit')).toBeDisabled()
    await shot(page, 'recon-match-07-manual')
    await page.getByTestId('recon-manual-clear').click()
    await expect(panel).toHaveCount(0)
    await tab(page, 'recon-tab-exceptions')
  })

  await test.step('the unknown credit is booked to other income', async () => {
    const credit = page.getByTestId('recon-exception')
    await expect(credit).toHaveCount(1)
    await credit.getByTestId('recon-exception-book').click()
    const dialog = page.getByTestId('recon-resolve-dialog')
    await expect(dialog.getByTestId('recon-resolve-amount')).toHaveText('33.00 EUR')
    await page.getByTestId('recon-resolve-account').click()
    // Only EUR accounts other than the bank account itself.
    await expect(page.getByRole('option')).toHaveText(['Customers and suppliers EUR — world-eur', 'Other income EUR — income-eur'])
    await page.getByRole('option', { name: 'Other income EUR — income-eur' }).click()
    await page.getByTestId('recon-resolve-note').fill('Refund from Nordwind, confirmed by email')
    await dialogShot(page, 'recon-match-08-book')
    await page.getByTestId('recon-resolve-submit').click()
    await expect(dialog).toHaveCount(0)
    await expect(page.getByTestId('recon-exceptions-empty')).toContainText('No open exception fits these filters')
    await page.getByTestId('recon-exceptions-state').getByText('Resolved', { exact: true }).click()
    await expect(credit.getByTestId('recon-exception-resolution')).toContainText('booked: Refund from Nordwind, confirmed by email')
    await page.getByTestId('recon-exceptions-state').getByText('Open', { exact: true }).click()
    await page.getByTestId('recon-exceptions-side').getByText('Both sides', { exact: true }).click()
    // What is left: the payout still in transit, on the ledger side.
    await expect(page.getByTestId('recon-exception')).toHaveCount(1)
    await expect(page.getByTestId('recon-exception')).toHaveAttribute('data-side', 'ledger')
    await expect(page.getByTestId('recon-tab-exceptions-count')).toHaveText('1')
  })

  await test.step('Alice cannot approve the adjustments she proposed', async () => {
    await tab(page, 'recon-tab-adjustments')
    const rows = page.getByTestId('recon-adjustment')
    await expect(rows).toHaveCount(2)
    await expect(rows.getByTestId('recon-adjustment-amount')).toHaveText(['33.00 EUR', '-2.50 EUR'])
    await expect(rows.first().getByTestId('recon-adjustment-counter')).toContainText('against Other income EUR (income-eur)')
    await expect(rows.getByTestId('recon-adjustment-proposer')).toHaveText(['Alice Preparer', 'Alice Preparer'])
    await expect(rows.getByTestId('recon-adjustment-approve')).toHaveCount(2)
    for (const b of await rows.getByTestId('recon-adjustment-approve').all()) await expect(b).toBeDisabled()
    await expect(rows.getByTestId('recon-adjustment-why')).toHaveText(Array(2).fill('You proposed it — a second person approves.'))
    await rows.first().getByTestId('recon-adjustment-approve-why').hover()
    await expect(page.getByRole('tooltip')).toHaveText('You proposed this adjustment: a second person must approve or reject it.')
    await shot(page, 'recon-match-09-adjustments-proposer')
  })

  await test.step('Bob is refused closing the month while adjustments wait, and told how many', async () => {
    await unlockAs(page, 'Bob Approver')
    await page.getByTestId('nav-reconciliation').click()
    await tab(page, 'recon-tab-drift')
    await expect(page.getByTestId('recon-close-period')).toHaveValue(`${MONTH} · ${MONTH_LABEL}`)
    await expect(page.getByTestId('recon-match-readonly')).toHaveText(
      'You need the preparer or admin role to run matching and work the exceptions queue.',
    )
    await page.getByTestId('recon-close-open').click()
    await page.getByTestId('recon-close-submit').click()
    const error = page.getByTestId('recon-close-error')
    await expect(error).toHaveAttribute('data-code', 'RECON_PERIOD_OPEN_ITEMS')
    await expect(error).toContainText(`${MONTH} of ${ACCOUNT} still has 2 proposed adjustments waiting for a second person's approval`)
    await expect(error.getByTestId('recon-close-waiting-adjustments')).toHaveText('2 proposed adjustments wait for approval')
    await expect(error.getByTestId('recon-close-waiting-suggested')).toHaveCount(0)
    await dialogShot(page, 'recon-match-10-close-refused')
    await error.getByRole('button', { name: 'Open adjustments' }).click()
    await expect(page.getByTestId('recon-tab-adjustments')).toHaveAttribute('aria-selected', 'true')
  })

  await test.step('Bob approves both adjustments: posted to the ledger', async () => {
    const rows = page.getByTestId('recon-adjustment')
    await expect(rows).toHaveCount(2)
    await rows.first().getByTestId('recon-adjustment-approve').click()
    await expect(rows).toHaveCount(1)
    await rows.first().getByTestId('recon-adjustment-approve').click()
    await expect(page.getByTestId('recon-adjustments-empty')).toContainText('Nothing waits for approval')
    await expect(page.getByTestId('recon-tab-adjustments-count')).toHaveCount(0)
    await page.getByTestId('recon-adjustments-state').getByText('Posted', { exact: true }).click()
    await expect(rows).toHaveCount(2)
    await expect(rows.getByTestId('recon-adjustment-decided')).toHaveText([/^Posted by Bob Approver/, /^Posted by Bob Approver/])
    await shot(page, 'recon-match-11-adjustments-posted')
  })

  await test.step('the drift is explained to the cent: the payout in transit, nothing unexplained', async () => {
    await tab(page, 'recon-tab-drift')
    // Ledger 4,505.55 − statement 4,580.55 on the 28th: the -75.00 payout the bank has not shown yet.
    await expect(page.getByTestId('recon-drift-difference')).toHaveText('-75.00 EUR')
    await expect(page.getByTestId('recon-drift-ledger').getByTestId('recon-drift-part-amount')).toHaveText('-75.00 EUR')
    await expect(page.getByTestId('recon-drift-statement').getByTestId('recon-drift-part-amount')).toHaveText('0.00 EUR')
    await expect(page.getByTestId('recon-drift-adjustments').getByTestId('recon-drift-part-amount')).toHaveText('0.00 EUR')
    await expect(page.getByTestId('recon-drift-unexplained').getByTestId('recon-drift-part-amount')).toHaveText('0.00 EUR')
    await expect(page.getByTestId('recon-drift-unexplained')).not.toHaveAttribute('data-unexplained', 'true')
    await expect(page.getByTestId('recon-drift-ok')).toHaveText('Nothing unexplained.')
    await expect(page.getByTestId('recon-drift-chart').locator('svg.recharts-surface')).toBeVisible()
    await expect(page.getByTestId('recon-periods-empty')).toBeVisible()
    await shot(page, 'recon-match-12-drift')
  })

  await test.step('Bob closes the month; its matches cannot be undone any more', async () => {
    await page.getByTestId('recon-close-open').click()
    await page.getByTestId('recon-close-submit').click()
    await expect(page.getByTestId('recon-close-dialog')).toHaveCount(0)
    const period = page.locator(`[data-testid="recon-period"][data-period="${MONTH}"]`)
    await expect(period).toContainText(MONTH_LABEL)
    await expect(period).toContainText('Bob Approver')
    await expect(period.getByTestId('recon-period-matches')).toHaveText('6')
    await expect(period.getByTestId('recon-period-open')).toHaveText('1')
    await expect(period.getByTestId('recon-period-drift')).toHaveText('-75.00 EUR')
    await expect(page.getByTestId('recon-close-open')).toBeDisabled()
    await shot(page, 'recon-match-13-closed')
    await tab(page, 'recon-tab-matches')
    await page
      .getByTestId('recon-matches-view')
      .getByText(/^Confirmed/)
      .click()
    const confirmed = page.getByTestId('recon-confirmed')
    await expect(confirmed).toHaveCount(6)
    for (const b of await confirmed.getByTestId('recon-confirmed-unmatch').all()) await expect(b).toBeDisabled()
    await expect(confirmed.first().getByTestId('recon-confirmed-locked')).toHaveText(`Locked: ${MONTH} is closed.`)
    await confirmed.first().getByTestId('recon-confirmed-unmatch-why').hover()
    await expect(page.getByRole('tooltip')).toHaveText(
      `${MONTH_LABEL} is closed: its matches are locked — correct it in the current period instead.`,
    )
  })

  await test.step('at 1024×700 the panes sit side by side and the statement lines fit without scrolling sideways', async () => {
    await page.setViewportSize({ width: 1024, height: 700 })
    await tab(page, 'recon-tab-side')
    await expect(row(page, 'statement', '-100.00 EUR').getByTestId('recon-item-state')).toHaveText('Matched')
    await expect(row(page, 'statement', '33.00 EUR').getByTestId('recon-item-state')).toHaveText('Matched')
    await expect(row(page, 'ledger', '-75.00 EUR').getByTestId('recon-item-state')).toHaveText('Exception')
    const boxes = await Promise.all(['statement', 'ledger'].map((s) => page.getByTestId(`recon-pane-${s}`).boundingBox()))
    expect(boxes[0]!.x + boxes[0]!.width).toBeLessThanOrEqual(boxes[1]!.x)
    expect(Math.abs(boxes[0]!.y - boxes[1]!.y)).toBeLessThan(1)
    await expectNoSidewaysScroll(page, 'the side-by-side panes')
    await expectAmountsWhole(page.getByTestId('recon-side-by-side'))
    await shot(page, 'recon-match-14-side-by-side-1024')
    await tab(page, 'recon-tab-statements')
    await page.getByTestId('recon-statement-open').click()
    await expect(page.getByTestId('recon-lines-frame')).toHaveAttribute('data-narrow', 'true')
    const sideways = await page
      .getByTestId('recon-lines-table')
      .locator(':scope > div')
      .first()
      .evaluate((e) => e.scrollWidth - e.clientWidth)
    expect(sideways, 'the statement lines table scrolls sideways').toBeLessThanOrEqual(0)
    await expect(page.getByTestId('recon-line-state')).toHaveText(Array(6).fill('Matched'))
    await expectNoSidewaysScroll(page, 'the statement page')
    await shot(page, 'recon-match-15-lines-1024')
  })

  expect(problems).toEqual([])
})
