/**
 * The batch digest: what an approval of a batch signs. SHA-256 over a canonical document of the
 * batch id, name and version, every payout in order (id, rail, network, asset, recipient, exact
 * amount, memo, reference), the exact totals per asset and the approval policy in force. Any
 * change to what would be paid — a row edited through the app (a new version) or behind its back
 * with SQL (the same version, other bytes) — gives another digest, and the approval no longer
 * verifies.
 *
 * Streamed: one line per payout is hashed, never one giant string (batches hold 10,000+ rows).
 */
import crypto from 'node:crypto'
import type { TypedDataDefinition } from 'viem'
import { formatAmountGrouped } from '../../../../shared/money'
import type { CoreContext } from '../../context'
import type { BatchRow } from '../../db/schema'
import { batchApprovalTypedData } from '../../operators/typedData'
import { canonicalJson } from '../../util/canonicalJson'
import { readApprovalPolicy } from '../policy/getApprovalPolicy'
import { AssetCache, payoutRowsOf, sumByAsset, type ExactTotal } from '../batches/readBatch'

export const BATCH_DIGEST_KIND = 'countersign.batch-approval/v1'

export interface BatchDigest {
  digest: string
  payouts: number
  /** "12,400.00 USDC + 3.5 ETH", as the device and the approval panel show it. */
  totals: string
  /** The exact totals per asset the digest covers (the policy's thresholds are checked on these). */
  exactTotals: Map<string, ExactTotal>
  typedData: () => TypedDataDefinition
}

export async function computeBatchDigest(ctx: CoreContext, batch: BatchRow, assets = new AssetCache(ctx)): Promise<BatchDigest> {
  const rows = await payoutRowsOf(ctx, batch.id)
  const h = crypto.createHash('sha256')
  h.update(`${BATCH_DIGEST_KIND}\n`)
  h.update(canonicalJson({ batchId: batch.id, name: batch.name, version: batch.version }))
  h.update('\n')
  for (const p of rows) {
    h.update(canonicalJson([p.id, p.rail, p.network, p.asset_id, p.recipient, p.amount, p.memo, p.reference]))
    h.update('\n')
  }
  const totals = await sumByAsset(rows, assets)
  const totalsDoc: [string, string, number][] = []
  const words: string[] = []
  for (const t of [...totals.values()].sort((a, b) => a.assetId.localeCompare(b.assetId))) {
    const asset = await assets.get(t.assetId)
    totalsDoc.push([t.assetId, t.minor.toString(), t.payouts])
    words.push(`${formatAmountGrouped(t.minor, asset.scale)} ${asset.code}`)
  }
  h.update(canonicalJson(totalsDoc))
  h.update('\n')
  h.update(canonicalJson(await readApprovalPolicy(ctx)))
  const digest = h.digest('hex')
  const totalsText = words.length === 0 ? 'nothing' : words.join(' + ')
  return {
    digest,
    payouts: rows.length,
    totals: totalsText,
    exactTotals: totals,
    typedData: () =>
      batchApprovalTypedData({
        batchId: batch.id,
        batch: batch.name,
        version: batch.version,
        payouts: rows.length,
        totals: totalsText,
        digest,
      }),
  }
}
