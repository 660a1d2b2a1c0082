/**
 * Payees on screen (issue 17, finding 3), on the sandbox: a batch pays the address book's payees
 * on the three rails (Acme's address written in lower case, the freelancer's mixed-case acct_ id)
 * and two dozen payees the address book does not know. Then:
 * - the dashboard shows the payees as one grouped line with a link, not one row per payee account,
 *   and each asset card counts its accounts apart from its payees;
 * - the Payees view lists each payee once, with its addresses per rail and its totals per asset,
 *   exact; searching finds a payee by name or by address;
 * - a payee opens in full: addresses, totals, its payouts and its ledger account(s).
 * Each state is photographed under test-results/e2e/screenshots/payees-NN-*.png at 1440×900 and
 * again at 1024×700; neither scrolls sideways.
 */
import { getAddress, keccak256, toHex } from 'viem'
import type { Page } from '@playwright/test'
import {
  ANVIL_ACCOUNTS,
  SANDBOX_STELLAR_NETWORK,
  SANDBOX_STELLAR_PAYEES,
  SANDBOX_STRIPE_ACCOUNTS,
} from '../../src/main/sandbox/sandboxPlan'
import { expect, snap, unlockAs } from './fixtures'
import { importApproved, ownSandboxTest as test, type SandboxWorkspace } from './sandboxFixtures'

test.describe.configure({ mode: 'serial' })

/** Sweeps of the poller a batch may take to confirm (each mines and checks). */
const SWEEPS_MAX = 10
/** Payees the address book does not know, paid once each: what used to fill the dashboard. */
const STRANGERS = 24
const SIZES = [
  { width: 1440, height: 900, suffix: '' },
  { width: 1024, height: 700, suffix: '-1024' },
] as const

/** Deterministic addresses nobody holds a key for (hash of a fixed phrase). */
function strangerAddress(i: number): string {
  return getAddress(`0x${keccak256(toHex(`countersign e2e payee ${i}`)).slice(-40)}`)
}

const CSV = [
  'id,rail,network,asset,recipient,amount,reference,name',
  `pe-acme,evm,31337,USDC,${ANVIL_ACCOUNTS[1].toLowerCase()},1250.500000,INV-9001,Acme Supplies`,
  `pe-globex,evm,31337,USDC,${ANVIL_ACCOUNTS[2]},980.000001,INV-9002,Globex Ltd`,
  `pe-partners,stellar,${SANDBOX_STELLAR_NETWORK},USDC,${SANDBOX_STELLAR_PAYEES['payee-1']},310.2500000,INV-9003,Stellar Partners`,
  `pe-freelancer,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.freelancer},1500.00,INV-9004,Freelancer`,
  `pe-studio,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.studio},249.99,INV-9005,Design Studio`,
  ...Array.from({ length: STRANGERS }, (_, i) => `pe-s${i + 1},evm,31337,USDC,${strangerAddress(i + 1)},${i + 1}.000001,INV-95${i},`),
  '',
].join('\n')

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

async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(
    'Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - document.documentElement.clientWidth',
  )
  expect(overflow, `${what} scrolls sideways by ${String(overflow)} px`).toBeLessThanOrEqual(0)
}

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)')
  await expectNoSidewaysScroll(page, name)
  await snap(page, name)
}

test('payees are one line on the dashboard and one row each in the Payees view, with their addresses and exact totals', async ({
  page,
  ownSandbox: ws,
}) => {
  test.setTimeout(180_000)
  await payOnTheRail(ws, CSV, 'Contractors, December')

  await page.goto(ws.url)
  await unlockAs(page, 'Dana Admin')
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height })
    await page.getByTestId('nav-dashboard').click()
    // The payee accounts are one line; none of them is a row of the balances table.
    await expect(page.getByTestId('dashboard-payees-count')).toContainText(`${STRANGERS + 6} payees in ${STRANGERS + 6} accounts`)
    await expect(page.locator('[data-testid^="balance-row-payee"]')).toHaveCount(0)
    await expect(page.getByTestId('asset-summary-USDC@evm:31337')).toContainText(`3 accounts · ${STRANGERS + 3} payees`)
    await shot(page, `payees-01-dashboard${size.suffix}`)

    await page.getByTestId('dashboard-open-payees').click()
    await expect(page.getByTestId('view-title')).toHaveText('Payees')
    const acme = page.getByTestId('payee-row-payee.acme.usdc-evm31337')
    // Paid to its lower-case address, booked to the address book's Acme, shown in checksum form.
    await expect(acme.getByTestId('payee-totals')).toHaveText('1,250.50 USDC')
    await expect(acme.getByTestId('payee-addresses').locator(`[title="${ANVIL_ACCOUNTS[1]}"]`)).toBeVisible()
    await expect(page.getByTestId('payee-row-payee.freelancer.usd-stripe').getByTestId('payee-totals')).toHaveText('1,500.00 USD')
    await expect(page.getByTestId('payees-count')).toContainText(`${STRANGERS + 6} payees · 5 in the address book, ${STRANGERS + 1} paid`)
    await shot(page, `payees-02-list${size.suffix}`)

    await page.getByTestId('payees-search').fill('acct_1CsSandboxDesign')
    await expect(page.locator('[data-testid^="payee-row-"]')).toHaveCount(1)
    await page.getByTestId('payee-open').click()
    await expect(page.getByTestId('payee-name')).toHaveText('Design Studio')
    await expect(page.getByTestId('payee-detail')).toContainText(SANDBOX_STRIPE_ACCOUNTS.studio)
    await expect(page.getByTestId('payee-detail-totals')).toContainText('249.99')
    await expect(page.getByTestId('payee-payout-pe-studio')).toContainText('confirmed')
    // Its one account keeps the acct_ id exactly as Stripe spells it.
    await expect(page.getByTestId(`payee-account-payee:USD@stripe:${SANDBOX_STRIPE_ACCOUNTS.studio}`)).toBeVisible()
    await shot(page, `payees-03-detail${size.suffix}`)

    await page.getByTestId('payee-back').click()
    await page.getByTestId('payees-search').fill('')
    await page.getByTestId('payee-row-payee.acme.usdc-evm31337').getByTestId('payee-open').click()
    await expect(page.getByTestId('payee-account-payee.acme.usdc-evm31337')).toContainText('1,250.50')
    await expect(page.getByTestId('payee-account-payee.acme.usdc-evm31337')).not.toContainText('1,250.500000')
    await shot(page, `payees-04-address-book-payee${size.suffix}`)
    await page.getByTestId('payee-back').click()
  }
})
