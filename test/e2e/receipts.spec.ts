/**
 * Receipts on screen, in the sandbox's Anvil world served by browser mode. Dana (admin) keeps the
 * Receipts view open while a batch of three USDC payouts with invoice references is paid on the
 * rail: the poller confirms it, the view shows each payout waiting for finality (its block still
 * inside the reorg window), and at the sandbox's next sweep — its chain moved past the window — the
 * poller issues the receipts and the view takes them in by itself. She
 * finds a payee by their invoice reference, opens their history (two payments, their total exact),
 * opens a receipt (amount exact, reference, the transaction hash, the audit hash), downloads its
 * PDF (a PDF whose attached JSON verifies) and its JSON, and verifies both in the app through the
 * drop zone: the PDF passes every check, a copy of the JSON with one byte changed fails the hash
 * check. She sets the organisation in Settings; the next batch's receipt prints it (on screen, in
 * its JSON and in the PDF's text) while the first receipt keeps what it was issued with. The batch
 * page hands out every receipt as PDFs in one ZIP, and the Export tab previews a QuickBooks file
 * with its sign convention.
 *
 * Screens under test-results/e2e/screenshots/receipts-NN-*.png at 1440×900, the main ones again at
 * 1024×700; neither scrolls sideways.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { getAddress, keccak256, toHex } from 'viem'
import type { Locator, Page } from '@playwright/test'
import { readEmbeddedReceiptJson } from '../../src/main/core/receipts/pdf/readReceiptPdf'
import { expect, openBatch, SCREENSHOT_DIR, snap, unlockAs, watchPageProblems } from './fixtures'
import { importApproved, sharedSandboxTest as test, type SandboxWorkspace } from './sandboxFixtures'

const payee = (n: number) => getAddress(keccak256(toHex(`countersign e2e receipts payee ${n}`)).slice(0, 42))
const AURORA = payee(1)
const BOREALIS = payee(2)
const CASSIOPEIA = payee(3)

const FIRST_BATCH = 'Receipts: April contractors'
const FIRST_CSV = [
  'id,rail,network,asset,recipient,amount,reference,name',
  `rcpt-e2e-1,evm,31337,USDC,${AURORA},1250.500001,INV-7001,Aurora Design Studio`,
  `rcpt-e2e-2,evm,31337,USDC,${BOREALIS},0.000001,INV-7002,Borealis Translations`,
  `rcpt-e2e-3,evm,31337,USDC,${AURORA},98765.432109,INV-7003,Aurora Design Studio`,
  '',
].join('\n')
const SECOND_BATCH = 'Receipts: May contractor'
const SECOND_CSV = [
  'id,rail,network,asset,recipient,amount,reference,name',
  `rcpt-e2e-4,evm,31337,USDC,${CASSIOPEIA},42.000042,INV-7004,Cassiopeia Consulting`,
  '',
].join('\n')
/** A 1×1 PNG: the logo drawn in the header of receipt PDFs rendered from now on. */
const LOGO_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
const ORGANISATION = {
  name: 'Northwind Treasury Ltd',
  address: '1 Harbour Street\nBristol BS1 4AA\nUnited Kingdom',
  registration: '12345678',
}

/** Sweeps of the poller a batch may take to confirm on Anvil (each mines and checks). */
const SWEEPS_MAX = 10
const NOTICES_MAX = 5
const NOTICE_CLOSE_TIMEOUT_MS = 2_000

async function payOnTheRail(ws: SandboxWorkspace, csv: string, name: string): Promise<string> {
  const api = ws.sandbox.core.api
  const id = await importApproved(ws.sandbox, csv, name)
  await api.call('batches.execute', { id }, { operatorId: ws.operator('Carol Signer').id })
  for (let round = 0; round < SWEEPS_MAX; round++) {
    await ws.sweep()
    if ((await api.call('batches.get', { id })).batch.state === 'completed') break
  }
  expect((await api.call('batches.get', { id })).batch.state).toBe('completed')
  return id
}

/** Notices fade on their own; close them so they cover nothing in a screenshot (one may be fading mid-click). */
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

/** The window as the person sees it, for the receipt pane (a full-page capture draws the pane over one screen only). */
async function paneShot(page: Page, name: string): Promise<void> {
  await shot(page, name)
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' })
}

/** One part of the page as it is on screen (a card far down a long page). */
async function shotOf(part: Locator, name: string): Promise<void> {
  await part.page().mouse.move(0, 0)
  await part.page().evaluate('document.fonts.ready.then(() => true)')
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await part.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' })
}

/** Nothing on the page is wider than the window. */
async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(
    'Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth',
  )
  expect(overflow, `${what} scrolls sideways by ${String(overflow)} px`).toBeLessThanOrEqual(0)
}

/**
 * Every amount in `scope` is whole on screen: inside its table cell, and inside every box around it
 * that clips or scrolls (a card, a scroll container) — an amount cut to "100" is worse than none.
 */
async function expectAmountsWhole(scope: Locator): Promise<void> {
  const amounts = scope.locator('[data-amount]')
  expect(await amounts.count()).toBeGreaterThan(0)
  for (const el of await amounts.all()) {
    const cutBy = await el.evaluate((e) => {
      // The page's own getComputedStyle (this file is type-checked without the DOM library).
      const win = globalThis as unknown as { getComputedStyle(box: unknown): { overflowX: string } }
      const a = e.getBoundingClientRect()
      for (let box = e.parentElement; box !== null; box = box.parentElement) {
        const clips = box.matches('td, [role="cell"]') || win.getComputedStyle(box).overflowX !== 'visible'
        if (!clips) continue
        const b = box.getBoundingClientRect()
        if (a.left < b.left - 0.5 || a.right > b.right + 0.5) return box.className || box.tagName
      }
      return null
    })
    expect(cutBy, `${await el.textContent()} is cut by ${cutBy}`).toBeNull()
  }
}

/** The receipt pane has slid in all the way (its right edge at the window's): wait for that, not for a time. */
async function paneSettled(page: Page): Promise<void> {
  const pane = page.getByTestId('receipt-detail')
  await expect(pane.getByTestId('receipt-detail-amount')).toBeVisible()
  const width = page.viewportSize()!.width
  await expect.poll(async () => Math.abs(width - (await pane.evaluate((e) => e.getBoundingClientRect().right)))).toBeLessThan(40)
}

async function search(page: Page, text: string): Promise<void> {
  await page.getByTestId('receipts-query').fill(text)
  await expect(page.getByTestId('receipts-count')).toContainText('receipt')
}

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const waiting = page.waitForEvent('download')
  await click()
  const d = await waiting
  return { name: d.suggestedFilename(), bytes: fs.readFileSync((await d.path())!) }
}

test('receipts: paid on the rail, found by invoice, downloaded, verified, tampering caught', async ({
  page,
  sharedSandbox: ws,
}, testInfo) => {
  test.setTimeout(360_000)
  const problems = watchPageProblems(page)
  const api = ws.sandbox.core.api
  const dana = { operatorId: ws.operator('Dana Admin').id }
  await page.setViewportSize({ width: 1440, height: 900 })
  await page.goto(ws.url)
  await unlockAs(page, 'Dana Admin')
  await page.getByTestId('nav-receipts').click()
  await expect(page.getByTestId('view-title')).toHaveText('Receipts')

  const firstBatch = await test.step('the batch is paid while the view is open: its receipts come in by themselves', async () => {
    await search(page, 'INV-7001')
    await expect(page.getByTestId('receipts-table-empty')).toBeVisible()
    // The sandbox is shared: payouts other specs paid may still wait for finality, and the sweep that
    // finishes them mines the chain past their window — which would bring this batch's payouts close
    // to final too. One sweep first settles whatever waits, so this batch starts a window away.
    await ws.sweep()
    const id = await payOnTheRail(ws, FIRST_CSV, FIRST_BATCH)
    // Confirmed is not final: until its block is past the reorg window, each payout waits, and the view says why.
    const waiting = page.getByTestId('receipts-waiting')
    await expect(waiting).toContainText('3 payments wait for finality before their receipts')
    await expect(waiting.getByTestId('receipts-waiting-item')).toHaveCount(3)
    await expect(waiting.getByTestId('receipts-waiting-item').first()).toContainText(
      /Payout rcpt-e2e-\d — Waiting for finality: block \d+ on Local Anvil is still inside the 64-block reorg window; the receipt is issued after \d+ more blocks?\./,
    )
    await expect(page.getByTestId('receipts-table-empty')).toBeVisible()
    await shot(page, 'receipts-00-waiting-for-finality')
    // The sandbox's next sweep moves its chain past the window and issues them; the view hears receipts.changed and takes the new one in.
    await ws.sweep()
    await expect(waiting).toHaveCount(0)
    await expect(page.getByTestId('receipt-row')).toHaveCount(1)
    await expect(page.getByTestId('receipt-reference')).toHaveText('INV-7001')
    await expect(page.getByTestId('receipt-amount')).toHaveText('1,250.500001 USDC')
    await expect(page.getByTestId('receipts-updated')).toContainText('Updated')
    await expect(page.getByTestId('receipts-totals-paid')).toHaveText('1,250.500001 USDC')
    await expectAmountsWhole(page.getByTestId('receipts-table'))
    await shot(page, 'receipts-01-found-by-invoice')
    return id
  })

  await test.step("the payee's history: both payments, the total exact", async () => {
    await page.getByTestId('receipt-payee-open').click()
    await expect(page.getByTestId('payee-title')).toHaveText('Aurora Design Studio')
    await expect(page.getByTestId('payee-receipts').getByTestId('receipt-row')).toHaveCount(2)
    await expect(page.getByTestId('payee-recipients')).toContainText(AURORA)
    // The one display form of every view (trailing zeros trimmed, never rounded), exact on hover.
    await expect(page.getByTestId('payee-totals-paid')).toHaveText('100,015.93211 USDC')
    await expect(page.getByTestId('payee-totals-paid')).toHaveAttribute('title', 'Exactly 100,015.932110 USDC')
    await expect(page.getByTestId('payee-count')).toHaveText('2 receipts')
    const advice = await download(page, () => page.getByTestId('payee-remittance').click())
    expect(advice.name).toBe('remittance-advice-Aurora_Design_Studio.pdf')
    expect(advice.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    await expectAmountsWhole(page.getByTestId('payee-history'))
    await expectNoSidewaysScroll(page, 'the payee history at 1440×900')
    await shot(page, 'receipts-02-payee-history')
  })

  const receipt = await test.step('a receipt: everything it says, each id copyable', async () => {
    await page.getByTestId('payee-receipts').getByTestId('receipt-row').filter({ hasText: 'INV-7001' }).getByTestId('receipt-open').click()
    await paneSettled(page)
    const detail = page.getByTestId('receipt-detail')
    await expect(detail.getByTestId('receipt-detail-amount')).toHaveText('1,250.500001 USDC')
    await expect(detail.getByTestId('receipt-detail-reference')).toHaveText('INV-7001')
    // The asset as every view names it — its code and the network's name — not the engine's id.
    await expect(detail.getByTestId('receipt-detail-asset')).toHaveText('USDC on Local Anvil')
    await expect(detail.getByTestId('receipt-payee-name')).toHaveText('Aurora Design Studio')
    await expect(detail.getByTestId('receipt-recipient')).toHaveText(AURORA)
    const number = Number(await detail.getAttribute('data-number'))
    const { file } = await api.call('receipts.get', { number }, dana)
    expect(file.receipt.evidence.rail).toBe('evm')
    // The rail's id as every view shows it (RailReference): whole here, with its copy button.
    const railRef = detail.getByTestId('receipt-rail-reference')
    await expect(railRef).toHaveAttribute('data-reference', file.receipt.evidence.rail === 'evm' ? file.receipt.evidence.txHash : '')
    await expect(railRef).toContainText(file.receipt.evidence.rail === 'evm' ? file.receipt.evidence.txHash : '')
    await expect(railRef.getByTestId('receipt-rail-reference-copy')).toHaveAttribute('aria-label', 'Copy the transaction hash')
    await expect(detail.getByTestId('receipt-sha256')).toHaveText(file.sha256)
    await expect(detail.getByTestId('receipt-audit-hash')).toHaveText(file.receipt.ledger.auditHash)
    await expect(detail.getByTestId('receipt-timeline')).toContainText('Confirmed')
    await paneShot(page, 'receipts-03-receipt-detail')
    await detail.getByTestId('receipt-verify').click()
    await expect(detail.getByTestId('receipt-verification')).toHaveAttribute('data-ok', 'true')
    return { number, file }
  })

  const files = await test.step('its PDF (the attached JSON verifies) and its JSON', async () => {
    const pdf = await download(page, () => page.getByTestId('receipt-download-pdf').click())
    expect(pdf.name).toBe(`receipt-${receipt.file.receipt.displayNumber}.pdf`)
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-')
    const embedded = readEmbeddedReceiptJson(new Uint8Array(pdf.bytes))
    expect(embedded, 'the PDF carries the receipt JSON').not.toBeNull()
    expect((JSON.parse(embedded!) as { sha256: string }).sha256).toBe(receipt.file.sha256)
    expect((await api.call('receipts.verify', { content: embedded!, encoding: 'text', online: false }, dana)).ok).toBe(true)
    const json = await download(page, () => page.getByTestId('receipt-download-json').click())
    expect(json.name).toBe(`receipt-${receipt.file.receipt.displayNumber}.json`)
    expect(json.bytes.toString('utf8')).toBe(embedded)
    const pdfFile = testInfo.outputPath(pdf.name)
    fs.writeFileSync(pdfFile, pdf.bytes)
    const printed = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' })
    expect(printed).toContain('USDC on Local Anvil')
    expect(printed).not.toContain('USDC@evm:31337')
    await page.getByRole('button', { name: 'Close the receipt' }).click()
    return { pdf: pdfFile, json: json.bytes }
  })

  await test.step('verified in the app: the PDF passes every check', async () => {
    await page.getByTestId('receipts-tab-verify').click()
    await page.getByTestId('receipt-drop-input').setInputFiles(files.pdf)
    const result = page.getByTestId('receipt-verify-result')
    await expect(result).toHaveAttribute('data-ok', 'true')
    await expect(result.getByTestId('receipt-verify-result-verdict')).toContainText('This receipt is genuine')
    await expect(result.getByTestId('receipt-verify-result-amount')).toHaveText('1,250.500001 USDC')
    for (const name of ['schema', 'hash', 'signature', 'handovers', 'key'])
      await expect(result.locator(`[data-check="${name}"]`)).toHaveAttribute('data-status', 'pass')
    await expect(result.locator('[data-status="fail"]')).toHaveCount(0)
    await shot(page, 'receipts-04-verify-pdf-genuine')
  })

  await test.step('a copy with one byte changed fails the hash check, named in red', async () => {
    const text = files.json.toString('utf8')
    const at = text.indexOf('"value":"1250.500001"') + '"value":"1250.50000'.length
    expect(text[at]).toBe('1')
    const tampered = Buffer.from(text, 'utf8')
    tampered[Buffer.byteLength(text.slice(0, at), 'utf8')] = '2'.charCodeAt(0)
    await page
      .getByTestId('receipt-drop-input')
      .setInputFiles({ name: 'receipt-tampered.json', mimeType: 'application/json', buffer: tampered })
    const result = page.getByTestId('receipt-verify-result')
    await expect(result).toHaveAttribute('data-ok', 'false')
    await expect(result.getByTestId('receipt-verify-result-verdict')).toContainText('The fingerprint (SHA-256) check failed')
    await expect(result.getByTestId('receipt-verify-result-untrusted')).toBeVisible()
    await expect(result.locator('[data-check="hash"]')).toHaveAttribute('data-status', 'fail')
    await expect(result.locator('[data-check="hash"]').getByTestId('verify-check-detail')).toContainText('the receipt was changed')
    await shot(page, 'receipts-05-verify-tampered-json')
  })

  await test.step('Settings: the organisation on receipts, and the receipt key', async () => {
    await page.getByTestId('nav-settings').click()
    const card = page.getByTestId('settings-organisation')
    await card.getByTestId('organisation-name').fill(ORGANISATION.name)
    await card.getByTestId('organisation-address').fill(ORGANISATION.address)
    await card.getByTestId('organisation-registration').fill(ORGANISATION.registration)
    await card
      .locator('input[type="file"]')
      .setInputFiles({ name: 'northwind.png', mimeType: 'image/png', buffer: Buffer.from(LOGO_PNG_BASE64, 'base64') })
    await expect(card.getByTestId('organisation-logo-preview')).toBeVisible()
    await card.getByTestId('organisation-save').click()
    await expect(card.getByTestId('organisation-changed')).toContainText('Last changed by Dana Admin')
    const saved = await api.call('settings.organisation.get', {}, dana)
    expect(saved).toMatchObject({ name: ORGANISATION.name, registrationNumber: ORGANISATION.registration, logoPng: LOGO_PNG_BASE64 })
    const key = page.getByTestId('settings-receipt-key')
    await expect(key.getByTestId('receipt-key-id')).toHaveText(receipt.file.workspaceSignature.keyId)
    await expect(key.getByTestId('receipt-key-public')).toHaveText(receipt.file.workspaceSignature.publicKey)
    await shotOf(card.locator('xpath=..'), 'receipts-06-settings-organisation-and-key')
  })

  await test.step('the next receipt prints the organisation; the first keeps what it was issued with', async () => {
    await page.getByTestId('nav-receipts').click()
    await page.getByTestId('receipts-tab-search').click()
    // The view kept Aurora's history open across the visit to Settings.
    await page.getByTestId('payee-back').click()
    await search(page, 'INV-7004')
    await expect(page.getByTestId('receipts-table-empty')).toBeVisible()
    await payOnTheRail(ws, SECOND_CSV, SECOND_BATCH)
    // Asked at once, the receipt is not due yet: the notice says it waits for finality.
    await page.getByTestId('receipts-issue').click()
    await expect(
      page.getByTestId('notification-success').filter({ hasText: /1 payment waits — Waiting for finality: block \d+ on Local Anvil/ }),
    ).toBeVisible()
    await ws.sweep()
    await expect(page.getByTestId('receipt-row')).toHaveCount(1)
    await page.getByTestId('receipt-open').click()
    await paneSettled(page)
    const detail = page.getByTestId('receipt-detail')
    await expect(detail.getByTestId('receipt-payer-name')).toHaveText(ORGANISATION.name)
    const pdf = await download(page, () => detail.getByTestId('receipt-download-pdf').click())
    const embedded = JSON.parse(readEmbeddedReceiptJson(new Uint8Array(pdf.bytes))!) as {
      receipt: { payer: { name: string; registrationNumber: string } }
    }
    expect(embedded.receipt.payer).toMatchObject({ name: ORGANISATION.name, registrationNumber: ORGANISATION.registration })
    const pdfFile = testInfo.outputPath(pdf.name)
    fs.writeFileSync(pdfFile, pdf.bytes)
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' })
    expect(text).toContain(ORGANISATION.name)
    expect(text).toContain('42.000042')
    expect(text).toContain('INV-7004')
    const first = await api.call('receipts.get', { number: receipt.number }, dana)
    expect(first.file.receipt.payer.name).toBe(receipt.file.receipt.payer.name)
    expect(first.file.receipt.payer.name).not.toBe(ORGANISATION.name)
    await page.getByRole('button', { name: 'Close the receipt' }).click()
  })

  await test.step('the batch page: every receipt as PDFs in one ZIP', async () => {
    await openBatch(page, FIRST_BATCH)
    const card = page.getByTestId('batch-receipts')
    await expect(card.getByTestId('batch-receipts-count')).toContainText('3 issued')
    const zip = await download(page, () => card.getByTestId('receipts-batch-zip').click())
    expect(zip.name).toMatch(/^receipts-Receipts__April_contractors-.+\.zip$/)
    expect(zip.bytes.subarray(0, 2).toString('latin1')).toBe('PK')
    const { items } = await api.call('receipts.list', { batchId: firstBatch }, dana)
    expect(items).toHaveLength(3)
    for (const r of items) expect(zip.bytes.includes(Buffer.from(`receipt-${r.displayNumber}.pdf`)), r.displayNumber).toBe(true)
    await shot(page, 'receipts-07-batch-zip')
  })

  await test.step('Export: a QuickBooks bank file with its sign convention', async () => {
    await page.getByTestId('nav-receipts').click()
    await page.getByTestId('receipts-tab-export').click()
    await page.getByTestId('export-kind').click()
    await page.getByRole('option', { name: 'QuickBooks Online bank file' }).click()
    await expect(page.getByTestId('export-problem')).toContainText('Choose the ledger account')
    // USDC keeps 6 decimals and QuickBooks 2: refused with the sentence, never rounded.
    await page.getByTestId('export-account').click()
    await page
      .getByRole('option', { name: /^Treasury .*USDC@evm:31337$/ })
      .first()
      .click()
    await expect(page.getByTestId('export-preview-error')).toContainText('never rounds')
    await expect(page.getByTestId('export-run')).toBeDisabled()
    await shot(page, 'receipts-08-export-quickbooks-refuses-6-decimals')
    await page.getByTestId('export-account').click()
    await page
      .getByRole('option', { name: /^Treasury .*USD@stripe$/ })
      .first()
      .click()
    await expect(page.getByTestId('export-preview-note')).not.toBeEmpty()
    await expect(page.getByTestId('export-preview-table')).toBeVisible()
    await expectNoSidewaysScroll(page, 'the export preview at 1440×900')
    await shot(page, 'receipts-09-export-quickbooks-preview')
    await page.getByTestId('export-run').click()
    await expect(page.getByTestId('export-file')).toHaveCount(1)
    const csv = await download(page, () => page.getByTestId('export-file-download').click())
    expect(csv.name).toMatch(/^quickbooks-.+\.csv$/)
    expect(csv.bytes.toString('utf8')).toContain('50000.00')
  })

  await test.step('at 1024×700: search, history, receipt and verification fit without sideways scrolling', async () => {
    await page.setViewportSize({ width: 1024, height: 700 })
    await page.getByTestId('receipts-tab-search').click()
    await search(page, 'INV-700')
    await expect(page.getByTestId('receipt-row')).toHaveCount(4)
    await expectAmountsWhole(page.getByTestId('receipts-search'))
    await expectNoSidewaysScroll(page, 'the search at 1024×700')
    await shot(page, 'receipts-10-search-1024')
    await page.getByTestId('receipt-payee-open').filter({ hasText: 'Aurora Design Studio' }).first().click()
    await expect(page.getByTestId('payee-receipts').getByTestId('receipt-row')).toHaveCount(2)
    await expectAmountsWhole(page.getByTestId('payee-history'))
    await expectNoSidewaysScroll(page, 'the payee history at 1024×700')
    await shot(page, 'receipts-11-payee-history-1024')
    await page.getByTestId('payee-receipts').getByTestId('receipt-open').first().click()
    await paneSettled(page)
    await expectAmountsWhole(page.getByTestId('receipt-detail'))
    await expectNoSidewaysScroll(page, 'the receipt pane at 1024×700')
    await paneShot(page, 'receipts-12-receipt-detail-1024')
    await page.getByRole('button', { name: 'Close the receipt' }).click()
    await page.getByTestId('payee-back').click()
    await page.getByTestId('receipts-tab-verify').click()
    await page.getByTestId('receipt-drop-input').setInputFiles(files.pdf)
    await expect(page.getByTestId('receipt-verify-result')).toHaveAttribute('data-ok', 'true')
    await expectNoSidewaysScroll(page, 'the verification at 1024×700')
    await shot(page, 'receipts-13-verify-1024')
  })

  expect(problems).toEqual([])
})
