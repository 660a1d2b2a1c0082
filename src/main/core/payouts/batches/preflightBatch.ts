/**
 * Can this batch be paid? Run at submit, offered as batches.preflight, and run again by the
 * execution engine before signing. Never throws for a problem it finds: it lists them all.
 *  - the batch has payouts;
 *  - every row still validates (asset, recipient, amount, memo) — rules may have changed since;
 *  - each asset has a treasury account (with an address on chains) whose available ledger
 *    balance covers the batch's total of that asset;
 *  - then the registered rail checks (railPreflights.ts), e.g. native gas, fee caps.
 * Reads only; async because rail checks may call the network — never call it inside a DB tx.
 */
import type { Account } from '../../../../shared/api'
import { formatAmount, formatAmountGrouped, parseMinor } from '../../../../shared/money'
import type { PreflightProblem, PreflightResult } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import { listAccounts } from '../../ledger'
import { readAccountBalances } from '../../ledger/getBalances'
import { log } from '../../log'
import { railPreflightsFor } from './railPreflights'
import { AssetCache, getBatchRow, payoutRowsOf, sumByAsset } from './readBatch'
import { validatePayoutRowsBatch } from './validatePayoutRow'

export type PreflightBatchReturnType = PreflightResult

/** Row problems reported one by one; beyond this they are counted in one line. */
export const PREFLIGHT_ROW_PROBLEMS_MAX = 50

export async function preflightBatch(ctx: CoreContext, batchId: string): Promise<PreflightResult> {
  const batch = getBatchRow(ctx, batchId)
  const payouts = payoutRowsOf(ctx, batchId)
  const problems: PreflightProblem[] = []
  if (payouts.length === 0) {
    problems.push({ code: 'BATCH_EMPTY', message: `Batch "${batch.name}" has no payouts — add rows or import a file first` })
    return { ok: false, problems }
  }

  const scales = new Map(ctx.db.all(ctx.db.k.selectFrom('assets').select(['id', 'scale'])).map((a) => [a.id, a.scale]))
  const checked = validatePayoutRowsBatch(
    ctx,
    payouts.map((p) => ({
      id: p.id,
      rowNo: p.row_no,
      assetId: p.asset_id,
      recipient: p.recipient,
      amount: scales.has(p.asset_id) ? formatAmount(parseMinor(p.amount), scales.get(p.asset_id)!) : p.amount,
      memo: p.memo,
      reference: p.reference,
      name: p.name,
    })),
    { batchIdForEdit: batchId },
  )
  let rowProblems = 0
  checked.forEach((result, i) => {
    if (result.ok) return
    const p = payouts[i]!
    rowProblems += 1
    if (rowProblems > PREFLIGHT_ROW_PROBLEMS_MAX) return
    problems.push({
      code: result.field === 'recipient' ? 'RECIPIENT_INVALID' : result.field === 'amount' ? 'AMOUNT_INVALID' : 'PAYOUT_INVALID',
      message: `Payout ${p.id} (row ${p.row_no}), ${result.field}: ${result.message}`,
      payoutId: p.id,
    })
  })
  if (rowProblems > PREFLIGHT_ROW_PROBLEMS_MAX) {
    problems.push({ code: 'PAYOUT_INVALID', message: `${rowProblems - PREFLIGHT_ROW_PROBLEMS_MAX} more payouts have problems` })
  }
  if (rowProblems > 0) return { ok: false, problems }

  const assets = new AssetCache(ctx)
  const totals = sumByAsset(payouts, assets)
  for (const total of totals.values()) {
    const asset = assets.get(total.assetId)
    const needsAddress = asset.rail !== 'stripe'
    const treasuries = listAccounts(ctx, { kind: 'treasury', assetId: asset.id }).filter(
      (a: Account) => !needsAddress || a.address !== null,
    )
    if (treasuries.length === 0) {
      problems.push({
        code: 'TREASURY_MISSING',
        message: `There is no treasury account${needsAddress ? ' with an address' : ''} for ${asset.id} to pay from — open one (ledger accounts add --kind treasury${needsAddress ? ' --address …' : ''})`,
      })
      continue
    }
    const ids = new Set(treasuries.map((t) => t.id))
    const balances = readAccountBalances(ctx, { assetId: asset.id, kind: 'treasury' }).filter((b) => ids.has(b.accountId))
    const best = balances.reduce((a, b) => (b.available > a.available ? b : a))
    if (best.available < total.minor) {
      const g = (m: bigint): string => formatAmountGrouped(m, asset.scale)
      problems.push({
        code: 'INSUFFICIENT_FUNDS',
        message: `The batch pays ${g(total.minor)} ${asset.code} (${asset.id}) but ${best.accountName} has ${g(best.available)} available — fund it or remove payouts`,
      })
    }
  }

  for (const rail of [...new Set([...totals.values()].map((t) => t.rail))].sort()) {
    const onRail = payouts.filter((p) => p.rail === rail)
    for (const check of railPreflightsFor(rail)) {
      try {
        problems.push(...(await check.check(ctx, { batch, rail, payouts: onRail })))
      } catch (error) {
        log('warn', 'rail preflight check failed', { check: check.name, batchId, error })
        problems.push({
          code: 'RAIL_CHECK_FAILED',
          message: `The ${check.name} check could not run (${(error as Error).message ?? 'unknown error'}) — try again`,
        })
      }
    }
  }
  return { ok: problems.length === 0, problems }
}
