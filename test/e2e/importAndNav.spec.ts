/**
 * Issue 17, findings 5 and 11, as a finance person meets them in the sandbox: every import problem
 * in full (no "…"), a row on a network the workspace has not set up flagged at import with a
 * sentence that says what to do in the app, a CSV dropped on the Payouts view, the CSV template
 * (it imports as it is), the "waiting for your approval" count in the navigation (live, also in the
 * icon-only navigation), keyboard shortcuts, and batch names that are links.
 */
import fs from 'node:fs'
import { getAddress, keccak256, toHex } from 'viem'
import { expect, snap, unlockAs, watchPageProblems } from './fixtures'
import { sharedSandboxTest as test } from './sandboxFixtures'

const PAYEES = [1, 2, 3, 4].map((n) => getAddress(keccak256(toHex(`countersign import-nav payee ${n}`)).slice(0, 42)))
const HEADER = 'id,rail,network,asset,recipient,amount,reference,name'

test.describe.configure({ mode: 'serial' })

test('import problems in full, networks not set up, drop, template, approval count, shortcuts, links', async ({
  page,
  sharedSandbox: ws,
}) => {
  const problems = watchPageProblems(page)
  const api = ws.sandbox.core.api
  const as = (name: string) => ({ operatorId: ws.operator(name).id })

  await page.goto(ws.url)
  await unlockAs(page, 'Alice Preparer')
  await page.getByTestId('nav-payouts').click()

  await test.step('every problem is shown whole, and a row on Base (not set up here) is flagged with what to do', async () => {
    const csv = [
      HEADER,
      // A precision problem: its sentence is long, the kind that used to end in "…".
      `in-1,evm,31337,USDC,${PAYEES[0]},1.1234567,INV-1,Ada`,
      `in-2,evm,8453,USDC,${PAYEES[1]},10,INV-2,Ben`,
      `in-3,evm,31337,USDC,${PAYEES[2]},5,INV-3,Cy`,
      '',
    ].join('\n')
    await page.getByTestId('import-open').click()
    await page.getByTestId('import-drop-input').setInputFiles({ name: 'march.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await expect(page.getByTestId('import-file-name')).toContainText('march.csv')
    await page.getByTestId('import-submit').click()
    await expect(page.getByTestId('import-result-title')).toContainText('Nothing was stored — 1 problem in 3 rows')

    const expected = await api.call('payouts.import', { csv }, as('Alice Preparer'))
    expect(expected.batchId, 'the same file stores nothing through the API either').toBeNull()
    const amountProblem = expected.issues.find((i) => i.row === 2)!
    const baseWarning = expected.warnings.find((w) => w.code === 'NETWORK_NOT_SET_UP')!
    expect(baseWarning.problem).toBe(
      'Base is not set up in this workspace, so this row cannot be paid — ask an admin to set up Base for payouts, or remove the row before you submit.',
    )

    const cells = page.getByTestId('import-issues').getByTestId('issue-problem')
    await expect(cells).toHaveCount(2)
    await expect(cells.nth(0)).toContainText(amountProblem.problem)
    await expect(cells.nth(1)).toContainText(baseWarning.problem)
    // Whole, not cut: nothing of the sentence overflows its cell.
    for (const i of [0, 1]) {
      const cut = await cells
        .nth(i)
        .evaluate(
          (el) => el.scrollWidth > el.clientWidth + 1 || el.ownerDocument.defaultView?.getComputedStyle(el).textOverflow === 'ellipsis',
        )
      expect(cut, `problem ${i} is shown whole`).toBe(false)
    }
    await expect(page.getByTestId('import-issues-row').nth(1)).toHaveAttribute('data-tone', 'warning')
    await snap(page, 'import-nav-01-problems-in-full')
    await page.setViewportSize({ width: 1024, height: 700 })
    await expect(cells.nth(1)).toContainText(baseWarning.problem)
    await snap(page, 'import-nav-02-problems-in-full-1024')
    await page.setViewportSize({ width: 1440, height: 900 })

    // Kept as a draft, the Base row stays flagged in the batch the approver opens.
    await page.getByTestId('import-keep-valid').check()
    await page.getByTestId('import-submit').click()
    await expect(page.getByTestId('import-result-title')).toContainText('Draft created with 2 valid rows')
    await page.getByTestId('import-close').click()
  })

  await test.step('a CSV dropped on the Payouts view opens the import with it', async () => {
    const csv = [HEADER, `drop-1,evm,31337,USDC,${PAYEES[3]},12.5,INV-9,Dee`, ''].join('\n')
    // Made in the page, from its window (this file is typed without the DOM's globals).
    const dt = await page.getByTestId('payouts').evaluateHandle((el, text) => {
      const win = el.ownerDocument.defaultView
      if (!win) throw new Error('the Payouts view is not in a window')
      const t = new win.DataTransfer()
      t.items.add(new win.File([text], 'dropped-payouts.csv', { type: 'text/csv' }))
      return t
    }, csv)
    await page.dispatchEvent('[data-testid="payouts"]', 'dragover', { dataTransfer: dt })
    await page.dispatchEvent('[data-testid="payouts"]', 'drop', { dataTransfer: dt })
    await expect(page.getByTestId('import-panel')).toBeVisible()
    await expect(page.getByTestId('import-file-name')).toContainText('dropped-payouts.csv')
    await page.getByTestId('import-batch-name').fill('Dropped file')
    await page.getByTestId('import-submit').click()
    await expect(page.getByTestId('view-title')).toHaveText('Dropped file')
    await page.getByTestId('batch-back').click()
  })

  await test.step('the CSV template downloads and imports as it is', async () => {
    await page.getByTestId('import-open').click()
    const download = page.waitForEvent('download')
    await page.getByTestId('import-template').click()
    const file = await download
    expect(file.suggestedFilename()).toBe('countersign-payouts-template.csv')
    const text = fs.readFileSync((await file.path())!, 'utf8')
    expect(text.split('\r\n')[0]).toBe('id,rail,network,asset,recipient,amount,memo,reference,name')
    const parsed = await api.call('payouts.import', { csv: text, batchName: 'Template check' }, as('Alice Preparer'))
    expect(parsed.issues).toEqual([])
    expect(parsed.valid.length).toBeGreaterThan(0)
    await page.getByTestId('import-close').click()
  })

  await test.step('batch names are links: Tab to one, Enter opens it', async () => {
    const link = page.getByRole('link', { name: 'Dropped file' })
    await link.focus()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('view-title')).toHaveText('Dropped file')
    await page.getByTestId('batch-back').click()
  })

  await test.step('the navigation counts the batches waiting for my approval, live', async () => {
    await unlockAs(page, 'Bob Approver')
    const nav = page.getByTestId('nav-payouts')
    const before = Number(await nav.getAttribute('data-awaiting'))
    // Another operator submits a batch through the API: Bob's count goes up without a reload.
    const imported = await api.call(
      'payouts.import',
      { csv: [HEADER, `live-1,evm,31337,USDC,${PAYEES[0]},3,INV-L,Ada`, ''].join('\n'), batchName: 'April contractors' },
      as('Alice Preparer'),
    )
    const version = (await api.call('batches.get', { id: imported.batchId! })).batch.version
    await api.call('batches.submit', { id: imported.batchId!, version }, as('Alice Preparer'))
    await expect(nav).toHaveAttribute('data-awaiting', String(before + 1))
    await expect(page.getByTestId('nav-awaiting')).toHaveText(String(before + 1))
    // Alice prepared it: nothing waits for her.
    await snap(page, 'import-nav-03-awaiting-badge')

    await page.setViewportSize({ width: 1024, height: 700 })
    await expect(page.getByTestId('nav-awaiting-dot')).toBeVisible()
    await expect(nav).toHaveAttribute('aria-label', new RegExp(`${before + 1} (batch waits|batches wait) for your approval`))
    await snap(page, 'import-nav-04-awaiting-dot-1024')
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  await test.step('shortcuts: g d, g p, ? lists them, a opens the approve review, never while typing', async () => {
    await page.getByTestId('nav-dashboard').click()
    await page.keyboard.press('g')
    await page.keyboard.press('p')
    await expect(page.getByTestId('payouts')).toBeVisible()

    await page.keyboard.press('Shift+?')
    await expect(page.getByTestId('shortcuts-table')).toBeVisible()
    await snap(page, 'import-nav-05-shortcuts-help')
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('shortcuts-table')).toBeHidden()

    await page.getByRole('link', { name: 'April contractors' }).click()
    await expect(page.getByTestId('view-title')).toHaveText('April contractors')
    // Typing an "a" in the comment is text, not a shortcut.
    await page.getByTestId('approval-comment').fill('')
    await page.getByTestId('approval-comment').press('a')
    await expect(page.getByTestId('approval-comment')).toHaveValue('a')
    await expect(page.getByTestId('approve-dialog-confirm')).toBeHidden()
    await page.getByTestId('approval-comment').blur()
    await page.keyboard.press('a')
    await expect(page.getByTestId('approve-dialog-confirm')).toBeVisible()
    await snap(page, 'import-nav-06-approve-by-shortcut')
    await page.getByTestId('approve-dialog-cancel').click()
  })

  await test.step('the Escrow, Reconciliation and Receipts views carry no "later" badge', async () => {
    for (const id of ['escrow', 'reconciliation', 'receipts']) await expect(page.getByTestId(`nav-${id}`)).not.toContainText('later')
  })

  expect(problems).toEqual([])
})
