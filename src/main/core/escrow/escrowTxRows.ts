/**
 * The escrow engine's rail transactions (escrow_txs): reading them, showing them to a rail as the
 * submission-shaped rows its parts take, and moving them from state to state (audited).
 */
import type { CoreContext } from '../context'
import type { EscrowTxRow, SubmissionRow } from '../db/schema'
import type { EscrowOp, EscrowRailTx } from '../rails/EscrowRail'
import { appendAudit } from '../audit/appendAudit'
import { unreachable } from '../util/invariant'

/** JSON for an op (bigint as decimal text) and back. */
export function opToJson(op: EscrowOp): string {
  return JSON.stringify(op, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
}

export function opFromJson(text: string): EscrowOp {
  const raw = JSON.parse(text) as Record<string, unknown>
  switch (raw.kind) {
    case 'fund':
      return { kind: 'fund' }
    case 'release':
    case 'dispute':
      return { kind: raw.kind, milestone: Number(raw.milestone) }
    case 'resolve':
      return {
        kind: 'resolve',
        milestone: Number(raw.milestone),
        toPayee: BigInt(String(raw.toPayee)),
        toPayer: BigInt(String(raw.toPayer)),
      }
    case 'refund':
      return { kind: 'refund', milestones: (raw.milestones as unknown[]).map(Number) }
    default:
      return unreachable(`stored escrow op ${text.slice(0, 80)}`)
  }
}

/** The row as the rail's parts see it: a submission with no payouts, plus the op. */
export function railTxOf(row: EscrowTxRow): EscrowRailTx {
  const submission: SubmissionRow = {
    id: row.id,
    batch_id: row.escrow_id,
    rail: row.rail,
    network: row.network,
    chunk_index: 0,
    attempt: row.attempt,
    state: row.state,
    source: row.source,
    nonce: row.nonce,
    idempotency_key: row.idempotency_key,
    unsigned_payload: row.unsigned_payload,
    signed_payload: row.signed_payload,
    tx_hash: row.tx_hash,
    fee_cap: row.fee_cap,
    fee_paid: row.fee_paid,
    block_number: row.block_number,
    block_hash: row.block_hash,
    failure_code: row.failure_code,
    failure_message: row.failure_message,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
  return { ...submission, payoutIds: [], op: opFromJson(row.op) }
}

export async function getEscrowTx(ctx: CoreContext, id: string): Promise<EscrowTxRow> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('escrow_txs').selectAll().where('id', '=', id))
  if (!row) unreachable(`escrow tx ${id} is gone`)
  return row
}

export function railRefsOf(row: EscrowTxRow): Map<number, string> {
  if (row.rail_refs === null) return new Map()
  return new Map(Object.entries(JSON.parse(row.rail_refs) as Record<string, string>).map(([k, v]) => [Number(k), v]))
}

type TxChange = Partial<Omit<EscrowTxRow, 'id' | 'escrow_id' | 'action_id' | 'state' | 'created_at' | 'updated_at'>>

/** Inside the caller's transaction; audited. */
export async function moveEscrowTx(
  ctx: CoreContext,
  actor: string,
  row: EscrowTxRow,
  state: string,
  change: TxChange = {},
  details: Record<string, unknown> = {},
) {
  await ctx.db.run(
    ctx.db.k
      .updateTable('escrow_txs')
      .set({ ...change, state, updated_at: ctx.clock.now().toISOString() })
      .where('id', '=', row.id),
  )
  await appendAudit(ctx, {
    actor,
    action: `escrow.tx.${state}`,
    subject: `escrow:${row.escrow_id}`,
    change: {
      txId: row.id,
      actionId: row.action_id,
      from: row.state,
      to: state,
      ...(change.tx_hash ? { txHash: change.tx_hash } : {}),
      ...details,
    },
  })
}
