/**
 * One workspace per worker: a temp data dir, the real core in-process, seeded through the real
 * API (never by writing rows), and browser mode serving the built renderer.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { test as base, expect, type Page } from '@playwright/test'
import type { Operator } from '../../src/shared/workspaceApi'
import { createCore, type Core } from '../../src/main/core/core'
import { DB_FILE_NAME } from '../../src/main/core/db/openDb'
import { addOperatorForTest } from '../../src/main/core/operators/operatorTestKit'
import { demoPassphrase } from '../../src/main/sandbox/sandboxPlan'
import { startWebServer, type WebServer } from '../../src/web/server'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const RENDERER_DIR = path.join(ROOT, 'out/renderer')
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/e2e/screenshots')

/** 10^30 minor units at scale 6: far past 2^53 and 2^63, it must reach the screen digit for digit. */
export const USDC_OPENING = '1000000000000000000000000.000000'
export const USDC_OPENING_GROUPED = '1,000,000,000,000,000,000,000,000.000000'
/** The same opening as every view shows amounts: trailing zeros trimmed to cents, never rounded. */
export const USDC_OPENING_DISPLAY = '1,000,000,000,000,000,000,000,000.00'
export const USD_OPENING = '2500.00'

export interface Workspace {
  core: Core
  server: WebServer
  dataDir: string
  dbFile: string
  /** The URL a person opens, token in the fragment. */
  url: string
  operators: { dana: Operator; alice: Operator; bob: Operator }
}

/**
 * The operators, accounts and opening balances every E2E workspace starts with, through the API.
 * Each operator is invited and sets their demo passphrase ("alice-demo-passphrase") as a person
 * would, and stays unlocked on the in-process channel so the tests' own API calls may name them.
 */
export async function seed(core: Core): Promise<Workspace['operators']> {
  const api = core.api
  const dana = await addOperatorForTest(api, { name: 'Dana Admin', roles: ['admin'] })
  const as = { operatorId: dana.id }
  const alice = await addOperatorForTest(api, { name: 'Alice Preparer', roles: ['preparer'] }, as)
  const bob = await addOperatorForTest(api, { name: 'Bob Approver', roles: ['approver'] }, as)
  await api.call(
    'ledger.accounts.add',
    { id: 'treasury-usdc-eth', name: 'Treasury USDC (Ethereum)', kind: 'treasury', assetId: 'USDC@evm:1' },
    as,
  )
  await api.call(
    'ledger.accounts.add',
    { id: 'opening-usdc-eth', name: 'Opening balance USDC (Ethereum)', kind: 'external', assetId: 'USDC@evm:1' },
    as,
  )
  await api.call(
    'ledger.accounts.add',
    { id: 'treasury-usd-stripe', name: 'Stripe balance USD', kind: 'treasury', assetId: 'USD@stripe' },
    as,
  )
  await api.call(
    'ledger.accounts.add',
    { id: 'opening-usd-stripe', name: 'Opening balance USD (Stripe)', kind: 'external', assetId: 'USD@stripe' },
    as,
  )
  await api.call(
    'ledger.entries.post',
    {
      entries: [
        {
          id: 'opening-usdc-eth-1',
          description: 'Opening balance of the Ethereum USDC treasury',
          postings: [
            { account: 'treasury-usdc-eth', debit: USDC_OPENING },
            { account: 'opening-usdc-eth', credit: USDC_OPENING },
          ],
        },
        {
          id: 'opening-usd-stripe-1',
          description: 'Opening balance of the Stripe USD balance',
          postings: [
            { account: 'treasury-usd-stripe', debit: USD_OPENING },
            { account: 'opening-usd-stripe', credit: USD_OPENING },
          ],
        },
      ],
    },
    as,
  )
  return { dana, alice, bob }
}

/** Opens a seeded workspace served by browser mode, hands it to the tests, tears it down. */
export const workspaceFixture = async ({}: object, use: (workspace: Workspace) => Promise<void>): Promise<void> => {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`${RENDERER_DIR}/index.html is missing — run \`npx electron-vite build\` before the E2E tests.`)
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-e2e-'))
  const core = await createCore({ dataDir, transport: 'web' })
  let server: WebServer | null = null
  try {
    const operators = await seed(core)
    server = await startWebServer({ core, rendererDir: RENDERER_DIR })
    await use({
      core,
      server,
      dataDir,
      dbFile: path.join(dataDir, DB_FILE_NAME),
      url: `${server.url}#token=${server.token}`,
      operators,
    })
  } finally {
    await server?.close()
    await core.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

export const test = base.extend<object, { workspace: Workspace }>({
  workspace: [workspaceFixture, { scope: 'worker' }],
})

export { expect }

/** Full-page screenshot under test-results/e2e/screenshots/, after fonts and animations settle. */
export async function snap(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const file = path.join(SCREENSHOT_DIR, `${name}.png`)
  // Park the mouse so no hover tooltip or highlight lands in the picture.
  await page.mouse.move(0, 0)
  await page.evaluate('document.fonts.ready.then(() => true)')
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' })
  return file
}

/** Collects what must never happen on a page: uncaught errors, console errors, CSP violations. */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`)
  })
  return problems
}

/**
 * Opens a batch by its name from the Payouts list. The view keeps the open batch across a switch
 * of operator, so it goes back to the list first when a batch is open.
 */
export async function openBatch(page: Page, name: string): Promise<void> {
  await page.getByTestId('nav-payouts').click()
  if (await page.getByTestId('batch-back').isVisible()) await page.getByTestId('batch-back').click()
  await page.getByTestId('batch-open').filter({ hasText: name }).click()
  await expect(page.getByTestId('view-title')).toHaveText(name)
}

/**
 * At the picker, unlock `name` with their passphrase (the demo one unless told), locking whoever
 * is unlocked first — the way a person hands over the desk.
 */
export async function unlockAs(page: Page, name: string, passphrase = demoPassphrase(name)): Promise<void> {
  if (await page.getByTestId('lock-button').isVisible()) await page.getByTestId('lock-button').click()
  await page.locator(`[data-testid="operator-option"][data-operator-name="${name}"]`).click()
  await page.getByTestId('unlock-passphrase').fill(passphrase)
  await page.getByTestId('unlock-submit').click()
  // The passphrase goes through a deliberately slow key derivation: on a loaded two-core machine
  // that alone can pass the default 10 s.
  await expect(page.getByTestId('current-operator')).toContainText(name, { timeout: UNLOCK_TIMEOUT_MS })
}

/** How long an unlock may take under load (the key derivation is slow on purpose). */
const UNLOCK_TIMEOUT_MS = 30_000
