/**
 * A big batch page is read in pages (issue 17: 10,000 rows took seconds to first paint): its first
 * rows show at once, and what needs every payout — search, the warnings' counts — answers for the
 * whole batch once the later pages are in, never for the first page only.
 */
import { getAddress, keccak256, toHex } from 'viem'
import { expect, openBatch, unlockAs, watchPageProblems } from './fixtures'
import { sharedSandboxTest as test } from './sandboxFixtures'

const NAME = 'August contractors (paged)'
/** More than the first read (100) and one later page (1,000): three reads in all. */
const COUNT = 1_250
const payee = (n: number) => getAddress(keccak256(toHex(`countersign big batch payee ${n}`)).slice(0, 42))
const ROWS = Array.from(
  { length: COUNT },
  (_, i) => `big-${i + 1},evm,31337,USDC,${payee(i)},${(i % 90) + 10}.25,INV-77${i + 1},Contractor ${i + 1}`,
)
const CSV = ['id,rail,network,asset,recipient,amount,reference,name', ...ROWS, ''].join('\n')

test('a 1,250-payout batch: first rows at once, then search and warnings over every payout', async ({ page, sharedSandbox: ws }) => {
  const problems = watchPageProblems(page)
  const api = ws.sandbox.core.api
  const imported = await api.call('payouts.import', { csv: CSV, batchName: NAME }, { operatorId: ws.operator('Alice Preparer').id })
  expect(imported.issues).toEqual([])

  await page.goto(ws.url)
  await unlockAs(page, 'Alice Preparer')
  await openBatch(page, NAME)
  await expect(page.getByTestId('payout-row-big-1')).toBeVisible()

  // Every page in: the warnings count all 1,250 new payees, not the first page's 100.
  await expect(page.locator('[data-testid="batch-detail"][data-complete="true"]')).toBeVisible()
  await expect(page.locator('[data-testid="warning-kind"][data-code="PAYEE_NEW"]')).toHaveAttribute('data-count', String(COUNT))

  // The last row is in the last page: search finds it, and counts against the whole batch.
  await page.getByTestId('payouts-search').fill(`INV-77${COUNT}`)
  await expect(page.getByTestId('payouts-filter')).toHaveText(`1 of ${COUNT.toLocaleString('en-US')} payouts`)
  await expect(page.getByTestId(`payout-row-big-${COUNT}`)).toBeVisible()

  expect(problems).toEqual([])
})
