/**
 * Issue 17, finding 1: a batch page open in the app updates when another process changes the
 * books. The app (browser mode) and the real `countersign` CLI, run as its own process, work on
 * the same sandbox workspace file: Bob approves the batch from the command line, and the page Alice
 * has open turns to Approved, without a reload, and says when it last read the batch.
 */
import { spawnCli } from '../cli/cliHarness'
import { expect, openBatch, snap, unlockAs } from './fixtures'
import { sharedSandboxTest as test } from './sandboxFixtures'

test('a batch approved from the CLI turns Approved on the open page without a reload', async ({ page, sharedSandbox: ws }) => {
  const api = ws.sandbox.core.api
  const as = (name: string) => ({ operatorId: ws.operator(name).id })
  const csv = ['id,rail,network,asset,recipient,amount', 'live-e2e-1,evm,31337,USDC,0x4a4a4A4A4A4a4a4A4a4A4a4a4a4A4a4a4A4A4a4A,12.50'].join(
    '\n',
  )
  const imported = await api.call('payouts.import', { csv, batchName: 'Approved elsewhere' }, as('Alice Preparer'))
  const id = imported.batchId!
  const submitted = await api.call('batches.submit', { id }, as('Alice Preparer'))

  await page.goto(ws.url)
  await unlockAs(page, 'Alice Preparer')
  await openBatch(page, 'Approved elsewhere')
  const detail = page.getByTestId('batch-detail')
  await expect(detail).toHaveAttribute('data-state', 'awaiting_approval')

  // A separate process (node bin/countersign.mjs), with Bob's sandbox passphrase as a script would set it.
  const dataDir = ws.sandbox.description.dataDir
  const approved = await spawnCli([
    '--data-dir',
    dataDir,
    'batches',
    'approve',
    id,
    '--batch-version',
    String(submitted.version),
    '--as',
    'Bob Approver',
  ])
  expect(approved.code, approved.stderr).toBe(0)

  // No reload, no click: the page hears the other process's change and reads the batch again.
  await expect(detail).toHaveAttribute('data-state', 'approved')
  await expect(page.getByTestId('batch-detail-state')).toContainText(/approved/i)
  await expect(page.getByTestId('batch-updated')).toHaveText(/^Updated \d{2}:\d{2}:\d{2}$/)
  await snap(page, 'live-01-approved-from-the-cli')
})
