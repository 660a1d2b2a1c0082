/**
 * The replay check of the journal writer. Entry ids are idempotency keys: when an insert is
 * refused because the id exists (from an earlier call, or earlier in the same batch), the stored
 * entry is loaded and compared with the one given. Same content is a replay and writes nothing;
 * the first field that differs becomes ENTRY_CONFLICT, with both values, so the person sees what
 * changed. Comparison is on the parsed form: metadata as canonical JSON, amounts as signed minor
 * units, a missing date as "whatever was stored".
 */
import { CsError } from '../../../shared/errors'
import { formatAmount, parseMinor } from '../../../shared/money'
import type { CoreContext } from '../context'
import { invariant } from '../util/invariant'
import { where } from './entryErrors'
import type { BookAccount } from './ledgerBook'
import type { ParsedEntry } from './parseEntry'

/** Characters of a description shown in a conflict message. */
const QUOTED_CHARS_MAX = 60

interface StoredEntry {
  seq: number
  kind: string
  date: string
  description: string
  metadata: string
}
interface StoredPosting {
  account_id: string
  amount: string
}

/** A field in which a given entry differs from the stored one, both values ready to show. */
export interface Difference {
  field: string
  stored: string
  given: string
}

/** The first field in which `entry` differs from the stored entry of the same id, or null if none. */
export async function diffStoredEntry(ctx: CoreContext, entry: ParsedEntry, kind: string): Promise<Difference | null> {
  const stored: StoredEntry | undefined = await ctx.db.first(
    ctx.db.k.selectFrom('entries').select(['seq', 'kind', 'date', 'description', 'metadata']).where('id', '=', entry.id),
  )
  invariant(stored, () => `entry ${entry.id} was refused as a duplicate but is not stored`)
  if (stored.kind !== kind) return { field: 'kind', stored: stored.kind, given: kind }
  if (stored.description !== entry.description)
    return { field: 'description', stored: quote(stored.description), given: quote(entry.description) }
  if (entry.date !== undefined && stored.date !== entry.date) return { field: 'date', stored: stored.date, given: entry.date }
  if (stored.metadata !== entry.metadataJson) {
    const diff = metadataDifference(stored.metadata, entry.metadataJson)
    if (diff) return diff
  }
  const postings: StoredPosting[] = await ctx.db.all(
    ctx.db.k.selectFrom('postings').select(['account_id', 'amount']).where('entry_seq', '=', stored.seq).orderBy('idx'),
  )
  return postingsDifference(postings, entry)
}

/** ENTRY_CONFLICT for entry `e` of `total`, naming the field that differs. */
export function conflictError(id: string, e: number, total: number, diff: Difference): CsError {
  return new CsError(
    'ENTRY_CONFLICT',
    `${where(id, e, total)} was already posted with a different ${diff.field} (stored: ${diff.stored}; now: ${diff.given}) — an entry id is used once: resend the original unchanged to retry, or give a new entry a new id.`,
    { details: { entryId: id, entryIndex: e, field: diff.field } },
  )
}

/** The first metadata key (in sorted order) whose value differs, or null if the objects are equal. */
function metadataDifference(storedJson: string, givenJson: string): Difference | null {
  const a = JSON.parse(storedJson) as Record<string, string>
  const b = JSON.parse(givenJson) as Record<string, string>
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
  for (const key of keys) {
    if (a[key] !== b[key])
      return {
        field: `metadata.${key}`,
        stored: a[key] === undefined ? '(none)' : quote(a[key]),
        given: b[key] === undefined ? '(none)' : quote(b[key]),
      }
  }
  return null
}

function postingsDifference(postings: readonly StoredPosting[], entry: ParsedEntry): Difference | null {
  if (postings.length !== entry.accounts.length)
    return { field: 'postings count', stored: String(postings.length), given: String(entry.accounts.length) }
  for (let i = 0; i < postings.length; i++) {
    const p = postings[i]!
    const acc = entry.accounts[i]!
    if (p.account_id !== acc.id) return { field: `postings[${i}].account`, stored: p.account_id, given: acc.id }
    const diff = amountDifference(i, parseMinor(p.amount), entry.amounts[i]!, acc)
    if (diff) return diff
  }
  return null
}

/** Posting `i`'s side or size, when they differ; amounts are signed minor units (+ debit). */
function amountDifference(i: number, storedAmount: bigint, givenAmount: bigint, acc: BookAccount): Difference | null {
  if (storedAmount > 0n !== givenAmount > 0n) {
    return { field: `postings[${i}].side`, stored: storedAmount > 0n ? 'debit' : 'credit', given: givenAmount > 0n ? 'debit' : 'credit' }
  }
  if (storedAmount === givenAmount) return null
  const abs = (x: bigint): bigint => (x < 0n ? -x : x)
  return {
    field: `postings[${i}].amount`,
    stored: formatAmount(abs(storedAmount), acc.scale),
    given: formatAmount(abs(givenAmount), acc.scale),
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTED_CHARS_MAX ? text.slice(0, QUOTED_CHARS_MAX - 3) + '…' : text)
}
