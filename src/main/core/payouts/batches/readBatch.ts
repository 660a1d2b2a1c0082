/**
 * Reading batches and their payouts as the contract shapes them. Totals are summed exactly in
 * bigint from the TEXT minor units, never in SQL (SQLite would sum in floats or overflow).
 */
import type { Asset } from '../../../../shared/ledgerApi'
import type { Rail } from '../../../../shared/blocks'
import { CsError } from '../../../../shared/errors'
import { formatAmount, parseMinor } from '../../../../shared/money'
import { BATCH_STATES, PAYOUT_STATES, type BatchState, type PayoutState } from '../../../../shared/payoutStates'
import type { AssetTotal, BatchSummary, Payout, RailTotal, SigningStopped } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import type { BatchRow, PayoutRow } from '../../db/schema'
import { findAsset } from '../../ledger'
import { unreachable } from '../../util/invariant'
import { signingStoppedOf } from './signingStopped'

/** The batch row, or BATCH_NOT_FOUND. */
export async function getBatchRow(ctx: CoreContext, batchId: string): Promise<BatchRow> {
  const row = await ctx.db.first(ctx.db.k.selectFrom('batches').selectAll().where('id', '=', batchId))
  if (!row)
    throw new CsError('BATCH_NOT_FOUND', `There is no batch "${batchId.slice(0, 80)}" — check the id (Payouts lists every batch).`, {
      cliHint: 'countersign batches list',
    })
  return row
}

export function batchStateOf(row: BatchRow): BatchState {
  if (!(BATCH_STATES as readonly string[]).includes(row.state)) unreachable(`batch ${row.id} has unknown state "${row.state}"`)
  return row.state as BatchState
}

/** Operator ids who created or edited the batch (they may never approve it). */
export function editorsOf(row: BatchRow): string[] {
  const parsed: unknown = JSON.parse(row.editors)
  if (!Array.isArray(parsed) || !parsed.every((e) => typeof e === 'string')) unreachable(`batch ${row.id} editors is not a string array`)
  return parsed.includes(row.created_by) ? parsed : [row.created_by, ...parsed]
}

export async function payoutRowsOf(ctx: CoreContext, batchId: string): Promise<PayoutRow[]> {
  return await ctx.db.all(ctx.db.k.selectFrom('payouts').selectAll().where('batch_id', '=', batchId).orderBy('row_no'))
}

/**
 * What totals, the signing plan and the policy need of every payout of a batch — a narrow read,
 * so a page of a 10,000-payout batch does not read (and shape) every row in full.
 */
export type PayoutFacts = Pick<PayoutRow, 'id' | 'rail' | 'network' | 'asset_id' | 'amount' | 'memo' | 'state' | 'submission_id'>

export async function payoutFactsOf(ctx: CoreContext, batchId: string): Promise<PayoutFacts[]> {
  return await ctx.db.all(
    ctx.db.k
      .selectFrom('payouts')
      .select(['id', 'rail', 'network', 'asset_id', 'amount', 'memo', 'state', 'submission_id'])
      .where('batch_id', '=', batchId)
      .orderBy('row_no')
      .orderBy('id'),
  )
}

/** Payouts [offset, offset + limit) of a batch in row order (ties by id, so pages never overlap). */
export async function payoutRowsPage(ctx: CoreContext, batchId: string, offset: number, limit: number): Promise<PayoutRow[]> {
  return await ctx.db.all(
    ctx.db.k.selectFrom('payouts').selectAll().where('batch_id', '=', batchId).orderBy('row_no').orderBy('id').limit(limit).offset(offset),
  )
}

/** Assets by id, loaded once per read. A payout whose asset vanished is a broken invariant. */
export class AssetCache {
  private readonly byId = new Map<string, Asset>()
  constructor(private readonly ctx: CoreContext) {}
  async get(assetId: string): Promise<Asset> {
    let asset = this.byId.get(assetId)
    if (!asset) {
      asset = await findAsset(this.ctx, assetId)
      if (!asset) unreachable(`payout asset ${assetId} is not in the registry`)
      this.byId.set(assetId, asset)
    }
    return asset
  }
}

export interface ExactTotal {
  assetId: string
  rail: Rail
  network: string
  minor: bigint
  payouts: number
}

/** Exact totals per asset of payout rows (amount + asset only needed). */
export async function sumByAsset(
  rows: readonly Pick<PayoutRow, 'asset_id' | 'amount'>[],
  assets: AssetCache,
): Promise<Map<string, ExactTotal>> {
  const totals = new Map<string, ExactTotal>()
  for (const r of rows) {
    const minor = parseMinor(r.amount)
    if (minor <= 0n) unreachable(`a payout amount must be positive, got ${r.amount}`)
    const asset = await assets.get(r.asset_id)
    const t = totals.get(r.asset_id) ?? { assetId: r.asset_id, rail: asset.rail, network: asset.network, minor: 0n, payouts: 0 }
    t.minor += minor
    t.payouts += 1
    totals.set(r.asset_id, t)
  }
  return totals
}

export async function toAssetTotals(totals: Map<string, ExactTotal>, assets: AssetCache): Promise<AssetTotal[]> {
  const out: AssetTotal[] = []
  for (const t of [...totals.values()].sort((a, b) => a.assetId.localeCompare(b.assetId))) {
    const asset = await assets.get(t.assetId)
    out.push({
      assetId: t.assetId,
      assetCode: asset.code,
      scale: asset.scale,
      total: formatAmount(t.minor, asset.scale),
      payouts: t.payouts,
    })
  }
  return out
}

export async function toRailTotals(totals: Map<string, ExactTotal>, assets: AssetCache): Promise<RailTotal[]> {
  return (await toAssetTotals(totals, assets))
    .map((t) => ({ ...t, rail: totals.get(t.assetId)!.rail, network: totals.get(t.assetId)!.network }))
    .sort((a, b) => a.rail.localeCompare(b.rail) || a.assetId.localeCompare(b.assetId))
}

export async function toSummary(
  row: BatchRow,
  payouts: readonly Pick<PayoutRow, 'asset_id' | 'amount'>[],
  assets: AssetCache,
  signingStopped: SigningStopped | null = null,
): Promise<BatchSummary> {
  const totals = await sumByAsset(payouts, assets)
  return {
    id: row.id,
    name: row.name,
    state: batchStateOf(row),
    version: row.version,
    source: row.source,
    createdBy: row.created_by,
    editors: editorsOf(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    payouts: payouts.length,
    totals: await toAssetTotals(totals, assets),
    rails: [...new Set([...totals.values()].map((t) => t.rail))].sort(),
    signingStopped,
  }
}

/** The summary of one batch, read fresh. */
export async function readBatchSummary(ctx: CoreContext, batchId: string): Promise<BatchSummary> {
  const row = await getBatchRow(ctx, batchId)
  const stopped = await signingStoppedOf(ctx, [{ id: row.id, state: batchStateOf(row) }])
  return await toSummary(row, await payoutRowsOf(ctx, batchId), new AssetCache(ctx), stopped.get(row.id) ?? null)
}

/**
 * Stripe payouts of a batch that were (partly) reversed: payout id -> minor units taken back, from
 * the ledger's own entries (kind stripe.reversal, one per reversal event, credited to the payee).
 * The payout id lives in the entry's JSON metadata, read here rather than in SQL (SQLite and
 * PostgreSQL spell JSON access differently); reversals are rare, so there are few to read.
 */
export async function reversedByPayout(ctx: CoreContext, batchId: string): Promise<Map<string, bigint>> {
  const rows = await ctx.db.all(
    ctx.db.k
      .selectFrom('entries as e')
      .innerJoin('postings as po', 'po.entry_seq', 'e.seq')
      .innerJoin('accounts as a', 'a.id', 'po.account_id')
      .select(['e.metadata as metadata', 'po.amount as amount'])
      .where('e.kind', '=', 'stripe.reversal')
      // The payee's side, whatever its account id: the address book's or one the engine opened.
      .where('a.kind', '=', 'payee'),
  )
  const out = new Map<string, bigint>()
  if (rows.length === 0) return out
  const inBatch = new Set((await ctx.db.all(ctx.db.k.selectFrom('payouts').select('id').where('batch_id', '=', batchId))).map((p) => p.id))
  for (const r of rows) {
    const payoutId = payoutIdOf(r.metadata)
    if (payoutId === undefined || !inBatch.has(payoutId)) continue
    // The payee's posting is a credit (negative): the amount reversed is its opposite.
    out.set(payoutId, (out.get(payoutId) ?? 0n) - parseMinor(r.amount))
  }
  return out
}

/** The payoutId of an entry's metadata JSON, as SQLite's json_extract read it (a string, else none). */
function payoutIdOf(metadata: string): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(metadata)
  } catch {
    unreachable('a ledger entry has metadata that is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const id = (parsed as Record<string, unknown>)['payoutId']
  return typeof id === 'string' ? id : undefined
}

export async function toPayout(row: PayoutRow, assets: AssetCache, reversed?: bigint): Promise<Payout> {
  if (!(PAYOUT_STATES as readonly string[]).includes(row.state)) unreachable(`payout ${row.id} has unknown state "${row.state}"`)
  const asset = await assets.get(row.asset_id)
  return {
    id: row.id,
    rowNo: row.row_no,
    rail: asset.rail,
    network: row.network,
    assetId: row.asset_id,
    recipient: row.recipient,
    amount: formatAmount(parseMinor(row.amount), asset.scale),
    memo: row.memo,
    reference: row.reference,
    name: row.name,
    state: row.state as PayoutState,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    submissionId: row.submission_id,
    reversed: reversed === undefined || reversed === 0n ? null : formatAmount(reversed, asset.scale),
  }
}
