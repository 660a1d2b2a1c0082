/**
 * A file too large is refused in the terms of the file the person picked (issue 17, finding 12):
 * its name, its size and the limit for that kind of file, in the same unit — never the size of the
 * request it would travel in. Screenshot: test-results/e2e/screenshots/file-size-refused.png.
 */
import { CSV_BYTES_MAX, RECEIPT_VERIFY_BYTES_MAX } from '../../src/shared/limits'
import { expect, snap, test, unlockAs, watchPageProblems } from './fixtures'

const MB = 1024 * 1024

test('a payout CSV, a quote-heavy CSV and a receipt too large are refused with their own size and the limit', async ({
  page,
  workspace,
}) => {
  const problems = watchPageProblems(page)
  // The limits this spec's sentences name.
  expect(CSV_BYTES_MAX).toBe(4 * MB)
  expect(RECEIPT_VERIFY_BYTES_MAX).toBe(3 * MB)
  const batchesBefore = (await workspace.core.api.call('batches.list', {}, { operatorId: workspace.operators.alice.id })).batches.length

  await page.goto(workspace.url)
  await unlockAs(page, 'Alice Preparer')
  await page.getByTestId('nav-payouts').click()
  await page.getByTestId('import-open').click()

  await test.step('over the payout CSV limit: refused before it is read, with its size and the limit', async () => {
    const csv = Buffer.alloc(Math.round(5.2 * MB), 'a')
    await page.getByTestId('import-drop-input').setInputFiles({ name: 'big-payouts.csv', mimeType: 'text/csv', buffer: csv })
    await expect(page.getByTestId('import-pick-error')).toHaveText(
      'big-payouts.csv is 5.2 MB — a payout CSV can be at most 4 MB. Split it into smaller files and import each.',
    )
    await snap(page, 'file-size-refused')
  })

  await test.step('within the limit but too large once escaped for the wire: still the file’s size and the file limit', async () => {
    // The reported case: a 3.8 MB file made of quoted cells grows past one request as JSON.
    const csv = Buffer.alloc(Math.round(3.8 * MB), '"')
    await page.getByTestId('import-drop-input').setInputFiles({ name: 'quoted.csv', mimeType: 'text/csv', buffer: csv })
    await expect(page.getByTestId('import-file-name')).toContainText('quoted.csv')
    await page.getByTestId('import-submit').click()
    const error = page.getByTestId('import-pick-error')
    await expect(error).toContainText('quoted.csv is 3.8 MB, within the 4 MB a payout CSV can be')
    await expect(error).toContainText('Split it into smaller files and import each.')
    await expect(error).not.toContainText('request is')
    await expect(error).not.toContainText('MiB')
    const batchesAfter = (await workspace.core.api.call('batches.list', {}, { operatorId: workspace.operators.alice.id })).batches.length
    expect(batchesAfter).toBe(batchesBefore)
  })

  await test.step('a receipt to verify over its limit: the same sentence, its own limit', async () => {
    await page.getByTestId('nav-receipts').click()
    await page.getByTestId('receipts-tab-verify').click()
    await page.getByTestId('receipt-drop-input').setInputFiles({
      name: 'receipt-0042.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.alloc(Math.round(3.5 * MB), 0),
    })
    await expect(page.getByTestId('receipt-verify-refused')).toContainText(
      'receipt-0042.pdf is 3.5 MB — a receipt (PDF or JSON) can be at most 3 MB. Is it the right file?',
    )
  })

  expect(problems).toEqual([])
})
