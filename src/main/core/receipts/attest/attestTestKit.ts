/**
 * TEST ONLY: a workspace (in memory; PostgreSQL under the team-mode test run) with paid batches
 * whose rows are written directly — batch, submissions, payouts and receipts with the columns of
 * migration 0013 — so attestBatch is tested without a chain or the receipt issuing run. The
 * treasuries are the device emulator's sandbox accounts, verified as the sandbox verifies them.
 */
import { createHash } from 'node:crypto'
import { CoreEvents, fixedClock, type CoreContext } from '../../context'
import { openDb } from '../../db/openDb'
import { evmAccountPath, stellarAccountPath } from '../../signing/bip32Path'
import { recordVerifiedSignerAddress } from '../../signing/verifySignerAddress'
import { canonicalJson } from '../../util/canonicalJson'
import type { AttestationChain } from './attestationMessage'

export const KIT_AT = '2026-03-01T09:00:00.000Z'
export const KIT_WORKSPACE = 'ws_0123456789abcdef0123456789abcdef'
export const KIT_SIGNER_OPERATOR = 'op-carol'
/** m/44'/60'/0'/0/0 and m/44'/148'/0' of the Speculos test seed: the sandbox treasuries. */
export const KIT_TREASURY: Readonly<Record<AttestationChain, string>> = {
  evm: '0xDad77910DbDFdE764fC21FCD4E74D71bBACA6D8D',
  stellar: 'GCNCEJIAZ5D3APIF5XWAJ3JSSTHM4HPHE7GK3NAB6R6WWSZDB2A2BQ5B',
}

const KIT_NETWORKS: Readonly<Record<AttestationChain | 'stripe', string>> = { evm: '31337', stellar: 'standalone', stripe: 'stripe' }

export interface KitPayout {
  chain: AttestationChain | 'stripe'
  /** Default confirmed. */
  state?: string
  /** Default: a confirmed payout has its receipt. */
  receipted?: boolean
  /** Default: the chain's kit treasury. */
  source?: string
}

export async function openAttestKit(options: { verify?: AttestationChain[] } = {}): Promise<CoreContext> {
  const db = await openDb({ dataDir: ':memory:' })
  const ctx: CoreContext = { db, clock: fixedClock(KIT_AT), events: new CoreEvents() }
  await db.run(
    db.k.insertInto('operators').values([
      { id: 'op-alice', name: 'Alice Preparer', roles: '["preparer"]', created_at: KIT_AT },
      { id: KIT_SIGNER_OPERATOR, name: 'Carol Signer', roles: '["signer"]', created_at: KIT_AT },
    ]),
  )
  for (const [rail, network] of Object.entries(KIT_NETWORKS))
    await db.run(
      db.k
        .insertInto('assets')
        .values({ id: `USDC@${network}`, code: 'USDC', name: 'USD Coin', scale: 6, rail, network, issuer: null, created_at: KIT_AT })
        .onConflict((oc) => oc.column('id').doNothing()),
    )
  for (const chain of options.verify ?? ['evm', 'stellar']) {
    const path = chain === 'evm' ? evmAccountPath(0) : stellarAccountPath(0)
    await recordVerifiedSignerAddress(ctx, KIT_SIGNER_OPERATOR, { chain, path, address: KIT_TREASURY[chain] })
  }
  return ctx
}

/** A batch and its payouts as the engine leaves them, and a receipt per confirmed payout (unless told). Returns the receipts' hashes by payout index. */
export async function addPaidBatch(ctx: CoreContext, batchId: string, payouts: readonly KitPayout[]): Promise<Array<string | null>> {
  const { db } = ctx
  await db.run(
    db.k.insertInto('batches').values({
      id: batchId,
      name: `Kit ${batchId}`,
      state: payouts.every((p) => p.state === undefined || p.state === 'confirmed') ? 'completed' : 'executing',
      version: 1,
      source: null,
      created_by: 'op-alice',
      editors: '["op-alice"]',
      created_at: KIT_AT,
      updated_at: KIT_AT,
    }),
  )
  const hashes: Array<string | null> = []
  for (const [i, p] of payouts.entries()) {
    const state = p.state ?? 'confirmed'
    const source = p.source ?? (p.chain === 'stripe' ? 'platform' : KIT_TREASURY[p.chain])
    const payoutId = `${batchId}:p${i + 1}`
    const submissionId = `${batchId}:s${i + 1}`
    const network = KIT_NETWORKS[p.chain]
    await db.run(
      db.k.insertInto('submissions').values({
        id: submissionId,
        batch_id: batchId,
        rail: p.chain,
        network,
        chunk_index: i,
        attempt: 1,
        state: state === 'confirmed' ? 'confirmed' : 'broadcast',
        source,
        nonce: String(i),
        idempotency_key: `${batchId}:${i}`,
        unsigned_payload: '00',
        signed_payload: '00',
        tx_hash: `0x${String(i + 1).padStart(64, '0')}`,
        fee_cap: null,
        fee_paid: null,
        block_number: state === 'confirmed' ? '100' : null,
        block_hash: null,
        failure_code: null,
        failure_message: null,
        created_at: KIT_AT,
        updated_at: KIT_AT,
      }),
    )
    await db.run(
      db.k.insertInto('payouts').values({
        id: payoutId,
        batch_id: batchId,
        row_no: i + 1,
        rail: p.chain,
        network,
        asset_id: `USDC@${network}`,
        recipient: `payee-${i + 1}`,
        amount: String(1_000_000 * (i + 1)),
        memo: null,
        reference: `INV-${i + 1}`,
        name: `Payee ${i + 1}`,
        state,
        attempt: 1,
        submission_id: submissionId,
        entry_id: null,
        failure_code: null,
        failure_message: null,
        created_at: KIT_AT,
        updated_at: KIT_AT,
      }),
    )
    hashes.push(
      state === 'confirmed' && p.receipted !== false
        ? await addReceipt(ctx, { batchId, payoutId, chain: p.chain, payer: source, network })
        : null,
    )
  }
  return hashes
}

/** One receipts row (columns of 0013) whose document names the workspace and the payer; returns its sha256. */
export async function addReceipt(
  ctx: CoreContext,
  r: { batchId: string | null; payoutId: string; chain: AttestationChain | 'stripe'; payer: string; network: string },
): Promise<string> {
  const last = await ctx.db.first(ctx.db.k.selectFrom('receipts').select((eb) => eb.fn.max('number').as('n')))
  const number = Number(last?.n ?? 0) + 1
  const document = canonicalJson({
    schema: 'countersign.receipt/1',
    kind: 'payout',
    number,
    workspaceId: KIT_WORKSPACE,
    payer: { name: 'Kit Ltd', address: '', registrationNumber: '', account: r.payer },
    subject: { id: r.payoutId, batchId: r.batchId },
  })
  const sha256 = createHash('sha256').update(document).digest('hex')
  await ctx.db.run(
    ctx.db.k.insertInto('receipts').values({
      number,
      sha256,
      kind: 'payout',
      subject_key: `payout:${r.payoutId}`,
      payout_id: r.payoutId,
      batch_id: r.batchId,
      escrow_id: null,
      rail: r.chain,
      network: r.network,
      asset_id: `USDC@${r.network}`,
      amount: '1000000',
      payee_name: 'Payee',
      recipient: 'payee',
      reference: '',
      tx_hash: null,
      paid_at: KIT_AT,
      issued_at: KIT_AT,
      document,
      key_id: 'kit-key',
      signature: '00'.repeat(64),
      previous_number: null,
    }),
  )
  return sha256
}
