/**
 * The payout CLI round trip in-process: import a CSV -> submit -> approve by a second operator
 * -> list / show, every --json output parsed by the contract's own schemas; and the failures a
 * person meets (rows with problems, approving one's own batch) with their codes and exit codes.
 */
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { beforeAll, describe, expect, it } from 'vitest'
import { ErrorPayloadSchema } from '../../src/shared/api'
import { BatchDetail, BatchList, BatchSummary } from '../../src/shared/payoutsApi'
import { ImportPayoutCsvResult } from '../../src/shared/payoutImport'
import { initPayoutDesk, json, runCli, tempDir, type CliResult } from './cliHarness'

const ASSET = 'USDC@evm:8453'
const ErrorOutput = z.object({ error: ErrorPayloadSchema }).strict()

let root: string
let dir: string
const alice = ['--as', 'Alice Preparer']
const bob = ['--as', 'Bob Approver']

function cli(...args: string[]): Promise<CliResult> {
  return runCli(['--data-dir', dir, ...args])
}

function write(name: string, text: string): string {
  const file = path.join(root, name)
  fs.writeFileSync(file, text)
  return file
}

async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.code, r.stderr).toBe(0)
  return r
}

beforeAll(async () => {
  root = tempDir()
  dir = path.join(root, 'books')
  await initPayoutDesk(dir)
})

const GOOD_CSV = [
  'id,rail,network,asset,recipient,amount,reference,name',
  'inv-1,evm,8453,USDC,0x70997970C51812dc3A010C7d01b50e0d17dc79C8,100.50,INV-1,Acme',
  'inv-2,evm,8453,USDC,0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,200,INV-2,Beta',
].join('\n')

describe('countersign payouts and batches', () => {
  it('import -> submit -> approve by a second operator -> list / show', async () => {
    const imported = await ok('payouts', 'import', write('march.csv', GOOD_CSV), ...alice, '--name', 'March contractors', '--json')
    const result = ImportPayoutCsvResult.parse(json(imported))
    expect(result).toMatchObject({ rowsTotal: 2, issues: [] })
    const id = result.batchId!
    expect(id).toBeTruthy()
    // Human form prints the id alone on stdout.
    const again = await cli('payouts', 'import', write('april.csv', GOOD_CSV.replace(/inv-/g, 'apr-')), ...alice)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toMatch(/^\S+\n$/)

    const submitted = BatchSummary.parse(json(await ok('batches', 'submit', id, ...alice, '--json')))
    expect(submitted).toMatchObject({ state: 'awaiting_approval', payouts: 2, totals: [{ assetId: ASSET, total: '300.500000' }] })

    // The creator cannot approve: the code, the sentence, exit 1.
    const own = await cli('batches', 'approve', id, '--batch-version', String(submitted.version), ...alice, '--json')
    expect(own.code).toBe(1)
    expect(ErrorOutput.parse(json(own)).error.code).toBe('ROLE_REQUIRED')
    const shownToAlice = await ok('batches', 'show', id, ...alice)
    expect(shownToAlice.stdout).toContain('This batch needs 1 approver with the approver role')
    expect(shownToAlice.stdout).toContain('You do not have the approver role, so you cannot approve it.')

    const shownToBob = BatchDetail.parse(json(await ok('batches', 'show', id, ...bob, '--json')))
    expect(shownToBob.approvalStatus.canApprove).toBe(true)
    // The CLI's answer is the whole batch, never a first page.
    expect(shownToBob.payouts).toHaveLength(2)
    expect(shownToBob.payoutsPage).toEqual({ total: 2, nextOffset: null })
    const stale = await cli('batches', 'approve', id, '--batch-version', String(submitted.version + 1), ...bob)
    expect(stale.code).toBe(1)
    expect(stale.stderr).toMatch(/^error APPROVAL_STALE: /m)

    const approved = BatchDetail.parse(
      json(await ok('batches', 'approve', id, '--batch-version', String(submitted.version), ...bob, '--json', '--comment', 'ok')),
    )
    expect(approved.batch.state).toBe('approved')
    expect(approved.approvals).toMatchObject([{ operatorId: 'bob-approver', comment: 'ok' }])

    const list = BatchList.parse(json(await ok('batches', 'list', '--json')))
    expect(list.batches.map((b) => [b.name, b.state])).toContainEqual(['March contractors', 'approved'])
    const human = await ok('batches', 'list', '--state', 'approved')
    expect(human.stdout).toContain(id)
    // Networks by name in human output; --json keeps the ids (asset ids above).
    expect(human.stdout).toContain('300.500000 USDC on Base')
    expect(human.stdout).not.toContain('evm:8453')

    // Added field (the earlier ones unchanged): what executing will ask of the signer, per rail.
    expect(shownToBob.signingPlan).toEqual([
      {
        rail: 'evm',
        network: '8453',
        payouts: 2,
        transactions: 1,
        deviceConfirmations: 1,
        deviceConfirmationsIfShared: 1,
        distinctMemos: 0,
        precision: 'atLeast',
      },
    ])

    // A batch that is not there: the sentence speaks of the app, the hint of the CLI; through the
    // app's contract (batches.get over the wire) only the sentence goes.
    const missing = await cli('batches', 'show', 'b_000000000000')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toBe(
      'error BATCH_NOT_FOUND: There is no batch "b_000000000000" — check the id (Payouts lists every batch).\nhint: countersign batches list\n',
    )

    const show = await ok('batches', 'show', id)
    expect(show.stdout).toContain('approved by Bob Approver')
    expect(show.stdout).toContain('Base: 2 payouts in at least 1 transaction — at least 1 device confirmation')
    expect(show.stdout).toMatch(/Base\s+USDC@evm:8453\s+2\s+300\.500000/)
    expect(show.stdout).not.toMatch(/evm\s+8453/)
    expect(show.stdout).toContain('inv-1')
  })

  it('batches show warns when distinct Stellar memos force one transaction (and one device confirmation) each', async () => {
    const payees = ['GCNCEJIAZ5D3APIF5XWAJ3JSSTHM4HPHE7GK3NAB6R6WWSZDB2A2BQ5B', 'GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN']
    const csv = [
      'id,rail,network,asset,recipient,amount,memo',
      ...[1, 2, 3, 4].map((n) => `memo-${n},stellar,pubnet,XLM,${payees[n % 2]},${n},tag-${n}`),
    ].join('\n')
    const id = ImportPayoutCsvResult.parse(json(await ok('payouts', 'import', write('memos.csv', csv), ...alice, '--json'))).batchId!
    const detail = BatchDetail.parse(json(await ok('batches', 'show', id, '--json')))
    expect(detail.signingPlan).toMatchObject([
      { rail: 'stellar', network: 'pubnet', payouts: 4, transactions: 4, deviceConfirmations: 4, deviceConfirmationsIfShared: 1 },
    ])
    const human = await ok('batches', 'show', id)
    expect(human.stdout).toContain('Stellar: 4 payouts in 4 transactions — 4 device confirmations')
    expect(human.stdout).toContain('you will confirm 4 times on the device instead of 1')
  })

  it('prints every problem with its row and column and exits 1', async () => {
    const bad = [
      'id,rail,network,asset,recipient,amount',
      'bad-1,evm,8453,USDC,0x70997970C51812dc3A010C7d01b50e0d17dc79C8,1.0000001',
      'bad-2,evm,8453,USDC,0x123,5',
      'bad-3,evm,8453,USDC,0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC,7',
    ].join('\n')
    const r = await cli('payouts', 'import', write('bad.csv', bad), ...alice)
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/2\s+amount\s+AMOUNT_PRECISION\s+Row 2, amount:/)
    expect(r.stdout).toMatch(/3\s+recipient\s+ADDRESS_INVALID\s+Row 3, recipient:/)
    expect(r.stderr).toContain('Nothing was imported')
    const kept = ImportPayoutCsvResult.parse(
      json(await cli('payouts', 'import', write('bad2.csv', bad), ...alice, '--keep-valid', '--json')),
    )
    expect(kept.batchId).not.toBeNull()
    expect(kept.valid.map((v) => v.id)).toEqual(['bad-3'])
    const missing = await cli('payouts', 'import', path.join(root, 'nope.csv'), ...alice)
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^error FILE_INVALID: Cannot read .*there is no such file/m)
  })

  it('reject sends a batch back to draft; cancel ends it', async () => {
    const imported = ImportPayoutCsvResult.parse(
      json(await ok('payouts', 'import', write('may.csv', GOOD_CSV.replace(/inv-/g, 'may-')), ...alice, '--json')),
    )
    const id = imported.batchId!
    await ok('batches', 'submit', id, ...alice)
    const rejected = await ok('batches', 'reject', id, ...bob, '--comment', 'row 2: wrong amount')
    expect(rejected.stdout).toContain('it is back to draft')
    const shown = await ok('batches', 'show', id)
    expect(shown.stdout).toContain('Last rejected (version 1) by Bob Approver')
    expect(shown.stdout).toContain('row 2: wrong amount')
    expect(BatchSummary.parse(json(await ok('batches', 'cancel', id, ...alice, '--json'))).state).toBe('cancelled')
    const again = await cli('batches', 'submit', id, ...alice)
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/^error BATCH_STATE: Batch ".*" is cancelled/m)
  })
})
