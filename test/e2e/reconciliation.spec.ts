/**
 * Bank statements as finance staff bring them in, in a workspace of its own served by browser
 * mode: Alice picks a camt.053 file, reads the dry run (account, period, opening, in, out, closing,
 * lines, the warning that the account is not linked), imports it, finds it in the list with its
 * amounts exact (1,234,567,891,103.17, grouped, every digit kept), links its account to
 * the EUR ledger account and reads its three lines. A statement imported meanwhile through the API
 * appears without a reload (`recon.changed`). Dropping the same file again is refused as a
 * duplicate, naming the first import; a file whose closing balance does not add up is refused
 * with its numbers. Each state is photographed under test-results/e2e/screenshots/recon-NN-*.png,
 * at 1440×900 and again at 1024×700.
 */
import fs from 'node:fs'
import path from 'node:path'
import { test as base, type Page } from '@playwright/test'
import { STATEMENT_CHUNK_CHARS_MAX } from '../../src/shared/limits'
import { CAMT_TEST_IBAN, camtText, type CamtLine } from '../recon/camtText'
import { expect, SCREENSHOT_DIR, snap, unlockAs, watchPageProblems, workspaceFixture, type Workspace } from './fixtures'

/** A workspace of its own: treasury.spec expects Reconciliation empty in the shared one. */
const test = base.extend<object, { reconDesk: Workspace }>({
  reconDesk: [workspaceFixture, { scope: 'worker' }],
})
test.describe.configure({ mode: 'serial' })

const IBAN = CAMT_TEST_IBAN
const ACCOUNT = `${IBAN}:EUR`
const camt = camtText

/**
 * 1000.00 − 19.99 − 0.29 + 1,234,567,890,123.45 = 1,234,567,891,103.17.
 */
const NOVEMBER = camt({
  id: 'STMT-2026-11',
  seq: 11,
  opening: '1000.00',
  closing: '1234567891103.17',
  lines: [
    { amount: '19.99', dir: 'DBIT', e2e: 'pay_001' },
    { amount: '0.29', dir: 'DBIT', e2e: 'pay_002' },
    { amount: '1234567890123.45', dir: 'CRDT', e2e: 'INV-77' },
  ],
})

const DECEMBER = camt({
  id: 'STMT-2026-12',
  seq: 12,
  month: '2026-12',
  opening: '1234567891103.17',
  closing: '1234567891003.17',
  lines: [{ amount: '100.00', dir: 'DBIT', e2e: 'pay_003' }],
})

/** Not imported: its dry run is looked at on a small screen. */
const JANUARY = camt({
  id: 'STMT-2027-01',
  seq: 13,
  month: '2027-01',
  opening: '1234567891003.17',
  closing: '1234567891003.18',
  lines: [{ amount: '0.01', dir: 'CRDT', e2e: 'INT-2027-01' }],
})

/** Lines that add up to 80.01, a closing balance of 80.00. */
const UNBALANCED = camt({ id: 'BAD', seq: 1, opening: '100.00', closing: '80.00', lines: [{ amount: '19.99', dir: 'DBIT' }] })

/** A statement longer than one request carries (STATEMENT_CHUNK_CHARS_MAX): it goes in chunks. */
function largeStatement(): { text: string; lines: number } {
  const lines: CamtLine[] = []
  let text = ''
  for (let round = 0; round < LARGE_ROUNDS_MAX && text.length <= STATEMENT_CHUNK_CHARS_MAX; round++) {
    for (let i = 0; i < LARGE_LINES_PER_ROUND; i++) lines.push({ amount: '1.00', dir: 'CRDT', e2e: `BULK-${lines.length + 1}` })
    text = camt({ id: 'BULK-2026-11', seq: 1, iban: LARGE_IBAN, opening: '0.00', closing: `${lines.length}.00`, lines })
  }
  if (text.length <= STATEMENT_CHUNK_CHARS_MAX) throw new Error('the large statement did not grow past one chunk')
  return { text, lines: lines.length }
}
/** The start of a frame, where its call name is. */
const FRAME_HEAD_CHARS = 200
const LARGE_IBAN = 'DE02120300000000202051'
const LARGE_LINES_PER_ROUND = 2_000
const LARGE_ROUNDS_MAX = 10

/** Confirmations fade on their own; close them so they cover nothing in a screenshot. */
async function shot(page: Page, name: string): Promise<void> {
  const notices = page.locator('[data-testid^="notification-"] button')
  while ((await notices.count()) > 0) await notices.first().click()
  await page.evaluate('window.scrollTo(0, 0)')
  await snap(page, name)
}

/** A dialog as the person sees it: the viewport (a full-page capture draws the overlay over one screen only). */
async function dialogShot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0)
  await page.evaluate('document.fonts.ready.then(() => true)')
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' })
}

/** Drops a file on an element as a person dragging it from the desktop would. */
async function dropFile(page: Page, testId: string, name: string, text: string): Promise<void> {
  // Made in the page, from its window (this file is typed without the DOM's globals).
  const dataTransfer = await page.getByTestId(testId).evaluateHandle(
    (el, [fileName, content]) => {
      const win = el.ownerDocument.defaultView
      if (!win) throw new Error('the drop zone is not in a window')
      const dt = new win.DataTransfer()
      dt.items.add(new win.File([content], fileName, { type: 'application/xml' }))
      return dt
    },
    [name, text] as const,
  )
  await page.getByTestId(testId).dispatchEvent('dragover', { dataTransfer })
  await page.getByTestId(testId).dispatchEvent('drop', { dataTransfer })
}

/** Every amount in the table fits its cell whole: nothing is clipped or hidden behind the next column. */
async function expectNothingCut(page: Page, tableTestId: string): Promise<void> {
  const amounts = page.getByTestId(tableTestId).locator('[data-amount]')
  expect(await amounts.count()).toBeGreaterThan(0)
  for (const el of await amounts.all()) {
    const fits = await el.evaluate((e) => {
      const cell = e.closest('[role="cell"]')
      if (!cell) return false
      const a = e.getBoundingClientRect()
      const c = cell.getBoundingClientRect()
      return a.left >= c.left - 0.5 && a.right <= c.right + 0.5 && cell.scrollWidth <= cell.clientWidth
    })
    expect(fits, `${tableTestId}: ${await el.textContent()} is cut`).toBe(true)
  }
}

test('statements: checked, imported exactly, listed, linked, read line by line; duplicates and bad balances refused', async ({
  page,
  reconDesk,
}, testInfo) => {
  test.setTimeout(120_000)
  const problems = watchPageProblems(page)
  // Which calls the page sent (browser mode speaks JSON over one WebSocket): the chunks of a large file.
  const sentCalls: string[] = []
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => {
      const name = /"name":"([a-z.A-Z]+)"/.exec(String(f.payload).slice(0, FRAME_HEAD_CHARS))?.[1]
      if (name) sentCalls.push(name)
    }),
  )
  const dana = { operatorId: reconDesk.operators.dana.id }
  const alice = { operatorId: reconDesk.operators.alice.id }
  await reconDesk.core.api.call(
    'ledger.accounts.add',
    { id: 'bank-eur', name: 'Bank EUR (main)', kind: 'treasury', assetId: 'EUR@stripe' },
    dana,
  )
  const novemberFile = testInfo.outputPath('nov.xml')
  const unbalancedFile = testInfo.outputPath('bad-balance.xml')
  const januaryFile = testInfo.outputPath('jan.xml')
  fs.writeFileSync(novemberFile, NOVEMBER)
  fs.writeFileSync(januaryFile, JANUARY)
  fs.writeFileSync(unbalancedFile, UNBALANCED)

  await page.goto(reconDesk.url)
  await unlockAs(page, 'Alice Preparer')
  await page.getByTestId('nav-reconciliation').click()

  await test.step('the empty view: no statements, no accounts, when it was loaded', async () => {
    await expect(page.getByTestId('view-title')).toHaveText('Reconciliation')
    await expect(page.getByTestId('recon-statements-table-empty')).toBeVisible()
    await expect(page.getByTestId('recon-accounts-empty')).toBeVisible()
    await expect(page.getByTestId('recon-statements-count')).toHaveText(/^0 statements · updated \d\d:\d\d:\d\d$/)
    await shot(page, 'recon-01-empty')
  })

  await test.step('the dry run says what would be imported, and that the account is not linked', async () => {
    await page.getByTestId('recon-import-open').click()
    await page.getByTestId('recon-import-drop-input').setInputFiles(novemberFile)
    const dry = page.getByTestId('recon-dry-run')
    await expect(dry).toBeVisible()
    await expect(page.getByTestId('recon-import-file-name')).toContainText('nov.xml')
    await expect(page.getByTestId('recon-dry-run-summary')).toContainText('nov.xml is a camt.053 file: 1 statement with 3 lines')
    const row = page.getByTestId('recon-dry-run-statement')
    await expect(row).toHaveCount(1)
    await expect(row).toContainText('STMT-2026-11')
    await expect(row).toContainText('sequence 11')
    await expect(row.getByTestId('recon-dry-run-account')).toHaveText(ACCOUNT)
    await expect(row).toContainText('2026-11-01 – 2026-11-28')
    await expect(row.getByTestId('recon-dry-run-opening')).toHaveText('1,000.00')
    await expect(row.getByTestId('recon-dry-run-in')).toHaveText('1,234,567,890,123.45')
    await expect(row.getByTestId('recon-dry-run-out')).toHaveText('-20.28')
    await expect(row.getByTestId('recon-dry-run-closing')).toHaveText('1,234,567,891,103.17')
    await expect(row.getByTestId('recon-dry-run-lines')).toHaveText('3')
    const warning = page.getByTestId('recon-dry-run-warnings').getByTestId('recon-warning')
    await expect(warning).toHaveCount(1)
    await expect(warning).toHaveAttribute('data-code', 'ACCOUNT_UNLINKED')
    await expect(warning).toContainText('Account not linked to the ledger')
    await expect(warning).toContainText(`The statement account ${ACCOUNT} is not linked to a ledger account yet`)
    // Only ledger accounts in EUR are offered for the link.
    await page.getByTestId('recon-import-link').click()
    await expect(page.getByRole('option', { name: /Bank EUR \(main\)/ })).toBeVisible()
    await expect(page.getByRole('option', { name: /USD|USDC/ })).toHaveCount(0)
    await page.getByRole('option', { name: 'Not now (link it later)' }).click()
    await expect(page.getByTestId('recon-import-submit')).toHaveText('Import 3 lines')
    await dialogShot(page, 'recon-02-dry-run')
  })

  await test.step('imported: listed with its amounts exact; its account waits to be linked', async () => {
    await page.getByTestId('recon-import-submit').click()
    await expect(page.getByTestId('recon-import-form')).toHaveCount(0)
    await expect(page.getByTestId('recon-statements-count')).toHaveText(/^1 statement · updated /)
    const row = page.locator('[data-testid^="recon-statement-row-"]')
    await expect(row).toHaveCount(1)
    await expect(row.getByTestId('recon-statement-open')).toHaveText('STMT-2026-11')
    await expect(row.getByTestId('recon-statement-period')).toHaveText('2026-11-01 – 2026-11-28')
    await expect(row.getByTestId('recon-statement-account')).toHaveAttribute('data-account', ACCOUNT)
    await expect(row.getByTestId('recon-statement-sequence')).toHaveText('sequence 11 · camt.053')
    await expect(row.getByTestId('recon-statement-opening')).toHaveText('1,000.00 EUR')
    await expect(row.getByTestId('recon-statement-in')).toHaveText('1,234,567,890,123.45 EUR')
    await expect(row.getByTestId('recon-statement-out')).toHaveText('-20.28 EUR')
    await expect(row.getByTestId('recon-statement-closing')).toHaveText('1,234,567,891,103.17 EUR')
    await expect(row.getByTestId('recon-statement-lines')).toHaveText('3')
    await expect(row.getByTestId('recon-statement-unmatched')).toHaveText('3 unmatched')
    await expect(row.getByTestId('recon-warnings-badge')).toHaveText('1 warning')
    const account = page.locator(`[data-testid="recon-account"][data-account-id="${ACCOUNT}"]`)
    await expect(account).toHaveAttribute('data-linked', 'false')
    await expect(account.getByTestId('recon-account-closing')).toHaveText('1,234,567,891,103.17 EUR')
    await shot(page, 'recon-03-imported')
  })

  await test.step('Alice links the statement account to the EUR ledger account', async () => {
    const account = page.locator(`[data-testid="recon-account"][data-account-id="${ACCOUNT}"]`)
    await account.getByTestId('recon-account-link').click()
    // The only EUR ledger account is chosen already.
    await expect(page.getByTestId('recon-link-select')).toHaveValue('Bank EUR (main) — bank-eur (EUR@stripe)')
    await dialogShot(page, 'recon-04-link')
    await page.getByTestId('recon-link-confirm').click()
    await expect(page.getByTestId('recon-link-dialog')).toHaveCount(0)
    await expect(account).toHaveAttribute('data-linked', 'true')
    await expect(account.getByTestId('recon-account-ledger')).toContainText('Bank EUR (main)')
  })

  await test.step('a statement imported elsewhere appears without a reload', async () => {
    await reconDesk.core.api.call('recon.import', { content: DECEMBER, fileName: 'dec.xml' }, alice)
    await expect(page.getByTestId('recon-statements-count')).toHaveText(/^2 statements · updated /)
    const first = page.locator('[data-testid^="recon-statement-row-"]').first()
    await expect(first.getByTestId('recon-statement-open')).toHaveText('STMT-2026-12')
    await expect(first.getByTestId('recon-statement-closing')).toHaveText('1,234,567,891,003.17 EUR')
    await expect(first.getByTestId('recon-warnings-none')).toBeVisible()
    await shot(page, 'recon-05-list')
  })

  await test.step('the statement opens on its balances, its warning and its three lines', async () => {
    await page.getByTestId('recon-statement-open').filter({ hasText: 'STMT-2026-11' }).click()
    await expect(page.getByTestId('view-title')).toHaveText('STMT-2026-11')
    await expect(page.getByTestId('recon-statement-meta')).toContainText(
      `${ACCOUNT} · sequence 11 · 2026-11-01 – 2026-11-28 · camt.053 file nov.xml`,
    )
    await expect(page.getByTestId('recon-statement-meta')).toContainText('by Alice Preparer')
    const amounts = page.getByTestId('recon-statement-balances').getByTestId('recon-balance-amount')
    await expect(amounts).toHaveText(['1,000.00 EUR', '1,234,567,890,123.45 EUR', '-20.28 EUR', '1,234,567,891,103.17 EUR'])
    await expect(page.getByTestId('recon-statement-warnings').getByTestId('recon-warning')).toHaveAttribute('data-code', 'ACCOUNT_UNLINKED')
    await expect(page.getByTestId('recon-warning-note')).toHaveText('Linked since to Bank EUR (main), bank-eur.')
    await expect(page.getByTestId('recon-lines-count')).toHaveText(/^3 of 3 lines · updated /)
    const line = (n: number) => page.getByTestId(`recon-line-${n}`)
    await expect(line(1).getByTestId('recon-line-amount')).toHaveText('-19.99 EUR')
    await expect(line(2).getByTestId('recon-line-amount')).toHaveText('-0.29 EUR')
    await expect(line(3).getByTestId('recon-line-amount')).toHaveText('1,234,567,890,123.45 EUR')
    // Money out is red, money in is not.
    const colorOf = (n: number) =>
      line(n)
        .getByTestId('recon-line-amount')
        .evaluate((e) => e.ownerDocument.defaultView?.getComputedStyle(e).color)
    expect(await colorOf(1)).not.toBe(await colorOf(3))
    await expect(line(1).getByTestId('recon-line-booking')).toHaveText('2026-11-01')
    await expect(line(1).getByTestId('recon-line-value')).toHaveText('2026-11-02')
    await expect(line(1).getByTestId('recon-line-e2e')).toHaveText('pay_001')
    await expect(line(1).getByTestId('recon-line-bank-ref')).toHaveText('BANK-11-1')
    await expect(line(3).getByTestId('recon-line-e2e')).toHaveText('INV-77')
    await expect(line(2).getByTestId('recon-line-remittance')).toHaveText('Invoice 2')
    await expect(line(1).getByTestId('recon-line-type')).toHaveText(/PMNT/)
    await expect(page.getByTestId('recon-line-state')).toHaveText(['Unmatched', 'Unmatched', 'Unmatched'])
    await shot(page, 'recon-06-lines')
    await page.getByTestId('recon-back').click()
  })

  await test.step('the same file dropped again is refused, naming the first import', async () => {
    await dropFile(page, 'recon-drop', 'nov-copy.xml', NOVEMBER)
    const error = page.getByTestId('recon-import-error')
    await expect(error).toHaveAttribute('data-code', 'STATEMENT_DUPLICATE')
    await expect(error).toContainText('nov-copy.xml was imported already (as nov.xml on')
    await expect(error).toContainText('nothing was imported again')
    await expect(error.getByTestId('recon-import-duplicate-of')).toHaveText(
      /^First imported \d{4}-\d\d-\d\d \d\d:\d\d:\d\d as nov\.xml \(STMT-2026-11\) by Alice Preparer — file stf_[0-9a-f]+\.$/,
    )
    await expect(page.getByTestId('recon-import-submit')).toBeDisabled()
    await expect(page.getByTestId('recon-dry-run')).toHaveCount(0)
    await dialogShot(page, 'recon-07-duplicate')
  })

  await test.step('a file whose closing balance does not add up is refused with its numbers', async () => {
    await page.getByTestId('recon-import-drop-input').setInputFiles(unbalancedFile)
    const error = page.getByTestId('recon-import-error')
    await expect(error).toHaveAttribute('data-code', 'STATEMENT_UNBALANCED')
    await expect(error).toContainText('opening 100.00 EUR + booked lines -19.99 EUR = 80.01 EUR, but the closing balance is 80.00 EUR')
    await expect(error.getByTestId('recon-import-error-item')).toContainText(/^Where in the file: /)
    await expect(page.getByTestId('recon-import-submit')).toBeDisabled()
    await dialogShot(page, 'recon-08-unbalanced')
  })

  await test.step('a file larger than one request goes in chunks, with its progress, and is checked whole', async () => {
    const large = largeStatement()
    const largeFile = testInfo.outputPath('bulk.xml')
    fs.writeFileSync(largeFile, large.text)
    const before = sentCalls.length
    await page.getByTestId('recon-import-drop-input').setInputFiles(largeFile)
    await expect(page.getByTestId('recon-dry-run-summary')).toContainText(
      `bulk.xml is a camt.053 file: 1 statement with ${large.lines.toLocaleString('en-US')} lines`,
      { timeout: 60_000 },
    )
    await expect(page.getByTestId('recon-dry-run-closing')).toHaveText(`${large.lines.toLocaleString('en-US')}.00`)
    const calls = sentCalls.slice(before)
    expect(calls.filter((c) => c === 'recon.upload')).toHaveLength(Math.ceil(large.text.length / STATEMENT_CHUNK_CHARS_MAX))
    expect(calls.filter((c) => c === 'recon.import')).toHaveLength(1)
  })

  await test.step('at 1024×700 nothing is cut: the dry run, the list and the lines', async () => {
    await page.setViewportSize({ width: 1024, height: 700 })
    await page.getByTestId('recon-import-drop-input').setInputFiles(januaryFile)
    const row = page.getByTestId('recon-dry-run-statement')
    await expect(row.getByTestId('recon-dry-run-closing')).toHaveText('1,234,567,891,003.18')
    await expect(page.getByTestId('recon-import-error')).toHaveCount(0)
    await dialogShot(page, 'recon-09-dry-run-1024')
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
    await expect(page.getByTestId('recon-import-form')).toHaveCount(0)
    await shot(page, 'recon-10-list-1024')
    await expectNothingCut(page, 'recon-statements-table')
    // Nothing to scroll sideways: every column of the statements table fits the window.
    const sideways = await page
      .getByTestId('recon-statements-table')
      .locator('> div')
      .first()
      .evaluate((el) => el.scrollWidth - el.clientWidth)
    expect(sideways, 'the statements table scrolls sideways at 1024 px').toBeLessThanOrEqual(0)
    await page.getByTestId('recon-statement-open').filter({ hasText: 'STMT-2026-11' }).click()
    await expect(page.getByTestId('recon-line-3')).toBeVisible()
    await shot(page, 'recon-11-lines-1024')
    await expectNothingCut(page, 'recon-lines-table')
  })

  expect(problems).toEqual([])
})
