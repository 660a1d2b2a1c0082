/**
 * Can this batch be paid? Run at submit, offered as batches.preflight, and run again by the
 * execution engine before signing. Never throws for a problem it finds: it lists them all.
 *  - the batch has payouts;
 *  - every row still validates (asset, recipient, amount, memo) — rules may have changed since;
 *  - each asset has a treasury account (with an address on chains) whose available ledger
 *    balance covers the batch's total of that asset;
 *  - then each configured rail's own `preflight` (balances, trustlines, the key), given the
 *    batch's payouts on that rail + network only. The rails come from the caller (the core's
 *    live registry), not from a module-level list: two cores in one process never share checks.
 *    A payout on a rail that is not configured gets no rail check here; execute refuses it
 *    (RAIL_NOT_CONFIGURED), so a batch can be prepared before its rail is set up.
 * Reads only; async because rail checks may call the network — never call it inside a DB tx.
 */
import type { Account } from '../../../../shared/ledgerApi'
import { formatAmountGrouped } from '../../../../shared/money'
import type { PreflightProblem, PreflightResult } from '../../../../shared/payoutsApi'
import type { CoreContext } from '../../context'
import { listAccounts } from '../../ledger'
import { readAccountBalances } from '../../ledger/getBalances'
import { log } from '../../log'
import type { BatchRow, PayoutRow } from '../../db/schema'
import type { RailRegistry } from '../../rails/Rail'
import { assetsById } from '../execute/railViews'
import { AssetCache, getBatchRow, payoutRowsOf, sumByAsset } from './readBatch'
import { storedPayoutCandidates, validatePayoutRowsBatch } from './validatePayoutRow'

export type PreflightBatchReturnType = PreflightResult

/** The pre-flight's result, with the commands a CLI user runs to fix what it found (never sent to the app). */
export interface PreflightOutcome extends PreflightResult {
  cliHints?: string[]
}

/** Row problems reported one by one; beyond this they are counted in one line. */
export const PREFLIGHT_ROW_PROBLEMS_MAX = 50

export async function preflightBatch(ctx: CoreContext, batchId: string, rails: RailRegistry): Promise<PreflightOutcome> {
  const batch = await getBatchRow(ctx, batchId)
  const payouts = await payoutRowsOf(ctx, batchId)
  const problems: PreflightProblem[] = []
  if (payouts.length === 0) {
    problems.push({ code: 'BATCH_EMPTY', message: `Batch "${batch.name}" has no payouts — add rows or import a file first` })
    return { ok: false, problems }
  }

  const checked = await validatePayoutRowsBatch(ctx, await storedPayoutCandidates(ctx, payouts), { batchIdForEdit: batchId })
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
  const totals = await sumByAsset(payouts, assets)
  const treasuryHints: string[] = []
  for (const total of totals.values()) {
    const asset = await assets.get(total.assetId)
    const needsAddress = asset.rail !== 'stripe'
    const treasuries = (await listAccounts(ctx, { kind: 'treasury', assetId: asset.id })).filter(
      (a: Account) => !needsAddress || a.address !== null,
    )
    if (treasuries.length === 0) {
      treasuryHints.push(
        `countersign ledger accounts add --as ADMIN --id treasury-${asset.code.toLowerCase()} --name "Treasury ${asset.code}" --kind treasury --asset ${asset.id}${needsAddress ? ' --address ADDRESS' : ''}`,
      )
      problems.push({
        code: 'TREASURY_MISSING',
        message: `There is no treasury account${needsAddress ? ' with an address' : ''} for ${asset.id} to pay from — ask an admin to open one${needsAddress ? ' with the address that pays' : ''}, then submit again`,
      })
      continue
    }
    const ids = new Set(treasuries.map((t) => t.id))
    const balances = (await readAccountBalances(ctx, { assetId: asset.id, kind: 'treasury' })).filter((b) => ids.has(b.accountId))
    const best = balances.reduce((a, b) => (b.available > a.available ? b : a))
    if (best.available < total.minor) {
      const g = (m: bigint): string => formatAmountGrouped(m, asset.scale)
      problems.push({
        code: 'INSUFFICIENT_FUNDS',
        message: `The batch pays ${g(total.minor)} ${asset.code} (${asset.id}) but ${best.accountName} has ${g(best.available)} available — fund it or remove payouts`,
      })
    }
  }

  problems.push(...(await railProblems(ctx, rails, batch, payouts)))
  return { ok: problems.length === 0, problems, ...(treasuryHints.length > 0 ? { cliHints: treasuryHints } : {}) }
}

/** Each configured rail's pre-flight over its payouts, in rail + network order; fail closed. */
async function railProblems(
  ctx: CoreContext,
  rails: RailRegistry,
  batch: BatchRow,
  payouts: readonly PayoutRow[],
): Promise<PreflightProblem[]> {
  const byRail = new Map<string, PayoutRow[]>()
  for (const p of payouts) {
    const key = `${p.rail}:${p.network}`
    const list = byRail.get(key) ?? []
    list.push(p)
    byRail.set(key, list)
  }
  const problems: PreflightProblem[] = []
  for (const key of [...byRail.keys()].sort()) {
    const onRail = byRail.get(key)!
    const rail = rails.get(onRail[0]!.rail, onRail[0]!.network)
    if (!rail?.preflight) continue
    const name = rail.network === rail.rail ? rail.rail : `${rail.rail} ${rail.network}`
    try {
      const assets = await assetsById(ctx, [...onRail.map((p) => p.asset_id), rail.feeAssetId])
      problems.push(...(await rail.preflight({ batch, payouts: onRail, assets })))
    } catch (error) {
      log('warn', 'rail preflight check failed', { rail: rail.rail, network: rail.network, batchId: batch.id, error })
      problems.push({
        code: 'RAIL_CHECK_FAILED',
        message: `The ${name} check could not run (${(error as Error).message ?? 'unknown error'}) — try again`,
      })
    }
  }
  return problems
}
