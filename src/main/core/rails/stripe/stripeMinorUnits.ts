/**
 * Stripe's minor unit per currency — the ONE table (https://docs.stripe.com/currencies).
 * Stripe amounts are integers in the currency's smallest unit: cents for USD/EUR, yen for JPY,
 * fils (1/1000) for BHD. Our asset scale (seedDefaultAssets) must agree with it; `assertStripeScale`
 * checks that at the edge so a mismatched asset can never send 100× or 1/10× the amount.
 */
import { CsError } from '../../../../shared/errors'

/** Currencies Stripe treats as zero-decimal. */
const ZERO_DECIMAL = [
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
] as const
/** Currencies Stripe treats as three-decimal. */
const THREE_DECIMAL = ['bhd', 'jod', 'kwd', 'omr', 'tnd'] as const

const CURRENCY_RE = /^[a-z]{3}$/

/** Decimal places of `currency`'s minor unit as Stripe counts them (default 2). */
export function stripeMinorUnitDecimals(currency: string): 0 | 2 | 3 {
  const c = currency.toLowerCase()
  if (!CURRENCY_RE.test(c)) throw new CsError('AMOUNT_INVALID', `"${currency.slice(0, 10)}" is not an ISO currency code.`)
  if ((ZERO_DECIMAL as readonly string[]).includes(c)) return 0
  if ((THREE_DECIMAL as readonly string[]).includes(c)) return 3
  return 2
}

/** Throws unless the asset's decimals equal Stripe's minor unit for the currency. */
export function assertStripeScale(currency: string, assetDecimals: number): void {
  const expected = stripeMinorUnitDecimals(currency)
  if (assetDecimals !== expected) {
    throw new CsError(
      'ASSET_NOT_FOUND',
      `Asset for ${currency.toUpperCase()} has ${assetDecimals} decimals but Stripe counts ${expected} — fix the asset before paying in it.`,
    )
  }
}

/** Stripe's currency code (lowercase) from our asset id "USD@stripe". */
export function stripeCurrencyOfAsset(assetId: string): string {
  const m = /^([A-Za-z]{3})@stripe$/.exec(assetId)
  if (!m) throw new CsError('ASSET_NOT_FOUND', `${assetId.slice(0, 60)} is not a Stripe asset (expected e.g. USD@stripe).`)
  return m[1]!.toLowerCase()
}
