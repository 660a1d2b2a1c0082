/**
 * A Stellar batch on screen, in the sandbox's local Stellar network: Carol executes a USDC batch
 * (two memos, so two transactions) on the device emulator's Stellar app; it confirms, and the
 * submissions show the Stellar network, the transaction hashes and the sequence numbers. A
 * payee without a trustline is refused at submit with a sentence naming the payee and asset.
 */
import { SANDBOX_STELLAR_PAYEES } from '../../src/main/sandbox/sandboxPlan'
import { expect, openBatch, snap, unlockAs } from './fixtures'
import { importApproved, sharedSandboxTest as test } from './sandboxFixtures'

test('a Stellar USDC batch is executed on the emulator and confirmed', async ({ page, sharedSandbox: ws }) => {
  const api = ws.sandbox.core.api
  const as = (name: string) => ({ operatorId: ws.operator(name).id })
  const csv = [
    'id,rail,network,asset,recipient,amount,memo,name',
    `xlm-e2e-1,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-1']},125.0000001,INV-2001,Stellar Partners`,
    `xlm-e2e-2,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-2']},0.5,INV-2001,Lumen Design`,
    `xlm-e2e-3,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-3']},9999.9999999,INV-2002,Anchor Ops`,
  ].join('\n')
  const id = await importApproved(ws.sandbox, csv, 'Stellar partners')

  await page.goto(ws.url)
  await unlockAs(page, 'Carol Signer')
  await openBatch(page, 'Stellar partners')
  await expect(page.getByTestId('batch-total-USDC@stellar:standalone').getByTestId('batch-total-amount')).toHaveText('10,125.50 USDC')
  await page.getByTestId('batch-execute').click()
  await expect(page.getByTestId('submission-row')).toHaveCount(2)
  for (let round = 0; round < 10; round++) {
    await ws.sweep()
    if ((await api.call('batches.get', { id })).batch.state === 'completed') break
  }
  await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'completed')
  await expect(page.getByTestId('submission-row')).toHaveText([/Local Stellar.*CONFIRMED/i, /Local Stellar.*CONFIRMED/i])
  await expect(page.getByTestId('execution-progress-log')).toContainText(
    'Confirm transaction 2 of 2 on the Sandbox device emulator — 1 payout, 9,999.9999999 USDC.',
  )
  const notices = page.locator('[data-testid^="notification-"] button')
  while ((await notices.count()) > 0) await notices.first().click()
  await snap(page, 'stellar-01-batch-confirmed')

  // The payee without a trustline: refused at submit, the sentence names payee and asset.
  const bad = await api.call(
    'payouts.import',
    {
      csv: `id,rail,network,asset,recipient,amount\nxlm-e2e-nt,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-notrust']},1`,
      batchName: 'No trustline',
    },
    as('Alice Preparer'),
  )
  const badVersion = (await api.call('batches.get', { id: bad.batchId! })).batch.version
  await expect(api.call('batches.submit', { id: bad.batchId!, version: badVersion }, as('Alice Preparer'))).rejects.toMatchObject({
    message: expect.stringContaining(`${SANDBOX_STELLAR_PAYEES['payee-notrust']} has no trustline for USDC`),
  })
})
