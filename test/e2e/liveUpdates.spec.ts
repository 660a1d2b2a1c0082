/**
 * Issue 17, finding 1: a batch page open in the app updates when another process changes the
 * books. The app (browser mode) and the real `countersign` CLI, run as its own process, work on
 * the same sandbox workspace file: Bob approves the batch from the command line, and the page Alice
 * has open turns to Approved, without a reload, and says when it last read the batch.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, snap, unlockAs } from './fixtures'
import { sharedSandboxTest as test } from './sandboxFixtures'

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const BIN = path.join(REPO_ROOT, 'bin', 'countersign.mjs')

/** `countersign …` as a separate process, acting for one of the sandbox's operators. */
function cli(args: string[], passphrase: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', COUNTERSIGN_PASSPHRASE: passphrase }
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

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
  await page.getByTestId('nav-payouts').click()
  if (await page.getByTestId('batch-back').isVisible()) await page.getByTestId('batch-back').click()
  await page.getByTestId('batch-open').filter({ hasText: 'Approved elsewhere' }).click()
  const detail = page.getByTestId('batch-detail')
  await expect(detail).toHaveAttribute('data-state', 'awaiting_approval')

  const bob = ws.sandbox.description.operators.find((o) => o.name === 'Bob Approver')!
  const dataDir = ws.sandbox.description.dataDir
  const approved = await cli(
    ['--data-dir', dataDir, 'batches', 'approve', id, '--batch-version', String(submitted.version), '--as', 'Bob Approver'],
    bob.demoPassphrase,
  )
  expect(approved.code, approved.stderr).toBe(0)

  // No reload, no click: the page hears the other process's change and reads the batch again.
  await expect(detail).toHaveAttribute('data-state', 'approved')
  await expect(page.getByTestId('batch-detail-state')).toContainText(/approved/i)
  await expect(page.getByTestId('batch-updated')).toHaveText(/^Updated \d{2}:\d{2}:\d{2}$/)
  await snap(page, 'live-01-approved-from-the-cli')
})
