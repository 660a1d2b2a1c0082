/**
 * The whole path through the contract: a batch paid through the engine's own state moves and
 * booked (the receipts core's kit), its receipts issued, then `receipts.attest` on the device
 * emulator (the Ledger code over APDUs, holding the treasury's seed) — and a payee's check of the
 * receipt file, offline, passes the batch-attestation check and fails once the proof is swapped.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventPayload } from '../../../../shared/api'
import { BatchAttestationView } from '../../../../shared/receiptsAttestApi'
import { createCore, type Core } from '../../core'
import { addOperatorForTest, unlockForTest } from '../../operators/operatorTestKit'
import { BOB, DANA, TREASURY_ADDRESS } from '../../payouts/batches/testKit'
import { createSandboxLedgerEmulator, type SandboxLedgerEmulator } from '../../signing/emulator/createSandboxLedgerEmulator'
import { createLedgerSigner } from '../../signing/ledgerDevice/createLedgerSigner'
import { staticSignerSource } from '../../signing/signerSource'
import { openReceiptDesk, payBatch } from '../receiptTestKit'

/** The seed whose m/44'/60'/0'/0/0 is the kit's treasury 0xf39F… (Anvil's default accounts). TEST ONLY. */
const ANVIL_TEST_MNEMONIC = 'test test test test test test test test test test test junk'
const TREASURY_PATH = "44'/60'/0'/0/0"

let dir: string
let core: Core
let emulator: SandboxLedgerEmulator
let batchId: string
let sam: string
const progress: Array<EventPayload<'receipts.attest.progress'>> = []

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'countersign-attest-'))
  const desk = await openReceiptDesk({ dir })
  batchId = (
    await payBatch(desk, [{ amount: '125.50', name: 'Ana', reference: 'INV-1' }, { amount: '80.00' }, { amount: '7.25' }], { perTx: 2 })
  ).batchId
  const issued = await desk.as(DANA, 'receipts.issue', { batchId })
  expect(issued.issued).toBe(3)
  sam = (await addOperatorForTest(desk.core.api, { name: 'Sam Signer', roles: ['signer'] }, { operatorId: DANA })).id
  await desk.close()

  emulator = createSandboxLedgerEmulator({ mnemonic: ANVIL_TEST_MNEMONIC, openApp: 'Ethereum', user: 'approve' })
  const signer = createLedgerSigner({ factory: emulator.transportFactory, deviceId: emulator.deviceId })
  core = await createCore({
    dataDir: dir,
    clock: desk.clock,
    secrets: desk.secrets,
    dailyBackup: false,
    resumeOnStart: false,
    signer: staticSignerSource(signer, 'Test emulator'),
  })
  for (const o of await core.ctx.db.all(core.ctx.db.k.selectFrom('operators').select(['id', 'name']))) await unlockForTest(core.api, o)
  core.events.subscribe((event, payload) => {
    if (event === 'receipts.attest.progress') progress.push(payload as EventPayload<'receipts.attest.progress'>)
  })
})
afterAll(async () => {
  await core?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('receipts.attest through the contract', () => {
  it('needs the signer role and a treasury address verified on the device', async () => {
    await expect(core.api.call('receipts.attest', { batchId }, { operatorId: BOB })).rejects.toMatchObject({ code: 'ROLE_REQUIRED' })
    await expect(core.api.call('receipts.attest', { batchId }, { operatorId: sam })).rejects.toMatchObject({
      code: 'SIGNER_ADDRESS_NOT_VERIFIED',
      message: expect.stringContaining(TREASURY_ADDRESS),
    })
    expect(emulator.stats.prompts).toEqual([])
  })

  it('signs once on the device; the receipt file carries the proof and passes the offline check', async () => {
    await core.api.call('signers.verify', { chain: 'evm', path: TREASURY_PATH, address: TREASURY_ADDRESS }, { operatorId: sam })
    const att = await core.api.call('receipts.attest', { batchId }, { operatorId: sam })
    expect(BatchAttestationView.parse(att)).toEqual(att)
    expect(att).toMatchObject({ batchId, chain: 'evm', signer: TREASURY_ADDRESS, leafCount: 3, signedNow: true, createdBy: sam })
    expect(progress).toEqual([{ batchId, chain: 'evm', message: expect.stringContaining(`root ${att.root}`) }])
    expect(emulator.stats.prompts.filter((p) => p.kind === 'sign-message')).toHaveLength(1)
    const audit = await core.api.call('audit.list', { subject: `batch:${batchId}`, limit: 5 })
    expect(audit.rows[0]).toMatchObject({ action: 'receipts.attest', actor: sam })
    expect((await core.api.call('audit.verify', {})).ok).toBe(true)

    for (let number = att.firstReceipt; number <= att.lastReceipt; number++) {
      const { file } = await core.api.call('receipts.get', { number })
      expect(file.batchAttestation).toMatchObject({ root: att.root, signature: att.signature, leafIndex: number - att.firstReceipt })
      const verified = await core.api.call('receipts.verify', { content: JSON.stringify(file), encoding: 'text', online: false })
      expect(verified.checks.find((c) => c.name === 'batch-attestation')).toMatchObject({ status: 'pass' })
    }
    // A proof taken from another receipt of the batch fails the payee's check.
    const { file } = await core.api.call('receipts.get', { number: att.firstReceipt })
    const { file: other } = await core.api.call('receipts.get', { number: att.lastReceipt })
    const swapped = { ...file, batchAttestation: { ...file.batchAttestation!, proof: other.batchAttestation!.proof } }
    const failed = await core.api.call('receipts.verify', { content: JSON.stringify(swapped), encoding: 'text', online: false })
    expect(failed.checks.find((c) => c.name === 'batch-attestation')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/Merkle proof/),
    })
  })

  it('a second call returns the stored attestation without a prompt', async () => {
    const before = emulator.stats.prompts.length
    const again = await core.api.call('receipts.attest', { batchId }, { operatorId: sam })
    expect(again).toMatchObject({ signedNow: false, createdBy: sam })
    expect(emulator.stats.prompts.length).toBe(before)
  })
})
