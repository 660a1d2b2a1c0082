/**
 * Stripe escrow pre-flight: what would stop the operation before anything is planned. Reads
 * Stripe only; a failure to ask becomes a problem with its code, never a throw.
 *   fund (charge)      the charge exists, succeeded, and covers the escrow in its currency and group
 *   release / resolve  the payee's connected account can receive transfers; treasury-funded: the
 *                      available platform balance covers the transfer; charge-funded: the charge
 *                      exists and succeeded
 *   refund (charge)    the charge exists, succeeded, and has enough left to refund
 * Nothing for a dispute, a treasury funding or a treasury refund: Stripe is not asked to do anything.
 */
import type Stripe from 'stripe'
import type { CsError } from '../../../../../shared/errors'
import { assertNever } from '../../../util/invariant'
import type { EscrowOpInput, EscrowRailProblem } from '../../EscrowRail'
import { checkStripeAccount, clause } from '../checkStripeAccount'
import { stripeFailure } from '../stripeFailure'
import { escrowCurrency, escrowTotal, milestoneAmount } from './buildStripeEscrowTx'
import { stripeChargeMismatch } from './classifyStripeEscrowTx'
import { readCharge } from './lookupStripeEscrowTxs'

export async function preflightStripeEscrow(client: () => Promise<Stripe>, input: EscrowOpInput): Promise<EscrowRailProblem[]> {
  const { terms, op } = input
  let stripe: Stripe
  try {
    stripe = await client()
  } catch (error) {
    const e = error as CsError
    return [{ code: e.code ?? 'STRIPE_KEY_MISSING', message: clause(e.message) }]
  }
  const currency = escrowCurrency(input)
  const charge = terms.fundingCharge
  try {
    switch (op.kind) {
      case 'dispute':
        return []
      case 'fund':
        return charge === null ? [] : await checkCharge(stripe, charge, currency, terms.railEscrowId, escrowTotal(terms))
      case 'release':
        return await checkPayment(stripe, input, milestoneAmount(terms, op.milestone), currency)
      case 'resolve':
        return [
          ...(op.toPayee > 0n ? await checkPayment(stripe, input, op.toPayee, currency) : []),
          ...(charge !== null && op.toPayer > 0n ? await checkCharge(stripe, charge, currency, terms.railEscrowId, op.toPayer) : []),
        ]
      case 'refund': {
        const total = op.milestones.reduce((sum, m) => sum + milestoneAmount(terms, m), 0n)
        return charge === null ? [] : await checkCharge(stripe, charge, currency, terms.railEscrowId, total)
      }
      default:
        return assertNever(op, 'escrow operation')
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('invariant:')) throw error
    const f = stripeFailure(error, `checking escrow ${terms.escrowId}`)
    return [{ code: f.code, message: clause(f.message) }]
  }
}

/** A transfer to the payee: the account, then the money it draws on (the charge, or the balance). */
async function checkPayment(stripe: Stripe, input: EscrowOpInput, amount: bigint, currency: string): Promise<EscrowRailProblem[]> {
  const { terms } = input
  const account = await checkStripeAccount(stripe, terms.payee)
  const problems: EscrowRailProblem[] = account === null ? [] : [{ code: account.code, message: account.message }]
  if (terms.fundingCharge !== null)
    return [...problems, ...(await checkCharge(stripe, terms.fundingCharge, currency, terms.railEscrowId, 0n))]
  const balance = await stripe.balance.retrieve()
  const line = balance.available.find((b) => b.currency === currency)
  const available = line ? BigInt(line.amount) : 0n
  if (available < amount)
    problems.push({
      code: 'STRIPE_BALANCE_INSUFFICIENT',
      message: `The Stripe platform balance has ${available} ${currency.toUpperCase()} (minor units) available, the escrow needs ${amount} — top up the balance or wait for pending funds`,
    })
  return problems
}

/** The charge exists, succeeded, is in the escrow's currency and group, and has `needed` left (0: any). */
async function checkCharge(
  stripe: Stripe,
  chargeId: string,
  currency: string,
  transferGroup: string,
  needed: bigint,
): Promise<EscrowRailProblem[]> {
  const facts = await readCharge(stripe, chargeId)
  const mismatch = stripeChargeMismatch({ charge: chargeId, amountMin: needed.toString(), currency, transferGroup }, facts)
  return mismatch === null ? [] : [{ code: 'ESCROW_CHARGE_MISMATCH', message: clause(mismatch) }]
}
