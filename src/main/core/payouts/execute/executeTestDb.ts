/**
 * TEST ONLY: an in-memory workspace with one executing batch, and a way to put submissions in it
 * in any state — for the engine's unit tests that need the database but no network (nonce
 * reservation, the sweep gate).
 */
import { CoreEvents, fixedClock, type CoreContext } from '../../context'
import { openDb } from '../../db/openDb'
import type { SubmissionRow } from '../../db/schema'

export const TEST_BATCH = 'b-unit'
const AT = '2026-02-01T10:00:00.000Z'

export async function openExecuteTestDb(): Promise<CoreContext> {
  const db = await openDb({ dataDir: ':memory:' })
  const ctx: CoreContext = { db, clock: fixedClock(AT), events: new CoreEvents() }
  await db.run(db.k.insertInto('operators').values({ id: 'op-unit', name: 'Unit', roles: '[]', created_at: AT }))
  await db.run(
    db.k.insertInto('batches').values({
      id: TEST_BATCH,
      name: 'unit',
      state: 'executing',
      version: 1,
      source: null,
      created_by: 'op-unit',
      editors: '[]',
      created_at: AT,
      updated_at: AT,
    }),
  )
  return ctx
}

let seq = 0

/** Inserts a submission (defaults: evm, network 1, source 0xS, broadcast, no nonce). */
export async function insertTestSubmission(ctx: CoreContext, over: Partial<SubmissionRow> = {}): Promise<SubmissionRow> {
  seq++
  const row: SubmissionRow = {
    id: `${TEST_BATCH}:c${seq}:a1`,
    batch_id: TEST_BATCH,
    rail: 'evm',
    network: '1',
    chunk_index: seq,
    attempt: 1,
    state: 'broadcast',
    source: '0xS',
    nonce: null,
    idempotency_key: `unit:${seq}`,
    unsigned_payload: null,
    signed_payload: '0x00',
    tx_hash: `0x${seq}`,
    fee_cap: null,
    fee_paid: null,
    block_number: null,
    block_hash: null,
    failure_code: null,
    failure_message: null,
    created_at: AT,
    updated_at: AT,
    ...over,
  }
  await ctx.db.run(ctx.db.k.insertInto('submissions').values(row))
  return row
}

let escrowSeq = 0

/**
 * Inserts an escrow transaction holding `nonce` (with the escrow and action rows it belongs to):
 * escrow transactions share the source's nonces with payout submissions (reserveNonce.ts).
 */
export async function insertTestEscrowTx(
  ctx: CoreContext,
  over: { rail?: string; network?: string; source?: string; nonce: string; state?: string },
): Promise<string> {
  escrowSeq++
  const { db } = ctx
  const rail = over.rail ?? 'evm'
  const network = over.network ?? '1'
  const assetId = `TOK@${rail}:${network}`
  await db.run(
    db.k
      .insertInto('assets')
      .values({ id: assetId, code: 'TOK', name: 'Token', scale: 6, rail, network, issuer: null, created_at: AT })
      .onConflict((oc) => oc.column('id').doNothing()),
  )
  const escrowId = `esc-unit-${escrowSeq}`
  const actionId = `${escrowId}:a1`
  await db.run(
    db.k.insertInto('escrows').values({
      id: escrowId,
      name: 'unit',
      reference: null,
      rail,
      network,
      asset_id: assetId,
      payer: 'payer',
      payee: 'payee',
      payee_name: null,
      funding: 'treasury',
      funding_charge: null,
      rail_escrow_id: escrowId,
      total: '1',
      auto_release: 0,
      expires_at: AT,
      state: 'funding',
      version: 1,
      created_by: 'op-unit',
      created_at: AT,
      updated_at: AT,
    }),
  )
  await db.run(
    db.k.insertInto('escrow_actions').values({
      id: actionId,
      escrow_id: escrowId,
      kind: 'fund',
      milestone: null,
      amount: '1',
      to_payee: null,
      to_payer: null,
      reason: null,
      state: 'executing',
      digest: 'unit',
      requested_by: 'op-unit',
      requested_at: AT,
      failure_code: null,
      failure_message: null,
      updated_at: AT,
    }),
  )
  const id = `${actionId}:t1`
  await db.run(
    db.k.insertInto('escrow_txs').values({
      id,
      escrow_id: escrowId,
      action_id: actionId,
      op: '{"kind":"fund"}',
      rail,
      network,
      attempt: 1,
      state: over.state ?? 'broadcast',
      source: over.source ?? '0xS',
      nonce: over.nonce,
      idempotency_key: `unit-escrow:${escrowSeq}`,
      unsigned_payload: null,
      signed_payload: '0x00',
      tx_hash: `0xe${escrowSeq}`,
      rail_refs: null,
      fee_cap: null,
      fee_paid: null,
      block_number: null,
      block_hash: null,
      failure_code: null,
      failure_message: null,
      created_at: AT,
      updated_at: AT,
    }),
  )
  return id
}
