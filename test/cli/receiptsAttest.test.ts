/**
 * `countersign receipts attest` on a Stellar sandbox workspace, the way a person does it: a batch
 * imported, approved, executed (sandbox device emulator) and confirmed; its receipts issued; then
 * the treasury attests them on the device (hash signing is on in the sandbox's Stellar app) and a
 * receipt file saved from the workspace passes `receipts verify --offline` — until its proof is
 * swapped for another receipt's.
 */
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BatchAttestationView } from '../../src/shared/receiptsAttestApi'
import { SANDBOX_STELLAR_PAYEES } from '../../src/main/sandbox/sandboxPlan'
import { sandboxUp, type Sandbox } from '../../src/main/sandbox/sandboxUp'
import { createStellarService } from '../../src/main/sandbox/stellarService'
import { importApproveExecute, json, pollUntilState, runCli, tempDir, type CliResult } from './cliHarness'

let root: string
let dir: string
let sb: Sandbox
let batchId: string

function cli(...args: string[]): Promise<CliResult> {
  return runCli(['--data-dir', dir, ...args])
}
async function ok(...args: string[]): Promise<CliResult> {
  const r = await cli(...args)
  expect(r.code, r.stderr).toBe(0)
  return r
}

beforeAll(async () => {
  root = tempDir('countersign-cli-attest-')
  dir = path.join(root, 'sandbox')
  sb = await sandboxUp({ dataDir: dir, services: [createStellarService()], pollIntervalMs: 3_600_000 })
  await sb.core.poller.stop()
  const csv = [
    'id,rail,network,asset,recipient,amount,memo',
    `att-1,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-2']},10.5,INV-21`,
    `att-2,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-3']},2.25,INV-22`,
    `att-3,stellar,standalone,USDC,${SANDBOX_STELLAR_PAYEES['payee-2']},0.0000001,INV-23`,
  ].join('\n')
  const file = path.join(root, 'pay.csv')
  fs.writeFileSync(file, csv)
  batchId = (await importApproveExecute(ok, file)).id
  expect(await pollUntilState(ok, batchId, 'completed')).toBe('completed')
  await ok('receipts', 'issue', '--batch', batchId, '--as', 'Carol Signer')
}, 120_000)

afterAll(async () => {
  await sb?.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

describe('countersign receipts attest', () => {
  it('signs the root of the batch receipts on the Stellar app, says what the device shows, and the receipts verify offline', async () => {
    const r = await ok('receipts', 'attest', '--batch', batchId, '--as', 'Carol Signer', '--json')
    const att = BatchAttestationView.parse(json(r))
    expect(att).toMatchObject({
      batchId,
      chain: 'stellar',
      leafCount: 3,
      signedNow: true,
      signer: String(sb.description.services.horizon!.treasury),
    })
    expect(r.stderr).toMatch(
      /Confirm on the Sandbox device emulator \(Stellar app, "Hash signing" on in its settings\) the hash for the 3 receipts of batch .* it shows [0-9a-f]{64}\./,
    )

    const saved = path.join(root, 'receipt.json')
    await ok('receipts', 'show', String(att.firstReceipt), '--save', saved)
    const verified = json(await ok('receipts', 'verify', saved, '--offline', '--json')) as {
      ok: boolean
      checks: { name: string; status: string }[]
    }
    expect(verified.ok).toBe(true)
    expect(verified.checks.find((c) => c.name === 'batch-attestation')).toMatchObject({ status: 'pass' })

    const other = path.join(root, 'other.json')
    await ok('receipts', 'show', String(att.lastReceipt), '--save', other)
    const file = JSON.parse(fs.readFileSync(saved, 'utf8')) as { batchAttestation: { proof: unknown } }
    file.batchAttestation.proof = (
      JSON.parse(fs.readFileSync(other, 'utf8')) as { batchAttestation: { proof: unknown } }
    ).batchAttestation.proof
    const swapped = path.join(root, 'swapped.json')
    fs.writeFileSync(swapped, JSON.stringify(file))
    const refused = await cli('receipts', 'verify', swapped, '--offline')
    expect(refused.code).toBe(1)
    expect(refused.stdout).toMatch(/FAIL\s+batch-attestation\s+The Merkle proof/)
  }, 60_000)

  it('a second run shows the stored attestation without asking the device; a non-signer is refused', async () => {
    const again = await ok('receipts', 'attest', '--batch', batchId, '--as', 'Carol Signer')
    expect(again.stdout).toMatch(new RegExp(`Batch ${batchId} was already attested on Stellar .*the device was not asked\\.`))
    expect(again.stderr).not.toMatch(/Confirm on/)
    const refused = await cli('receipts', 'attest', '--batch', batchId, '--as', 'Alice Preparer')
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/ROLE_REQUIRED|needs the signer role/)
  }, 60_000)
})
