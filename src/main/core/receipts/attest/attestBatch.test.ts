/**
 * attestBatch end to end on a workspace database (SQLite in memory; PostgreSQL under the team
 * run), the device emulator behind the real Ledger signer. Receipts rows are written directly
 * (attestTestKit.ts); the issuing run is the receipts core's and is not needed here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CoreContext } from '../../context'
import { createSandboxLedgerEmulator } from '../../signing/emulator/createSandboxLedgerEmulator'
import { createLedgerSigner } from '../../signing/ledgerDevice/createLedgerSigner'
import { createSandboxEmulators, createSandboxSigner, type SandboxEmulators } from '../../signing/sandboxSigner'
import type { Signer } from '../../signing/Signer'
import { sep53MessageHash } from './attestationMessage'
import { attestBatch } from './attestBatch'
import { addPaidBatch, KIT_SIGNER_OPERATOR, KIT_TREASURY, KIT_WORKSPACE, openAttestKit } from './attestTestKit'
import { loadBatchAttestation, loadBatchAttestationSet } from './loadBatchAttestation'
import { verifyBatchAttestation } from './verifyBatchAttestation'
import { bytesToHex } from '@noble/hashes/utils.js'

let ctx: CoreContext
let emulators: SandboxEmulators
let signer: Signer

beforeEach(async () => {
  ctx = await openAttestKit()
  emulators = createSandboxEmulators()
  signer = createSandboxSigner(emulators)
})
afterEach(async () => {
  await signer.close()
  await ctx.db.close()
})

const prompts = () => emulators.ethereum.stats.prompts.length + emulators.stellar.stats.prompts.length
const receiptNumbers = async (batchId: string) =>
  (await ctx.db.all(ctx.db.k.selectFrom('receipts').select('number').where('batch_id', '=', batchId).orderBy('number'))).map((r) =>
    Number(r.number),
  )
const attestationRows = () => ctx.db.all(ctx.db.k.selectFrom('receipt_batch_attestations').selectAll())
const auditRows = () => ctx.db.all(ctx.db.k.selectFrom('audit_log').selectAll().where('action', '=', 'receipts.attest'))
async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  return p.then(
    () => {
      throw new Error('expected a rejection')
    },
    (e: { code?: string; message: string }) => e,
  )
}

describe('attestBatch', () => {
  it('EVM: one prompt signs the root; every receipt of the batch verifies with its proof; audited', async () => {
    const hashes = await addPaidBatch(ctx, 'b_evm', [
      { chain: 'evm' },
      { chain: 'evm' },
      { chain: 'evm' },
      { chain: 'evm' },
      { chain: 'evm', state: 'failed' },
    ])
    const progress: string[] = []
    const row = await attestBatch(ctx, 'b_evm', {
      signer,
      actor: KIT_SIGNER_OPERATOR,
      onProgress: (p) => progress.push(`${p.chain}: ${p.message}`),
    })
    expect(row).toMatchObject({
      batchId: 'b_evm',
      chain: 'evm',
      signer: KIT_TREASURY.evm,
      leafCount: 4,
      signedNow: true,
      createdBy: KIT_SIGNER_OPERATOR,
    })
    expect(row.leaves).toEqual(await receiptNumbers('b_evm'))
    expect(progress).toEqual([
      expect.stringMatching(new RegExp(`^evm: Confirm on your Ledger \\(Ethereum app\\).*4 receipts.*root ${row.root}`)),
    ])
    expect(emulators.ethereum.stats.prompts).toEqual([
      expect.objectContaining({ kind: 'sign-message', fields: { message: row.message }, answer: 'approved' }),
    ])
    expect(row.message).toContain(`workspace ${KIT_WORKSPACE}`)

    const numbers = await receiptNumbers('b_evm')
    for (const [i, n] of numbers.entries()) {
      const att = await loadBatchAttestation(ctx, 'b_evm', n)
      expect(att).toMatchObject({ leafIndex: i, root: row.root, signature: row.signature })
      expect(verifyBatchAttestation(att!, hashes[i]!, { workspaceId: KIT_WORKSPACE, batchId: 'b_evm', payer: KIT_TREASURY.evm })).toEqual({
        ok: true,
      })
      // Another receipt's hash with this receipt's proof fails.
      expect(verifyBatchAttestation(att!, hashes[(i + 1) % numbers.length]!).ok).toBe(false)
    }
    const audit = await auditRows()
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ actor: KIT_SIGNER_OPERATOR, subject: 'batch:b_evm' })
    expect(JSON.parse(audit[0]!.change)).toMatchObject({
      chain: 'evm',
      root: row.root,
      leafCount: 4,
      firstReceipt: numbers[0],
      lastReceipt: numbers[3],
    })
  })

  it('is idempotent: a second call returns the stored attestation without the device', async () => {
    await addPaidBatch(ctx, 'b_again', [{ chain: 'evm' }, { chain: 'evm' }])
    const first = await attestBatch(ctx, 'b_again', { signer, actor: KIT_SIGNER_OPERATOR })
    const asked = prompts()
    let deviceWanted = false
    const second = await attestBatch(ctx, 'b_again', {
      signer: () => {
        deviceWanted = true
        return Promise.resolve(signer)
      },
      actor: 'op-someone-else',
    })
    expect(second).toEqual({ ...first, signedNow: false })
    expect(deviceWanted).toBe(false)
    expect(prompts()).toBe(asked)
    expect(await attestationRows()).toHaveLength(1)
    expect(await auditRows()).toHaveLength(1)
    // Also with the chain named, and with no signer at all.
    expect(await attestBatch(ctx, 'b_again', { chain: 'evm' })).toEqual({ ...first, signedNow: false })
  })

  it('Stellar: the device signs the SEP-53 hash (hash signing on); the progress names the hash it shows', async () => {
    const hashes = await addPaidBatch(ctx, 'b_xlm', [{ chain: 'stellar' }, { chain: 'stellar' }, { chain: 'stellar' }])
    const progress: string[] = []
    const row = await attestBatch(ctx, 'b_xlm', { signer, actor: KIT_SIGNER_OPERATOR, onProgress: (p) => progress.push(p.message) })
    expect(row).toMatchObject({ chain: 'stellar', signer: KIT_TREASURY.stellar, leafCount: 3, signedNow: true })
    expect(row.signature).toMatch(/^[0-9a-f]{128}$/)
    expect(progress).toEqual([expect.stringContaining(`it shows ${bytesToHex(sep53MessageHash(row.message))}`)])
    expect(emulators.stellar.stats.prompts).toHaveLength(1)
    const set = await loadBatchAttestationSet(ctx, 'b_xlm', 'stellar')
    const numbers = await receiptNumbers('b_xlm')
    numbers.forEach((n, i) =>
      expect(verifyBatchAttestation(set!.forReceipt(n)!, hashes[i]!, { payer: KIT_TREASURY.stellar })).toEqual({ ok: true }),
    )
    expect(set!.forReceipt(999)).toBeNull()
  })

  it('Stellar with hash signing off: the device error the repo words, nothing stored; then it works', async () => {
    await addPaidBatch(ctx, 'b_off', [{ chain: 'stellar' }])
    emulators.stellar.settings.stellar.hashSigning = false
    const error = await rejection(attestBatch(ctx, 'b_off', { signer, actor: KIT_SIGNER_OPERATOR }))
    expect(error).toMatchObject({
      code: 'DEVICE_HASH_SIGNING_OFF',
      message: expect.stringMatching(/Hash signing is off in the Stellar app/),
    })
    expect(await attestationRows()).toEqual([])
    emulators.stellar.settings.stellar.hashSigning = true
    expect(await attestBatch(ctx, 'b_off', { signer, actor: KIT_SIGNER_OPERATOR })).toMatchObject({ signedNow: true, leafCount: 1 })
  })

  it('a rejection on the device, or another Ledger, stores nothing', async () => {
    await addPaidBatch(ctx, 'b_rej', [{ chain: 'evm' }])
    emulators.ethereum.setUser('reject')
    expect(await rejection(attestBatch(ctx, 'b_rej', { signer, actor: KIT_SIGNER_OPERATOR }))).toMatchObject({ code: 'DEVICE_REJECTED' })
    const other = createSandboxLedgerEmulator({
      mnemonic: 'test test test test test test test test test test test junk',
      openApp: 'Ethereum',
      user: 'approve',
    })
    const otherSigner = createLedgerSigner({ factory: other.transportFactory, deviceId: other.deviceId })
    expect(await rejection(attestBatch(ctx, 'b_rej', { signer: otherSigner, actor: KIT_SIGNER_OPERATOR }))).toMatchObject({
      code: 'DEVICE_ADDRESS_MISMATCH',
    })
    expect(await rejection(attestBatch(ctx, 'b_rej', { actor: KIT_SIGNER_OPERATOR }))).toMatchObject({ code: 'SIGNER_UNAVAILABLE' })
    expect(await attestationRows()).toEqual([])
    expect(await auditRows()).toEqual([])
  })

  it('a signature that does not verify for the message is never stored, whatever the signer says', async () => {
    await addPaidBatch(ctx, 'b_liar', [{ chain: 'evm' }])
    // A Signer that signs something else than it was asked (the Ledger code would catch a wrong key, not this).
    const liar: Signer = {
      ...signer,
      signEvmPersonalMessage: (request, o) =>
        signer.signEvmPersonalMessage({ ...request, message: new TextEncoder().encode('something else') }, o),
    }
    expect(await rejection(attestBatch(ctx, 'b_liar', { signer: liar, actor: KIT_SIGNER_OPERATOR }))).toMatchObject({
      code: 'RECEIPT_ATTESTATION_INVALID',
      message: expect.stringMatching(/does not verify .* nothing was stored/),
    })
    expect(await attestationRows()).toEqual([])
  })

  it('refuses, saying what to do, before any prompt', async () => {
    await addPaidBatch(ctx, 'b_flight', [{ chain: 'evm' }, { chain: 'evm', state: 'broadcast' }])
    await addPaidBatch(ctx, 'b_unreceipted', [{ chain: 'evm' }, { chain: 'evm', receipted: false }])
    await addPaidBatch(ctx, 'b_stripe', [{ chain: 'stripe' }])
    await addPaidBatch(ctx, 'b_two', [{ chain: 'evm' }, { chain: 'evm', source: '0x00000000000000000000000000000000000000aa' }])
    await addPaidBatch(ctx, 'b_nothing', [{ chain: 'evm', state: 'failed' }])
    const cases: Array<[string, string, RegExp]> = [
      ['b_flight', 'RECEIPT_ATTESTATION_NOT_READY', /1 EVM payout is of batch "Kit b_flight" \(b_flight\) still in flight — attest once/],
      ['b_unreceipted', 'RECEIPT_ATTESTATION_NOT_READY', /1 paid EVM payout of .* has no receipt yet — issue the receipts/],
      ['b_stripe', 'RECEIPT_ATTESTATION_NOT_READY', /paid nothing on EVM or Stellar/],
      ['b_two', 'RECEIPT_ATTESTATION_NOT_READY', /from 2 treasury addresses/],
      ['b_nothing', 'RECEIPT_ATTESTATION_NOT_READY', /no paid EVM payouts with receipts/],
      ['b_missing', 'BATCH_NOT_FOUND', /There is no batch "b_missing"/],
    ]
    for (const [batch, code, message] of cases)
      expect(await rejection(attestBatch(ctx, batch, { signer, actor: KIT_SIGNER_OPERATOR }))).toMatchObject({
        code,
        message: expect.stringMatching(message),
      })
    expect(prompts()).toBe(0)
  })

  it('refuses a treasury address that was never verified on the device', async () => {
    const unverified = await openAttestKit({ verify: ['stellar'] })
    try {
      await addPaidBatch(unverified, 'b_unverified', [{ chain: 'evm' }])
      expect(await rejection(attestBatch(unverified, 'b_unverified', { signer, actor: KIT_SIGNER_OPERATOR }))).toMatchObject({
        code: 'SIGNER_ADDRESS_NOT_VERIFIED',
        message: expect.stringContaining(`Verify the treasury address ${KIT_TREASURY.evm} on your Ledger in Settings → Signers`),
      })
      expect(prompts()).toBe(0)
    } finally {
      await unverified.db.close()
    }
  })

  it('a batch paid on EVM and Stellar is attested per chain, each chain named', async () => {
    const hashes = await addPaidBatch(ctx, 'b_mixed', [
      { chain: 'evm' },
      { chain: 'stellar' },
      { chain: 'evm' },
      { chain: 'stripe' },
      { chain: 'stellar' },
    ])
    expect(await rejection(attestBatch(ctx, 'b_mixed', { signer, actor: KIT_SIGNER_OPERATOR }))).toMatchObject({
      code: 'RECEIPT_ATTESTATION_NOT_READY',
      message: expect.stringContaining('countersign receipts attest --batch b_mixed --chain evm, then --chain stellar'),
    })
    const evm = await attestBatch(ctx, 'b_mixed', { signer, actor: KIT_SIGNER_OPERATOR, chain: 'evm' })
    expect(evm).toMatchObject({ chain: 'evm', leafCount: 2, signedNow: true })
    // Without the chain named, still no guess: the stored EVM one is not taken for the whole batch.
    expect(await rejection(attestBatch(ctx, 'b_mixed', { signer, actor: KIT_SIGNER_OPERATOR }))).toMatchObject({
      code: 'RECEIPT_ATTESTATION_NOT_READY',
      message: expect.stringContaining('--chain evm, then --chain stellar'),
    })
    const numbers = await receiptNumbers('b_mixed')
    expect(verifyBatchAttestation((await loadBatchAttestation(ctx, 'b_mixed', numbers[0]!))!, hashes[0]!)).toEqual({ ok: true })
    // The Stripe receipt has no device attestation.
    expect(await loadBatchAttestation(ctx, 'b_mixed', numbers[3]!)).toBeNull()
    // Keyed by (batch_id, chain): both chains of the batch are attested, each by its own key.
    const stellar = await attestBatch(ctx, 'b_mixed', { signer, actor: KIT_SIGNER_OPERATOR, chain: 'stellar' })
    expect(stellar).toMatchObject({ chain: 'stellar', leafCount: 2, signedNow: true })
    expect(verifyBatchAttestation((await loadBatchAttestation(ctx, 'b_mixed', numbers[1]!))!, hashes[1]!)).toEqual({ ok: true })
    expect(await attestationRows()).toHaveLength(2)
  })

  it('a stored attestation that no longer verifies is refused when read, not handed out', async () => {
    await addPaidBatch(ctx, 'b_damaged', [{ chain: 'evm' }, { chain: 'evm' }])
    await attestBatch(ctx, 'b_damaged', { signer, actor: KIT_SIGNER_OPERATOR })
    const [first] = await receiptNumbers('b_damaged')
    await ctx.db.run(
      ctx.db.k
        .updateTable('receipts')
        .set({ sha256: 'ab'.repeat(32) })
        .where('number', '=', first!),
    )
    expect(await rejection(loadBatchAttestation(ctx, 'b_damaged', first!))).toMatchObject({
      code: 'RECEIPT_ATTESTATION_INVALID',
      message: expect.stringMatching(/no longer give the root the device signed/),
    })
    await ctx.db.run(
      ctx.db.k
        .updateTable('receipts')
        .set({ sha256: 'cd'.repeat(32) })
        .where('number', '=', first!),
    )
    await ctx.db.run(
      ctx.db.k
        .updateTable('receipt_batch_attestations')
        .set({ signer: '0x' + '11'.repeat(20) })
        .where('batch_id', '=', 'b_damaged'),
    )
    expect(await rejection(loadBatchAttestation(ctx, 'b_damaged', first!))).toMatchObject({ code: 'RECEIPT_ATTESTATION_INVALID' })
  })

  it('loadBatchAttestation: null for a receipt of another batch, of Stripe, or of a batch not attested', async () => {
    await addPaidBatch(ctx, 'b_one', [{ chain: 'evm' }])
    await addPaidBatch(ctx, 'b_other', [{ chain: 'evm' }, { chain: 'stripe' }])
    await attestBatch(ctx, 'b_one', { signer, actor: KIT_SIGNER_OPERATOR })
    const [one] = await receiptNumbers('b_one')
    const [other, stripe] = await receiptNumbers('b_other')
    expect(await loadBatchAttestation(ctx, 'b_one', one!)).not.toBeNull()
    expect(await loadBatchAttestation(ctx, 'b_other', one!)).toBeNull()
    expect(await loadBatchAttestation(ctx, 'b_other', other!)).toBeNull()
    expect(await loadBatchAttestation(ctx, 'b_other', stripe!)).toBeNull()
    expect(await loadBatchAttestation(ctx, 'b_one', 424242)).toBeNull()
  })
})
