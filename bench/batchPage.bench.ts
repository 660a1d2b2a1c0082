/**
 * Time to first paint of a batch page (`npm run bench -- batch-page`): from the click on a batch
 * in the list to its totals and its first payout rows on screen, in Debian's Chromium driving the
 * built renderer (browser mode, the real core on a temp workspace). A 10,000-payout batch (the
 * most a batch holds) beside a 10-payout one measured in the same run: the table is virtualised,
 * so the big page should cost little more than the read of its rows. Each page is opened RUNS
 * times, interleaved; medians and their ratio are printed, never asserted. Needs `npm run build`.
 * The page reads a batch in pages (features/payouts/store.ts): first paint is the header, totals
 * and first payouts; beside it, the time until every payout is in (search, warnings and approval
 * work from then on).
 *
 * Timed in the page (a MutationObserver from just before the click, then the next frame), not by
 * Playwright's waits: the core serves the page from this same process, so a wait's answer queues
 * behind the core's work on the later pages — time the person does not wait (in the app the core
 * runs in another process than the window).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Page } from '@playwright/test'
import { createCore } from '../src/main/core/core'
import { addOperatorForTest } from '../src/main/core/operators/operatorTestKit'
import { demoPassphrase } from '../src/main/sandbox/sandboxPlan'
import { startWebServer } from '../src/web/server'
import { median } from './median'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const RENDERER_DIR = path.join(ROOT, 'out/renderer')
const CHROMIUM_PATH = process.env.COUNTERSIGN_CHROMIUM ?? '/usr/bin/chromium'
const RUNS = 5
const BIG = 10_000
const SMALL = 10

export interface BatchPageBench {
  bigMs: number
  smallMs: number
  /** Click to every payout read (the page marks itself complete). */
  bigWholeMs: number
  smallWholeMs: number
  runs: number
}

function csvOf(rows: number, prefix: string): string {
  const lines = ['id,rail,network,asset,recipient,amount,reference,name']
  for (let i = 0; i < rows; i++) {
    // Distinct, valid, lower-case addresses (no checksum asked of a generated file).
    const address = `0x${(0x1000_0000 + i).toString(16).padStart(40, 'a')}`
    lines.push(`${prefix}-${i},evm,1,USDC,${address},${(i % 997) + 1}.25,INV-${i},Payee ${i}`)
  }
  return lines.join('\n') + '\n'
}

/** Click the batch in the list; time its totals and its first row painted, then every row read; back to the list. */
async function openOnce(page: Page, name: string, firstPayoutId: string): Promise<{ paintMs: number; wholeMs: number }> {
  await page.getByTestId('batch-open').filter({ hasText: name }).first().waitFor()
  // In the page: ms from just before the click until each set of selectors is in the DOM and the
  // next frame has run. As text: tsx would wrap the helpers' names in a function the page lacks (__name).
  await page.evaluate(`(() => {
    const started = performance.now()
    function when(selectors) {
      return new Promise((resolve) => {
        const observer = new MutationObserver(() => {
          if (!selectors.every((s) => document.querySelector(s) !== null)) return
          observer.disconnect()
          requestAnimationFrame(() => resolve(performance.now() - started))
        })
        observer.observe(document.body, { childList: true, subtree: true, attributes: true })
      })
    }
    window.__batchPageTimer = {
      paint: when(['[data-testid="batch-total-amount"]', '[data-testid="payout-row-${firstPayoutId}"]']),
      whole: when(['[data-testid="batch-detail"][data-complete="true"]']),
    }
  })()`)
  await page.getByTestId('batch-open').filter({ hasText: name }).first().click()
  await page.locator('[data-testid="batch-detail"][data-complete="true"]').waitFor({ timeout: 60_000 })
  const [paintMs, wholeMs] = await page.evaluate<[number, number]>(
    'Promise.all([window.__batchPageTimer.paint, window.__batchPageTimer.whole])',
  )
  await page.getByTestId('batch-back').click()
  return { paintMs, wholeMs }
}

export async function runBatchPageBench(): Promise<BatchPageBench> {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) throw new Error('out/renderer is missing — run `npm run build` first')
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-bench-page-'))
  const core = await createCore({ dataDir, transport: 'web' })
  const server = await startWebServer({ core, rendererDir: RENDERER_DIR })
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  })
  try {
    const dana = await addOperatorForTest(core.api, { name: 'Dana Admin', roles: ['admin'] })
    const alice = await addOperatorForTest(core.api, { name: 'Alice Preparer', roles: ['preparer'] }, { operatorId: dana.id })
    const as = { operatorId: alice.id }
    for (const [rows, name, prefix] of [
      [BIG, 'Big batch', 'big'],
      [SMALL, 'Small batch', 'small'],
    ] as const) {
      const r = await core.api.call('payouts.import', { csv: csvOf(rows, prefix), batchName: name }, as)
      if (!r.batchId) throw new Error(`the ${name} did not import: ${JSON.stringify(r.issues.slice(0, 3))}`)
    }

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    await page.goto(`${server.url}#token=${server.token}`)
    await page.locator('[data-testid="operator-option"][data-operator-name="Alice Preparer"]').click()
    await page.getByTestId('unlock-passphrase').fill(demoPassphrase('Alice Preparer'))
    await page.getByTestId('unlock-submit').click()
    await page.getByTestId('current-operator').waitFor({ timeout: 60_000 })
    await page.getByTestId('nav-payouts').click()

    // One warm-up each (the first read compiles the statements, loads the fonts), then interleaved.
    await openOnce(page, 'Big batch', 'big-0')
    await openOnce(page, 'Small batch', 'small-0')
    const big: { paintMs: number; wholeMs: number }[] = []
    const small: { paintMs: number; wholeMs: number }[] = []
    for (let i = 0; i < RUNS; i++) {
      big.push(await openOnce(page, 'Big batch', 'big-0'))
      small.push(await openOnce(page, 'Small batch', 'small-0'))
    }
    return {
      bigMs: median(big.map((r) => r.paintMs)),
      smallMs: median(small.map((r) => r.paintMs)),
      bigWholeMs: median(big.map((r) => r.wholeMs)),
      smallWholeMs: median(small.map((r) => r.wholeMs)),
      runs: RUNS,
    }
  } finally {
    await browser.close()
    await server.close()
    await core.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

export function printBatchPageBench(r: BatchPageBench): void {
  console.log(`\nBatch page, click to totals + first rows painted (Chromium, browser mode; median of ${r.runs})`)
  console.log(`  ${SMALL.toLocaleString('en-US')} payouts   ${r.smallMs.toFixed(0).padStart(6)} ms   (baseline)`)
  console.log(
    `  ${BIG.toLocaleString('en-US')} payouts ${r.bigMs.toFixed(0).padStart(6)} ms   ${(r.bigMs / r.smallMs).toFixed(2)}× the ${SMALL}-payout page`,
  )
  console.log(`Batch page, click to every payout read (search, warnings and approval ready; median of ${r.runs})`)
  console.log(`  ${SMALL.toLocaleString('en-US')} payouts   ${r.smallWholeMs.toFixed(0).padStart(6)} ms`)
  console.log(
    `  ${BIG.toLocaleString('en-US')} payouts ${r.bigWholeMs.toFixed(0).padStart(6)} ms   ${(r.bigWholeMs / r.smallWholeMs).toFixed(2)}× the ${SMALL}-payout page`,
  )
}
