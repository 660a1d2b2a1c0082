/**
 * A batch's warnings grouped by kind, one line each with a count — what the batch page, the
 * approval dialog and `countersign batches show` say instead of one line per row (300 new payees
 * made a 13,000-pixel list that pushed the totals and the approve button out of sight).
 * Look-alike addresses come first: they are how invoice fraud redirects a payment.
 */
import type { BatchWarning } from './payoutsApi'

export interface BatchWarningGroup {
  code: string
  /** "298 payouts to payees never paid before (296 payees)". */
  title: string
  /** What to do about them, one sentence. */
  advice: string
  /** Warnings of this kind (a row may have several kinds, never two of one). */
  count: number
  /** The payouts concerned, to filter a table to them. */
  payoutIds: string[]
  /** The warnings themselves, in row order. */
  warnings: BatchWarning[]
  /** A look-alike address: shown loud, above everything else. */
  danger: boolean
}

/** Display order; a code not listed (a newer core) comes after, in the order met. */
const ORDER = [
  'PAYEE_LOOKALIKE',
  'NETWORK_NOT_SET_UP',
  'RECIPIENT_CANNOT_RECEIVE',
  'RECIPIENTS_NOT_CHECKED',
  'PAYMENT_REPEATED',
  'PAYEE_NEW',
  'ADDRESS_NO_CHECKSUM',
  'TEXT_FORMULA_LIKE',
  'ID_DERIVED',
  'WARNINGS_TRUNCATED',
]

/** Warnings that mean a row cannot be paid as things stand: the import keeps its panel open on them. */
export const BLOCKING_WARNING_CODES: ReadonlySet<string> = new Set(['NETWORK_NOT_SET_UP', 'RECIPIENT_CANNOT_RECEIVE'])

const plural = (n: number, one: string, many: string): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

/** The payout's recipient, to count distinct payees. */
export type RecipientOf = (payoutId: string) => string | undefined

function describe(code: string, warnings: readonly BatchWarning[], recipientOf: RecipientOf): { title: string; advice: string } {
  const n = warnings.length
  switch (code) {
    case 'PAYEE_LOOKALIKE':
      return {
        title: `${plural(n, "address looks like a known payee's but differs", "addresses look like known payees' but differ")}`,
        advice: "Check each against the payee's own records before you go on: a look-alike address is how a payment gets redirected.",
      }
    case 'NETWORK_NOT_SET_UP': {
      // The importer's sentence starts with the network's name: "Base is not set up in this workspace…".
      const names = [...new Set(warnings.map((w) => w.problem.split(' is not set up')[0]!))]
      return {
        title: `${plural(n, 'payout is', 'payouts are')} on ${names.join(', ')}, not set up in this workspace — ${n === 1 ? 'it' : 'they'} cannot be paid`,
        advice: 'Ask an admin to set the network up for payouts, or remove these rows before you submit.',
      }
    }
    case 'RECIPIENT_CANNOT_RECEIVE':
      return {
        title: `${plural(n, 'payout goes to an account', 'payouts go to accounts')} that cannot receive transfers — ${n === 1 ? 'it' : 'they'} cannot be paid`,
        advice:
          'Ask the payee to finish onboarding with Stripe, or correct the account id; a changed row is checked again, and Submit checks every account.',
      }
    case 'RECIPIENTS_NOT_CHECKED':
      return {
        title: warnings[0]?.problem.replace(/ — .*$/, '') ?? 'The recipients could not be checked',
        advice: 'Nothing is known to be wrong with them: Submit checks every account again and stops if one cannot be paid.',
      }
    case 'PAYMENT_REPEATED':
      return {
        title: `${plural(n, 'payment repeats', 'payments repeat')} an earlier row (same payee, asset and amount)`,
        advice: 'Make sure each is meant to be paid twice.',
      }
    case 'PAYEE_NEW': {
      const payees = newPayeeCount(warnings, recipientOf)
      const payeesText = payees !== n ? ` (${plural(payees, 'payee', 'payees')})` : ''
      return {
        title: `${plural(n, 'payout goes to a payee', 'payouts go to payees')} never paid before${payeesText}`,
        advice: 'Confirm new payees through a channel other than the file (a call, the signed contract).',
      }
    }
    case 'ADDRESS_NO_CHECKSUM':
      return {
        title: `${plural(n, 'address was', 'addresses were')} written without a checksum`,
        advice: "A typo in such an address goes unnoticed: compare it with the payee's invoice.",
      }
    case 'TEXT_FORMULA_LIKE':
      return {
        title: `${plural(n, 'cell starts', 'cells start')} like a spreadsheet formula`,
        advice: 'Check where the file came from; Countersign keeps the text as it is and neutralises it in its exports.',
      }
    case 'ID_DERIVED':
      return {
        title: 'The file gave no payout ids: they were derived from the rows',
        advice: 'Importing the same rows again is refused as a duplicate; a changed row gets a new id.',
      }
    case 'WARNINGS_TRUNCATED':
      return { title: warnings[0]?.problem ?? 'More warnings are not listed.', advice: 'Split the batch to see every warning.' }
    default:
      return { title: `${plural(n, 'warning', 'warnings')} (${code})`, advice: 'Read each before you go on.' }
  }
}

export function groupBatchWarnings(warnings: readonly BatchWarning[], recipientOf: RecipientOf): BatchWarningGroup[] {
  const byCode = new Map<string, BatchWarning[]>()
  for (const w of warnings) {
    const list = byCode.get(w.code) ?? []
    list.push(w)
    byCode.set(w.code, list)
  }
  const rank = (code: string): number => {
    const i = ORDER.indexOf(code)
    return i === -1 ? ORDER.length : i
  }
  return [...byCode.entries()]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([code, list]) => ({
      code,
      ...describe(code, list, recipientOf),
      count: list.length,
      payoutIds: [...new Set(list.flatMap((w) => (w.payoutId === null ? [] : [w.payoutId])))],
      warnings: list,
      danger: code === 'PAYEE_LOOKALIKE',
    }))
}

/** Distinct recipients among the payouts flagged as never paid before. */
export function newPayeeCount(warnings: readonly BatchWarning[], recipientOf: RecipientOf): number {
  const recipients = new Set<string>()
  for (const w of warnings) {
    if (w.code !== 'PAYEE_NEW' || w.payoutId === null) continue
    const r = recipientOf(w.payoutId)
    if (r !== undefined) recipients.add(r)
  }
  return recipients.size
}
