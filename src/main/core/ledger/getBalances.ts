/** Balances per account as exact decimal strings, on each account's normal side. */
import type { AccountKind } from '../../../shared/blocks'
import type { Balance } from '../../../shared/ledgerApi'
import { formatAmount, parseMinor } from '../../../shared/money'
import type { CoreContext } from '../context'
import { unreachable } from '../util/invariant'
import { availableOnNormalSide, isAccountKind, normalSideOf, postedOnNormalSide, type BalanceAmounts } from './accountRules'

export interface GetBalancesParameters {
  assetId?: string | undefined
  kind?: AccountKind | undefined
}

/** One account's balance row with its asset, amounts parsed (shared with getSummary). */
export interface AccountBalance extends BalanceAmounts {
  accountId: string
  accountName: string
  kind: AccountKind
  assetId: string
  assetCode: string
  scale: number
  balance: bigint
  available: bigint
}

export async function readAccountBalances(ctx: CoreContext, input: GetBalancesParameters = {}): Promise<AccountBalance[]> {
  let q = ctx.db.k
    .selectFrom('balances as b')
    .innerJoin('accounts as a', 'a.id', 'b.account_id')
    .innerJoin('assets as s', 's.id', 'a.asset_id')
    .select([
      'a.id as account_id',
      'a.name as account_name',
      'a.kind',
      'a.asset_id',
      's.code as asset_code',
      's.scale',
      'b.debits_posted',
      'b.credits_posted',
      'b.debits_pending',
      'b.credits_pending',
    ])
    .orderBy('a.asset_id')
    .orderBy('a.kind')
    .orderBy('a.id')
  if (input.assetId !== undefined) q = q.where('a.asset_id', '=', input.assetId)
  if (input.kind !== undefined) q = q.where('a.kind', '=', input.kind)
  return (await ctx.db.all(q)).map((r) => {
    if (!isAccountKind(r.kind)) unreachable(`account ${r.account_id} has unknown kind "${r.kind}"`)
    const amounts: BalanceAmounts = {
      debitsPosted: parseMinor(r.debits_posted),
      creditsPosted: parseMinor(r.credits_posted),
      debitsPending: parseMinor(r.debits_pending),
      creditsPending: parseMinor(r.credits_pending),
    }
    if (amounts.debitsPosted < 0n || amounts.creditsPosted < 0n || amounts.debitsPending < 0n || amounts.creditsPending < 0n) {
      unreachable(`account ${r.account_id} has a negative balance column`)
    }
    const side = normalSideOf(r.kind)
    return {
      accountId: r.account_id,
      accountName: r.account_name,
      kind: r.kind,
      assetId: r.asset_id,
      assetCode: r.asset_code,
      scale: r.scale,
      ...amounts,
      balance: postedOnNormalSide(side, amounts),
      available: availableOnNormalSide(side, amounts),
    }
  })
}

export async function getBalances(ctx: CoreContext, input: GetBalancesParameters = {}): Promise<Balance[]> {
  return (await readAccountBalances(ctx, input)).map((b) => ({
    accountId: b.accountId,
    accountName: b.accountName,
    kind: b.kind,
    assetId: b.assetId,
    assetCode: b.assetCode,
    scale: b.scale,
    debitsPosted: formatAmount(b.debitsPosted, b.scale),
    creditsPosted: formatAmount(b.creditsPosted, b.scale),
    debitsPending: formatAmount(b.debitsPending, b.scale),
    creditsPending: formatAmount(b.creditsPending, b.scale),
    balance: formatAmount(b.balance, b.scale),
    available: formatAmount(b.available, b.scale),
  }))
}
