/**
 * Parses and validates one journal entry as given (`EntryInput`) into what the writer needs:
 * accounts looked up in the LedgerBook, amounts exact at each account's scale as signed minor
 * units, metadata as canonical JSON so a replay compares by string. The checks run in the order
 * a person reads an entry (id, description, date, metadata, postings), and the first failure
 * names the entry and field. Nothing here touches the database: writeEntries does the writing.
 *
 * The API layer has already checked shapes with zod; programmatic callers inside the core skip
 * zod, so every field is still treated as unknown here (cheaply: this runs once per entry on the
 * bulk path).
 */
import { POSTINGS_PER_ENTRY_MAX } from '../../../shared/limits'
import type { EntryInput } from '../../../shared/ledgerApi'
import { CsError } from '../../../shared/errors'
import { parseAmount } from '../../../shared/money'
import { canonicalJson } from '../util/canonicalJson'
import { invalid, where } from './entryErrors'
import {
  DESCRIPTION_CHARS_MAX,
  ENTRY_ID_CHARS_MAX,
  HOLD_ENTRY_ID_PREFIX,
  HOLD_ENTRY_KIND,
  isIsoDate,
  isRef,
  METADATA_KEY_CHARS_MAX,
  METADATA_VALUE_CHARS_MAX,
} from './ids'
import type { BookAccount, LedgerBook } from './ledgerBook'

/** Postings an entry needs at least: one side and the other. */
export const POSTINGS_PER_ENTRY_MIN = 2

/** A parsed, validated entry not yet written. */
export interface ParsedEntry {
  id: string
  date: string | undefined
  description: string
  metadataJson: string
  accounts: BookAccount[]
  /** Signed minor units: + debit, − credit. */
  amounts: bigint[]
}

/**
 * Entry `e` (0-based) of `total`, written with `kind`. `knownDates` remembers dates already
 * checked in this call (a batch repeats a few dates thousands of times).
 */
export function parseEntry(
  book: LedgerBook,
  input: EntryInput | undefined,
  e: number,
  total: number,
  kind: string,
  knownDates: Set<string>,
): ParsedEntry {
  if (input === null || typeof input !== 'object')
    throw invalid(`Entry ${e + 1} of ${total} is not an entry — give an object with id, description and postings.`, { entryIndex: e })
  const id = parseEntryId(input.id, e, total, kind)
  const description: unknown = input.description
  if (typeof description !== 'string' || description.length === 0 || description.length > DESCRIPTION_CHARS_MAX) {
    throw invalid(`${where(id, e, total)}: description must be 1–${DESCRIPTION_CHARS_MAX} characters — say what the entry is for.`, {
      entryId: id,
      entryIndex: e,
      field: 'description',
    })
  }
  const date = parseEntryDate(input.date, id, e, total, knownDates)
  const metadataJson = canonicalMetadata(input.metadata, id, e, total)
  const { accounts, amounts } = parsePostings(book, input.postings, id, e, total)
  return { id, date, description, metadataJson, accounts, amounts }
}

function parseEntryId(id: unknown, e: number, total: number, kind: string): string {
  if (!isRef(id, ENTRY_ID_CHARS_MAX)) {
    throw invalid(
      `Entry ${e + 1} of ${total}: id "${String(id).slice(0, 40)}" is not valid — use 1–${ENTRY_ID_CHARS_MAX} letters, digits and . _ : / @ - (no spaces), starting with a letter or digit.`,
      { entryIndex: e, field: 'id' },
    )
  }
  if (kind !== HOLD_ENTRY_KIND && id.startsWith(HOLD_ENTRY_ID_PREFIX)) {
    throw invalid(`${where(id, e, total)}: ids starting with "${HOLD_ENTRY_ID_PREFIX}" are reserved for holds — choose another id.`, {
      entryId: id,
      entryIndex: e,
      field: 'id',
    })
  }
  return id
}

/** The entry's own date, or undefined when it gives none (the writer then uses today). */
function parseEntryDate(date: unknown, id: string, e: number, total: number, knownDates: Set<string>): string | undefined {
  if (date === undefined || (typeof date === 'string' && knownDates.has(date))) return date
  if (!isIsoDate(date)) {
    throw invalid(`${where(id, e, total)}: date "${String(date).slice(0, 20)}" is not a calendar date — use YYYY-MM-DD, e.g. 2026-01-31.`, {
      entryId: id,
      entryIndex: e,
      field: 'date',
    })
  }
  knownDates.add(date)
  return date
}

/** Canonical JSON of the metadata ("{}" when absent), so a replay compares by string. */
function canonicalMetadata(metadata: unknown, id: string, e: number, total: number): string {
  if (metadata === undefined) return '{}'
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw invalid(`${where(id, e, total)}: metadata must be an object of text values.`, { entryId: id, entryIndex: e, field: 'metadata' })
  }
  const keys = Object.keys(metadata)
  if (keys.length === 0) return '{}'
  for (const key of keys) {
    const value = (metadata as Record<string, unknown>)[key]
    if (key.length > METADATA_KEY_CHARS_MAX || typeof value !== 'string' || value.length > METADATA_VALUE_CHARS_MAX) {
      throw invalid(
        `${where(id, e, total)}, metadata.${key.slice(0, METADATA_KEY_CHARS_MAX)}: metadata keys are at most ${METADATA_KEY_CHARS_MAX} characters and values text of at most ${METADATA_VALUE_CHARS_MAX}.`,
        { entryId: id, entryIndex: e, field: `metadata.${key.slice(0, METADATA_KEY_CHARS_MAX)}` },
      )
    }
  }
  return canonicalJson(metadata)
}

/** The postings as parallel arrays: the account each names and its signed amount. */
function parsePostings(
  book: LedgerBook,
  postings: unknown,
  id: string,
  e: number,
  total: number,
): Pick<ParsedEntry, 'accounts' | 'amounts'> {
  if (!Array.isArray(postings) || postings.length < POSTINGS_PER_ENTRY_MIN || postings.length > POSTINGS_PER_ENTRY_MAX) {
    throw invalid(
      `${where(id, e, total)}: an entry needs ${POSTINGS_PER_ENTRY_MIN} to ${POSTINGS_PER_ENTRY_MAX} postings — at least one debit and one credit.`,
      { entryId: id, entryIndex: e, field: 'postings' },
    )
  }
  const count = postings.length
  const accounts = new Array<BookAccount>(count)
  const amounts = new Array<bigint>(count)
  for (let i = 0; i < count; i++) {
    const p = postings[i] as { account?: unknown; debit?: unknown; credit?: unknown } | null
    if (p === null || typeof p !== 'object') {
      throw invalid(`${where(id, e, total)}, postings[${i}]: give an object with account and debit or credit.`, {
        entryId: id,
        entryIndex: e,
        field: `postings[${i}]`,
      })
    }
    const accountId = p.account
    const acc = typeof accountId === 'string' ? book.account(accountId) : undefined
    if (!acc) {
      throw new CsError(
        'ACCOUNT_NOT_FOUND',
        `${where(id, e, total)}, postings[${i}].account: there is no account "${String(accountId).slice(0, 60)}" — open it first, or fix the id.`,
        { details: { entryId: id, entryIndex: e, field: `postings[${i}].account` } },
      )
    }
    const hasDebit = p.debit !== undefined
    if (hasDebit === (p.credit !== undefined)) {
      throw invalid(`${where(id, e, total)}, postings[${i}]: give exactly one of debit or credit.`, {
        entryId: id,
        entryIndex: e,
        field: `postings[${i}]`,
      })
    }
    const magnitude = parsePostingAmount(hasDebit ? p.debit : p.credit, hasDebit ? 'debit' : 'credit', acc, id, e, total, i)
    accounts[i] = acc
    amounts[i] = hasDebit ? magnitude : -magnitude
  }
  return { accounts, amounts }
}

function parsePostingAmount(
  text: unknown,
  side: 'debit' | 'credit',
  acc: BookAccount,
  id: string,
  e: number,
  total: number,
  i: number,
): bigint {
  const field = `postings[${i}].${side}`
  const details = { entryId: id, entryIndex: e, field }
  if (typeof text !== 'string')
    throw invalid(`${where(id, e, total)}, ${field}: give the amount as a decimal string such as "12.50".`, details)
  if (text.startsWith('-')) {
    const other = side === 'debit' ? 'credit' : 'debit'
    throw new CsError(
      'AMOUNT_INVALID',
      `${where(id, e, total)}, ${field}: ${text.slice(0, 40)} is negative — posting amounts are always positive; to move the money the other way, put ${text.slice(1, 41)} in ${other} instead.`,
      { details },
    )
  }
  try {
    return parseAmount(text, acc.scale, { assetLabel: acc.assetCode })
  } catch (error) {
    if (error instanceof CsError)
      throw new CsError(error.code, `${where(id, e, total)}, ${field}: ${error.message}`, { cause: error, details })
    throw error
  }
}
