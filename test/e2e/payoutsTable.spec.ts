/**
 * The payouts table a finance person can work in (issue 17, finding 4): every column, the payout's
 * own id and reference in view at 1440 and at 1024 pixels without sideways scrolling; search by
 * reference, id or amount; filters by asset and state; sort by amount (exact, per asset); the row
 * actions stay in view; removing a payout asks first, and "Keep it" keeps it.
 */
import { getAddress, keccak256, toHex } from 'viem'
import { expect, openBatch, snap, unlockAs, watchPageProblems } from './fixtures'
import { sharedSandboxTest as test } from './sandboxFixtures'

const NAME = 'July freelancers (table)'
const payee = (n: number) => getAddress(keccak256(toHex(`countersign payouts-table payee ${n}`)).slice(0, 42))
const ROWS = Array.from({ length: 12 }, (_, i) => {
  const eth = i % 4 === 3
  const amount = eth ? `0.${String(i + 1).padStart(3, '0')}` : `${(i + 1) * 125}.50`
  return `tbl-${i + 1},evm,31337,${eth ? 'ETH' : 'USDC'},${payee(i)},${amount},INV-88${String(i).padStart(2, '0')},Freelancer ${String.fromCharCode(65 + i)}`
})
const CSV = ['id,rail,network,asset,recipient,amount,reference,name', ...ROWS, ''].join('\n')

test.describe.configure({ mode: 'serial' })

test('search, filter, sort and remove in the payouts table, at 1440 and 1024 pixels', async ({ page, sharedSandbox: ws }) => {
  const problems = watchPageProblems(page)
  const api = ws.sandbox.core.api
  const alice = { operatorId: ws.operator('Alice Preparer').id }
  const imported = await api.call('payouts.import', { csv: CSV, batchName: NAME }, alice)
  expect(imported.issues).toEqual([])
  const rows = page.getByTestId('payouts-table').locator('[data-testid^="payout-row-"]')

  await page.goto(ws.url)
  await unlockAs(page, 'Alice Preparer')
  await openBatch(page, NAME)

  await test.step('every column is in view, with the id and the reference, at both widths', async () => {
    for (const [width, height] of [
      [1440, 900],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width, height })
      const table = page.getByTestId('payouts-table')
      const first = page.getByTestId('payout-row-tbl-1')
      await expect(first.getByTestId('payout-ref')).toHaveText('INV-8800 · tbl-1')
      await first.scrollIntoViewIfNeeded()
      await expect(first.getByTestId('payout-edit')).toBeInViewport()
      await expect(first.getByTestId('payout-remove')).toBeInViewport()
      // Nothing to scroll sideways: the whole table fits the window.
      const overflow = await table
        .locator('> div')
        .first()
        .evaluate((el) => el.scrollWidth - el.clientWidth)
      expect(overflow, `the payouts table scrolls sideways at ${width} px`).toBeLessThanOrEqual(0)
      await snap(page, `payouts-table-01-${width}`)
    }
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  await test.step('search by reference, by id, by amount as typed', async () => {
    const search = page.getByTestId('payouts-search')
    await search.fill('inv-8805')
    await expect(rows).toHaveCount(1)
    await expect(page.getByTestId('payout-row-tbl-6')).toBeVisible()
    await expect(page.getByTestId('payouts-filter')).toHaveText('1 of 12 payouts')
    await search.fill('tbl-1')
    await expect(rows).toHaveCount(4) // tbl-1, tbl-10, tbl-11, tbl-12
    await search.fill('1,125.5')
    await expect(rows).toHaveCount(1)
    await expect(page.getByTestId('payout-row-tbl-9')).toBeVisible()
    await page.getByTestId('payouts-filter-clear').click()
    await expect(rows).toHaveCount(12)
  })

  await test.step('filter by asset; sort by amount, exactly', async () => {
    await page.getByTestId('payouts-asset-filter').click()
    await page.getByRole('option', { name: /^ETH on/ }).click()
    await expect(rows).toHaveCount(3)
    await page.getByTestId('payouts-filter-clear').click()
    const amountHeader = page
      .getByTestId('payouts-table')
      .getByRole('columnheader', { name: /Amount/ })
      .getByRole('button')
    await amountHeader.click() // ascending: ETH first (asset order), smallest first
    await expect(page.getByTestId('payouts-table').getByTestId('payout-amount').first()).toContainText('0.004')
    await amountHeader.click() // descending: the largest USDC first
    await expect(page.getByTestId('payouts-table').getByTestId('payout-amount').first()).toContainText('1,375.5')
    await snap(page, 'payouts-table-02-sorted')
  })

  await test.step('removing asks first; Keep it keeps it, Remove removes it', async () => {
    const version = (await api.call('batches.get', { id: imported.batchId! })).batch.version
    await page.getByTestId('payout-row-tbl-2').getByTestId('payout-remove').click()
    const dialog = page.getByTestId('remove-payout-dialog')
    await expect(page.getByTestId('remove-payout-confirm')).toBeVisible()
    await expect(dialog).toContainText('250.50 USDC to Freelancer B')
    await expect(dialog).toContainText(`version ${version + 1}`)
    await snap(page, 'payouts-table-03-remove-confirm')
    await page.getByTestId('remove-payout-keep').click()
    await expect(page.getByTestId('payout-row-tbl-2')).toBeVisible()
    expect((await api.call('batches.get', { id: imported.batchId! })).batch.payouts).toBe(12)

    await page.getByTestId('payout-row-tbl-2').getByTestId('payout-remove').click()
    await page.getByTestId('remove-payout-confirm').click()
    await expect(page.getByTestId('payout-row-tbl-2')).toHaveCount(0)
    await expect(page.getByTestId('batch-meta')).toContainText(`Version ${version + 1} · 11 payouts`)
  })
  expect(problems).toEqual([])
})
