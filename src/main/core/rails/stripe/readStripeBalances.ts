/**
 * The Stripe rail's `readBalances`: the platform balance (GET /v1/balance) per asset's currency,
 * available + pending — the platform's money whether or not Stripe lets it be spent yet
 * (src/shared/reconBalancesApi.ts says why that is the figure the ledger should equal).
 * connect_reserved is not counted. Only the platform itself ("stripe:platform") has a balance here.
 */
import type Stripe from 'stripe'
import { CsError } from '../../../../shared/errors'
import type { AssetRow } from '../../db/schema'
import type { RailBalance } from '../Rail'
import { stripeFailure } from './stripeFailure'
import { assertStripeScale, stripeCurrencyOfAsset } from './stripeMinorUnits'
import { STRIPE_PLATFORM_SOURCE } from './stripeRailConfig'

type Funds = readonly { amount: number; currency: string }[]

/** Stripe's amounts are JSON numbers of minor units: whole and safe, or the answer is not trusted. */
function sumOf(funds: Funds, currency: string): bigint {
  let total = 0n
  for (const f of funds) {
    if (f.currency !== currency) continue
    if (!Number.isSafeInteger(f.amount))
      throw new CsError(
        'RAIL_UNAVAILABLE',
        `Stripe answered a ${currency.toUpperCase()} balance that is not a whole number of minor units.`,
      )
    total += BigInt(f.amount)
  }
  return total
}

export async function readStripeBalances(
  client: () => Promise<Stripe>,
  address: string,
  assets: readonly AssetRow[],
): Promise<RailBalance[]> {
  if (address !== STRIPE_PLATFORM_SOURCE)
    throw new CsError(
      'RAIL_UNAVAILABLE',
      `Stripe keeps one balance, the platform's: give the treasury account the address ${STRIPE_PLATFORM_SOURCE}, not ${address.slice(0, 60)}.`,
    )
  const stripe = await client()
  let balance: Stripe.Balance
  try {
    balance = await stripe.balance.retrieve()
  } catch (error) {
    throw stripeFailure(error, 'reading the platform balance')
  }
  return assets.map((asset) => {
    const currency = stripeCurrencyOfAsset(asset.id)
    assertStripeScale(currency, asset.scale)
    const available = sumOf(balance.available, currency)
    const pending = sumOf(balance.pending, currency)
    return { assetId: asset.id, minor: available + pending, parts: { available, pending } }
  })
}
