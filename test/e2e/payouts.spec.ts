/**
 * What finance staff see from a CSV to money on chain, in the sandbox's Anvil world: Alice
 * imports a bad file (every problem listed by row and column, nothing stored), then a good one,
 * and submits it; Bob approves it; Carol executes it on the device emulator and watches every
 * payout confirm.
 */
import { getAddress, keccak256, toHex } from 'viem'
import { expect, openBatch, snap, unlockAs, watchPageProblems } from './fixtures'
import { sandboxTest as test } from './sandboxFixtures'

/** Fresh payees: addresses nobody on the chain has used, EIP-55 checksummed. */
const PAYEES = [1, 2, 3].map((n) => getAddress(keccak256(toHex(`countersign e2e payee ${n}`)).slice(0, 42)))
const AMOUNTS = ['1250.50', '0.000001', '98765.432109'] as const
/** Shown with trailing zeros trimmed (never rounded); the exact value is on hover. */
const TOTAL_GROUPED = '100,015.93211'
const TOTAL_EXACT = '100,015.932110'

const GOOD_CSV = [
  'id,rail,network,asset,recipient,amount,reference,name',
  `e2e-1,evm,31337,USDC,${PAYEES[0]},${AMOUNTS[0]},INV-1001,Ada Contractor`,
  `e2e-2,evm,31337,USDC,${PAYEES[1]},${AMOUNTS[1]},INV-1002,Ben Contractor`,
  `e2e-3,evm,31337,USDC,${PAYEES[2]},${AMOUNTS[2]},INV-1003,Cy Contractor`,
  '',
].join('\n')

/** Row 2: not an address; row 3: a digit too many for USDC; row 4: fine. */
const BAD_CSV = [
  'id,rail,network,asset,recipient,amount',
  'bad-1,evm,31337,USDC,0xnothex,10',
  `bad-2,evm,31337,USDC,${PAYEES[0]},1.1234567`,
  `bad-3,evm,31337,USDC,${PAYEES[1]},5`,
  '',
].join('\n')

test.describe.configure({ mode: 'serial' })

test('a batch goes from CSV to confirmed on chain through maker-checker', async ({ page, sandboxWorkspace: ws }) => {
  const problems = watchPageProblems(page)
  const api = ws.sandbox.core.api

  // Three transactions of one payout each, so progress says "Chunk 2 of 3".
  const dana = { operatorId: ws.operator('Dana Admin').id }
  const rails = await api.call('settings.rails.get', {}, dana)
  const chains = rails.rails.evm?.chains ?? []
  expect(chains.length, 'the sandbox configured its Anvil chain').toBeGreaterThan(0)
  await api.call('settings.rails.set', { ...rails.rails, evm: { chains: chains.map((c) => ({ ...c, payoutsPerChunkMax: 1 })) } }, dana)

  const pick = async (name: string) => {
    await unlockAs(page, name)
  }
  /** Confirmations fade on their own after a while; close them so they cover nothing in a screenshot. */
  const shot = async (name: string) => {
    const notices = page.locator('[data-testid^="notification-"] button')
    while ((await notices.count()) > 0) await notices.first().click()
    await snap(page, name)
  }
  const importFile = async (name: string, csv: string) => {
    await page.getByTestId('import-drop-input').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await expect(page.getByTestId('import-file-name')).toContainText(name)
    await page.getByTestId('import-submit').click()
  }

  await page.goto(ws.url)
  await pick('Alice Preparer')
  await page.getByTestId('nav-payouts').click()
  await expect(page.getByTestId('batch-table-empty')).toBeVisible()

  await test.step('a bad file lists every problem by row and column, and stores nothing', async () => {
    await page.getByTestId('import-open').click()
    await importFile('bad-payouts.csv', BAD_CSV)
    await expect(page.getByTestId('import-result-title')).toContainText('Nothing was stored — 2 problems in 3 rows')
    const rows = page.getByTestId('import-issues-row')
    await expect(rows).toHaveCount(2)
    await expect(rows.nth(0).getByTestId('issue-row')).toHaveText('2')
    await expect(rows.nth(0).getByTestId('issue-column')).toHaveText('recipient')
    await expect(rows.nth(0).getByTestId('issue-problem')).toContainText('is not an EVM address')
    await expect(rows.nth(1).getByTestId('issue-row')).toHaveText('3')
    await expect(rows.nth(1).getByTestId('issue-column')).toHaveText('amount')
    await expect(rows.nth(1).getByTestId('issue-problem')).toContainText('more than 6 decimals for USDC')
    await expect(page.getByTestId('batch-table-empty')).toBeVisible()
    expect((await api.call('batches.list', {})).batches).toHaveLength(0)
    await shot('payouts-01-import-errors')
  })

  await test.step('a good file becomes a draft; new payees are flagged before submit', async () => {
    await page.getByTestId('import-batch-name').fill('March contractors')
    await importFile('march.csv', GOOD_CSV)
    await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'draft')
    await expect(page.getByTestId('view-title')).toHaveText('March contractors')
    await expect(page.getByTestId('batch-total-USDC@evm:31337').getByTestId('batch-total-amount')).toHaveText(`${TOTAL_GROUPED} USDC`)
    await expect(page.getByTestId('payouts-table').getByTestId('payout-amount')).toHaveText([
      '1,250.50 USDC',
      '0.000001 USDC',
      '98,765.432109 USDC',
    ])
    // Trimmed zeros only: the exact value is on hover, and the batch total says where it is paid.
    await expect(page.getByTestId('payouts-table').getByTestId('payout-amount').first().locator('[title]')).toHaveAttribute(
      'title',
      'Exactly 1,250.500000 USDC',
    )
    await expect(page.getByTestId('batch-total-USDC@evm:31337')).toContainText('USDC on Local Anvil')
    await expect(page.getByTestId('batch-total-USDC@evm:31337').getByTestId('batch-total-amount').locator('[title]')).toHaveAttribute(
      'title',
      `Exactly ${TOTAL_EXACT} USDC`,
    )
    await expect(page.getByTestId('payouts-table')).toContainText('Local Anvil')
    await expect(page.getByTestId('payouts-table')).not.toContainText('evm:31337')
    // One line per kind of warning, not one per row.
    await expect(page.getByTestId('warning-kind')).toHaveCount(1)
    await expect(page.getByTestId('warning-kind')).toHaveAttribute('data-code', 'PAYEE_NEW')
    await expect(page.getByTestId('warning-kind-title')).toHaveText('3 payouts go to payees never paid before')
    await expect(page.getByTestId('payout-warning-mark')).toHaveCount(3)
  })

  await test.step('Alice submits; she cannot approve her own batch, and the screen says why', async () => {
    await page.getByTestId('batch-submit').click()
    await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'awaiting_approval')
    await expect(page.getByTestId('approval-sentence').first()).toContainText('needs 1 approver with the approver role')
    await expect(page.getByTestId('batch-approve')).toBeDisabled()
    await expect(page.getByTestId('approval-disabled-reason')).toContainText('You')
    await shot('payouts-02-awaiting-approval-preparer')
    await page.getByTestId('batch-back').click()
    await expect(page.getByTestId('batch-table').getByTestId('batch-state')).toHaveAttribute('data-state', 'awaiting_approval')
    await expect(page.getByTestId('batch-totals')).toHaveText(`${TOTAL_GROUPED} USDC on Local Anvil`)
    await shot('payouts-03-batch-list')
  })

  await test.step("Bob approves, after a reload: the warnings came with the batch, not from Alice's window", async () => {
    await page.reload()
    await pick('Bob Approver')
    await openBatch(page, 'March contractors')
    await expect(page.getByTestId('approval-panel')).toContainText('You can approve version 1.')
    await expect(page.getByTestId('approval-warnings')).toContainText('3 payouts go to payees never paid before')
    await expect(page.getByTestId('batch-approve')).toBeEnabled()
    await page.getByTestId('approval-comment').fill('Matches the March invoices.')
    await shot('payouts-04-awaiting-approval-approver')
    await page.getByTestId('batch-approve').click()
    // The dialog shows the total as the batch card does; the exact one is on hover.
    await expect(page.getByTestId('approve-dialog-total')).toHaveText([
      new RegExp(`USDC.*Local Anvil.*3.*${TOTAL_GROUPED.replaceAll('.', '\\.')} USDC`),
    ])
    await expect(page.getByTestId('approve-dialog-total').locator('td').last()).toHaveAttribute('title', `Exactly ${TOTAL_EXACT} USDC`)
    await page.getByTestId('approve-dialog-confirm').click()
    await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'approved')
    await expect(page.getByTestId('approval-list')).toContainText('Approved by Bob Approver')
    // Bob is no signer: Execute is there but not his to press.
    await expect(page.getByTestId('batch-execute')).toBeDisabled()
  })

  await test.step('Carol executes on the device emulator; every payout is broadcast', async () => {
    await pick('Carol Signer')
    await openBatch(page, 'March contractors')
    await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'approved')
    await page.getByTestId('batch-execute').click()
    await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'executing')
    await expect(page.getByTestId('submission-row')).toHaveCount(3)
    await expect(page.getByTestId('execution-progress-log')).toContainText(
      'Confirm transaction 2 of 3 on the Sandbox device emulator — 1 payout, ',
    )
    await expect(page.getByTestId('execution-progress-log')).toContainText('Sandbox device emulator')
    await expect(page.getByTestId('payout-state')).toHaveText(['broadcast', 'broadcast', 'broadcast'])
    await shot('payouts-05-executing')
  })

  await test.step('the poller confirms them; the screen follows live', async () => {
    await ws.sweep()
    await expect(page.getByTestId('payout-state')).toHaveText(['confirmed', 'confirmed', 'confirmed'], { timeout: 20_000 })
    await expect(page.getByTestId('batch-detail')).toHaveAttribute('data-state', 'completed', { timeout: 20_000 })
    await expect(page.getByTestId('submission-row').getByTestId('submission-state')).toHaveText(['confirmed', 'confirmed', 'confirmed'])
    // Each payout links to the transaction that carried it (three chunks: three different hashes).
    const refs = page.getByTestId('payouts-table').getByTestId('rail-reference')
    await expect(refs).toHaveCount(3)
    const hashes = await refs.evaluateAll((els) => els.map((e) => e.getAttribute('data-reference') ?? ''))
    expect(new Set(hashes).size).toBe(3)
    for (const h of hashes) expect(h).toMatch(/^0x[0-9a-f]{64}$/)
    // The same id, the same way, in the execution details; each with a copy button.
    const subHashes = await page
      .getByTestId('submission-row')
      .getByTestId('rail-reference')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-reference') ?? ''))
    expect([...subHashes].sort()).toEqual([...hashes].sort())
    await expect(refs.getByTestId('rail-reference-copy')).toHaveCount(3)
    await expect(refs.first().getByTestId('rail-reference-text')).toHaveAttribute('title', `transaction hash: ${hashes[0]}`)
    await shot('payouts-06-confirmed')
    await page.setViewportSize({ width: 1024, height: 700 })
    await shot('payouts-06-confirmed-1024')
    await page.setViewportSize({ width: 1440, height: 900 })
  })

  expect(problems).toEqual([])
})
