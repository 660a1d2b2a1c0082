/**
 * `batches cancel-submission SUBMISSION` in-process against a sandbox workspace: a batch planned
 * for external signing (its transaction planned, never signed; `batches submissions` lists it) is cancelled — the JSON names the
 * ids and their states, the text says what happened — and the refusals carry their codes: an
 * operator without the role, a transaction no longer planned, an unknown id.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CancelSubmissionResult, Submission } from '../../src/shared/payoutsApi'
import { createAnvilService } from '../../src/main/sandbox/anvilService'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { recipientAddresses } from '../harness/evm/recipients'
import { json, runCli, tempDir, type CliResult } from './cliHarness'

let root: string
let dir: string
let sb: Sandbox

function cli(...args: string[]): Promise<CliResult> {
  return runCli(['--data-dir', dir, ...args])
}
async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.code, r.stderr).toBe(0)
  return r
}

beforeAll(async () => {
  root = tempDir('countersign-cli-cancel-')
  dir = path.join(root, 'sandbox')
  sb = await sandboxUp({ dataDir: dir, services: [createAnvilService({ persist: false })], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
}, 90_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

/** An approved batch of one payout, planned for external signing: one planned transaction. */
async function plannedBatch(seed: string): Promise<{ id: string; submissionId: string }> {
  const [r1] = recipientAddresses(seed, 1)
  const file = path.join(root, `${seed}.csv`)
  fs.writeFileSync(file, ['id,rail,network,asset,recipient,amount', `${seed}-1,evm,31337,USDC,${r1},3.5`].join('\n'))
  const id = (json(await ok('payouts', 'import', file, '--as', 'Alice Preparer', '--json')) as { batchId: string }).batchId
  await ok('batches', 'submit', id, '--as', 'Alice Preparer')
  await ok('batches', 'approve', id, '--as', 'Bob Approver')
  await ok('batches', 'export-unsigned', id, '--out', path.join(root, seed), '--as', 'Carol Signer', '--json')
  const [sub, ...more] = z.array(Submission).parse(json(await ok('batches', 'submissions', id, '--json')))
  expect(more).toEqual([])
  expect(sub).toMatchObject({ chunkIndex: 0, attempt: 1, state: 'planned', txHash: null })
  expect((await ok('batches', 'submissions', id)).stdout).toMatch(new RegExp(`^\\s+1\\s+1\\s+${sub!.id}\\s+planned\\s+\\d+\\s+1$`, 'm'))
  return { id, submissionId: sub!.id }
}

describe('countersign batches cancel-submission', () => {
  it('cancels a planned transaction: --json names the ids and states; refusals carry their codes', async () => {
    const { id, submissionId } = await plannedBatch('cli-cancel')

    const refused = await cli('batches', 'cancel-submission', submissionId, '--as', 'Bob Approver', '--json')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error ROLE_REQUIRED: .*needs the signer or admin role/)

    const r = CancelSubmissionResult.parse(json(await ok('batches', 'cancel-submission', submissionId, '--as', 'Carol Signer', '--json')))
    expect(r.submission).toMatchObject({ id: submissionId, batchId: id, state: 'dead', failure: { code: 'CANCELLED' } })
    expect(r.payouts).toEqual([{ id: 'cli-cancel-1', state: 'failed', failureCode: 'CANCELLED' }])
    expect(r.renumbered).toEqual([])
    // Its only payout is cancelled: nothing is in flight, the batch finished.
    expect(r.batch).toEqual({ id, state: 'failed' })

    const again = await cli('batches', 'cancel-submission', submissionId, '--as', 'Carol Signer')
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^error EXECUTION_STATE: .* is dead, not planned/)
    const unknown = await cli('batches', 'cancel-submission', `${id}:c9:a1`, '--as', 'Carol Signer', '--json')
    expect(unknown.code).toBe(1)
    expect(json(unknown)).toMatchObject({ error: { code: 'SUBMISSION_NOT_FOUND' } })
  }, 60_000)

  it('prints what changed in words', async () => {
    const { id, submissionId } = await plannedBatch('cli-cancel-text')
    const r = await ok('batches', 'cancel-submission', submissionId, '--as', 'Dana Admin')
    expect(r.stdout).toContain(`Cancelled transaction 1 (${submissionId}): 1 payout will not be paid by it; batch ${id} is failed.`)
  }, 60_000)
})
