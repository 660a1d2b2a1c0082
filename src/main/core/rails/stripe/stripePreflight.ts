/**
 * Stripe pre-flight, the rail's `preflight`: the key works, the platform's available balance
 * covers the batch in each currency, and every connected account exists and can receive
 * transfers. Reads Stripe only (each account once); a failure becomes a problem with its code.
 */
import type Stripe from 'stripe'
import type { CsError } from '../../../../shared/errors'
import { formatAmount } from '../../../../shared/money'
import type { PreflightProblem } from '../../../../shared/payoutsApi'
import type { AssetRow, PayoutRow } from '../../db/schema'
import type { RailPreflightInput } from '../Rail'
import { checkStripeAccount, clause } from './checkStripeAccount'
import { stripeFailure } from './stripeFailure'
import { assertStripeScale, stripeCurrencyOfAsset } from './stripeMinorUnits'

export async function stripePreflight(client: () => Promise<Stripe>, input: RailPreflightInput): Promise<PreflightProblem[]> {
  if (input.payouts.length === 0) return []
  let stripe: Stripe
  try {
    stripe = await client()
  } catch (error) {
    const e = error as CsError
    return [{ code: e.code ?? 'STRIPE_KEY_MISSING', message: clause(e.message) }]
  }
  let balance: Stripe.Balance
  try {
    balance = await stripe.balance.retrieve()
  } catch (error) {
    const f = stripeFailure(error, 'reading the platform balance')
    return [{ code: f.code, message: clause(f.message) }]
  }
  return [...checkBalance(balance, input.payouts, input.assets), ...(await checkAccounts(stripe, input.payouts))]
}

/** Totals per currency against the platform's available balance. */
function checkBalance(balance: Stripe.Balance, payouts: readonly PayoutRow[], assets: ReadonlyMap<string, AssetRow>): PreflightProblem[] {
  const totals = new Map<string, bigint>()
  for (const p of payouts) {
    const currency = stripeCurrencyOfAsset(p.asset_id)
    totals.set(currency, (totals.get(currency) ?? 0n) + BigInt(p.amount))
  }
  const problems: PreflightProblem[] = []
  for (const [currency, total] of totals) {
    const asset = assets.get(`${currency.toUpperCase()}@stripe`)
    if (asset) assertStripeScale(currency, asset.scale)
    const line = balance.available.find((b) => b.currency === currency)
    const available = line ? BigInt(line.amount) : 0n
    if (available >= total) continue
    const scale = asset?.scale ?? 2
    problems.push({
      code: 'STRIPE_BALANCE_INSUFFICIENT',
      message: `The Stripe platform balance has ${formatAmount(available, scale)} ${currency.toUpperCase()} available, the batch needs ${formatAmount(total, scale)} — top up the balance or wait for pending funds`,
    })
  }
  return problems
}

/** Each connected account once: it exists and its transfers capability is active. */
async function checkAccounts(stripe: Stripe, payouts: readonly PayoutRow[]): Promise<PreflightProblem[]> {
  const byAccount = new Map<string, PayoutRow[]>()
  for (const p of payouts) byAccount.set(p.recipient, [...(byAccount.get(p.recipient) ?? []), p])
  const problems: PreflightProblem[] = []
  for (const [accountId, list] of byAccount) {
    const rows = list.map((p) => p.row_no).join(', ')
    const problem = await checkStripeAccount(stripe, accountId)
    if (problem === null) continue
    const message = problem.about === 'account' ? `Row ${rows}: ${problem.message}` : problem.message
    problems.push({ code: problem.code, payoutId: list[0]!.id, message })
  }
  return problems
}
