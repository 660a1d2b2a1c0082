/**
 * How long Stripe lets funds wait before they must be paid out to a connected account, by the
 * account's country — the escrow UI warns before an escrow outlives it.
 *
 * Stripe's docs (https://docs.stripe.com/connect/manual-payouts, "Using manual payouts"): "You
 * must pay out the funds within the time period specified below, based on the business's
 * country: Thailand 10 days, United States 2 years, All other countries 90 days." The same page
 * notes that Stripe does not provide escrow; holding funds for separate charges and transfers is
 * bounded by these periods. Two years is counted as 730 days (the shorter reading: no leap day).
 */

/** Stripe's default holding period, in days. */
export const STRIPE_HOLD_DAYS_DEFAULT = 90
/** Per-country exceptions (ISO 3166-1 alpha-2), in days. */
const STRIPE_HOLD_DAYS_BY_COUNTRY: Readonly<Record<string, number>> = Object.freeze({ TH: 10, US: 730 })

export function stripeHoldLimitDays(country: string): number {
  return STRIPE_HOLD_DAYS_BY_COUNTRY[country.trim().toUpperCase()] ?? STRIPE_HOLD_DAYS_DEFAULT
}
