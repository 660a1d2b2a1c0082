/**
 * Rail balances on the dashboard, in a sandbox world of its own (Anvil, the Horizon- and
 * Stripe-compatible harnesses) served by browser mode: Dana opens the dashboard, the card lists
 * every treasury "not checked"; Check now reads the rails and every one matches. The chain then
 * loses 5 USDC behind the ledger's back and the poller-style check (through the API) updates the
 * page live: the USDC row says "differs by −5.000000" and an alert says what to do. Put back,
 * Check now clears it. Photographed under test-results/e2e/screenshots/rail-balances-NN-*.png at
 * 1280 and 1024 wide.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test as base, type Page } from '@playwright/test'
import { createPublicClient, createTestClient, createWalletClient, erc20Abi, http, type Address } from 'viem'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { ANVIL_ACCOUNTS, ANVIL_FIRST_CONTRACT, SANDBOX_EVM_TREASURY } from '../../src/main/sandbox/sandboxPlan'
import { anvilChain } from '../../src/main/sandbox/harness/evm/clients'
import { startWebServer, type WebServer } from '../../src/web/server'
import { expect, RENDERER_DIR, SCREENSHOT_DIR, snap, unlockAs, watchPageProblems } from './fixtures'

interface World {
  sandbox: Sandbox
  server: WebServer
  url: string
}

/** A sandbox of its own: this spec moves money on the chain behind the ledger's back. */
const test = base.extend<object, { world: World }>({
  world: [
    async ({}, use) => {
      if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html')))
        throw new Error(`${RENDERER_DIR}/index.html is missing — run \`npx electron-vite build\` before the E2E tests.`)
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-e2e-rail-balances-'))
      let sandbox: Sandbox | null = null
      let server: WebServer | null = null
      try {
        // The poller never sweeps on its own here: the test decides when balances are checked.
        sandbox = await sandboxUp({ dataDir, transport: 'web', pollIntervalMs: 10 * 60 * 1000 })
        server = await startWebServer({ core: sandbox.core, rendererDir: RENDERER_DIR })
        await use({ sandbox, server, url: `${server.url}#token=${server.token}` })
      } finally {
        await server?.close()
        await sandbox?.stop()
        fs.rmSync(dataDir, { recursive: true, force: true })
      }
    },
    { scope: 'worker' },
  ],
})

const USDC = 'treasury.usdc-evm31337'
const ACCOUNTS = ['treasury.eth-evm31337', 'treasury.usd-stripe', USDC, 'treasury.usdc-stellar-local', 'treasury.xlm-stellar-local']
const FIVE_USDC = 5_000_000n
const WIDTHS = [1280, 1024] as const

/** Moves USDC on the chain only (Anvil impersonation); the sender's ETH is put back, so only USDC moves. */
async function moveUsdcBehindTheLedger(sandbox: Sandbox, from: Address, to: Address, amount: bigint): Promise<void> {
  const anvil = sandbox.description.services.anvil!
  const chain = anvilChain({ rpcUrl: String(anvil.rpcUrl), chainId: Number(anvil.chainId) })
  const transport = http(String(anvil.rpcUrl))
  const pc = createPublicClient({ chain, transport })
  const tc = createTestClient({ chain, transport, mode: 'anvil' })
  const eth = await pc.getBalance({ address: from })
  await tc.impersonateAccount({ address: from })
  try {
    const wallet = createWalletClient({ chain, transport, account: from })
    const hash = await wallet.writeContract({ address: ANVIL_FIRST_CONTRACT, abi: erc20Abi, functionName: 'transfer', args: [to, amount] })
    expect((await pc.waitForTransactionReceipt({ hash })).status).toBe('success')
  } finally {
    await tc.stopImpersonatingAccount({ address: from })
  }
  await tc.setBalance({ address: from, value: eth })
}

async function shots(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 })
    // The card fits the page (a narrow one scrolls its table inside), and no badge is cut.
    const card = page.getByTestId('rail-balances')
    expect(await card.evaluate((e) => e.scrollWidth <= e.clientWidth + 1), `${name} at ${width}: the card overflows`).toBe(true)
    const button = await page.getByTestId('rail-balances-check').boundingBox()
    expect(button!.x + button!.width, `${name} at ${width}: Check now is off screen`).toBeLessThanOrEqual(width)
    const cardBox = (await card.boundingBox())!
    for (const badge of await page.getByTestId('rail-balance-state').all()) {
      const label = badge.locator('.mantine-Badge-label')
      expect(await label.evaluate((e) => e.scrollWidth <= e.clientWidth + 1), `${name} at ${width}: a badge is cut`).toBe(true)
      const box = (await badge.boundingBox())!
      expect(box.x + box.width, `${name} at ${width}: a state is scrolled out of the card`).toBeLessThanOrEqual(cardBox.x + cardBox.width)
    }
    await card.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${width}-card.png`), animations: 'disabled' })
    await page.evaluate('window.scrollTo(0, 0)')
    await snap(page, `${name}-${width}`)
  }
  await page.setViewportSize({ width: 1440, height: 900 })
}

test('the dashboard compares every treasury with its rail, and alerts when the chain holds less', async ({ page, world }) => {
  test.setTimeout(120_000)
  const problems = watchPageProblems(page)
  await page.goto(world.url)
  await unlockAs(page, 'Dana Admin')
  const card = page.getByTestId('rail-balances')
  const row = (id: string) => page.getByTestId(`rail-balance-${id}`)

  await test.step('before a check: every treasury is listed, not checked', async () => {
    await expect(card).toBeVisible()
    for (const id of ACCOUNTS) await expect(row(id)).toHaveAttribute('data-state', 'unchecked')
    await expect(page.getByTestId('rail-balances-checked')).toContainText('not checked yet')
  })

  await test.step('Check now: every treasury matches its rail', async () => {
    await page.getByTestId('rail-balances-check').click()
    for (const id of ACCOUNTS) {
      await expect(row(id)).toHaveAttribute('data-state', 'matches')
      await expect(row(id).getByTestId('rail-balance-state')).toHaveText('matches')
    }
    await expect(row(USDC).getByTestId('rail-balance-ledger')).toHaveText('1,000,000.00')
    await expect(row(USDC).getByTestId('rail-balance-rail')).toHaveText('1,000,000.00')
    await expect(row('treasury.usd-stripe').getByTestId('rail-balance-rail')).toHaveText('50,000.00')
    await expect(page.getByTestId('rail-balances-checked')).toContainText('checked ')
    await expect(page.getByTestId('rail-balances-alert')).toHaveCount(0)
    await shots(page, 'rail-balances-01-matches')
  })

  await test.step('the chain loses 5 USDC: the next check shows it live, with an alert that says what to do', async () => {
    await moveUsdcBehindTheLedger(world.sandbox, SANDBOX_EVM_TREASURY, ANVIL_ACCOUNTS[3], FIVE_USDC)
    // As the poller would: the page hears recon.balances.changed and reloads.
    const dana = world.sandbox.description.operators.find((o) => o.name === 'Dana Admin')!
    await world.sandbox.core.api.call('recon.checkBalances', {}, { operatorId: dana.id })
    await expect(row(USDC)).toHaveAttribute('data-state', 'differs')
    await expect(row(USDC).getByTestId('rail-balance-state')).toHaveText('differs by −5.00')
    await expect(row(USDC).getByTestId('rail-balance-rail')).toHaveText('999,995.00')
    await expect(row('treasury.eth-evm31337')).toHaveAttribute('data-state', 'matches')
    const alert = page.getByTestId('rail-balances-alert')
    await expect(alert).toContainText('A treasury differs from its rail')
    await expect(alert).toContainText('the rail holds 999,995.00 USDC, the ledger 1,000,000.00 USDC (−5.00 USDC)')
    await expect(alert).toContainText('countersign sandbox up --data-dir NEW-FOLDER')
    await shots(page, 'rail-balances-02-differs')
  })

  await test.step('put back on the chain, Check now clears the alert', async () => {
    await moveUsdcBehindTheLedger(world.sandbox, ANVIL_ACCOUNTS[3], SANDBOX_EVM_TREASURY, FIVE_USDC)
    await page.getByTestId('rail-balances-check').click()
    await expect(row(USDC)).toHaveAttribute('data-state', 'matches')
    await expect(page.getByTestId('rail-balances-alert')).toHaveCount(0)
  })

  expect(problems).toEqual([])
})
