/**
 * PURE: one escrow operation → the Stripe requests the engine commits before anything is sent
 * (`build`), and that committed payload as the final one (`seal`: Stripe needs no device).
 *
 * Separate charges and transfers: the escrowed money sits on the platform balance tagged
 * transfer_group = escrow id. What each operation asks of Stripe:
 *   fund     treasury: nothing (needsTx false); a customer's charge: NO request — a check that
 *            the charge succeeded for at least the escrow's total, in its currency and group
 *   release  a Transfer to the payee (+ source_transaction = the charge when charge-funded)
 *   dispute  nothing: our side freezes
 *   resolve  a Transfer of toPayee (if > 0) and, charge-funded, a Refund of toPayer (if > 0)
 *   refund   charge-funded: one Refund per milestone; treasury: nothing (the ledger releases it)
 *
 * The payload is self-contained (lookup and classify read nothing else). Idempotency keys:
 * `escrow:stripe:<actionId>:<attempt>` for the transaction and for a release's one request;
 * resolve's requests add `:transfer` / `:refund`, refund's add `:m<milestone>`. Every request
 * carries metadata escrow_id, milestone, action_id and op, which is how lookup and observe find it.
 */
import { CsError } from '../../../../../shared/errors'
import { assertNever, invariant } from '../../../util/invariant'
import type { BuiltEscrowTx, EscrowOp, EscrowOpInput, EscrowRailTx, EscrowTerms } from '../../EscrowRail'
import type { SignedSubmission } from '../../Rail'
import { STRIPE_METADATA_VALUE_CHARS_MAX } from '../createStripeTransfer'
import { assertStripeScale, stripeCurrencyOfAsset } from '../stripeMinorUnits'
import { STRIPE_PLATFORM_SOURCE } from '../stripeRailConfig'

const IDEMPOTENCY_KEY_LENGTH_MAX = 255
const STRIPE_ACCOUNT_RE = /^acct_[A-Za-z0-9]+$/
const STRIPE_CHARGE_RE = /^(ch|py)_[A-Za-z0-9]+$/

export interface StripeEscrowMetadata {
  escrow_id: string
  milestone: string
  action_id: string
  op: 'release' | 'resolve' | 'refund'
}

export interface StripeEscrowTransferBody {
  amount: string
  currency: string
  destination: string
  transfer_group: string
  source_transaction?: string
  description: string
  metadata: StripeEscrowMetadata
}

export interface StripeEscrowRefundBody {
  charge: string
  amount: string
  metadata: StripeEscrowMetadata
}

export type StripeEscrowRequest =
  | { part: 'transfer'; milestone: number; idempotencyKey: string; body: StripeEscrowTransferBody }
  | { part: 'refund'; milestone: number; idempotencyKey: string; body: StripeEscrowRefundBody }

/** What the funding charge must show (decimal text amounts). */
export interface StripeChargeExpectation {
  charge: string
  amountMin: string
  currency: string
  transferGroup: string
}

export interface StripeEscrowPayload {
  escrowId: string
  currency: string
  requests: StripeEscrowRequest[]
  /** fund with a customer's charge: the check that replaces a request. */
  verify: StripeChargeExpectation | null
}

/** Whether the operation sends anything to Stripe (else the engine books it at once). */
export function stripeEscrowNeedsTx(terms: EscrowTerms, op: EscrowOp): boolean {
  const charged = terms.fundingCharge !== null
  switch (op.kind) {
    case 'fund':
      return charged
    case 'release':
      return true
    case 'dispute':
      return false
    case 'resolve':
      return op.toPayee > 0n || (charged && op.toPayer > 0n)
    case 'refund':
      return charged
    default:
      return assertNever(op, 'escrow operation')
  }
}

export function stripeEscrowIdempotencyKey(actionId: string, attempt: number, part?: string): string {
  invariant(Number.isSafeInteger(attempt) && attempt >= 1, () => `attempt must be a positive integer, got ${attempt}`)
  const key = `escrow:stripe:${actionId}:${attempt}${part === undefined ? '' : `:${part}`}`
  invariant(key.length <= IDEMPOTENCY_KEY_LENGTH_MAX, `idempotency key longer than ${IDEMPOTENCY_KEY_LENGTH_MAX}`)
  return key
}

export function buildStripeEscrowTx(input: EscrowOpInput): BuiltEscrowTx {
  const { terms, op } = input
  invariant(stripeEscrowNeedsTx(terms, op), () => `escrow ${terms.escrowId}: a Stripe ${op.kind} sends nothing and is not built`)
  const currency = escrowCurrency(input)
  const key = stripeEscrowIdempotencyKey(input.actionId, input.attempt)
  const payload: StripeEscrowPayload = { escrowId: terms.railEscrowId, currency, requests: requestsOf(input, currency, key), verify: null }
  if (op.kind === 'fund') payload.verify = chargeExpectation(terms, currency)
  return {
    source: STRIPE_PLATFORM_SOURCE,
    idempotencyKey: key,
    unsignedPayload: JSON.stringify(payload),
    feeCap: null,
    railRefs: new Map(),
  }
}

export function sealStripeEscrowTx(tx: EscrowRailTx): SignedSubmission {
  invariant(tx.unsigned_payload !== null, () => `escrow tx ${tx.id} has no request body`)
  return { signedPayload: tx.unsigned_payload, txHash: tx.idempotency_key }
}

/** The committed payload of a transaction (the sealed one once it exists). */
export function stripeEscrowPayloadOf(tx: Pick<EscrowRailTx, 'id' | 'signed_payload' | 'unsigned_payload'>): StripeEscrowPayload {
  const body = tx.signed_payload ?? tx.unsigned_payload
  invariant(body !== null, () => `escrow tx ${tx.id} has no request body`)
  return JSON.parse(body) as StripeEscrowPayload
}

/** The escrow's Stripe currency, with the asset's scale checked against Stripe's minor unit. */
export function escrowCurrency(input: Pick<EscrowOpInput, 'terms' | 'assets'>): string {
  const currency = stripeCurrencyOfAsset(input.terms.assetId)
  const asset = input.assets.get(input.terms.assetId)
  if (asset !== undefined) assertStripeScale(currency, asset.scale)
  return currency
}

export function escrowTotal(terms: EscrowTerms): bigint {
  return terms.milestones.reduce((sum, m) => sum + m.amount, 0n)
}

export function milestoneAmount(terms: EscrowTerms, index: number): bigint {
  const m = terms.milestones.find((x) => x.index === index)
  invariant(m, () => `escrow ${terms.escrowId} has no milestone ${index}`)
  return m.amount
}

function chargeExpectation(terms: EscrowTerms, currency: string): StripeChargeExpectation {
  invariant(terms.fundingCharge !== null, 'a charge check needs a charge')
  return { charge: terms.fundingCharge, amountMin: escrowTotal(terms).toString(), currency, transferGroup: terms.railEscrowId }
}

function requestsOf(input: EscrowOpInput, currency: string, key: string): StripeEscrowRequest[] {
  const { terms, op } = input
  switch (op.kind) {
    case 'fund':
    case 'dispute':
      return []
    case 'release':
      return [transferRequest(input, currency, op.milestone, milestoneAmount(terms, op.milestone), 'release', key)]
    case 'resolve': {
      const total = milestoneAmount(terms, op.milestone)
      invariant(op.toPayee >= 0n && op.toPayer >= 0n && op.toPayee + op.toPayer === total, () => {
        return `escrow ${terms.escrowId} milestone ${op.milestone}: ${op.toPayee} + ${op.toPayer} is not ${total}`
      })
      const out: StripeEscrowRequest[] = []
      if (op.toPayee > 0n) out.push(transferRequest(input, currency, op.milestone, op.toPayee, 'resolve', `${key}:transfer`))
      if (terms.fundingCharge !== null && op.toPayer > 0n)
        out.push(refundRequest(input, op.milestone, op.toPayer, 'resolve', `${key}:refund`))
      return out
    }
    case 'refund':
      invariant(op.milestones.length > 0, () => `escrow ${terms.escrowId}: a refund of no milestone`)
      return op.milestones.map((m) => refundRequest(input, m, milestoneAmount(terms, m), 'refund', `${key}:m${m}`))
    default:
      return assertNever(op, 'escrow operation')
  }
}

function metadataOf(input: EscrowOpInput, milestone: number, op: StripeEscrowMetadata['op']): StripeEscrowMetadata {
  const metadata = { escrow_id: input.terms.escrowId, milestone: String(milestone), action_id: input.actionId, op }
  invariant(
    Object.values(metadata).every((v) => v.length <= STRIPE_METADATA_VALUE_CHARS_MAX),
    'escrow metadata longer than Stripe keeps',
  )
  return metadata
}

function transferRequest(
  input: EscrowOpInput,
  currency: string,
  milestone: number,
  amount: bigint,
  op: 'release' | 'resolve',
  idempotencyKey: string,
): StripeEscrowRequest {
  const { terms } = input
  invariant(amount > 0n, () => `escrow ${terms.escrowId} milestone ${milestone}: a transfer must be positive`)
  if (!STRIPE_ACCOUNT_RE.test(terms.payee))
    throw new CsError('ESCROW_INVALID', `${terms.payee.slice(0, 40)} is not a Stripe connected account (acct_…) — fix the escrow's payee.`)
  const body: StripeEscrowTransferBody = {
    // Decimal text: stripe-node form-encodes it unchanged, so no bigint ever becomes a float.
    amount: amount.toString(),
    currency,
    destination: terms.payee,
    transfer_group: terms.railEscrowId,
    ...(terms.fundingCharge !== null ? { source_transaction: terms.fundingCharge } : {}),
    description: `Escrow ${terms.escrowId} milestone ${milestone}`,
    metadata: metadataOf(input, milestone, op),
  }
  return { part: 'transfer', milestone, idempotencyKey, body }
}

function refundRequest(
  input: EscrowOpInput,
  milestone: number,
  amount: bigint,
  op: 'resolve' | 'refund',
  idempotencyKey: string,
): StripeEscrowRequest {
  const charge = input.terms.fundingCharge
  invariant(charge !== null && STRIPE_CHARGE_RE.test(charge), () => `escrow ${input.terms.escrowId}: a refund needs the funding charge`)
  invariant(amount > 0n, () => `escrow ${input.terms.escrowId} milestone ${milestone}: a refund must be positive`)
  return {
    part: 'refund',
    milestone,
    idempotencyKey,
    body: { charge, amount: amount.toString(), metadata: metadataOf(input, milestone, op) },
  }
}
