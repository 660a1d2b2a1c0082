/** The Stripe-compatible harness (API v1 Connect transfers + payouts): see stripeHarness.ts. */
export {
  IDEMPOTENCY_TTL_MS,
  maskKey,
  startStripeHarness,
  type ConnectedAccountOptions,
  type CustomerPaymentOptions,
  type FaultMatch,
  type PayoutStatus,
  type RecordedRequest,
  type StripeHarness,
  type StripeHarnessFaults,
  type StripeHarnessOptions,
  type TransfersCapability,
} from './stripeHarness'
export { decodeForm, toJson, type FormParams, type FormValue } from './formEncoding'
