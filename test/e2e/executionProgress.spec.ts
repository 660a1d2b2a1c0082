/**
 * Execution progress as a finance person reads it, on the sandbox (Anvil, the local Stellar
 * network, the Stripe harness, the device emulator):
 * - before Execute, a mixed batch says per rail what executing asks of the signer: EVM and Stellar
 *   transactions confirmed on the Ledger, Stripe transfers with nothing to sign;
 * - after Execute, per rail a bar and "N of M confirmed" — still right after a reload (it is read
 *   from the stored batch, not from this window's events) — and once every payout is confirmed a
 *   summary: paid, and the network fees per asset, exact; no chunk / attempt / nonce in the main
 *   view (they are behind Details);
 * - a Stellar batch whose payouts carry distinct memos warns BEFORE Execute that it takes one
 *   confirmation per payout instead of one; executed from outside this window (the API, as the
 *   CLI would), the open page follows to "3 of 3 confirmed" by itself.
 */
import type { Page } from '@playwright/test'
import { getAddress, keccak256, toHex } from 'viem'
import { SANDBOX_STELLAR_PAYEES, SANDBOX_STRIPE_ACCOUNTS } from '../../src/main/sandbox/sandboxPlan'
import { expect, openBatch, snap, unlockAs } from './fixtures'
import { importApproved, sharedSandboxTest as test, type SandboxWorkspace } from './sandboxFixtures'
import { formatDisplay } from '../../src/shared/displayAmount'

/** Sweeps of the poller before a batch must be completed. */
const SWEEPS_MAX = 10
const WIDE = { width: 1440, height: 900 }
const NARROW = { width: 1024, height: 700 }

/** Screenshots at the default 1440×900 and at 1024×700 (the smallest laptop window we support). */
async function snapBoth(page: Page, name: string): Promise<void> {
  const notices = page.locator('[data-testid^="notification-"] button')
  while ((await notices.count()) > 0) await notices.first().click()
  // From the top: a full-page picture of a scrolled page draws the fixed header mid-page.
  await page.evaluate('window.scrollTo(0, 0)')
  await snap(page, `${name}-1440`)
  await page.setViewportSize(NARROW)
  await page.evaluate('window.scrollTo(0, 0)')
  await snap(page, `${name}-1024`)
  await page.setViewportSize(WIDE)
}

async function settle(ws: SandboxWorkspace, id: string): Promise<void> {
  for (let round = 0; round < SWEEPS_MAX; round++) {
    await ws.sweep()
    if ((await ws.sandbox.core.api.call('batches.get', { id })).batch.state === 'completed') return
  }
  throw new Error(`batch ${id} was not completed after ${SWEEPS_MAX} sweeps`)
}

test('a mixed batch: what Execute asks per rail, progress per rail that survives a reload, and the summary', async ({
  page,
  sharedSandbox: ws,
}) => {
  test.setTimeout(180_000)
  const evmPayees = [1, 2, 3].map((n) => getAddress(keccak256(toHex(`countersign e2e progress ${n}`)).slice(0, 42)))
  const csv = [
    'id,rail,network,asset,recipient,amount,memo,name',
    `prog-e1,evm,31337,USDC,${evmPayees[0]},1200.000001,,Northwind Consulting`,
    `prog-e2,evm,31337,USDC,${evmPayees[1]},350.5,,Blue Fox Studio`,
    `prog-e3,evm,31337,USDC,${evmPayees[2]},0.000003,,Tiny Test Payee`,
    `prog-s1,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-1']},125.0000001,MARCH-2026,Stellar Partners`,
    `prog-s2,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-2']},0.5,MARCH-2026,Lumen Design`,
    `prog-t1,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.freelancer},1500.00,,Freelancer`,
    `prog-t2,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.studio},249.99,,Design Studio`,
  ].join('\n')
  const id = await importApproved(ws.sandbox, csv, 'March mixed payouts')

  await page.goto(ws.url)
  await unlockAs(page, 'Carol Signer')
  await openBatch(page, 'March mixed payouts')
  await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'approved')

  // Beside Execute: per rail, what executing asks of the signer. Stripe asks nothing of the device.
  const plan = page.getByTestId('signing-plan')
  await expect(plan).toHaveAttribute('data-device-confirmations', '2')
  await expect(plan.getByTestId('signing-plan-total')).toHaveText('Executing asks for 2 confirmations on the Ledger — one per transaction.')
  await expect(plan.getByTestId('signing-plan-rail')).toHaveText([
    'Local Anvil: 3 payouts in 1 transaction — 1 confirmation on the Ledger (more if the network needs a transaction split).',
    'Local Stellar: 2 payouts in 1 transaction — 1 confirmation on the Ledger.',
    'Stripe: 2 transfers — sent by the app, nothing to sign.',
  ])
  await expect(page.getByTestId('signing-plan-warning')).toHaveCount(0)
  await expect(page.getByTestId('execution-how')).toContainText('Stripe transfers are sent by the app, with nothing to sign')
  await snapBoth(page, 'execution-progress-01-before-execute')

  await page.getByTestId('batch-execute').click()
  await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'executing')
  const rail = (key: string) => page.locator(`[data-testid="rail-progress"][data-rail="${key}"]`)
  await expect(rail('evm:31337').getByTestId('rail-progress-count')).toHaveText('0 of 3 confirmed')
  await expect(rail('evm:31337').getByTestId('rail-progress-status')).toHaveText(
    'All signed and sent — waiting for the network to confirm.',
  )
  await expect(rail('stripe:stripe').getByTestId('rail-progress-status')).toHaveText('All sent — waiting for Stripe to confirm.')
  // Plain words only in the main view: the technical record is behind Details.
  await expect(page.getByTestId('execution-details')).not.toHaveAttribute('open')
  await expect(page.getByTestId('submissions-table')).toBeHidden()
  await expect(page.getByTestId('batch-resume')).toHaveCount(0)

  // After a reload the same, from the stored batch (this window's progress events are gone).
  await page.reload()
  await unlockAs(page, 'Carol Signer')
  await openBatch(page, 'March mixed payouts')
  await expect(rail('evm:31337').getByTestId('rail-progress-count')).toHaveText('0 of 3 confirmed')
  await expect(rail('stellar:standalone').getByTestId('rail-progress-count')).toHaveText('0 of 2 confirmed')
  await expect(rail('stripe:stripe').getByTestId('rail-progress-count')).toHaveText('0 of 2 confirmed')
  await expect(page.getByTestId('batch-resume')).toHaveCount(0)
  await snapBoth(page, 'execution-progress-02-sent-after-reload')

  await settle(ws, id)
  await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'completed')
  for (const [key, n] of [
    ['evm:31337', 3],
    ['stellar:standalone', 2],
    ['stripe:stripe', 2],
  ] as const) {
    await expect(rail(key).getByTestId('rail-progress-count')).toHaveText(`${n} of ${n} confirmed`)
    await expect(rail(key)).toHaveAttribute('data-phase', 'paid')
  }

  // The summary: paid per asset exactly, and the network fees each landed transaction paid.
  const summary = page.getByTestId('execution-summary')
  await expect(summary).toContainText('Execution finished — every payout paid')
  await expect(summary.getByTestId('summary-paid')).toHaveText(
    'Paid: 7 payouts — 1,550.500004 USDC (Local Anvil) · 125.5000001 USDC (Local Stellar) · 1,749.99 USD',
  )
  await expect(summary.getByTestId('summary-failed')).toHaveCount(0)
  const subs = await ws.sandbox.core.api.call('batches.submissions', { id })
  const ethFee = subs.find((s) => s.rail === 'evm')!.fee
  const xlmFee = subs.find((s) => s.rail === 'stellar')!.fee
  expect(ethFee).toMatchObject({ assetCode: 'ETH', scale: 18 })
  expect(xlmFee).toMatchObject({ assetCode: 'XLM', scale: 7 })
  expect(subs.filter((s) => s.rail === 'stripe').every((s) => s.fee === null)).toBe(true)
  // Shown as every amount is: trailing zeros trimmed, never rounded.
  await expect(summary.getByTestId('summary-fees')).toHaveText(
    `Network fees: ${formatDisplay(ethFee!.amount, 18, 'ETH')} ETH · ${formatDisplay(xlmFee!.amount, 7, 'XLM')} XLM`,
  )
  await snapBoth(page, 'execution-progress-03-summary')

  // Details opens the technical record.
  await page.getByTestId('execution-details').locator('summary').click()
  await expect(page.getByTestId('submissions-table')).toBeVisible()
  await expect(page.getByTestId('submission-row')).toHaveCount(subs.length)
  await snapBoth(page, 'execution-progress-04-details-open')
})

test('distinct Stellar memos: the warning before Execute, then progress followed from outside the window', async ({
  page,
  sharedSandbox: ws,
}) => {
  test.setTimeout(120_000)
  const payees = [SANDBOX_STELLAR_PAYEES['payee-1'], SANDBOX_STELLAR_PAYEES['payee-2'], SANDBOX_STELLAR_PAYEES['payee-3']]
  const csv = [
    'id,rail,network,asset,recipient,amount,memo,name',
    ...payees.map((p, i) => `memo-${i + 1},stellar,standalone,USDC,${p},${i + 1}.25,DEP-${7001 + i},Exchange deposit ${i + 1}`),
  ].join('\n')
  const id = await importApproved(ws.sandbox, csv, 'Exchange deposits')

  await page.goto(ws.url)
  await unlockAs(page, 'Carol Signer')
  await openBatch(page, 'Exchange deposits')
  await expect(page.getByTestId('signing-plan')).toHaveAttribute('data-device-confirmations', '3')
  const warning = page.getByTestId('signing-plan-warning')
  await expect(warning).toBeVisible()
  await expect(warning).toContainText('3 payouts carry 3 different memos, and a Stellar transaction holds only one memo')
  await expect(warning).toContainText('you will confirm 3 transactions on the Ledger instead of 1')
  await expect(page.getByTestId('batch-execute')).toBeEnabled()
  await snapBoth(page, 'execution-progress-05-memo-warning')

  // Executed elsewhere (the API, as the CLI would): the open page follows by itself.
  await ws.sandbox.core.api.call('batches.execute', { id }, { operatorId: ws.operator('Carol Signer').id })
  const rail = page.locator('[data-testid="rail-progress"][data-rail="stellar:standalone"]')
  await expect(rail.getByTestId('rail-progress-count')).toHaveText('0 of 3 confirmed')
  await expect(page.getByTestId('signing-plan')).toHaveCount(0)
  await settle(ws, id)
  await expect(rail.getByTestId('rail-progress-count')).toHaveText('3 of 3 confirmed')
  await expect(page.getByTestId('execution-summary').getByTestId('summary-paid')).toHaveText('Paid: 3 payouts — 6.75 USDC')
})
