/** batches.submissions: every submission of a batch, chunk by chunk, attempt by attempt. */
import { formatAmount, parseMinor } from '../../../../shared/money'
import type { Submission } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import type { SubmissionRow } from '../../db/schema'
import { findAsset } from '../../ledger'
import { assetIdFor } from '../../ledger/ids'
import type { RailRegistry } from '../../rails/Rail'
import { invariant } from '../../util/invariant'
import { getBatchRow } from '../batches/readBatch'

/** The asset a rail pays its fees in when the rail is not configured in this process (as the rails name it). */
const NATIVE_FEE_CODE: Readonly<Record<string, string>> = { evm: 'ETH', stellar: 'XLM' }

export type ListSubmissionsReturnType = Submission[]

export async function listSubmissions(ctx: CoreContext, rails: RailRegistry, batchId: string): Promise<Submission[]> {
  await getBatchRow(ctx, batchId)
  const rows = await ctx.db.all(
    ctx.db.k.selectFrom('submissions').selectAll().where('batch_id', '=', batchId).orderBy('chunk_index').orderBy('attempt'),
  )
  const counts = new Map(
    (
      await ctx.db.all(
        ctx.db.k
          .selectFrom('submission_payouts')
          .innerJoin('submissions', 'submissions.id', 'submission_payouts.submission_id')
          .select(['submission_payouts.submission_id as id', (eb) => eb.fn.countAll<number>().as('n')])
          .where('submissions.batch_id', '=', batchId)
          .groupBy('submission_payouts.submission_id'),
      )
    ).map((r) => [r.id, Number(r.n)]),
  )
  const fees = new Map<string, Submission['fee']>()
  for (const s of rows) fees.set(s.id, await feeOf(ctx, rails, s))
  return rows.map((s: SubmissionRow) => {
    const railRef = railRefOf(s)
    const explorerUrl = railRef === null ? null : (rails.get(s.rail, s.network)?.explorerUrl?.(railRef) ?? null)
    return {
      id: s.id,
      rail: s.rail as Submission['rail'],
      network: s.network,
      chunkIndex: s.chunk_index,
      attempt: s.attempt,
      state: s.state as Submission['state'],
      txHash: s.tx_hash,
      railRef,
      nonce: s.nonce,
      payoutCount: counts.get(s.id) ?? 0,
      failure: s.failure_code !== null ? { code: s.failure_code, message: s.failure_message ?? '' } : null,
      explorerUrl,
      fee: fees.get(s.id) ?? null,
      createdAt: s.created_at,
      updatedAt: s.updated_at,
    }
  })
}

/**
 * The id the rail itself gives the submission: the transaction hash on EVM and Stellar; on Stripe
 * the transfer id (tr_…), which the poller keeps as the block hash once the transfer is seen
 * (classifyStripeTransfer.ts) — tx_hash there is only our idempotency key.
 */
export function railRefOf(s: Pick<SubmissionRow, 'rail' | 'tx_hash' | 'block_hash'>): string | null {
  if (s.rail !== 'stripe') return s.tx_hash
  return s.block_hash !== null && s.block_hash.startsWith('tr_') ? s.block_hash : null
}

/** The fee a submission paid, exact at its asset's scale; null when none was (yet) paid. */
async function feeOf(ctx: CoreContext, rails: RailRegistry, s: SubmissionRow): Promise<Submission['fee']> {
  if (s.fee_paid === null) return null
  const minor = parseMinor(s.fee_paid)
  if (minor === 0n) return null
  const nativeCode = NATIVE_FEE_CODE[s.rail]
  const assetId = rails.get(s.rail, s.network)?.feeAssetId ?? (nativeCode ? assetIdFor(nativeCode, s.rail, s.network) : null)
  invariant(assetId !== null, () => `submission ${s.id} paid a fee on ${s.rail}, which has no fee asset`)
  const asset = await findAsset(ctx, assetId)
  // The fee was booked in this asset (bookSubmission.ts), so it is registered.
  invariant(asset, () => `fee asset ${assetId} of submission ${s.id} is not in the registry`)
  return { assetId, assetCode: asset.code, scale: asset.scale, amount: formatAmount(minor, asset.scale) }
}
