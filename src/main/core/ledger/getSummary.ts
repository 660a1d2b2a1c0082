/** Totals per asset for the dashboard: only assets that have at least one account. */
import type { AssetSummary } from '../../../shared/ledgerApi'
import { formatAmount } from '../../../shared/money'
import type { CoreContext } from '../context'
import { assertNever } from '../util/invariant'
import { readAccountBalances } from './getBalances'
import { listAssets } from './listAssets'

interface Totals {
  treasury: bigint
  treasuryAvailable: bigint
  escrow: bigint
  paidOut: bigint
  fees: bigint
  accounts: number
  payeeAccounts: number
}

export async function getSummary(ctx: CoreContext): Promise<AssetSummary[]> {
  const totals = new Map<string, Totals>()
  for (const b of await readAccountBalances(ctx)) {
    let t = totals.get(b.assetId)
    if (!t) {
      t = { treasury: 0n, treasuryAvailable: 0n, escrow: 0n, paidOut: 0n, fees: 0n, accounts: 0, payeeAccounts: 0 }
      totals.set(b.assetId, t)
    }
    t.accounts++
    switch (b.kind) {
      case 'treasury':
        t.treasury += b.balance
        t.treasuryAvailable += b.available
        break
      case 'escrow':
        t.escrow += b.balance
        break
      case 'payee':
        t.paidOut += b.balance
        t.payeeAccounts++
        break
      case 'fees':
        t.fees += b.balance
        break
      case 'clearing':
      case 'external':
        break
      default:
        assertNever(b.kind, 'account kind')
    }
  }
  const out: AssetSummary[] = []
  for (const asset of await listAssets(ctx)) {
    const t = totals.get(asset.id)
    if (!t) continue
    out.push({
      assetId: asset.id,
      assetCode: asset.code,
      network: asset.network,
      rail: asset.rail,
      scale: asset.scale,
      treasury: formatAmount(t.treasury, asset.scale),
      treasuryAvailable: formatAmount(t.treasuryAvailable, asset.scale),
      escrow: formatAmount(t.escrow, asset.scale),
      paidOut: formatAmount(t.paidOut, asset.scale),
      fees: formatAmount(t.fees, asset.scale),
      accounts: t.accounts,
      payeeAccounts: t.payeeAccounts,
    })
  }
  return out
}
