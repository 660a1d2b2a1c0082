/**
 * Whether a connected account can receive transfers: it exists and its transfers capability is
 * active. One place for the check, shared by the payout rail's pre-flight (stripePreflight.ts)
 * and the escrow rail's (escrow/preflightStripeEscrow.ts), so both refuse with the same codes.
 */
import type Stripe from 'stripe'
import type { ErrorCode } from '../../../../shared/errors'
import { log } from '../../log'
import type { StripeErrorLike } from './postStripeWithRetry'
import { stripeFailure } from './stripeFailure'

export interface StripeAccountProblem {
  code: ErrorCode
  /** A clause (no full stop) about the account, or Stripe's own failure when `about` is 'stripe'. */
  message: string
  /** 'account': the account is the problem; 'stripe': Stripe could not be asked. */
  about: 'account' | 'stripe'
}

/** A problem's message is a clause: the sentence's full stop is dropped. */
export const clause = (message: string): string => message.replace(/\.$/, '')

export async function checkStripeAccount(stripe: Stripe, accountId: string): Promise<StripeAccountProblem | null> {
  try {
    const account = await stripe.accounts.retrieve(accountId)
    const transfers = account.capabilities?.transfers
    if (transfers === 'active') return null
    return {
      code: 'STRIPE_ACCOUNT_NOT_READY',
      about: 'account',
      message: `connected account ${accountId} cannot receive transfers (transfers capability ${transfers ?? 'missing'}) — ask the payee to finish onboarding`,
    }
  } catch (error) {
    const e = error as StripeErrorLike
    if (e.statusCode === 404 || e.code === 'resource_missing' || e.code === 'account_invalid')
      return {
        code: 'STRIPE_ACCOUNT_MISSING',
        about: 'account',
        message: `Stripe has no connected account ${accountId} — check the payee's account id`,
      }
    const f = stripeFailure(error, `checking account ${accountId}`)
    log('warn', 'Stripe account check failed', { accountId, code: f.code })
    return { code: f.code, about: 'stripe', message: clause(f.message) }
  }
}
