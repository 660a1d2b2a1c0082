/**
 * Team mode, as two people at two desktops see it: one PostgreSQL team database, two desks (each
 * its own workspace folder, core and browser-mode server). Alice submits a batch on desk A; Bob,
 * whose list is already open on desk B, sees it arrive without reloading and approves it; Alice's
 * screen follows. Then the database server goes away: desk B keeps what it last saw, says so in
 * one banner, refuses a change with the core's sentence, and clears the banner when it is back.
 *
 * Nothing here reloads a page or sleeps: every change on screen arrives through the core's events
 * (relayed between the desks by LISTEN/NOTIFY) or through a call the person makes.
 */
import type { Browser, Page } from '@playwright/test'
import { expect, snap, watchPageProblems, unlockAs } from './fixtures'
import { teamTest as test, type Desk } from './teamFixtures'

const BATCH_NAME = 'April contractors'
const PAYOUTS_CSV = [
  'id,rail,network,asset,recipient,amount,reference,name',
  'team-1,evm,1,USDC,0x4a4a4A4A4A4a4a4A4a4A4a4a4a4A4a4a4A4A4a4A,1250.50,INV-2001,Ada Contractor',
  'team-2,evm,1,USDC,0x5B5B5b5B5b5B5B5b5B5B5b5b5B5B5B5b5B5B5b5b,75,INV-2002,Ben Contractor',
  '',
].join('\n')
/** As the batch shows it: exact, trailing zeros trimmed to the 2 decimals people expect. */
const TOTAL_GROUPED = '1,325.50'
/** What desk B tries while the database is away: a second file. */
const OFFLINE_CSV = ['id,rail,network,asset,recipient,amount', 'team-3,evm,1,USDC,0x4a4a4A4A4A4a4a4A4a4A4a4a4a4A4a4a4A4A4a4A,10', ''].join(
  '\n',
)

test.describe.configure({ mode: 'serial' })

/** A desk's own browser (own storage, own token): two people, two machines. */
async function openDesk(browser: Browser, desk: Desk): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext()
  const page = await context.newPage()
  const problems = watchPageProblems(page)
  await page.goto(desk.url)
  return { page, problems }
}

async function pick(page: Page, name: string): Promise<void> {
  await unlockAs(page, name)
}

/** Confirmations fade on their own after a while; close them so they cover nothing in a screenshot. */
async function shot(page: Page, name: string): Promise<void> {
  const notices = page.locator('[data-testid^="notification-"] button')
  while ((await notices.count()) > 0) await notices.first().click()
  await snap(page, name)
}

async function importFile(page: Page, name: string, csv: string): Promise<void> {
  await page.getByTestId('import-drop-input').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await expect(page.getByTestId('import-file-name')).toContainText(name)
  await page.getByTestId('import-submit').click()
}

test('two desks on one team database: a batch submitted on one is approved on the other, live, and an outage is read-only', async ({
  browser,
  team,
}) => {
  const a = await openDesk(browser, team.deskA)
  const b = await openDesk(browser, team.deskB)
  const batchRow = (page: Page) => page.getByTestId('batch-table').locator('[data-testid^="batch-row-"]').filter({ hasText: BATCH_NAME })

  await test.step('Bob opens the batch list on desk B; there is nothing yet', async () => {
    await pick(b.page, 'Bob Approver')
    await b.page.getByTestId('nav-payouts').click()
    await expect(b.page.getByTestId('batch-table-empty')).toBeVisible()
  })

  await test.step('Alice imports a CSV on desk A and submits it for approval', async () => {
    await pick(a.page, 'Alice Preparer')
    await a.page.getByTestId('nav-payouts').click()
    await a.page.getByTestId('import-open').click()
    await a.page.getByTestId('import-batch-name').fill(BATCH_NAME)
    await importFile(a.page, 'april.csv', PAYOUTS_CSV)
    // This workspace sets up no rails: the import says the rows cannot be paid yet and stays open.
    await expect(a.page.getByTestId('import-result-title')).toContainText('cannot be paid as things stand')
    await a.page.getByTestId('import-open-batch').click()
    await expect(a.page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'draft')
    await expect(a.page.getByTestId('batch-total-USDC@evm:1').getByTestId('batch-total-amount')).toHaveText(`${TOTAL_GROUPED} USDC`)
    await a.page.getByTestId('batch-submit').click()
    await expect(a.page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'awaiting_approval')
    await expect(a.page.getByTestId('batch-approve')).toBeDisabled()
    await shot(a.page, 'team-desk-a-submitted')
  })

  await test.step('desk B shows the batch without a reload', async () => {
    await expect(batchRow(b.page)).toBeVisible()
    await expect(batchRow(b.page).getByTestId('batch-state')).toHaveAttribute('data-state', 'awaiting_approval')
    await expect(b.page.getByTestId('batch-totals')).toHaveText(`${TOTAL_GROUPED} USDC on Ethereum`)
    await shot(b.page, 'team-desk-b-appeared')
  })

  await test.step('Bob approves it on desk B', async () => {
    await batchRow(b.page).getByTestId('batch-open').click()
    await expect(b.page.getByTestId('view-title')).toHaveText(BATCH_NAME)
    await expect(b.page.getByTestId('approval-caller')).toHaveText('You can approve version 1.')
    await b.page.getByTestId('approval-comment').fill('Matches the April invoices.')
    await b.page.getByTestId('batch-approve').click()
    await b.page.getByTestId('approve-dialog-confirm').click()
    await expect(b.page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'approved')
    await expect(b.page.getByTestId('approval-list')).toContainText('Approved by Bob Approver')
    await shot(b.page, 'team-desk-b-approved')
  })

  await test.step("Alice's screen on desk A follows without a reload", async () => {
    await expect(a.page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'approved')
    await expect(a.page.getByTestId('approval-list')).toContainText('Approved by Bob Approver')
    await expect(a.page.getByTestId('approval-list')).toContainText('Matches the April invoices.')
    await shot(a.page, 'team-desk-a-approved')
  })

  await test.step('Settings → About names the team database', async () => {
    await a.page.getByTestId('nav-settings').click()
    await expect(a.page.getByTestId('about-database')).toHaveText(`Team database (PostgreSQL) at ${team.location}`)
    await expect(a.page.getByTestId('team-badge')).toHaveText('Team database')
    // The Team database section: where the books are, and whether this desk has a password saved.
    await expect(a.page.getByTestId('settings-database-location')).toHaveText(team.location)
    await expect(a.page.getByTestId('settings-database-password')).toBeVisible()
    await expect(b.page.getByTestId('batch-detail')).toBeVisible()
    await shot(a.page, 'team-settings-database')
  })

  expect(a.problems).toEqual([])
  expect(b.problems).toEqual([])

  await test.step('the database goes away: desk B keeps what it saw and says so', async () => {
    // Alice takes desk B first: unlocking checks her passphrase against the team database.
    await pick(b.page, 'Alice Preparer')
    await b.page.getByTestId('nav-payouts').click()
    await expect(batchRow(b.page).getByTestId('batch-state')).toHaveAttribute('data-state', 'approved')
    await expect(b.page.getByTestId('offline-banner')).toHaveCount(0)
    await team.stopDatabase()
    // Nobody clicks: the core hears its link drop (database.status) and the idle desk says so.
    await expect(b.page.getByTestId('offline-banner-text')).toHaveText(
      new RegExp(
        `^The team database at ${team.location.replaceAll('.', '\\.')} is unreachable — showing what this desk last saw at \\d\\d:\\d\\d; changes are refused until it is back\\.$`,
      ),
    )
    // The list stays as it was last loaded, without a second alert repeating the banner.
    await expect(batchRow(b.page).getByTestId('batch-state')).toHaveAttribute('data-state', 'approved')
    await expect(b.page.getByTestId('payouts-error')).toHaveCount(0)
  })

  await test.step('a change is refused with the core’s sentence', async () => {
    await expect(batchRow(b.page)).toBeVisible()
    await b.page.getByTestId('import-open').click()
    await importFile(b.page, 'late.csv', OFFLINE_CSV)
    const refusal = b.page.getByTestId('notification-error')
    await expect(refusal).toContainText('Could not import the file')
    await expect(refusal).toContainText(`Cannot reach the team database at ${team.location}`)
    await expect(refusal).toContainText('nothing was changed')
    await expect(refusal).toContainText('(DB_UNREACHABLE)')
    await expect(b.page.getByTestId('offline-banner')).toBeVisible()
    await expect(batchRow(b.page)).toBeVisible()
    await b.page.getByTestId('import-close').click()
    await b.page.mouse.move(0, 0)
    await snap(b.page, 'team-offline')
  })

  await test.step('the database comes back: the banner goes and the views re-read by themselves', async () => {
    await team.startDatabase()
    // The change feed reconnects with backoff (up to 30 s between tries) and reports it.
    await expect(b.page.getByTestId('offline-banner')).toHaveCount(0, { timeout: 45_000 })
    await expect(batchRow(b.page).getByTestId('batch-state')).toHaveAttribute('data-state', 'approved')
    const batches = await team.deskB.core.api.call('batches.list', {})
    expect(batches.batches.map((x) => x.name)).toEqual([BATCH_NAME])
    await shot(b.page, 'team-back-online')
  })

  // Desk B's only console error is the refused import, logged as every notified error is.
  expect(a.problems).toEqual([])
  expect(b.problems).toEqual([expect.stringContaining('console.error: countersign: Could not import the file')])
})
