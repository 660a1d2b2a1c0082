/**
 * The audit log as a finance person uses it (issue 17, finding 10): the system's own rows hidden
 * by default, filters by person, action, subject and day (asked of the core), one row shown whole
 * in the detail pane, and the filtered rows downloaded as CSV — read back and checked cell by cell
 * (formulas neutralised). Screenshots at 1440×900 and 1024×700:
 * test-results/e2e/screenshots/audit-NN-*.png.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { appendAudit } from '../../src/main/core/audit/appendAudit'
import { AUDIT_CSV_COLUMNS } from '../../src/main/core/audit/exportAuditCsv'
import { expect, SCREENSHOT_DIR, test, unlockAs, watchPageProblems, type Workspace } from './fixtures'

/** System rows written between the people's: more than a screen of them. */
const SYSTEM_ROWS = 30
const SUBJECT = 'batch:b-e2e-march'
const FORMULA_NAME = '=HYPERLINK("http://evil.example","Refund")'

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.mouse.move(0, 0)
  await page.evaluate('document.fonts.ready.then(() => true)')
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' })
}

async function append(workspace: Workspace, row: { actor: string; action: string; subject: string; change: unknown }): Promise<number> {
  const ctx = workspace.core.ctx
  return (await ctx.db.tx(async () => await appendAudit(ctx, row))).seq
}

/** The cells of a CSV as written (RFC 4180: quotes doubled, CRLF line ends). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += c
  }
  return rows
}

async function pick(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click()
  await page.getByRole('option', { name: option, exact: true }).click()
}

/** The seqs of the rows the table shows, top to bottom. */
async function shownSeqs(page: Page): Promise<number[]> {
  return (await page.getByTestId('audit-table').getByTestId('audit-open').allTextContents()).map(Number)
}

test('audit log: filter by person, action, subject and day, read a row whole, export CSV', async ({ page, workspace }) => {
  const problems = watchPageProblems(page)
  const { alice, bob, dana } = workspace.operators
  const systemSeqs: number[] = []
  const aliceSeq = await append(workspace, {
    actor: alice.id,
    action: 'batches.rows.update',
    subject: SUBJECT,
    change: { row: 3, name: FORMULA_NAME, amount: '1250.00', asset: 'USDC@evm:1' },
  })
  for (let i = 0; i < SYSTEM_ROWS; i++)
    systemSeqs.push(
      await append(workspace, {
        actor: 'system',
        action: 'payouts.submission.confirmed',
        subject: `submission:s-${i}`,
        change: { batchId: 'b-e2e-march', from: 'broadcast', to: 'confirmed' },
      }),
    )
  const bobSeq = await append(workspace, { actor: bob.id, action: 'batches.approve', subject: SUBJECT, change: { version: 2 } })
  const today = new Date().toISOString().slice(0, 10)

  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(workspace.url)
  await unlockAs(page, 'Dana Admin')
  await page.getByTestId('nav-audit').click()

  await test.step('the system’s own rows are hidden at first, and the view says so', async () => {
    await expect(page.getByTestId(`audit-row-${bobSeq}`)).toBeVisible()
    await expect(page.getByTestId(`audit-row-${systemSeqs.at(-1)}`)).toHaveCount(0)
    await expect(page.getByTestId('audit-shown')).toContainText('Automatic rows by the system are hidden.')
    const seqs = await shownSeqs(page)
    expect(seqs[0]).toBe(bobSeq)
    expect(seqs[1]).toBe(aliceSeq) // the 30 system rows between them are not shown
    // Wide enough for every column.
    await expect(page.getByRole('columnheader', { name: 'Hash' })).toBeVisible()
    await expect(page.getByRole('columnheader', { name: 'Change' })).toBeVisible()
    await shot(page, 'audit-01-people-1440')
  })

  await test.step('showing them brings them back', async () => {
    await page.getByTestId('audit-filter-hide-system').click()
    await expect(page.getByTestId(`audit-row-${systemSeqs.at(-1)}`)).toBeVisible()
    await expect(page.getByTestId(`audit-row-${systemSeqs.at(-1)}`).getByTestId('audit-actor')).toHaveText('Countersign (system)')
    await page.getByTestId('audit-filter-hide-system').click()
    await expect(page.getByTestId(`audit-row-${systemSeqs.at(-1)}`)).toHaveCount(0)
  })

  await test.step('by person, then by action: the core answers with that person’s rows of that action only', async () => {
    await pick(page, 'audit-filter-actor', 'Alice Preparer')
    await expect(page.getByTestId(`audit-row-${bobSeq}`)).toHaveCount(0)
    await expect(page.getByTestId(`audit-row-${aliceSeq}`)).toBeVisible()
    const actors = await page.getByTestId('audit-table').getByTestId('audit-actor').allTextContents()
    expect(new Set(actors)).toEqual(new Set(['Alice Preparer']))
    await pick(page, 'audit-filter-action', 'batches.rows.update')
    await page.keyboard.press('Escape')
    await expect.poll(() => shownSeqs(page)).toEqual([aliceSeq])
    await expect(page.getByTestId('audit-shown')).toContainText('every row that matches')
    await shot(page, 'audit-02-filtered-1440')
  })

  await test.step('the detail pane shows the whole change, who, when and both hashes', async () => {
    await page.getByTestId(`audit-row-${aliceSeq}`).getByTestId('audit-open').click()
    const detail = page.getByTestId('audit-detail')
    await expect(detail).toHaveAttribute('data-seq', String(aliceSeq))
    await expect(detail.getByTestId('audit-detail-actor')).toHaveText('Alice Preparer')
    await expect(detail.getByTestId('audit-detail-action')).toHaveText('batches.rows.update')
    await expect(detail.getByTestId('audit-detail-subject')).toHaveText(SUBJECT)
    const change = JSON.parse((await detail.getByTestId('audit-detail-change').textContent())!) as unknown
    expect(change).toEqual({ row: 3, name: FORMULA_NAME, amount: '1250.00', asset: 'USDC@evm:1' })
    const [row] = (await workspace.core.api.call('audit.list', { subject: SUBJECT, actor: alice.id }, { operatorId: dana.id })).rows
    await expect(detail.getByTestId('audit-detail-hash')).toHaveText(row!.hash)
    await expect(detail.getByTestId('audit-detail-prev-hash')).toHaveText(row!.prevHash)
    await shot(page, 'audit-03-detail-1440')
  })

  await test.step('"Only this subject" shows everyone’s rows about the batch', async () => {
    await page.getByTestId('audit-detail-filter-subject').click()
    await expect(page.getByTestId('audit-detail')).toHaveCount(0)
    await expect(page.getByTestId('audit-filter-subject')).toHaveValue(SUBJECT)
    await expect.poll(() => shownSeqs(page)).toEqual([bobSeq, aliceSeq])
  })

  await test.step('export CSV: the rows the filters match, oldest first, every column, formulas neutralised', async () => {
    const waiting = page.waitForEvent('download')
    await page.getByTestId('audit-export').click()
    const download = await waiting
    expect(download.suggestedFilename()).toBe(`audit-log-${today}.csv`)
    const text = fs.readFileSync((await download.path())!, 'utf8')
    const [header, ...lines] = parseCsv(text)
    expect(header).toEqual([...AUDIT_CSV_COLUMNS])
    expect(lines.map((l) => Number(l[0]))).toEqual([aliceSeq, bobSeq])
    const [aliceLine, bobLine] = lines
    expect(aliceLine!.slice(2, 6)).toEqual([alice.id, 'Alice Preparer', 'batches.rows.update', SUBJECT])
    expect(JSON.parse(aliceLine![6]!)).toMatchObject({ name: FORMULA_NAME })
    expect(bobLine!.slice(2, 6)).toEqual([bob.id, 'Bob Approver', 'batches.approve', SUBJECT])
    // Every cell: none starts a formula (the JSON change starts with "{").
    for (const line of lines) for (const cell of line) expect(cell).not.toMatch(/^[=+\-@]/)
  })

  await test.step('by day: today has the rows, a day before the workspace existed has none', async () => {
    await page.getByTestId('audit-filter-from').fill(today)
    await page.getByTestId('audit-filter-to').fill(today)
    await expect.poll(() => shownSeqs(page)).toEqual([bobSeq, aliceSeq])
    await page.getByTestId('audit-filter-from').fill('2001-01-01')
    await page.getByTestId('audit-filter-to').fill('2001-01-31')
    await expect(page.getByTestId('audit-table-empty')).toBeVisible()
    await expect(page.getByTestId('audit-shown')).toContainText('No rows match these filters.')
    await page.getByTestId('audit-filter-from').fill('2001-02-01')
    await expect(page.getByTestId('audit-date-problem')).toContainText('after the "to" date')
    await page.getByTestId('audit-filter-clear').click()
    await expect(page.getByTestId('audit-filter-subject')).toHaveValue('')
    await expect(page.getByTestId(`audit-row-${bobSeq}`)).toBeVisible()
  })

  await test.step('1024×700: filters wrap, nothing is cut off, the pane fits', async () => {
    await page.setViewportSize({ width: 1024, height: 700 })
    await pick(page, 'audit-filter-actor', 'Bob Approver')
    await expect.poll(() => shownSeqs(page)).toContain(bobSeq)
    // The page itself never scrolls sideways (the table scrolls inside its own frame if it must).
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
    await expect(page.getByRole('columnheader', { name: 'Hash' })).toHaveCount(0)
    // Nor does the table: at this width it leaves out Change and Hash (the detail pane has both).
    const frame = page.getByTestId('audit-table').locator('> div')
    expect(await frame.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true)
    await shot(page, 'audit-04-filtered-1024')
    await page.getByTestId(`audit-row-${bobSeq}`).getByTestId('audit-open').click()
    await expect(page.getByTestId('audit-detail')).toHaveAttribute('data-seq', String(bobSeq))
    await shot(page, 'audit-05-detail-1024')
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('audit-detail')).toHaveCount(0)
  })

  expect(problems).toEqual([])
})
