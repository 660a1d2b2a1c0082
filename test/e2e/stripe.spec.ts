/**
 * Stripe on screen, against the sandbox's Stripe-compatible harness:
 * - Carol executes a Stripe batch (no device prompt: API calls with our idempotency keys); the
 *   poller confirms it; each payout is one transfer on the harness.
 * - A transfer is reversed at Stripe; Dana pays out to the bank from the Stripe view; the payout
 *   is paid, then fails days later — each step arrives through the Events sync (the poller) and
 *   the view updates by itself, the failed payout booked back into the platform balance.
 * - Settings → Stripe shows only the key's last 4 characters; a wrong key is refused with a
 *   sentence that does not carry it. Nothing the core sends this window carries the real key.
 */
import { SANDBOX_STRIPE_ACCOUNTS } from '../../src/main/sandbox/sandboxPlan'
import { expect, openBatch, snap, unlockAs } from './fixtures'
import { importApproved, sharedSandboxTest as test } from './sandboxFixtures'

test('a Stripe batch executes, events sync, the ledger books them and the view follows', async ({ page, sharedSandbox: ws }) => {
  const api = ws.sandbox.core.api
  const h = ws.stripe()
  const received: string[] = []
  page.on('websocket', (socket) => socket.on('framereceived', (f) => received.push(String(f.payload))))
  page.on('console', (m) => received.push(m.text()))

  const csv = [
    'id,rail,network,asset,recipient,amount,memo,name',
    `st-e2e-1,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.freelancer},1500.00,INV-3001,Freelancer`,
    `st-e2e-2,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.studio},249.99,INV-3001,Design Studio`,
    `st-e2e-3,stripe,stripe,USD,${SANDBOX_STRIPE_ACCOUNTS.agency},0.01,INV-3001,Agency`,
  ].join('\n')
  const id = await importApproved(ws.sandbox, csv, 'Stripe contractors')
  // The sandbox is shared with other specs, which may pay the same accounts: only this batch's transfers count.
  const earlier = new Set((h.transfers() as { id: string }[]).map((t) => t.id))

  await page.goto(ws.url)
  await unlockAs(page, 'Carol Signer')
  await openBatch(page, 'Stripe contractors')
  await expect(page.getByTestId('batch-total-USD@stripe').getByTestId('batch-total-amount')).toHaveText('1,750.00 USD')
  await page.getByTestId('batch-execute').click()
  await expect(page.getByTestId('submission-row')).toHaveCount(3)
  await expect(page.getByTestId('execution-progress-log')).toContainText('Transfer 3 of 3 sent to Stripe.')
  await expect(page.getByTestId('execution-progress-log')).not.toContainText('Ledger')
  for (let round = 0; round < 5; round++) {
    await ws.sweep()
    if ((await api.call('batches.get', { id })).batch.state === 'completed') break
  }
  await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'completed')
  await expect(page.getByTestId('submission-row')).toHaveText([
    /Stripe.*CONFIRMED.*tr_/i,
    /Stripe.*CONFIRMED.*tr_/i,
    /Stripe.*CONFIRMED.*tr_/i,
  ])
  const transfers = (h.transfers() as { id: string; amount: bigint; destination: string }[]).filter((t) => !earlier.has(t.id))
  expect(transfers.filter((t) => t.destination === SANDBOX_STRIPE_ACCOUNTS.studio).map((t) => t.amount)).toEqual([24999n])
  // One reference per payment: the batch shows Stripe's transfer ids (tr_…), never our request keys (cs_…).
  const refs = page.getByTestId('payouts-table').getByTestId('rail-reference')
  await expect(refs).toHaveCount(3)
  const shownRefs = await refs.evaluateAll((els) => els.map((e) => e.getAttribute('data-reference')))
  expect([...shownRefs].sort()).toEqual(transfers.map((t) => t.id).sort())
  await expect(page.getByTestId('submission-row').getByTestId('rail-reference')).toHaveCount(3)
  await expect(refs.first().getByTestId('rail-reference-copy')).toHaveAttribute('aria-label', 'Copy the Stripe transfer id')
  expect(await page.getByTestId('batch-detail').innerText()).not.toContain('cs_')
  await expect(page.getByTestId('payouts-table').getByTestId('payout-amount')).toHaveText(['1,500.00 USD', '249.99 USD', '0.01 USD'])
  const dismiss = async () => {
    const notices = page.locator('[data-testid^="notification-"] button')
    while ((await notices.count()) > 0) await notices.first().click()
  }
  await dismiss()
  await snap(page, 'stripe-01-batch-confirmed')
  await page.setViewportSize({ width: 1024, height: 700 })
  await snap(page, 'stripe-01-batch-confirmed-1024')
  await page.setViewportSize({ width: 1440, height: 900 })

  // Dana: a reversal at Stripe, a payout to the bank, paid, then failed — all through the sync.
  await unlockAs(page, 'Dana Admin')
  await page.getByTestId('nav-stripe').click()
  await expect(page.getByTestId('stripe-key')).toContainText(`…${h.secretKey.slice(-4)}`)
  h.reverseTransfer(transfers.find((t) => t.destination === SANDBOX_STRIPE_ACCOUNTS.studio)!.id, 4999n)
  await ws.sweep()
  await expect(page.getByTestId('stripe-events')).toContainText('reversed 49.99 USD: booked back to the platform balance')

  // The payout itself says so in the batch (the lock closed Carol's view of it: Dana opens it).
  await openBatch(page, 'Stripe contractors')
  await expect(page.getByTestId('payout-reversed')).toHaveText('49.99 reversed by Stripe')
  await dismiss()
  await snap(page, 'stripe-01b-payout-reversed')
  await page.getByTestId('nav-stripe').click()

  await page.getByTestId('stripe-payout-amount').fill('300.00')
  await page.getByTestId('stripe-payout-create').click()
  await expect(page.getByTestId('notification-success')).toContainText('300.00 USD: pending')
  const payout = (h.payouts() as { id: string }[]).at(-1)!
  const row = page.getByTestId(`stripe-payout-${payout.id}`)
  await expect(row.getByTestId('stripe-payout-status')).toHaveText('pending')
  // Stripe's own id with its copy button, and the amount in the one display form (exact on hover).
  await expect(row.getByTestId('stripe-payout-id')).toHaveAttribute('data-reference', payout.id)
  await expect(row.getByTestId('stripe-payout-id-copy')).toHaveAttribute('aria-label', 'Copy the Stripe id')
  await expect(row.getByTestId('stripe-payout-amount-shown')).toHaveText('300.00 USD')
  await expect(row.getByTestId('stripe-payout-amount-shown')).toHaveAttribute('title', 'Exactly 300.00 USD')
  await expect(row.getByTestId('stripe-payout-booked')).toHaveText('in transit')
  h.advancePayout(payout.id, 'paid')
  await ws.sweep()
  await expect(row.getByTestId('stripe-payout-status')).toHaveText('paid')
  await expect(row.getByTestId('stripe-payout-booked')).toHaveText('in the bank')
  h.advancePayout(payout.id, 'failed', { failureCode: 'account_closed' })
  await ws.sweep()
  await expect(row.getByTestId('stripe-payout-status')).toHaveText('failed')
  await expect(row.getByTestId('stripe-payout-booked')).toHaveText('back in the balance')
  await expect(row).toContainText('The bank account has been closed.')
  await expect(page.getByTestId('stripe-events')).toContainText(`Bank payout ${payout.id} of 300.00 USD: paid → failed`)
  await expect(page.getByTestId('stripe-balance-txns')).toContainText(/payout_failure\s*po_\S+\s*300\.00 USD/)
  // The ledger's treasury equals Stripe's balance again: the failed payout came back once.
  await page.getByTestId('stripe-sync').click()
  await expect(page.getByTestId('stripe-balance-USD@stripe')).toContainText('matches')
  await expect(page.getByTestId('stripe-balance-USD@stripe').getByRole('cell').first()).toHaveText('USD')
  const ledgerTreasury = (await api.call('ledger.balances', { assetId: 'USD@stripe' })).find((b) => b.kind === 'treasury')!
  expect(ledgerTreasury.balance).toBe((Number(h.balance('usd')) / 100).toFixed(2))
  await dismiss()
  await snap(page, 'stripe-02-view-paid-then-failed')

  // Reconciliation: Stripe's records pulled as statement lines show Stripe's own id (tr_…, po_…)
  // with its copy button, as the batch and the receipts do — not the balance transaction txn_….
  await page.getByTestId('nav-reconciliation').click()
  await page.getByTestId('recon-tab-side').click()
  await page.getByTestId('recon-pull').click()
  await expect(page.getByTestId('notification-success').filter({ hasText: 'Rail records pulled' })).toBeVisible()
  await page.getByTestId('recon-tab-statements').click()
  await page.getByTestId('recon-statement-open').filter({ hasText: 'stripe:stripe' }).first().click()
  // This test's bank payout (po_…) was pulled now (transfers may have been by an earlier spec).
  const railRef = page.locator(`[data-testid="recon-line-rail-ref"][data-reference="${payout.id}"]`).first()
  await expect(railRef).toContainText(payout.id.slice(0, 6))
  await expect(railRef.getByTestId('recon-line-rail-ref-copy')).toHaveAttribute('aria-label', 'Copy the Stripe id')
  await dismiss()
  await snap(page, 'stripe-04-recon-lines-1440')
  await page.setViewportSize({ width: 1024, height: 700 })
  await expect(railRef).toBeVisible()
  await snap(page, 'stripe-04-recon-lines-1024')
  await page.setViewportSize({ width: 1440, height: 900 })

  // Settings → Stripe: the last 4 only; a wrong key is refused and not echoed.
  await page.getByTestId('nav-settings').click()
  await expect(page.getByTestId('stripe-key-badge')).toHaveText(`…${h.secretKey.slice(-4)} · test`)
  // Key characters are case-sensitive: the badge must show them as they are.
  expect(await page.getByTestId('stripe-key-badge').evaluate((el) => (el as unknown as { innerText: string }).innerText)).toContain(
    h.secretKey.slice(-4),
  )
  const wrong = 'sk_test_E2EwrongKEYwrongKEY9876'
  await page.getByTestId('stripe-key-input').fill(wrong)
  await page.getByTestId('stripe-key-save').click()
  await expect(page.getByTestId('notification-error')).toContainText('STRIPE_AUTH_FAILED')
  await expect(page.getByTestId('notification-error')).not.toContainText(wrong)
  await expect(page.getByTestId('stripe-key-badge')).toHaveText(`…${h.secretKey.slice(-4)} · test`)
  await page.evaluate('window.scrollTo(0, 0)')
  await snap(page, 'stripe-03-settings-key')

  expect(received.length).toBeGreaterThan(20)
  for (const text of received) {
    expect(text).not.toContain(h.secretKey)
    expect(text).not.toContain(wrong)
  }
})
