/**
 * One committed escrow request (a Transfer or a Refund) POSTed with ITS idempotency key and our
 * bounded retries (postStripeWithRetry): the only way the escrow rail ever writes to Stripe, used
 * by `broadcast` and, with the same body and key, by `lookup` when Stripe shows nothing yet.
 */
import type Stripe from 'stripe'
import type { ErrorCode } from '../../../../../shared/errors'
import {
  postStripeWithRetry,
  safeStripeMessage,
  type PostOutcome,
  type StripeErrorLike,
  type StripeRetryPolicy,
} from '../postStripeWithRetry'
import { stripeRejectionCode, stripeRejectionMessage } from '../createStripeTransfer'
import type { StripeEscrowRequest } from './buildStripeEscrowTx'

/** The Stripe object a request made, as lookup and classify need it. */
export interface StripeEscrowObject {
  id: string
  created: number
}

export function sendStripeEscrowRequest(
  stripe: Stripe,
  request: StripeEscrowRequest,
  retry: StripeRetryPolicy,
): Promise<PostOutcome<StripeEscrowObject>> {
  return postStripeWithRetry(
    request.idempotencyKey,
    async (key): Promise<StripeEscrowObject> => {
      if (request.part === 'transfer') {
        const t = await stripe.transfers.create(request.body as unknown as Stripe.TransferCreateParams, { idempotencyKey: key })
        return { id: t.id, created: t.created }
      }
      const r = await stripe.refunds.create(request.body as unknown as Stripe.RefundCreateParams, { idempotencyKey: key })
      return { id: r.id, created: r.created }
    },
    retry,
  )
}

/** A definite refusal of one request → our code and a sentence saying what to do. */
export function stripeEscrowRefusal(request: StripeEscrowRequest, error: StripeErrorLike): { code: ErrorCode; reason: string } {
  const code = stripeRejectionCode(error)
  if (request.part === 'transfer') return { code, reason: stripeRejectionMessage(error, request.body.destination) }
  const reason =
    code === 'STRIPE_BALANCE_INSUFFICIENT'
      ? `The platform balance does not cover the refund of ${request.body.amount} (minor units) to charge ${request.body.charge} — top up the Stripe balance and retry (${safeStripeMessage(error)}).`
      : `Stripe refused the refund of ${request.body.amount} (minor units) to charge ${request.body.charge} — check the charge in the Stripe Dashboard (${safeStripeMessage(error)}).`
  return { code, reason }
}
