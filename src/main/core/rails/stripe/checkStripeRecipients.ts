/**
 * The Stripe rail's `checkRecipients`: each connected account once, through the same check as
 * pre-flight (checkStripeAccount.ts), a few at a time. The first answer that is Stripe's failure
 * rather than the account's (offline, a bad key, a timeout) stops the check: nothing is said of
 * any account then, only once that they could not be checked — never a row flagged for our outage.
 */
import type Stripe from 'stripe'
import type { CsError } from '../../../../shared/errors'
import type { RecipientCheck } from '../Rail'
import { checkStripeAccount } from './checkStripeAccount'

/** Accounts asked at once. */
const CONCURRENCY = 6
/** Accounts asked at import at most; beyond that they are left to the pre-flight at Submit. */
export const STRIPE_ACCOUNTS_CHECKED_MAX = 300

/** "Connected account acct_… cannot receive transfers … — ask the payee to finish onboarding." */
const sentence = (c: string): string => `${c.charAt(0).toUpperCase()}${c.slice(1)}.`

export async function checkStripeRecipients(client: () => Promise<Stripe>, recipients: readonly string[]): Promise<RecipientCheck> {
  const accounts = [...new Set(recipients)]
  if (accounts.length === 0) return { problems: new Map(), unreachable: null }
  if (accounts.length > STRIPE_ACCOUNTS_CHECKED_MAX)
    return {
      problems: new Map(),
      unreachable: `the batch pays ${accounts.length.toLocaleString('en-US')} connected accounts, more than the ${STRIPE_ACCOUNTS_CHECKED_MAX} checked as rows are typed in`,
    }
  let stripe: Stripe
  try {
    stripe = await client()
  } catch (error) {
    return { problems: new Map(), unreachable: whyNotAsked((error as CsError).code) }
  }
  const problems = new Map<string, string>()
  let unreachable: string | null = null
  let next = 0
  const worker = async (): Promise<void> => {
    while (unreachable === null && next < accounts.length) {
      const account = accounts[next++]!
      const problem = await checkStripeAccount(stripe, account)
      if (problem === null) continue
      if (problem.about === 'stripe') unreachable ??= whyNotAsked(problem.code)
      else problems.set(account, sentence(problem.message))
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, accounts.length) }, worker))
  return unreachable !== null ? { problems: new Map(), unreachable } : { problems, unreachable: null }
}

/** Why Stripe could not be asked, in a person's words (the account id and Stripe's text stay in the log). */
function whyNotAsked(code: string | undefined): string {
  if (code === 'STRIPE_UNREACHABLE') return 'Stripe could not be reached'
  if (code === 'STRIPE_AUTH_FAILED') return 'Stripe refused the secret key'
  if (code === 'STRIPE_KEY_MISSING') return 'no Stripe secret key is set'
  return 'Stripe answered an error'
}
